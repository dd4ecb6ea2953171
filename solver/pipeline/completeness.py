"""The completeness record: how every face set was settled (``solve(..., completeness=True)``).

For every set of ``k <= L`` distinct alive unit faces (level ``k``, including the empty
set: the all-dead point) the solve decides, by the convexity of ``J``
(:mod:`solver.pipeline.locate.interior`), whether it has an interior solution, and if so where:

* ``decoupled``: its faces split into parts that share no seen point; the set's
  solution is the union of the parts' (each part has its own record);
* ``pruned``: a proper subset ``A`` (with its own record and solution) satisfies the
  strict KKT conditions ``|M_b^T r_A|_{G_b^{-1}} < lam`` for the other faces ``b``, or
  ``= lam`` exactly for *tied* faces (a face of ``A`` up to points with zero residual)
  with the vectors ``P_c r_A`` independent: no interior solution;
* ``solution``: its one interior solution, as exact data (a Krawczyk-proved box, or
  minimal polynomials with isolating intervals when exact elimination found it);
* ``none``: a KKT multiplier was exactly zero and exact elimination found no interior
  solution.

A set with a solution then records whether its neuron directions lie in their faces
(``outside``: which point's pre-activation has the wrong sign, or is structurally
zero), and if they do, its certification: the orbits of the minima it became, or the
solver's descent (and, for the split sets of ``0 < k < L``, whether their endpoints
with dying units are minima too). The record types (:class:`~solver.results.SetRecord`,
:class:`~solver.results.Completeness`) are plain picklable data (cluster workers return
their chunks' records); the solve sorts them canonically and names orbits by their
numbers in the output.

Examples
--------
>>> from solver import solve
>>> sol = solve(["0", "1"], ["1", "0"], "1/10", 1, completeness=True)
>>> [(r.faces, r.how) for r in sol.completeness.records]  # doctest: +NORMALIZE_WHITESPACE
[((), 'solution'), (('+0',), 'solution'), (('0+',), 'pruned'), (('++',), 'solution'),
 (('+-',), 'solution'), (('-+',), 'pruned')]
>>> sol.completeness.records[3].minimum, sol.completeness.records[1].descent.kind
((0,), 'on')
>>> sol.completeness.records[4].outside
Outside(face='+-', point=1, why='sign', against=0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from solver.errors import SolverError
from solver.pipeline.certify import Certification
from solver.pipeline.decision import Decision
from solver.pipeline.divide import UnitFace, pattern_of
from solver.pipeline.exact_forms import algebraic_roots
from solver.pipeline.locate.algebraic_point import exact_form
from solver.pipeline.locate.in_faces import face_test
from solver.pipeline.locate.point import NeuronPoint
from solver.results import Completeness, Descent, Outside, SetRecord


def set_record(
    key: tuple[int, ...],
    faces: Sequence[UnitFace],
    found: Decision,
    roots: tuple | None,
    signs: tuple[int, ...] | None,
    candidate: NeuronPoint | None,
    verdict: Certification | None,
    orbits: Sequence[tuple],
    units: int,
) -> SetRecord:
    """The :class:`SetRecord` of one face set of a network of ``units`` units.

    ``roots``/``signs`` are the enumerator's entry, ``candidate`` its point with no face
    signs (to name why it is outside, when ``signs`` is None), ``verdict`` the
    certification of the point inside its faces and ``orbits`` the identities of the
    minima it gave. For ``0 < k < units`` a minimum also records its ``closure``: whether
    the split sets' endpoints (some units dead) are minima, or the dead-unit descent.
    """
    names = lambda group: tuple(pattern_of(s) for s in group)  # noqa: E731
    record = SetRecord(
        key=key,
        faces=tuple(f.pattern for f in faces),
        how=found.how,
        parts=tuple(names(p) for p in found.parts),
        by=names(found.by),
        tied=names(found.tied),
        twins=tuple(names(t) for t in found.twins),
        zeros=tuple((i, names(part), algebraic_roots(roots)) for i, part, roots in found.zeros),
        roots=algebraic_roots(roots) if found.how == "solution" else (),
        segment=tuple(None if g is None else pattern_of(g) for g in found.segment),
        near=None if found.near is None else pattern_of(found.near),
        near_exact=algebraic_roots(found.exact),
    )
    if roots is None:
        return record
    if signs is None:
        if candidate is None:
            raise SolverError("completeness: an outside solution without its point")
        why = outside_reason(candidate)
        if why.why == "exact zero" and found.how in ("solution", "decoupled"):  # exactly
            exact = candidate.exact()
            if exact is candidate:  # more than two neurons: parts of two, or rational
                exact = exact_form(candidate) or candidate
            record = replace(record, roots=algebraic_roots(exact.roots))
        return replace(record, outside=why)
    if verdict is None:
        raise SolverError("completeness: a critical point without a certification verdict")
    ok = verdict.dead_ok if not faces else verdict.alive_ok
    if not ok:
        return replace(record, descent=_descent(verdict))
    record = replace(record, minimum=tuple(sorted(set(orbits))))
    if 0 < len(faces) < units:  # split sets: are their endpoints (units dying) minima?
        closure = "minima" if verdict.dead_ok else _descent(verdict)
        record = replace(record, closure=closure)
    return record


def _descent(verdict: Certification) -> Descent:
    """The descent of a point that is not a minimum (the certifier always names one)."""
    if verdict.descent is None:
        raise SolverError("completeness: a point failed certification without a descent")
    return verdict.descent


def outside_reason(point: NeuronPoint) -> Outside:
    """Why the interior solution ``point`` has a neuron direction outside its face: the
    enumerator's own test (:func:`solver.pipeline.locate.in_faces.face_test`), which
    names the first point that fails."""
    found = face_test(point)
    if isinstance(found, Outside):
        return found
    raise SolverError("completeness: the enumerator put a point outside its faces, but "
                      "every pre-activation has its face's sign")


def numbered(completeness: Completeness, numbers: Mapping[tuple, int]) -> Completeness:
    """The records with orbit identities replaced by orbit numbers."""
    records = tuple(
        r if r.minimum is None else replace(r, minimum=tuple(sorted(numbers[o] for o in r.minimum)))
        for r in completeness.records
    )
    return replace(completeness, records=records)


def collect(alive: Sequence[UnitFace], records: Sequence[SetRecord]) -> Completeness:
    """All records in canonical order: by level, then by the sets' alive-face indices."""
    ordered = tuple(sorted(records, key=lambda r: (len(r.key), r.key)))
    keys = [r.key for r in ordered]
    if len(set(keys)) != len(keys):
        raise SolverError("completeness: a face set was recorded twice")
    return Completeness(tuple(f.pattern for f in alive), ordered)


__all__ = ["collect", "numbered", "outside_reason", "set_record"]

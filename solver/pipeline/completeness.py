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
solver's descent reason (and, for the split sets of ``0 < k < L``, whether their
endpoints with dying units are minima too). :class:`SetRecord` is plain picklable data
(cluster workers return their chunks' records); the solve sorts them canonically and
names orbits by their numbers in the output.

Examples
--------
>>> from solver import solve
>>> sol = solve(["0", "1"], ["1", "0"], "1/10", 1, completeness=True)
>>> [(r.faces, r.how) for r in sol.completeness.records]  # doctest: +NORMALIZE_WHITESPACE
[((), 'solution'), (('+0',), 'solution'), (('0+',), 'pruned'), (('++',), 'solution'),
 (('+-',), 'solution'), (('-+',), 'pruned')]
>>> sol.completeness.records[3].minimum, sol.completeness.records[1].descent["kind"]
((0,), 'on')
>>> sol.completeness.records[4].outside
Outside(face='+-', point=1, why='sign', against=0)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from solver.errors import SolverError
from solver.pipeline.algebraic import RealRoot
from solver.pipeline.certify import Verdict
from solver.pipeline.divide import UnitFace
from solver.pipeline.locate.in_faces import Outside, face_test
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import fraction
from solver.results import AlgebraicRoot

HOW = ("decoupled", "pruned", "solution", "none")


@dataclass(frozen=True, slots=True)
class Decision:
    """How the enumerator settled one face set (before face signs and certification).

    ``how`` is one of :data:`HOW`; ``parts`` (decoupled) and ``by``/``tied`` (pruned)
    are sign vectors of faces.
    """

    how: str
    parts: tuple[tuple[tuple[int, ...], ...], ...] = ()
    by: tuple[tuple[int, ...], ...] = ()
    tied: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class SetRecord:
    """The completeness record of one face set (see the module docstring).

    ``key`` (indices into the alive faces) orders the records; ``minimum`` holds orbit
    identities inside a solve and orbit numbers in the output (``numbered``).
    """

    key: tuple[int, ...]
    faces: tuple[str, ...]
    how: str
    parts: tuple[tuple[str, ...], ...] = ()
    by: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()
    roots: tuple[AlgebraicRoot, ...] = ()
    outside: Outside | None = None
    minimum: tuple | None = None
    descent: Mapping | None = None
    closure: str | Mapping | None = None

    def to_json(self) -> dict:
        """JSON entry of ``completeness.sets``."""
        out: dict = {"faces": list(self.faces)}
        if self.how == "decoupled":
            out["decoupled"] = [list(p) for p in self.parts]
        elif self.how == "pruned":
            out["pruned"] = {"by": list(self.by), "tied": list(self.tied)}
        elif self.how == "solution":
            out["solution"] = [r.to_json() for r in self.roots]
        else:
            out["none"] = "a KKT multiplier is exactly zero; exact elimination found no " \
                          "interior solution"
        if self.outside is not None:
            out["outside"] = self.outside.to_json()
        if self.minimum is not None:
            out["minimum"] = list(self.minimum)
        if self.descent is not None:
            out["descent"] = dict(self.descent)
        if self.closure is not None:
            out["closure"] = self.closure if isinstance(self.closure, str) else dict(self.closure)
        return out


@dataclass(frozen=True, slots=True)
class Completeness:
    """Every face set's record, in canonical order (levels, then face order)."""

    alive: tuple[str, ...]
    records: tuple[SetRecord, ...]

    DESCRIPTION = (
        "every set of k <= L distinct alive unit faces (patterns), k = 0 being the all-dead "
        "point: decoupled (parts sharing no seen point, each listed), pruned (by a proper "
        "subset whose solution meets the strict KKT conditions |M_b^T r|_(G_b^-1) < lam for "
        "the other faces, or = lam for the tied ones with the P_c r independent), solution "
        "(the face set's unique interior solution s: box or minimal polynomials, as in "
        "exact.s) or none; a set with a solution has outside (a point whose pre-activation "
        "has the wrong sign or is structurally zero; 0-based) or its certification: minimum "
        "(orbit numbers of the minima it became; for 0 < k < L with closure: minima, or the "
        "dead-unit descent, for the split sets' endpoints) or descent (the solver's reason)"
    )

    def to_json(self) -> dict:
        """The ``completeness`` key of the result document."""
        return {
            "description": self.DESCRIPTION,
            "alive": len(self.alive),
            "sets": [r.to_json() for r in self.records],
        }


def decision(faces: Sequence[UnitFace], parts: Sequence[Sequence[int]], prune, roots) -> Decision:
    """The :class:`Decision` of a set from what the enumerator did (see
    :class:`~solver.pipeline.run.SeededEnumerator`): its connected ``parts``, the pruning
    subset and tied faces it found (or None), and its roots (None: no solution)."""
    if len(parts) > 1:
        return Decision("decoupled", parts=tuple(tuple(faces[i].signs for i in p) for p in parts))
    if prune is not None:
        sub, tied = prune
        return Decision("pruned", by=tuple(f.signs for f in sub),
                        tied=tuple(f.signs for f in tied))
    return Decision("solution" if roots is not None else "none")


def set_record(
    key: tuple[int, ...],
    faces: Sequence[UnitFace],
    found: Decision,
    roots: tuple | None,
    signs: tuple[int, ...] | None,
    candidate: NeuronPoint | None,
    verdict: Verdict | None,
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
    names = lambda group: tuple(_pattern(s) for s in group)  # noqa: E731
    record = SetRecord(
        key=key,
        faces=tuple(f.pattern for f in faces),
        how=found.how,
        parts=tuple(names(p) for p in found.parts),
        by=names(found.by),
        tied=names(found.tied),
        roots=_roots(roots) if found.how == "solution" else (),
    )
    if roots is None:
        return record
    if signs is None:
        if candidate is None:
            raise SolverError("completeness: an outside solution without its point")
        why = outside_reason(candidate)
        if why.why == "exact zero" and found.how == "solution":  # the checker needs it exact
            record = replace(record, roots=_roots(candidate.exact().roots))
        return replace(record, outside=why)
    if verdict is None:
        raise SolverError("completeness: a critical point without a certification verdict")
    ok = verdict.dead_ok if not faces else verdict.alive_ok
    if not ok:
        return replace(record, descent=descent(verdict.reason))
    record = replace(record, minimum=tuple(sorted(set(orbits))))
    if 0 < len(faces) < units:  # split sets: are their endpoints (units dying) minima?
        closure = "minima" if verdict.dead_ok else descent(verdict.reason)
        record = replace(record, closure=closure)
    return record


def _pattern(signs: tuple[int, ...]) -> str:
    return "".join("+" if s > 0 else "-" if s < 0 else "0" for s in signs)


def _roots(roots: tuple) -> tuple[AlgebraicRoot, ...]:
    """The enumerator's roots as exact data: proved box coordinates or minimal polynomials."""
    out = []
    for j, root in enumerate(roots):
        poly = root.poly if isinstance(root, RealRoot) else None
        out.append(AlgebraicRoot(
            name=f"s{j}",
            minpoly=None if poly is None else tuple(int(c) for c in poly.coeffs()),
            lo=fraction(root.lo),
            hi=fraction(root.hi),
        ))
    return tuple(out)


_REASONS = (
    (re.compile(r"descent: switching point (\d+) (off|on) lowers the loss "
                r"\(unit face ([-+0]+), point \d+\)$"),
     lambda m: {"kind": m[2], "face": m[3], "point": int(m[1]) - 1}),
    (re.compile(r"second order: the merged Hessian is not positive definite \(minor (\d+)\)$"),
     lambda m: {"kind": "hessian", "minor": int(m[1])}),
    (re.compile(r"descent: a dead unit grows along face ([-+0]+)$"),
     lambda m: {"kind": "dead", "face": m[1]}),
)


def descent(reason: str) -> dict:
    """The solver's descent reason (:mod:`solver.pipeline.certify`) as structured data.

    >>> found = descent("descent: switching point 2 on lowers the loss (unit face +0, point 2)")
    >>> found["kind"], found["face"], found["point"]
    ('on', '+0', 1)
    """
    for pattern, make in _REASONS:
        match = pattern.match(reason)
        if match:
            return {**make(match), "reason": reason}
    raise SolverError(f"completeness: unrecognised certification reason {reason!r}")


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


__all__ = ["Completeness", "Decision", "Outside", "SetRecord", "collect", "decision",
           "descent", "numbered", "outside_reason", "set_record"]

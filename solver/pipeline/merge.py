"""Merge and verify, part 2: from certified neurons to the network's minima.

A certified neuron point with ``k`` neurons and ``L`` units yields, for every way of
giving each neuron at least one unit (a surjection ``units -> neurons``):

* ``k == L``: an isolated minimum (the ``L!`` labelings form one orbit);
* ``k < L``: a set of dimension ``L - k`` where the units of one neuron split its
  weight (``t_l > 0``, ``sum t_l = s_a``); labelings with the same multiplicities form
  one orbit. Its closure adds points with dead units, minima iff the dead-unit
  condition holds (then listed as the set's ``endpoints``).

``k == 0`` (every unit dead) is an isolated minimum when the dead-unit condition holds.
The output order is canonical: orbits by (loss, kind, patterns), images by patterns.

Examples
--------
>>> list(surjections(3, 2))[:3]
[(0, 0, 1), (0, 1, 0), (0, 1, 1)]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

from flint import arb

from solver.minima import (
    Certificate,
    CurveMinimum,
    IsolatedMinimum,
    Minimum,
    Point,
)
from solver.pipeline.certify import Certification
from solver.pipeline.curves import set_description
from solver.pipeline.exact_forms import exact_point
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import as_float, fraction, working_precision

PREC = 256
SAMPLES = 24


@dataclass(frozen=True, slots=True)
class Found:
    """A network minimum found on one face set, before the solve numbers its orbit.

    ``orbit`` identifies its orbit (the faces' sign vectors and the number of units of
    each neuron: a face set has at most one critical point, so this is exact, and the
    same in every process); ``tiebreak`` orders orbits equal in loss, kind and patterns;
    ``form`` and ``fields`` give the minimum once its orbit has a number
    (:meth:`numbered`). Plain picklable data.
    """

    orbit: tuple
    tiebreak: tuple
    form: type[IsolatedMinimum] | type[CurveMinimum]
    fields: Mapping[str, object]

    @property
    def loss(self) -> float:
        """The minimum's loss."""
        return self.fields["loss"]  # type: ignore[return-value]

    @property
    def pattern(self) -> tuple[str, ...]:
        """The minimum's sign patterns, one per unit."""
        return self.fields["pattern"]  # type: ignore[return-value]

    def numbered(self, orbit: int) -> Minimum:
        """The minimum, in orbit number ``orbit``."""
        return self.form(orbit=orbit, **self.fields)


def surjections(units: int, k: int) -> Iterator[tuple[int, ...]]:
    """All maps ``range(units) -> range(k)`` hitting every neuron, in lexicographic order."""
    for labels in product(range(k), repeat=units):
        if len(set(labels)) == k:
            yield labels


def network_minima(point: NeuronPoint, verdict: Certification, units: int) -> list[Found]:
    """The network-level minima of one certified neuron point, orbits not yet numbered."""
    out = []
    if point.k == 0:
        if verdict.dead_ok:
            out.append(_isolated(point, verdict, (None,) * units))
        return out
    if not verdict.alive_ok:
        return out
    for labels in surjections(units, point.k):
        if point.k == units:
            out.append(_isolated(point, verdict, labels))
        else:
            out.append(_split_set(point, verdict, labels))
    return out


def unit_values(point: NeuronPoint, labels: Sequence[int | None], t: Sequence[arb]):
    """Float B, c, a for given per-unit ``t`` (``t_l = a_l^2 / lam``)."""
    vals = point.values(PREC)
    lam = arb(point.problem.lam_q)
    m = point.problem.d + 1
    B, c, a = [], [], []
    with working_precision(PREC):
        for label, tl in zip(labels, t):
            if label is None:
                B.append((0.0,) * (m - 1))
                c.append(0.0)
                a.append(0.0)
                continue
            al = point.signs[label] * (lam * tl).sqrt()
            w = [al / lam * vals.directions[label][r] for r in range(m)]
            B.append(tuple(as_float(v) for v in w[: m - 1]))
            c.append(as_float(w[m - 1]))
            a.append(as_float(al))
    return Point(tuple(B), tuple(c), tuple(a))


def patterns(point: NeuronPoint, labels: Sequence[int | None]) -> tuple[str, ...]:
    """Per unit, its face's sign pattern (``0...0`` for a dead unit, label None)."""
    n = point.problem.n
    return tuple("0" * n if lb is None else point.faces[lb].pattern for lb in labels)


def _active(point: NeuronPoint, labels: Sequence[int | None]) -> tuple[tuple[int, int], ...]:
    n = point.problem.n
    out = []
    for i in range(n):
        for l, lb in enumerate(labels):
            if lb is None or point.faces[lb].signs[i] == 0:
                out.append((i, l))
    return tuple(out)


def loss_value(point: NeuronPoint) -> float:
    """The loss at a neuron point, as a float."""
    return as_float(point.values(PREC).loss)


def _isolated(point: NeuronPoint, verdict: Certification, labels) -> Found:
    vals = point.values(PREC)
    t = [vals.s[lb] if lb is not None else arb(0) for lb in labels]
    fields = {
        "point": unit_values(point, labels, t),
        "loss": loss_value(point),
        "pattern": patterns(point, labels),
        "active": _active(point, labels),
        "exact": exact_point(point, labels),
        "certificate": Certificate(verdict.checks),
    }
    return Found(_orbit_ident(point, labels), _tiebreak(point), IsolatedMinimum, fields)


def _orbit_ident(point: NeuronPoint, labels) -> tuple:
    """Labelings of one neuron point with equal multiplicities are one orbit.

    The point is named by its faces' sign vectors: a face set has at most one critical
    point, so this identity is exact, and (unlike ``id``) the same in every process.
    """
    counts = tuple(sum(1 for lb in labels if lb == a) for a in range(point.k))
    return (tuple(f.signs for f in point.faces), counts)


def _tiebreak(point: NeuronPoint) -> tuple:
    """Deterministic identity of a neuron point: its faces and exact root intervals (as
    Fractions: plain Python data, the same in every process)."""
    return (
        tuple(f.pattern for f in point.faces),
        tuple((fraction(r.lo), fraction(r.hi)) for r in point.roots),
    )


def _split_set(point: NeuronPoint, verdict: Certification, labels) -> Found:
    vals = point.values(PREC)
    groups = {a: [l for l, lb in enumerate(labels) if lb == a] for a in range(point.k)}
    samples = []
    with working_precision(PREC):
        for j in range(SAMPLES):
            t = [arb(0)] * len(labels)
            for a, members in groups.items():
                weights = _simplex_point(len(members), j)
                for l, wgt in zip(members, weights):
                    t[l] = vals.s[a] * arb(wgt)
            samples.append(unit_values(point, labels, t))
    endpoints = []
    if verdict.dead_ok:
        for a, members in groups.items():
            if len(members) < 2:
                continue
            # One endpoint per unit of the group that survives, the others of the group
            # dead; every other group's units keep splitting their neuron (equally: one
            # point of the closure's face, as each group's t must sum to its s).
            for keep in members:
                ends = [lb if (lb != a or l == keep) else None for l, lb in enumerate(labels)]
                with working_precision(PREC):
                    t = [arb(0) if lb is None else vals.s[lb] if lb == a
                         else vals.s[lb] / len(groups[lb]) for lb in ends]
                endpoints.append(unit_values(point, ends, t))
    desc = set_description(point, labels)
    dimension = len(labels) - point.k
    checks = verdict.checks + (
        "split set: loss >= Lambda(sum of the units' products) near every point, with equality "
        "on the set, and Lambda has a strict local minimum (second-order check above)",
    )
    if verdict.dead_ok:
        checks += ("closure: the endpoints (units dying) are minima by the dead-unit check",)
    elif verdict.reason:
        checks += (f"closure excluded: {verdict.reason}",)
    fields = {
        "dimension": dimension,
        "variables": desc.variables,
        "equations": desc.equations,
        "inequalities": desc.inequalities,
        "samples": tuple(samples),
        "loss": loss_value(point),
        "pattern": patterns(point, labels),
        "active": _active(point, labels),
        "endpoints": tuple(endpoints),
        "certificate": Certificate(checks),
    }
    return Found(_orbit_ident(point, labels), _tiebreak(point), CurveMinimum, fields)


def _simplex_point(size: int, j: int) -> list[float]:
    """Deterministic interior points of the simplex (weights summing to 1)."""
    if size == 1:
        return [1.0]
    if size == 2:
        phi = (j + 0.5) / SAMPLES * math.pi / 2
        return [math.cos(phi) ** 2, math.sin(phi) ** 2]
    golden = (math.sqrt(5) - 1) / 2
    raw = [((j + 1) * golden * (q + 1)) % 1.0 + 0.05 for q in range(size)]
    total = sum(raw)
    return [v / total for v in raw]


def orbit_numbers(entries: Sequence[Found]) -> dict[tuple, int]:
    """The number of every orbit (by its identity), as :func:`canonical` numbers them.

    Orbits are ordered by (loss, kind, smallest pattern of an image, exact identity).
    """
    orbits: dict[tuple, list[Found]] = {}
    for found in entries:
        orbits.setdefault(found.orbit, []).append(found)

    def orbit_key(ident: tuple) -> tuple:
        members = orbits[ident]
        kind = 0 if members[0].form is IsolatedMinimum else 1
        return (members[0].loss, kind, min(m.pattern for m in members), members[-1].tiebreak)

    return {ident: number for number, ident in enumerate(sorted(orbits, key=orbit_key))}


def canonical(entries: Sequence[Found],
              numbers: dict[tuple, int] | None = None) -> tuple[Minimum, ...]:
    """Number the orbits and return the minima in canonical order.

    Orbits are ordered as in :func:`orbit_numbers` (``numbers``, if already computed);
    the images of one orbit by their patterns.
    """
    if numbers is None:
        numbers = orbit_numbers(entries)
    orbits: dict[tuple, list[Found]] = {}
    for found in entries:
        orbits.setdefault(found.orbit, []).append(found)
    out: list[Minimum] = []
    for ident in sorted(orbits, key=numbers.__getitem__):
        for found in sorted(orbits[ident], key=lambda m: m.pattern):
            out.append(found.numbered(numbers[ident]))
    return tuple(out)

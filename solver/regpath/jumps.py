"""Where the global minimum jumps: loss crossings of two branches, certified.

The global minimum is the lowest branch (one per orbit of unit permutations). Between
events it changes only where two branches' losses cross. On the common sample grid the
lowest orbit is known; where it changes between two grid points with both orbits alive
on both, the crossing is located by bisection in floats and then **certified**: on a
rational interval ``[l1, l2]`` of relative width at most ``1e-12`` the loss difference
(computed in ball arithmetic at the interior solutions the solver proves at ``l1`` and
``l2``) changes sign, and its derivative ``2 lam (sum s_A - sum s_B)`` has one sign on the
whole interval because each ``sum s`` is non-increasing in λ (docs/path.md, §3.5): if
``S_A(l2) > S_B(l1)`` or ``S_A(l1) < S_B(l2)`` the interval holds exactly one crossing.

Examples
--------
>>> from fractions import Fraction as F
>>> rational_around(0.25, 1e-12)[0] < F(1, 4) < rational_around(0.25, 1e-12)[1]
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from flint import arb

from solver.pipeline.numbers import working_precision
from solver.regpath.evaluate import Evaluator
from solver.regpath.results import Branch
from solver.regpath.status import Judge

WIDTH = 4e-13  # relative half-width of a certified crossing interval (total <= 1e-12)


@dataclass(frozen=True, slots=True)
class Crossing:
    """A certified crossing: below ``lo`` orbit of branch ``before`` is lowest, above
    ``hi`` that of ``after``; exactly one crossing lies in ``[lo, hi]``."""

    lo: Fraction
    hi: Fraction
    before: int
    after: int

    @property
    def value(self) -> float:
        """The crossing's λ to about 12 digits."""
        return float((self.lo + self.hi) / 2)


def rational_around(value: float, width: float) -> tuple[Fraction, Fraction]:
    """A short rational interval ``[value (1 - width), value (1 + width)]``."""
    lo = Fraction(value * (1 - width)).limit_denominator(10**18)
    hi = Fraction(value * (1 + width)).limit_denominator(10**18)
    return lo, hi


def lowest(branches: tuple[Branch, ...]) -> dict[float, tuple[float, int]]:
    """At every sample λ: the lowest loss and the (first) branch attaining it."""
    best: dict[float, tuple[float, int]] = {}
    for j, b in enumerate(branches):
        for s in b.samples:
            if s.lam not in best or s.loss < best[s.lam][0] - 1e-12 * abs(s.loss):
                best[s.lam] = (s.loss, j)
    return best


def crossings(branches: tuple[Branch, ...], ev: Evaluator, judge: Judge,
              grid: list[float]) -> list[Crossing]:
    """Every certified crossing of the global minimum between two grid points."""
    orbit_rep: dict[int, int] = {}
    for j, b in enumerate(branches):
        orbit_rep.setdefault(b.orbit, j)
    reps = sorted(orbit_rep.values())
    at: dict[float, dict[int, float]] = {g: {} for g in grid}
    for j in reps:
        for s in branches[j].samples:
            if s.lam in at:
                at[s.lam][j] = s.loss
    out = []
    for g0, g1 in zip(grid, grid[1:]):
        if not at[g0] or not at[g1]:
            continue
        a = min(at[g0], key=at[g0].get)
        b = min(at[g1], key=at[g1].get)
        if a == b or b not in at[g0] or a not in at[g1]:
            continue  # an event in between changes the lowest (not a crossing)
        found = _locate(ev, a, b, g0, g1)
        if found is not None:
            certified = _certify(ev, judge, a, b, found)
            if certified is not None:
                out.append(Crossing(*certified, a, b))
    return out


def _difference(ev: Evaluator, a: int, b: int, lam: float) -> float | None:
    va, vb = ev.value(a, lam), ev.value(b, lam)
    if va is None or vb is None:
        return None
    return va[0] - vb[0]


def _locate(ev: Evaluator, a: int, b: int, g0: float, g1: float) -> float | None:
    """The crossing by bisection in log λ (floats)."""
    f0 = _difference(ev, a, b, g0)
    if f0 is None:
        return None
    lo, hi = g0, g1
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        f = _difference(ev, a, b, mid)
        if f is None:
            return None
        if (f < 0) == (f0 < 0):
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return math.sqrt(lo * hi)


def exact_loss(judge: Judge, faces, lam: Fraction, prec: int) -> tuple[arb, arb] | None:
    """The loss and ``sum s`` of a face set's interior solution at ``lam`` (balls)."""
    points = judge.enumerator(lam).points(tuple(faces))
    if not points:
        return None
    with working_precision(prec):
        values = points[0].values(prec)
        return values.loss, sum(values.s, arb(0))


def _certify(ev: Evaluator, judge: Judge, a: int, b: int, value: float
             ) -> tuple[Fraction, Fraction] | None:
    """A rational interval around ``value`` holding exactly one crossing, or None."""
    sets = []
    for j in (a, b):
        seg = ev.path.branches[j].segment_at(value)
        if seg is None:
            return None
        key, _ = ev.labels(seg.pattern)
        sets.append(tuple(judge.alive[i] for i in key))
    lo, hi = rational_around(value, WIDTH)
    ends = []
    for lam in (lo, hi):
        pair = [exact_loss(judge, faces, lam, 256) for faces in sets]
        if None in pair:
            return None
        ends.append(pair)
    (loss_a_lo, sum_a_lo), (loss_b_lo, sum_b_lo) = ends[0]
    (loss_a_hi, sum_a_hi), (loss_b_hi, sum_b_hi) = ends[1]
    d1, d2 = loss_a_lo - loss_b_lo, loss_a_hi - loss_b_hi
    if not ((d1 < 0 and d2 > 0) or (d1 > 0 and d2 < 0)):
        return None
    # sum s is non-increasing: on [lo, hi], S_A in [S_A(hi), S_A(lo)], same for B
    if not (sum_a_hi > sum_b_lo or sum_a_lo < sum_b_hi):
        return None
    return lo, hi

"""Where the global minimum jumps: loss crossings of two branches, certified.

The global minimum is the lowest branch (one per orbit of unit permutations). Between
events it changes only where two branches' losses cross. Between two events it is
evaluated (every alive branch continued from its samples) at the common sample grid;
where it changes, bisection finds the first change and the two branches' crossing is
located by bisection in floats and then **certified**: on a
rational interval ``[l1, l2]`` of relative width at most ``1e-12`` the loss difference
(computed in ball arithmetic at the interior solutions the solver proves at ``l1`` and
``l2``) changes sign, and its derivative ``2 lam (sum s_A - sum s_B)`` has one sign on the
whole interval because each ``sum s`` is non-increasing in λ (docs/path.md, §3.5): if
``S_A(l2) > S_B(l1)`` or ``S_A(l1) < S_B(l2)`` the interval holds exactly one crossing.
A change of the lowest branch whose crossing cannot be certified is kept, never dropped:
a :class:`Crossing` with its ``reason`` and the interval known to hold the change (the
path reports it as an uncertified jump).

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

import numpy as np
from flint import arb
from scipy.optimize import brentq

from solver.pipeline.numbers import working_precision
from solver.regpath.evaluate import Evaluator
from solver.regpath.results import Path
from solver.regpath.status import Judge

WIDTH = 4e-13  # relative half-width of a certified crossing interval (total <= 1e-12)
EDGE = 1e-6  # relative distance from an event at which the lowest branch is evaluated
TIE = 1e-11  # relative loss difference below which two branches are tied (10x lowest_at's)
MAX_CHANGES = 8  # changes of the lowest branch followed between two evaluation points


@dataclass(frozen=True, slots=True)
class Crossing:
    """A crossing: below ``lo`` orbit of branch ``before`` is lowest, above ``hi`` that of
    ``after``. Certified (``reason`` None): exactly one crossing lies in ``[lo, hi]``;
    otherwise ``reason`` says why no proof was found, and ``[lo, hi]`` is where the float
    search saw the lowest branch change."""

    lo: Fraction
    hi: Fraction
    before: int
    after: int
    reason: str | None = None

    @property
    def certified(self) -> bool:
        """Whether exactly one crossing in ``[lo, hi]`` is proved."""
        return self.reason is None

    @property
    def value(self) -> float:
        """The crossing's λ to about 12 digits."""
        return float((self.lo + self.hi) / 2)


def rational_around(value: float, width: float) -> tuple[Fraction, Fraction]:
    """A short rational interval ``[value (1 - width), value (1 + width)]``."""
    lo = Fraction(value * (1 - width)).limit_denominator(10**18)
    hi = Fraction(value * (1 + width)).limit_denominator(10**18)
    return lo, hi


def lowest_at(p: Path, ev: Evaluator, lam: float,
              sampled: dict[tuple[int, float], float] | None = None) -> int | None:
    """The lowest branch at ``lam`` (the first of its orbit), None if no branch is alive.

    ``sampled`` maps ``(branch, λ)`` to the loss of a sample there (saves continuing the
    branch to a λ it was sampled at)."""
    best: tuple[float, int] | None = None
    seen: set[int] = set()
    for j in p.alive_at(lam):
        orbit = p.branches[j].orbit
        if orbit in seen:
            continue
        seen.add(orbit)
        loss = None if sampled is None else sampled.get((j, lam))
        if loss is None:
            value = ev.value(j, lam)
            if value is None:
                continue
            loss = value[0]
        if best is None or loss < best[0] - 1e-12 * abs(loss):
            best = (loss, j)
    return None if best is None else best[1]


def crossings(ev: Evaluator, judge: Judge, grid: list[float]) -> list[Crossing]:
    """Every crossing of the global minimum: certified, or with the reason it is not.

    Between two consecutive events of ``ev.path`` (births, deaths, face changes) the set
    of branches alive is fixed; the lowest is evaluated at both ends (relatively ``EDGE``
    inside) and at the grid points in between. Where it changes from ``A`` to something
    else, bisection on *which branch is lowest* finds the first change, to ``B``; the
    crossing of ``A`` and ``B`` is then located on their loss difference and certified.
    The search goes on from there (several crossings may lie between two grid points, and
    the lowest at a grid point need not be a branch that crossed ``A``)."""
    p = ev.path
    sampled = {(j, s.lam): s.loss for j, b in enumerate(p.branches) for s in b.samples}
    cuts = sorted({float(p.lam_min), float(p.lam_max)} | {e.lam.value for e in p.events})
    out = []
    for c0, c1 in zip(cuts, cuts[1:]):
        lo, hi = c0 * (1 + EDGE), c1 * (1 - EDGE)
        if not lo < hi:
            continue
        points = [lo] + [g for g in grid if lo < g < hi] + [hi]
        start, at = points[0], lowest_at(p, ev, points[0])
        for g in points[1:]:
            target = lowest_at(p, ev, g, sampled)
            for _ in range(MAX_CHANGES):
                if at is None or target is None or at == target:
                    break
                change = _first_change(p, ev, at, start, g)
                if change is None:
                    break
                before, where, b = change
                found = _locate(ev, at, b, start, where)
                if found is None and _tied(ev, at, b, where):
                    at, start = b, where  # equal losses (a branch merging into another)
                    continue
                proof = _certify(ev, judge, at, b, found, (before, where))
                if isinstance(proof, str):
                    near = _bracket(before, where) if found is None else rational_around(
                        found, WIDTH)
                    out.append(Crossing(*near, at, b, reason=proof))
                else:
                    out.append(Crossing(*proof, at, b))
                at, start = b, where
            start, at = g, target
    return out


def _bracket(lo: float, hi: float) -> tuple[Fraction, Fraction]:
    """A rational interval holding the float interval ``[lo, hi]``."""
    return rational_around(lo, WIDTH)[0], rational_around(hi, WIDTH)[1]


def _first_change(p: Path, ev: Evaluator, a: int, lo: float, hi: float
                  ) -> tuple[float, float, int] | None:
    """Where branch ``a`` (lowest at ``lo``) first stops being lowest in ``(lo, hi]``:
    ``(λ1, λ2, b)``, ``a`` lowest at ``λ1`` and ``b`` at ``λ2``, within a relative 1e-7."""
    if lowest_at(p, ev, hi) == a:
        return None
    for _ in range(80):
        if hi - lo <= 1e-7 * hi:
            break
        mid = math.sqrt(lo * hi)
        if lowest_at(p, ev, mid) == a:
            lo = mid
        else:
            hi = mid
    b = lowest_at(p, ev, hi)
    return None if b is None or b == a else (lo, hi, b)


def _tied(ev: Evaluator, a: int, b: int, lam: float) -> bool:
    """Whether the two losses at ``lam`` are equal within :data:`TIE` (``b`` lowest there
    only by :func:`lowest_at`'s tolerance): a branch merging into another, not a crossing."""
    va, vb = ev.value(a, lam), ev.value(b, lam)
    if va is None or vb is None:
        return False
    return abs(va[0] - vb[0]) <= TIE * abs(va[0])


def _difference(ev: Evaluator, a: int, b: int, lam: float) -> float | None:
    va, vb = ev.value(a, lam), ev.value(b, lam)
    if va is None or vb is None:
        return None
    return va[0] - vb[0]


def _locate(ev: Evaluator, a: int, b: int, g0: float, g1: float) -> float | None:
    """The crossing in ``[g0, g1]`` (a sign change of the loss difference), by Brent's
    method in floats; None when the difference cannot be evaluated or has no sign change."""
    f0, f1 = _difference(ev, a, b, g0), _difference(ev, a, b, g1)
    if f0 is None or f1 is None or (f0 < 0) == (f1 < 0):
        return None

    def f(lam: float) -> float:
        value = _difference(ev, a, b, lam)
        if value is None:
            raise _Unevaluable
        return value

    try:
        return brentq(f, g0, g1, xtol=1e-16 * g1, rtol=4 * np.finfo(float).eps)
    except _Unevaluable:
        return None


class _Unevaluable(ArithmeticError):
    """A branch could not be continued to a λ inside its range."""


def exact_loss(judge: Judge, faces, lam: Fraction, prec: int) -> tuple[arb, arb] | None:
    """The loss and ``sum s`` of a face set's interior solution at ``lam`` (balls)."""
    points = judge.enumerator(lam).points(tuple(faces))
    if not points:
        return None
    with working_precision(prec):
        values = points[0].values(prec)
        return values.loss, sum(values.s, arb(0))


def _certify(ev: Evaluator, judge: Judge, a: int, b: int, value: float | None,
             bracket: tuple[float, float]) -> tuple[Fraction, Fraction] | str:
    """A rational interval of relative width at most ``2 WIDTH`` holding exactly one
    crossing, or the reason none was proved.

    The float root ``value`` (None: Brent's method found none) can be off by more than
    the interval's width where the two losses nearly cancel in floats, so the exact
    difference's signs are found on widening intervals around it (then on the float
    search's ``bracket``) and the crossing is bisected there exactly."""
    where = value if value is not None else math.sqrt(bracket[0] * bracket[1])
    sets = []
    for j in (a, b):
        seg = ev.path.branches[j].segment_at(where)
        if seg is None:
            return f"branch {j + 1} is not alive at the crossing"
        key, _ = ev.labels(seg.pattern)
        sets.append(tuple(judge.alive[i] for i in key))
    cache: dict[Fraction, tuple] = {}

    def at(lam: Fraction) -> tuple | None:
        """``(loss difference, sum s of A, sum s of B)`` at ``lam`` (balls), or None."""
        if lam not in cache:
            pair = [exact_loss(judge, faces, lam, 256) for faces in sets]
            cache[lam] = None if None in pair else (
                pair[0][0] - pair[1][0], pair[0][1], pair[1][1])
        return cache[lam]

    tries = [] if value is None else [rational_around(value, w) for w in (WIDTH, 1e-10, 1e-8)]
    tries.append(_bracket(*bracket))
    lo = hi = None
    for u, v in tries:
        ends = at(u), at(v)
        if None in ends:
            return "no proved interior solution at an end of the interval"
        if (ends[0][0] < 0 and ends[1][0] > 0) or (ends[0][0] > 0 and ends[1][0] < 0):
            lo, hi = u, v
            break
    if lo is None:
        return "the exact loss difference does not change sign on the interval"
    sign_lo = at(lo)[0] > 0
    while (hi - lo) / lo > 2 * WIDTH:
        mid = Fraction(float((lo + hi) / 2))
        if not lo < mid < hi:
            mid = (lo + hi) / 2
        value_mid = at(mid)
        if value_mid is None:
            return "no proved interior solution inside the interval"
        if value_mid[0] > 0 if sign_lo else value_mid[0] < 0:
            lo = mid
        elif value_mid[0] < 0 if sign_lo else value_mid[0] > 0:
            hi = mid
        else:
            return "the exact loss difference is not decided inside the interval"
    (_, sum_a_lo, sum_b_lo), (_, sum_a_hi, sum_b_hi) = at(lo), at(hi)
    # sum s is non-increasing: on [lo, hi], S_A in [S_A(hi), S_A(lo)], same for B
    if not (sum_a_hi > sum_b_lo or sum_a_lo < sum_b_hi):
        return "a single crossing is not proved (the two sets' sum s overlap)"
    return lo, hi

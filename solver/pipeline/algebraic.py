"""Real algebraic numbers: an irreducible integer polynomial and an isolating interval.

:func:`isolate_roots` isolates the real roots of a product of irreducible polynomials;
a :class:`RealRoot` is refined to any precision on demand (exact bisection, then interval
Newton), its balls cached per precision.

Examples
--------
>>> from flint import fmpz_poly
>>> [round(float(r.ball(64).mid()), 6) for r in isolate_roots([fmpz_poly([-2, 0, 1])])]
[-1.414214, 1.414214]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flint import arb, fmpq, fmpz_poly

from solver.pipeline.numbers import exact_mid, sign, working_precision


@dataclass(frozen=True, eq=False)
class RealRoot:
    """The unique real root of irreducible ``poly`` in ``[lo, hi]``."""

    poly: fmpz_poly
    lo: fmpq
    hi: fmpq
    _balls: dict = field(default_factory=dict, repr=False)

    def ball(self, prec: int) -> arb:
        """An arb enclosure of the root with about ``prec`` bits."""
        hit = self._balls.get(prec)
        if hit is None:
            hit = self._balls[prec] = _refine(self, prec)
        return hit

    def key(self) -> tuple:
        """A hashable identity: the polynomial's coefficients and the interval."""
        return (tuple(int(c) for c in self.poly.coeffs()), self.lo, self.hi)


def _refine(root: RealRoot, prec: int) -> arb:
    """Enclose the root to about ``prec`` bits: exact bisection, then interval Newton."""
    p = root.poly
    if p.degree() == 1:
        with working_precision(prec):
            return arb(fmpq(-p[0], p[1]))
    lo, hi = root.lo, root.hi
    s_lo = sign(p(lo))
    target = fmpq(1, 2**30)
    while hi - lo > target:
        mid = (lo + hi) / 2
        s_mid = sign(p(mid))
        if s_mid == 0:
            with working_precision(prec):
                return arb(mid)
        if s_mid == s_lo:
            lo = mid
        else:
            hi = mid
    dp = p.derivative()
    with working_precision(prec + 16):
        x = arb((lo + hi) / 2, (hi - lo) / 2)
        for _ in range(64):
            m = arb(x.mid())
            step = m - p(m) / dp(x)
            new = step.intersection(x)
            if new.rad() >= x.rad() * 0.9 or new.rel_accuracy_bits() >= prec:
                x = new
                break
            x = new
    if x.rel_accuracy_bits() < prec // 2:
        return _refine_slow(root, prec)
    return x


def _refine_slow(root: RealRoot, prec: int) -> arb:
    with working_precision(prec + 16):
        for c, _ in root.poly.complex_roots():
            if c.imag.is_zero() and c.real >= arb(root.lo) and c.real <= arb(root.hi):
                return c.real
    raise AssertionError("isolating interval lost its root")


def isolate_roots(factors: Sequence[fmpz_poly]) -> list[RealRoot]:
    """Real roots of a product of distinct irreducible polynomials, increasing.

    The isolating intervals are pairwise disjoint across all factors, so each
    contains exactly one root of the product (rational roots get a small interval
    around them as well; their ball is exact).
    """
    prec = 64
    while True:
        found: list[tuple[fmpq, fmpq, fmpz_poly]] = []
        for poly in factors:
            if poly.degree() == 1:
                r = fmpq(-poly[0], poly[1])
                found.append((r, r, poly))
                continue
            with working_precision(prec):
                balls = [c.real for c, _ in poly.complex_roots() if c.imag.is_zero()]
            found.extend((exact_mid(b.lower()), exact_mid(b.upper()), poly) for b in balls)
        found.sort(key=lambda t: (t[0], t[1]))
        if all(found[i][1] < found[i + 1][0] for i in range(len(found) - 1)):
            break
        prec *= 2
    out = []
    for i, (lo, hi, poly) in enumerate(found):
        if lo == hi:  # rational root: widen to a third of the gaps to its neighbours
            left = (lo - found[i - 1][1]) / 3 if i > 0 else fmpq(1)
            right = (found[i + 1][0] - hi) / 3 if i + 1 < len(found) else fmpq(1)
            lo, hi = lo - left, hi + right
        out.append(RealRoot(poly, lo, hi))
    return out

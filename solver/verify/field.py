"""``Q(z)`` for the certificate checker: a real algebraic number and exact arithmetic on it.

:class:`RootField` is the number field of a real algebraic number ``z`` given by a
polynomial and an isolating interval, with exact zero tests (gcd with the minimal
polynomial, Sturm root counting) and rigorous signs (``arb`` balls, refined until they
exclude 0); :class:`Elem` is its field arithmetic for formulas (:func:`parse_in_field`).

Examples
--------
>>> from fractions import Fraction
>>> from solver.verify.formula import parse_poly
>>> m = parse_poly("z**2 - 2")
>>> K = RootField(m, Fraction(1), Fraction(2))     # z = sqrt(2)
>>> K.sign(parse_poly("3*z - 4")), K.is_zero(parse_poly("z**4 - 4"))
(1, True)
>>> K.sign(parse_in_field("1/(z - 1) - z - 1", K, {"z": parse_poly("z")}))
0
"""

from __future__ import annotations

from fractions import Fraction

from flint import arb, ctx, fmpq, fmpq_mat, fmpq_poly

from solver.problem import to_fmpq
from solver.verify.formula import evaluate_formula


def _sturm_chain(p: fmpq_poly) -> list[fmpq_poly]:
    """Sturm sequence of ``p`` (each term scaled by a positive constant)."""
    chain = [p, p.derivative()]
    while not chain[-1].is_zero() and chain[-1].degree() > 0:
        rem = -(chain[-2] % chain[-1])
        if rem.is_zero():
            break
        chain.append(rem * fmpq(1) / abs(rem.leading_coefficient()))
    return chain


def _variations(chain: list[fmpq_poly], x: fmpq) -> int:
    """Sign changes of the chain evaluated at ``x`` (zeros skipped)."""
    signs = [s for s in ((q(x) > 0) - (q(x) < 0) for q in chain) if s]
    return sum(1 for u, v in zip(signs, signs[1:], strict=False) if u != v)


def count_roots(p: fmpq_poly, lo: fmpq, hi: fmpq) -> int:
    """Number of distinct real roots of ``p`` in ``(lo, hi]`` (Sturm's theorem).

    >>> count_roots(fmpq_poly([0, -1, 0, 1]), fmpq(-2), fmpq(1, 2))   # z**3 - z
    2
    """
    if p.degree() < 1:
        return 0
    chain = _sturm_chain(p)
    return _variations(chain, lo) - _variations(chain, hi)


class RootField:
    """``Q(z)`` for the unique real root ``z`` of ``minpoly`` in ``[lo, hi]``.

    Elements are ``fmpq_poly`` in ``z``. Raises :class:`ValueError` (one line) when the
    interval does not isolate exactly one real root with the endpoints not roots.
    """

    def __init__(self, minpoly: fmpq_poly, lo: Fraction, hi: Fraction) -> None:
        if minpoly.degree() < 1:
            raise ValueError("minpoly must have degree >= 1")
        if not lo < hi:
            raise ValueError(f"interval [{lo}, {hi}] is empty")
        self.m = minpoly
        self.lo, self.hi = to_fmpq(lo), to_fmpq(hi)
        if minpoly(self.lo) == 0 or minpoly(self.hi) == 0:
            raise ValueError("an interval endpoint is a root of minpoly")
        roots = count_roots(minpoly, self.lo, self.hi)
        if roots != 1:
            raise ValueError(f"minpoly has {roots} real roots in the interval, not exactly 1")
        # The squarefree part changes sign exactly at z inside the interval.
        self._sf = minpoly // minpoly.gcd(minpoly.derivative())
        self._a, self._b = self.lo, self.hi

    def red(self, p: fmpq_poly) -> fmpq_poly:
        """Reduce modulo the minimal polynomial (same value at ``z``)."""
        return p % self.m

    def is_zero(self, p: fmpq_poly) -> bool:
        """Exactly decide ``p(z) == 0`` (gcd with minpoly, then count its roots)."""
        r = p % self.m
        if r.is_zero():
            return True
        g = r.gcd(self.m)
        return g.degree() >= 1 and count_roots(g, self.lo, self.hi) == 1

    def interval(self, bits: int) -> tuple[fmpq, fmpq]:
        """A rational interval around ``z`` of width below ``2**-bits``."""
        self._refine(bits)
        return self._a, self._b

    def _refine(self, bits: int) -> None:
        """Bisect the isolating interval until its width is below ``2**-bits``."""
        target = fmpq(1, 2**bits)
        while self._b - self._a > target:
            mid = (self._a + self._b) / 2
            value = self._sf(mid)
            if value == 0:
                self._a = self._b = mid
                return
            if (value > 0) == (self._sf(self._a) > 0):
                self._a = mid
            else:
                self._b = mid

    def ball_of_root(self, prec: int) -> arb:
        """An ``arb`` ball containing ``z`` (use inside ``ctx.workprec(prec)``)."""
        self._refine(prec + 8)
        return arb(self._a).union(arb(self._b))

    def ball(self, p: fmpq_poly, prec: int = 256) -> arb:
        """An ``arb`` ball containing ``p(z)``, computed at ``prec`` bits."""
        self._refine(prec + 8)
        with ctx.workprec(prec):
            z = arb(self._a).union(arb(self._b))
            acc = arb(0)
            for coeff in reversed(p.coeffs()):
                acc = acc * z + arb(coeff)
            return acc

    def sign(self, p: fmpq_poly) -> int:
        """The exact sign of ``p(z)``: 0 by the exact test, else from a ball excluding 0."""
        if self.is_zero(p):
            return 0
        p = p % self.m
        prec = 128
        while True:  # terminates: p(z) != 0, and the ball shrinks to p(z)
            value = self.ball(p, prec)
            if value > 0:
                return 1
            if value < 0:
                return -1
            prec *= 2

    def approx(self, p: fmpq_poly) -> float:
        """``p(z)`` as a float, for messages."""
        return float(self.ball(p % self.m, 128).mid())


class Elem:
    """An element of ``Q(w) = Q[w]/(M)``, ``M`` irreducible: field arithmetic for parsing."""

    __slots__ = ("p", "m")

    def __init__(self, p: fmpq_poly, m: fmpq_poly) -> None:
        self.p, self.m = p % m, m

    def _lift(self, other: object) -> Elem:
        if isinstance(other, Elem):
            return other
        return Elem(fmpq_poly([to_fmpq(Fraction(other))]), self.m)  # type: ignore[arg-type]

    def __add__(self, other: object) -> Elem:
        return Elem(self.p + self._lift(other).p, self.m)

    def __sub__(self, other: object) -> Elem:
        return Elem(self.p - self._lift(other).p, self.m)

    def __mul__(self, other: object) -> Elem:
        return Elem(self.p * self._lift(other).p, self.m)

    def __neg__(self) -> Elem:
        return Elem(-self.p, self.m)

    def __pow__(self, k: int) -> Elem:
        out = Elem(fmpq_poly([1]), self.m)
        for _ in range(k):
            out = out * self
        return out

    def __truediv__(self, other: object) -> Elem:
        return self * self._lift(other).inverse()

    def inverse(self) -> Elem:
        """Multiplicative inverse (``ZeroDivisionError`` for 0); cached, as the units of a
        point share their denominators."""
        return Elem(_inverse(self.p, self.m), self.m)


_INVERSES: dict[tuple[str, str], fmpq_poly] = {}


def _inverse(p: fmpq_poly, m: fmpq_poly) -> fmpq_poly:
    """``1/p`` modulo ``m`` (extended Euclid), remembered for the latest few."""
    key = (p.str(), m.str())
    if key not in _INVERSES:
        if len(_INVERSES) > 64:
            _INVERSES.clear()
        if m.degree() < 8:
            g, s, _ = p.xgcd(m)
            if p.is_zero() or g.degree() != 0:
                raise ZeroDivisionError("division by an expression that is 0 at the point")
            _INVERSES[key] = s / g[0]
        else:
            _INVERSES[key] = _inverse_by_solve(p % m, m)
    return _INVERSES[key]


def _inverse_by_solve(p: fmpq_poly, m: fmpq_poly) -> fmpq_poly:
    """``1/p`` modulo irreducible ``m`` from the linear system of multiplication by ``p``
    (flint's rational solver is much faster than Euclid when coefficients are large)."""
    if p.is_zero():
        raise ZeroDivisionError("division by an expression that is 0 at the point")
    deg, cols, q = m.degree(), [], p
    for _ in range(deg):
        cols.append([q[i] for i in range(deg)])
        q = (q * fmpq_poly([0, 1])) % m
    mat = fmpq_mat(deg, deg, [cols[j][i] for i in range(deg) for j in range(deg)])
    x = mat.solve(fmpq_mat(deg, 1, [1] + [0] * (deg - 1)))
    inv = fmpq_poly([x[i, 0] for i in range(deg)])
    if ((inv * p) % m) != 1:
        raise ValueError("internal: inverse in the number field failed")
    return inv


def parse_in_field(text: str, K: RootField, images: dict[str, fmpq_poly]) -> fmpq_poly:
    """Evaluate a rational expression in the roots' names as an element of ``K``."""
    names = {name: Elem(p, K.m) for name, p in images.items()}
    value = evaluate_formula(text, names, lift=lambda q: Elem(fmpq_poly([to_fmpq(q)]), K.m))
    return value.p if isinstance(value, Elem) else fmpq_poly([to_fmpq(value)])

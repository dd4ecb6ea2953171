"""One number field for several algebraic numbers (primitive element), for the checker.

A result describes an isolated point with roots ``s0, s1, ...`` (each the unique real
root of its polynomial in its interval) and rational expressions in them. To decide
signs and zeros exactly, :func:`build_field` finds a primitive element ``w = s0 + k s1
(+ ...)``: its minimal polynomial is the irreducible factor, vanishing at ``w``, of the
polynomial ``prod (T - z_a - k s_b)`` over all conjugates (built from power sums), and
``s_j = G(w) / C'(w)`` by a rational univariate representation whose ``G`` comes from traces. Every ``s_j`` then
becomes a polynomial in ``w``, and the checker works in ``Q(w)`` with
:class:`~solver.verify_field.RootField`.

Examples
--------
>>> from fractions import Fraction as F
>>> K, images = build_field([("s0", "s0**2 - 2", F(1), F(2)), ("s1", "s1**2 - 8", F(2), F(3))])
>>> K.sign(images["s1"] - 2 * images["s0"]), K.m.degree()     # s1 = 2 s0: one field
(0, 2)
>>> K.sign(parse_in_field("1/(s0 - 1) - s0 - 1", K, images))  # 1/(sqrt2 - 1) = sqrt2 + 1
0
"""

from __future__ import annotations

from fractions import Fraction
from math import comb

from flint import fmpq, fmpq_poly

from solver.verify_field import RootField, count_roots, evaluate, parse_poly, to_fmpq


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
        """Multiplicative inverse (``ZeroDivisionError`` for 0)."""
        g, s, _ = self.p.xgcd(self.m)
        if self.p.is_zero() or g.degree() != 0:
            raise ZeroDivisionError("division by an expression that is 0 at the point")
        return Elem(s / g[0], self.m)


def parse_in_field(text: str, K: RootField, images: dict[str, fmpq_poly]) -> fmpq_poly:
    """Evaluate a rational expression in the roots' names as an element of ``K``."""
    names = {name: Elem(p, K.m) for name, p in images.items()}
    value = evaluate(text, names, lift=lambda q: Elem(fmpq_poly([to_fmpq(q)]), K.m))
    return value.p if isinstance(value, Elem) else fmpq_poly([to_fmpq(value)])


def _power_sums(p: fmpq_poly, count: int) -> list[fmpq]:
    """Power sums ``P_0 .. P_{count-1}`` of the roots of ``p`` (Newton's identities)."""
    n = p.degree()
    c = [p[i] / p[n] for i in range(n + 1)]  # monic coefficients, c[n] = 1
    sums = [fmpq(n)]
    for k in range(1, count):
        acc = fmpq(k) * c[n - k] if k <= n else fmpq(0)
        acc += sum((c[n - i] * sums[k - i] for i in range(1, min(k - 1, n) + 1)), fmpq(0))
        sums.append(-acc)
    return sums


def _from_power_sums(sums: list[fmpq], n: int) -> fmpq_poly:
    """The monic polynomial of degree ``n`` whose roots have power sums ``sums``."""
    e = [fmpq(1)]
    for k in range(1, n + 1):
        e.append(sum(((-1) ** (i - 1) * e[k - i] * sums[i] for i in range(1, k + 1)),
                     fmpq(0)) / k)
    return fmpq_poly([(-1) ** (n - j) * e[n - j] for j in range(n + 1)])


def _factor_at(p: fmpq_poly, lo: fmpq, hi: fmpq) -> fmpq_poly | None:
    """The irreducible factor of ``p`` with a root in ``(lo, hi]`` if exactly one has one."""
    _, factors = p.factor()
    hits = [f for f, _ in factors if count_roots(f, lo, hi) > 0]
    return hits[0] if len(hits) == 1 and count_roots(hits[0], lo, hi) == 1 else None


def _root(minpoly: fmpq_poly, lo: Fraction, hi: Fraction) -> RootField:
    """Field of one root, with ``minpoly`` replaced by its irreducible factor there."""
    first = RootField(minpoly, lo, hi)
    factor = _factor_at(minpoly, first.lo, first.hi)
    if factor is None:  # cannot happen: exactly one root in (lo, hi], one factor holds it
        raise ValueError("cannot find the factor of minpoly holding the root")
    return RootField(factor, lo, hi)


def _combine(K: RootField, images: dict[str, fmpq_poly], name: str,
             S: RootField) -> tuple[RootField, dict[str, fmpq_poly]]:
    """Adjoin the root ``s`` of ``S`` to ``K = Q(z)``: primitive element ``w = z + k s``.

    Over all root pairs, ``C(T) = prod (T - z_a - k s_b)`` and
    ``G(T) = sum_{a,b} s_b C(T) / (T - z_a - k s_b)`` come from power sums; when ``C`` is
    squarefree, ``s = G(w) / C'(w)`` (a rational univariate representation).
    """
    dm, dp = K.m.degree(), S.m.degree()
    n = dm * dp
    pm, pp = _power_sums(K.m, n + 1), _power_sums(S.m, n + 2)
    for k in range(1, 40):
        binom = [[fmpq(comb(j, i)) * fmpq(k) ** i for i in range(j + 1)] for j in range(n + 1)]
        pc = [sum((binom[j][i] * pm[j - i] * pp[i] for i in range(j + 1)), fmpq(0))
              for j in range(n + 1)]
        cp = _from_power_sums(pc, n)
        if cp.gcd(cp.derivative()).degree() > 0:
            continue  # w does not separate the root pairs
        tr = [sum((binom[j][i] * pm[j - i] * pp[i + 1] for i in range(j + 1)), fmpq(0))
              for j in range(n)]  # Tr(s w^j)
        g = fmpq_poly([sum((cp[j] * tr[j - i - 1] for j in range(i + 1, n + 1)), fmpq(0))
                       for i in range(n)])
        for bits in (16, 32, 64, 128, 256, 512, 1024):
            (ka, kb), (sa, sb) = K.interval(bits), S.interval(bits)
            lo = ka + k * sa - fmpq(1, 2 ** (bits + 2))
            hi = kb + k * sb + fmpq(1, 2 ** (bits + 2))
            factor = _factor_at(cp, lo, hi) if cp(lo) != 0 and cp(hi) != 0 else None
            if factor is not None:
                break
        else:
            continue
        F = RootField(factor, Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q)))
        phi = (Elem(g, factor) / Elem(cp.derivative(), factor)).p
        z_of_w = (fmpq_poly([0, 1]) - k * phi) % factor
        if not (S.m(phi) % factor).is_zero() or not (K.m(z_of_w) % factor).is_zero():
            raise ValueError(f"primitive element check failed for {name}")
        new = {key: p(z_of_w) % factor for key, p in images.items()}
        new[name] = phi
        return F, new
    raise ValueError(f"no primitive element found for {name}")


def build_field(roots: list[tuple[str, str, Fraction, Fraction]]
                ) -> tuple[RootField, dict[str, fmpq_poly]]:
    """``Q(s0, s1, ...)`` as one :class:`RootField` and each ``s_j`` as a polynomial in it.

    ``roots`` holds ``(name, minpoly text in name, lo, hi)``. Raises ``ValueError`` or
    :class:`~solver.verify_field.ParseError` with a one-line reason.
    """
    if not roots:
        return RootField(fmpq_poly([0, 1]), Fraction(-1), Fraction(1)), {}
    name, text, lo, hi = roots[0]
    K = _root(parse_poly(text, name), lo, hi)
    images = {name: fmpq_poly([0, 1])}
    for name, text, lo, hi in roots[1:]:
        K, images = _combine(K, images, name, _root(parse_poly(text, name), lo, hi))
    return K, images

"""Exact arithmetic in a simple number field ``Q(t) = Q[t] / (p)``, ``p`` irreducible.

Elements are ``fmpq_poly`` in ``t`` reduced modulo ``p``. Used where a quantity of a point
with one or two neurons must be decided exactly (``s0`` a root of ``p``, ``s1`` a rational
function of it read off a gcd over ``Q(s0)``): the exact zero tests
(:mod:`solver.pipeline.locate.exact_zero`) and the regularisation path's exact event λs
(:mod:`solver.regpath.field`).

Examples
--------
>>> from flint import fmpq_poly, fmpz_poly
>>> p = fmpz_poly([-2, 0, 1])                      # t = sqrt(2)
>>> element_minpoly(fmpq_poly([3, 2]), p)          # 3 + 2 t = (1 + sqrt 2)^2
x^2 + (-6)*x + 1
>>> gcd([fmpq_poly([-2]), fmpq_poly([0]), fmpq_poly([1])],
...     [fmpq_poly([0, -1]), fmpq_poly([1])], as_fmpq_poly(p))   # (u^2 - 2, u - t)
[(-1)*x, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import fmpq, fmpq_mat, fmpq_mpoly, fmpq_poly, fmpz_poly

Element = fmpq_poly  # an element of Q[t] / (p), reduced


def as_fmpq_poly(p: fmpz_poly) -> fmpq_poly:
    """An integer polynomial as a rational one."""
    return fmpq_poly([int(c) for c in p.coeffs()])


def integer_poly(p: fmpq_poly) -> fmpz_poly:
    """A rational polynomial times its denominators, primitive, positive leading term."""
    coeffs = p.coeffs()
    den = 1
    for c in coeffs:
        den = den * int(c.q) // _gcd(den, int(c.q))
    ints = [int(c * den) for c in coeffs]
    g = 0
    for c in ints:
        g = _gcd(g, abs(c))
    ints = [c // g for c in ints] if g else ints
    if ints and ints[-1] < 0:
        ints = [-c for c in ints]
    return fmpz_poly(ints)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return abs(a)


def reduce(a: fmpq_poly, p: fmpq_poly) -> Element:
    """``a`` modulo ``p``."""
    return a % p


def inverse(a: Element, p: fmpq_poly) -> Element:
    """The inverse of a non-zero element (``p`` irreducible)."""
    g, u, _ = a.xgcd(p)
    if g.degree() != 0:
        raise ZeroDivisionError("not invertible modulo the minimal polynomial")
    return reduce(u * (1 / g[0]), p)


def univariate(f: fmpq_mpoly, var: int = 0) -> fmpq_poly:
    """A polynomial in one variable of ``f``'s context as an ``fmpq_poly``."""
    coeffs: dict[int, fmpq] = {}
    for exps, c in f.to_dict().items():
        coeffs[exps[var]] = coeffs.get(exps[var], fmpq(0)) + c
    top = max(coeffs, default=0)
    return fmpq_poly([coeffs.get(i, fmpq(0)) for i in range(top + 1)])


def evaluate(f: fmpq_mpoly, point: Sequence[Element], p: fmpq_poly) -> Element:
    """``f`` at a point whose coordinates are field elements."""
    powers: list[list[Element]] = [[fmpq_poly([1])] for _ in point]
    acc = fmpq_poly([0])
    for exps, c in f.to_dict().items():
        term = fmpq_poly([c])
        for v, e in enumerate(exps):
            while len(powers[v]) <= e:
                powers[v].append(reduce(powers[v][-1] * point[v], p))
            term = term * powers[v][e]
        acc = reduce(acc + term, p)
    return acc


def in_other(f: fmpq_mpoly, p: fmpq_poly, var: int = 0) -> list[Element]:
    """``f`` of two variables, variable ``var`` read as ``t``, as coefficients in the other
    variable (lowest first), each in ``Q(t)``."""
    other = 1 - var
    by_power: dict[int, fmpq_poly] = {}
    for exps, c in f.to_dict().items():
        mono = fmpq_poly([0] * exps[var] + [c])
        by_power[exps[other]] = by_power.get(exps[other], fmpq_poly([0])) + mono
    top = max(by_power, default=0)
    return _trim([reduce(by_power.get(i, fmpq_poly([0])), p) for i in range(top + 1)])


def _trim(coeffs: list[Element]) -> list[Element]:
    while coeffs and coeffs[-1].is_zero():
        coeffs = coeffs[:-1]
    return coeffs


def gcd(a: list[Element], b: list[Element], p: fmpq_poly) -> list[Element]:
    """Monic gcd of two polynomials over ``Q(t)`` (Euclid), coefficients lowest first."""
    a, b = _trim(a), _trim(b)
    while b:
        inv = inverse(b[-1], p)
        while len(a) >= len(b):
            q = reduce(a[-1] * inv, p)
            shift = len(a) - len(b)
            a = _trim([reduce(ai - (q * b[i - shift] if i >= shift else 0), p)
                       for i, ai in enumerate(a)])
            if not a:
                break
        a, b = b, a
    if not a:
        return a
    inv = inverse(a[-1], p)
    return [reduce(c * inv, p) for c in a]


def element_minpoly(mu: Element, p: fmpz_poly) -> fmpz_poly:
    """The minimal polynomial (integer, primitive) of ``mu`` in ``Q[t] / (p)``."""
    pq = as_fmpq_poly(p)
    n = p.degree()
    rows = []
    power = reduce(mu, pq)
    basis = fmpq_poly([1])
    for _ in range(n):  # column j: mu * t^j in the basis 1, t, ..., t^(n-1)
        image = reduce(power * basis, pq)
        rows.append([image[i] for i in range(n)])
        basis = basis * fmpq_poly([0, 1])
    matrix = fmpq_mat(n, n, [rows[j][i] for i in range(n) for j in range(n)])
    return integer_poly(matrix.minpoly())

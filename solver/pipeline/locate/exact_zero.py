"""Exact zero tests for quantities that ball arithmetic cannot decide.

A sign decided in ball arithmetic fails exactly when the quantity is zero. For a point
with one neuron, or two coupled ones, every quantity is a rational function of the
roots ``s`` of its face system, and the point is exact: ``s0`` a root of its irreducible
minimal polynomial ``m0`` and, with two neurons, ``s1 = R(s0)`` for the rational function
``R`` read off the gcd of the two equations over ``Q(s0)`` (the point is the system's only
solution over ``s0``). A polynomial ``N(s0, s1)`` then vanishes at the point iff
``N(s0, R(s0))`` is zero in ``Q[s0] / (m0)``: an exact test.

Examples
--------
>>> from flint import fmpq_mpoly_ctx, fmpz_poly
>>> ctx = fmpq_mpoly_ctx.get(("s", 2), "lex")
>>> s0, s1 = ctx.gens()
>>> eqs = [s0 * s0 - 2, s1 - s0]            # s0 = sqrt(2), s1 = s0
>>> m0 = fmpz_poly([-2, 0, 1])
>>> is_zero_at(s1 * s1 - 2, eqs, ctx, m0), is_zero_at(s1 - 1, eqs, ctx, m0)
(True, False)
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly, fmpz_poly

Field = fmpq_poly  # an element of Q[s0] / (m0), reduced


def is_zero_at(value: fmpq_mpoly, equations: Sequence[fmpq_mpoly], ctx: fmpq_mpoly_ctx,
               m0: fmpz_poly) -> bool | None:
    """Whether ``value`` vanishes at the point (``s0`` the root of ``m0`` in question and,
    with two variables, ``s1`` the common root over ``s0`` of ``equations``).

    Returns None when ``s1`` is not a rational function of ``s0`` (the two equations
    share more than one root over ``Q(s0)``): the test does not apply.
    """
    m = fmpq_poly(m0.coeffs())
    if ctx.nvars() == 1:
        return _reduce(_in_s0(value, 0), m).is_zero()
    polys = [_over_field(f, m) for f in equations]
    g = polys[0]
    for f in polys[1:]:
        g = _gcd(g, f, m)
    if len(g) != 2:
        return None
    inv = _inverse(g[1], m)
    s1 = _reduce(-g[0] * inv, m)
    acc = fmpq_poly([0])
    for exps, c in value.to_dict().items():
        term = fmpq_poly([0] * exps[0] + [c])
        for _ in range(exps[1]):
            term = _reduce(term * s1, m)
        acc = _reduce(acc + term, m)
    return acc.is_zero()


def _in_s0(f: fmpq_mpoly, var: int) -> fmpq_poly:
    coeffs: dict[int, object] = {}
    for exps, c in f.to_dict().items():
        coeffs[exps[var]] = c
    top = max(coeffs, default=0)
    return fmpq_poly([coeffs.get(i, 0) for i in range(top + 1)])


def _over_field(f: fmpq_mpoly, m: fmpq_poly) -> list[Field]:
    """``f(s0, t)`` as a list of coefficients in ``t`` (lowest first), each in the field."""
    by_t: dict[int, fmpq_poly] = {}
    for exps, c in f.to_dict().items():
        by_t[exps[1]] = by_t.get(exps[1], fmpq_poly([0])) + fmpq_poly([0] * exps[0] + [c])
    top = max(by_t, default=0)
    return _trim([_reduce(by_t.get(i, fmpq_poly([0])), m) for i in range(top + 1)])


def _reduce(a: fmpq_poly, m: fmpq_poly) -> fmpq_poly:
    return a % m


def _inverse(a: Field, m: fmpq_poly) -> Field:
    g, u, _ = a.xgcd(m)
    if g.degree() != 0:
        raise ZeroDivisionError("not invertible modulo the minimal polynomial")
    return _reduce(u * (1 / g[0]), m)


def _trim(p: list[Field]) -> list[Field]:
    while p and p[-1].is_zero():
        p = p[:-1]
    return p


def _gcd(a: list[Field], b: list[Field], m: fmpq_poly) -> list[Field]:
    """Monic gcd of two polynomials in ``t`` over ``Q[s0] / (m)`` (Euclid)."""
    a, b = _trim(a), _trim(b)
    while b:
        inv = _inverse(b[-1], m)
        while len(a) >= len(b):
            q = _reduce(a[-1] * inv, m)
            shift = len(a) - len(b)
            a = _trim([_reduce(ai - (q * b[i - shift] if i >= shift else 0), m)
                       for i, ai in enumerate(a)])
            if not a:
                break
        a, b = b, a
    if not a:
        return a
    inv = _inverse(a[-1], m)
    return [_reduce(c * inv, m) for c in a]

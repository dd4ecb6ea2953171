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

from solver.pipeline.number_field import evaluate, gcd, in_other, inverse, reduce, univariate


def is_zero_at(value: fmpq_mpoly, equations: Sequence[fmpq_mpoly], ctx: fmpq_mpoly_ctx,
               m0: fmpz_poly) -> bool | None:
    """Whether ``value`` vanishes at the point (``s0`` the root of ``m0`` in question and,
    with two variables, ``s1`` the common root over ``s0`` of ``equations``).

    Returns None when ``s1`` is not a rational function of ``s0`` (the two equations
    share more than one root over ``Q(s0)``): the test does not apply.
    """
    m = fmpq_poly(m0.coeffs())
    if ctx.nvars() == 1:
        return reduce(univariate(value, 0), m).is_zero()
    s1 = second_coordinate(equations, m)
    if s1 is None:
        return None
    return evaluate(value, [fmpq_poly([0, 1]), s1], m).is_zero()


def second_coordinate(equations: Sequence[fmpq_mpoly], m: fmpq_poly) -> fmpq_poly | None:
    """``s1`` as an element of ``Q[s0] / (m)``: the common root over ``s0`` of the two
    variables' ``equations`` (their gcd over ``Q(s0)`` is linear), or None when they share
    more than one root there."""
    polys = [in_other(f, m, 0) for f in equations]
    g = polys[0]
    for f in polys[1:]:
        g = gcd(g, f, m)
    if len(g) != 2:
        return None
    return reduce(-g[0] * inverse(g[1], m), m)

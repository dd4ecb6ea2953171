"""Resultants of polynomials in two variables, by evaluation and exact interpolation.

Eliminating the last variable but one of a face system takes the resultant of two
polynomials in two variables whose degree in the variable kept runs to hundreds and whose
coefficients to thousands of bits; FLINT's multivariate resultant (a subresultant sequence
over ``Z[kept]``) spends seconds there. The resultant is a polynomial of known degree
bound in the variable kept, so it is fixed by that many values plus one: each value is the
resultant of two integer polynomials in one variable (FLINT's modular algorithm), and the
polynomial is recovered exactly by Newton interpolation over the integers. Nothing is
approximated: the result is the resultant of the polynomials with denominators cleared
(a nonzero rational multiple of the multivariate resultant).

Examples
--------
>>> from flint import fmpq_mpoly_ctx
>>> ctx = fmpq_mpoly_ctx.get(("s", 2), "lex")
>>> s0, s1 = ctx.gens()
>>> resultant(s1 * s1 - s0, s1 - s0 - 1, 1)   # s1 = s0 + 1 on the parabola s0 = s1^2
s0^2 + s0 + 1
"""

from __future__ import annotations

from math import lcm

from flint import fmpq, fmpq_mpoly, fmpz_poly

# Above this degree bound FLINT computes the resultant: Newton interpolation is quadratic in
# the number of points, in Python (bounds of 256 take 0.1 s; four coupled neurons, L >= 5,
# reach tens of thousands, where neither way finishes in minutes).
MAX_INTERPOLATED = 1024


def resultant(f: fmpq_mpoly, g: fmpq_mpoly, var: int) -> fmpq_mpoly:
    """The resultant of ``f`` and ``g`` with respect to variable ``var``, up to a nonzero
    rational factor (made monic by :meth:`~flint.fmpq_mpoly.factor` later anyway).

    When ``f`` and ``g`` involve one variable besides ``var`` and the resultant's degree
    bound is at most :data:`MAX_INTERPOLATED`, the resultant is computed by evaluation and
    interpolation (:func:`bivariate_resultant`); otherwise by FLINT.
    """
    ctx = f.context()
    others = {v for h in (f, g) for v, e in enumerate(h.degrees()) if e > 0 and v != var}
    if len(others) != 1 or _bound(f, g, var, min(others)) > MAX_INTERPOLATED:
        return f.resultant(g, ctx.names()[var])
    (keep,) = others
    poly = bivariate_resultant(f, g, var, keep)
    exps = [0] * ctx.nvars()
    terms = {}
    for i, c in enumerate(poly.coeffs()):
        if c != 0:
            exps[keep] = i
            terms[tuple(exps)] = fmpq(c)
    return ctx.from_dict(terms)


def bivariate_resultant(f: fmpq_mpoly, g: fmpq_mpoly, var: int, keep: int) -> fmpz_poly:
    """``Res_var(f, g)`` (denominators cleared) as an integer polynomial in ``keep``, for
    ``f`` and ``g`` that involve no variable but ``var`` and ``keep``.

    The degree in ``keep`` is at most ``deg_var(g) deg_keep(f) + deg_var(f) deg_keep(g)``
    (each term of the Sylvester determinant is a product of ``deg_var(g)`` coefficients of
    ``f`` and ``deg_var(f)`` of ``g``). At a value ``x`` where neither leading
    coefficient in ``var`` vanishes, the Sylvester matrix keeps its shape, so the
    resultant of ``f(x, .)`` and ``g(x, .)`` is the resultant's value at ``x``.

    >>> from flint import fmpq_mpoly_ctx
    >>> ctx = fmpq_mpoly_ctx.get(("s", 2), "lex")
    >>> s0, s1 = ctx.gens()
    >>> bivariate_resultant(s0 * s1 - 1, s1 - 2, 1, 0)   # 1 - 2 s0: s1 = 2 in s0 s1 - 1
    (-2)*x + 1
    """
    F, G = _coefficients(f, var, keep), _coefficients(g, var, keep)
    df, dg = len(F) - 1, len(G) - 1
    bound = _bound(f, g, var, keep)
    xs: list[int] = []
    values: list[int] = []
    step = 0
    while len(xs) <= bound:  # the values 0, 1, -1, 2, -2, ...: small, so cheap
        x = (step + 1) // 2 * (1 if step % 2 else -1)
        step += 1
        fx, gx = fmpz_poly([p(x) for p in F]), fmpz_poly([p(x) for p in G])
        if fx.degree() == df and gx.degree() == dg:
            xs.append(x)
            values.append(int(fx.resultant(gx)))
    return _interpolate(xs, values)


def _bound(f: fmpq_mpoly, g: fmpq_mpoly, var: int, keep: int) -> int:
    """A bound on the degree in ``keep`` of ``Res_var(f, g)``."""
    return g.degrees()[var] * f.degrees()[keep] + f.degrees()[var] * g.degrees()[keep]


def _coefficients(f: fmpq_mpoly, var: int, keep: int) -> list[fmpz_poly]:
    """``f`` times the lcm of its denominators, as its coefficients in ``var`` (integer
    polynomials in ``keep``), from degree 0 up."""
    terms = f.to_dict()
    den = lcm(*(int(c.q) for c in terms.values()))
    rows: dict[int, dict[int, int]] = {}
    for exps, c in terms.items():
        rows.setdefault(exps[var], {})[exps[keep]] = int(c * den)
    out = []
    for j in range(max(rows) + 1):
        row = rows.get(j, {})
        out.append(fmpz_poly([row.get(i, 0) for i in range(max(row, default=-1) + 1)]))
    return out


def _interpolate(xs: list[int], values: list[int]) -> fmpz_poly:
    """The integer polynomial of degree below ``len(xs)`` through the points: Newton's
    divided differences (exact: those of an integer polynomial at integer nodes are
    integers, so every division is exact, checked)."""
    n = len(xs)
    diffs = list(values)
    for k in range(1, n):
        for j in range(n - 1, k - 1, -1):
            q, r = divmod(diffs[j] - diffs[j - 1], xs[j] - xs[j - k])
            if r:
                raise ArithmeticError("interpolation: the values are not an integer polynomial's")
            diffs[j] = q
    poly = fmpz_poly([diffs[-1]])
    for k in range(n - 2, -1, -1):
        poly = poly * fmpz_poly([-xs[k], 1]) + diffs[k]
    return poly

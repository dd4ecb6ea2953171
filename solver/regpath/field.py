"""Exact event λs: the positive square root of ``mu = lam^2`` given in a number field.

An event of the regularisation path happens where a face set's interior solution ``s``
meets one more polynomial condition. Its first coordinate ``s0`` is a root of an
irreducible integer polynomial ``p``; the second (two neurons) is a rational function of
``s0`` read off a gcd over ``Q(s0)``; ``mu = lam^2`` is a rational function of both. So
``mu`` is an element of ``Q(s0)``, and its minimal polynomial is the minimal polynomial
of the matrix of multiplication by ``mu``. The λ of the event is the positive root
``sqrt(mu)``: a root of ``m(lam^2)``, and its minimal polynomial is the irreducible
factor of ``m(lam^2)`` that vanishes at it (selected with an isolating interval).

The number field arithmetic is :mod:`solver.pipeline.number_field`.

Examples
--------
>>> from flint import fmpq_poly, fmpz_poly
>>> from solver.pipeline.number_field import element_minpoly
>>> p = fmpz_poly([-2, 0, 1])                      # t = sqrt(2)
>>> mu = fmpq_poly([3, 2])                          # mu = 3 + 2 t = (1 + sqrt 2)^2
>>> element_minpoly(mu, p)
x^2 + (-6)*x + 1
>>> root = sqrt_root(element_minpoly(mu, p), lambda prec: ball_of(mu, p, 1.41, prec))
>>> root.poly, root.ball(64)
(x^2 + (-2)*x + (-1), [2.41421356237310 +/- 4.96e-15])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb, fmpq, fmpz_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import RealRoot, isolate_roots
from solver.pipeline.number_field import Element
from solver.pipeline.numbers import working_precision


def ball_of(element: Element, p: fmpz_poly, approx: float, prec: int) -> arb:
    """An element at the root of ``p`` nearest ``approx`` (for doctests and checks)."""
    with working_precision(prec):
        roots = [c.real for c, _ in p.complex_roots() if c.imag.is_zero()]
        t = min(roots, key=lambda r: abs(float(r.mid()) - approx))
        return sum((arb(element[i]) * t**i for i in range(element.degree() + 1)), arb(0))


def sqrt_root(m: fmpz_poly, mu_ball: Callable[[int], arb]) -> RealRoot:
    """The positive square root of the root of ``m`` enclosed by ``mu_ball(prec)``, exactly:
    the irreducible factor of ``m(lam^2)`` vanishing there, with an isolating interval."""
    coeffs = [int(c) for c in m.coeffs()]
    doubled = [0] * (2 * len(coeffs) - 1)
    for i, c in enumerate(coeffs):
        doubled[2 * i] = c
    _, factors = fmpz_poly(doubled).factor()
    return select_root([f for f, _ in factors if f.degree() >= 1],
                       lambda prec: mu_ball(prec).sqrt())


def select_root(factors: Sequence[fmpz_poly], ball: Callable[[int], arb]) -> RealRoot:
    """The one real root of the irreducible ``factors`` inside ``ball(prec)``, raising the
    precision until exactly one root of them meets the ball."""
    roots = isolate_roots(list(factors))
    prec = 128
    while prec <= 8192:
        with working_precision(prec):
            b = ball(prec)
            lo, hi = b.lower(), b.upper()
            hits = [r for r in roots if not (arb(r.hi) < lo or arb(r.lo) > hi)]
            hits = [r for r in hits if _meets(r, b, prec)]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise DegenerateProblemError("degenerate data: an event's λ matches no factor")
        prec *= 2
    raise DegenerateProblemError("degenerate data: two event λs could not be separated")


def _meets(root: RealRoot, b: arb, prec: int) -> bool:
    """Whether the root's enclosure at ``prec`` bits meets the ball ``b``."""
    r = root.ball(prec)
    return not (r.upper() < b.lower() or r.lower() > b.upper())


def rational_sqrt_root(q: fmpq) -> RealRoot:
    """``sqrt(q)`` for a rational ``q > 0``, exactly."""
    num, den = int(q.p), int(q.q)
    poly = fmpz_poly([-num, 0, den])
    _, factors = poly.factor()
    return select_root([f for f, _ in factors if f.degree() >= 1],
                       lambda prec: arb(q).sqrt())

"""The two arithmetics of the minimality checks: exact numbers of ``Q(z)``, and balls.

:mod:`solver.verify.minimality` is written once against the small interface below. An
isolated minimum given exactly is checked with :class:`Exact` (elements of ``Q(z)`` as
polynomials in ``z``; signs and zeros decided exactly, :class:`~solver.verify.field.
RootField`). A point given as the Krawczyk-proved zero of a face system (a box, or a face
set's solution in the completeness certificate) is checked with :class:`Balls` (``arb``
enclosures at the current precision; a sign a ball cannot decide is ``None``, and the
caller refines). Such a point solves its face equations by construction
(:attr:`Balls.by_construction`): stationarity is not re-checked there (a ball cannot
prove a zero), and on an alive unit's own face the dead-unit bound is met with equality.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.verify.field import RootField
>>> from solver.verify.formula import parse_poly
>>> A = Exact(RootField(parse_poly("z**2 - 2"), F(1), F(2)))      # z = sqrt(2)
>>> A.sign(parse_poly("z") * parse_poly("z") - A.q(F(2))), A.sign(A.q(F(3, 2)) - parse_poly("z"))
(0, 1)
>>> B = Balls()
>>> B.sign(B.q(F(1, 3)) - B.q(F(1, 3))), B.sign(B.q(F(1, 3)) * 3 - 1)
(None, None)
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq_poly

from solver.problem import to_fmpq
from solver.verify.field import RootField


def ball_sign(ball: arb) -> int | None:
    """The sign of a ball, or None when it contains 0 (and is not exactly 0).

    >>> ball_sign(arb(2)), ball_sign(arb(0)), ball_sign(arb(0, 1))
    (1, 0, None)
    """
    if ball > 0:
        return 1
    if ball < 0:
        return -1
    return 0 if ball.is_zero() else None


class Exact:
    """``Q(z)``: elements are ``fmpq_poly`` in ``z``, reduced modulo its minimal polynomial."""

    by_construction = False  # the point is the file's: every equation is checked

    def __init__(self, K: RootField) -> None:
        self.K = K
        self.zero = fmpq_poly()

    @staticmethod
    def q(value: Fraction) -> fmpq_poly:
        """A rational as a constant."""
        return fmpq_poly([to_fmpq(value)])

    def red(self, x: fmpq_poly) -> fmpq_poly:
        """The same element, reduced (for size)."""
        return self.K.red(x)

    def sign(self, x: fmpq_poly) -> int:
        """The exact sign."""
        return self.K.sign(x)

    def is_zero(self, x: fmpq_poly) -> bool:
        """Whether the element is exactly 0."""
        return self.K.is_zero(x)

    def approx(self, x: fmpq_poly) -> float:
        """A float, for messages."""
        return self.K.approx(x)

    def ball(self, x: fmpq_poly) -> arb:
        """An enclosure at 256 bits (for the comparison with the file's floats)."""
        return self.K.ball(self.K.red(x))

    @staticmethod
    def twice_gram(jac: list[list[fmpq_poly]]) -> list[list[fmpq_poly]]:
        """``2 J^T J``."""
        n, size = len(jac), len(jac[0])
        return [[2 * sum((jac[i][a] * jac[i][b] for i in range(n)), fmpq_poly())
                 for b in range(size)] for a in range(size)]

    def minor_signs(self, mat: list[list[fmpq_poly]]) -> Iterator[int]:
        """The exact signs of the leading principal minors, in order (up to the first 0).

        Balls first (all positive decides); exact minors only if they cannot decide.
        """
        size = len(mat)
        for prec in (128, 512, 2048):
            with ctx.workprec(prec):
                balls = [[self.K.ball(h, prec) for h in row] for row in mat]
                dets = [arb_mat([row[:k] for row in balls[:k]]).det() for k in range(1, size + 1)]
            if all(d > 0 for d in dets):
                yield from [1] * size
                return
            if any(d < 0 for d in dets):
                break
        for minor in _leading_minors(mat):
            yield self.K.sign(minor)


def _leading_minors(mat: list[list[fmpq_poly]]) -> list[fmpq_poly]:
    """Leading principal minors over ``Q[z]`` (fraction-free Bareiss, exact divisions)."""
    a = [row[:] for row in mat]
    n, prev, minors = len(a), fmpq_poly([1]), []
    for k in range(n):
        minors.append(a[k][k])
        if a[k][k].is_zero():
            return minors
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                a[i][j] = (a[k][k] * a[i][j] - a[i][k] * a[k][j]) // prev
        prev = a[k][k]
    return minors


class Balls:
    """``arb`` balls at the current precision, enclosing a proved zero of a face system."""

    by_construction = True  # the face equations hold at the point: not re-checked
    zero = arb(0)

    @staticmethod
    def q(value: Fraction) -> arb:
        """A rational as a ball."""
        return arb(to_fmpq(value))

    @staticmethod
    def red(x: arb) -> arb:
        """The ball itself."""
        return x

    @staticmethod
    def sign(x: arb) -> int | None:
        """:func:`ball_sign`."""
        return ball_sign(x)

    @staticmethod
    def approx(x: arb) -> float:
        """The midpoint, for messages."""
        return float(x.mid())

    @staticmethod
    def ball(x: arb) -> arb:
        """The ball itself."""
        return x

    @staticmethod
    def twice_gram(jac: list[list[arb]]) -> list[list[arb]]:
        """``2 J^T J`` (one matrix product)."""
        m = arb_mat(jac)
        g = (m.transpose() * m) * arb(2)
        return [[g[a, b] for b in range(g.ncols())] for a in range(g.nrows())]

    @staticmethod
    def minor_signs(mat: list[list[arb]]) -> Iterator[int | None]:
        """The signs of the leading principal minors: 1, -1, or None (the ball holds 0)."""
        for k in range(1, len(mat) + 1):
            det = arb_mat([row[:k] for row in mat[:k]]).det()
            yield 1 if det > 0 else -1 if det < 0 else None


__all__ = ["Balls", "Exact", "ball_sign"]

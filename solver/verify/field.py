"""Exact arithmetic for the certificate checker: safe expression parsing and Q(z).

The checker re-derives everything from the strings in a result file, so it needs its
own small tools, sharing no code with the solver: a whitelisting expression evaluator
(no ``eval``; on rationals, or on ``arb`` balls with :func:`ball_value`), Sturm root
counting, and :class:`RootField`, the number field ``Q(z)``
of a real algebraic number ``z`` given by a polynomial and an isolating interval, with
exact zero tests and rigorous signs (``arb`` balls, refined until they exclude 0).

Examples
--------
>>> from fractions import Fraction
>>> m = parse_poly("z**2 - 2")
>>> K = RootField(m, Fraction(1), Fraction(2))     # z = sqrt(2)
>>> K.sign(parse_poly("3*z - 4")), K.is_zero(parse_poly("z**4 - 4"))
(1, True)
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

from flint import arb, ctx, fmpq, fmpq_poly

_MAX_TEXT = 200_000
_MAX_POWER = 2000


class ParseError(ValueError):
    """A formula string is not a polynomial expression we accept."""


def evaluate(text: str, names: Mapping[str, Any], absolute: bool = False,
             lift: Callable[[Fraction], Any] = lambda q: q) -> Any:
    """Evaluate a ``+ - * / **`` expression over integers and the given names.

    Division is allowed by constants only. With ``absolute`` every sign is dropped
    (``-`` becomes ``+``), which bounds the sum of the absolute values of the terms.
    Constants meet non-rational values through ``lift``.

    >>> evaluate("3*b11**2 - c1/2", {"b11": Fraction(1), "c1": Fraction(4)})
    Fraction(1, 1)
    >>> evaluate("3*b11**2 - c1/2", {"b11": Fraction(1), "c1": Fraction(4)}, absolute=True)
    Fraction(5, 1)
    """
    if not isinstance(text, str) or len(text) > _MAX_TEXT:
        raise ParseError("expected a formula string")
    return _eval(_parse(text), names, absolute, lift)


def free_names(text: str) -> set[str]:
    """The names a formula uses (its syntax is checked when it is evaluated).

    >>> sorted(free_names("c1 - 17*b11/100"))
    ['b11', 'c1']
    """
    return {node.id for node in ast.walk(_parse(text)) if isinstance(node, ast.Name)}


@lru_cache(maxsize=128)
def _parse(text: str) -> ast.expr:
    """The syntax tree of a formula (cached: curves evaluate theirs at every sample)."""
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ParseError(f"cannot parse {text[:60]!r}") from None


def _combine(op: ast.operator, u: Any, v: Any, lift: Callable[[Fraction], Any]) -> Any:
    """Apply a binary operator, lifting rational constants to the other operand's type."""
    if isinstance(op, ast.Div):
        if hasattr(v, "inverse"):  # a field element: the type decides (and raises on 0)
            return (lift(u) if isinstance(u, Fraction) else u) / v
        if not isinstance(v, Fraction) or v == 0:
            raise ParseError("division only by non-zero constants")
        return u / v if isinstance(u, Fraction) else u * lift(1 / v)
    if isinstance(u, Fraction) and not isinstance(v, Fraction):
        u = lift(u)
    if isinstance(v, Fraction) and not isinstance(u, Fraction):
        v = lift(v)
    if isinstance(op, ast.Add):
        return u + v
    if isinstance(op, ast.Sub):
        return u - v
    if isinstance(op, ast.Mult):
        return u * v
    raise ParseError(f"operator {type(op).__name__} not allowed")


def _eval(node: ast.AST, names: Mapping[str, Any], absolute: bool,
          lift: Callable[[Fraction], Any]) -> Any:
    """Recursive whitelisting evaluator behind :func:`evaluate`."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return Fraction(node.value)
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise ParseError(f"unknown name {node.id!r}")
        value = names[node.id]
        return abs(value) if absolute else value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand, names, absolute, lift)
        return value if absolute or isinstance(node.op, ast.UAdd) else -value
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, names, absolute, lift)
        if isinstance(node.op, ast.Pow):
            exponent = _eval(node.right, names, False, lift)
            if (not isinstance(exponent, Fraction) or exponent.denominator != 1
                    or not 0 <= exponent <= _MAX_POWER):
                raise ParseError("exponents must be small non-negative integers")
            return left ** int(exponent)
        right = _eval(node.right, names, absolute, lift)
        op = ast.Add() if absolute and isinstance(node.op, ast.Sub) else node.op
        return _combine(op, left, right, lift)
    raise ParseError(f"{type(node).__name__} not allowed in a formula")


class Ball:
    """An ``arb`` ball with the operations :func:`~solver.verify.field.evaluate` needs."""

    __slots__ = ("v",)

    def __init__(self, v: arb) -> None:
        self.v = v

    @staticmethod
    def _of(other: object) -> arb:
        return other.v if isinstance(other, Ball) else arb(to_fmpq(Fraction(other)))

    def __add__(self, other: object) -> Ball:
        return Ball(self.v + self._of(other))

    def __sub__(self, other: object) -> Ball:
        return Ball(self.v - self._of(other))

    def __mul__(self, other: object) -> Ball:
        return Ball(self.v * self._of(other))

    def __neg__(self) -> Ball:
        return Ball(-self.v)

    def __abs__(self) -> Ball:
        return Ball(abs(self.v))

    def __pow__(self, k: int) -> Ball:
        return Ball(self.v ** k)

    def __truediv__(self, other: object) -> Ball:
        return self * (other if isinstance(other, Ball) else Ball(self._of(other))).inverse()

    def inverse(self) -> Ball:
        """``1 / v``; ``ZeroDivisionError`` when the ball contains 0."""
        if self.v.contains(0):
            raise ZeroDivisionError("division by an expression that may be 0 at the point")
        return Ball(1 / self.v)


def ball_value(text: str, names: Mapping[str, arb], absolute: bool = False) -> arb:
    """A rational expression in the given names as a ball (at the current precision);
    ``absolute`` as in :func:`evaluate`.

    >>> ball_value("x**2 - 2*x", {"x": arb(2)}).is_zero()
    True
    """
    value = evaluate(text, {k: Ball(v) for k, v in names.items()}, absolute,
                     lift=lambda q: Ball(arb(to_fmpq(q))))
    return value.v if isinstance(value, Ball) else arb(to_fmpq(value))


def to_fmpq(q: Fraction) -> fmpq:
    """A Fraction as a flint rational."""
    return fmpq(q.numerator, q.denominator)


def parse_poly(text: str, var: str = "z") -> fmpq_poly:
    """Parse a univariate polynomial with rational coefficients.

    >>> parse_poly("z**2 - 1/2*z")
    x^2 + (-1/2)*x
    """
    value = evaluate(text, {var: fmpq_poly([0, 1])},
                     lift=lambda q: fmpq_poly([to_fmpq(q)]))
    return value if isinstance(value, fmpq_poly) else fmpq_poly([to_fmpq(value)])


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

    >>> count_roots(parse_poly("z**3 - z"), fmpq(-2), fmpq(1, 2))
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

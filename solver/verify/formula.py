"""Formulas of a result file, read safely: ``+ - * / **`` over integers and given names.

The checker re-derives everything from the strings in a result file, so it has its own
small tools, sharing no code with the solver: a whitelisting expression evaluator (no
``eval``) on rationals, polynomials, number-field elements or ``arb`` balls
(:func:`formula_ball`), and :func:`parse_poly` for univariate polynomials.

Examples
--------
>>> parse_poly("z**2 - 1/2*z")
x^2 + (-1/2)*x
>>> evaluate_formula("__import__('os')", {})
Traceback (most recent call last):
...
solver.verify.formula.ParseError: Call not allowed in a formula
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

from flint import arb, fmpq_poly

from solver.problem import to_fmpq

_MAX_TEXT = 200_000
_MAX_POWER = 2000


class ParseError(ValueError):
    """A formula string is not a polynomial expression we accept."""


def evaluate_formula(text: str, names: Mapping[str, Any], absolute: bool = False,
             lift: Callable[[Fraction], Any] = lambda q: q) -> Any:
    """Evaluate a ``+ - * / **`` expression over integers and the given names.

    Division is allowed by constants only. With ``absolute`` every sign is dropped
    (``-`` becomes ``+``), which bounds the sum of the absolute values of the terms.
    Constants meet non-rational values through ``lift``.

    >>> evaluate_formula("3*b11**2 - c1/2", {"b11": Fraction(1), "c1": Fraction(4)})
    Fraction(1, 1)
    >>> evaluate_formula("3*b11**2 - c1/2", {"b11": Fraction(1), "c1": Fraction(4)}, absolute=True)
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
    """Recursive whitelisting evaluator behind :func:`evaluate_formula`."""
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


def formula_ball(text: str, names: Mapping[str, arb], absolute: bool = False) -> arb:
    """A rational expression in the given names as a ball (at the current precision);
    ``absolute`` as in :func:`evaluate_formula`.

    >>> formula_ball("x**2 - 2*x", {"x": arb(2)}).is_zero()
    True
    """
    value = evaluate_formula(text, {k: Ball(v) for k, v in names.items()}, absolute,
                     lift=lambda q: Ball(arb(to_fmpq(q))))
    return value.v if isinstance(value, Ball) else arb(to_fmpq(value))


def parse_poly(text: str, var: str = "z") -> fmpq_poly:
    """Parse a univariate polynomial with rational coefficients.

    >>> parse_poly("z**2 - 1/2*z")
    x^2 + (-1/2)*x
    """
    value = evaluate_formula(text, {var: fmpq_poly([0, 1])},
                     lift=lambda q: fmpq_poly([to_fmpq(q)]))
    return value if isinstance(value, fmpq_poly) else fmpq_poly([to_fmpq(value)])

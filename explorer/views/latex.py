"""The solver's expression strings as LaTeX, fast, in the solver's term order.

The solver writes its exact equations, inequalities and formulas as Python-syntax strings
(``"b11 - 3*c1/2"``, ``"94578119919662475146521*s0**4 + ..."``). They are parsed with
:mod:`ast` (no sympy: this runs in the server's session thread on every selection) and
printed with ``b11`` as ``b_{11}``, ``**`` as a superscript and ``/`` as ``\\frac``. Long
numbers (more than :data:`LONG_DIGITS` digits, numerator and denominator together) are
named ``R_{1}, R_{2}, ...`` in order of appearance by a :class:`Names` (as the paper and the
command line's LaTeX do), so that every formula fits a line; :meth:`Names.entries` lists
their exact values.

Examples
--------
>>> to_latex("b11 - 3*c1/2")
'b_{11} - \\\\frac{3 c_{1}}{2}'
>>> to_latex("c1 - 17*b11/100 > 0")
'c_{1} - \\\\frac{17 b_{11}}{100} > 0'
>>> names = Names()
>>> to_latex("123456789012345*x**2 - (s0 + 1)**2", names)
'R_{1} x^{2} - \\\\left(s_{0} + 1\\\\right)^{2}'
>>> names.entries()
[('R_{1}', '123456789012345', 123456789012345.0)]
"""

from __future__ import annotations

import ast
import functools
import re
from fractions import Fraction

LONG_DIGITS = 12
_COMPARE = {ast.Gt: ">", ast.Lt: "<", ast.GtE: r"\ge", ast.LtE: r"\le", ast.Eq: "="}
_NAME = re.compile(r"^([A-Za-z]+)(\d+)$")
# Binding strength, for parentheses: sums < products < unary minus < powers < atoms.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = range(5)


class Names:
    """Long rationals named ``R_{k}`` in order of appearance."""

    def __init__(self) -> None:
        self._names: dict[Fraction, str] = {}

    def number(self, value: Fraction) -> str:
        """``value`` (not negative) as LaTeX: itself when short, else its name."""
        if len(str(value.numerator)) + len(str(value.denominator)) <= LONG_DIGITS:
            return _plain(value)
        if value not in self._names:
            self._names[value] = f"R_{{{len(self._names) + 1}}}"
        return self._names[value]

    def rational(self, text: str) -> str:
        """A rational written ``"p/q"`` (or an integer), named when long.

        >>> Names().rational("-4589937509756799/8796093022208")
        '- R_{1}'
        """
        value = Fraction(text)
        return ("- " if value < 0 else "") + self.number(abs(value))

    def entries(self) -> list[tuple[str, str, float]]:
        """``(name, exact value "p/q", float)`` of every name given, in order."""
        return [(name, str(value), float(value)) for value, name in self._names.items()]


def _plain(value: Fraction) -> str:
    """A short rational: ``3`` or ``\\frac{3}{4}``."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}"


def to_latex(expression: str, names: Names | None = None) -> str:
    """The solver's expression (or comparison) string as LaTeX; long numbers named by
    ``names`` when given (else written out)."""
    return _Printer(names).text(_parse(expression))


@functools.lru_cache(maxsize=4096)
def _parse(expression: str) -> ast.expr:
    return ast.parse(expression.strip(), mode="eval").body


class _Printer:
    def __init__(self, names: Names | None) -> None:
        self.names = names

    def text(self, node: ast.expr) -> str:
        return self.print(node)[0]

    def wrapped(self, node: ast.expr, at_least: int) -> str:
        """``node``, in parentheses when it binds less strongly than ``at_least``."""
        tex, strength = self.print(node)
        return f"\\left({tex}\\right)" if strength < at_least else tex

    def print(self, node: ast.expr) -> tuple[str, int]:
        """LaTeX of ``node`` and how strongly it binds."""
        if isinstance(node, ast.Constant):
            return self.constant(Fraction(node.value)), _ATOM
        if isinstance(node, ast.Name):
            match = _NAME.match(node.id)
            return (f"{match[1]}_{{{match[2]}}}" if match else node.id), _ATOM
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return f"- {self.wrapped(node.operand, _PRODUCT)}", _UNARY
        if isinstance(node, ast.Compare):
            parts = [self.text(node.left)]
            for op, right in zip(node.ops, node.comparators, strict=True):
                parts += [_COMPARE[type(op)], self.text(right)]
            return " ".join(parts), _SUM
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        raise ValueError(f"cannot typeset {ast.unparse(node)!r}")

    def constant(self, value: Fraction) -> str:
        if self.names is None:
            return _plain(value)
        return self.names.number(value)

    def binary(self, node: ast.BinOp) -> tuple[str, int]:
        op, left, right = node.op, node.left, node.right
        if isinstance(op, ast.Add | ast.Sub):
            sign = "+" if isinstance(op, ast.Add) else "-"
            right_tex = self.text(right) if isinstance(op, ast.Add) else self.wrapped(
                right, _PRODUCT)
            if isinstance(op, ast.Add) and right_tex.startswith("- "):
                sign, right_tex = "-", right_tex[2:]
            return f"{self.text(left)} {sign} {right_tex}", _SUM
        if isinstance(op, ast.Mult):
            return f"{self.wrapped(left, _PRODUCT)} {self.wrapped(right, _UNARY)}", _PRODUCT
        if isinstance(op, ast.Div):
            if isinstance(left, ast.Constant) and isinstance(right, ast.Constant):
                return self.constant(Fraction(left.value, right.value)), _ATOM
            return f"\\frac{{{self.text(left)}}}{{{self.text(right)}}}", _ATOM
        if isinstance(op, ast.Pow):
            return f"{self.wrapped(left, _ATOM)}^{{{self.text(right)}}}", _POWER
        raise ValueError(f"cannot typeset {ast.unparse(node)!r}")

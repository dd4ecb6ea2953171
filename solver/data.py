"""Exact input data: parse numbers exactly, read CSV files, validate data sets.

Examples
--------
>>> parse_rational("-0.17")
Fraction(-17, 100)
>>> parse_rational("1/100")
Fraction(1, 100)
>>> ds = make_dataset([["-0.17"], ["0.44"]], ["0.05", "1.02"])
>>> ds.n, ds.d
(2, 1)
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from solver.errors import SolverInputError

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_RATIO = re.compile(r"^[+-]?\d+\s*/\s*[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class Dataset:
    """Exact data points: ``x`` is n rows of d rationals, ``y`` n rationals."""

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]

    @property
    def n(self) -> int:
        """Number of data points."""
        return len(self.y)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.x[0])


def parse_rational(value: object, what: str = "value") -> Fraction:
    """Parse a number exactly: decimal or ``p/q`` strings, ints, Fractions, floats.

    Floats are read through their shortest ``repr`` (``0.1`` becomes ``1/10``), the
    number a person typed. NaN, infinities, booleans and text raise
    :class:`SolverInputError`.

    >>> parse_rational("1e-2")
    Fraction(1, 100)
    >>> parse_rational(0.25)
    Fraction(1, 4)
    """
    if isinstance(value, bool):
        raise SolverInputError(f"{what} must be a number, got {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SolverInputError(f"{what} must be finite, got {value!r}")
        return Fraction(repr(value))
    if hasattr(value, "p") and hasattr(value, "q"):  # flint.fmpq, sympy.Rational
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.match(text):
            return Fraction(text)
        if _RATIO.match(text):
            num, den = (part.strip() for part in text.split("/"))
            if int(den) == 0:
                raise SolverInputError(f"{what} has a zero denominator: {value!r}")
            return Fraction(int(num), int(den))
        if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
            raise SolverInputError(f"{what} must be finite, got {value!r}")
        raise SolverInputError(f"{what} is not a number: {value!r}")
    try:
        as_float = float(value)  # numpy scalars
    except (TypeError, ValueError):
        raise SolverInputError(f"{what} is not a number: {value!r}") from None
    return parse_rational(as_float, what)


def parse_lam(value: object) -> Fraction:
    """Parse the regularisation strength; it must be positive.

    >>> parse_lam("0.01")
    Fraction(1, 100)
    """
    lam = parse_rational(value, "lambda")
    if lam <= 0:
        raise SolverInputError(f"lambda must be positive, got {lam}")
    return lam


def parse_units(value: object) -> int:
    """Parse the number of hidden units; it must be an integer >= 1.

    >>> parse_units("2")
    2
    """
    try:
        units = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise SolverInputError(f"units must be a whole number, got {value!r}") from None
    if isinstance(units, bool) or units < 1:
        raise SolverInputError(f"units must be at least 1, got {value!r}")
    return units


def make_dataset(x: Iterable[object], y: Iterable[object]) -> Dataset:
    """Build a validated :class:`Dataset` from numbers or rows of numbers.

    ``x`` may be a flat sequence (d = 1) or a sequence of rows. Raises
    :class:`SolverInputError` on fewer than 2 points, mismatched lengths, ragged rows,
    non-finite values or two points with the same x.

    >>> make_dataset([0, 1, 2], [1, 0, 1]).x
    ((Fraction(0, 1),), (Fraction(1, 1),), (Fraction(2, 1),))
    """
    rows = [_as_row(item, i) for i, item in enumerate(x)]
    ys = tuple(parse_rational(v, f"y of point {i + 1}") for i, v in enumerate(y))
    if len(rows) != len(ys):
        raise SolverInputError(f"x has {len(rows)} points but y has {len(ys)}")
    if len(rows) < 2:
        raise SolverInputError(f"need at least 2 data points, got {len(rows)}")
    d = len(rows[0])
    if d < 1:
        raise SolverInputError("x must have at least one coordinate")
    for i, row in enumerate(rows):
        if len(row) != d:
            raise SolverInputError(f"point {i + 1} has {len(row)} coordinates, expected {d}")
    seen: dict[tuple[Fraction, ...], int] = {}
    for i, row in enumerate(rows):
        if row in seen:
            shown = ", ".join(str(v) for v in row)
            raise SolverInputError(
                f"points {seen[row] + 1} and {i + 1} have the same x ({shown})"
            )
        seen[row] = i
    return Dataset(tuple(rows), ys)


def _as_row(item: object, i: int) -> tuple[Fraction, ...]:
    """One x entry as a tuple of exact coordinates."""
    if isinstance(item, (str, bytes, int, float, Fraction)) or not isinstance(item, Sequence):
        if hasattr(item, "__len__") and not isinstance(item, (str, bytes)):
            return tuple(parse_rational(v, f"x of point {i + 1}") for v in item)  # type: ignore[union-attr]
        return (parse_rational(item, f"x of point {i + 1}"),)
    return tuple(parse_rational(v, f"x of point {i + 1}") for v in item)


def read_csv(path: str | Path) -> Dataset:
    """Read a data set from a CSV file with header ``x,y`` or ``x1,...,xd,y``.

    Every number is parsed exactly. Errors name the file line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SolverInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SolverInputError(f"{path}: cannot read file ({exc.__class__.__name__})") from None
    return parse_csv_text(text, source=str(path))


def parse_csv_text(text: str, source: str = "<csv>") -> Dataset:
    """Parse CSV text (see :func:`read_csv`).

    >>> parse_csv_text("x,y\\n0,1\\n1/2,0.5\\n").x
    ((Fraction(0, 1),), (Fraction(1, 2),))
    """
    lines = [(no, row) for no, row in enumerate(csv.reader(text.splitlines()), start=1)]
    lines = [(no, row) for no, row in lines if row and any(cell.strip() for cell in row)]
    if not lines:
        raise SolverInputError(f"{source}: the file is empty (expected a header x,y)")
    header_no, header = lines[0]
    names = [h.strip().lower() for h in header]
    d = len(names) - 1
    expected = ["x", "y"] if d == 1 else [f"x{k}" for k in range(1, d + 1)] + ["y"]
    if d < 1 or names != expected and not (d == 1 and names == ["x1", "y"]):
        want = "x,y or x1,...,xd,y"
        raise SolverInputError(
            f"{source}, line {header_no}: header must be {want}, got {','.join(header)}"
        )
    xs: list[tuple[Fraction, ...]] = []
    ys: list[Fraction] = []
    for no, row in lines[1:]:
        if len(row) != d + 1:
            raise SolverInputError(
                f"{source}, line {no}: expected {d + 1} values, got {len(row)}"
            )
        try:
            values = [parse_rational(cell, names[k]) for k, cell in enumerate(row)]
        except SolverInputError as exc:
            raise SolverInputError(f"{source}, line {no}: {exc}") from None
        xs.append(tuple(values[:d]))
        ys.append(values[d])
    if not ys:
        raise SolverInputError(f"{source}: no data rows after the header")
    return make_dataset(xs, ys)

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
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from solver.errors import SolverInputError

_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE]([+-]?\d+))?$", re.ASCII)
_RATIO = re.compile(r"^[+-]?\d+\s*/\s*[+-]?\d+$", re.ASCII)
# 10**exponent is computed exactly; a typo like 1e999999999 must not hang the parser.
_MAX_EXPONENT = 1000
# The sizes the solver accepts. Its exact stages take any rational, but it locates critical
# points in floating point before proving them, and reports B, c, a and the loss as floats:
# beyond these sizes that fails (1e309 overflows, lambda = 1e-300 underflows to 0). A data
# value is 0 or between the two limits in size; lambda is between them.
DATA_LIMITS = (Fraction(1, 10**6), Fraction(10**6))
LAM_LIMITS = (Fraction(1, 10**6), Fraction(10**6))


class DataShape:
    """``n`` and ``d`` of a class with exact ``x`` (n rows of d) and ``y`` (n) fields.

    >>> Dataset(((Fraction(1), Fraction(2)),), (Fraction(3),)).d
    2
    """

    __slots__ = ()
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


@dataclass(frozen=True, slots=True)
class Dataset(DataShape):
    """Exact data points: ``x`` is n rows of d rationals, ``y`` n rationals."""

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]


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
        # str() of a float (numpy's float64 too) is its shortest round-trip repr.
        return Fraction(str(float(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise SolverInputError(f"{what} must be finite, got {value}")
        return parse_rational(str(value), what)
    if hasattr(value, "p") and hasattr(value, "q"):  # flint.fmpq, sympy.Rational
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, str):
        return _parse_text(value, what)
    try:
        as_float = float(value)  # numpy scalars
    except (TypeError, ValueError):
        raise SolverInputError(f"{what} is not a number: {value!r}") from None
    if not math.isfinite(as_float):
        raise SolverInputError(f"{what} must be finite, got {value!r}")
    if type(value).__module__ == "numpy":
        return parse_rational(str(value), what)  # shortest repr in the scalar's own precision
    return parse_rational(as_float, what)


def _parse_text(value: str, what: str) -> Fraction:
    """Parse a decimal (``-0.17``, ``1e-2``) or ratio (``1/100``) string exactly."""
    text = value.strip()
    try:
        match = _DECIMAL.match(text)
        if match:
            if match.group(3) is not None and abs(int(match.group(3))) > _MAX_EXPONENT:
                raise SolverInputError(
                    f"{what} has an exponent beyond +-{_MAX_EXPONENT}: {value!r}"
                )
            return Fraction(text)
        if _RATIO.match(text):
            num, den = (part.strip() for part in text.split("/"))
            if int(den) == 0:
                raise SolverInputError(f"{what} has a zero denominator: {value!r}")
            return Fraction(int(num), int(den))
    except ValueError as exc:
        if isinstance(exc, SolverInputError):
            raise
        # int() refuses more than sys.get_int_max_str_digits() digits.
        raise SolverInputError(f"{what} has too many digits ({len(text)} characters)") from None
    if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        raise SolverInputError(f"{what} must be finite, got {value!r}")
    raise SolverInputError(f"{what} is not a number: {_shorten(value, 40)!r}")


def parse_lam(value: object) -> Fraction:
    """Parse the regularisation strength; it must be positive.

    >>> parse_lam("0.01")
    Fraction(1, 100)
    """
    lam = parse_rational(value, "lambda")
    if lam <= 0:
        raise SolverInputError(f"lambda must be positive, got {lam}")
    low, high = LAM_LIMITS
    if not low <= lam <= high:
        raise SolverInputError(
            f"lambda must be between 1e-6 and 1e6, got {_shown(value)}")
    return lam


def parse_data_value(value: object, what: str = "value") -> Fraction:
    """Parse one data coordinate exactly and check its size (:data:`DATA_LIMITS`).

    >>> parse_data_value("-0.17", "x")
    Fraction(-17, 100)
    >>> parse_data_value("1e309", "x")
    Traceback (most recent call last):
    ...
    solver.errors.SolverInputError: x must be 0 or between 1e-6 and 1e6 in size, got '1e309'
    """
    number = parse_rational(value, what)
    low, high = DATA_LIMITS
    if number and not low <= abs(number) <= high:
        raise SolverInputError(
            f"{what} must be 0 or between 1e-6 and 1e6 in size, got {_shown(value)}")
    return number


def _shown(value: object) -> str:
    """A value as typed, for a message: text quoted and shortened, numbers as they print."""
    return repr(_shorten(value.strip(), 40)) if isinstance(value, str) else _shorten(str(value), 40)


def parse_units(value: object) -> int:
    """Parse the number of hidden units; it must be an integer >= 1.

    >>> parse_units("2")
    2
    """
    if isinstance(value, bool):
        raise SolverInputError(f"units must be a whole number, got {value!r}")
    if isinstance(value, int):
        units = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"[+-]?\d{1,4000}", text, re.ASCII):
            raise SolverInputError(f"units must be a whole number, got {_shorten(text)!r}")
        units = int(text)
    if units < 1:
        raise SolverInputError(f"units must be at least 1, got {units}")
    return int(units)


def make_dataset(x: Iterable[object], y: Iterable[object]) -> Dataset:
    """Build a validated :class:`Dataset` from numbers or rows of numbers.

    ``x`` may be a flat sequence (d = 1) or a sequence of rows. Raises
    :class:`SolverInputError` on fewer than 2 points, mismatched lengths, ragged rows,
    non-finite values or two points with the same x.

    >>> make_dataset([0, 1, 2], [1, 0, 1]).x
    ((Fraction(0, 1),), (Fraction(1, 1),), (Fraction(2, 1),))
    """
    for name, values in (("x", x), ("y", y)):
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            kind = type(values).__name__
            raise SolverInputError(f"{name} must be a sequence of numbers, got {kind}")
    rows = [_as_row(item, i) for i, item in enumerate(x)]
    ys = tuple(parse_data_value(v, f"y of point {i + 1}") for i, v in enumerate(y))
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
    what = f"x of point {i + 1}"
    if isinstance(item, (str, bytes, int, float, Fraction, Decimal)) or not isinstance(
        item, Iterable
    ):
        return (parse_data_value(item, what),)
    return tuple(parse_data_value(v, what) for v in item)


def read_csv(path: str | Path) -> Dataset:
    """Read a data set from a CSV file with header ``x,y`` or ``x1,...,xd,y``.

    Every number is parsed exactly. Errors name the file line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SolverInputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise SolverInputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise SolverInputError(f"{path}: cannot read file ({reason})") from None
    return parse_csv_text(text, source=str(path))


def parse_csv_text(text: str, source: str = "<csv>") -> Dataset:
    """Parse CSV text (see :func:`read_csv`).

    Blank lines are skipped; line numbers in errors are the file's own (1-based).

    >>> parse_csv_text("x,y\\n0,1\\n1/2,0.5\\n").x
    ((Fraction(0, 1),), (Fraction(1, 2),))
    """
    lines = _csv_rows(text, source)
    if not lines:
        raise SolverInputError(f"{source}: the file is empty (expected a header x,y)")
    header_no, header = lines[0]
    names = [h.strip().lower() for h in header]
    d = len(names) - 1
    expected = ["x", "y"] if d == 1 else [f"x{k}" for k in range(1, d + 1)] + ["y"]
    if d < 1 or names != expected and not (d == 1 and names == ["x1", "y"]):
        got = _shorten(",".join(header))
        hint = ""
        if all(_DECIMAL.match(h.strip()) or _RATIO.match(h.strip()) for h in header):
            hint = " (the first line must be the header, not data)"
        raise SolverInputError(
            f"{source}, line {header_no}: header must be x,y or x1,...,xd,y, got {got!r}{hint}"
        )
    xs: list[tuple[Fraction, ...]] = []
    ys: list[Fraction] = []
    first_line: dict[tuple[Fraction, ...], int] = {}
    for no, row in lines[1:]:
        if len(row) != d + 1:
            raise SolverInputError(
                f"{source}, line {no}: expected {d + 1} values ({','.join(names)}), "
                f"got {len(row)}"
            )
        try:
            values = [parse_data_value(cell, names[k]) for k, cell in enumerate(row)]
        except SolverInputError as exc:
            raise SolverInputError(f"{source}, line {no}: {exc}") from None
        point = tuple(values[:d])
        if point in first_line:
            shown = ",".join(cell.strip() for cell in row[:d])
            raise SolverInputError(
                f"{source}, lines {first_line[point]} and {no}: "
                f"two points with the same x ({shown})"
            )
        first_line[point] = no
        xs.append(point)
        ys.append(values[d])
    if not ys:
        raise SolverInputError(f"{source}: no data rows after the header")
    try:
        return make_dataset(xs, ys)
    except SolverInputError as exc:
        raise SolverInputError(f"{source}: {exc}") from None


def _csv_rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV rows with the file line on which each ends."""
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise SolverInputError(f"{source}, line {reader.line_num}: malformed CSV ({exc})") from None
    return rows


def _shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""The dashboard's problem as text: the data encoding, exact validation and the refusals
that come before any solve, and the status lines of a solve.

Data are exact strings (what the user typed), stored as one text ``"x,y;x,y;..."`` so that
they fit in the page URL; two-dimensional inputs as ``"x1,x2,y;x1,x2,y;..."``.
:func:`make_key` validates a problem exactly (the solver's own parsers) and
:func:`check_estimate` refuses one estimated too long before it starts.

Examples
--------
>>> format_data([("-0.17", "0.05"), ("1/2", "1")])
'-0.17,0.05;1/2,1'
>>> parse_data("-0.17,0.05;1/2,1")
[('-0.17', '0.05'), ('1/2', '1')]
>>> parse_data("1,0,2;0,1,1/2")
[('1', '0', '2'), ('0', '1', '1/2')]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from explorer.runner import SolveKey
from solver import estimate_seconds
from solver.data import make_dataset, parse_csv_text, parse_lam, parse_units
from solver.errors import ProblemTooLargeError, SolverInputError
from solver.results import Solution

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PAPER_EXAMPLE = ASSETS / "paper_example.csv"
# The most hidden units offered. Which problems fit is the solver's estimate's call (the
# runner's limit, 15 s): 4 units fit 6 points in one input and 2 in two; 5 units would fit
# 3 points only (most examples have 4 or more), so they are not offered.
MAX_UNITS = 4
# The most points the dashboard shows: the draw tool's limit, and the (b, c) plane's
# fixed number of sector polygons (2 per point) rest on it; every way in (drawing, the
# table, an upload, an example, a link) goes through :func:`make_key`.
MAX_POINTS = 40
# Input dimensions the dashboard draws: (x, y) and (x1, x2, y).
DIMENSIONS = (1, 2)

# Rows of exact strings: (x, y) for d = 1, (x1, x2, y) for d = 2.
Rows = list[tuple[str, ...]]


def format_data(rows: Sequence[Sequence[str]]) -> str:
    """Encode exact ``(x, y)`` (or ``(x1, x2, y)``) strings as ``"x,y;x,y"`` (the URL form)."""
    return ";".join(",".join(cell.strip() for cell in row) for row in rows)


def parse_data(text: str) -> Rows:
    """Decode ``"x,y;x,y"`` (or ``"x1,x2,y;..."``) into tuples of strings (not yet validated
    as numbers); every row has as many cells as the first.

    >>> parse_data(" 1,2 ; 3,4 ")
    [('1', '2'), ('3', '4')]
    """
    rows: Rows = []
    for k, item in enumerate(part for part in text.split(";") if part.strip()):
        cells = tuple(cell.strip() for cell in item.split(","))
        if len(cells) - 1 not in DIMENSIONS:
            raise SolverInputError(
                f"data point {k + 1} must be 'x,y' or 'x1,x2,y', got {item.strip()!r}")
        if rows and len(cells) != len(rows[0]):
            raise SolverInputError(
                f"data point {k + 1} has {len(cells) - 1} inputs, point 1 has "
                f"{len(rows[0]) - 1}: {item.strip()!r}")
        rows.append(cells)
    return rows


def make_key(data: str, lam: str, units: int) -> SolveKey:
    """Validate a problem exactly and build its :class:`SolveKey`.

    Raises :class:`SolverInputError` (one readable line) for anything the solver would
    refuse: non-numbers, duplicate x, fewer than 2 points, λ <= 0, units outside
    1..:data:`MAX_UNITS`; and more than :data:`MAX_POINTS` points, which the dashboard
    cannot draw. The time estimate is checked by :func:`check_estimate`.

    >>> make_key("0,1;1,0", "0.01", 1).lam
    Fraction(1, 100)
    """
    rows = parse_data(data)
    dataset = make_dataset([row[:-1] for row in rows], [row[-1] for row in rows])
    if dataset.n > MAX_POINTS:
        raise SolverInputError(
            f"the dashboard shows at most {MAX_POINTS} points, got {dataset.n} "
            "(the command line takes more)")
    units = parse_units(units)
    if units > MAX_UNITS:
        raise SolverInputError(f"the dashboard offers 1 to {MAX_UNITS} units, got {units}")
    return SolveKey.of(dataset, parse_lam(lam), units)


def check_estimate(n: int, d: int, units: int, limit: float) -> None:
    """Refuse (:class:`ProblemTooLargeError`) a problem whose estimated solve time exceeds
    ``limit`` seconds, naming the estimate and what would fit: fewer units for these
    points, or fewer points with these units.

    >>> check_estimate(6, 1, 4, 15.0)  # about 14.5 s: fits
    >>> try:
    ...     check_estimate(7, 1, 4, 15.0)
    ... except ProblemTooLargeError as exc:
    ...     print(exc)
    problem too large: n=7, d=1, units=4 would take about 27 s (limit 15 s); try fewer units \
(3 fit these 7 points) or fewer points (at most 6 with 4 units)
    """
    estimate = estimate_seconds(n, d, units)
    if estimate <= limit:
        return
    shown = "more than a lifetime" if math.isinf(estimate) else f"about {estimate:,.0f} s"
    fewer_units = next((u for u in range(units - 1, 0, -1)
                        if estimate_seconds(n, d, u) <= limit), None)
    fewer_points = next((m for m in range(n - 1, 1, -1)
                         if estimate_seconds(m, d, units) <= limit), None)
    hints = []
    if fewer_units is not None:
        hints.append(f"fewer units ({fewer_units} fit these {n} points)")
    if fewer_points is not None:
        hints.append(f"fewer points (at most {fewer_points} with {units} "
                     f"unit{'s' * (units != 1)})")
    raise ProblemTooLargeError(
        f"problem too large: n={n}, d={d}, units={units} would take {shown} "
        f"(limit {limit:g} s)" + ("; try " + " or ".join(hints) if hints else ""), estimate)


def read_example(path: str | Path) -> str:
    """Read a CSV data set (header ``x,y`` or ``x1,x2,y``) into the data text, keeping exact
    strings.

    >>> read_example(PAPER_EXAMPLE).split(";")[0]
    '-0.17,0.05'
    """
    return csv_to_data(Path(path).read_text(encoding="utf-8-sig"), source=Path(path).name)


def csv_to_data(text: str, source: str = "upload") -> str:
    """Validate CSV text with the solver's reader and return it as the data text."""
    dataset = parse_csv_text(text, source=source)
    if dataset.d not in DIMENSIONS:
        raise SolverInputError(
            f"{source}: the dashboard shows data with 1 or 2 inputs (x,y or x1,x2,y); "
            f"got d = {dataset.d}")
    rows = [line.split(",") for line in text.strip().splitlines()[1:] if line.strip()]
    return format_data(rows)


def decode_csv(raw: bytes, source: str = "upload") -> str:
    """An uploaded file's bytes as text, refusing what is not UTF-8 as the CLI does.

    >>> decode_csv(b"x,y\\xff", "a.csv")
    Traceback (most recent call last):
    ...
    solver.errors.SolverInputError: a.csv: not UTF-8 text (byte 3)
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SolverInputError(f"{source}: not UTF-8 text (byte {exc.start})") from None


DEFAULT_DATA = read_example(PAPER_EXAMPLE)
DEFAULT_LAM = "1/100"
DEFAULT_UNITS = 2
# The page URL's query names of the problem and the selection.
LINK_NAMES = {"data": "data", "lam": "lam", "units": "units", "selection": "sel"}


def solving_line(key: SolveKey) -> str:
    """``"Solving… (n = 6, d = 2, 2 units: estimated about 13 s)"``: what a long solve shows
    while its progress bar runs."""
    seconds = estimate_seconds(len(key.x), len(key.x[0]), key.units)
    shown = f"{seconds:.0f} s" if seconds >= 1 else "under a second"
    return (f"Solving… (n = {len(key.x)}, d = {len(key.x[0])}, {key.units} "
            f"unit{'s' * (key.units != 1)}: estimated {shown})")


def status_line(solution: Solution, seconds: float | None, cached: bool) -> str:
    """``"9 minima (1 curve, 8 isolated) · λ = 1/100 · 2 units · solved in 0.21 s"``."""
    curves = sum(1 for m in solution.minima if m.kind == "curve")
    isolated = len(solution.minima) - curves
    count = len(solution.minima)
    counts = (
        f"{count} {'minimum' if count == 1 else 'minima'} "
        f"({curves} curve{'s' * (curves != 1)}, {isolated} isolated)"
    )
    units = f"{solution.units} unit{'s' * (solution.units != 1)}"
    if cached:
        timing = "from cache"
    else:
        timing = f"solved in {seconds if seconds is not None else solution.stats.seconds:.2f} s"
    return f"{counts} · λ = {solution.lam} · {units} · {timing}"

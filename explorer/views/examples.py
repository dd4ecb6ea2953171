"""The example data sets offered in the dashboard, and which one the shown data are.

The examples are the CSV files in ``assets/`` (1-D and 2-D), read once per server process.
The chooser names the example the data are exactly, however they came (chosen, from a
link, from the tour, typed back), and shows :data:`CHOOSE` otherwise.

Examples
--------
>>> "paper example" in example_files()
True
>>> from explorer.problem import DEFAULT_DATA
>>> example_of(DEFAULT_DATA.replace("-1.00", "-1"), example_files())
'paper example'
"""

from __future__ import annotations

import functools
from fractions import Fraction

from explorer.problem import ASSETS, parse_data, read_example
from solver.errors import SolverInputError

CHOOSE = "(choose)"  # the example chooser's entry when the data are none of the examples


def example_files() -> dict[str, str]:
    """The example data sets in ``assets/`` (1-D and 2-D) as ``{label: data text}``."""
    return dict(_read_examples())


@functools.cache
def _read_examples() -> tuple[tuple[str, str], ...]:
    """Read once per server process (every session offers the same examples)."""
    out = {}
    for path in sorted(ASSETS.glob("*.csv")):
        try:
            out[path.stem.replace("_", " ")] = read_example(path)
        except SolverInputError:
            continue  # d > 2 or otherwise not drawable here
    return tuple(out.items())


@functools.lru_cache(maxsize=64)
def exact_rows(text: str) -> tuple[tuple[Fraction, ...], ...] | None:
    """A data text's rows as exact numbers (``None`` if a cell is not a number).

    >>> exact_rows("-1.00,0.5;1/3,2")
    ((Fraction(-1, 1), Fraction(1, 2)), (Fraction(1, 3), Fraction(2, 1)))
    """
    try:
        return tuple(tuple(Fraction(cell) for cell in row) for row in parse_data(text))
    except (ValueError, ZeroDivisionError, SolverInputError):
        return None


def example_of(data: str, examples: dict[str, str]) -> str:
    """The name of the example whose data are exactly ``data`` (the same points in the same
    order, numbers compared exactly: ``-1.00`` is ``-1``), else :data:`CHOOSE`.

    >>> example_of("-1,0;0.50,1", {"a": "-1.00,0;1/2,1", "b": "0,0;1,1"})
    'a'
    >>> example_of("-1,0;0.5,1.01", {"a": "-1.00,0;1/2,1"})
    '(choose)'
    """
    rows = exact_rows(data)
    return next((name for name, text in examples.items()
                 if rows is not None and exact_rows(text) == rows), CHOOSE)

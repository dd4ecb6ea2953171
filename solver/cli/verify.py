"""``verify RESULT.json DATA.csv``: re-check a result file with the independent checker.

The checker (:func:`solver.verify.main`) parses its own arguments and prints its own
report; it is imported only when this subcommand runs. A CSV that is not the result's data
is said first, and nothing else is checked (every minimum would fail against other data).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from solver.cli.common import Command
from solver.data import read_csv
from solver.errors import SolverInputError


def add_arguments(verify: argparse.ArgumentParser) -> None:
    """The ``verify`` subcommand's arguments (for ``--help``; the checker parses them)."""
    verify.add_argument("result", metavar="RESULT.json")
    verify.add_argument("data", metavar="DATA.csv")


def run_raw(argv: list[str]) -> int:
    """Run the checker on the subcommand's arguments; its exit code."""
    import solver.verify  # late: only this subcommand loads the checker

    mismatch = data_mismatch(argv)
    if mismatch:
        first = mismatch[0].removeprefix("data mismatch: ")
        more = f" (and {len(mismatch) - 1} more differences)" if len(mismatch) > 1 else ""
        print(f"FAIL: the data do not match the result: {first}{more}\n"
              f"nothing else was checked: give the CSV that {argv[0]} was solved from",
              file=sys.stdout)
        return 1
    return int(solver.verify.main(argv) or 0)


def data_mismatch(argv: list[str]) -> list[str]:
    """How the CSV differs from the data recorded in a result file (empty when they agree,
    or when either cannot be read: the checker then says why).

    >>> data_mismatch(["no-such.json", "no-such.csv"])
    []
    """
    from solver.verify.result import is_path
    from solver.verify.schema import check_schema, data_problems

    if len(argv) != 2:
        return []
    try:
        doc = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
        if is_path(doc):
            return []  # the path checker compares its own data
        check_schema(doc)
        return data_problems(doc, read_csv(argv[1]))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SolverInputError):
        return []


def run(args: argparse.Namespace) -> int:
    """Run the checker on parsed arguments."""
    return run_raw([args.result, args.data])


COMMAND = Command("verify", "re-check a result file independently of the solver", add_arguments,
                  run, raw=run_raw)

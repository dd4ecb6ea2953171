"""``verify RESULT.json DATA.csv``: re-check a result file with the independent checker.

The checker (:func:`solver.verify.main`) parses its own arguments and prints its own
report; it is imported only when this subcommand runs.
"""

from __future__ import annotations

import argparse

from solver.cli.common import Command


def add_arguments(verify: argparse.ArgumentParser) -> None:
    """The ``verify`` subcommand's arguments (for ``--help``; the checker parses them)."""
    verify.add_argument("result", metavar="RESULT.json")
    verify.add_argument("data", metavar="DATA.csv")


def run_raw(argv: list[str]) -> int:
    """Run the checker on the subcommand's arguments; its exit code."""
    import solver.verify  # late: only this subcommand loads the checker

    return int(solver.verify.main(argv) or 0)


def run(args: argparse.Namespace) -> int:
    """Run the checker on parsed arguments."""
    return run_raw([args.result, args.data])


COMMAND = Command("verify", "re-check a result file independently of the solver", add_arguments,
                  run, raw=run_raw)

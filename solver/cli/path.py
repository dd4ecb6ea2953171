"""``path DATA.csv --units 2 --lam-min 1/10000 --lam-max 1``: every minimum over a λ range.

Prints the branches and events as a table, or writes the JSON (``--json``) and a LaTeX
fragment of the events with their exact λ (``--latex``); progress goes to stderr once the
computation has run for a second.

Examples
--------
>>> from solver.cli import main
>>> main(["path", "no-such-file.csv", "--units", "2", "--lam-min", "1/100", "--lam-max", "1"])
2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solver.cli.common import (
    EXIT_OK,
    Command,
    ProgressPrinter,
    check_writable,
    positive_seconds,
    write_atomic,
)
from solver.cli.solve import json_text
from solver.data import parse_units, read_csv


def add_arguments(path: argparse.ArgumentParser) -> None:
    """The ``path`` subcommand's arguments."""
    path.add_argument("data", metavar="DATA.csv", help="CSV with header x,y or x1,...,xd,y")
    path.add_argument("--units", required=True, help="number of hidden ReLU units (1 or 2)")
    path.add_argument("--lam-min", required=True, help="smallest λ > 0: 1/10000 or 0.0001")
    path.add_argument("--lam-max", required=True, help="largest λ: 1")
    path.add_argument("--json", metavar="OUT.json", help="write the path as JSON (no table)")
    path.add_argument("--latex", metavar="OUT.tex",
                      help="write a LaTeX fragment: events with exact λ, branches")
    path.add_argument(
        "--max-seconds", metavar="S", help="refuse problems estimated above S seconds (default 60)"
    )
    path.add_argument(
        "--force", action="store_true", help="compute even when the estimate exceeds the limit"
    )


def run(args: argparse.Namespace) -> int:
    """The ``path`` subcommand: validate, trace, write the table / JSON / LaTeX."""
    data = read_csv(args.data)
    units = parse_units(args.units)
    from solver.regpath.api import parse_range  # late: input errors first, no solver core

    lam_min, lam_max = parse_range(args.lam_min, args.lam_max)
    limit = positive_seconds(args.max_seconds) if args.max_seconds is not None else 60.0
    for out in (args.json, args.latex):
        if out is not None:
            check_writable(Path(out))

    from solver.regpath.api import path

    progress = ProgressPrinter(sys.stderr)
    try:
        result = path(data.x, data.y, units, lam_min, lam_max, progress=progress,
                      max_seconds=limit, force=bool(args.force))
    finally:
        progress.close()
    if args.json is not None:
        write_atomic(Path(args.json), json_text(result.to_json()))
    if args.latex is not None:
        write_atomic(Path(args.latex), result.to_latex())
    if args.json is None:
        sys.stdout.write(result.to_table())
        sys.stdout.flush()
    else:
        print(f"wrote {len(result.branches)} branches and {len(result.events)} events "
              f"to {args.json}", file=sys.stderr)
    return EXIT_OK


COMMAND = Command(
    "path", "follow every local minimum over a λ range, with exact events", add_arguments, run,
    value_options=("--units", "--lam-min", "--lam-max", "--max-seconds"),
)

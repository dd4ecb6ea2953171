"""``solve DATA.csv --lam 1/100 --units 2``: find and certify every local minimum.

Prints the table, or writes the JSON (``--json``) and a LaTeX fragment (``--latex``);
progress goes to stderr once a solve has run for a second.

Examples
--------
>>> from solver.cli import main
>>> main(["solve", "no-such-file.csv", "--lam", "1/100", "--units", "2"])
2
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from solver.cli.common import (
    EXIT_OK,
    Command,
    ProgressPrinter,
    check_writable,
    positive_int,
    positive_seconds,
    write_atomic,
)
from solver.data import parse_lam, parse_units, read_csv
from solver.errors import SolverInputError
from solver.problem import Problem


def add_arguments(solve: argparse.ArgumentParser) -> None:
    """The ``solve`` subcommand's arguments."""
    solve.add_argument("data", metavar="DATA.csv", help="CSV with header x,y or x1,...,xd,y")
    solve.add_argument("--lam", required=True, help="regularisation strength > 0: 1/100 or 0.01")
    solve.add_argument("--units", required=True, help="number of hidden ReLU units (>= 1)")
    solve.add_argument("--json", metavar="OUT.json", help="write the result as JSON (no table)")
    solve.add_argument("--latex", metavar="OUT.tex", help="write a LaTeX fragment of the result")
    solve.add_argument(
        "--force", action="store_true", help="solve even when the estimate exceeds the limit"
    )
    solve.add_argument(
        "--completeness",
        action="store_true",
        help="add the completeness record to the JSON: how every face set was settled",
    )
    solve.add_argument(
        "--max-seconds", metavar="S", help="refuse problems estimated above S seconds (default 60)"
    )
    solve.add_argument(
        "--workers", metavar="N", help="solve on a local Dask cluster of N worker processes"
    )
    solve.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="solve on the Dask cluster whose scheduler is at ADDR (tcp://host:8786)",
    )


def run(args: argparse.Namespace) -> int:
    """The ``solve`` subcommand: validate, solve, write the table / JSON / LaTeX."""
    data = read_csv(args.data)
    lam = parse_lam(args.lam)
    units = parse_units(args.units)
    kwargs: dict[str, object] = {"force": bool(args.force),
                                 "completeness": bool(args.completeness)}
    if args.max_seconds is not None:
        kwargs["max_seconds"] = positive_seconds(args.max_seconds)
    if args.workers is not None:
        kwargs["workers"] = positive_int(args.workers, "--workers")
    if args.scheduler is not None:
        if args.workers is not None:
            raise SolverInputError(
                "--workers starts a local cluster, --scheduler uses an existing one: give one"
            )
        if not args.scheduler.strip():
            raise SolverInputError("--scheduler must be an address like tcp://127.0.0.1:8786")
        kwargs["scheduler"] = args.scheduler.strip()
    for out in (args.json, args.latex):
        if out is not None:
            check_writable(Path(out))

    from solver.pipeline.solve import solve_problem  # late: input errors need no solver core

    progress = ProgressPrinter(sys.stderr)
    try:
        with warnings.catch_warnings():
            if args.workers is not None:  # a problem too small for --workers: one line
                from solver.scaleout.cluster import InProcessFallback

                warnings.simplefilter("always", InProcessFallback)
                warnings.showwarning = _note
            sol = solve_problem(Problem.of(data, lam, units), progress=progress, **kwargs)
    finally:
        progress.close()

    if args.json is not None:
        write_atomic(Path(args.json), json_text(sol.to_json()))
    if args.latex is not None:
        write_atomic(Path(args.latex), sol.to_latex())
    if args.json is None:
        sys.stdout.write(sol.to_table())
        sys.stdout.flush()
    else:
        print(f"wrote {len(sol.minima)} minima to {args.json}", file=sys.stderr)
    return EXIT_OK


def _note(message: Warning | str, *args: object, **kwargs: object) -> None:
    """A warning of the solve (e.g. ``--workers`` for a small problem) as one stderr line."""
    print(f"note: {message}", file=sys.stderr, flush=True)


def json_text(doc: dict) -> str:
    """The result document as indented JSON, the completeness record's face sets (there
    may be tens of thousands) one compact line each.

    >>> print(json_text({"n": 2, "completeness": {"sets": [{"faces": []}, {"faces": ["+"]}]}}))
    {
      "n": 2,
      "completeness": {
        "sets": [
          {"faces":[]},
          {"faces":["+"]}
        ]
      }
    }
    <BLANKLINE>
    """
    record = doc.get("completeness")
    if not isinstance(record, dict) or not record.get("sets"):
        return json.dumps(doc, indent=2, allow_nan=False) + "\n"
    marker = "\x00sets\x00"
    shell = {**doc, "completeness": {**record, "sets": marker}}
    text = json.dumps(shell, indent=2, allow_nan=False)
    lines = ",\n".join("      " + json.dumps(item, separators=(",", ":"), allow_nan=False)
                       for item in record["sets"])
    return text.replace(json.dumps(marker), "[\n" + lines + "\n    ]") + "\n"


COMMAND = Command(
    "solve", "find and certify all local minima of a data set", add_arguments, run,
    value_options=("--lam", "--units", "--max-seconds", "--workers"),
)

"""``train DATA.csv --lam 1/100 --units 2 --runs 1000``: gradient-descent runs against the
certified minima, as a basin table per optimiser and learning rate.

Registered in :data:`solver.cli.COMMANDS` as :data:`COMMAND`. ``--optimizer`` and ``--lr``
may be repeated: every combination is trained from the same
initial points, one table each. Bad input is one ``error:`` line and exit code 2 (raised
as :class:`~solver.errors.SolverInputError` for the command line's guard); a discrepancy
(a run at rest where the exact results list nothing) is printed on stderr and makes the
exit code 1.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_arguments(parser)
>>> args = parser.parse_args(["d.csv", "--lam", "0.01", "--units", "2", "--lr", "0.01",
...                           "--lr", "0.1"])
>>> args.lr, args.optimizer
(['0.01', '0.1'], None)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solver.cli.common import Command, check_writable, write_atomic
from solver.data import parse_lam, parse_rational, parse_units, read_csv
from solver.errors import SolverInputError

HELP = "train many networks by gradient descent and classify where each run ended"
VALUE_OPTIONS = ("--lam", "--units", "--lr", "--runs", "--steps", "--tol", "--seed",
                 "--first-run", "--max-seconds")
DEFAULT_LR = "0.01"
EXIT_DISCREPANCY = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``train`` subcommand's arguments."""
    from solver.train.init import INITS
    from solver.train.loop import OPTIMIZERS

    parser.add_argument("data", metavar="DATA.csv", help="CSV with header x,y or x1,...,xd,y")
    parser.add_argument("--lam", required=True, help="regularisation strength > 0: 1/100 or 0.01")
    parser.add_argument("--units", required=True, help="number of hidden ReLU units (>= 1)")
    parser.add_argument("--runs", default="1000", help="training runs per optimiser (1000)")
    parser.add_argument("--optimizer", action="append", metavar="|".join(OPTIMIZERS),
                        help="optimiser (gd); repeat for several")
    parser.add_argument("--lr", action="append",
                        help=f"learning rate ({DEFAULT_LR}); repeat for several")
    parser.add_argument("--steps", default="20000", help="step budget per run (20000)")
    parser.add_argument("--tol", default="1e-4",
                        help="stop a run at this gradient norm (1e-4)")
    parser.add_argument("--init", default="torch-default", metavar="|".join(INITS),
                        help="initialisation (torch-default)")
    parser.add_argument("--seed", default="0", help="seed: run i starts from [seed, i] (0)")
    parser.add_argument("--first-run", default="0",
                        help="index of the first run (to re-run one run alone)")
    parser.add_argument("--json", metavar="OUT.json", help="also write the report as JSON")
    parser.add_argument("--max-seconds", metavar="S",
                        help="refuse problems whose exact solve is estimated above S seconds")
    parser.add_argument("--force", action="store_true",
                        help="solve exactly even when the estimate exceeds the limit")


def _whole(text: str, name: str, least: int) -> int:
    """A whole number ``>= least`` from the command line."""
    value = parse_rational(str(text), name)
    if value.denominator != 1 or value < least or value > 10**9:
        raise SolverInputError(f"{name} must be a whole number >= {least}, got {text}")
    return int(value)


def _positive(text: str, name: str) -> float:
    """A positive finite number from the command line."""
    value = parse_rational(str(text), name)
    if value <= 0:
        raise SolverInputError(f"{name} must be positive, got {text}")
    return float(value)


def _settings(args: argparse.Namespace):
    """The validated settings and optimisers."""
    from solver.train.api import Settings
    from solver.train.init import INITS
    from solver.train.loop import OPTIMIZERS, Optimizer

    if args.init not in INITS:
        raise SolverInputError(f"--init must be one of {', '.join(INITS)}, got {args.init!r}")
    names = args.optimizer or ["gd"]
    for name in names:
        if name not in OPTIMIZERS:
            raise SolverInputError(
                f"--optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    rates = [_positive(v, "--lr") for v in (args.lr or [DEFAULT_LR])]
    settings = Settings(
        runs=_whole(args.runs, "--runs", 1),
        steps=_whole(args.steps, "--steps", 1),
        tol=_positive(args.tol, "--tol"),
        init=args.init,
        seed=_whole(args.seed, "--seed", 0),
        first=_whole(args.first_run, "--first-run", 0),
    )
    optimizers = [Optimizer(name, lr) for name in dict.fromkeys(names)
                  for lr in dict.fromkeys(rates)]
    return settings, optimizers


def run(args: argparse.Namespace) -> int:
    """The ``train`` subcommand: validate, solve exactly, train, print the basin tables."""
    from solver.problem import Problem
    from solver.train.api import landscape, train
    from solver.train.report import json_lines, report_json, report_text

    data = read_csv(args.data)
    problem = Problem.of(data, parse_lam(args.lam), parse_units(args.units))
    settings, optimizers = _settings(args)
    out = Path(args.json) if args.json is not None else None
    if out is not None:
        check_writable(out)
    max_seconds = None if args.max_seconds is None else _positive(args.max_seconds,
                                                                 "--max-seconds")
    exact = landscape(problem, max_seconds=max_seconds, force=bool(args.force))
    report = train(problem, optimizers, settings, exact=exact)
    if out is not None:
        write_atomic(out, json_lines(report_json(report), "runs"))
    sys.stdout.write(report_text(report))
    sys.stdout.flush()
    bad = sum(len(t.discrepancies) for t in report.trainings)
    if bad:
        print(f"DISCREPANCY: {bad} run(s) at rest where the exact results list nothing "
              f"(listed above{' and in ' + str(out) if out else ''})", file=sys.stderr)
        return EXIT_DISCREPANCY
    return 0


COMMAND = Command("train", HELP, add_arguments, run, value_options=VALUE_OPTIONS)

"""Command line: ``python -m solver solve DATA.csv --lam 1/100 --units 2``.

One module per subcommand (:mod:`solver.cli.solve`, :mod:`solver.cli.path`,
:mod:`solver.cli.verify`, :mod:`solver.cli.train`), each
defining a :class:`~solver.cli.common.Command`; adding a subcommand is a new module and
one entry in :data:`COMMANDS`. Every input problem ends as one line ``error: ...`` on
stderr and exit code 2, never a traceback.

Examples
--------
>>> main(["solve", "no-such-file.csv", "--lam", "1/100", "--units", "2"])
2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from solver.cli import path, solve, train, verify
from solver.cli.common import Parser, guarded, join_negative_values

COMMANDS = (
    solve.COMMAND,
    path.COMMAND,
    verify.COMMAND,
    train.COMMAND,
)

_EPILOG = """\
examples:
  %(prog)s solve assets/paper_example.csv --lam 1/100 --units 2
  %(prog)s solve data.csv --lam 0.01 --units 2 --json result.json --latex result.tex
  %(prog)s verify result.json data.csv
  %(prog)s train assets/paper_example.csv --lam 1/100 --units 2 --runs 1000
  %(prog)s path data.csv --units 2 --lam-min 1/10000 --lam-max 1 --json path.json
  %(prog)s verify path.json data.csv

CSV files have a header x,y (d = 1) or x1,...,xd,y; numbers are read exactly
("-0.17" is -17/100, "1/3" is allowed). Exit code 2 means bad input (one line on stderr).
"""


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of every subcommand in :data:`COMMANDS`.

    Parameters
    ----------
    prog : str, optional
        Program name shown in help and errors.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> args = build_parser().parse_args(["solve", "d.csv", "--lam", "1/100", "--units", "2"])
    >>> args.lam, args.units, args.json
    ('1/100', '2', None)
    """
    parser = Parser(
        prog=prog,
        description="Every local minimum of a small ridge-regularised ReLU network, exactly.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    names = ",".join(c.name for c in COMMANDS)
    sub = parser.add_subparsers(dest="command", metavar=f"{{{names}}}", parser_class=Parser)
    sub.required = True
    for command in COMMANDS:
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run the command line and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.
    prog : str, optional
        Program name for help and error messages.

    Returns
    -------
    int
        0 on success, 2 on bad input (one ``error:`` line on stderr), 130 on Ctrl-C; for
        ``verify``, the checker's own code.

    Examples
    --------
    >>> main(["solve", "data.csv", "--units", "2"])  # --lam is missing
    2
    """
    options = {option for c in COMMANDS for option in c.value_options}
    args_list = join_negative_values(list(sys.argv[1:] if argv is None else argv), options)
    parser = build_parser(prog)
    by_name = {c.name: c for c in COMMANDS}
    command = by_name.get(args_list[0]) if args_list else None
    if command is not None and command.raw is not None \
            and not {"-h", "--help"} & set(args_list):
        raw = command.raw
        return guarded(lambda: raw(args_list[1:]))
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    run = by_name[args.command].run
    return guarded(lambda: run(args))

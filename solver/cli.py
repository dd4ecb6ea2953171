"""Command line: ``python -m solver solve DATA.csv --lam 1/100 --units 2``.

Every input problem ends as one line ``error: ...`` on stderr and exit code 2, never a
traceback. Progress goes to stderr once a solve has run for a second.

Examples
--------
>>> main(["solve", "no-such-file.csv", "--lam", "1/100", "--units", "2"])
2
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from solver.data import parse_lam, parse_rational, parse_units, read_csv
from solver.errors import (
    DegenerateProblemError,
    ProblemTooLargeError,
    SolveCancelled,
    SolverError,
    SolverInputError,
)

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

# Options whose value may be negative: argparse would read "-1/100" as an option name.
_VALUE_OPTIONS = ("--lam", "--units", "--max-seconds", "--workers")
_NEGATIVE_NUMBER = re.compile(r"^-(\d|\.\d)")

_EPILOG = """\
examples:
  %(prog)s solve assets/paper_example.csv --lam 1/100 --units 2
  %(prog)s solve data.csv --lam 0.01 --units 2 --json result.json --latex result.tex
  %(prog)s verify result.json data.csv

CSV files have a header x,y (d = 1) or x1,...,xd,y; numbers are read exactly
("-0.17" is -17/100, "1/3" is allowed). Exit code 2 means bad input (one line on stderr).
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one ``error:`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error on one line and exit with code 2."""
        self.exit(EXIT_ERROR, f"error: {message} (see {self.prog} --help)\n")


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``solve`` and ``verify`` subcommands.

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
    parser = _Parser(
        prog=prog,
        description="Every local minimum of a small ridge-regularised ReLU network, exactly.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{solve,verify}", parser_class=_Parser)
    sub.required = True
    solve = sub.add_parser("solve", help="find and certify all local minima of a data set")
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
    verify = sub.add_parser("verify", help="re-check a result file independently of the solver")
    verify.add_argument("result", metavar="RESULT.json")
    verify.add_argument("data", metavar="DATA.csv")
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
    args_list = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser(prog)
    if args_list and args_list[0] == "verify" and not {"-h", "--help"} & set(args_list):
        return _guarded(lambda: _run_verify(args_list[1:]))
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    return _guarded(lambda: _run_solve(args))


def _guarded(run: Callable[[], int]) -> int:
    """Run a subcommand, turning every expected failure into one ``error:`` line."""
    try:
        return run()
    except ProblemTooLargeError as exc:
        return _fail(_too_large_message(exc))
    except (SolverInputError, DegenerateProblemError) as exc:
        return _fail(str(exc))
    except SolveCancelled as exc:
        return _fail(f"solve cancelled{': ' + str(exc) if str(exc) else ''}")
    except SolverError as exc:  # e.g. the dask cluster failed
        return _fail(str(exc))
    except BrokenPipeError:
        # stdout closed early (``| head``): stop quietly, and keep Python's own flush at
        # exit from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        return _fail(_os_message(exc))
    except KeyboardInterrupt:
        print("\nerror: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run_solve(args: argparse.Namespace) -> int:
    """The ``solve`` subcommand: validate, solve, write the table / JSON / LaTeX."""
    data = read_csv(args.data)
    lam = parse_lam(args.lam)
    units = parse_units(args.units)
    kwargs: dict[str, object] = {"force": bool(args.force),
                                 "completeness": bool(args.completeness)}
    if args.max_seconds is not None:
        kwargs["max_seconds"] = _positive_seconds(args.max_seconds)
    if args.workers is not None:
        kwargs["workers"] = _positive_int(args.workers, "--workers")
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
            _check_writable(Path(out))

    from solver import solve  # late: input errors above need no solver core

    progress = ProgressPrinter(sys.stderr)
    try:
        sol = solve(data.x, data.y, lam, units, progress=progress, **kwargs)
    finally:
        progress.close()

    if args.json is not None:
        _write_atomic(Path(args.json), json_text(sol.to_json()))
    if args.latex is not None:
        _write_atomic(Path(args.latex), sol.to_latex())
    if args.json is None:
        sys.stdout.write(sol.to_table())
        sys.stdout.flush()
    else:
        print(f"wrote {len(sol.minima)} minima to {args.json}", file=sys.stderr)
    return EXIT_OK


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


def _run_verify(argv: list[str]) -> int:
    """The ``verify`` subcommand, delegated to :mod:`solver.verify` when it is present."""
    try:
        module = importlib.import_module("solver.verify")
    except ModuleNotFoundError as exc:
        if exc.name != "solver.verify":
            raise
        return _fail("verify is not available in this version (solver/verify.py is missing)")
    entry = getattr(module, "main_verify", None) or getattr(module, "main", None)
    if entry is None:
        return _fail("solver.verify has no main_verify(argv) entry point")
    return int(entry(argv) or 0)


class ProgressPrinter:
    """Progress callback for :func:`solver.solve`: one stderr line at most every interval.

    Nothing is printed during the first second, so fast solves stay silent. A call with
    ``done == 0`` (a cluster solve starting, after the cluster came up) restarts the ETA
    clock, so the start-up time does not inflate the estimate.
    """

    def __init__(self, stream: TextIO, delay: float = 1.0) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.delay = delay
        # A terminal line is rewritten in place; a log gets a new line only every 2 s.
        self.interval = 0.25 if self.tty else 2.0
        self.start = time.monotonic()
        self.last: float | None = None
        self.origin: float | None = None  # when the work started, if reported
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == 0:
            self.origin = now
        elapsed = now - self.start
        if elapsed < self.delay:
            return
        if self.last is not None and now - self.last < self.interval and done < total:
            return
        self.last = now
        origin = self.start if self.origin is None else self.origin
        line = progress_line(done, total, now - origin)
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End an in-place terminal line."""
        if self.tty and self.last is not None:
            self.stream.write("\n")
            self.stream.flush()


def progress_line(done: int, total: int, elapsed: float) -> str:
    """One progress line with a linear ETA.

    Examples
    --------
    >>> progress_line(120, 3321, 0.12)
    'faces 120/3321 (3%), ETA 3s'
    >>> progress_line(0, 10, 5.0)
    'faces 0/10 (0%), ETA ?'
    """
    pct = 100 * done // total if total > 0 else 0
    if done <= 0 or total <= 0:
        eta = "?"
    else:
        eta = format_duration(elapsed * max(total - done, 0) / done)
    return f"faces {done}/{total} ({pct}%), ETA {eta}"


def format_duration(seconds: float) -> str:
    """Seconds as ``3s``, ``2m05s``, ``1h02m``, ``3.2 days`` or ``6.4 years``.

    Examples
    --------
    >>> format_duration(125.4), format_duration(0.2), format_duration(7300)
    ('2m05s', '0s', '2h01m')
    >>> format_duration(3 * 86400), format_duration(201_215_070)
    ('3 days', '6.38 years')
    """
    if not math.isfinite(seconds):
        return "forever"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    days = seconds / 86400
    if days < 365:
        return f"{days:.3g} days"
    years = days / 365.25
    return f"{years:.3g} years" if years < 1e6 else f"{years:.2e} years"


def _too_large_message(exc: ProblemTooLargeError) -> str:
    """The refusal line: the solver's reason, the estimate, and how to override."""
    text = str(exc)
    estimate = getattr(exc, "estimate_seconds", None)
    if isinstance(estimate, (int, float)):
        text += f" (estimated time {format_duration(float(estimate))})"
    if "--force" not in text:
        text += "; pass --force to solve anyway"
    return text


def _fail(message: str) -> int:
    """Print ``error: message`` as one line on stderr and return exit code 2."""
    one_line = " ".join(message.split())
    print(f"error: {one_line}", file=sys.stderr)
    return EXIT_ERROR


def _os_message(exc: OSError) -> str:
    """``path: reason`` for a file system error."""
    reason = exc.strerror or exc.__class__.__name__
    return f"{exc.filename}: {reason}" if exc.filename else reason


def _join_negative_values(argv: list[str]) -> list[str]:
    """Turn ``--lam -1/100`` into ``--lam=-1/100`` so argparse keeps it as a value."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _VALUE_OPTIONS and i + 1 < len(argv) and _NEGATIVE_NUMBER.match(argv[i + 1]):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _positive_seconds(text: str) -> float:
    """``--max-seconds`` as a positive finite number of seconds."""
    value = parse_rational(text, "--max-seconds")
    if value <= 0:
        raise SolverInputError(f"--max-seconds must be positive, got {text}")
    return float(value)


def _positive_int(text: str, name: str) -> int:
    """A whole number >= 1 given on the command line."""
    if not re.fullmatch(r"\d{1,9}", text.strip()) or int(text) < 1:
        raise SolverInputError(f"{name} must be a whole number >= 1, got {text!r}")
    return int(text)


def _check_writable(path: Path) -> None:
    """Fail before a long solve if ``path`` cannot be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise SolverInputError(f"{path}: is a directory, expected an output file name")
    if not parent.is_dir():
        raise SolverInputError(f"{path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise SolverInputError(f"{path}: directory {parent} is not writable")


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no half file is left."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

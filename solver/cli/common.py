"""What the subcommands share: the parser, the error guard, progress and file writing.

Every input problem ends as one line ``error: ...`` on stderr and exit code 2, never a
traceback (:func:`guarded`). A subcommand is a :class:`Command` (see :mod:`solver.cli`).

Examples
--------
>>> format_duration(125.4)
'2m05s'
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from solver.data import parse_rational
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

_NEGATIVE_NUMBER = re.compile(r"^-(\d|\.\d)")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one ``error:`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error on one line and exit with code 2."""
        self.exit(EXIT_ERROR, f"error: {message} (see {self.prog} --help)\n")


@dataclass(frozen=True, slots=True)
class Command:
    """One subcommand: its name and help line, ``add_arguments(parser)`` declaring its
    arguments, and ``run(args)`` returning the exit code.

    ``raw(argv)``, when given, runs the subcommand on its unparsed arguments (a program
    with its own parser, e.g. the checker); ``value_options`` are the options whose value
    may be a negative number (argparse would read ``-1/100`` as an option name).
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    raw: Callable[[list[str]], int] | None = None
    value_options: tuple[str, ...] = ()


def guarded(run: Callable[[], int]) -> int:
    """Run a subcommand, turning every expected failure into one ``error:`` line."""
    try:
        return run()
    except ProblemTooLargeError as exc:
        return fail(too_large_message(exc))
    except (SolverInputError, DegenerateProblemError) as exc:
        return fail(str(exc))
    except SolveCancelled as exc:
        return fail(f"solve cancelled{': ' + str(exc) if str(exc) else ''}")
    except SolverError as exc:  # e.g. the dask cluster failed
        return fail(str(exc))
    except BrokenPipeError:
        # stdout closed early (``| head``): stop quietly, and keep Python's own flush at
        # exit from failing again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as exc:
        return fail(os_message(exc))
    except KeyboardInterrupt:
        print("\nerror: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


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


def too_large_message(exc: ProblemTooLargeError) -> str:
    """The refusal line: the solver's reason, the estimate, and how to override."""
    text = f"{exc} (estimated time {format_duration(float(exc.estimate_seconds))})"
    if "--force" not in text:
        text += "; pass --force to solve anyway"
    return text


def fail(message: str) -> int:
    """Print ``error: message`` as one line on stderr and return exit code 2."""
    one_line = " ".join(message.split())
    print(f"error: {one_line}", file=sys.stderr)
    return EXIT_ERROR


def os_message(exc: OSError) -> str:
    """``path: reason`` for a file system error."""
    reason = exc.strerror or exc.__class__.__name__
    return f"{exc.filename}: {reason}" if exc.filename else reason


def join_negative_values(argv: list[str], options: Collection[str]) -> list[str]:
    """Turn ``--lam -1/100`` into ``--lam=-1/100`` (``--lam`` one of ``options``) so
    argparse keeps it as a value.

    >>> join_negative_values(["solve", "--lam", "-1/100"], ("--lam",))
    ['solve', '--lam=-1/100']
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in options and i + 1 < len(argv) and _NEGATIVE_NUMBER.match(argv[i + 1]):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def positive_seconds(text: str) -> float:
    """``--max-seconds`` as a positive finite number of seconds."""
    value = parse_rational(text, "--max-seconds")
    if value <= 0:
        raise SolverInputError(f"--max-seconds must be positive, got {text}")
    return float(value)


def positive_int(text: str, name: str) -> int:
    """A whole number >= 1 given on the command line."""
    if not re.fullmatch(r"\d{1,9}", text.strip()) or int(text) < 1:
        raise SolverInputError(f"{name} must be a whole number >= 1, got {text!r}")
    return int(text)


def check_writable(path: Path) -> None:
    """Fail before a long solve if ``path`` cannot be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise SolverInputError(f"{path}: is a directory, expected an output file name")
    if not parent.is_dir():
        raise SolverInputError(f"{path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise SolverInputError(f"{path}: directory {parent} is not writable")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no half file is left."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

"""Shared output helpers: Markdown tables, number formats and what was measured on what.

Examples
--------
>>> print(markdown_table(["a", "b"], [["1", "x"], ["22", "y"]]))
| a  | b |
|----|---|
| 1  | x |
| 22 | y |
>>> seconds_text(0.00042), seconds_text(0.31234), seconds_text(12.345)
('0.0004', '0.312', '12.3')
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

import solver

SOLVER_DIR = Path(solver.__file__).resolve().parent


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with columns padded to equal width (readable as plain text too)."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def seconds_text(seconds: float) -> str:
    """Seconds: four decimals below 0.01 s, three below 10 s, one above."""
    if seconds < 0.01:
        return f"{seconds:.4f}"
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def machine() -> dict[str, str | int | None]:
    """The machine the numbers were measured on."""
    model = None
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import flint

    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cores": usable,
        "python": platform.python_version(),
        "python-flint": flint.__version__,
        "system": f"{platform.system()} {platform.release()}",
    }


def solver_revision() -> str:
    """The git commit of the solver measured, with ``+ uncommitted`` when ``solver/``
    differs from it (another engineer's work in progress, for instance)."""
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=SOLVER_DIR, capture_output=True, text=True, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return f"{SOLVER_DIR} (not a git checkout)"
    dirty = git("status", "--porcelain", "--", ".")
    return f"{commit} at {SOLVER_DIR}" + (" + uncommitted changes in solver/" if dirty else "")


def header_lines() -> list[str]:
    """Lines that say what was measured on what, printed above every table."""
    info = machine()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return [
        f"machine: {info['cpu']}, {info['cores']} cores usable, {info['system']}, "
        f"load average (1, 5, 15 min) at the end {load}, this run included",
        f"python {info['python']}, python-flint {info['python-flint']}",
        f"solver: {solver_revision()}",
    ]

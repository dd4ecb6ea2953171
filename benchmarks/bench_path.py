"""Regularisation-path benchmark: the paper example and seeded random data, targets checked.

    python -m benchmarks.bench_path            # paper example (L = 2), n = 10 d = 1 L = 2
    python -m benchmarks.bench_path --quick    # the paper example only
    python -m benchmarks.bench_path --check    # also run the checker on every path

Prints a Markdown table: the problem, face sets traced, breakpoints, branches, events
(exact / certified), wall and CPU seconds (the machine has 2 cores and is often shared: the
CPU column is the path's own work), the target and whether it is met, and with ``--check``
the checker's verdict and time. Targets (issue 11): the paper example over
``[1/10000, 1]`` with 2 units in at most 5 s with every event exact; ``n = 10, d = 1, L = 2``
in at most 60 s. Times are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from fractions import Fraction

from benchmarks.problems import paper_example, random_problem
from benchmarks.report import header_lines, markdown_table
from solver import path


@dataclass(frozen=True)
class Case:
    """One benchmark problem over ``[lam_min, lam_max]`` with a time target in seconds."""

    name: str
    problem: object
    lam_min: Fraction
    lam_max: Fraction
    target: float | None
    quick: bool = False


def cases() -> list[Case]:
    """The benchmark's problems."""
    paper = paper_example(None)
    return [
        Case("paper example", paper, Fraction(1, 10000), Fraction(1), 5.0, quick=True),
        Case("random (seed 1)", random_problem("n10", 10, 1, 2, 1), Fraction(1, 10000),
             Fraction(1), 60.0),
        Case("random d = 2 (seed 3)", random_problem("d2", 4, 2, 2, 3), Fraction(1, 10000),
             Fraction(1), None),
    ]


def run(case: Case, check: bool) -> list[str]:
    """Measure one case; one table row."""
    p = case.problem
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = path(p.x, p.y, p.units, case.lam_min, case.lam_max, force=True)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    exact = sum(1 for e in result.events if e.lam.minpoly is not None or e.lam.is_rational)
    met = "—" if case.target is None else ("yes" if wall <= case.target else
                                           ("CPU only" if cpu <= case.target else "no"))
    row = [case.name, str(p.d), str(p.units), str(p.n), f"{case.lam_min} .. {case.lam_max}",
           str(result.stats.face_sets), str(result.stats.breakpoints),
           str(len(result.branches)), _events_text(result, exact),
           f"{wall:.2f}", f"{cpu:.2f}",
           "—" if case.target is None else f"≤ {case.target:g} s", met]
    if check:
        from solver.data import make_dataset
        from solver.verify.path import verify_path

        t = time.perf_counter()
        doc = json.loads(json.dumps(result.to_json()))
        report = verify_path(doc, make_dataset([list(r) for r in p.x], list(p.y)))
        row += ["OK" if report.ok else f"{len(report.problems)} FAIL",
                f"{time.perf_counter() - t:.2f}"]
    return row


def _events_text(result, exact: int) -> str:
    """``"54 (52 exact, 2 certified crossings)"``, uncertified ones named too."""
    unproved = sum(e.uncertified is not None for e in result.events)
    crossings = len(result.events) - exact - unproved
    parts = [f"{exact} exact"] + ([f"{crossings} certified crossings"] if crossings else [])
    parts += [f"{unproved} NOT CERTIFIED"] if unproved else []
    return f"{len(result.events)} ({', '.join(parts)})"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the paper example only")
    parser.add_argument("--check", action="store_true", help="run the checker on every path")
    args = parser.parse_args(argv)
    for line in header_lines():
        print(line)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load:.2f}\n", flush=True)
    headers = ["problem", "d", "L", "n", "λ range", "face sets", "breakpoints", "branches",
               "events", "wall s", "CPU s", "target", "met"]
    if args.check:
        headers += ["checker", "checker s"]
    rows = []
    for case in cases():
        if args.quick and not case.quick:
            continue
        rows.append(run(case, args.check))
        print(" | ".join(rows[-1]), flush=True)
    print()
    print(markdown_table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Solver benchmark: time ``solver.solve`` on fixed problems, against targets and a baseline.

Run from the repository root::

    python -m benchmarks.bench_solver                 # the full table (several minutes)
    python -m benchmarks.bench_solver --quick         # only the small problems
    python -m benchmarks.bench_solver --only "d=1 L=3 n=8" --json out.json
    python -m benchmarks.bench_solver --growth        # time and faces against n, a PNG

Each problem runs in its own process with a time limit, first with the solver, then with
the straightforward baseline (:mod:`benchmarks.baseline`), whose minima must equal the
solver's. An error or a timeout is reported in the table, never raised. Every number
printed is measured by this run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.isolate import Limited, run_limited
from benchmarks.measure import measure_baseline, measure_solver, same_minima
from benchmarks.problems import REPO, Problem, standard_problems
from benchmarks.report import header_lines, machine, markdown_table, seconds_text, solver_revision

MIN_LIMIT = 10.0  # process start and imports take about a second


@dataclass(frozen=True, slots=True)
class Row:
    """One problem's measurements: the solver's, and the baseline's if it was run."""

    problem: Problem
    limit: float
    solver: Limited
    baseline: Limited | None
    baseline_limit: float


def solver_limit(problem: Problem, factor: float) -> float:
    """The time limit of a problem: ``factor`` times its target, at least ``MIN_LIMIT``."""
    target = problem.target if problem.target is not None else MIN_LIMIT
    return max(MIN_LIMIT, factor * target)


def run_problems(
    problems: Sequence[Problem], factor: float, baseline_limit: float | None
) -> list[Row]:
    """Measure every problem, one process at a time (the machine has 2 shared cores)."""
    rows = []
    for problem in problems:
        limit = solver_limit(problem, factor)
        print(f"... {problem.name}: solver (limit {limit:g} s)", file=sys.stderr, flush=True)
        solved = run_limited(measure_solver, (problem,), limit)
        baseline = None
        if baseline_limit is not None:
            print(f"... {problem.name}: baseline (limit {baseline_limit:g} s)",
                  file=sys.stderr, flush=True)
            baseline = run_limited(measure_baseline, (problem,), baseline_limit)
        rows.append(Row(problem, limit, solved, baseline, baseline_limit or 0.0))
    return rows


def agreement(row: Row) -> str:
    """``identical`` (same JSON minima), ``same minima``, ``DIFFERENT`` or ``—``."""
    if row.baseline is None or row.baseline.kind != "ok" or row.solver.kind != "ok":
        return "—"
    a, b = row.solver.value, row.baseline.value
    if a["digest"] == b["digest"]:
        return "identical"
    return "same minima" if same_minima(a["summary"], b["summary"]) else "DIFFERENT"


def _met(problem: Problem, result: Limited, measure: str) -> str:
    """``yes``/``no``: the run's ``seconds`` (wall) or ``cpu`` time against the target.

    CPU time stands for the wall time on an idle core (the solver is single-threaded);
    a run stopped at its limit has neither, and counts as ``no`` only for the wall.
    """
    if problem.target is None:
        return "—"
    if result.kind == "ok":
        return "yes" if result.value[measure] <= problem.target else "no"
    return "no" if result.kind == "timeout" and measure == "seconds" else "—"


def format_rows(rows: Sequence[Row]) -> str:
    """The Markdown table, with numbered notes for errors below it."""
    headers = [
        "problem", "d", "L", "n", "unit faces", "faces", "systems", "candidates", "minima",
        "orbits", "seconds", "cpu s", "target", "met? (wall)", "met? (cpu)", "baseline s",
        "baseline systems",
        "speed-up (cpu)", "baseline = solver?",
    ]
    notes: list[str] = []

    def cell(result: Limited | None) -> str:
        if result is None:
            return "not run"
        if result.kind == "ok":
            return seconds_text(result.value["seconds"])
        if result.kind == "timeout":
            return result.message
        notes.append(result.message)
        return f"error [{len(notes)}]"

    table = []
    for row in rows:
        p, s, b = row.problem, row.solver, row.baseline
        ok = s.kind == "ok"
        stats = s.value["stats"] if ok else {}
        b_ok = b is not None and b.kind == "ok"
        seconds = cell(s)
        met_wall, met_cpu = _met(p, s, "seconds"), _met(p, s, "cpu")
        speedup = f"{b.value['cpu'] / s.value['cpu']:.1f}x" if ok and b_ok else "—"
        minima = f"{s.value['minima']} ({s.value['curves']} curves)" if ok else "—"
        orbits = str(s.value["orbits"]) if ok else "—"
        table.append([
            p.name, str(p.d), str(p.units), str(p.n),
            str(s.value["unit_faces"]) if ok else "—",
            str(stats.get("faces", "—")), str(stats.get("systems", "—")),
            str(stats.get("candidates", "—")), minima, orbits, seconds,
            seconds_text(s.value["cpu"]) if ok else "—",
            f"≤ {p.target:g} s" if p.target is not None else "—", met_wall, met_cpu, cell(b),
            str(b.value["stats"]["systems"]) if b_ok else "—", speedup, agreement(row),
        ])
    text = markdown_table(headers, table)
    if notes:
        text += "\n\n" + "\n".join(f"[{k}] {note}" for k, note in enumerate(notes, start=1))
    return text


def rows_json(rows: Sequence[Row]) -> dict[str, Any]:
    """The measured numbers, for ``--json``."""
    def result(r: Limited | None, limit: float) -> dict[str, Any] | None:
        if r is None:
            return None
        out: dict[str, Any] = {"kind": r.kind, "limit": limit, "wall": round(r.wall, 3)}
        if r.kind == "ok":
            out.update({k: v for k, v in r.value.items() if k not in ("summary", "digest")})
        else:
            out["message"] = r.message
        return out

    return {
        "machine": machine(),
        "solver": solver_revision(),
        "problems": [
            {
                "name": row.problem.name, "d": row.problem.d, "units": row.problem.units,
                "n": row.problem.n, "target": row.problem.target,
                "solver": result(row.solver, row.limit),
                "baseline": result(row.baseline, row.baseline_limit),
                "baseline_agrees": agreement(row),
            }
            for row in rows
        ],
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="only the small problems (those marked quick in problems.py)")
    parser.add_argument("--only", metavar="NAME", help="only the problem of this name")
    parser.add_argument("--json", metavar="OUT", type=Path, help="also write the numbers")
    parser.add_argument("--limit-factor", type=float, default=2.0,
                        help="a solve is stopped after this many times its target (default 2)")
    parser.add_argument("--baseline-limit", type=float, default=120.0,
                        help="seconds the baseline may take per problem (default 120)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    parser.add_argument("--growth", action="store_true",
                        help="time and faces against n (d = 1, L = 2 and 3): PNG and JSON")
    parser.add_argument("--growth-limit", type=float, default=60.0,
                        help="seconds per growth point; a series stops at its first timeout")
    parser.add_argument("--plot", type=Path, default=REPO / "assets" / "growth.png",
                        help="where --growth draws its plot (default assets/growth.png)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark selected by ``argv`` and print its table."""
    args = parse_args(argv)
    if args.growth:
        from benchmarks.growth import main_growth

        return main_growth(args.growth_limit, args.plot, args.json)
    problems = standard_problems()
    if args.only:
        problems = [p for p in problems if p.name == args.only]
        if not problems:
            names = ", ".join(repr(p.name) for p in standard_problems())
            print(f"error: no problem named {args.only!r} (choose from {names})", file=sys.stderr)
            return 2
    elif args.quick:
        problems = [p for p in problems if p.quick]
    baseline_limit = None if args.no_baseline else args.baseline_limit
    rows = run_problems(problems, args.limit_factor, baseline_limit)
    print("\n".join(header_lines()))
    print()
    print(format_rows(rows))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows_json(rows), indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

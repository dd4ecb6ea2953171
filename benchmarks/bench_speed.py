"""Hot-path benchmark: the issue-13 sizes solved in this process, wall and CPU time.

Run from the repository root::

    python -m benchmarks.bench_speed                    # the default sizes, best of 3
    python -m benchmarks.bench_speed --all              # with the long rows (n = 40, L = 4, d = 3)
    python -m benchmarks.bench_speed --only "d=1 L=2 n=20" --repeat 5
    python -m benchmarks.bench_speed --profile "d=1 L=2 n=20"   # cProfile, top 25

Each size is solved ``--repeat`` times in this one process (imports and the first solve's
warm-up excluded by an untimed run of the paper example; rows marked long run once); the
table shows the best and the median wall and CPU seconds, the target (issue 13, wall time
on an idle machine), ``solver.estimate_seconds`` beside the measured time (the estimate
is what the dashboard refuses by), the load average when the row ended, and a digest of
the minima (their JSON) so that two revisions can be compared for identical output. The
machine's cores are shared: CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Sequence
from fractions import Fraction

from benchmarks.problems import LAM, Problem, paper_example, random_problem
from solver import estimate_seconds

# The dashboard's 2-D "six points" (benchmarks.bench_2d.SIX, x1,x2,y per point; issue 14:
# its edit -> redraw within 1 s needs this solve at about 0.5 s).
SIX_POINTS = "-1,-0.8,0.5;0.9,-1,-0.3;-0.7,1,-0.6;1,0.7,0.9;0.1,-0.3,0.2;-0.2,0.45,-0.1"


def six_points() -> Problem:
    """The dashboard's 2-D six points with 2 units (``lam = 1/100``)."""
    rows = [[Fraction(v) for v in row.split(",")] for row in SIX_POINTS.split(";")]
    return Problem("d=2 L=2 six points", tuple(tuple(r[:2]) for r in rows),
                   tuple(r[2] for r in rows), LAM, 2, quick=True)


def speed_problems() -> list[Problem]:
    """The sizes of issue 13 (seeded as in :func:`benchmarks.problems.standard_problems`);
    the long ones (``quick=False``) run only with ``--all`` or ``--only``."""
    return [
        paper_example(0.015),
        random_problem("d=1 L=2 n=15", n=15, d=1, units=2, seed=15, quick=True),
        random_problem("d=1 L=2 n=20", n=20, d=1, units=2, seed=20, target=0.3, quick=True),
        random_problem("d=1 L=2 n=40", n=40, d=1, units=2, seed=40, target=5.0),
        random_problem("d=1 L=3 n=10", n=10, d=1, units=3, seed=10, target=1.0, quick=True),
        random_problem("d=1 L=4 n=6", n=6, d=1, units=4, seed=6, target=20.0),
        random_problem("d=2 L=2 n=4", n=4, d=2, units=2, seed=24, quick=True),
        random_problem("d=2 L=2 n=5", n=5, d=2, units=2, seed=25, quick=True),
        random_problem("d=2 L=2 n=6", n=6, d=2, units=2, seed=26, quick=True),
        six_points(),
        random_problem("d=2 L=2 n=8", n=8, d=2, units=2, seed=28, target=3.0, quick=True),
        random_problem("d=3 L=2 n=6", n=6, d=3, units=2, seed=36, target=30.0),
    ]


def solve_once(problem: Problem) -> tuple[float, float, str, dict, int]:
    """Wall and CPU seconds of one solve, the minima's digest, the stats and the number
    of minima."""
    from solver import solve

    start, cpu = time.perf_counter(), time.process_time()
    sol = solve(problem.x, problem.y, problem.lam, problem.units, force=True)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    doc = sol.to_json()
    digest = hashlib.sha256(json.dumps(doc["minima"], sort_keys=True).encode()).hexdigest()
    return wall, cpu, digest[:12], doc["stats"], len(doc["minima"])


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table (or a profile) selected by ``argv``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="NAME", help="only the problem of this name")
    parser.add_argument("--repeat", type=int, default=3, help="solves per problem (default 3)")
    parser.add_argument("--profile", metavar="NAME", help="cProfile one solve of NAME")
    parser.add_argument("--all", action="store_true", help="also the long rows")
    args = parser.parse_args(argv)
    problems = speed_problems()
    solve_once(problems[0])  # imports and caches, untimed
    if args.profile:
        problem = next((p for p in problems if p.name == args.profile), None)
        if problem is None:
            print(f"error: no problem named {args.profile!r}", file=sys.stderr)
            return 2
        profiler = cProfile.Profile()
        profiler.enable()
        solve_once(problem)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return 0
    if args.only:
        problems = [p for p in problems if p.name == args.only]
    elif not args.all:
        problems = [p for p in problems if p.quick]
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| problem | wall s (best) | wall s (median) | cpu s (best) | cpu s (median) "
          "| target s | estimate s | load | systems | minima | minima digest |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for problem in problems:
        repeat = args.repeat if problem.quick or args.only else 1
        runs = [solve_once(problem) for _ in range(repeat)]
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        target = "—" if problem.target is None else f"{problem.target:g}"
        estimate = estimate_seconds(problem.n, problem.d, problem.units)
        print(f"| {problem.name} | {min(walls):.3f} | {statistics.median(walls):.3f} | "
              f"{min(cpus):.3f} | {statistics.median(cpus):.3f} | {target} | {estimate:.3g} "
              f"| {os.getloadavg()[0]:.1f} | {runs[0][3]['systems']} | {runs[0][4]} "
              f"| {runs[0][2]} |", flush=True)
    print(f"load average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

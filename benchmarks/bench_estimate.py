"""How close ``solver.estimate_seconds`` is to measured solves, over a range of shapes.

Run from the repository root (``nice`` it on a shared machine)::

    python -m benchmarks.bench_estimate            # every shape below, one solve per seed
    python -m benchmarks.bench_estimate --quick    # the shapes estimated under 2 s
    python -m benchmarks.bench_estimate --units 4  # the shapes with 4 units only

Each shape (``d``, ``L``, ``n``) is solved for a few seeded random data sets
(:func:`benchmarks.problems.random_problem`) in this process; the table shows the
estimate, the measured CPU and wall seconds (the worst seed), and the ratio
measured / estimated (worst seed, CPU and wall). The estimate is what the dashboard and
``--max-seconds`` refuse by: a ratio above 1 means a problem can run longer than the
limit promised, far below 1 means a refusal of a problem that would have fitted. Every
seed whose CPU time is over its estimate is listed at the end and the exit status is 1:
the check that the estimate is not an under-estimate on the seeds measured (a benchmark,
not a timed test: run it on a quiet machine).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from benchmarks.problems import paper_example, random_problem
from solver import DegenerateProblemError, estimate_seconds, solve

# (d, units, n, seeds): the shapes measured, small to large.
SHAPES: tuple[tuple[int, int, int, tuple[int, ...]], ...] = (
    (1, 1, 10, (1, 2)), (1, 1, 40, (1, 2)),
    (1, 2, 5, (1, 2, 3)), (1, 2, 10, (1, 2)), (1, 2, 20, (1, 2)), (1, 2, 30, (1,)),
    (1, 2, 40, (1, 2)),
    (1, 3, 5, (1, 2, 3)), (1, 3, 8, (1, 2)), (1, 3, 10, (1, 2)), (1, 3, 12, (1,)),
    # 4 and 5 units: the time varies between data sets (curves of minima, whose points are
    # eliminated exactly), so more seeds (the refit of the k >= 4 constants)
    (1, 4, 3, tuple(range(1, 13))), (1, 4, 4, tuple(range(1, 13))),
    (1, 4, 5, tuple(range(1, 9))), (1, 4, 6, tuple(range(1, 9))), (1, 4, 7, (1, 2, 3)),
    (1, 5, 2, tuple(range(1, 9))), (1, 5, 3, tuple(range(1, 13))), (1, 5, 4, tuple(range(1, 7))),
    (2, 1, 10, (1,)), (2, 2, 4, (1, 2, 3)), (2, 2, 6, (1, 2)), (2, 2, 8, (1,)),
    (2, 3, 4, (1, 2)), (2, 3, 5, (1,)), (2, 4, 2, tuple(range(1, 9))),
    (2, 4, 3, tuple(range(1, 9))), (2, 5, 2, (1, 2, 3, 4, 5)), (2, 5, 3, (1, 2, 3)),
    (3, 2, 4, (1, 2)), (3, 2, 5, (1,)), (3, 2, 6, (36,)),
)


def measure(d: int, units: int, n: int, seed: int) -> tuple[float, float, str]:
    """CPU and wall seconds of one solve, and ``""`` or the refusal's name."""
    problem = random_problem("estimate", n=n, d=d, units=units, seed=seed)
    start, cpu = time.perf_counter(), time.process_time()
    outcome = ""
    try:
        solve(problem.x, problem.y, problem.lam, units, force=True)
    except DegenerateProblemError:
        outcome = "degenerate"
    return time.process_time() - cpu, time.perf_counter() - start, outcome


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only shapes estimated < 2 s")
    parser.add_argument("--units", type=int, nargs="*", help="only shapes with these units")
    args = parser.parse_args(argv)
    warm = paper_example()
    solve(warm.x, warm.y, warm.lam, warm.units)  # imports and caches, untimed
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("| d | L | n | seeds | estimate s | CPU s (worst) | wall s (worst) "
          "| CPU / estimate | wall / estimate | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    over = []
    for d, units, n, seeds in SHAPES:
        estimate = estimate_seconds(n, d, units)
        if (args.quick and estimate > 2) or (args.units and units not in args.units):
            continue
        runs = [measure(d, units, n, seed) for seed in seeds]
        over += [f"d={d} L={units} n={n} seed {seed}: {r[0]:.3g} s CPU > {estimate:.3g} s"
                 for seed, r in zip(seeds, runs) if r[0] > estimate]
        cpu, wall = max(r[0] for r in runs), max(r[1] for r in runs)
        worst = seeds[max(range(len(runs)), key=lambda i: runs[i][0])]
        notes = "".join(f" ({r[2]})" for r in runs if r[2])
        print(f"| {d} | {units} | {n} | {len(seeds)}{notes} | {estimate:.3g} | {cpu:.3g} "
              f"(seed {worst}) | {wall:.3g} | {cpu / estimate:.2f} | {wall / estimate:.2f} "
              f"| {os.getloadavg()[0]:.1f} |", flush=True)
    print(f"load average at end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print("under-estimates (CPU over the estimate):", "; ".join(over) if over else "none")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

"""Scale-out benchmark: one problem in-process, then on local Dask clusters of 1, 2, ... workers.

Prints a Markdown table of wall times and speed-ups, and checks that every run gives the
same minima as the in-process solve (JSON without the wall time).

    python -m benchmarks.bench_parallel                       # d=2 L=2 n=8, seed 28
    python -m benchmarks.bench_parallel --d 1 --units 3 --n 10 --seed 10
    python -m benchmarks.bench_parallel --workers 1 2 4

"wall" is the whole ``solve(...)`` call, including starting and stopping the local
cluster; "solve" is the solver's own ``stats.seconds`` (from the cluster being ready to
the result). Run nothing else heavy meanwhile: the reference machine has 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from benchmarks.problems import random_problem
from benchmarks.report import header_lines
from solver import estimate_seconds, solve


def _comparable(sol) -> str:
    doc = sol.to_json()
    del doc["stats"]["seconds"]
    return json.dumps(doc, sort_keys=True)


def _load() -> str:
    """The 1-minute load average (other processes competing for the cores)."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--d", type=int, default=2)
    parser.add_argument("--units", type=int, default=2)
    parser.add_argument("--seed", type=int, default=28)
    parser.add_argument("--lam", default="1/100")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    problem = random_problem("bench_parallel", args.n, args.d, args.units, args.seed)
    x, y = problem.x, problem.y
    name = f"d={args.d} L={args.units} n={args.n} (seed {args.seed}, lam {args.lam})"
    estimate = estimate_seconds(args.n, args.d, args.units)
    print(f"problem {name}: estimated {estimate:.0f} s in-process", flush=True)

    rows = []
    load_before = _load()
    t = time.perf_counter()
    reference = solve(x, y, args.lam, args.units, force=True)
    wall = time.perf_counter() - t
    base = wall
    rows.append(("in-process", wall, reference.stats.seconds, True))
    print(f"  in-process: {wall:.1f} s", flush=True)
    for n_workers in args.workers:
        t = time.perf_counter()
        sol = solve(x, y, args.lam, args.units, force=True, workers=n_workers)
        wall = time.perf_counter() - t
        same = _comparable(sol) == _comparable(reference)
        rows.append((f"{n_workers} local worker{'s' if n_workers > 1 else ''}", wall,
                     sol.stats.seconds, same))
        print(f"  {n_workers} worker(s): {wall:.1f} s", flush=True)

    st = reference.stats
    print()
    print(f"Problem: {name}; {st.systems} face systems solved, {st.candidates} candidates, "
          f"{len(reference.minima)} minima.")
    print("\n".join(header_lines()))
    print(f"Load average (1 min) {load_before} before, {_load()} after: other work on the "
          "machine slows every row.")
    print()
    print("| run | wall (s) | solve (s) | speed-up (wall) | speed-up (solve) | same minima |")
    print("|---|---:|---:|---:|---:|---|")
    for label, wall, seconds, same in rows:
        print(f"| {label} | {wall:.1f} | {seconds:.1f} | {base / wall:.2f} | "
              f"{rows[0][2] / seconds:.2f} | {'yes' if same else 'NO'} |")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Training benchmark: many gradient-descent runs on the paper's example, and their
classification against the exact minima.

Measures, on the paper's example (n = 5, d = 1, L = 2, lam = 1/100), torch-default init:

* the training loop (:func:`solver.train.descend`): ``--runs`` runs (10,000) advanced
  together for ``--steps`` steps (5,000) with gd, momentum and adam (lr 0.01), wall and
  CPU time, run-steps per second, and the arithmetic done (about ``R * steps * L * n * 11``
  multiply-adds in the gradient);
* the classification of those runs (:func:`solver.train.classify.classify`: one region
  minimiser per distinct region, distances, matching);
* the exact side it compares with (:func:`solver.train.landscape`: solve and critical points);
* one run alone, as the dashboard's animation steps it: steps per second (each frame of the
  animation is one or more steps).

The loop is numpy only, elementwise: it uses one core. Run from the repository root:
``python -m benchmarks.bench_train`` (``--runs``, ``--steps`` to change the sizes).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from fractions import Fraction

from benchmarks.report import header_lines, markdown_table, seconds_text
from solver.data import read_csv
from solver.problem import Problem
from solver.train import FloatData, Optimizer, descend, initial_params, landscape
from solver.train.classify import classify

PAPER = "assets/paper_example.csv"
MADDS_PER_UNIT_POINT = 11  # multiply-adds per run, unit and point in one gradient


def _timed(fn):
    """``(result, wall seconds, cpu seconds)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=5_000)
    args = parser.parse_args(argv)
    problem = Problem.of(read_csv(PAPER), Fraction(1, 100), 2)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    exact, exact_wall, exact_cpu = _timed(lambda: landscape(problem))
    start = initial_params("torch-default", args.runs, 2, 1, seed=0)
    madds = args.runs * args.steps * problem.units * problem.n * MADDS_PER_UNIT_POINT
    rows = []
    shares = {}
    for name in ("gd", "momentum", "adam"):
        opt = Optimizer(name, 0.01)
        out, wall, cpu = _timed(lambda opt=opt: descend(data, start, opt, args.steps, 1e-4))
        ends, cwall, ccpu = _timed(lambda out=out: classify(
            data, out.params, out.steps, out.crossings, 1e-4, exact.minima, exact.critical,
            diverged=out.diverged))
        regions = len({id(e.target) for e in ends})
        counts = Counter(e.outcome for e in ends)
        shares[name] = counts
        rows.append([f"{name} lr=0.01", f"{args.runs:,} x {args.steps:,}",
                     seconds_text(wall), seconds_text(cpu),
                     f"{args.runs * args.steps / cpu / 1e6:.1f}", f"{madds / cpu / 1e9:.2f}",
                     seconds_text(cwall), seconds_text(ccpu), str(regions),
                     str(counts["discrepancy"])])
    one = initial_params("torch-default", 1, 2, 1, seed=0)
    alone_steps = 2_000
    _, wall1, cpu1 = _timed(lambda: descend(data, one, Optimizer("gd", 0.01), alone_steps, 0.0))
    for line in header_lines():
        print(line)
    print(f"problem: {PAPER}, n = {problem.n}, d = {problem.d}, L = {problem.units}, "
          f"lam = {problem.lam}; init torch-default, seed 0")
    print(f"exact side (solve + critical points): {seconds_text(exact_wall)} s wall, "
          f"{seconds_text(exact_cpu)} s cpu; {len(exact.solution.minima)} minima, "
          f"{exact.critical_count} critical points")
    print()
    print(markdown_table(
        ["optimizer", "runs x steps", "train wall s", "train cpu s", "M run-steps/cpu s",
         "G madds/cpu s", "classify wall s", "classify cpu s", "regions polished",
         "discrepancies"], rows))
    print()
    print(f"one run alone (the dashboard's animation): {alone_steps:,} steps in "
          f"{seconds_text(wall1)} s wall ({alone_steps / wall1:,.0f} steps/s)")
    for name, counts in shares.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

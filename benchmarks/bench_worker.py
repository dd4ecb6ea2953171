"""The dashboard's worker against a solve in this process: wall and CPU seconds, the same
problems, interleaved.

The dashboard solves in a spawned pool process (:class:`explorer.runner.SolveRunner`) with
a progress callback that reports to a ``Manager`` queue and looks for a cancel request at
most every 0.1 s. This benchmark solves the same problem (``bench_speed``'s names, λ varied
so that no solve is cached) alternately in this process, with the dashboard's progress
callback, and through a started runner, and prints per side the median wall seconds, the
median CPU seconds (the worker's own, :attr:`explorer.worker.Outcome.cpu_seconds`) and the
runner's round trip (submit -> outcome: pickling the problem and the solution, the pool's
queues). Equal CPU seconds mean the worker adds no work; a wall time above the CPU time
is time spent waiting for a core (the machine's load).

Run from the repository root: ``python -m benchmarks.bench_worker`` (``--problem NAME``,
``--runs N``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from fractions import Fraction

from benchmarks.bench_speed import speed_problems
from benchmarks.report import header_lines, markdown_table, seconds_text


def _variant(problem: object, k: int) -> object:
    """The problem with λ = its λ · (100 + k) / 100: a new problem for the cache, the same
    work to within the data's few changed decisions."""
    from solver.problem import Problem

    return Problem(problem.x, problem.y, problem.lam * Fraction(100 + k, 100), problem.units)


def measure(name: str, runs: int) -> list[list[str]]:
    """Rows (side, wall median / p95, CPU median, round trip) of ``runs`` interleaved solves."""
    from explorer.runner import SolveRunner
    from explorer.worker import progress_callback
    from solver import solve_problem

    problem = next(p for p in speed_problems() if p.name.endswith(name))
    runner = SolveRunner(processes=True)
    for future in runner.start():
        future.result()
    calls = [0]
    report = progress_callback(0, None, None)

    def counted(done: int, total: int) -> None:
        calls[0] += 1
        report(done, total)

    try:
        for k in range(1, 3):  # each worker and this process solved once before
            runner.submit(_variant(problem, 90 + k)).future.result()
        solve_problem(_variant(problem, 95), max_seconds=60)
        here, here_cpu, there, there_cpu, trip = [], [], [], [], []
        for k in range(runs):
            start, cpu = time.perf_counter(), time.process_time()
            solve_problem(_variant(problem, 2 * k), progress=counted, max_seconds=60)
            here.append(time.perf_counter() - start)
            here_cpu.append(time.process_time() - cpu)
            start = time.perf_counter()
            outcome = runner.submit(_variant(problem, 2 * k + 1)).future.result()
            trip.append(time.perf_counter() - start - outcome.seconds)
            there.append(outcome.seconds)
            there_cpu.append(outcome.cpu_seconds)
    finally:
        runner.shutdown()

    def med(values: list[float]) -> str:
        return seconds_text(statistics.median(values))

    def p95(values: list[float]) -> str:
        return seconds_text(sorted(values)[min(len(values) - 1, int(0.95 * len(values)))])

    per_solve = calls[0] // runs
    return [
        [f"in process (progress: {per_solve} calls)", f"{med(here)} / {p95(here)}",
         med(here_cpu), "—"],
        ["dashboard worker", f"{med(there)} / {p95(there)}", med(there_cpu), med(trip)],
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="six points", help="bench_speed's name (end)")
    parser.add_argument("--runs", type=int, default=6, help="solves per side")
    args = parser.parse_args(argv)
    rows = measure(args.problem, args.runs)
    print("\n".join(header_lines()))
    print(f"problem: {args.problem}, {args.runs} solves per side, interleaved\n")
    print(markdown_table(["side", "wall median / p95 s", "CPU median s",
                          "round trip besides the solve s"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

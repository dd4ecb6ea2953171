"""Dashboard benchmark: edit-to-result latency of :class:`explorer.state.ExplorerState`.

Drives the state without a browser, on its own asyncio loop as the Panel server does: an
edit of ``lam`` or of a data point is made through :meth:`ExplorerState.edit`, and the
latency is the time until the new solution is in ``state.result`` (a watcher on
``result`` stamps it). Problems are the paper's size (n = 5, d = 1, L = 2).

Scenarios:

* **cold pool**: a fresh :class:`~explorer.runner.SolveRunner` (the app's process pool)
  that has not started, so the edit pays for spawning the workers and importing the solver;
* **warm pool**: the pool started and warmed up (what the app's server hook does) and a
  first problem solved; each edit is a problem not solved before;
* **cached**: an edit back to a problem solved earlier (the runner's cache);
* **in-process**: ``SolveRunner(processes=False)`` (tests, notebooks), for reference.

Run from the repository root: ``python -m benchmarks.bench_explorer``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.report import header_lines, markdown_table, seconds_text
from explorer.runner import SolveRunner
from explorer.state import DEFAULT_DATA, ExplorerState, format_data, parse_data

TARGET = 0.5
TIMEOUT = 120.0
# New values, none equal to the example's or to each other: every edit is a new problem.
LAMS = ("1/20", "1/50", "1/10", "3/100", "1/30", "2/25")
Y2 = ("0.9", "0.8", "1.1", "0.95", "0.7", "1.2")  # the second point's y (1.02 in the example)


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured edit: latency, and the solver's own time for the result shown."""

    latency: float
    solve: float
    cached: bool


def data_with_y2(value: str) -> str:
    """The example's data with the second point's y replaced (a dragged point)."""
    rows = parse_data(DEFAULT_DATA)
    rows[1] = (rows[1][0], value)
    return format_data(rows)


async def timed_edit(state: ExplorerState, **change: Any) -> Sample:
    """Make one edit and wait until its solution is in ``state.result``."""
    arrived = asyncio.Event()
    stamp: list[float] = []

    def on_result(event: Any) -> None:
        stamp.append(time.perf_counter())
        arrived.set()

    watcher = state.param.watch(on_result, "result")
    try:
        start = time.perf_counter()
        if not state.edit(**change):
            raise RuntimeError(f"edit {change} refused: {state.message}")
        try:
            await asyncio.wait_for(arrived.wait(), TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"no result within {TIMEOUT:g} s: {state.message}") from None
    finally:
        state.param.unwatch(watcher)
    if state.message:
        raise RuntimeError(state.message)
    result = state.result
    return Sample(stamp[0] - start, result.stats.seconds, "from cache" in state.status)


async def wait_idle(state: ExplorerState) -> None:
    """Wait until the state has a result and no solve is running."""
    deadline = time.monotonic() + TIMEOUT
    while state.solving or state.result is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the first solve did not finish: {state.message}")
        await asyncio.sleep(0.01)


async def cold_pool(runs: int) -> list[Sample]:
    """Edits on a runner whose pool is not started yet (a new one each run)."""
    samples = []
    for k in range(runs):
        runner = SolveRunner()
        try:
            state = ExplorerState(runner=runner, autostart=False)
            samples.append(await timed_edit(state, lam=LAMS[k % len(LAMS)]))
        finally:
            runner.shutdown()
    return samples


async def warm_pool(runs: int) -> dict[str, list[Sample]]:
    """Edits of lam, of a data point, and back to a cached problem, on a warm pool."""
    runner = SolveRunner()
    try:
        for future in runner.start():
            await asyncio.wrap_future(future)
        state = ExplorerState(runner=runner)
        await wait_idle(state)
        lam = [await timed_edit(state, lam=LAMS[k % len(LAMS)]) for k in range(runs)]
        await timed_edit(state, lam="1/100")  # back to the example's lam (cached)
        data = [await timed_edit(state, data=data_with_y2(Y2[k % len(Y2)])) for k in range(runs)]
        cached = [
            await timed_edit(state, data=DEFAULT_DATA, lam=LAMS[k % len(LAMS)])
            for k in range(runs)
        ]
        return {"lam": lam, "data": data, "cached": cached}
    finally:
        runner.shutdown()


async def in_process(runs: int) -> dict[str, list[Sample]]:
    """The same lam and data edits solved synchronously in this process."""
    state = ExplorerState(runner=SolveRunner(processes=False))
    await wait_idle(state)
    lam = [await timed_edit(state, lam=LAMS[k % len(LAMS)]) for k in range(runs)]
    await timed_edit(state, lam="1/100")
    data = [await timed_edit(state, data=data_with_y2(Y2[k % len(Y2)])) for k in range(runs)]
    return {"lam": lam, "data": data}


def table(results: list[tuple[str, str, list[Sample]]]) -> str:
    """Markdown table: latency best / median / worst, solver time, target."""
    rows = []
    for scenario, edit, samples in results:
        lat = [s.latency for s in samples]
        solve = statistics.median(s.solve for s in samples)
        cached = all(s.cached for s in samples)
        rows.append([
            scenario, edit, str(len(samples)), seconds_text(min(lat)),
            seconds_text(statistics.median(lat)), seconds_text(max(lat)),
            "— (cache)" if cached else seconds_text(solve),
            f"≤ {TARGET:g} s", "yes" if max(lat) <= TARGET else "no",
        ])
    headers = ["runner", "edit", "edits", "best s", "median s", "worst s",
               "solver s (median)", "target", "met? (worst)"]
    return markdown_table(headers, rows)


async def run_all(runs: int, cold_runs: int) -> list[tuple[str, str, list[Sample]]]:
    """Every scenario, one after the other (never two pools at once)."""
    print("... cold pool", file=sys.stderr, flush=True)
    cold = await cold_pool(cold_runs)
    print("... warm pool", file=sys.stderr, flush=True)
    warm = await warm_pool(runs)
    print("... in-process", file=sys.stderr, flush=True)
    local = await in_process(runs)
    return [
        ("cold pool (not started)", "lam", cold),
        ("warm pool", "lam", warm["lam"]),
        ("warm pool", "data point (y2)", warm["data"]),
        ("warm pool", "back to a solved problem", warm["cached"]),
        ("in-process", "lam", local["lam"]),
        ("in-process", "data point (y2)", local["data"]),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the latency table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6, help="edits per warm scenario")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold pools to start")
    args = parser.parse_args(argv)
    results = asyncio.run(run_all(args.runs, args.cold_runs))
    print("\n".join(header_lines()))
    print("problem: the paper's example (n = 5, d = 1, L = 2) and edits of it")
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

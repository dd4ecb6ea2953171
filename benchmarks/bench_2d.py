"""Edit -> redrawn for two-dimensional data (d = 2): the solve and the 2-D views' update.

For each problem (the 2-D examples, n = 4 and 5, and a seeded n = 6 set) and L = 1 and 2,
one point is moved by 0.05 in x1 (a new problem: the solve runs) and the state's edit is
timed in this process until every view has been updated (an in-process runner: the solve
and the views' Python work, in order, as the server does them, without the browser's
drawing). Then the same edit is repeated from the cache: the views' share alone.

    python -m benchmarks.bench_2d
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from explorer.layout import build_dashboard
from explorer.runner import SolveRunner
from explorer.state import ExplorerState, format_data, parse_data, read_example

ASSETS = Path(__file__).resolve().parent.parent / "assets"
# n = 6, no three inputs on a line (checked by the solver), fixed.
SIX = "-1,-0.8,0.5;0.9,-1,-0.3;-0.7,1,-0.6;1,0.7,0.9;0.1,-0.3,0.2;-0.2,0.45,-0.1"


def problems() -> list[tuple[str, str]]:
    """``(name, data text)`` of the problems measured."""
    out = [(p.stem, read_example(p)) for p in sorted(ASSETS.glob("*_2d.csv"))]
    return [*out, ("six points", SIX)]


def moved(data: str) -> str:
    """The data with point 1 moved by 0.05 in x1."""
    rows = parse_data(data)
    x1 = float(rows[0][0]) + 0.05
    return format_data([(f"{x1:.2f}", *rows[0][1:]), *rows[1:]])


def main() -> None:
    state = ExplorerState(runner=SolveRunner(processes=False, max_seconds=60.0))
    build_dashboard(state)
    print(f"load average {os.getloadavg()[0]:.1f}; times in seconds")
    print(f"{'problem':<14} {'L':>2} {'n':>2} {'minima':>6} {'edit->redrawn':>14} "
          f"{'views only':>11}")
    for name, data in problems():
        for units in (1, 2):
            state.edit(data=data, units=units)
            if state.message:
                print(f"{name:<14} {units:>2}  refused: {state.message}")
                continue
            start = time.perf_counter()
            state.edit(data=moved(data))
            total = time.perf_counter() - start
            state.edit(data=data)
            start = time.perf_counter()
            state.edit(data=moved(data))  # from the cache: the views alone
            views = time.perf_counter() - start
            count = len(state.result.minima)
            print(f"{name:<14} {units:>2} {len(state.rows):>2} {count:>6} {total:>14.2f} "
                  f"{views:>11.2f}")


if __name__ == "__main__":
    main()

"""Server-side cost of a redraw: the Python time and the bytes each view spends per edit.

Builds one session's views (as ``panel serve`` does, into a Bokeh ``Document``) on a state
whose runner solves in-process with every problem already cached, so an edit costs only
the dashboard's own work: the state update, every view's callbacks and the Bokeh model
changes. Each view is measured alone on a state of its own (the state alone is the
baseline, subtracted) and then all together; the bytes are those of the PATCH-DOC
messages the server would send (JSON and binary buffers).

Edits: a new λ (``lam``), a new y for point 2 (``data``), another selected minimum
(``select``). Run from the repository root: ``python -m benchmarks.bench_views``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.report import header_lines, markdown_table
from explorer.runner import SolveRunner
from explorer.state import DEFAULT_DATA, ExplorerState, format_data, parse_data

LAMS = ("1/100", "1/20", "1/50", "3/100")
Y2 = ("1.02", "0.9", "0.8", "1.1")


def data_with_y2(value: str) -> str:
    """The example's data with the second point's y replaced (a dragged point)."""
    rows = parse_data(DEFAULT_DATA)
    rows[1] = (rows[1][0], value)
    return format_data(rows)


def _views() -> dict[str, Callable[[ExplorerState], Any]]:
    from explorer.views.controls import ControlsView
    from explorer.views.data import DataView
    from explorer.views.minima import MinimaView
    from explorer.views.plane import PlaneView
    from explorer.views.surface import SurfaceView

    return {"data": DataView, "plane": PlaneView, "surface": SurfaceView,
            "minima": MinimaView, "controls": ControlsView}


def _edits(k: int) -> list[tuple[str, dict]]:
    return [("lam", {"lam": LAMS[(k + 1) % len(LAMS)]}),
            ("data", {"data": data_with_y2(Y2[(k + 1) % len(Y2)])}),
            ("select", {})]


async def _settle() -> None:
    """Let the callbacks an edit scheduled on the event loop (HoloViews' streams) run."""
    for _ in range(1000):
        if not asyncio.all_tasks() - {asyncio.current_task()}:
            return
        await asyncio.sleep(0)


async def measure(build: Callable[[ExplorerState], list[Any]], runner: SolveRunner,
                  runs: int) -> dict[str, tuple[float, float]]:
    """Median seconds and bytes per edit kind for the views ``build`` makes."""
    import panel as pn
    from bokeh.document import Document
    from bokeh.protocol import Protocol

    state = ExplorerState(runner=runner)
    doc = Document()
    views = build(state)
    await _settle()
    if views:
        doc.add_root(pn.Column(*views).get_root(doc))
    events: list[Any] = []
    doc.callbacks.on_change(events.append)
    protocol = Protocol()
    times: dict[str, list[float]] = {}
    sizes: dict[str, list[float]] = {}
    for k in range(runs):
        for name, change in _edits(k):
            events.clear()
            start = time.perf_counter()
            if change:
                state.edit(**change)
            else:
                count = len(state.result.minima)
                state.select((max(state.selection, 0) + 1) % count)
            await _settle()
            times.setdefault(name, []).append(time.perf_counter() - start)
            size = 0
            if events:
                message = protocol.create("PATCH-DOC", events)
                size = len(message.content_json) + sum(len(b.data) for b in message.buffers)
            sizes.setdefault(name, []).append(size)
    return {n: (statistics.median(times[n]), statistics.median(sizes[n])) for n in times}


def _one(cls: Callable[[ExplorerState], Any], state: ExplorerState) -> list[Any]:
    return [cls(state)]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every view alone and all together; print a table."""
    return asyncio.run(_main(argv))


async def _main(argv: Sequence[str] | None) -> int:
    import holoviews as hv
    import panel as pn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="edits of each kind")
    args = parser.parse_args(argv)
    pn.extension("tabulator", "katex")
    hv.extension("bokeh", logo=False)
    runner = SolveRunner(processes=False)
    warm = ExplorerState(runner=runner)  # every problem of the edits solved once
    for k in range(len(LAMS)):
        for _, change in _edits(k):
            if change:
                warm.edit(**change)
    views = _views()
    baseline = await measure(lambda state: [], runner, args.runs)
    rows = []
    builders = {name: functools.partial(_one, cls) for name, cls in views.items()}
    builders["all views"] = lambda state: [cls(state) for cls in views.values()]
    for name, build in builders.items():
        print(f"... {name}", file=sys.stderr, flush=True)
        result = await measure(build, runner, args.runs)
        cells = []
        for edit in ("lam", "data", "select"):
            seconds, size = result[edit]
            cells.append(f"{1000 * max(0.0, seconds - baseline[edit][0]):.0f} ms, "
                         f"{size / 1000:.0f} kB")
        rows.append([name, *cells])
    rows.append(["(state alone)", *(f"{1000 * baseline[e][0]:.1f} ms" for e in
                                    ("lam", "data", "select"))])
    print("\n".join(header_lines()))
    print("problem: the paper's example, every problem cached (no solving is timed)")
    print()
    print(markdown_table(["views", "new λ", "new data point", "new selection"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Server-side cost of a redraw: the Python time and the bytes each view spends per edit.

Builds one session's views (as ``panel serve`` does, into a Bokeh ``Document``) on a state
whose runner solves in-process with every problem already cached, so an edit costs only
the dashboard's own work: the state update, every view's callbacks and the Bokeh model
changes. Each view is measured alone on a state of its own (the state alone is the
baseline, subtracted) and then all together; the bytes are those of the PATCH-DOC
messages the server would send (JSON and binary buffers).

Edits: a new λ (``lam``), a new y for point 2 (``data``), another selected minimum
(``select``). Run from the repository root: ``python -m benchmarks.bench_views``.

``--sessions N`` measures instead what opening a page costs the server: ``main.py`` run N
times as ``panel serve explorer`` runs it (a session context, the app's own runners), each
into a fresh ``Document``: the session thread's CPU and wall seconds, the Bokeh models and
roots of the first page, serialising it, and the cards filled once the page has loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import header_lines, markdown_table
from explorer.problem import DEFAULT_DATA, format_data, parse_data
from explorer.runner import SolveRunner
from explorer.state import ExplorerState

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="edits of each kind")
    parser.add_argument("--sessions", type=int, default=0,
                        help="measure N page openings (session builds) instead")
    args = parser.parse_args(argv)
    if args.sessions:
        return sessions(args.sessions)
    return asyncio.run(_main(args))


def build_session(app: Any, number: int) -> list[float]:
    """Run ``main.py`` into a fresh document with a session context, as the server does:
    ``[cpu s, wall s, models, roots, serialise s, after-load cpu s, models after load]``."""
    import weakref
    from types import SimpleNamespace

    import panel as pn
    from bokeh.document import Document
    from bokeh.server.contexts import BokehSessionContext
    from panel.io.state import set_curdoc

    doc = Document()
    context = BokehSessionContext(f"bench-{number}", None, doc)  # type: ignore[arg-type]
    context._request = SimpleNamespace(arguments={}, headers={}, cookies={}, uri="/explorer",
                                       path="/explorer", query="", host="localhost",
                                       protocol="http")
    doc._session_context = weakref.ref(context)
    cpu, wall = time.thread_time(), time.perf_counter()
    with set_curdoc(doc):
        app.initialize_document(doc)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    models, roots = len(doc.models), len(doc.roots)
    serialise = time.perf_counter()
    doc.to_json()
    serialise = time.perf_counter() - serialise
    later = time.thread_time()
    with set_curdoc(doc):  # what the page's "loaded" event runs (pn.state.onload)
        for callback, _ in pn.state._onload.pop(doc, []):
            callback()
    later = time.thread_time() - later
    return [cpu, wall, models, roots, serialise, later, len(doc.models)]


def sessions(count: int) -> int:
    """Build ``count`` sessions (after one untimed); print the medians."""
    import logging

    from bokeh.application import Application
    from bokeh.application.handlers.directory import DirectoryHandler

    from explorer.app_hooks import shutdown_all

    logging.getLogger("bokeh.core.validation.check").setLevel(logging.ERROR)
    before = os.getloadavg()[0]
    import explorer

    app = Application(DirectoryHandler(filename=str(Path(explorer.__file__).parent)))
    try:
        build_session(app, 0)  # imports, the pools' start
        rows = [build_session(app, k + 1) for k in range(count)]
    finally:
        shutdown_all()
    med = [statistics.median(column) for column in zip(*rows, strict=True)]
    print("\n".join(header_lines()))
    print(f"load average (1 min) before / after: {before:.2f} / {os.getloadavg()[0]:.2f}")
    print(f"opening a page of the explorer, median of {count} sessions (one untimed first):")
    print()
    print(markdown_table(
        ["session thread CPU s", "wall s", "Bokeh models", "roots", "serialise s",
         "after load: CPU s", "models after load"],
        [[f"{med[0]:.3f}", f"{med[1]:.3f}", f"{med[2]:.0f}", f"{med[3]:.0f}",
          f"{med[4]:.3f}", f"{med[5]:.3f}", f"{med[6]:.0f}"]]))
    return 0


async def _main(args: argparse.Namespace) -> int:
    import holoviews as hv
    import panel as pn

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

"""Edit -> redrawn for two-dimensional data (d = 2): the solve and the 2-D views' update.

In process (the default): for each problem (the 2-D examples, n = 4 and 5, and a fixed
n = 6 set) and L = 1 and 2, one point is moved by 0.05 in x1 (a new problem: the solve
runs) and the state's edit is timed in this process until every view has been updated (an
in-process runner: the solve and the views' Python work, in order, as the server does them,
without the browser's drawing). Then the same edit is repeated from the cache: the views'
share alone.

In Chromium (``--browser``): a real ``panel serve explorer`` and Debian's Chromium
(1500 x 1000) on xor 2d (n = 4), the n = 6 set and its first five points, L = 2; each
action is a problem not solved before: drag a point, tap to add one (deleted again,
unmeasured), type a y into the table, release the λ slider. The clock is
:mod:`benchmarks.bench_explorer`'s: from the browser event's time stamp to the frame in
which the last 2-D view changed (input plane,
its f and lines, data table, sphere, loss slice, minima table, selection, exact form,
status line), with the server's patches and the page's time applying them, and split into
the solve (the status line's), the server's other work, the page's and the paint.

    python -m benchmarks.bench_2d
    python -m benchmarks.bench_2d --browser --runs 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.bench_explorer import (
    FRAMES_JS,
    RECORDER_JS,
    RESULT_JS,
    Sample,
    breakdown_table,
    painted_after,
    percentile,
    slider,
    table_edit,
)
from benchmarks.patches import EVENTS_JS, patch_table, take_events
from benchmarks.report import header_lines, markdown_table
from explorer.layout import build_dashboard
from explorer.problem import format_data, parse_data, read_example
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.testing import serve

ASSETS = Path(__file__).resolve().parent.parent / "assets"
# n = 6, no three inputs on a line (checked by the solver), fixed.
SIX = "-1,-0.8,0.5;0.9,-1,-0.3;-0.7,1,-0.6;1,0.7,0.9;0.1,-0.3,0.2;-0.2,0.45,-0.1"
FIVE = SIX.rsplit(";", 1)[0]  # its first five: a tap makes six


def problems() -> list[tuple[str, str]]:
    """``(name, data text)`` of the problems measured."""
    out = [(p.stem, read_example(p)) for p in sorted(ASSETS.glob("*_2d.csv"))]
    return [*out, ("six points", SIX)]


def moved(data: str) -> str:
    """The data with point 1 moved by 0.05 in x1."""
    rows = parse_data(data)
    x1 = float(rows[0][0]) + 0.05
    return format_data([(f"{x1:.2f}", *rows[0][1:]), *rows[1:]])


def in_process() -> None:
    """The in-process table: every 2-D example and the six points, L = 1 and 2."""
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



# ----------------------------------------------------------------------- in Chromium
TARGET = 1.0  # seconds, edit -> redrawn (issue 14: d = 2, L = 2, n <= 6)
TIMEOUT = 120_000  # ms
PLANE, SPHERE = "Input plane", "Sphere of directions"
VIEWS = ("points", "fit", "datatable", "sphere", "surface", "table", "selected", "exact",
         "status")
# The 2-D views' signatures (explorer.testing's are the 1-D views'): each changes exactly
# when that view's data change.
SIGNATURES_2D_JS = r"""
() => {
  __explorer.signatures = function () {
    const exact = this.models('panel.models.katex.KaTeX')[0];
    const exactView = exact ? this.view(exact) : null;
    const typeset = exactView && exactView.el.shadowRoot
      ? exactView.el.shadowRoot.querySelectorAll('.katex').length : 0;
    return {
      points: this.sources('Input plane', 'Scatter'),
      fit: this.sources('Input plane', 'Image') + this.sources('Input plane', 'MultiLine'),
      datatable: JSON.stringify([this.column('x1'), this.column('x2'), this.column('y')]),
      sphere: this.sources('Sphere', 'Scatter') + this.sources('Sphere', 'MultiLine'),
      surface: this.sources('Loss', 'Image') + this.sources('Loss', 'Scatter'),
      table: JSON.stringify([this.column('loss'), this.column('pattern')]),
      selected: JSON.stringify(Array.from((this.table('loss') || {selected: {indices: []}})
        .selected.indices)),
      exact: (exact ? String(exact.text) : '') + '#' + typeset,
      status: this.status(),
    };
  };
}
"""


STATUS_JS = "() => __explorer.status()"
# The status line right after a measured edit, when the scenario changes it afterwards.
_MEASURED: dict[str, str] = {}


def _settle(page: Any, quiet: float = 1.0, timeout: float = 90.0, edit: bool = True) -> dict:
    """Wait until the status is final and no view changed for ``quiet`` seconds (after an
    edit: the minima table or the status line has changed)."""
    deadline = time.monotonic() + timeout
    rec: dict = {}
    while time.monotonic() < deadline:
        time.sleep(0.1)
        rec = page.evaluate(RESULT_JS)
        answered = "table" in rec["changes"] or "status" in rec["changes"]
        if not rec["status"] or (edit and not answered):
            continue
        if rec["now"] - (rec["last"] or 0) >= 1000 * quiet:
            page.evaluate("() => { __rec.stop = true; }")
            return rec
    raise TimeoutError(f"the views did not settle after an edit: {rec}")


def _measure(page: Any, act: Any, event: str) -> Sample:
    """Install the recorder, perform ``act()``, wait for the views to settle."""
    page.evaluate(RECORDER_JS)
    act()
    page.wait_for_function("() => Object.keys(__rec.changes).length > 0", timeout=TIMEOUT)
    rec = _settle(page)
    start = rec["events"].get(event)
    if start is None:
        raise RuntimeError(f"no {event} event seen")
    views = {k: (v - start) / 1000 for k, v in rec["changes"].items()}
    frames = [f for f in rec["frames"] if start <= f["t"] <= rec["last"]]
    patches = [(t, d) for t, d in rec["patches"] if start <= t <= rec["last"]]
    return Sample((rec["last"] - start) / 1000, views, "from cache" in rec["status"], None,
                  first_patch=(frames[0]["t"] - start) / 1000 if frames else None,
                  last_patch=(frames[-1]["t"] - start) / 1000 if frames else None,
                  applying=sum(d for _, d in patches) / 1000,
                  messages=sum(f["header"] for f in frames),
                  kb=sum(f["size"] for f in frames) / 1000, probe=rec["probe"] / 1000,
                  events=tuple(take_events(page, start, rec["now"])),
                  painted=painted_after(rec, start))


def _screen(page: Any, h: float, v: float) -> list[float]:
    return page.evaluate(f"([h, v]) => __explorer.toScreen('{PLANE}', h, v)", [h, v])


def _points(page: Any) -> list[tuple[float, float]]:
    columns = [page.evaluate(f"() => __explorer.column('{c}')") for c in ("x1", "x2")]
    return [(float(h), float(v)) for h, v in zip(*columns, strict=True)]


def drag(page: Any, k: int) -> Sample:
    """Drag point 1 right or left in x1 by a new amount."""
    def act() -> None:
        h, v = _points(page)[0]
        target = h + (0.12 + 0.03 * k) * (1 if k % 2 == 0 else -1)
        page.mouse.move(*_screen(page, h, v))
        page.mouse.down()  # moved at once: a pointer held still is a press, not a drag
        page.mouse.move(*_screen(page, target, v), steps=2)
        page.mouse.up()
    return _measure(page, act, "pointerup")


def tap_add(page: Any, k: int) -> Sample:
    """Tap an empty spot (a new point, y = 0), then delete it again unmeasured."""
    count = len(_points(page))
    spot = (0.1 + 0.04 * k, 0.15 - 0.03 * k)
    sample = _measure(page, lambda: page.mouse.click(*_screen(page, *spot)), "pointerup")
    _MEASURED["status"] = page.evaluate(STATUS_JS)  # (deleting the point changes it)
    page.mouse.click(*_screen(page, *_points(page)[-1]))
    page.keyboard.press("Backspace")
    page.wait_for_function(f"() => __explorer.column('x1').length === {count}", timeout=TIMEOUT)
    page.evaluate(RECORDER_JS)
    _settle(page, edit=False)
    return sample


# The data table (type a y for point 3) and the λ slider are driven as for one input.
SCENARIOS = {"point drag": drag, "tap to add": tap_add, "table edit": table_edit,
             "λ slider release": slider}


def browser_problems() -> list[tuple[str, str]]:
    """``(name, data text)``: xor 2d (n = 4), five points (the six without the last: a tap
    gives six) and the six points."""
    return [("xor 2d", read_example(ASSETS / "xor_2d.csv")), ("five points", FIVE),
            ("six points", SIX)]


def solve_seconds(status: str) -> float | None:
    """The solve's seconds in a status line (``None``: from the cache, or no solve).

    >>> solve_seconds("9 minima (1 curve, 8 isolated) · λ = 1/100 · 2 units · solved in 0.21 s")
    0.21
    """
    found = re.search(r"solved in ([0-9.]+) s", status)
    return float(found.group(1)) if found else None


def run_browser(url: str, runs: int, names: Sequence[str], solves: dict | None = None
                ) -> dict[str, dict[str, list[Sample]]]:
    """Every scenario ``runs`` times per problem, L = 2, one page per problem; the solve's
    seconds of each (from the status line) into ``solves[problem][action]``."""
    from playwright.sync_api import sync_playwright

    from explorer.testing import PROBE_JS, READY_JS, launch_chromium

    results: dict[str, dict[str, list[Sample]]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name, data in browser_problems():
                if name not in names:
                    continue
                context = browser.new_context(viewport={"width": 1500, "height": 1000})
                page = context.new_page()
                page.add_init_script(FRAMES_JS)
                page.add_init_script(EVENTS_JS)
                page.goto(url + "?" + urlencode({"data": data, "units": 2}))
                page.wait_for_function(READY_JS, timeout=TIMEOUT)
                page.wait_for_function(f"() => Array.from(Bokeh.documents[0].all_models).some("
                                       f"m => m.title && m.title.text && "
                                       f"m.title.text.startsWith('{SPHERE}'))",
                                       timeout=TIMEOUT)
                page.evaluate(PROBE_JS)
                page.evaluate(SIGNATURES_2D_JS)
                page.evaluate(RECORDER_JS)
                _settle(page, quiet=2.0, edit=False)
                results[name] = {}
                for action, scenario in SCENARIOS.items():
                    print(f"... {name}: {action}", file=sys.stderr, flush=True)
                    samples, seconds = [], []
                    for k in range(runs):
                        samples.append(scenario(page, k))
                        status = _MEASURED.pop("status", None) or page.evaluate(STATUS_JS)
                        seconds.append(solve_seconds(status))
                    results[name][action] = samples
                    if solves is not None:
                        solves.setdefault(name, {})[action] = seconds
                context.close()
        finally:
            browser.close()
    return results


def browser_table(results: dict[str, dict[str, list[Sample]]]) -> str:
    """Median, p95, max per problem and action, against the 1 s target."""
    rows = []
    for name, actions in results.items():
        for action, samples in actions.items():
            s = [x.seconds for x in samples]
            rows.append([name, action, str(len(s)), f"{statistics.median(s):.3f}",
                         f"{percentile(s, 0.95):.3f}", f"{max(s):.3f}",
                         str(sum(x.cached for x in samples)),
                         "yes" if max(s) <= TARGET else "no"])
    return markdown_table(["problem (L = 2)", "action", "n", "median s", "p95 s", "max s",
                           "from cache", f"met? (≤ {TARGET} s)"], rows)


def view_table(results: dict[str, dict[str, list[Sample]]]) -> str:
    """Median seconds from the action until each view last changed (— : did not change)."""
    rows = []
    for name, actions in results.items():
        for action, samples in actions.items():
            cells = []
            for view in VIEWS:
                seen = [x.views[view] for x in samples if view in x.views]
                cells.append(f"{statistics.median(seen):.3f}" if seen else "—")
            rows.append([name, action, *cells])
    return markdown_table(["problem", "action", *VIEWS], rows)


def split_table(results: dict[str, dict[str, list[Sample]]],
                solves: dict[str, dict[str, list]]) -> str:
    """Where the time goes (medians): the solve (the worker's, from the status line); the
    server's other work until its last patch arrived (the edit's handling, the views, the
    transfer); the page from that patch to the last view changed; and to its paint."""
    def med(values: list) -> str:
        seen = [v for v in values if v is not None]
        return f"{statistics.median(seen):.3f}" if seen else "—"

    rows = []
    for name, actions in results.items():
        for action, samples in actions.items():
            solved = solves.get(name, {}).get(action, [None] * len(samples))
            server = [x.last_patch - s for x, s in zip(samples, solved, strict=True)
                      if x.last_patch is not None and s is not None]
            page = [x.seconds - x.last_patch for x in samples if x.last_patch is not None]
            paint = [x.painted - x.seconds for x in samples if x.painted is not None]
            rows.append([name, action, med(solved), med(server), med(page), med(paint),
                         med([x.seconds for x in samples])])
    return markdown_table(["problem", "action", "solve s", "server besides the solve s",
                           "page: last patch -> views s", "views -> painted s",
                           "edit -> views s"], rows)


def in_browser(runs: int, names: Sequence[str], patches: bool = False) -> int:
    """Serve the explorer, measure in Chromium, print the tables."""
    before = os.getloadavg()
    solves: dict[str, dict[str, list]] = {}
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "serve.log") as server:
        results = run_browser(server.url, runs, names, solves)
        errors = server.errors()
    after = os.getloadavg()
    print("\n".join(header_lines()))
    print(f"problems: {', '.join(results)} (n = 4, 5, 6), d = 2, L = 2; "
          "Chromium 1500 x 1000")
    print(f"load average (1 min) before / after: {before[0]:.2f} / {after[0]:.2f}")
    print()
    print(browser_table(results))
    print()
    print("median seconds from the action to each view's last change:")
    print()
    print(view_table(results))
    print()
    print("where the time goes (medians):")
    print()
    print(split_table(results, solves))
    print()
    print("breakdown (medians): the server's patches, the page applying them, the rest:")
    for name, actions in results.items():
        print(f"\n{name}:\n")
        print(breakdown_table(actions))
        if patches:
            print(f"\n{name}, per edit (medians): the patch events per model and attribute:\n")
            print(patch_table(actions))
    if errors:
        print("\nthe server logged errors:\n" + "\n".join(errors))
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """In process by default; ``--browser`` in Chromium."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="measure in Chromium")
    parser.add_argument("--runs", type=int, default=5, help="actions per kind (--browser)")
    parser.add_argument("--problem", action="append", choices=[n for n, _ in browser_problems()],
                        help="measure only this problem (--browser; repeatable)")
    parser.add_argument("--patches", action="store_true",
                        help="print what each edit's patches carried, per model and attribute")
    args = parser.parse_args(argv)
    if args.browser:
        return in_browser(args.runs, args.problem or [n for n, _ in browser_problems()],
                          args.patches)
    in_process()
    return 0


if __name__ == "__main__":
    sys.exit(main())

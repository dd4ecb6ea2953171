"""Dashboard benchmark: from the user's action to the last view redrawn, in Chromium.

Starts a real ``python -m panel serve explorer`` (:func:`explorer.testing.serve`) and drives
Debian's Chromium (1500 x 1000) on the paper's example (n = 5, d = 1, L = 2), every edit a
problem not solved before:

* **point drag**: drag a data point up or down in the data plot (PointDraw);
* **tap to add**: tap an empty spot of the data plot (a sixth point; deleted again, unmeasured);
* **table edit**: type a new y into the data table and press Enter;
* **λ slider release**: drag the λ slider's handle and release it;
* **first load**: a fresh browser context opens the page; until every view shows the result.

The clock runs in the page: the action's time is the browser event's own time stamp (the
mouse-up of a drag or tap, the Enter key of a table edit; a drag is also timed from its
mouse-down); a ``requestAnimationFrame`` loop reads every view's data from the document's
Bokeh models each frame (``window.__explorer.signatures()`` of :mod:`explorer.testing`:
data points, f(x), data table, minima table, table selection, (b, c) plane, loss surface,
exact form, status line) and stamps the frame in which each one last changed. An edit is
over when the status shows the new result and nothing has changed for a second; its
latency is the last view's stamp, and the per-view stamps are the breakdown.

Run from the repository root: ``python -m benchmarks.bench_explorer`` (``--runs N``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.patches import EVENTS_JS, patch_table, take_events
from benchmarks.report import header_lines, markdown_table
from explorer.testing import PROBE_JS, READY_JS, launch_chromium, serve

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - the benchmark needs Playwright
    PlaywrightTimeout = TimeoutError

TARGET = (0.3, 0.5)  # median, p95 (seconds)
LOAD_TARGET = 2.0
TIMEOUT = 60_000  # ms
VIEWS = ("points", "datatable", "fit", "plane", "surface", "table", "selected", "exact", "status")

# Installed before the page loads: the time and size of every websocket frame received
# (a PATCH-DOC message is a header frame, metadata, content and binary buffers).
FRAMES_JS = r"""
(() => {
  const Native = window.WebSocket;
  window.__frames = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const text = typeof e.data === 'string';
        const size = text ? e.data.length : (e.data.byteLength ?? e.data.size);
        const header = text && e.data.startsWith('{') && e.data.includes('"msgtype"');
        window.__frames.push({t: performance.now(), size, header});
      });
    }
  };
})();
"""

# The probe's lookups cached: the models of a type within one frame, the view of a model
# while it is on the page (the probe walks every view otherwise: its own cost, on the page's
# main thread, was counted in the latency). ``__explorer.fresh()`` starts a frame.
CACHE_JS = r"""
if (!__explorer.fresh) {
  const E = __explorer, models = E.models.bind(E), view = E.view.bind(E), views = new Map();
  let byType = {};
  E.models = (type) => byType[type] || (byType[type] = models(type));
  E.view = (model) => {
    let v = views.get(model);
    if (!v || !v.el.isConnected) { v = view(model); views.set(model, v); }
    return v;
  };
  E.fresh = () => { byType = {}; };
  // The same fingerprint as ``digest`` of the flattened column, without flattening it.
  E.sources = (prefix, type) => E.glyphs(prefix, type).map(r => {
    const d = r.data_source.data;
    return Object.keys(d).sort().map(k => {
      const col = d[k];
      const nested = Array.isArray(col) && col.length && col[0] && col[0].length !== undefined;
      const parts = nested ? col : [col];
      const total = parts.reduce((n, c) => n + c.length, 0);
      const step = Math.max(1, Math.floor(total / 64));
      let h = total, i = 0, base = 0;
      for (const c of parts) {
        for (; i < base + c.length; i += step) {
          const v = c[i - base];
          h = (h * 31 + (typeof v === 'number' ? Math.round(v * 1e6) : String(v).length)) % 1e9;
        }
        base += c.length;
      }
      return String(h);
    }).join(',');
  }).join('|');
}
"""

# Stamps, in the page, the frame in which each view's signature last changed, and times
# each document patch the page applies (Bokeh's own handling, before the next paint).
RECORDER_JS = r"""
() => {
  // The probe runs only while something may change: up to 1.5 s after a patch or an input.
  const rec = {events: {}, changes: {}, last: null, stop: false, patches: [], probe: 0,
               frames: window.__frames.length, busy: 0, painted: null};
  const doc = Bokeh.documents[0];
  if (!doc.__timed) {
    const apply = doc.apply_json_patch.bind(doc);
    doc.apply_json_patch = (...args) => {
      const t0 = performance.now();
      try { return apply(...args); }
      finally {
        const r = window.__rec;
        if (r) { r.patches.push([t0, performance.now() - t0]); r.busy = performance.now() + 1500; }
      }
    };
    doc.__timed = true;
  }
  // When the measured plots last finished painting (Bokeh paints after the models change).
  const plot = __explorer.models('Figure').map(m => __explorer.view(m)).find(v => v);
  let proto = plot ? Object.getPrototypeOf(plot) : null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, '_actual_paint')) {
    proto = Object.getPrototypeOf(proto);
  }
  if (proto && !proto.__timed) {
    const paint = proto._actual_paint;
    proto._actual_paint = function (...args) {
      try { return paint.apply(this, args); }
      finally {
        const r = window.__rec, title = this.model.title ? String(this.model.title.text) : '';
        if (r && PAINTED.some(p => title.startsWith(p))) r.painted = performance.now();
      }
    };
    proto.__timed = true;
  }
  CACHE
  __explorer.fresh();
  for (const type of ['pointerdown', 'pointermove', 'pointerup', 'keydown', 'input']) {
    window.addEventListener(type, (e) => {
      rec.busy = performance.now() + 1500;
      if (type === 'pointermove' || type === 'input') return;
      if (type === 'keydown' && e.key !== 'Enter') return;
      rec.events[type] = e.timeStamp;
    }, {capture: true});
  }
  let previous = __explorer.signatures();
  const tick = () => {
    try {
      const now = performance.now();
      if (now <= rec.busy) {
        __explorer.fresh();
        const current = __explorer.signatures();
        rec.probe += performance.now() - now;
        for (const k in current) {
          if (current[k] !== previous[k]) { rec.changes[k] = now; rec.last = now; }
        }
        previous = current;
      }
    } catch (e) { rec.error = String(e); }
    if (!rec.stop) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__rec = rec;
}
""".replace("CACHE", CACHE_JS)
# The plots whose paints are timed (title prefixes): the 1-D and 2-D views that an edit redraws.
PAINTED = ("Data", "(b, c) plane", "Loss", "Input plane", "Sphere")
RECORDER_JS = RECORDER_JS.replace("PAINTED", repr(list(PAINTED)))
# What an edit's recording holds once the views settled.
RESULT_JS = """() => ({last: __rec.last, now: performance.now(), events: __rec.events,
  painted: __rec.painted,
  error: __rec.error, changes: __rec.changes, status: __explorer.status(),
  patches: __rec.patches, probe: __rec.probe, frames: window.__frames.slice(__rec.frames)})"""
# A first load is over when every view shows the result: stamped from navigation start.
LOADED_JS = r"""
() => {
  const tick = () => {
    try {
      if (window.Bokeh && Bokeh.documents.length && window.__doc === undefined) {
        window.__doc = performance.now();
      }
      if (window.Bokeh && Bokeh.documents.length && (READY)()) {
        if (!window.__explorer) { PROBE CACHE }
        __explorer.fresh();
        const s = __explorer.signatures();
        const views = [__explorer.figure('Data'), __explorer.figure('(b, c) plane'),
                       __explorer.figure('Loss')];
        const filled = s.plane && s.surface && s.exact.length > 3 && s.table !== '[[],[]]';
        if (views.every(v => v) && filled) {
          window.__loaded = performance.now(); return;
        }
      }
    } catch (e) {}
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
""".replace("READY", READY_JS).replace("PROBE", PROBE_JS).replace("CACHE", CACHE_JS)


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured action: seconds to the last view redrawn, per view, and from cache?

    The breakdown (seconds from the action): ``first_patch`` and ``last_patch`` the first
    and last document patch received from the server, ``applying`` the page's own time
    applying the patches (Bokeh's handlers, before painting), ``messages`` and ``kb``
    what the server sent, ``probe`` the time the benchmark's own probe took in the page,
    ``events`` the patch events received (:func:`benchmarks.patches.take_events`),
    ``painted`` when the measured plots last finished painting (Bokeh paints each changed
    plot in a later frame than the one in which its data changed: ``seconds`` does not
    include it).
    """

    seconds: float
    views: dict[str, float]
    cached: bool
    from_down: float | None = None
    first_patch: float | None = None
    last_patch: float | None = None
    applying: float = 0.0
    messages: int = 0
    kb: float = 0.0
    probe: float = 0.0
    events: tuple = ()
    painted: float | None = None


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``.

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)
    10
    """
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def _settle(page: Any, quiet: float = 1.0, timeout: float = 30.0, edit: bool = True) -> dict:
    """Wait until the status is final and no view changed for ``quiet`` seconds (after an
    edit: some view has changed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        rec = page.evaluate(RESULT_JS)
        # While solving, the status line is not a result line (``status()`` is empty); an
        # edit is answered when the minima table or the status line has changed.
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
    for _ in range(5):  # a gesture the page missed (still laying out) is tried again
        act()
        try:
            page.wait_for_function("() => Object.keys(__rec.changes).length > 0", timeout=8000)
            break
        except PlaywrightTimeout:
            print("    (no reaction to the action: tried again)", file=sys.stderr)
    rec = _settle(page)
    start = rec["events"].get(event)
    if start is None:
        raise RuntimeError(f"no {event} event seen")
    views = {k: (v - start) / 1000 for k, v in rec["changes"].items()}
    down = rec["events"].get("pointerdown")
    from_down = (rec["last"] - down) / 1000 if event == "pointerup" and down else None
    frames = [f for f in rec["frames"] if start <= f["t"] <= rec["last"]]
    patches = [(t, d) for t, d in rec["patches"] if start <= t <= rec["last"]]
    return Sample((rec["last"] - start) / 1000, views, "from cache" in rec["status"], from_down,
                  first_patch=(frames[0]["t"] - start) / 1000 if frames else None,
                  last_patch=(frames[-1]["t"] - start) / 1000 if frames else None,
                  applying=sum(d for _, d in patches) / 1000,
                  messages=sum(f["header"] for f in frames),
                  kb=sum(f["size"] for f in frames) / 1000, probe=rec["probe"] / 1000,
                  events=tuple(take_events(page, start, rec["now"])),
                  painted=painted_after(rec, start))


def painted_after(rec: dict, start: float) -> float | None:
    """Seconds from ``start`` until the measured plots last finished painting (``None``:
    no paint after ``start``)."""
    painted = rec.get("painted")
    return (painted - start) / 1000 if painted is not None and painted > start else None


def _screen(page: Any, x: float, y: float) -> list[float]:
    return page.evaluate("([x, y]) => __explorer.toScreen('Data', x, y)", [x, y])


def _rows(page: Any) -> list[tuple[str, str]]:
    xs = page.evaluate("() => __explorer.column('x')")
    ys = page.evaluate("() => __explorer.column('y')")
    return list(zip(xs, ys, strict=True))


def drag(page: Any, k: int) -> Sample:
    """Drag point 2 (x = 0.44) up or down by a new amount."""
    def act() -> None:
        rows = _rows(page)
        x, y = float(rows[1][0]), float(rows[1][1])
        target = y + (0.25 + 0.03 * k) * (1 if k % 2 == 0 else -1)
        begin, end = _screen(page, x, y), _screen(page, x, target)
        page.mouse.move(*begin)
        page.mouse.down()
        page.mouse.move(*end, steps=8)
        page.mouse.up()
    return _measure(page, act, "pointerup")


def tap_add(page: Any, k: int) -> Sample:
    """Tap an empty spot (a new point), then delete it again unmeasured."""
    spot = (0.15 + 0.02 * k, -0.9 + 0.05 * k)
    sample = _measure(page, lambda: page.mouse.click(*_screen(page, *spot)), "pointerup")
    page.mouse.click(*_screen(page, *spot))
    page.keyboard.press("Backspace")
    page.wait_for_function("() => __explorer.column('x').length === 5", timeout=TIMEOUT)
    page.evaluate(RECORDER_JS)
    _settle(page, edit=False)
    return sample


def table_edit(page: Any, k: int) -> Sample:
    """Type a new y for point 3 into the data table."""
    table = page.locator(".tabulator").filter(has_text="point")
    cell = table.locator(".tabulator-row").nth(2).locator(".tabulator-cell[tabulator-field=y]")

    def act() -> None:
        cell.click()
        editor = cell.locator("input")
        editor.fill(f"{0.5 + 0.03 * (k + 1):.2f}")
        editor.press("Enter")
    return _measure(page, act, "keydown")


def slider(page: Any, k: int) -> Sample:
    """Drag the λ slider's handle by a new distance and release it."""
    shift = (9 + 4 * k) * (1 if k % 2 == 0 else -1)

    def act() -> None:
        box = page.locator(".noUi-handle").first.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + shift, cy, steps=5)
        page.mouse.up()
    return _measure(page, act, "pointerup")


SCENARIOS = {"point drag": drag, "tap to add": tap_add, "table edit": table_edit,
             "λ slider release": slider}


@dataclass(frozen=True, slots=True)
class Load:
    """One first load, seconds from navigation start: the page's HTML received (the server
    has built the session), its scripts run (DOMContentLoaded), Bokeh's document made,
    the first websocket message, and every view showing the result. Then the page's main
    thread until then, from Chromium's own counters (``Performance.getMetrics``): its CPU
    seconds (``ThreadTime``: what other work on the shared cores inflates least), the
    seconds spent recalculating styles and running scripts; and the document's Bokeh models."""

    page: float
    scripts: float
    document: float
    socket: float | None
    seconds: float
    cpu: float | None = None
    style: float | None = None
    script: float | None = None
    models: int | None = None


def first_load(browser: Any, url: str) -> Load:
    """A fresh context opens the page: until every view shows the result."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.add_init_script(FRAMES_JS)
        page.add_init_script(f"({LOADED_JS})()")
        page.goto(url)
        page.wait_for_function("() => window.__loaded !== undefined", timeout=TIMEOUT)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        t = page.evaluate("""() => {
          const nav = performance.getEntriesByType('navigation')[0];
          return [nav.responseEnd, nav.domContentLoadedEventEnd, window.__doc,
                  window.__frames.length ? window.__frames[0].t : null, window.__loaded,
                  Bokeh.documents[0].all_models.size];
        }""")
        return Load(*(v / 1000 if v is not None else None for v in t[:5]),
                    cpu=metrics.get("ThreadTime"), style=metrics.get("RecalcStyleDuration"),
                    script=metrics.get("ScriptDuration"), models=t[5])
    finally:
        context.close()


def load_table(loads: list[Load]) -> str:
    """Median seconds from navigation start to each stage of a first load."""
    def med(values: list[float | None]) -> str:
        seen = [v for v in values if v is not None]
        return f"{statistics.median(seen):.3f}" if seen else "—"

    return markdown_table(
        ["HTML received (session built)", "scripts run", "document made",
         "first websocket message", "every view shows the result", "page CPU s",
         "styles s", "scripts s", "models"],
        [[med([x.page for x in loads]), med([x.scripts for x in loads]),
          med([x.document for x in loads]), med([x.socket for x in loads]),
          med([x.seconds for x in loads]), med([x.cpu for x in loads]),
          med([x.style for x in loads]), med([x.script for x in loads]),
          str(loads[-1].models)]])


def run(url: str, runs: int, loads: int) -> tuple[dict[str, list[Sample]], list[Load]]:
    """Every scenario ``runs`` times on one page, then ``loads`` first loads."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[Sample]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            first_load(browser, url)  # the server's first session warms its imports
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            page = context.new_page()
            page.add_init_script(FRAMES_JS)
            page.add_init_script(EVENTS_JS)
            page.goto(url)
            page.wait_for_function(READY_JS, timeout=TIMEOUT)
            page.evaluate(PROBE_JS)
            page.evaluate(RECORDER_JS)
            _settle(page, quiet=2.0, edit=False)
            for name, scenario in SCENARIOS.items() if runs else ():
                print(f"... {name}", file=sys.stderr, flush=True)
                results[name] = [scenario(page, k) for k in range(runs)]
            context.close()
            print("... first load", file=sys.stderr, flush=True)
            load_times = [first_load(browser, url) for _ in range(loads)]
        finally:
            browser.close()
    return results, load_times


def latency_table(results: dict[str, list[Sample]], loads: list[float]) -> str:
    """Median, p95, max per action, against the targets."""
    rows = []
    for name, samples in results.items():
        s = [x.seconds for x in samples]
        med, p95 = statistics.median(s), percentile(s, 0.95)
        downs = [x.from_down for x in samples if x.from_down is not None]
        cached = sum(x.cached for x in samples)
        rows.append([name, str(len(s)), f"{med:.3f}", f"{p95:.3f}", f"{max(s):.3f}",
                     f"{statistics.median(downs):.3f}" if downs else "—", str(cached),
                     "yes" if med <= TARGET[0] and p95 <= TARGET[1] else "no"])
    if loads:
        rows.append(["first load", str(len(loads)), f"{statistics.median(loads):.3f}",
                     f"{percentile(loads, 0.95):.3f}", f"{max(loads):.3f}", "—", "—",
                     "yes" if max(loads) <= LOAD_TARGET else "no"])
    headers = ["action", "n", "median s", "p95 s", "max s", "median from mouse-down s",
               "from cache", f"met? (≤ {TARGET[0]} / {TARGET[1]} s; load ≤ {LOAD_TARGET} s)"]
    return markdown_table(headers, rows)


def view_table(results: dict[str, list[Sample]]) -> str:
    """Median seconds from the action until each view last changed (— : did not change)."""
    rows = []
    for name, samples in results.items():
        cells = []
        for view in VIEWS:
            seen = [x.views[view] for x in samples if view in x.views]
            cells.append(f"{statistics.median(seen):.3f}" if seen else "—")
        rows.append([name, *cells])
    return markdown_table(["action", *VIEWS], rows)


def breakdown_table(results: dict[str, list[Sample]]) -> str:
    """Median seconds from the action: the server's first and last patch received, the
    page's time applying patches, the last view's data changed and the plots painted;
    messages and kB per action."""
    def med(values: list[float | None]) -> str:
        seen = [v for v in values if v is not None]
        return f"{statistics.median(seen):.3f}" if seen else "—"

    rows = []
    for name, samples in results.items():
        rows.append([name, med([x.first_patch for x in samples]),
                     med([x.last_patch for x in samples]), med([x.applying for x in samples]),
                     med([x.seconds - x.last_patch if x.last_patch is not None else None
                          for x in samples]),
                     med([x.seconds for x in samples]), med([x.painted for x in samples]),
                     med([float(x.messages) for x in samples]).replace(".000", ""),
                     med([x.kb for x in samples]).rstrip("0").rstrip("."),
                     med([x.probe for x in samples])])
    return markdown_table(["action", "first patch s", "last patch s", "applying patches s",
                           "last patch -> last view s", "last view s", "plots painted s",
                           "messages", "kB",
                           "probe s"], rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the explorer, measure in Chromium, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10,
                        help="measured actions per kind (0: first loads only)")
    parser.add_argument("--loads", type=int, default=5, help="first loads measured")
    parser.add_argument("--patches", action="store_true",
                        help="print what each edit's patches carried, per model and attribute")
    args = parser.parse_args(argv)
    before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "serve.log") as server:
        results, loads = run(server.url, args.runs, args.loads)
        errors = server.errors()
    after = os.getloadavg()
    print("\n".join(header_lines()))
    print("problem: the paper's example (n = 5, d = 1, L = 2), Chromium 1500 x 1000")
    print(f"load average (1 min) before / after: {before[0]:.2f} / {after[0]:.2f}")
    print()
    print(latency_table(results, [x.seconds for x in loads]))
    print()
    print("median seconds from the action to each view's last change:")
    print()
    print(view_table(results))
    print()
    if loads:
        print("first load (medians, seconds from navigation start; then the page's main thread")
        print("until every view shows the result: CPU, style recalculation, scripts; models):")
        print()
        print(load_table(loads))
        print()
    print("breakdown (medians): when the server's document patches arrived, the page's time")
    print("applying them, and the rest (layout, painting) until the last view changed:")
    print()
    print(breakdown_table(results))
    if args.patches:
        print("\nper edit (medians): the patch events per model and attribute, JSON and buffers:\n")
        print(patch_table(results))
    if errors:
        print("\nthe server logged errors:\n" + "\n".join(errors))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

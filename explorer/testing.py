"""Serve the explorer in a subprocess and drive it in Chromium: the browser tests' and the
benchmarks' shared harness.

- :func:`serve` starts ``python -m panel serve explorer`` on a free localhost port in its own
  process group, waits for the page and kills the group afterwards; the server's output
  goes to a log file, which :func:`server_errors` reads for tracebacks.
- :func:`launch_chromium` starts Debian's Chromium through Playwright (by path: there is no
  ``playwright install`` offline).
- :data:`PROBE_JS` installs ``window.__explorer`` in a page: plain data read from the
  document's Bokeh models (the widgets live in shadow DOM), and per-view *signatures* that
  change exactly when a view's data change (the benchmark times them).

Playwright is imported only inside :func:`launch_chromium`, so the dashboard itself never
needs it.

Examples
--------
>>> server_errors("2024-01-01 INFO started\\nTraceback (most recent call last):\\n  x\\n")
['Traceback (most recent call last):']
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
)
# What a server log must never contain: a traceback, Tornado's "Exception in callback",
# Bokeh's "error handling message" or a logged ERROR.
_BAD_LOG = re.compile(r"Traceback \(most recent call last\)|Exception|\bERROR\b|Error:")


class ServerError(RuntimeError):
    """``panel serve`` died or did not answer in time (the message has its log)."""


@dataclass(frozen=True, slots=True)
class Server:
    """A running ``panel serve explorer``: its page URL, process and log file."""

    url: str
    process: subprocess.Popen
    log: Path

    def errors(self) -> list[str]:
        """The log's lines that report an exception or error (empty when clean)."""
        return server_errors(self.log.read_text(errors="replace"))


def server_errors(text: str) -> list[str]:
    """The lines of a server log that report an exception, a traceback or an error."""
    return [line for line in text.splitlines() if _BAD_LOG.search(line)]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(log: Path, timeout: float = 180.0, args: tuple[str, ...] = ()) -> Iterator[Server]:
    """Run ``python -m panel serve explorer`` from the repository root until the block ends.

    The server and its worker processes import this tree's ``solver`` and ``explorer``
    when ``PYTHONPATH`` points at it. ``args`` are extra ``panel serve`` options.
    """
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "panel", "serve", "explorer",
             "--address", "127.0.0.1", "--port", str(port), *args],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}/explorer", process, log)
    try:
        _wait_for(server, timeout)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Terminate a process group started with ``start_new_session`` (SIGKILL if stuck)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_for(server: Server, timeout: float) -> None:
    """Poll the page until it answers 200; fail early with the log if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(
                f"panel serve exited with {server.process.returncode}:\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.url, timeout=60) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise ServerError(
        f"panel serve did not answer {server.url} within {timeout:.0f} s:\n"
        f"{server.log.read_text()}")


def chromium_path() -> str:
    """Debian's Chromium (``apt-get install -y chromium`` when missing)."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise ServerError("Chromium is missing: apt-get install -y chromium (see the README)")
    return path


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium browser from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS))


# ``ready()`` is true once a solved result is on the page (the status line names the units).
READY_JS = (
    "() => window.Bokeh && Bokeh.documents.length && Array.from(Bokeh.documents[0].all_models)"
    ".some(m => m.type === 'panel.models.markup.HTML' && / · \\d+ units? · /.test(m.text))"
)

# Plain data from the document's Bokeh models, and one signature per view.
PROBE_JS = r"""
window.__explorer = {
  models(type) { return Array.from(Bokeh.documents[0].all_models).filter(m => m.type === type); },
  table(column) {
    const t = this.models('panel.models.tabulator.DataTabulator')
      .find(m => column in m.source.data);
    return t ? t.source : null;
  },
  column(column) { const s = this.table(column); return s ? Array.from(s.data[column]) : []; },
  texts() { return this.models('panel.models.markup.HTML').map(m => String(m.text)); },
  status() {  // the status line as plain text (the HTML model's text is escaped markup)
    const text = this.texts().find(t => /\d+ minim(a|um) \(.* · \d+ units? · /.test(t)) || '';
    return text.replace(/&lt;[^&]*?&gt;|<[^>]*>/g, '').trim();
  },
  alert() {  // the visible refusal message, if any
    const m = this.models('panel.models.markup.HTML')
      .find(m => m.visible && String(m.text).includes('Refused'));
    return m ? String(m.text) : '';
  },
  exact() {  // the exact-form pane's LaTeX source
    const m = this.models('panel.models.katex.KaTeX')[0];
    return m ? String(m.text) : '';
  },
  view(model) {
    let found = null;
    const walk = (v) => {
      if (found) return;
      if (v.model === model) { found = v; return; }
      if (v.children) for (const c of v.children()) walk(c);
    };
    for (const root of Object.values(Bokeh.index)) walk(root);
    return found;
  },
  figure(prefix) {
    const model = this.models('Figure').find(m => m.title && m.title.text.startsWith(prefix));
    return model ? this.view(model) : null;
  },
  toScreen(prefix, x, y) {
    const view = this.figure(prefix);
    const rect = view.canvas_view.el.getBoundingClientRect();
    return [rect.x + view.frame.x_scale.compute(x), rect.y + view.frame.y_scale.compute(y)];
  },
  glyphs(prefix, type) {
    const view = this.figure(prefix);
    return view ? view.model.renderers.filter(r => r.glyph && r.glyph.type === type) : [];
  },
  scatterCounts(prefix) {
    return this.glyphs(prefix, 'Scatter').map(r => r.data_source.get_length());
  },
  ring(prefix, size) {  // centres of the selection ring (a Scatter of that size)
    const r = this.glyphs(prefix, 'Scatter').find(r => r.glyph.size.value === size);
    const d = r.data_source.data, keys = Object.keys(d).filter(k => k !== 'index');
    const [h, v] = keys.includes('b') ? ['b', 'c'] : ['h', 'v'];
    return Array.from(d[h]).map((x, i) => [x, d[v][i]]);
  },
  digest(values) {  // a cheap fingerprint of a numeric or string array
    let h = values.length;
    const step = Math.max(1, Math.floor(values.length / 64));
    for (let i = 0; i < values.length; i += step) {
      const v = values[i];
      h = (h * 31 + (typeof v === 'number' ? Math.round(v * 1e6) : String(v).length)) % 1e9;
    }
    return String(h);
  },
  sources(prefix, type) {
    return this.glyphs(prefix, type).map(r => {
      const d = r.data_source.data;
      return Object.keys(d).sort().map(k => {
        const col = d[k];
        const flat = Array.isArray(col) && col.length && col[0] && col[0].length !== undefined
          ? col.flatMap(c => Array.from(c)) : Array.from(col);
        return this.digest(flat);
      }).join(',');
    }).join('|');
  },
  signatures() {  // one string per view; it changes exactly when that view's data change
    const exact = this.models('panel.models.katex.KaTeX')[0];
    const exactView = exact ? this.view(exact) : null;
    const typeset = exactView && exactView.el.shadowRoot
      ? exactView.el.shadowRoot.querySelectorAll('.katex').length : 0;
    return {
      points: this.sources('Data', 'Scatter'),
      fit: this.sources('Data', 'Line'),
      datatable: JSON.stringify([this.column('x'), this.column('y')]),
      table: JSON.stringify([this.column('loss'), this.column('pattern')]),
      selected: JSON.stringify(Array.from((this.table('loss') || {selected: {indices: []}})
        .selected.indices)),
      plane: this.sources('(b, c) plane', 'Scatter'),
      surface: this.sources('Loss', 'Image') + this.sources('Loss', 'Scatter'),
      exact: (exact ? String(exact.text) : '') + '#' + typeset,
      status: this.status(),
    };
  },
};
"""


def open_explorer(page: Any, url: str, timeout: float = 60_000) -> None:
    """Go to ``url``, wait for a solved result and install :data:`PROBE_JS`."""
    page.goto(url)
    page.wait_for_function(READY_JS, timeout=timeout)
    page.evaluate(PROBE_JS)


def edit_cell(page: Any, row: int, column: str, text: str) -> None:
    """Type ``text`` into a cell of the data table (the one with a ``point`` column) and
    press Enter."""
    table = page.locator(".tabulator").filter(has_text="point")
    cell = table.locator(".tabulator-row").nth(row).locator(
        f".tabulator-cell[tabulator-field={column}]")
    cell.click()
    editor = cell.locator("input")
    editor.fill(text)
    editor.press("Enter")

"""What an edit's document patch carries (issue 15, redraw), without a browser.

The whole dashboard is built into a Bokeh document, as the server builds it; every change an
edit makes is collected as Bokeh's own events and serialised as the server would send it
(``PATCH-DOC``). A column is checked against what the page had before the edit, read from
the document, never from the code that decided what to send. The browser check: the page
applies the style-sheet fix of :mod:`explorer.pagefix`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import numpy as np
import panel as pn
import pytest
from bokeh.document import Document
from bokeh.document.events import ColumnDataChangedEvent, ModelChangedEvent
from bokeh.models import ColumnDataSource, Glyph, GlyphRenderer, PointDrawTool
from bokeh.protocol import Protocol
from panel.io.state import set_curdoc

from explorer.layout import build_dashboard
from explorer.problem import format_data, parse_data
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.testing import READY_JS
from explorer.views.surface import GRID


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ExplorerState, Document, list[Any]]]:
    """The dashboard in a document, as served, and the list that receives every document
    event (unbatched: ``pn.io.hold`` dispatches only to a connected page)."""
    pn.extension("tabulator", "katex")
    doc = Document()
    events: list[Any] = []
    with set_curdoc(doc):
        state = ExplorerState(runner=SolveRunner(processes=False), autostart=False)
        board = build_dashboard(state)
        doc.add_root(pn.Column(*board.main, *board.sidebar).get_root(doc))
        state.start()
        doc.callbacks.on_change(events.append)
        yield state, doc, events


def _plain(value: Any) -> Any:
    """A column as nested Python lists (numpy arrays included), to compare by ``==``."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _drawn_sources(doc: Document) -> dict[str, ColumnDataSource]:
    """The data sources of every glyph drawn in a figure, by id."""
    return {r.data_source.id: r.data_source for r in doc.select({"type": GlyphRenderer})}


def _edit(served: tuple, **changes: Any) -> tuple[dict[str, dict], list[Any]]:
    """Apply an edit; the drawn sources' columns before it, and the events it made."""
    state, doc, events = served
    before = {i: copy.deepcopy({k: _plain(v) for k, v in s.data.items()})
              for i, s in _drawn_sources(doc).items()}
    events.clear()
    with set_curdoc(doc):
        assert state.edit(**changes)
    return before, list(events)


def _sent_columns(events: list[Any], sources: dict[str, ColumnDataSource]) -> list[tuple]:
    """``(source id, column, value)`` of every column the events send to a drawn source."""
    sent = []
    for event in events:
        if event.model.id not in sources:
            continue
        if isinstance(event, ColumnDataChangedEvent):
            data = event.model.data
            sent += [(event.model.id, k, data[k]) for k in (event.cols or data)]
        elif isinstance(event, ModelChangedEvent) and event.attr == "data":
            sent += [(event.model.id, k, v) for k, v in event.new.items()]
    return sent


def _moved(state: ExplorerState, dy: str) -> str:
    rows = parse_data(state.data)
    rows[1] = (rows[1][0], dy)
    return format_data(rows)


@pytest.mark.parametrize("change", ["lam", "y", "units"])
def test_an_edit_never_resends_a_column_the_page_has(served: tuple, change: str) -> None:
    state, doc, _ = served
    edit = {"lam": {"lam": "3/100"}, "y": {"data": _moved(state, "0.9")},
            "units": {"units": 1}}[change]
    before, events = _edit(served, **edit)
    sent = _sent_columns(events, _drawn_sources(doc))
    assert sent, "the edit changed no drawn source"
    again = [(i, k) for i, k, v in sent if before.get(i, {}).get(k, None) == _plain(v)]
    assert again == [], f"columns re-sent unchanged: {again}"
    # Back to the paper's example for the next case (λ = 1/100, 2 units).
    with set_curdoc(doc):
        state.edit(data=_moved(state, "1.02"), lam="1/100", units=2)


def test_an_edit_sends_the_loss_image_once_as_float32_and_little_else(served: tuple) -> None:
    """The paper's example after a new λ: one GRID x GRID float32 image (4 bytes a pixel)
    and, for every other view together, less than 40 kB (it was 84 kB with the contours
    as nested float64 lists, f(x) sampled at 400 points and unchanged columns re-sent)."""
    _, doc, _ = served
    _, events = _edit(served, lam="1/50")
    message = Protocol().create("PATCH-DOC", events)
    buffers = [len(b.to_bytes()) for b in message.buffers]
    total = len(message.content_json) + sum(buffers)
    image = 4 * GRID * GRID
    assert sum(size == image for size in buffers) == 1  # the image, once, 4 bytes a pixel
    assert total - image < 40_000, f"{total - image} bytes besides the image"


@pytest.mark.browser
def test_the_page_skips_rewriting_a_style_sheet_with_its_own_text(
        explorer_url: str, open_page: Any) -> None:
    """BokehJS rewrites each renderer's style sheet on every paint; with the fix an
    unchanged text leaves the ``<style>`` element alone (no DOM mutation), a new one not."""
    page = open_page(explorer_url)
    page.wait_for_function(READY_JS, timeout=60_000)
    page.wait_for_function(
        "() => Bokeh.require('core/dom').InlineStyleSheet.prototype.__skipsUnchanged === true",
        timeout=30_000)
    mutations = page.evaluate("""async () => {
      const sheet = new (Bokeh.require('core/dom').InlineStyleSheet)(':host { top: 1px; }');
      const seen = [];
      const observer = new MutationObserver(records => seen.push(records.length));
      observer.observe(sheet.el, {childList: true, characterData: true, subtree: true});
      sheet.replace(':host { top: 1px; }');
      await new Promise(resolve => setTimeout(resolve, 50));
      const same = seen.length;
      sheet.replace(':host { top: 2px; }');
      await new Promise(resolve => setTimeout(resolve, 50));
      observer.disconnect();
      return [same, seen.length, sheet.css];
    }""")
    assert mutations == [0, 1, ":host { top: 2px; }"]


def test_only_renderers_a_tool_selects_have_selection_glyph_models(served: tuple) -> None:
    """A renderer no tool selects (this page selects minima by server-side taps) gets no
    non-selection or muted glyph model; the data points, which the draw tool selects (tap,
    then Backspace), keep Bokeh's faded non-selection glyph."""
    _, doc, _ = served
    selecting = {r.id for t in doc.select({"type": PointDrawTool}) for r in t.renderers}
    renderers = list(doc.select({"type": GlyphRenderer}))
    assert len(selecting) == 1 and len(renderers) > 10
    for renderer in renderers:
        extra = [g for g in (renderer.nonselection_glyph, renderer.muted_glyph)
                 if isinstance(g, Glyph)]
        if renderer.id in selecting:
            assert renderer.nonselection_glyph.fill_alpha == 0.1
        else:
            assert extra == [], renderer.glyph

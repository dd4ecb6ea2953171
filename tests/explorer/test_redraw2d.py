"""What a 2-D edit's document patch carries (issue 14), without a browser.

The dashboard is built into a Bokeh document on XOR-like data (d = 2, 2 units); every change
an edit makes is collected as Bokeh's own events. An edit of the data reaches the page in two
messages when the solve takes time: the data change at once, the result later. Here the
solve is held back (the state's ``_submit`` is wrapped) to see each part alone. What a column
held before is read from the document, never from the code that decided what to send.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import numpy as np
import panel as pn
import pytest
from bokeh.document import Document
from bokeh.protocol import Protocol
from panel.io.state import set_curdoc

from explorer.layout import build_dashboard
from explorer.problem import format_data, parse_data, read_example
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.views.data2d import HEAT_STEPS
from tests.explorer.test_redraw import _drawn_sources, _plain, _sent_columns
from tests.explorer.test_state2d import ASSETS

XOR = read_example(ASSETS / "xor_2d.csv")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ExplorerState, Any, Document, list[Any]]]:
    """The dashboard on XOR data in a document, and the list receiving its events."""
    pn.extension("tabulator", "katex")
    doc = Document()
    events: list[Any] = []
    with set_curdoc(doc):
        state = ExplorerState(runner=SolveRunner(processes=False), data=XOR, units=2,
                              autostart=False)
        board = build_dashboard(state)
        doc.add_root(pn.Column(*board.main, *board.sidebar).get_root(doc))
        state.start()
        doc.callbacks.on_change(events.append)
        yield state, board, doc, events


def _columns(doc: Document) -> dict[str, dict[str, Any]]:
    """Every drawn source's columns, by source id (a deep copy)."""
    return {i: copy.deepcopy({k: _plain(v) for k, v in s.data.items()})
            for i, s in _drawn_sources(doc).items()}


def _sent(events: list[Any], doc: Document) -> list[tuple[str, str, Any]]:
    """``(source id, column, value)`` of every column the events send to a drawn source."""
    return _sent_columns(events, _drawn_sources(doc))


def _dragged(data: str, dx: float) -> str:
    """Point 1 moved right by ``dx`` (beyond the others: the plotted box changes)."""
    rows = parse_data(data)
    rows[0] = (f"{float(rows[0][0]) + dx:.2f}", *rows[0][1:])
    return format_data(rows)


def _edit_in_two_parts(served: tuple, monkeypatch: pytest.MonkeyPatch,
                       **changes: Any) -> tuple[list[Any], list[Any], dict]:
    """The events of an edit before its solve is applied, those of applying it, and the
    drawn columns before the edit."""
    state, _, doc, events = served
    before = _columns(doc)
    held: list[Any] = []
    submit = state._submit
    monkeypatch.setattr(state, "_submit", held.append)
    events.clear()
    with set_curdoc(doc):
        assert state.edit(**changes)
        first = list(events)
        events.clear()
        monkeypatch.setattr(state, "_submit", submit)
        assert len(held) == 1
        submit(held[0])
        second = list(events)
    return first, second, before


def test_a_drag_sends_the_heatmap_once_with_the_result_as_palette_indices(
        served: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data change moves the points and the box at once but leaves f alone (it was
    redrawn for the old minimum, then again for the new); the result sends f once: one
    byte a pixel."""
    state, board, doc, _ = served
    heat = board.data2d.heat.data_source.id
    start = board.data2d.figure.x_range.end
    first, second, _ = _edit_in_two_parts(served, monkeypatch, data=_dragged(state.data, 0.5))
    assert board.data2d.figure.x_range.end > start  # the box grew with the data change
    assert [k for i, k, _ in _sent(first, doc) if i == heat] == []
    images = [v for i, k, v in _sent(second, doc) if i == heat and k == "image"]
    assert len(images) == 1
    assert images[0][0].dtype == np.uint8 and images[0][0].shape == (HEAT_STEPS, HEAT_STEPS)
    message = Protocol().create("PATCH-DOC", second)
    assert sum(len(b.to_bytes()) == HEAT_STEPS ** 2 for b in message.buffers) == 1


@pytest.mark.parametrize("change", ["lam", "y", "drag"])
def test_a_2d_edit_never_resends_a_column_the_page_has(
        served: tuple, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    state, _, doc, _ = served
    rows = parse_data(state.data)
    rows[1] = (rows[1][0], rows[1][1], "-0.7" if rows[1][2] != "-0.7" else "-0.6")
    edit = {"lam": {"lam": "1/20" if state.lam != "1/20" else "1/50"},
            "y": {"data": format_data(rows)}, "drag": {"data": _dragged(state.data, 0.1)}}
    first, second, before = _edit_in_two_parts(served, monkeypatch, **edit[change])
    sent = _sent(first + second, doc)
    assert sent, "the edit changed no drawn source"
    again = [(i, k) for i, k, v in sent if before.get(i, {}).get(k, None) == _plain(v)]
    assert again == [], f"columns re-sent unchanged: {again}"


def test_the_cells_are_computed_once_per_data_set_and_the_slice_once_per_result(
        served: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new λ or number of units keeps the sphere's cells (the same inputs); new inputs
    compute them once, and going back to earlier inputs takes them from the cache. A result
    that comes with a new selection draws the loss slice once, not once for each."""
    import explorer.views.sphere2d as sphere2d
    import explorer.views.surface2d as surface2d

    state, _, doc, _ = served
    cells, slices = [], []
    monkeypatch.setattr(sphere2d, "sphere_cells",
                        lambda xs, real=sphere2d.sphere_cells: cells.append(xs) or real(xs))
    monkeypatch.setattr(surface2d, "compute_slice",
                        lambda *a, real=surface2d.compute_slice: slices.append(a) or real(*a))
    sphere2d.cell_columns.cache_clear()
    with set_curdoc(doc):
        state.select(1)
        slices.clear()
        assert state.edit(lam="1/30" if state.lam != "1/30" else "1/40")
        assert state.selection == -1  # the new result comes with a new selection
        assert (len(cells), len(slices)) == (0, 1)
        assert state.edit(units=1)
        assert len(cells) == 0
        data = state.data
        assert state.edit(data=_dragged(data, 0.2))
        assert len(cells) == 1
        assert state.edit(data=data, units=2)
        assert len(cells) == 2  # (the cache was cleared above: these inputs are new to it)
        assert state.edit(data=_dragged(data, 0.2))
        assert len(cells) == 2  # from the cache

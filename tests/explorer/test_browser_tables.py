"""The tables update in place (Chromium, ``panel serve``): an edit changes the cells that
changed and leaves every row's element on the page (explorer.pagefix).

Panel's Tabulator view rebuilt the whole table for a patch or a new frame (every row's
element thrown away and built again: about 200 ms of the page's main thread for the minima
table at load, and a flicker). Each test marks the rows' elements, edits, and checks that
the rows still shown are the marked elements and show the new values, which come from the
solver called here (the minima) or from the edit itself (the data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from explorer.testing import PROBE_JS, READY_JS
from solver import solve
from solver.data import read_csv

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60_000  # ms; the first solve includes spawning workers
MARK_JS = "(rows) => rows.forEach((row) => { row.__kept = true; })"
# Per row shown: [whether it is a marked element, {field: its cell's text}].
ROWS_JS = ("(rows) => rows.map((row) => [row.__kept === true, Object.fromEntries(Array.from("
           "row.querySelectorAll('.tabulator-cell[tabulator-field]')).map((c) => "
           "[c.getAttribute('tabulator-field'), c.textContent.trim()]))])")


def _rows(page: Any, header: str) -> Any:
    return page.locator(".tabulator").filter(has_text=header).locator(".tabulator-row")


def _column(page: Any, name: str) -> list[str]:
    return page.evaluate("(c) => __explorer.column(c)", name)


def _wait_column_change(page: Any, name: str, before: list[str]) -> list[str]:
    page.wait_for_function(
        "([c, b]) => JSON.stringify(__explorer.column(c)) !== JSON.stringify(b)"
        " && __explorer.column(c).length > 0", arg=[name, before], timeout=TIMEOUT)
    return _column(page, name)


def test_a_lambda_edit_updates_the_minima_table_in_place(
    explorer_url: str, open_page: Any
) -> None:
    page = open_page(explorer_url, (1500, 1000))
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    rows = _rows(page, "certificate")
    rows.first.wait_for(timeout=TIMEOUT)
    before = _column(page, "loss")
    rows.evaluate_all(MARK_JS)
    lam_box = page.locator("input.bk-input[type=text]").first
    lam_box.fill("1/50")
    lam_box.press("Enter")
    _wait_column_change(page, "loss", before)
    data = read_csv(REPO / "assets" / "paper_example.csv")
    expected = solve([row[0] for row in data.x], list(data.y), "1/50", 2)
    losses = [f"{m.loss:.10g}" for m in expected.minima]
    _rows(page, "certificate").filter(has_text=losses[0]).first.wait_for(timeout=TIMEOUT)
    shown = _rows(page, "certificate").evaluate_all(ROWS_JS)
    assert len(shown) == len(losses)
    kept = min(len(before), len(losses))
    assert [k for k, _ in shown[:kept]] == [True] * kept, "rows were rebuilt"
    assert sorted(cells["loss"] for _, cells in shown) == sorted(losses)


def test_a_dragged_point_updates_its_data_table_row_in_place(
    explorer_url: str, open_page: Any
) -> None:
    page = open_page(explorer_url, (1500, 1000))
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    rows = _rows(page, "point")
    rows.first.wait_for(timeout=TIMEOUT)
    rows.evaluate_all(MARK_JS)
    before = _column(page, "y")
    start = page.evaluate("() => __explorer.toScreen('Data', 0.44, 1.02)")  # the paper's x2
    end = page.evaluate("() => __explorer.toScreen('Data', 0.44, 0.2)")
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()
    ys = _wait_column_change(page, "y", before)
    assert ys[1] != "1.02" and abs(float(ys[1]) - 0.2) < 0.05  # snapped to 0.01
    _rows(page, "point").nth(1).filter(has_text=ys[1]).wait_for(timeout=TIMEOUT)
    shown = _rows(page, "point").evaluate_all(ROWS_JS)
    assert [k for k, _ in shown] == [True] * 5, "rows were rebuilt"
    assert [cells["y"] for _, cells in shown] == ys

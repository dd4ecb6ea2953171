"""The explorer with two-dimensional data in a real browser (Chromium, ``panel serve``).

Fixtures (server, browser, console/offsite/server-log guards) are in ``conftest.py``; page
helpers (``window.__explorer``) in :mod:`explorer.testing`. Expected minima come from the
solver called directly in this process on the same exact data. Set
``EXPLORER_SCREENSHOT_2D=assets/screenshot_2d.png`` to save the README's picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from explorer.state import read_example
from explorer.testing import PROBE_JS, READY_JS
from solver import solve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "assets"
TIMEOUT = 60_000  # ms; the first solve includes spawning workers
PLANE = "Input plane"
SPHERE = "Sphere of directions"
SLICE = "Loss on a slice"


def _ready(page: Any) -> None:
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)


def _losses(page: Any) -> list[str]:
    return page.evaluate("() => __explorer.column('loss')")


def _wait_losses_change(page: Any, before: list[str]) -> list[str]:
    page.wait_for_function(
        "(before) => JSON.stringify(__explorer.column('loss')) !== JSON.stringify(before)"
        " && __explorer.column('loss').length > 0", arg=before, timeout=TIMEOUT)
    return _losses(page)


def _wait_selected(page: Any, row: int) -> None:
    page.wait_for_function(
        "(row) => JSON.stringify(Array.from(__explorer.table('loss').selected.indices))"
        " === JSON.stringify([row])", arg=row, timeout=TIMEOUT)


def _losses_of(rows: list[list[str]], lam: str, units: int) -> list[str]:
    """The solver's minima's losses, as the table shows them (sorted)."""
    expected = solve([r[:2] for r in rows], [r[2] for r in rows], lam, units)
    return sorted(f"{m.loss:.10g}" for m in expected.minima)


def _rows(page: Any) -> list[list[str]]:
    columns = [page.evaluate(f"() => __explorer.column('{c}')") for c in ("x1", "x2", "y")]
    return [list(r) for r in zip(*columns, strict=True)]


def _url(base: str, example: str, **extra: Any) -> str:
    return base + "?" + urlencode({"data": read_example(ASSETS / example), **extra})


def test_xor_drag_lambda_select_everywhere_and_share(explorer_url: str, open_page: Any) -> None:
    page = open_page(_url(explorer_url, "xor_2d.csv"))
    _ready(page)
    rows = _rows(page)
    assert rows[0] == ["-1", "-0.9", "0.9"]
    assert sorted(_losses(page)) == _losses_of(rows, "1/100", 2)
    assert page.evaluate(f"() => __explorer.scatterCounts('{PLANE}')") == [4]
    # each alive unit of the selected (global) minimum is a kink line across the plane
    lines = page.evaluate(
        f"() => __explorer.glyphs('{PLANE}', 'MultiLine').map(r => r.data_source.get_length())")
    assert lines[0] == 2 and lines[1] > 0  # two lines, their ticks
    # drag x1 from (-1, -0.9) to (-0.7, -0.9): its y stays, the minima follow
    before = _losses(page)
    start = page.evaluate(f"() => __explorer.toScreen('{PLANE}', -1, -0.9)")
    stop = page.evaluate(f"() => __explorer.toScreen('{PLANE}', -0.7, -0.9)")
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*stop, steps=10)
    page.mouse.up()
    after = _wait_losses_change(page, before)
    rows = _rows(page)
    assert abs(float(rows[0][0]) + 0.7) < 0.03 and rows[0][1:] == ["-0.9", "0.9"]
    assert sorted(after) == _losses_of(rows, "1/100", 2)
    # λ typed exactly
    lam_box = page.locator("input.bk-input[type=text]").first
    lam_box.fill("1/20")
    lam_box.press("Enter")
    after = _wait_losses_change(page, after)
    assert sorted(after) == _losses_of(rows, "1/20", 2)
    # select a minimum in the table: row 3
    page.locator(".tabulator").filter(has_text="certificate").locator(
        ".tabulator-row").nth(3).click()
    _wait_selected(page, 3)
    page.wait_for_function("() => window.location.search.includes('sel=3')", timeout=TIMEOUT)
    shared = page.url
    student = open_page(shared)
    _ready(student)
    assert _rows(student) == rows and sorted(_losses(student)) == sorted(after)
    assert "λ = 1/20" in student.evaluate("() => __explorer.status()")
    _wait_selected(student, 3)
    assert student.evaluate(f"() => __explorer.scatterCounts('{PLANE}')") == [4]

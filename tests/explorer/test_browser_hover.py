"""Hover tooltips after a drag or a pan (Chromium, ``panel serve``): none is left on the
page until the mouse moves again.

Bokeh's hover tool inspects again at the last mouse position whenever its plot repaints:
after a point is dragged, or a plot panned, the tooltip of the glyph under that position
was shown (and re-shown on every redraw the edit caused) although the user had not
hovered anything since. Each test first checks that hovering shows a tooltip (so that the
probe can see one), then drags, then checks that none is shown, right after the release
and after the redraw, and that the next mouse move shows one again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from explorer.problem import read_example
from explorer.testing import PROBE_JS, READY_JS

pytestmark = pytest.mark.browser

ASSETS = Path(__file__).resolve().parents[2] / "assets"
TIMEOUT = 60_000  # ms; the first solve includes spawning workers

# The hover tooltips shown now, as [figure title, tooltip position] (a hidden tooltip has
# no position).
SHOWN_JS = """() => { const out = [];
  const walk = (v, title) => {
    if (v.model && v.model.type === 'Figure') title = v.model.title.text;
    if (v.model && v.model.type === 'HoverTool' && v.ttmodels)
      for (const t of v.ttmodels.values()) if (t.position != null) out.push([title, t.position]);
    if (v.children) for (const c of v.children()) walk(c, title);
  };
  for (const root of Object.values(Bokeh.index)) walk(root, '');
  return out; }"""


def _open(open_page: Any, url: str) -> Any:
    page = open_page(url, (1500, 1000))
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    return page


def _screen(page: Any, title: str, x: float, y: float) -> list[float]:
    return page.evaluate("([t, x, y]) => __explorer.toScreen(t, x, y)", [title, x, y])


def _hover(page: Any, spot: list[float]) -> None:
    """Move onto ``spot`` (from a pixel beside it) and wait for a tooltip there."""
    page.mouse.move(spot[0] - 3, spot[1] - 3)
    page.mouse.move(*spot, steps=3)
    page.wait_for_function(f"() => ({SHOWN_JS})().length > 0", timeout=TIMEOUT)


def _drag_then_no_tooltip(page: Any, start: list[float], end: list[float]) -> None:
    """Drag from ``start`` to ``end``: no tooltip right after the release, none after the
    page's redraw (the minima table changes), and one again after the next mouse move."""
    before = page.evaluate("() => __explorer.column('loss')")
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=12)
    page.mouse.up()
    page.wait_for_timeout(100)
    assert page.evaluate(SHOWN_JS) == [], "a tooltip is shown right after the drag"
    page.wait_for_function(
        "(b) => JSON.stringify(__explorer.column('loss')) !== JSON.stringify(b)",
        arg=before, timeout=TIMEOUT)
    page.wait_for_timeout(1000)  # every view's redraw (each repaint used to re-inspect)
    assert page.evaluate(SHOWN_JS) == [], "a tooltip is shown after the redraw"


def test_no_tooltip_after_dragging_a_data_point(explorer_url: str, open_page: Any) -> None:
    page = _open(open_page, explorer_url)
    start = _screen(page, "Data", 0.44, 1.02)  # the paper's x2
    _hover(page, start)
    _drag_then_no_tooltip(page, start, _screen(page, "Data", 0.6, 1.3))
    # The hover still works: onto the dragged point where it is drawn now.
    ys = page.evaluate("() => __explorer.column('y')")
    xs = page.evaluate("() => __explorer.column('x')")
    _hover(page, _screen(page, "Data", float(xs[1]), float(ys[1])))


def test_no_tooltip_after_panning_the_plane(explorer_url: str, open_page: Any) -> None:
    page = _open(open_page, explorer_url)
    title = "(b, c) plane"
    markers = page.evaluate(  # the units' markers (the scatter with a 'minimum' column)
        "(t) => { const r = __explorer.glyphs(t, 'Scatter').find(r => 'minimum' in"
        " r.data_source.data); const d = r.data_source.data;"
        " return [Array.from(d.b), Array.from(d.c)]; }", title)
    spot = _screen(page, title, markers[0][0], markers[1][0])
    _hover(page, spot)
    page.mouse.down()  # the plane's drag is the pan tool: the marker moves with the mouse
    page.mouse.move(spot[0] + 40, spot[1] + 30, steps=10)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.evaluate(SHOWN_JS) == [], "a tooltip is shown after the pan"
    page.mouse.move(spot[0] + 41, spot[1] + 30)
    page.wait_for_function(f"() => ({SHOWN_JS})().length > 0", timeout=TIMEOUT)


def test_no_tooltip_after_dragging_a_point_of_two_input_data(
    explorer_url: str, open_page: Any
) -> None:
    page = _open(open_page, explorer_url + "?" + urlencode(
        {"data": read_example(ASSETS / "xor_2d.csv")}))
    title = "Input plane"
    page.evaluate("(t) => __explorer.figure(t).canvas_view.el"
                  ".scrollIntoView({block: 'center'})", title)
    start = _screen(page, title, -1.0, -0.9)  # the example's first point
    _hover(page, start)
    _drag_then_no_tooltip(page, start, _screen(page, title, -0.5, -0.6))

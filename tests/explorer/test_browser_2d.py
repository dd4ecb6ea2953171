"""The explorer with two-dimensional data in a real browser (Chromium, ``panel serve``).

Fixtures (server, browser, console/offsite/server-log guards) are in ``conftest.py``; page
helpers (``window.__explorer``) in :mod:`explorer.testing`. Expected minima come from the
solver called directly in this process on the same exact data. Set
``EXPLORER_SCREENSHOT_2D=assets/screenshot_2d.png`` to save the README's picture.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from explorer.problem import read_example
from explorer.testing import PROBE_JS, READY_JS
from explorer.views.geometry import representative
from solver import solve
from solver.data import read_csv

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


def _tap_a_marker(page: Any, title: str) -> None:
    """Tap a marker of the figure ``title`` away from the selected minimum's markers and
    wait until a minimum with a marker there is selected (orbit partners, whose units are
    swapped, share their markers' places)."""
    data = page.evaluate(
        f"() => {{ const r = __explorer.glyphs('{title}', 'Scatter').find(r => "
        f"'minimum' in r.data_source.data); const d = r.data_source.data; return "
        f"[Array.from(d.h), Array.from(d.v), Array.from(d.minimum)]; }}")
    selected = page.evaluate("() => Array.from(__explorer.table('loss').selected.indices)")
    spans = page.evaluate(
        f"() => {{ const f = __explorer.figure('{title}').model; return "
        f"[f.x_range.end - f.x_range.start, f.y_range.end - f.y_range.start]; }}")
    markers = list(zip(*data, strict=True))

    def near(a: tuple, b: tuple) -> bool:
        return abs(a[0] - b[0]) < 0.03 * spans[0] and abs(a[1] - b[1]) < 0.03 * spans[1]

    mine = [m for m in markers if [m[2] - 1] == selected]
    for marker in markers:
        if any(near(marker, m) for m in mine):
            continue
        there = sorted({m[2] - 1 for m in markers if near(marker, m)})
        page.evaluate(  # on screen (cards wrap one a row on narrower pages)
            f"() => __explorer.figure('{title}').canvas_view.el"
            ".scrollIntoView({block: 'center'})")
        spot = page.evaluate(f"([x, y]) => __explorer.toScreen('{title}', x, y)", marker[:2])
        page.mouse.click(*spot)
        page.wait_for_function(
            "(there) => there.includes(Array.from(__explorer.table('loss').selected.indices)"
            "[0])", arg=there, timeout=TIMEOUT)
        return
    raise AssertionError(f"no marker away from the selected minimum's in {title}: {data}")


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
    picture = os.environ.get("EXPLORER_SCREENSHOT_2D")
    if picture:  # the README's picture (shrunk afterwards: see the README)
        page.set_viewport_size({"width": 1500, "height": 1300})  # two cards a row
        page.mouse.move(5, 700)  # no tooltip in the picture
        page.wait_for_timeout(3000)
        page.screenshot(path=picture)
    # drag x1 from (-1, -0.9) to (-0.7, -0.9): its y stays, the minima follow
    before = _losses(page)
    start = page.evaluate(f"() => __explorer.toScreen('{PLANE}', -1, -0.9)")
    stop = page.evaluate(f"() => __explorer.toScreen('{PLANE}', -0.7, -0.9)")
    page.mouse.move(*start)
    page.mouse.down()  # moved at once: a pointer held still ~250 ms is a press, not a drag
    page.mouse.move(*stop, steps=2)
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
    # select a minimum in every view: a marker in the sphere, a dot in the loss slice, a row
    _tap_a_marker(page, SPHERE)
    _tap_a_marker(page, SLICE)
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


def _tooltip(page: Any) -> dict[str, str]:
    """The visible tooltip's rows as ``{label: value}`` (Bokeh draws it in shadow DOM)."""
    rows = page.locator(".bk-tooltip-content").filter(visible=True)
    labels = rows.locator(".bk-tooltip-row-label").all_text_contents()
    values = rows.locator(".bk-tooltip-row-value").all_text_contents()
    return {k.strip().rstrip(":"): v.strip() for k, v in zip(labels, values, strict=True)}


def test_the_plane_has_one_scale_and_hover_shows_exact_values_and_f(
        explorer_url: str, open_page: Any) -> None:
    # wide and flat data (x1 spans 2, x2 spans 0.5), one unit
    rows = [["-1", "0", "1"], ["1", "0.5", "-1"], ["1/5", "0.25", "0.5"]]
    page = open_page(explorer_url + "?" + urlencode(
        {"data": ";".join(",".join(r) for r in rows), "units": 1}))
    _ready(page)
    drawn = page.evaluate(f"""() => {{
        const v = __explorer.figure('{PLANE}'), m = v.model;
        const a = __explorer.toScreen('{PLANE}', 0, 0), b = __explorer.toScreen('{PLANE}', 1, 1);
        return {{w: v.frame.bbox.width, h: v.frame.bbox.height,
                 xs: m.x_range.end - m.x_range.start, ys: m.y_range.end - m.y_range.start,
                 dx: b[0] - a[0], dy: a[1] - b[1]}}; }}""")
    # the rendered frame: as many pixels per unit of x1 as of x2 (a 45° line is drawn at 45°)
    assert drawn["w"] / drawn["xs"] == pytest.approx(drawn["h"] / drawn["ys"], rel=1e-3)
    assert drawn["dx"] == pytest.approx(drawn["dy"], abs=0.5) and drawn["dx"] > 50
    assert drawn["xs"] > 2  # every point in
    # the selected (global) minimum, from the solver here; f by the network formula
    solution = solve([r[:2] for r in rows], [r[2] for r in rows], "1/100", 1)
    best = min(solution.minima, key=lambda m: m.loss)
    assert best.kind == "isolated"
    point = best.point

    def f(h: float, v: float) -> float:
        return sum(float(a) * max(0.0, float(b[0]) * h + float(b[1]) * v + float(c))
                   for b, c, a in zip(point.B, point.c, point.a, strict=True))

    # hover point 3: its exact values (as typed) and f there
    page.mouse.move(*page.evaluate(f"() => __explorer.toScreen('{PLANE}', 0.2, 0.25)"))
    page.wait_for_function("() => document.querySelector('.bk-Tooltip') !== null")
    page.wait_for_timeout(300)
    shown = _tooltip(page)
    assert (shown["point"], shown["x1"], shown["x2"], shown["y"]) == ("x3", "1/5", "0.25", "0.5")
    assert float(shown["f(x) of the selected minimum"]) == pytest.approx(f(0.2, 0.25), rel=1e-3)
    assert "f(x1, x2)" not in shown  # the plane's tooltip gives way to the point's
    # hover the plane away from the points: f(x1, x2) under the cursor
    page.mouse.move(*page.evaluate(f"() => __explorer.toScreen('{PLANE}', 0.5, -0.5)"))
    page.wait_for_timeout(500)
    shown = _tooltip(page)
    assert set(shown) == {"x1", "x2", "f(x1, x2)"}
    h, v = float(shown["x1"]), float(shown["x2"])
    assert abs(h - 0.5) < 0.02 and abs(v + 0.5) < 0.02
    assert float(shown["f(x1, x2)"]) == pytest.approx(f(h, v), rel=2e-2, abs=1e-3)


@pytest.mark.slow  # 8 solves with 2 units: ~60 s idle, 100 s under load 13
def test_every_2d_example_with_every_unit_count(
    explorer_url: str, open_page: Any, tmp_path: Path
) -> None:
    page = open_page(explorer_url)
    _ready(page)
    chooser = page.locator("select").filter(has_text="(choose)")

    def units(count: int) -> Any:
        return page.get_by_role("button", name=str(count), exact=True)

    for path in sorted(ASSETS.glob("*_2d.csv")):
        before = _losses(page)
        chooser.select_option(label=path.stem.replace("_", " "))
        page.wait_for_function(  # the 2-D views are in
            f"() => __explorer.figure('{SPHERE}') !== null", timeout=TIMEOUT)
        data = read_csv(path)
        rows = [[str(v) for v in (*x, y)] for x, y in zip(data.x, data.y, strict=True)]
        for count in (1, 2):
            units(count).click()
            page.wait_for_function(
                "([n, before]) => __explorer.status().includes(` · ${n} unit`) && "
                "JSON.stringify(__explorer.column('loss')) !== JSON.stringify(before)",
                arg=[count, before], timeout=TIMEOUT)
            before = _losses(page)
            assert sorted(before) == _losses_of(rows, "1/100", count), (path.name, count)
            page.evaluate(PROBE_JS)
            markers = page.evaluate(
                f"() => __explorer.glyphs('{SPHERE}', 'Scatter').find(r => "
                "'minimum' in r.data_source.data).data_source.get_length()")
            assert markers >= len(before)  # at least one alive unit per minimum
    # three units on the last example (4 points) solve; six points in the plane with
    # three units are refused with the solver's estimate, and the result stays
    units(3).click()
    page.wait_for_function(
        "() => __explorer.status().includes(' · 3 units')", timeout=TIMEOUT)
    three = _losses(page)
    shown = page.evaluate("() => __explorer.column('x1')")
    assert sorted(three) == _losses_of(rows, "1/100", 3)
    six = tmp_path / "six.csv"
    six.write_text("x1,x2,y\n" + "\n".join(",".join(r) for r in rows)
                   + "\n0.1,0.2,0.5\n-0.3,0.4,-0.2\n")
    page.locator("input[type=file]").set_input_files(six)
    page.wait_for_function(
        "(shown) => __explorer.alert().includes('problem too large: n=6, d=2, units=3')"
        " && JSON.stringify(__explorer.column('x1')) === JSON.stringify(shown)",
        arg=shown, timeout=TIMEOUT)
    assert "would take about" in page.evaluate("() => __explorer.alert()")
    assert _losses(page) == three
    # four units: refused on the four points with the estimate (about 350 s) and what
    # fits; two points in the plane solve with 4 units, each alive unit of the selected
    # minimum a kink line of its own colour, named in the legend
    units(4).click()
    page.wait_for_function(
        "() => __explorer.alert().includes('problem too large: n=4, d=2, units=4 would take "
        "about 350 s (limit 15 s); try fewer units (3 fit these 4 points) or fewer points "
        "(at most 2 with 4 units)')", timeout=TIMEOUT)
    assert _losses(page) == three
    page.wait_for_function("() => __explorer.status().includes(' · 3 units')", timeout=TIMEOUT)
    two_rows = [["-0.3", "0.2", "0.8"], ["0.7", "-0.4", "-0.2"]]
    two = tmp_path / "two.csv"
    two.write_text("x1,x2,y\n" + "\n".join(",".join(r) for r in two_rows) + "\n")
    page.locator("input[type=file]").set_input_files(two)
    three = _wait_losses_change(page, three)
    units(4).click()
    four = _wait_losses_change(page, three)
    page.wait_for_function("() => __explorer.status().includes(' · 4 units')", timeout=TIMEOUT)
    assert sorted(four) == _losses_of(two_rows, "1/100", 4)
    expected = solve([r[:2] for r in two_rows], [r[2] for r in two_rows], "1/100", 4)
    best = min(m.loss for m in expected.minima)
    selected = next(m for m in expected.minima if m.loss == best)  # the first global one
    alive = sum(a != 0 for a in representative(selected).a)
    lines = page.evaluate(
        f"() => __explorer.glyphs('{PLANE}', 'MultiLine').map(r => r.data_source.data)"
        ".find(d => 'label' in d)")
    assert 1 <= len(lines["colour"]) <= alive <= 4
    assert len(set(lines["colour"])) == len(lines["colour"])
    assert all(label.startswith(f"unit {k} ") for k, label in zip(lines["unit"],
                                                                 lines["label"], strict=True))

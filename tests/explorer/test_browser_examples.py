"""Every 1-D example in ``assets/`` in Chromium: 1 to 4 units, λ at both ends of the slider,
the minima selected in turn; with 4 units an example estimated over the dashboard's limit
(all but the three-point one) is refused at once with the estimate, the 3-unit result kept.

One server and one page for the module; the page is driven through its controls (example
chooser, units buttons, slider handle dragged to either end, minima table rows clicked), never
reloaded except for the link round trip. For each problem: the status reaches its final text
with the solver's counts, the minima table lists the solver's minima, and each selected row
is written in the exact-form pane. The server's log must stay free of exceptions (checked
after every test), the page of console errors and requests off localhost. Expected values
come from the solver called in this process.

Which minima are clicked: one of every orbit (131 of the 301 minima; the others are the same
networks with their units swapped, written by the same code) — every minimum in the deep
profile (``-m deep`` or ``DEEP=1``). Each click costs a server round trip with every view
redrawn, so this file's time is mostly the dashboard's redraw time.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from explorer.testing import LOCAL_HOSTS, PROBE_JS, READY_JS, Server, edit_cell
from explorer.views.controls import LOG_RANGE, lam_from_slider
from solver import estimate_seconds, solve
from solver.data import parse_lam, read_csv

pytestmark = pytest.mark.browser

ASSETS = Path(__file__).resolve().parents[2] / "assets"
EXAMPLES = sorted(p for p in ASSETS.glob("*.csv") if read_csv(p).d == 1)
TIMEOUT = 90_000
ENDS = (lam_from_slider(LOG_RANGE[0]), lam_from_slider(LOG_RANGE[1]))  # "0.0001", "1"
LIMIT = 15.0  # the dashboard's limit on the estimated solve time (seconds)



def _deep(config: pytest.Config) -> bool:
    """``DEEP=1`` in the environment, or a ``-m`` expression naming ``deep``."""
    return os.environ.get("DEEP") == "1" or "deep" in (config.getoption("markexpr") or "")


def picks(solution: Any, every: bool) -> list[int]:
    """The rows to click: every row, or the first of each orbit.

    >>> from types import SimpleNamespace as N
    >>> picks(N(minima=[N(orbit=0), N(orbit=0), N(orbit=1)]), every=False)
    [0, 2]
    """
    first: dict[int, int] = {}
    for k, m in enumerate(solution.minima):
        first.setdefault(m.orbit, k)
    return list(range(len(solution.minima))) if every else sorted(first.values())


# The number the units control shows (its Bokeh model: the labels 1 to 4).
_UNITS_JS = """() => { const m = Array.from(Bokeh.documents[0].all_models)
  .find(m => Array.isArray(m.labels) && m.labels.join() === '1,2,3,4');
  return Number(m.labels[m.active]); }"""
# The minima table's Bokeh model and its Tabulator view.
_TABLE_JS = """() => __explorer.models('panel.models.tabulator.DataTabulator')
  .find(m => 'certificate' in m.source.data)"""


@pytest.fixture(scope="module")
def page(explorer_server: Server, chromium: Any) -> Iterator[Any]:
    """One page for the module; it fails on console errors and requests off localhost."""
    context = chromium.new_context(viewport={"width": 1500, "height": 1200},
                                   accept_downloads=True)
    errors: list[str] = []
    offsite: list[str] = []
    context.on("request", lambda r: None if urlparse(r.url).scheme in ("data", "blob", "about")
               or urlparse(r.url).hostname in LOCAL_HOSTS else offsite.append(r.url))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(explorer_server.url)
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    yield page
    context.close()
    assert errors == [] and offsite == [], (errors, offsite)


def _count(solution: Any) -> str:
    curves = sum(m.kind == "curve" for m in solution.minima)
    n = len(solution.minima)
    return (f"{n} minim{'um' if n == 1 else 'a'} ({curves} curve{'s' * (curves != 1)}, "
            f"{n - curves} isolated) · λ = {solution.lam} · {solution.units} "
            f"unit{'s' * (solution.units != 1)} · ")


def _wait_shown(page: Any, solution: Any) -> None:
    """The status line shows ``solution``'s problem with its counts, finished, and the table
    lists its minima."""
    page.wait_for_function(
        "([head, losses]) => __explorer.status().startsWith(head)"
        " && !__explorer.status().includes('Solving')"
        " && JSON.stringify(__explorer.column('loss')) === JSON.stringify(losses)",
        arg=[_count(solution), [f"{m.loss:.10g}" for m in solution.minima]], timeout=TIMEOUT)


def _wait_refused(page: Any, shown: Any, n: int, units: int, estimate: float) -> None:
    """The alert names the estimate and suggests fewer units or points; the result shown,
    the units control and the link stay those of ``shown``."""
    said = f"problem too large: n={n}, d=1, units={units} would take about {estimate:,.0f} s"
    page.wait_for_function(
        "(said) => __explorer.alert().includes(said) && __explorer.alert().includes("
        "'try fewer units')", arg=said, timeout=TIMEOUT)
    _wait_shown(page, shown)
    page.wait_for_function(f"() => ({_UNITS_JS})() === {shown.units}", timeout=TIMEOUT)
    assert parse_qs(urlparse(page.url).query).get("units", ["2"]) == [str(shown.units)]


def _drag_slider_to(page: Any, end: str) -> None:
    """Drag the λ slider's handle past its left or right end and release it."""
    handle = page.locator(".noUi-handle").first
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + (-1500 if end == ENDS[0] else 1500), y, steps=6)
    page.mouse.up()


def _select(page: Any, solution: Any, rows: list[int]) -> None:
    """Click these rows of the minima table in turn; each time the table's selection and
    the exact-form pane agree with the solver."""
    for k in rows:
        minimum = solution.minima[k]
        # the table scrolls (virtual rows): bring row k into the DOM, then click it
        row = page.evaluate_handle(
            f"async k => {{ const t = __explorer.view(({_TABLE_JS})()).tabulator;"
            " const row = t.getRows()[k]; await t.scrollToRow(row, 'center', false);"
            " return row.getElement(); }", k)
        row.as_element().click()
        page.wait_for_function(
            "([k, head]) => JSON.stringify(Array.from(__explorer.table('loss').selected.indices))"
            " === JSON.stringify([k]) && __explorer.exact().startsWith(head)",
            arg=[k, f"Minimum {k + 1}: {minimum.kind}, loss ≈ {minimum.loss:.10g}."],
            timeout=TIMEOUT)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_units_both_ends_of_the_slider_every_minimum(
        page: Any, explorer_url: str, path: Path, pytestconfig: pytest.Config) -> None:
    every = _deep(pytestconfig)
    data = read_csv(path)
    xs, ys = [row[0] for row in data.x], list(data.y)
    label = path.stem.replace("_", " ")
    page.wait_for_function("() => / · \\d units? · /.test(__explorer.status())", timeout=TIMEOUT)
    lam = page.evaluate("() => __explorer.status().match(/λ = ([^ ]+) /)[1]")
    units = int(page.evaluate("() => __explorer.status().match(/· (\\d) units? ·/)[1]"))
    if estimate_seconds(len(xs), 1, units) > LIMIT:  # 4 units from the three-point example
        # loading this example with these units is refused (the data stay): 3 units first
        page.locator("select").first.select_option(label=label)
        page.wait_for_function(
            "(said) => __explorer.alert().includes(said)", timeout=TIMEOUT,
            arg=f"problem too large: n={len(xs)}, d=1, units={units} would take about")
        assert page.evaluate("() => __explorer.column('x').length") != len(xs)
        units = 3
        page.locator(".bk-btn-group button", has_text="3").first.click()
        page.wait_for_function("() => __explorer.status().includes(' · 3 units · ')"
                               " && !__explorer.status().includes('Solving')", timeout=TIMEOUT)
    page.locator("select").first.select_option(label=label)
    solution = solve(xs, ys, lam, units)
    _wait_shown(page, solution)
    assert page.evaluate("() => __explorer.column('x').length") == len(xs)
    for units in (1, 2, 3, 4):
        page.locator(".bk-btn-group button", has_text=str(units)).first.click()
        estimate = estimate_seconds(len(xs), 1, units)
        if estimate > LIMIT:
            _wait_refused(page, solution, len(xs), units, estimate)
            continue
        # λ at the end nearest first (one solve fewer), then the other end
        order = ENDS if parse_lam(lam) < 1 / 100 else ENDS[::-1]
        for lam in order:
            _drag_slider_to(page, lam)
            solution = solve(xs, ys, lam, units)
            _wait_shown(page, solution)
            _select(page, solution, picks(solution, every))
            query = parse_qs(urlparse(page.url).query)
            assert query.get("units", ["2"]) == [str(units)] and query["lam"] == [lam]


def test_the_slider_tooltip_fits_at_both_ends(page: Any, explorer_url: str) -> None:
    # the issue: at λ = 10⁻⁴ the tooltip ("0.000100") was cut by the sidebar's edge
    for end, text in ((ENDS[0], "1.00e-4"), (ENDS[1], "1.00")):
        _drag_slider_to(page, end)
        page.wait_for_function("(l) => __explorer.status().includes('λ = ' + l + ' ·')",
                               arg=str(parse_lam(end)), timeout=TIMEOUT)
        page.locator(".noUi-handle").first.hover()  # the tooltip shows on hover
        tooltip = page.locator(".noUi-tooltip").first
        tooltip.wait_for(state="visible", timeout=TIMEOUT)
        assert tooltip.inner_text() == text
        box = tooltip.bounding_box()
        left, right = page.evaluate(
            "() => { const r = document.getElementById('sidebar').getBoundingClientRect();"
            " return [r.left, r.right]; }")
        assert left <= box["x"] and box["x"] + box["width"] <= right, (box, left, right)


def test_a_link_after_one_click_restores_the_selection(
        page: Any, explorer_url: str, chromium: Any) -> None:
    # the issue: the URL's selection lagged one click behind
    page.get_by_role("button", name="Reset").click()  # the paper's example, λ = 1/100, 2 units
    page.wait_for_function(
        "() => __explorer.status().startsWith('9 minima (3 curves, 6 isolated) · λ = 1/100 · "
        "2 units · ')", timeout=TIMEOUT)
    rows = page.locator(".tabulator").filter(has_text="certificate").locator(".tabulator-row")
    rows.nth(3).click()
    page.wait_for_function("() => new URLSearchParams(window.location.search).get('sel') === '3'",
                           timeout=TIMEOUT)
    link = page.url
    other = chromium.new_context(viewport={"width": 1500, "height": 1200}).new_page()
    try:
        other.goto(link)
        other.wait_for_function(READY_JS, timeout=TIMEOUT)
        other.evaluate(PROBE_JS)
        other.wait_for_function(
            "() => JSON.stringify(Array.from(__explorer.table('loss').selected.indices)) === '[3]'"
            " && __explorer.exact().startsWith('Minimum 4: ')", timeout=TIMEOUT)
        assert other.evaluate("() => __explorer.column('loss')") == page.evaluate(
            "() => __explorer.column('loss')")
    finally:
        other.context.close()


def test_downloads_happen(page: Any, explorer_url: str) -> None:
    """JSON, LaTeX, CSV from the Downloads card and a PNG from a plot's save tool."""
    status = page.evaluate("() => __explorer.status()")
    for label, check in (("JSON", lambda b: b.startswith(b"{\n  \"lam\"")),
                         ("LaTeX", lambda b: b.startswith(b"% Local minima")),
                         ("CSV", lambda b: b.startswith(b"x,y\n"))):
        with page.expect_download(timeout=TIMEOUT) as info:
            page.get_by_role("button", name=label, exact=True).click()
        body = Path(info.value.path()).read_bytes()
        assert check(body), (label, body[:80])
        if label == "JSON":
            lam = status.split("λ = ")[1].split(" ")[0]
            assert f'"lam": "{lam}"'.encode() in body
    # every plot has Bokeh's save tool, named: the data plot's gives a PNG without a prompt
    figures = page.evaluate(
        "() => __explorer.models('Figure').map(f => [f.title ? f.title.text : '',"
        " f.toolbar.tools.filter(t => t.type === 'SaveTool').map(t => t.filename)])")
    assert figures and all(len(names) == 1 and names[0] for _, names in figures), figures
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(".bk-Figure").first.hover()
        page.locator(".bk-tool-icon-save").first.click()
    assert not dialogs, dialogs
    assert info.value.suggested_filename == "relu-minima-data.png"
    png = Path(info.value.path()).read_bytes()
    assert png[:8] == base64.b64decode("iVBORw0KGgo=")  # the PNG signature


# The dashboard's rows of the README's bad-input table, entered through the page: (where,
# what, a fragment of the message). Each is refused with a message, the data and λ on screen
# stay, and the server logs no exception (``explorer_url`` reads its log).
BAD_CELLS = [(1, "y", "abc", "not a number: 'abc'"), (0, "x", "", "not a number: ''"),
             (0, "y", "nan", "must be finite"), (1, "x", "-inf", "must be finite"),
             (0, "x", "1,5", "not a number"), (0, "y", "0x10", "not a number: '0x10'"),
             (0, "x", "1e-1001", "exponent beyond +-1000"),
             (1, "y", "1e400", "y of point 2 must be 0 or between 1e-6 and 1e6 in size"),
             (0, "x", "1e-7", "x of point 1 must be 0 or between 1e-6 and 1e6 in size"),
             (0, "y", "4/0", "zero denominator"), (1, "x", "-0.170", "the same x")]
BAD_LAMS = [("1e7", "lambda must be between 1e-6 and 1e6, got '1e7'"),
            ("0", "lambda must be positive, got 0"), ("-1", "lambda must be positive, got -1"),
            ("abc", "lambda is not a number: 'abc'"), ("1/0", "lambda has a zero denominator"),
            ("nan", "lambda must be finite, got 'nan'")]
BAD_FILES = [(b"x,y\n", "no data rows after the header"),
             (b"a,b\n1,2\n3,4\n", "header must be x,y"),
             (b"x,y\n\xff\xfe,1\n", "not UTF-8 text")]


def test_bad_input_in_the_page_is_refused_with_a_clean_server_log(
        page: Any, explorer_url: str, tmp_path: Path) -> None:
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => __explorer.status().startsWith('9 minima (3 curves, 6 isolated) · λ = 1/100 · "
        "2 units · ')", timeout=TIMEOUT)
    good = page.evaluate("() => [__explorer.column('x'), __explorer.column('y')]")
    losses = page.evaluate("() => __explorer.column('loss')")

    def refused(fragment: str) -> None:
        try:
            page.wait_for_function(
                "([f, good]) => __explorer.alert().includes(f) && JSON.stringify("
                "[__explorer.column('x'), __explorer.column('y')]) === JSON.stringify(good)",
                arg=[fragment.replace("'", "&#x27;"), good], timeout=TIMEOUT)
        except Exception as exc:  # say what the page showed instead
            shown = page.evaluate("() => [__explorer.alert(), __explorer.column('x')]")
            raise AssertionError(f"{fragment!r} not refused; the page shows {shown}") from exc

    for row, column, text, fragment in BAD_CELLS:
        edit_cell(page, row, column, text)
        refused(fragment)
    box = page.locator("input.bk-input[type=text]").first
    for text, fragment in BAD_LAMS:
        box.fill(text)
        box.press("Enter")
        refused(fragment)
    upload = page.locator("input[type=file]")
    for k, (content, fragment) in enumerate(BAD_FILES):
        bad = tmp_path / f"bad{k}.csv"
        bad.write_bytes(content)
        upload.set_input_files(bad)
        refused(fragment)
    page.get_by_role("button", name="Delete checked").click()
    page.wait_for_function(  # not a refusal of a value: a hint, shown as a message
        "() => __explorer.models('panel.models.markup.HTML').some(m => m.visible"
        " && String(m.text).includes('Check the rows to delete in the table first'))",
        timeout=TIMEOUT)
    assert page.evaluate("() => __explorer.column('loss')") == losses
    assert box.input_value() == "1/100"

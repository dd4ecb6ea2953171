"""The guided tour, the hover help and bad input in a real browser, with the server's log read.

A server of its own (so that its log can be read: any traceback or exception in it fails the
test), Chromium from the ``open_page`` fixture (console errors and off-localhost requests
fail too). The step texts' numbers are checked against the solver called here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_classroom import free_port, start_server, stop_server
from explorer.problem import ASSETS, parse_data, read_example
from explorer.tour import STEPS
from solver import solve

pytestmark = pytest.mark.browser

TIMEOUT = 90_000
_TEXTS = """() => !(window.Bokeh && Bokeh.documents.length) ? [] :
  Array.from(Bokeh.documents[0].all_models)
  .filter(m => m.type === 'panel.models.markup.HTML').map(m => String(m.text))"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("tour") / "server.log"
    server = start_server(free_port(), 1, log)
    url = f"http://127.0.0.1:{server.args[server.args.index('--port') + 1]}/explorer"
    try:
        yield url, log
    finally:
        left = stop_server(server)
    assert left == [], f"processes left after the server stopped: {left}"
    text = log.read_text()
    assert not re.search(r"Traceback|Exception|\bERROR\b", text), f"server log:\n{text}"


def _texts(page: Any) -> list[str]:
    return page.evaluate(_TEXTS)


def _wait_text(page: Any, needle: str, absent: str = "\0") -> str:
    """Wait for a Markdown/HTML pane containing ``needle`` (and not ``absent``); return it."""
    page.wait_for_function(
        f"([n, a]) => ({_TEXTS})().some(t => t.includes(n) && !t.includes(a))",
        arg=[needle, absent], timeout=TIMEOUT)
    return next(t for t in _texts(page) if needle in t and absent not in t)


def _solved(step: Any) -> Any:
    rows = parse_data(read_example(ASSETS / f"{step.example}.csv"))
    return solve([x for x, _ in rows], [y for _, y in rows], step.lam, step.units)


def _count(solution: Any) -> str:
    curves = sum(m.kind == "curve" for m in solution.minima)
    n = len(solution.minima)
    return (f"{n} minim{'um' if n == 1 else 'a'} ({curves} curve{'s' * (curves != 1)}, "
            f"{n - curves} isolated)")


def test_walk_the_tour(served: tuple[str, Path], chromium: Any) -> None:
    url, _ = served
    # A page of its own (not ``open_page``): requests that fail are recorded with their
    # address.
    context = chromium.new_context(viewport={"width": 1500, "height": 1500})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.goto(url)
    _wait_text(page, "New here?")
    page.get_by_role("button", name="Start the tour ▶").click()
    for k, step in enumerate(STEPS):
        if k:
            page.get_by_role("button", name="Next ▶").click()
        text = _wait_text(page, f"Step {k + 1} of {len(STEPS)}", absent="solving")
        truth = _solved(step)
        # The status line shows this step's problem, with the solver's counts.
        status = _wait_text(page, f"λ = {step.lam} · ", absent="Step ")
        assert _count(truth) in status and f"· {step.units} unit" in status
        # The text is the step's, for the solver's own solution of its problem.
        shown = re.sub(r"<[^>]+>", "", html.unescape(html.unescape(text)))
        assert re.sub(r"[*`]", "", step.text(truth)) in shown
        # The minima table shows the solver's minima and the step's selection.
        selected = page.evaluate(
            """() => { const t = Array.from(Bokeh.documents[0].all_models).find(m =>
                 m.type === 'panel.models.tabulator.DataTabulator' && 'orbit' in m.source.data);
               return [Array.from(t.source.data.loss), Array.from(t.source.selected.indices)]; }""")
        assert selected[0] == [f"{m.loss:.10g}" for m in truth.minima]
        assert selected[1] == [step.index(truth)]
    page.get_by_role("button", name="Previous").click()
    _wait_text(page, f"Step {len(STEPS) - 1} of {len(STEPS)}", absent="solving")
    context.close()
    assert errors == []
    # no request fails, none leaves localhost (Panel's stylesheets from cdn.holoviz.org were
    # requested when a step finished outside the session's document: see TourView)
    assert failed == []


def test_hover_help_and_glossary_are_on_the_page(served: tuple[str, Path],
                                                  open_page: Any) -> None:
    url, _ = served
    page = open_page(url)
    _wait_text(page, " · λ = ")
    titles = page.evaluate(
        """() => Array.from(Bokeh.documents[0].all_models)
             .filter(m => m.type === 'panel.models.tabulator.DataTabulator')
             .flatMap(m => m.columns.map(c => [c.field, c.title]))""")
    assert {"orbit", "pattern", "active", "certificate", "x", "y"} <= {f for f, _ in titles}
    configuration = page.evaluate(
        """() => Array.from(Bokeh.documents[0].all_models)
             .filter(m => m.type === 'panel.models.tabulator.DataTabulator')
             .map(m => JSON.stringify(m.configuration))""")
    assert any("Swapping two hidden units" in c for c in configuration)
    page.get_by_text("Glossary").click()
    page.get_by_text("Split set (curve)").wait_for(state="visible", timeout=TIMEOUT)
    # Hovering a column title shows its help.
    page.locator(".tabulator-col[tabulator-field=orbit]").hover()
    page.get_by_text("Swapping two hidden units", exact=False).first.wait_for(
        state="visible", timeout=TIMEOUT)


@pytest.mark.parametrize(("query", "message"), [
    ("?units=7", "Refused the link: the dashboard offers 1 to 4 units, got 7"),
    ("?lam=-1", "Refused the link: lambda must be positive, got -1. "),  # not "-1.0"
    ("?data=0,1", "need at least 2 data points, got 1"),
])
def test_bad_links_are_refused_and_the_example_shown(
        served: tuple[str, Path], open_page: Any, query: str, message: str) -> None:
    url, _ = served
    page = open_page(url + query)
    _wait_text(page, message)
    _wait_text(page, "9 minima (3 curves, 6 isolated) · λ = 1/100 · 2 units")
    # the address bar shows the last good state (the example's bare link), not the bad link
    page.wait_for_function("() => window.location.search === ''", timeout=TIMEOUT)


def test_bad_lambda_typed_in_the_browser_is_refused(served: tuple[str, Path],
                                                    open_page: Any) -> None:
    url, _ = served
    page = open_page(url)
    _wait_text(page, " · λ = 1/100 · ")
    box = page.locator("input.bk-input[type=text]").first
    for typed, message in (("abc", "lambda is not a number"),
                           ("1/0", "lambda has a zero denominator")):
        box.fill(typed)
        box.press("Enter")
        _wait_text(page, message)
        for _ in range(100):
            if box.input_value() == "1/100":
                break
            page.wait_for_timeout(100)
        assert box.input_value() == "1/100"

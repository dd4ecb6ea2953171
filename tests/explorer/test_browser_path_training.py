"""The λ-path view and the Training view in a real browser, used as a student would.

Fixtures from ``conftest.py``: a real ``panel serve explorer`` whose log is read after each
test (any exception fails it), Chromium with console errors and off-localhost requests
failing the test. Expected values come from the solver and the training API called in this
process, never from the dashboard itself.

* λ path: the card is built only once scrolled to; then the path appears, its lines alive
  at the current λ are exactly ``solve``'s minima there, the current-λ line follows λ, and
  a click on a line moves λ there and selects that line's minimum (checked against
  ``solve`` at the new λ).
* Training: a long training is cancelled by a λ edit (which is solved meanwhile); a short
  one gives the bars of the basin table (as ``solver.train`` computes it), a tap on a
  minimum's bar selects it in the minima table, and one run plays to its end.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from explorer.testing import PROBE_JS, READY_JS
from solver import solve
from solver.data import read_csv

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 90_000  # ms: the first path and the first training spawn their workers
_TEXTS = """() => Array.from(Bokeh.documents[0].all_models)
  .filter(m => m.type === 'panel.models.markup.HTML').map(m => String(m.text))"""
# The λ-path figure's lines (isolated and curve branches) as [xs, ys] pairs.
_LINES = """() => __explorer.glyphs('λ path', 'MultiLine')
  .filter(r => r.glyph.line_width.value === 2)
  .flatMap(r => Array.from(r.data_source.data.xs).map((xs, k) =>
    [Array.from(xs), Array.from(r.data_source.data.ys[k])]))"""


@pytest.fixture(scope="module")
def paper() -> tuple[list, list]:
    data = read_csv(REPO / "assets" / "paper_example.csv")
    return [r[0] for r in data.x], list(data.y)


def _open(open_page: Any, url: str, size: tuple[int, int] = (1500, 1500)) -> Any:
    page = open_page(url, size)
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    return page


def _wait_text(page: Any, pattern: str) -> str:
    """Wait for an HTML/Markdown pane whose text matches ``pattern``; return the match."""
    page.wait_for_function(f"(p) => ({_TEXTS})().some(t => new RegExp(p).test(t))",
                           arg=pattern, timeout=TIMEOUT)
    text = next(t for t in page.evaluate(_TEXTS) if re.search(pattern, t))
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _set_lam(page: Any, text: str) -> None:
    box = page.locator("input.bk-input[type=text]").first
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(f"() => __explorer.status().includes('λ = {text}')", timeout=TIMEOUT)


def _on_screen(page: Any, title: str, x: object, y: float) -> list[float]:
    """Scroll the figure whose title starts with ``title`` into view; the page coordinates
    of its data point ``(x, y)`` (``x`` a number or a bar's factor)."""
    return page.evaluate(
        "([t, x, y]) => { const v = __explorer.figure(t);"
        " v.canvas_view.el.scrollIntoView({block: 'center'});"
        " const r = v.canvas_view.el.getBoundingClientRect();"
        " return [r.x + v.frame.x_scale.compute(x), r.y + v.frame.y_scale.compute(y)]; }",
        [title, x, y])


def _selected_row(page: Any) -> int:
    rows = page.evaluate("() => Array.from(__explorer.table('loss').selected.indices)")
    return rows[0] if rows else -1


def _interp(line: list, lam: float) -> float | None:
    xs, ys = line
    if not xs[0] <= lam <= xs[-1]:
        return None
    return float(np.interp(np.log(lam), np.log(xs), ys))


def test_the_lambda_path_follows_lambda_and_a_click_moves_it(
        explorer_url: str, open_page: Any, paper: tuple[list, list]) -> None:
    page = _open(open_page, explorer_url, (1500, 1000))
    # Below the fold at 1500 x 1000: the λ-path card is not built until it is scrolled to.
    page.wait_for_timeout(1000)
    assert page.evaluate("() => __explorer.figure('λ path')") is None
    page.get_by_text("5 · λ path").scroll_into_view_if_needed()
    _wait_text(page, r"λ path: \d+ branches")
    lines = page.evaluate(_LINES)
    # One line per minimum of solve, alive exactly where solve lists it (here: λ = 1/100).
    at = solve(*paper, "1/100", 2)
    alive = sorted(round(_interp(ln, 0.01), 6) for ln in lines if _interp(ln, 0.01) is not None)
    # (the plot interpolates its samples linearly in log λ: 0.1% apart at most)
    assert alive == pytest.approx(sorted(m.loss for m in at.minima), rel=2e-3)
    # The dotted line follows λ.
    span = "() => __explorer.models('Span').find(m => m.name === 'lampath-now').location"
    assert page.evaluate(span) == pytest.approx(0.01)
    _set_lam(page, "1/20")
    page.wait_for_function(f"() => Math.abs(({span})() - 0.05) < 1e-12", timeout=TIMEOUT)
    # A click on a line well apart from the others, not the lowest there (not the global
    # minimum, which is selected now).
    best = None
    for k, ln in enumerate(lines):
        for lam in np.geomspace(0.003, 0.3, 40):
            loss = _interp(ln, lam)
            others = [v for j, o in enumerate(lines)
                      if j != k and (v := _interp(o, lam)) is not None]
            if loss is None or not others or loss < min(others):
                continue
            gap = min(abs(loss - v) for v in others)
            if best is None or gap > best[0]:
                best = (gap, float(lam), loss)
    assert best is not None and best[0] > 0.05
    _, lam, loss = best
    page.mouse.click(*_on_screen(page, "λ path", lam, loss))
    page.wait_for_function("() => { const s = __explorer.status();"
                           " return /λ = [0-9]/.test(s) && !s.includes('λ = 1/20'); }",
                           timeout=TIMEOUT)
    shown = re.search(r"λ = ([0-9/.]+)", page.evaluate("() => __explorer.status()")).group(1)
    new_lam = Fraction(shown)
    assert abs(float(new_lam) / lam - 1) < 0.05  # λ moved to the click (a short decimal)
    # The minimum selected is, by solve at the new λ, the one on the clicked line.
    truth = solve(*paper, new_lam, 2)
    chosen = min(truth.minima, key=lambda m: abs(m.loss - loss))
    assert chosen.loss == pytest.approx(loss, abs=0.02) and chosen.loss > truth.global_loss
    page.wait_for_function(  # (either unit order of that minimum)
        "(v) => { const s = __explorer.table('loss').selected.indices; return s.length === 1"
        " && __explorer.column('loss')[s[0]] === v; }", arg=f"{chosen.loss:.10g}",
        timeout=TIMEOUT)
    page.wait_for_function(f"() => Math.abs(({span})() - {float(new_lam)}) < 1e-12",
                           timeout=TIMEOUT)


def _number(page: Any, label: str, value: int) -> None:
    """Type ``value`` into the Training view's number box called ``label``."""
    box = page.locator(".bk-input-group").filter(
        has=page.locator(f"label:text-is('{label}')")).locator("input")
    box.fill(str(value))
    box.press("Enter")


_BARS = """() => { const r = __explorer.glyphs('Training: where', 'VBar')[0];
  return r ? Object.fromEntries(['label', 'runs', 'minimum', 'share']
    .map(k => [k, Array.from(r.data_source.data[k])])) : null; }"""


def test_training_is_cancelled_by_an_edit_then_trains_selects_and_animates(
        explorer_url: str, open_page: Any, paper: tuple[list, list]) -> None:
    from solver.problem import Problem
    from solver.train import Optimizer, Settings, train

    page = _open(open_page, explorer_url)
    page.locator(".card-header").filter(has_text="6 · Training").first.click()  # open it
    train_button = page.get_by_role("button", name="Train N runs")
    # A long training runs off the event loop: a λ edit is solved meanwhile and cancels it.
    _number(page, "runs", 5000)
    _number(page, "steps", 100000)
    train_button.click()
    _wait_text(page, r"Training 5000 runs")
    _set_lam(page, "1/20")
    _wait_text(page, r"Training cancelled: the problem changed")
    _set_lam(page, "1/100")
    # A short training: the bars are the basin table of the same runs.
    _number(page, "runs", 40)
    _number(page, "steps", 3000)
    train_button.click()
    _wait_text(page, r"40 runs × 3000 steps \(gd")
    bars = page.evaluate(_BARS)
    report = train(Problem.parse(*paper, "1/100", 2), [Optimizer("gd", 0.01)],
                   Settings(runs=40, steps=3000, seed=0))
    basins = report.trainings[0].basins
    assert bars["runs"] == [b.runs for b in basins] and sum(bars["runs"]) == 40
    sentence = _wait_text(page, r"reached the global minimum")
    assert f"{report.trainings[0].global_runs} of 40 runs" in sentence
    # A tap on a minimum's bar selects that minimum in the minima table.
    k = max((k for k, m in enumerate(bars["minimum"]) if m >= 0 and m != _selected_row(page)),
            key=lambda k: bars["runs"][k])
    page.mouse.click(*_on_screen(page, "Training: where", bars["label"][k], bars["share"][k] / 2))
    page.wait_for_function("(m) => JSON.stringify(Array.from(__explorer.table('loss').selected"
                           ".indices)) === JSON.stringify([m])", arg=bars["minimum"][k],
                           timeout=TIMEOUT)
    # One run, played at the fastest speed: the markers, f(x) and the loss dot move; it stops.
    page.get_by_role("button", name="One run").click()
    _wait_text(page, r"One run computed")
    page.locator("select").filter(has=page.locator("option", has_text="×16")).select_option("×16")
    dot = "() => Array.from(__explorer.glyphs('Animated run: loss', 'Scatter')[0]" \
          ".data_source.data.step)"
    assert page.evaluate(dot) == [0]
    page.locator("button.play").first.click()
    page.wait_for_function(f"() => ({dot})()[0] > 0", timeout=TIMEOUT)
    page.wait_for_function(  # the player reaches its end and stops there
        "() => { const p = __explorer.models('panel.models.widgets.Player')[0];"
        " return p.value === p.end; }", timeout=TIMEOUT)
    last = page.evaluate(dot)[0]
    page.wait_for_timeout(500)
    assert page.evaluate(dot)[0] == last > 0

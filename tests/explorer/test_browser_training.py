"""The Training view's animated run in a real browser: it moves f(x) in the Data view.

Fixtures from ``conftest.py``: a real ``panel serve explorer`` whose log is read after the
test (any exception fails it), Chromium with console errors and off-localhost requests
failing the test. Expected values come from the training API called in this process
(``solver.train``: the same init, optimiser and step budget as the dashboard's defaults),
never from the dashboard itself.

* "One run" draws the run's f(x) at its start, dashed, in the Data view (the network of run
  ``k`` of seed 0's torch-default init on the k+1-th press: run 0 dies, every unit ends
  seeing no point and f = 0, so the test plays run 1), with a label naming the step;
* played at ×16, the Data view's dashed curve moves, reaches f(x) of the run's end point
  (as :func:`solver.train.descend` computes it), and stops there when the player stops;
* for d = 2 the same in the input plane, each unit's kink line in its Data view colour.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from explorer.testing import PROBE_JS, READY_JS
from explorer.views.data import RUN_NAME, fit_grid
from solver.data import read_csv

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 90_000  # ms: the first training spawns its worker
_RUN = f"""() => {{
  const v = __explorer.figure('Data and f(x)');
  const r = v.model.renderers.find(r => r.name === '{RUN_NAME}');
  return {{x: Array.from(r.data_source.data.x), y: Array.from(r.data_source.data.y)}}; }}"""
_LABEL = f"""() => __explorer.models('Label').find(m => m.name === '{RUN_NAME}-label').text"""
_PLAYER = "() => { const p = __explorer.models('panel.models.widgets.Player')[0];" \
          " return [p.value, p.end]; }"


def _network(params: Any, xs: np.ndarray) -> np.ndarray:
    """f(x) of the single network in ``params`` (written out, not the dashboard's code)."""
    a, b, c = params.a[0], params.B[0, :, 0], params.c[0]
    return sum((a[l] * np.maximum(b[l] * xs + c[l], 0.0) for l in range(len(a))),
               np.zeros_like(xs))


def test_the_animated_run_moves_the_data_views_curve_and_stops(
        explorer_url: str, open_page: Any) -> None:
    from solver.train import FloatData, Optimizer, descend, initial_params

    data = read_csv(REPO / "assets" / "paper_example.csv")
    rows = [(str(x[0]), str(y)) for x, y in zip(data.x, data.y, strict=True)]
    grid = fit_grid(rows)
    start = initial_params("torch-default", 1, 2, 1, 0, first=1)
    end = descend(FloatData.of(data.x, data.y, Fraction(1, 100)), start, Optimizer("gd", 0.01),
                  20000, 1e-4).params

    page = open_page(explorer_url)
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    assert page.evaluate(_RUN) == {"x": [], "y": []}  # no run yet: nothing dashed
    page.locator(".card-header").filter(has_text="6 · Training").first.click()  # open it
    one = page.get_by_role("button", name="One run")
    one.click()  # run 0
    page.wait_for_function(f"() => ({_RUN})().x.length > 0", timeout=TIMEOUT)
    one.click()  # run 1
    expected = _network(start, grid)
    for _ in range(TIMEOUT // 250):  # until run 1's start is drawn
        first = page.evaluate(_RUN)
        if len(first["y"]) == len(expected) and np.allclose(first["y"], expected, atol=1e-9):
            break
        page.wait_for_timeout(250)
    assert np.array(first["x"]) == pytest.approx(grid, abs=1e-12)
    assert np.array(first["y"]) == pytest.approx(expected, abs=1e-9)
    assert "step 0" in page.evaluate(_LABEL)

    page.locator("select").filter(has=page.locator("option", has_text="×16")).select_option("×16")
    page.locator("button.play").first.click()
    page.wait_for_function(  # it moves...
        "(y0) => { const y = (" + _RUN + ")().y; return y.some((v, j) => v !== y0[j]); }",
        arg=first["y"], timeout=TIMEOUT)
    page.wait_for_function(f"() => {{ const [v, e] = ({_PLAYER})(); return v === e; }}",
                           timeout=TIMEOUT)
    last = page.evaluate(_RUN)
    page.wait_for_timeout(600)  # ...and stops where the run ended
    assert page.evaluate(_RUN) == last
    assert np.array(last["y"]) == pytest.approx(_network(end, grid), abs=1e-9)
    assert not np.allclose(last["y"], first["y"], atol=1e-3)
    assert "step 0" not in page.evaluate(_LABEL)


_HEAT = """() => { const r = __explorer.glyphs('Animated run: f(x1', 'Image')[0];
  const im = r.data_source.data.image[0];
  return im === undefined ? [] : (Array.isArray(im) ? im.flat() : Array.from(im)); }"""
# Each unit's colour in the Data view's kink lines and in the animated run's (by unit).
_UNIT_COLOURS = """() => {
  const data = __explorer.glyphs('Input plane', 'MultiLine').map(r => r.data_source.data)
    .find(d => 'label' in d);
  const run = __explorer.models('ColumnDataSource').find(m => m.name === 'training-kinks').data;
  const pairs = (d, c) => Array.from(d.unit || []).map((u, i) => [u, d[c][i]]);
  return {data: pairs(data, 'colour'), run: pairs(run, 'color')}; }"""
_BARS = """() => { const r = __explorer.glyphs('Training: where', 'VBar')[0];
  return Object.fromEntries(['label', 'runs', 'minimum', 'share']
    .map(k => [k, Array.from(r.data_source.data[k])])); }"""


def _number(page: Any, label: str, value: int) -> None:
    """Type ``value`` into the Training view's number box called ``label``."""
    box = page.locator(".bk-input-group").filter(
        has=page.locator(f"label:text-is('{label}')")).locator("input")
    box.fill(str(value))
    box.press("Enter")


def test_two_input_data_train_select_and_animate_in_the_input_plane(
        explorer_url: str, open_page: Any) -> None:
    """xor (d = 2, L = 2): the bars are the training API's basin table, a tap on a bar
    selects its minimum in the minima table, and one run's heatmap moves to f of the run's
    end (as ``descend`` computes it, evaluated here on the same grid) and stops there."""
    from urllib.parse import urlencode

    from explorer.problem import make_key, read_example
    from solver.train import FloatData, Optimizer, Settings, descend, initial_params, train

    text = read_example(REPO / "assets" / "xor_2d.csv")
    problem = make_key(text, "1/100", 2)
    report = train(problem, [Optimizer("gd", 0.01)], Settings(runs=30, steps=3000, seed=0))
    start = initial_params("torch-default", 1, 2, 2, 0, first=0)
    end = descend(FloatData.of(problem.x, problem.y, problem.lam), start, Optimizer("gd", 0.01),
                  3000, 1e-4).params

    page = open_page(explorer_url + "?" + urlencode({"data": text}))
    page.wait_for_function(READY_JS, timeout=TIMEOUT)
    page.evaluate(PROBE_JS)
    page.locator(".card-header").filter(has_text="6 · Training").first.click()  # open it
    _number(page, "runs", 30)
    _number(page, "steps", 3000)
    page.get_by_role("button", name="Train N runs").click()
    page.wait_for_function(f"() => ({_BARS})().runs.length > 0", timeout=TIMEOUT)
    bars = page.evaluate(_BARS)
    assert bars["runs"] == [b.runs for b in report.trainings[0].basins]
    # a tap on the most common minimum's bar that is not selected yet selects it
    selected = page.evaluate("() => Array.from(__explorer.table('loss').selected.indices)")
    k = max((k for k, m in enumerate(bars["minimum"]) if m >= 0 and [m] != selected),
            key=lambda k: bars["runs"][k])
    xy = page.evaluate(
        "([x, y]) => { const v = __explorer.figure('Training: where');"
        " v.canvas_view.el.scrollIntoView({block: 'center'});"
        " const r = v.canvas_view.el.getBoundingClientRect();"
        " return [r.x + v.frame.x_scale.compute(x), r.y + v.frame.y_scale.compute(y)]; }",
        [bars["label"][k], bars["share"][k] / 2])
    page.mouse.click(*xy)
    page.wait_for_function("(m) => JSON.stringify(Array.from(__explorer.table('loss').selected"
                           ".indices)) === JSON.stringify([m])", arg=bars["minimum"][k],
                           timeout=TIMEOUT)
    # one run: the heatmap starts at f of the init and moves to f of the run's end
    page.get_by_role("button", name="One run").click()
    page.wait_for_function(f"() => ({_HEAT})().length > 0", timeout=TIMEOUT)
    box = page.evaluate("() => Array.from(__explorer.models('ColumnDataSource')"
                        ".find(m => m.name === 'training-units').data.box[0])")
    h, v = np.linspace(box[0], box[1], 41), np.linspace(box[2], box[3], 41)

    def f_of(p: Any) -> np.ndarray:  # f on the grid, rows over x2 (written out here)
        pre = (p.B[0, :, 0][:, None, None] * h[None, None, :]
               + p.B[0, :, 1][:, None, None] * v[None, :, None] + p.c[0][:, None, None])
        return np.tensordot(p.a[0], np.maximum(pre, 0.0), axes=1).ravel()

    first = page.evaluate(_HEAT)
    assert np.array(first) == pytest.approx(f_of(start), abs=1e-9)
    _same_unit_colours(page)
    page.locator("select").filter(has=page.locator("option", has_text="×16")).select_option("×16")
    page.locator("button.play").first.click()
    page.wait_for_function(f"() => {{ const [v, e] = ({_PLAYER})(); return v === e; }}",
                           timeout=TIMEOUT)
    last = page.evaluate(_HEAT)
    page.wait_for_timeout(400)
    assert page.evaluate(_HEAT) == last  # stopped
    assert np.array(last) == pytest.approx(f_of(end), abs=1e-9)
    assert not np.allclose(last, first, atol=1e-3)
    _same_unit_colours(page)


def _same_unit_colours(page: Any) -> None:
    """A unit's kink line has one colour in the Data view and in the animated run (they
    once differed: the run's came from another palette)."""
    colours = page.evaluate(_UNIT_COLOURS)
    data, run = dict(colours["data"]), dict(colours["run"])
    assert run and data and set(data) & set(run), colours
    assert all(data[u] == run[u] for u in set(data) & set(run)), colours
    assert len(set(run.values())) == len(run)  # one colour per unit

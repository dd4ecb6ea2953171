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
  (as :func:`solver.train.descend` computes it), and stops there when the player stops.
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

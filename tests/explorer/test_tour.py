"""The guided tour without a browser: each step sets the state it claims, and what it says holds.

The expected facts come from the solver called here directly and from the README's
teaching demo (the paper's example: 9 minima, 3 curves, 6 isolated; 4 left at λ = 1/3),
checked by independent criteria (a marker on its line is ``b·x + c = 0`` evaluated; a flat
valley is the loss evaluated along the curve's samples), never from the tour's own helpers.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from explorer.help import COLUMN_HELP, CONTROL_HELP, GLOSSARY, glossary_markdown
from explorer.loss import network, reduced_loss
from explorer.problem import ASSETS, parse_data, read_example
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.tour import STEPS
from explorer.views.tour import TourView
from solver import solve


@pytest.fixture(scope="module")
def runner() -> SolveRunner:
    return SolveRunner(processes=False)


@pytest.fixture
def tour(runner: SolveRunner) -> TourView:
    slices: list[str] = []
    view = TourView(ExplorerState(runner=runner), set_slice=slices.append)
    view.slices = slices
    return view


_SOLVED: dict[tuple[str, str, int], Any] = {}


def solved(example: str, lam: str, units: int) -> Any:
    """The solver's own result for an example (cached across the module)."""
    key = (example, lam, units)
    if key not in _SOLVED:
        rows = parse_data(read_example(ASSETS / f"{example}.csv"))
        _SOLVED[key] = solve([x for x, _ in rows], [y for _, y in rows], lam, units)
    return _SOLVED[key]


def counts(solution: Any) -> tuple[int, int, int]:
    curves = sum(m.kind == "curve" for m in solution.minima)
    return len(solution.minima), curves, len(solution.minima) - curves


def phrase(solution: Any) -> str:
    n, c, i = counts(solution)
    return f"{n} minim{'um' if n == 1 else 'a'} ({c} curve{'s' * (c != 1)}, {i} isolated)"


def go(tour: TourView, index: int) -> Any:
    """Go to step ``index`` and check it set the state it names; return the solver's result."""
    tour.go(index)
    step, state = STEPS[index], tour.state
    assert tour.step == index
    assert state.data == read_example(ASSETS / f"{step.example}.csv")
    assert (state.lam, state.units) == (step.lam, step.units)
    truth = solved(step.example, step.lam, step.units)
    assert [(m.kind, m.loss, m.pattern) for m in state.result.minima] == [
        (m.kind, m.loss, m.pattern) for m in truth.minima]
    assert f"Step {index + 1} of {len(STEPS)}" in tour.text
    assert "solving" not in tour.text and "None" not in tour.text and "nan" not in tour.text
    assert not state.message
    return truth


def test_step_1_opens_the_paper_example(tour: TourView) -> None:
    truth = go(tour, 0)
    assert counts(truth) == (9, 3, 6)  # the README's demo and the paper comparison
    assert phrase(truth) in tour.text and phrase(truth) in tour.state.status
    best = min(m.loss for m in truth.minima)
    assert tour.state.selected.loss == best
    assert f"{len({m.orbit for m in truth.minima})} different minima" in tour.text


def test_step_2_selects_a_boundary_minimum_whose_markers_lie_on_their_lines(
        tour: TourView) -> None:
    go(tour, 1)
    m = tour.state.selected
    assert m.kind == "isolated" and m.active
    xs = [float(Fraction(x)) for x, _ in tour.state.rows]
    for i, unit in m.active:
        assert m.pattern[unit][i] == "0"
        assert abs(m.point.B[unit][0] * xs[i] + m.point.c[unit]) < 1e-9
        assert f"unit {unit + 1} has its kink exactly at x{i + 1}" in tour.text
    # The README's row 1: active x3·u2, x5·u1.
    assert tour.state.selected_index == 0 and "`x3·u2, x5·u1`" in tour.text


def test_step_3_selects_the_interior_curve_and_its_valley_slice(tour: TourView) -> None:
    go(tour, 2)
    m, k = tour.state.selected, tour.state.selected_index
    assert m.kind == "curve" and all("0" not in p for p in m.pattern)
    assert len(set(m.pattern)) == 1 and f"`{m.pattern[0]}`" in tour.text
    assert tour.slices[-1] == f"(c1, c2) through curve #{k + 1}"
    assert k == 6  # the README: curve #7, pattern ++--- for both units
    # A flat valley floor: the loss is the same at every sample of the curve.
    x = np.array([float(Fraction(v)) for v, _ in tour.state.rows])
    y = np.array([float(Fraction(v)) for _, v in tour.state.rows])
    values = [float(reduced_loss(x, y, 0.01, p.B, p.c)) for p in m.samples]
    assert max(values) - min(values) < 1e-9
    assert f"{len(m.equations)} equations" in tour.text
    assert f"{len(m.inequalities)} inequalities" in tour.text


def test_step_4_larger_lambda_and_previous_comes_back_from_the_cache(tour: TourView) -> None:
    go(tour, 2)
    truth = go(tour, 3)
    assert counts(truth)[0] == 4  # the README: at λ = 1/3 only 4 remain
    assert phrase(truth) in tour.text and phrase(truth) in tour.state.status
    tour.go(2)
    assert "from cache" in tour.state.status


def test_steps_5_and_6_the_dead_network_then_minima_that_fit(tour: TourView) -> None:
    truth = go(tour, 4)
    (only,) = truth.minima
    assert not any(only.point.a) and not any(only.point.c) and not any(only.point.B[0])
    assert "the only minimum is the dead network" in tour.text
    truth = go(tour, 5)
    assert phrase(truth) in tour.text
    assert all(any(m.point.a) for m in truth.minima if m.kind == "isolated")
    assert "the dead network is no longer a minimum" in tour.text


def test_step_7_invites_edits_on_the_paper_example(tour: TourView) -> None:
    go(tour, 6)
    assert f"all but one of the {len(tour.state.rows)} points" in tour.text
    tour.state.edit(data="0,1")  # one of the edits it says are refused
    assert "Refused" in tour.state.message and len(tour.state.rows) == 5


def test_steps_8_and_9_one_unit_then_its_minima_come_back_as_split_curves(
        tour: TourView) -> None:
    one = go(tour, 7)
    best = tour.state.selected
    assert best.loss == min(m.loss for m in one.minima) and set(best.pattern[0]) == {"+"}
    # "one straight line through the data": f is affine on the points.
    xs = np.array([float(Fraction(x)) for x, _ in tour.state.rows])
    f = network(best.point.B, best.point.c, best.point.a, xs)
    assert np.allclose(np.diff(f) / np.diff(xs), (f[1] - f[0]) / (xs[1] - xs[0]))
    two = go(tour, 8)
    best = tour.state.selected
    # One ramp per arm: every point is seen by exactly one of the two units.
    assert all(sorted(signs) == ["+", "-"] for signs in zip(*best.pattern, strict=True))
    split = sorted((m.pattern[0], round(m.loss, 9)) for m in two.minima
                   if m.kind == "curve" and len(set(m.pattern)) == 1)
    assert split == sorted((m.pattern[0], round(m.loss, 9)) for m in one.minima)
    assert f"The {len(split)} curves" in tour.text


def test_step_10_selects_the_second_minimum_with_one_unit(tour: TourView) -> None:
    truth = go(tour, 9)
    assert tour.state.selection == 1 and tour.state.selected.loss == truth.minima[1].loss
    assert f"minimum 2 of {len(truth.minima)} selected" in tour.text


def test_previous_next_and_start_again(tour: TourView) -> None:
    assert tour.step == -1 and tour.previous.disabled
    tour.next.clicks += 1
    assert tour.step == 0 and tour.next.label == "Next ▶"
    tour.next.clicks += 1
    tour.previous.clicks += 1
    assert tour.step == 0
    tour.go(len(STEPS) - 1)
    assert tour.next.label == "Start again ▶"
    tour.next.clicks += 1
    assert tour.step == 0


def test_every_column_and_control_has_help() -> None:
    from explorer.views.minima import minima_frame

    assert set(COLUMN_HELP["minima"]) == set(minima_frame(None).columns)
    assert all(len(text) > 40 for table in COLUMN_HELP.values() for text in table.values())
    assert all(len(text) > 40 for text in CONTROL_HELP.values())
    words = [w for w, _ in GLOSSARY]
    for needed in ("Pattern", "Orbit", "Active (x3·u2)", "Split set (curve)", "Certificate",
                   "λ (lambda)", "Units"):
        assert needed in words and f"**{needed}**" in glossary_markdown()

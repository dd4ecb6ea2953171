"""Four hidden units in the dashboard, without a browser: edits, links, the units control and
the refusal of problems whose estimated solve time is over the dashboard's limit.

Expected solutions come from the solver called directly; the expected estimates are the
solver's time formula (``solver.pipeline.solve.estimate_seconds``) worked out here by hand:
the number of faces of the arrangement counted geometrically, the fitted seconds per set of
k faces written out (the constants of that formula, refitted only with the README's table).
"""

from __future__ import annotations

from math import comb
from pathlib import Path

import pytest

from explorer.problem import DEFAULT_DATA, MAX_UNITS, check_estimate, make_key, read_example
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from solver import estimate_seconds, solve
from solver.errors import ProblemTooLargeError
from tests.explorer.test_state import linked, same

ASSETS = Path(__file__).resolve().parents[2] / "assets"
LIMIT = 15.0  # the dashboard's runner refuses problems estimated over this (seconds)
THREE = "-0.34,-0.55;-0.26,-0.32;0.75,-0.75"  # three points: 4 units fit
SEVEN = THREE + ";0.1,0.3;0.45,0.2;-0.8,0.6;0.9,-0.1"  # seven points: 4 units do not
PLANE_TWO = "-0.3,0.2,0.8;0.7,-0.4,-0.2"  # two points in the plane: 4 units fit
# The formula's constants: seconds per set of k faces (k = 0..3; k = 4, 5 with at most 3
# points and with 4 or more), per composition step of the face enumeration, and the growth
# per extra input dimension.
PER_SET = (1e-4, 1e-3, 4e-4, 2e-4)
PER_LARGE_SET = {(4, False): 7e-4, (5, False): 5e-4, (4, True): 1.1e-3, (5, True): 1e-1}
PER_STEP = 5e-8
PER_DIMENSION = 0.25


def faces(n: int, d: int) -> int:
    """Faces of the central arrangement of ``n`` generic hyperplanes in R^(d+1), counted by
    hand: for d = 1, ``n`` lines through the origin of the plane give the origin, ``2n``
    rays and ``2n`` sectors; for d = 2, ``n`` great circles on the sphere meet in ``n(n-1)``
    points, cut themselves into ``2n(n-1)`` arcs and the sphere into ``n(n-1) + 2`` regions
    (Euler), each a cone over the origin."""
    if d == 1:
        return 1 + 2 * n + 2 * n
    return 1 + n * (n - 1) + 2 * n * (n - 1) + n * (n - 1) + 2


def by_hand(n: int, d: int, units: int) -> float:
    """The estimate: the enumeration's steps (faces x cocircuits x points) plus every set of
    k <= units faces at its fitted cost (d >= 2 costlier by a quarter per dimension)."""
    count = faces(n, d)
    steps = count * 2 * comb(n, d) * n
    growth = 1 + PER_DIMENSION * (d - 1)
    per = [PER_SET[k] if k < 4 else PER_LARGE_SET[(k, n >= 4)] for k in range(units + 1)]
    return PER_STEP * steps + sum(comb(count, k) * per[k] * growth for k in range(units + 1))


@pytest.fixture(scope="module")
def runner() -> SolveRunner:
    return SolveRunner(processes=False)


@pytest.fixture
def state(runner: SolveRunner) -> ExplorerState:
    runner.max_seconds = LIMIT
    return ExplorerState(runner=runner)


def test_the_hand_figures_are_the_solvers_estimate() -> None:
    # d = 1, 5 points, 4 units: 21 faces; C(21, k) = 1, 21, 210, 1330, 5985 sets
    assert faces(5, 1) == 21 and faces(2, 2) == 11
    assert by_hand(5, 1, 4) == pytest.approx(
        5e-8 * 21 * 10 * 5 + 1e-4 + 21 * 1e-3 + 210 * 4e-4 + 1330 * 2e-4 + 5985 * 1.1e-3)
    # d = 1, 3 points, 5 units: 13 faces; C(13, k) = 1, 13, 78, 286, 715, 1287 sets
    assert by_hand(3, 1, 5) == pytest.approx(
        5e-8 * 13 * 6 * 3 + 1e-4 + 13 * 1e-3 + 78 * 4e-4 + 286 * 2e-4 + 715 * 7e-4
        + 1287 * 5e-4)
    for n, d, units in ((3, 1, 4), (4, 1, 4), (5, 1, 4), (6, 1, 4), (7, 1, 4), (5, 1, 3),
                        (2, 2, 4), (3, 2, 4), (4, 2, 4), (4, 2, 3), (3, 1, 5), (2, 1, 5)):
        assert estimate_seconds(n, d, units) == pytest.approx(by_hand(n, d, units), rel=1e-12)


def test_four_units_fit_six_points_in_one_input_and_two_in_two() -> None:
    # what the dashboard allows with 4 units: n <= 6 for d = 1 (about 14.5 s; 7 points are
    # 27 s), n = 2 for d = 2 (0.3 s; 3 points are 16 s)
    assert by_hand(6, 1, 4) <= LIMIT < by_hand(7, 1, 4)
    assert by_hand(2, 2, 4) <= LIMIT < by_hand(3, 2, 4)
    # 5 units would fit 3 points in one input (1.1 s) but not 4 (622 s): not offered
    assert by_hand(3, 1, 5) <= LIMIT < by_hand(4, 1, 5)
    assert MAX_UNITS == 4
    for n in (3, 4, 5, 6):  # fit: nothing raised (the paper's example has 5 points)
        check_estimate(n, 1, 4, LIMIT)
    check_estimate(2, 2, 4, LIMIT)
    with pytest.raises(ProblemTooLargeError) as info:
        check_estimate(7, 1, 4, LIMIT)
    assert info.value.estimate_seconds == pytest.approx(by_hand(7, 1, 4))


@pytest.mark.parametrize("data", [read_example(ASSETS / "only_dead_units.csv"), THREE])
def test_four_units_on_three_points_solve(state: ExplorerState, data: str) -> None:
    assert state.edit(data=data, units=4)
    rows = state.rows
    expected = solve([r[0] for r in rows], [r[1] for r in rows], "1/100", 4)
    assert state.result.units == 4 and same(state.result.minima, expected.minima)
    assert " · 4 units · " in state.status and state.message == ""
    assert state.link_query()["units"] == "4"
    # λ edits keep the four units
    assert state.edit(lam="1/10")
    expected = solve([r[0] for r in rows], [r[1] for r in rows], "1/10", 4)
    assert same(state.result.minima, expected.minima)


def test_four_units_on_two_points_in_the_plane_solve(state: ExplorerState) -> None:
    assert state.edit(data=PLANE_TWO, units=4)
    expected = solve([(-0.3, 0.2), (0.7, -0.4)], [0.8, -0.2], "1/100", 4)
    assert state.d == 2 and same(state.result.minima, expected.minima)


@pytest.mark.slow
def test_four_units_on_the_papers_example_solve(state: ExplorerState) -> None:
    # five points: about 7 s estimated since the exact elimination got faster (60 s before)
    assert state.data == DEFAULT_DATA and state.edit(units=4)
    rows = state.rows
    expected = solve([r[0] for r in rows], [r[1] for r in rows], state.lam, 4)
    assert state.result.units == 4 and same(state.result.minima, expected.minima)
    assert " · 4 units · " in state.status and state.message == ""


@pytest.mark.parametrize(("data", "n", "d", "fits_units", "fits_points"), [
    (SEVEN, 7, 1, 3, 6),  # about 27 s
    (read_example(ASSETS / "xor_2d.csv"), 4, 2, 3, 2),  # about 350 s
])
def test_four_units_over_the_limit_are_refused_at_once_with_the_estimate(
    state: ExplorerState, runner: SolveRunner, monkeypatch: pytest.MonkeyPatch,
    data: str, n: int, d: int, fits_units: int, fits_points: int,
) -> None:
    if data != state.data:
        assert state.edit(data=data)
    good = (state.data, state.lam, state.units, state.result, state.status)
    # the fewer units and fewer points offered are the largest that fit, by hand
    assert by_hand(n, d, fits_units) <= LIMIT < by_hand(n, d, fits_units + 1)
    assert by_hand(fits_points, d, 4) <= LIMIT < by_hand(fits_points + 1, d, 4)

    def no_solve(*args: object) -> None:
        raise AssertionError("a solve was submitted: the refusal must come before")

    monkeypatch.setattr(runner, "submit", no_solve)
    assert not state.edit(units=4)
    estimate = f"{by_hand(n, d, 4):,.0f}"
    assert state.message == (
        f"Refused: problem too large: n={n}, d={d}, units=4 would take about {estimate} s "
        f"(limit 15 s); try fewer units ({fits_units} fit these {n} points) or fewer points "
        f"(at most {fits_points} with 4 units). The last good state is kept.")
    assert state.refused == "units"
    assert (state.data, state.lam, state.units, state.result, state.status) == good
    # the same through a direct change of the parameter (what a widget or link could do)
    state.units = 4
    assert state.units == good[2] and "would take about" in state.message


def test_data_too_many_for_four_units_are_refused_and_the_three_points_stay(
    state: ExplorerState,
) -> None:
    assert state.edit(data=THREE, units=4)
    good = (state.data, state.units, state.result)
    assert not state.edit(data=SEVEN)
    assert f"units=4 would take about {by_hand(7, 1, 4):,.0f} s" in state.message
    assert "(at most 6 with 4 units)" in state.message and state.refused == "data"
    assert (state.data, state.units, state.result) == good
    # three units fit the seven points: accepted together
    assert state.edit(data=SEVEN, units=3)
    assert state.result.units == 3 and len(state.rows) == 7


def test_a_link_with_four_units_is_taken_when_it_fits(runner: SolveRunner) -> None:
    state, location = linked(runner, f"?units=4&data={THREE}")
    assert (state.data, state.units) == (THREE, 4) and state.message == ""
    expected = solve(["-0.34", "-0.26", "0.75"], ["-0.55", "-0.32", "-0.75"], "1/100", 4)
    assert same(state.result.minima, expected.minima)
    assert location.history == [location.search]


@pytest.mark.parametrize(("search", "said"), [
    # seven points with 4 units
    (f"?units=4&data={SEVEN}", f"problem too large: n=7, d=1, units=4 would take about "
                               f"{by_hand(7, 1, 4):,.0f} s (limit 15 s); try fewer units"),
    ("?units=5", "the dashboard offers 1 to 4 units, got 5"),
])
def test_a_link_over_the_limit_is_refused(runner: SolveRunner, search: str, said: str) -> None:
    runner.max_seconds = LIMIT
    state, location = linked(runner, search)
    assert state.message.startswith(f"Refused the link: {said}"), state.message
    assert state.message.endswith("Showing the paper's example.")
    assert (state.data, state.units) == (DEFAULT_DATA, 2) and state.result.units == 2
    assert location.search == ""


def test_the_units_control_offers_one_to_four_and_goes_back_on_a_refusal(
    state: ExplorerState,
) -> None:
    from explorer.views.controls import ControlsView

    controls = ControlsView(state)
    assert list(controls.units.options) == [1, 2, 3, 4]
    assert state.edit(data=SEVEN)
    controls.units.value = 4  # seven points: refused
    assert controls.units.value == 2 and state.units == 2 and "units=4" in state.message
    assert controls.alert.visible and "would take about" in controls.alert.object
    assert state.edit(data=THREE)
    controls.units.value = 4
    assert state.units == 4 and state.result.units == 4 and not controls.alert.visible


def test_the_training_view_draws_four_units() -> None:
    """Training with 4 units (three points): the bars are the training API's basin table,
    each sampled run has 4 trajectories, the slice offers units 1 to 4, one run's frames
    carry a, b, c of every unit."""
    from explorer.training import train_job
    from explorer.views.training import TrainingView
    from explorer.views.training_plots import bar_data
    from solver.train import Optimizer, Settings, train

    state = ExplorerState(runner=SolveRunner(processes=False))
    view = TrainingView(state, runner=SolveRunner(processes=False, job=train_job))
    view.shown = True
    view.runs.value, view.steps.value = 30, 1000
    assert state.edit(data=THREE, units=4)
    view.train()
    problem = make_key(state.data, state.lam, state.units)
    report = train(problem, [Optimizer("gd", 0.01)], Settings(runs=30, steps=1000, seed=0))
    assert view.src["bars"].data == bar_data(report.trainings[0].basins, state.result)
    sample = view._result.sample
    assert len(view.src["traj"].data["xs"]) == len(sample.minimum) * 4
    assert list(view.unit.options) == [1, 2, 3, 4]
    view.unit.value = 4
    assert len(view.src["image"].data["image"]) == 1
    view.one_run()
    assert {f"{p}{l}" for p in "abc" for l in range(4)} <= set(view.src["frames"].data)
    assert view.src["units"].data["n"] == [4]

"""The Training view without a browser: the job, the bars, selection by a bar, the
animated run's frames, and cancellation by a newer edit.

Expected values come from the headless training API run on the same request
(``solver.train``), which its own tests check against the exact results.
"""

from __future__ import annotations

import numpy as np
import pytest

from explorer.problem import make_key
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.training import TrainRequest, train_job
from explorer.views.training import TrainingView
from explorer.views.training_plots import (
    ANIMATE_JS,
    STUCK_COLOR,
    animation_data,
    bar_data,
    minimum_colors,
    surface_data,
)
from solver.train import Optimizer, Settings, train


@pytest.fixture(scope="module")
def view() -> TrainingView:
    state = ExplorerState(runner=SolveRunner(processes=False))
    board = TrainingView(state, runner=SolveRunner(processes=False, job=train_job))
    board.runs.value, board.steps.value = 60, 4000
    board.train()
    return board


def test_the_bars_are_the_basin_table_of_the_same_training(view: TrainingView) -> None:
    problem = make_key(view.state.data, view.state.lam, view.state.units)
    report = train(problem, [Optimizer("gd", 0.01)], Settings(runs=60, steps=4000, seed=0))
    expected = bar_data(report.trainings[0].basins, view.state.result)
    assert view.src["bars"].data == expected
    assert sum(view.src["bars"].data["runs"]) == 60
    assert list(view.bars.x_range.factors) == expected["label"]
    share = 100 * report.trainings[0].global_share
    assert f"{report.trainings[0].global_runs} of 60 runs ({share:.0f}%" in view.sentence.object


def test_a_tapped_bar_selects_its_minimum(view: TrainingView) -> None:
    minima = view.src["bars"].data["minimum"]
    row = next(k for k, m in enumerate(minima) if m > 0)  # not the global one (index 0)
    view.src["bars"].selected.indices = [row]
    assert view.state.selection == minima[row]
    stuck = next((k for k, m in enumerate(minima) if m < 0), None)
    if stuck is not None:  # a stuck or not-converged bar selects nothing new
        view.src["bars"].selected.indices = [stuck]
        assert view.state.selection == minima[row]


def test_trajectories_are_coloured_by_the_minimum_their_run_reached(view: TrainingView) -> None:
    sample = view._result.sample
    traj, ends = view.src["traj"].data, view.src["ends"].data
    L = view.state.units
    assert len(traj["xs"]) == len(sample.minimum) * L == 24 * L
    colors = minimum_colors(view.state.result)
    for k, reached in enumerate(sample.minimum):
        for l in range(L):
            j = k * L + l
            assert traj["xs"][j][-1] == ends["b"][j] == sample.b[-1, k, l]
            assert traj["ys"][j][-1] == ends["c"][j] == sample.c[-1, k, l]
            assert ends["color"][j] == colors.get(reached, STUCK_COLOR)


def test_the_surface_shows_the_selected_minimums_runs(view: TrainingView) -> None:
    view.state.select(0)  # the global minimum
    result = view.state.result
    orbit_of = {i: m.orbit for i, m in enumerate(result.minima)}
    image, paths, ring = surface_data(result, 0, 0, view._result.sample, orbit_of)
    assert view.src["surface_paths"].data == paths
    assert len(paths["xs"]) == sum(1 for m in view._result.sample.minimum
                                   if m >= 0 and orbit_of[m] == result.minima[0].orbit)
    assert np.isfinite(image["image"][0]).all()
    assert ring == {"b": [result.minima[0].point.B[0][0]], "c": [result.minima[0].point.c[0]]}


def test_one_run_loads_its_frames_and_a_tap_starts_from_the_tapped_point(
        view: TrainingView) -> None:
    view.one_run()
    frames = view.src["frames"].data
    assert frames["step"][0] == 0 and frames["step"][-1] <= 4000
    assert view.run.player.end == len(frames["step"]) - 1 and view.run.player.value == 0
    assert set(frames) >= {"a0", "b0", "c0", "a1", "b1", "c1"}

    class Tap:
        x, y = 0.7, -0.3

    view._on_plane_tap(Tap())
    frames = view.src["frames"].data
    assert (frames["b0"][0], frames["c0"][0]) == (0.7, -0.3)
    assert "This run:" in view.run.run_text.object
    assert "frames.data" in ANIMATE_JS and "markers.setv" in ANIMATE_JS


def test_one_run_is_drawn_dashed_in_the_data_view_at_its_first_frame(
        view: TrainingView) -> None:
    """The Data view draws the session's overlay; one run puts f(x) of its start there,
    computed from the start the training API gives run 0 of the seed."""
    from explorer.views.data import RUN_NAME, DataView, fit_grid
    from solver.train import initial_params

    data_view = DataView(view.state)
    view.one_run()
    line = data_view.figure.select_one({"name": RUN_NAME})
    assert line.data_source is view.run.overlay.source
    start = initial_params("torch-default", 1, 2, 1, 0, first=view._one_runs - 1)
    grid = fit_grid(view.state.rows)
    pre = start.B[0, :, 0][:, None] * grid + start.c[0][:, None]
    expected = start.a[0] @ np.maximum(pre, 0.0)
    assert np.array(line.data_source.data["x"]) == pytest.approx(grid)
    assert np.array(line.data_source.data["y"]) == pytest.approx(expected, abs=1e-12)
    assert "step 0" in view.run.overlay.label.text
    assert "overlay.setv" in ANIMATE_JS and "label.setv" in ANIMATE_JS
    # the Data view's ranges follow the data and the minimum, not the run
    assert line not in data_view.figure.y_range.renderers


def test_an_edit_of_the_problem_clears_the_results(view: TrainingView) -> None:
    view.one_run()
    assert view.run.overlay.source.data["x"]
    view.state.edit(lam="1/20")
    assert view.src["bars"].data["label"] == []
    assert view.src["frames"].data["step"] == []
    assert view.run.overlay.source.data == {"x": [], "y": []} and view.run.overlay.label.text == ""
    assert "changed" in view.status
    view.state.edit(lam="1/100")


def test_a_running_training_is_cancelled_by_an_edit() -> None:
    """In a process pool: the edit cancels the job (its outcome is 'cancelled')."""
    runner = SolveRunner(max_workers=1, job=train_job)
    try:
        state = ExplorerState(runner=SolveRunner(processes=False))
        board = TrainingView(state, runner=runner)
        board.runs.value, board.steps.value = 2000, 100000
        request = board._request(one=False)
        job = runner.submit(request)
        board._job = job
        state.edit(lam="1/20")
        assert board._job is None and "cancelled" in board.status
        assert job.future.result(timeout=120).kind == "cancelled"
    finally:
        runner.shutdown()


def test_a_refused_problem_is_reported_not_raised() -> None:
    request = TrainRequest(make_key("0,1;1,0", "1/100", 3), "gd", 0.01, "torch-default",
                           runs=5, steps=100, seed=0)
    outcome = train_job(1, request, 1e-9)  # the exact solve is estimated above the limit
    assert outcome.kind == "refused" and "too large" in outcome.message


def test_animation_data_has_one_column_per_unit() -> None:
    assert animation_data(None) == {"step": [], "loss": []}


def test_two_input_data_train_and_animate_in_the_input_plane() -> None:
    """d = 2 (the xor example, L = 2): the bars are the headless API's basin table, a bar
    selects its minimum, units are drawn at their input weights (b1, b2) (the sampled runs'
    ends as ``descend`` leaves them, the minima's rings), one run's first frame is f of the
    init on the input plane's grid with its units' kink lines, and a tap starts unit 1 at the
    tapped (b1, b2). Back on 1-D data, the (b, c) plane and f(x) figure return."""
    from explorer.problem import read_example
    from solver.train import FloatData, descend, initial_params

    state = ExplorerState(runner=SolveRunner(processes=False))
    board = TrainingView(state, runner=SolveRunner(processes=False, job=train_job))
    board.runs.value, board.steps.value = 30, 3000
    assert state.edit(data=read_example("assets/xor_2d.csv"), units=2)
    assert not board.train_button.disabled and board.run.fx2_pane.visible
    assert not board.run.fx_pane.visible and not board.surface_column.visible
    assert board.plane.xaxis.axis_label == "b1" and board.src["lines"].data["x0"] == []
    board.train()
    problem = make_key(state.data, state.lam, state.units)
    report = train(problem, [Optimizer("gd", 0.01)], Settings(runs=30, steps=3000, seed=0))
    training = report.trainings[0]
    assert board.src["bars"].data == bar_data(training.basins, state.result)
    assert f"{training.global_runs} of 30 runs" in board.sentence.object
    minima = board.src["bars"].data["minimum"]
    row = max((k for k, m in enumerate(minima) if m > 0),
              key=lambda k: board.src["bars"].data["runs"][k])
    board.src["bars"].selected.indices = [row]
    assert state.selection == minima[row]
    # the sampled runs end at their units' (b1, b2)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    end = descend(data, initial_params("torch-default", 30, 2, 2, 0), Optimizer("gd", 0.01),
                  3000, 1e-4).params
    ends = board.src["ends"].data
    assert len(ends["b"]) == 24 * 2
    assert ends["b"] == pytest.approx(end.B[:24, :, 0].ravel().tolist(), abs=1e-9)
    assert ends["c"] == pytest.approx(end.B[:24, :, 1].ravel().tolist(), abs=1e-9)
    rings = board.src["rings"].data
    first = state.result.minima[0]
    point = first.point if hasattr(first, "point") else None
    if point is not None:
        assert (rings["b"][0], rings["c"][0]) == (point.B[0][0], point.B[0][1])
    assert board.src["image"].data["image"] == []  # no loss slice for two inputs
    # one run: its first frame, f written out here on the 41 x 41 grid of the data's box
    board.one_run()
    start = initial_params("torch-default", 1, 2, 2, 0, first=0)
    box = board.src["units"].data["box"][0]
    h, v = np.linspace(box[0], box[1], 41), np.linspace(box[2], box[3], 41)
    pre = (start.B[0, :, 0][:, None, None] * h[None, None, :]
           + start.B[0, :, 1][:, None, None] * v[None, :, None] + start.c[0][:, None, None])
    expected = np.tensordot(start.a[0], np.maximum(pre, 0.0), axes=1)
    assert np.asarray(board.src["heat"].data["image"][0]) == pytest.approx(expected, abs=1e-12)
    assert board.src["markers"].data == {"b": start.B[0, :, 0].tolist(),
                                         "c": start.B[0, :, 1].tolist()}
    for xs, ys, l in zip(board.src["kinks"].data["xs"], board.src["kinks"].data["ys"],
                         range(2), strict=False):  # the kink lines lie on <b, x> + c = 0
        for x1, x2 in zip(xs, ys, strict=True):
            assert start.B[0, l] @ (x1, x2) + start.c[0, l] == pytest.approx(0, abs=1e-12)
    assert board.src["units"].data["d"] == [2] and board.run.player.end > 1

    class Tap:
        x, y = 0.6, -0.4

    board._on_plane_tap(Tap())
    frames = board.src["frames"].data
    assert (frames["b0"][0], frames["e0"][0]) == (0.6, -0.4)
    # back to one input
    assert state.edit(data=read_example("assets/paper_example.csv"), units=2)
    assert board.run.fx_pane.visible and not board.run.fx2_pane.visible
    assert board.plane.xaxis.axis_label == "b" and board.src["lines"].data["x0"]
    assert board.src["heat"].data["image"] == [] and board.src["points2"].data["x1"] == []


def test_data_given_as_fractions_are_drawn_at_their_values() -> None:
    # The data table keeps exact strings such as "1/2"; the view once called float() on
    # them and failed on every result of such data (CI, stop 17).
    state = ExplorerState(runner=SolveRunner(processes=False))
    board = TrainingView(state, runner=SolveRunner(processes=False, job=train_job))
    assert state.edit(data="-1,1;-1/2,1/2;0,0;1/2,1/4;1,1", units=2), state.message
    assert board.src["points"].data == {"x": [-1.0, -0.5, 0.0, 0.5, 1.0],
                                        "y": [1.0, 0.5, 0.0, 0.25, 1.0]}
    assert board.run.x_span() == (-1.3, 1.3)


def test_a_hidden_view_computes_and_sends_nothing_then_catches_up_when_shown() -> None:
    """Closed (``shown`` False), a new result or selection leaves every source as it was
    (the 65 kB surface is neither computed nor sent); opened, it shows the current ones."""
    state = ExplorerState(runner=SolveRunner(processes=False))
    board = TrainingView(state, runner=SolveRunner(processes=False, job=train_job))
    board.shown = False
    before = {k: dict(s.data) for k, s in board.src.items()}
    changed: list[str] = []
    for name, source in board.src.items():
        source.on_change("data", lambda attr, old, new, name=name: changed.append(name))
    assert state.edit(lam="1/20")
    state.select(1)
    assert changed == [] and {k: dict(s.data) for k, s in board.src.items()} == before
    board.shown = True
    result = state.result
    orbit_of = {i: m.orbit for i, m in enumerate(result.minima)}
    image, _, ring = surface_data(result, 1, 0, None, orbit_of)
    assert board.src["image"].data["image"][0] == pytest.approx(image["image"][0])
    assert board.src["surface_ring"].data == ring
    assert len(board.src["rings"].data["b"]) == result.units * len(result.minima)


def test_the_training_card_is_closed_and_builds_its_view_when_first_opened() -> None:
    import panel as pn

    from explorer.layout import build_dashboard

    state = ExplorerState(runner=SolveRunner(processes=False))
    board = build_dashboard(state)
    box = next(c for c in board.main
               if isinstance(c, pn.Card) and "Training" in c.header[0].object)
    assert box.collapsed and board.training is None
    box.collapsed = False
    training = board.training
    assert training is not None and training.shown
    box.collapsed = True
    assert not training.shown
    box.collapsed = False
    assert board.training is training and training.shown


def test_only_the_bars_which_the_tap_tool_selects_have_selection_glyph_models() -> None:
    """The bars are selected by Bokeh's tap tool and fade the others (the non-selection
    glyph); the other figures' renderers are never selected or muted (a tap on the plane is
    a server-side event) and carry no such glyph models."""
    from bokeh.models import Glyph, GlyphRenderer, TapTool

    board = TrainingView(ExplorerState(runner=SolveRunner(processes=False)),
                         runner=SolveRunner(processes=False, job=train_job))
    figures = [board.bars, board.plane, board.surface, board.fx, board.fx2, board.loss_curve]
    renderers = [(fig, r) for fig in figures for r in fig.renderers
                 if isinstance(r, GlyphRenderer)]
    assert len(renderers) == 16  # 1 bar glyph, 5 + 3 on the planes, 2 + 3 + 2 animated
    for fig, renderer in renderers:
        extra = [g for g in (renderer.nonselection_glyph, renderer.muted_glyph)
                 if isinstance(g, Glyph)]
        if any(isinstance(tool, TapTool) for tool in fig.toolbar.tools):
            assert renderer.nonselection_glyph.fill_alpha == 0.5
        else:
            assert extra == [], renderer.glyph

"""The explorer without a browser: loss evaluation, state, solve runner and views.

Expected values come from the solver called directly, from hand computation or from an
independent numerical minimisation, never from the dashboard's own output.
"""

from __future__ import annotations

import asyncio
import math
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from scipy.optimize import minimize

from explorer.loss import full_loss, network, optimal_a, reduced_loss
from explorer.problem import (
    DEFAULT_DATA,
    MAX_POINTS,
    format_data,
    make_key,
    parse_data,
    read_example,
)
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.worker import Outcome, SolveKey, progress_callback
from solver import solve
from solver.data import read_csv
from solver.errors import SolverInputError

ASSETS = Path(__file__).resolve().parents[2] / "assets"
PAPER_X = ["-0.17", "0.44", "-1.00", "-0.40", "-0.71"]
PAPER_Y = ["0.05", "1.02", "0.61", "-0.36", "-1.32"]


def same(a: tuple, b: tuple) -> bool:
    """Same minima (kind, loss, pattern), whatever their order."""
    def summary(minima: tuple) -> list:
        return sorted((m.kind, round(m.loss, 9), m.pattern) for m in minima)
    return summary(a) == summary(b)


@pytest.fixture(scope="module")
def paper() -> Any:
    return solve(PAPER_X, PAPER_Y, "1/100", 2)


@pytest.fixture(scope="module")
def runner() -> SolveRunner:
    """In-process runner shared by the module (its cache saves repeated solves)."""
    return SolveRunner(processes=False)


@pytest.fixture
def state(runner: SolveRunner) -> ExplorerState:
    runner.max_seconds = 15.0
    return ExplorerState(runner=runner)


# ----------------------------------------------------------------------------- loss
def test_network_by_hand() -> None:
    # f(x) = 2 ReLU(x - 1) - ReLU(-x): at x = 3 -> 4, at x = -2 -> -2, at x = 0.5 -> 0.
    values = network([[1.0], [-1.0]], [-1.0, 0.0], [2.0, -1.0], [3.0, -2.0, 0.5])
    assert values.tolist() == [4.0, -2.0, 0.0]


def test_full_loss_by_hand() -> None:
    # One unit, f(x) = ReLU(x): residuals (1 - 1, 0 - 0) at x = 1, 0 ... plus lam * (1 + 1 + 0).
    assert full_loss([1.0, 0.0], [1.0, 0.0], 0.5, [[1.0]], [0.0], [1.0]) == pytest.approx(1.0)
    assert full_loss([1.0, -1.0], [2.0, 1.0], 0.0, [[1.0]], [0.0], [1.0]) == pytest.approx(2.0)


def test_reduced_loss_is_the_minimum_over_a() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=6), rng.normal(size=6)
    for _ in range(5):
        B, c, lam = rng.normal(size=(2, 1)), rng.normal(size=2), float(rng.uniform(0.01, 1))
        numeric = minimize(
            lambda a, lam=lam, B=B, c=c: full_loss(x, y, lam, B, c, a), np.zeros(2), tol=1e-12
        )
        assert reduced_loss(x, y, lam, B, c) == pytest.approx(numeric.fun, rel=1e-7)
        a = optimal_a(x, y, lam, B, c)
        assert full_loss(x, y, lam, B, c, a) == pytest.approx(numeric.fun, rel=1e-7)


def test_reduced_loss_on_a_batch_matches_pointwise() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=5), rng.normal(size=5)
    B, c = rng.normal(size=(4, 3, 2, 1)), rng.normal(size=(4, 3, 2))
    batch = reduced_loss(x, y, 0.1, B, c)
    assert batch.shape == (4, 3)
    assert batch[2, 1] == pytest.approx(float(reduced_loss(x, y, 0.1, B[2, 1], c[2, 1])))


def test_loss_formula_agrees_with_every_solver_minimum(paper: Any) -> None:
    x = [float(v) for v in PAPER_X]
    y = [float(v) for v in PAPER_Y]
    for minimum in paper.minima:
        points = [minimum.point] if minimum.kind == "isolated" else minimum.samples
        for p in points:
            value = float(reduced_loss(x, y, 0.01, p.B, p.c))
            assert value == pytest.approx(minimum.loss, abs=1e-9)


# -------------------------------------------------------------------------- parsing
def test_data_text_round_trip() -> None:
    rows = [("-0.17", "0.05"), ("1/3", "-2")]
    assert parse_data(format_data(rows)) == rows
    assert read_example(ASSETS / "paper_example.csv") == DEFAULT_DATA
    assert parse_data(DEFAULT_DATA) == list(zip(PAPER_X, PAPER_Y, strict=True))


@pytest.mark.parametrize(
    ("data", "lam", "units", "reason"),
    [
        ("0,1;0,2", "1/100", 2, "same x"),
        ("0,1;abc,2", "1/100", 2, "not a number"),
        ("0,1", "1/100", 2, "at least 2"),
        ("0,1;1,2", "0", 2, "positive"),
        ("0,1;1,2", "1/100", 5, "1 to 4"),
        ("0,1;1", "1/100", 2, "'x,y' or 'x1,x2,y'"),
    ],
)
def test_make_key_refuses_bad_problems(data: str, lam: str, units: int, reason: str) -> None:
    with pytest.raises(SolverInputError, match=reason):
        make_key(data, lam, units)


def test_make_key_is_exact() -> None:
    key = make_key("-0.17,0.05;1/3,1", "0.01", 2)
    assert key.x == ((Fraction(-17, 100),), (Fraction(1, 3),)) and key.lam == Fraction(1, 100)


def test_slider_gives_an_exact_three_digit_lambda() -> None:
    from explorer.views.controls import lam_from_slider, slider_from_lam

    assert lam_from_slider(-2.0) == "0.01"
    assert Fraction(lam_from_slider(-1.5)) == Fraction(79, 2500)  # 10**-1.5 = 0.0316...
    assert lam_from_slider(-4.0) == "0.0001" and lam_from_slider(0.0) == "1"
    assert slider_from_lam("1/100") == pytest.approx(-2.0)
    assert slider_from_lam("1e5") == pytest.approx(5.0)  # the slider widens to show it


# ---------------------------------------------------------------------------- state
def test_state_opens_on_the_paper_example(state: ExplorerState, paper: Any) -> None:
    assert state.result is not None
    assert same(state.result.minima, paper.minima)
    assert state.lam == "1/100" and state.units == 2
    assert state.status.startswith(f"{len(paper.minima)} minima")
    best = min(m.loss for m in paper.minima)
    assert state.selected.loss == best and state.message == ""


def test_an_edit_of_lambda_or_data_produces_a_new_solve(state: ExplorerState) -> None:
    first = state.result
    assert state.edit(lam="1/20")
    assert state.result.lam == Fraction(1, 20)
    assert same(state.result.minima, solve(PAPER_X, PAPER_Y, "1/20", 2).minima)
    moved = format_data([("-0.17", "0.05"), ("0.44", "0.2"), *parse_data(DEFAULT_DATA)[2:]])
    assert state.edit(data=moved, lam="1/100")
    ys = ["0.05", "0.2", *PAPER_Y[2:]]
    assert same(state.result.minima, solve(PAPER_X, ys, "1/100", 2).minima)
    assert state.edit(data=DEFAULT_DATA)
    assert state.result == first and "from cache" in state.status


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"data": DEFAULT_DATA + ";0.44,3"}, "same x"),
        ({"data": DEFAULT_DATA.replace("0.61", "abc")}, "'abc'"),
        ({"data": "0.5,1"}, "at least 2"),
        ({"lam": "0"}, "positive"),
        ({"lam": "much"}, "'much'"),
        ({"units": 5}, "1 to 4"),
        # 41 points with 1 unit would solve in well under a second (the time estimate
        # lets it through), but the dashboard draws at most 40
        ({"data": ";".join(f"{k / 100},0" for k in range(41)), "units": 1}, "at most 40 points"),
    ],
)
def test_a_bad_edit_keeps_the_last_good_state(
    state: ExplorerState, change: dict, reason: str
) -> None:
    good = (state.data, state.lam, state.units, state.result)
    assert not state.edit(**change)
    assert reason in state.message and state.message.startswith("Refused")
    assert (state.data, state.lam, state.units, state.result) == good


def test_a_bad_value_set_directly_is_put_back(state: ExplorerState) -> None:
    good = (state.data, state.result)
    state.data = "1,2;1,3"  # what a link or another widget could do
    assert "same x" in state.message
    assert (state.data, state.result) == good


def test_a_problem_too_large_is_refused_before_solving(
    state: ExplorerState, runner: SolveRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = (state.data, state.lam, state.units, state.result)
    monkeypatch.setattr(runner, "max_seconds", 1e-9)  # any problem is "too large" now

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the face enumeration started: the refusal came too late")

    # the refusal must come from the estimate, before any face set is built (the state
    # checks it itself: no solve is submitted)
    monkeypatch.setattr(sys.modules["solver.pipeline.solve"], "make_work", no_work)
    assert not state.edit(lam="1/7")  # valid input, refused by its estimate
    assert "Refused" in state.message and "limit" in state.message
    assert (state.data, state.lam, state.units, state.result) == good


def test_a_bad_link_falls_back_to_the_example(runner: SolveRunner) -> None:
    state = ExplorerState(runner=runner, autostart=False)
    state.param.update(data="1,2;1,3", selection=1)
    assert state.data == DEFAULT_DATA and state.result is not None
    assert "same x" in state.message and "paper's example" in state.message


def test_selection_from_a_link_survives_the_first_solve_only(runner: SolveRunner) -> None:
    state = ExplorerState(runner=runner, autostart=False)
    state.param.update(selection=3, lam="1/20")
    state.start()
    assert state.selection == 3 and state.selected is state.result.minima[3]
    state.edit(lam="1/100")
    assert state.selection == -1
    state.select(99)
    assert state.selection == -1


# --------------------------------------------------------------------------- runner
def _sleepy_job(job_id: int, key: SolveKey, max_seconds: float, queue: Any = None,
                cancelled: Any = None) -> Outcome:
    """Reports progress every 0.05 s for 3 s (honours cancel through the real callback)."""
    report = progress_callback(job_id, queue, cancelled)
    for k in range(60):
        report(k, 60)
        time.sleep(0.05)
    return Outcome("ok", solution=None)


def _stubborn_job(job_id: int, key: SolveKey, max_seconds: float, queue: Any = None,
                  cancelled: Any = None) -> Outcome:
    """Starts (reports progress once), then ignores cancellation: only terminating its
    process stops it."""
    progress_callback(job_id, queue, cancelled)(0, 1)
    time.sleep(60)
    return Outcome("ok", solution=None)


def _quick_job(job_id: int, key: SolveKey, max_seconds: float, queue: Any = None,
               cancelled: Any = None) -> Outcome:
    return Outcome("ok", solution=key.units)


KEY = make_key(DEFAULT_DATA, "1/100", 2)


@pytest.mark.slow
def test_runner_reports_progress_and_cancels_a_running_solve() -> None:
    runner = SolveRunner(max_workers=1, job=_sleepy_job, grace=5.0)
    try:
        job = runner.submit(KEY)
        seen = None
        deadline = time.monotonic() + 30
        while seen is None or seen[0] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.1)
            runner.drain()
            seen = runner.progress(job)
        assert seen[1] == 60 and 0 < seen[0] < 60
        pool = runner._executor
        runner.cancel(job)
        assert job.future.result(timeout=3).kind == "cancelled"
        assert runner._executor is pool  # it stopped by itself: no pool restart
    finally:
        runner.shutdown()


@pytest.mark.slow
def test_runner_terminates_a_solve_that_ignores_cancel() -> None:
    runner = SolveRunner(max_workers=1, job=_stubborn_job, grace=0.5)
    try:
        [w.result(timeout=60) for w in runner.start()]
        job = runner.submit(KEY)
        deadline = time.monotonic() + 60
        while runner.progress(job) is None:  # until it runs
            assert time.monotonic() < deadline
            time.sleep(0.05)
            runner.drain()
        pool = runner._executor
        runner.cancel(job)
        # the job sleeps 60 s and ignores cancel: only terminating its pool ends it
        assert job.future.result(timeout=10).kind == "cancelled"
        assert runner._executor is not pool
        assert runner._executor._processes, "the replacement pool is warmed at once"
        runner.job = _quick_job
        assert runner.submit(KEY).future.result(timeout=60).solution == 2  # the new pool works
    finally:
        runner.shutdown()


@pytest.mark.slow
def test_pool_state_supersedes_older_requests_and_caches(paper: Any) -> None:
    async def scenario() -> tuple[list, ExplorerState]:
        runner = SolveRunner(max_workers=2)
        try:
            state = ExplorerState(runner=runner)
            shown: list = []
            state.param.watch(lambda e: shown.append(e.new.lam), "result")
            while state.solving:
                await asyncio.sleep(0.05)
            state.edit(lam="1/20")
            state.edit(lam="1/10")  # supersedes 1/20 before it can finish
            assert state.solving
            while state.solving:
                state.poll_progress()
                await asyncio.sleep(0.05)
            state.edit(lam="1/100")  # back to the first: from the cache, no solving
            assert not state.solving and "from cache" in state.status
            return shown, state
        finally:
            runner.shutdown()

    # A loop of our own in a thread: the browser tests' Playwright may own this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        shown, state = pool.submit(asyncio.run, scenario()).result(timeout=120)
    assert shown == [Fraction(1, 100), Fraction(1, 10), Fraction(1, 100)]
    assert same(state.result.minima, paper.minima)


# ---------------------------------------------------------------------------- views
@pytest.fixture
def app(state: ExplorerState) -> Any:
    import holoviews as hv
    import panel as pn

    from explorer.views.controls import ControlsView
    from explorer.views.data import DataView
    from explorer.views.minima import MinimaView
    from explorer.views.plane import PlaneView
    from explorer.views.surface import SurfaceView

    pn.extension("tabulator", "katex")
    hv.extension("bokeh", logo=False)
    return SimpleNamespace(
        state=state, data=DataView(state), plane=PlaneView(state), surface=SurfaceView(state),
        minima=MinimaView(state), controls=ControlsView(state),
    )


def test_every_view_renders(app: Any) -> None:
    # Rendered plots update through the server's event loop, so the other view tests
    # drive un-rendered views; this one checks that each view builds its Bokeh models.
    from bokeh.models import Slider
    from bokeh.plotting import figure
    from panel.models.tabulator import DataTabulator

    expected = [
        (app.data, figure), (app.data, DataTabulator), (app.plane, figure),
        (app.surface, figure), (app.minima, DataTabulator), (app.controls, Slider),
    ]
    for view, model in expected:
        assert list(view.__panel__().get_root().select({"type": model})), (view, model)


def test_dragging_a_point_in_the_plot_edits_the_data(app: Any) -> None:
    xs = [float(v) for v in PAPER_X]
    ys = [float(v) for v in PAPER_Y]
    ys[1] = 0.2012  # x2 dragged down; snaps to 0.2
    app.data._on_draw(data={"x": xs, "y": ys})
    assert parse_data(app.state.data)[1] == ("0.44", "0.2")
    assert parse_data(app.state.data)[0] == ("-0.17", "0.05")  # others keep their text
    expected = solve(PAPER_X, ["0.05", "0.2", *PAPER_Y[2:]], "1/100", 2)
    assert same(app.state.result.minima, expected.minima)
    assert list(app.data.table.value["y"])[1] == "0.2"


def test_dragging_onto_another_point_is_refused(app: Any) -> None:
    good = app.state.data
    xs = [float(v) for v in PAPER_X]
    xs[0] = 0.4402  # x1 dragged onto x2's x
    app.data._on_draw(data={"x": xs, "y": [float(v) for v in PAPER_Y]})
    assert "same x" in app.state.message and app.state.data == good


def test_table_edits_are_exact_and_bad_ones_restored(app: Any) -> None:
    app.data._on_table_edit(SimpleNamespace(row=2, column="x", value="1/3"))
    assert parse_data(app.state.data)[2] == ("1/3", "0.61")
    app.data._on_table_edit(SimpleNamespace(row=2, column="y", value="six"))
    assert "'six'" in app.state.message
    assert parse_data(app.state.data)[2] == ("1/3", "0.61")
    assert list(app.data.table.value["y"])[2] == "0.61"


def test_deleting_below_two_points_is_refused(app: Any) -> None:
    app.data.table.selection = [0, 1, 2, 3]
    app.data._on_delete(None)
    assert "at least 2" in app.state.message and len(parse_data(app.state.data)) == 5


def test_minima_table_selection_and_exact_curve(app: Any, paper: Any) -> None:
    table = app.minima.table.value
    assert list(table["loss"]) == [f"{m.loss:.10g}" for m in app.state.result.minima]
    assert same(app.state.result.minima, paper.minima)
    # the paper's curve: the one whose equations include the octic in (c1, c2)
    minima = app.state.result.minima
    curve = next(
        i for i, m in enumerate(minima) if m.kind == "curve" and "c1**8" in " ".join(m.equations)
    )
    app.minima.table.selection = [curve]
    assert app.state.selection == curve
    text = app.minima.exact.object
    assert "b_{11}" in text and "c_{1}^{8}" in text and "<" in text
    # the first published coefficient R1's numerator, exactly
    assert "8061831845311915622677137119327762091177021647160801855468750" in text


def test_plane_markers_and_tap_select(app: Any, paper: Any) -> None:
    from explorer.views.plane import marker_frame

    frame = marker_frame(paper)
    assert len(frame) == 2 * len(paper.minima)
    target = 4  # select minimum 5 by clicking next to its first unit
    row = frame[frame["minimum"] == target + 1].iloc[0]
    app.plane.select_at(row["b"] + 1e-3, row["c"] - 1e-3)
    assert app.state.selection == target


def test_every_surface_slice_stays_above_the_global_minimum(app: Any, paper: Any) -> None:
    from explorer.views.surface import surface_frame

    options = app.surface.param.slice.objects
    assert "unit 1: (b1, c1)" in options and any("through curve" in o for o in options)
    for option in options:
        for selected in range(len(paper.minima)):
            loss = surface_frame(paper, option, selected).loss
            assert loss.min() >= paper.global_loss - 1e-9


def test_controls_slider_and_units(app: Any) -> None:
    app.controls._on_slider(SimpleNamespace(new=-1.5))
    assert app.state.lam == "0.0316" and app.state.result.lam == Fraction(79, 2500)
    app.controls.units.value = 1
    assert app.state.units == 1 and app.state.result.units == 1
    app.controls.units.value = 2
    assert app.state.units == 2


# ------------------------------------------------------------------- examples, UI fixes
def test_the_status_line_speaks_of_one_minimum_and_one_unit(state: ExplorerState) -> None:
    assert state.edit(data=read_example(ASSETS / "only_dead_units.csv"), units=1)
    assert len(state.result.minima) == 1
    assert state.status.startswith("1 minimum (0 curves, 1 isolated) · λ = 1/100 · 1 unit · ")
    assert state.edit(units=2)
    assert " · 2 units · " in state.status


def test_every_example_in_assets_is_offered_and_loads(app: Any) -> None:
    from explorer.views.examples import example_files

    # every example is offered; the 1-D ones load here (the 2-D ones: test_state2d.py)
    labels = [path.stem.replace("_", " ") for path in sorted(ASSETS.glob("*.csv"))]
    assert list(example_files()) == labels
    assert app.data.example.options == ["(choose)", *labels]
    files = sorted(p for p in ASSETS.glob("*.csv") if read_csv(p).d == 1)
    assert len(files) >= 4  # the paper's example and the teaching sets
    labels = [path.stem.replace("_", " ") for path in files]
    for path, label in zip(files, labels, strict=True):
        app.data.example.value = label
        assert app.data.example.value == label and app.state.message == ""  # named
        data = read_csv(path)
        assert app.state.rows == [
            tuple(line.split(",")) for line in path.read_text().split()[1:]
        ]
        expected = solve([row[0] for row in data.x], list(data.y), "1/100", 2)
        assert same(app.state.result.minima, expected.minima), label


def test_the_example_chooser_names_the_examples_data_however_they_came(
    runner: SolveRunner,
) -> None:
    from explorer.views.data import DataView

    # A link with the step example's points written differently ("1.0" for "1", "1/2"
    # for "0.5"): the chooser names "step", not "(choose)".
    rows = [line.split(",") for line in (ASSETS / "step.csv").read_text().split()[1:]]
    texts = [",".join(str(Fraction(cell)) for cell in row) for row in rows]
    assert texts != [",".join(row) for row in rows]  # really written differently
    state = ExplorerState(runner=runner, autostart=False)
    state.apply_link({"data": ";".join(texts)})
    view = DataView(state)
    assert view.example.value == "step"
    # A changed point: none of the examples (the chooser offers to choose one).
    state.start()
    moved = list(state.rows)
    moved[0] = (moved[0][0], str(Fraction(moved[0][1]) + Fraction(1, 100)))
    assert state.edit(data=";".join(",".join(row) for row in moved))
    assert view.example.value == "(choose)"
    # Typed back to the paper's numbers: named again.
    typed = read_example(ASSETS / "paper_example.csv").replace("-1.00", "-1")
    assert state.edit(data=typed)
    assert view.example.value == "paper example"
    # Picking the example already shown changes nothing (the selection stays).
    state.select(2)
    view.example.value = "(choose)"
    view.example.value = "paper example"
    assert state.data == typed and state.selection == 2
    # Picking another one loads it.
    view.example.value = "v shape"
    assert state.data == read_example(ASSETS / "v_shape.csv")


def test_the_teaching_sets_are_small_and_described() -> None:
    for path in ASSETS.glob("*.csv"):
        assert path.name in (ASSETS / "README.md").read_text(), path.name
        if path.name == "paper_example.csv":
            continue
        data = read_csv(path)
        assert 3 <= len(data.y) <= 6, path.name
        assert data.d == (2 if path.stem.endswith("_2d") else 1), path.name


def test_only_dead_units_has_the_dead_network_as_its_only_minimum() -> None:
    data = read_csv(ASSETS / "only_dead_units.csv")
    for units in (1, 2):
        minima = solve([row[0] for row in data.x], list(data.y), "1/100", units).minima
        assert len(minima) == 1 and set("".join(minima[0].pattern)) == {"0"}


def test_the_surface_follows_the_selection(app: Any) -> None:
    # Until a slice is picked, the surface is the (c1, c2) slice through the selected
    # minimum, zoomed so that it is inside (an isolated minimum fell outside a curve's window).
    minima = app.state.result.minima
    assert app.surface.slice == "(c1, c2) through the selected minimum"
    for index, minimum in enumerate(minima):
        app.state.select(index)
        shown = app.surface.frame()
        kind = "curve" if minimum.kind == "curve" else "minimum"
        assert shown.title == f"Loss over (c1, c2) through {kind} #{index + 1}"
        c1, c2 = shown.ring["h"][0], shown.ring["v"][0]
        assert max(abs(c1), abs(c2)) < shown.radius
        assert (c1, c2) == tuple(minimum.point.c if minimum.kind == "isolated"
                                 else minimum.samples[len(minimum.samples) // 2].c)


def test_a_tap_in_the_surface_selects_the_minimum_there(app: Any) -> None:
    minima = app.state.result.minima
    curve = next(i for i, m in enumerate(minima) if m.kind == "curve")
    app.surface.slice = f"(c1, c2) through curve #{curve + 1}"
    middle = minima[curve].samples[len(minima[curve].samples) // 2]
    app.surface.select_at(middle.c[0] + 1e-3, middle.c[1] - 1e-3)
    assert app.state.selection == curve
    app.surface.slice = "unit 1: (b1, c1)"
    target = next(i for i, m in enumerate(minima) if m.kind == "isolated" and i != curve)
    point = minima[target].point
    app.surface.select_at(point.B[0][0], point.c[0])
    assert app.state.selection == target
    app.surface.select_at(100.0, 100.0)  # far from every minimum: nothing changes
    assert app.state.selection == target


def test_the_surface_colour_bar_names_no_slice_specific_number(app: Any, paper: Any) -> None:
    # Bokeh draws the colour bar's title once; a number in it would go stale.
    from bokeh.models import ColorBar

    from explorer.views.surface import surface_frame

    bars = [r for r in app.surface.figure.right if isinstance(r, ColorBar)]
    assert len(bars) == 1 and not any(ch.isdigit() for ch in bars[0].title)
    for option in app.surface.param.slice.objects:
        low, high = surface_frame(paper, option, 0).colour_range
        assert 0 < low < high
        app.surface.slice = option
        assert (app.surface.mapper.low, app.surface.mapper.high) == (low, high)


def test_the_empty_surface_has_a_valid_log_colour_range(app: Any) -> None:
    from explorer.views.surface import surface_frame

    low, high = surface_frame(None, None, None).colour_range
    assert 0 < low < high  # a flat image would get (v - 1, v + 1): negative on a log scale


def test_the_automatic_slice_comes_back_after_one_unit(app: Any) -> None:
    app.surface.chooser.get_root()  # rendered: the Select itself moves its value
    assert app.surface.slice == "(c1, c2) through the selected minimum"
    assert app.state.edit(units=1)
    assert app.surface.slice == "unit 1: (b1, c1)"
    assert app.state.edit(units=2)
    # not taken for the user's choice: it follows the selection again
    assert app.surface.slice == "(c1, c2) through the selected minimum"


def test_the_plane_always_draws_the_same_number_of_sector_polygons(app: Any, paper: Any) -> None:
    from explorer.views.plane import SECTOR_SLOTS, plane_columns, sector_polygons

    small = solve(["-0.6", "0.2", "0.9"], ["0.002", "-0.003", "0.002"], "1/100", 2)
    # the most points the state accepts: n lines through the origin cut the plane into
    # 2n sectors, which must all fit the fixed slots
    xs = [f"{k / 100}" for k in range(MAX_POINTS)]
    make_key(";".join(f"{x},0" for x in xs), "1/100", 1)  # accepted
    largest = solve(xs, ["0"] * MAX_POINTS, "1/100", 1)
    for result in (paper, small, largest, None):
        assert len(plane_columns(result)["sectors"]["xs"]) == SECTOR_SLOTS
    assert len(sector_polygons([float(x) for x in xs], 1.0)) == SECTOR_SLOTS


def test_every_three_unit_minimum_is_written_exactly(app: Any) -> None:
    # 3 units: most isolated minima have three coupled neurons, given by a proved box
    # (``minpoly`` null) instead of minimal polynomials; selecting one crashed the pane.
    assert app.state.edit(units=3)
    expected = solve(PAPER_X, PAPER_Y, "1/100", 3)
    minima = app.state.result.minima
    assert same(minima, expected.minima)
    boxes = [i for i, m in enumerate(minima) if m.kind == "isolated"
             and any(r["minpoly"] is None for r in m.exact.to_json()["s"])]
    assert len(boxes) >= 10
    for index, minimum in enumerate(minima):
        app.minima.table.selection = [index]
        assert app.state.selected_index == index
        text = app.minima.exact.object
        assert text.startswith(f"Minimum {index + 1}: {minimum.kind}, loss ≈ {minimum.loss:.10g}.")
        if index in boxes:
            assert "Krawczyk" in text
            for root in minimum.exact.to_json()["s"]:
                low = Fraction(root["interval"][0])
                # short endpoints typeset in place, long ones named R_k and listed exactly
                assert (f"\\frac{{{low.numerator}}}{{{low.denominator}}}" in text
                        or f"<code>{low.numerator}/{low.denominator}</code>" in text)


def test_three_units_from_cache_say_three_units(state: ExplorerState) -> None:
    # the issue: with the 3-unit result cached the status kept saying "2 units · from cache"
    assert state.edit(units=3)
    assert " · 3 units · " in state.status and not state.solving
    assert state.edit(units=2) and state.edit(units=3)
    assert state.status.endswith(" · 3 units · from cache")
    expected = solve(PAPER_X, PAPER_Y, "1/100", 3)
    assert state.status.startswith(f"{len(expected.minima)} minima")
    assert state.link_query() == {"units": "3"}


# ---------------------------------------------------------------- the page's link
class FakeLocation:
    """What :func:`explorer.app.sync_location` uses of ``pn.state.location``."""

    def __init__(self, search: str) -> None:
        self.search = search
        self.history = [search]

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "search" and hasattr(self, "history"):
            self.history.append(value)


def linked(runner: SolveRunner, search: str) -> tuple[ExplorerState, FakeLocation]:
    from explorer.app import sync_location

    state = ExplorerState(runner=runner, autostart=False)
    location = FakeLocation(search)
    sync_location(state, location)
    state.start()
    return state, location


def test_a_link_gives_exact_strings_and_its_selection(runner: SolveRunner) -> None:
    state, location = linked(runner, "?lam=1/20&units=1&sel=1&data=0,1;1/3,-2;1,0.5")
    assert (state.data, state.lam, state.units) == ("0,1;1/3,-2;1,0.5", "1/20", 1)
    expected = solve(["0", "1/3", "1"], ["1", "-2", "0.5"], "1/20", 1)
    assert same(state.result.minima, expected.minima) and len(expected.minima) > 1
    assert state.selection == 1 and state.message == ""
    assert location.history == [location.search]  # the good link is left as it is


@pytest.mark.parametrize(("search", "said"), [
    ("?units=7", "the dashboard offers 1 to 4 units, got 7"),
    ("?lam=-1", "lambda must be positive, got -1. "),  # as typed, not "-1.0"
    ("?lam=1e400", "lambda must be between 1e-6 and 1e6, got '1e400'"),
    ("?data=0,1", "need at least 2 data points, got 1"),
    ("?sel=two", "sel must be a row number, got 'two'"),
    ("?units=2.5", "units"),
])
def test_a_bad_link_is_refused_and_replaced_by_the_last_good_state(
        runner: SolveRunner, search: str, said: str) -> None:
    state, location = linked(runner, search)
    assert said in state.message and state.message.startswith("Refused the link: ")
    assert state.message.endswith("Showing the paper's example.") and state.refused == "link"
    assert (state.data, state.lam, state.units) == (DEFAULT_DATA, "1/100", 2)
    assert same(state.result.minima, solve(PAPER_X, PAPER_Y, "1/100", 2).minima)
    assert location.search == ""  # the address bar shows the example's (bare) link


def test_the_link_follows_what_is_shown_not_what_was_refused(runner: SolveRunner) -> None:
    state, location = linked(runner, "")
    assert state.edit(lam="1/20")
    state.select(2)
    assert location.search == "?lam=1/20&sel=2"
    assert not state.edit(data="0,1;0,2")  # refused: the link stays
    assert location.search == "?lam=1/20&sel=2" and state.refused == "data"
    state.select(-1)
    assert location.search == "?lam=1/20"  # no "sel=-1"
    assert state.edit(lam="1/100")
    assert location.search == ""


def test_a_refusal_names_the_input_it_concerns(state: ExplorerState) -> None:
    assert not state.edit(data="0,1;0,2") and state.refused == "data"
    assert not state.edit(lam="-1") and state.refused == "lam"
    assert state.edit(lam="1/20") and state.refused == "" and state.message == ""
    assert not state.edit(units=5) and state.refused == "units"


def test_the_progress_line_has_an_eta_as_on_the_command_line(state: ExplorerState) -> None:
    # a running solve half done after 2 s: 2 s left (the CLI's own progress line)
    fake = SimpleNamespace(drain=lambda: None, progress=lambda job: (50, 100))
    state.runner, state._job = fake, object()
    state._started = time.monotonic() - 2.0
    state.poll_progress()
    assert state.progress == 0.5
    assert state.progress_text == "faces 50/100 (50%), ETA 2s"


def test_a_typed_lambda_outside_the_slider_moves_the_slider_there(app: Any) -> None:
    # the issue: typing λ = 1e5 left the slider at 1.00
    app.controls.lam_text.value = "1e5"
    assert app.state.result.lam == Fraction(10**5)
    slider = app.controls.slider
    assert (slider.start, slider.end) == (-4.0, 5.0) and slider.value == pytest.approx(5.0)
    app.controls.lam_text.value = "1/100"
    assert (slider.start, slider.end) == (-4.0, 0.0) and slider.value == pytest.approx(-2.0)


def test_a_refused_data_edit_is_said_next_to_the_data(app: Any) -> None:
    assert not app.state.edit(data="0,1;0,2")
    assert app.controls.data_alert.visible and "same x" in app.controls.data_alert.object
    assert not app.controls.alert.visible
    assert not app.state.edit(lam="abc")
    assert app.controls.alert.visible and "'abc'" in app.controls.alert.object
    assert not app.controls.data_alert.visible


def test_long_coefficients_are_named_and_listed_exactly(app: Any) -> None:
    # The exact form names every long rational R1, R2, ... (so that its lines wrap) and
    # lists their exact values in a collapsible block; the certificate is explained.
    from explorer.views.minima import minimum_latex

    for index, minimum in enumerate(app.state.result.minima):
        text = minimum_latex(index, minimum)
        maths = "".join(text.split("<details>")[0].split("$")[1::2])
        assert not re.search(r"\d{20}", maths), index  # no 20-digit number in a formula
        if minimum.kind == "isolated":
            for root in minimum.exact.to_json()["s"]:
                assert Fraction(root["interval"][0]) <= Fraction(root["interval"][1])
                assert "R_{1}" in text and "<details>" in text
                for value in root["interval"]:
                    q = Fraction(value)
                    assert (f"<code>{q.numerator}/{q.denominator}</code>" in text
                            or f"\\frac{{{q.numerator}}}{{{q.denominator}}}" in text)
    app.minima.table.selection = [0]
    assert "no small change of the weights lowers the loss" in app.minima.checks.object


def test_line_labels_of_close_lines_do_not_overlap() -> None:
    from explorer.views.plane import label_positions, label_radii

    xs = [k / 10 for k in range(-6, 7)]  # 13 points: many lines at nearly equal angles
    radii = label_radii(xs)
    spots = [(b * r, c * r) for (b, c), r in zip(label_positions(xs, 1.0), radii, strict=True)]
    gaps = [math.dist(p, q) for i, p in enumerate(spots) for q in spots[i + 1:]]
    assert min(gaps) > 0.12  # a label is about 0.1 of the radius wide

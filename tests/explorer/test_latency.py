"""What an edit sends to the page (issue 15, redraw latency), without a browser: a quick
solve shows no progress, a new data set's λ path waits for its current-λ solve, and the
data table sends only the cells that changed.

Expected values are written by hand from the behaviour asked for, never read from the
dashboard's own output.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import panel as pn
import pytest

from explorer.path_worker import path_key
from explorer.problem import format_data, parse_data
from explorer.runner import SolveJob, SolveRunner
from explorer.state import ExplorerState
from explorer.views import show_table
from explorer.views.controls import ControlsView
from explorer.views.lampath import PathModel
from explorer.views.minima import MinimaView
from explorer.views.solving import SolvingDisplay


class Clock:
    """A hand-moved clock and a scheduler that keeps what it was asked to run."""

    def __init__(self) -> None:
        self.now = 100.0
        self.pending: list[tuple[float, Any]] = []

    def __call__(self) -> float:
        return self.now

    def schedule(self, seconds: float, callback: Any) -> bool:
        self.pending.append((self.now + seconds, callback))
        return True

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [cb for t, cb in self.pending if t <= self.now]
        self.pending = [(t, cb) for t, cb in self.pending if t > self.now]
        for callback in due:
            callback()


def test_a_solve_is_shown_as_running_only_after_the_delay() -> None:
    clock, refreshed = Clock(), []
    display = SolvingDisplay(lambda: refreshed.append(clock.now), delay=0.3,
                             schedule=clock.schedule, clock=clock)
    assert display.update(solving=True) is False  # just started
    clock.advance(0.1)
    assert display.update(solving=True) is False and refreshed == []
    clock.advance(0.25)  # 0.35 s after the start: the scheduled refresh ran
    assert refreshed == [pytest.approx(100.35)]
    assert display.update(solving=True) is True


def test_a_solve_over_before_the_delay_is_never_shown() -> None:
    clock, refreshed = Clock(), []
    display = SolvingDisplay(lambda: refreshed.append(1), delay=0.3,
                             schedule=clock.schedule, clock=clock)
    display.update(solving=True)
    clock.advance(0.1)
    assert display.update(solving=False) is False  # the result came
    clock.advance(1.0)  # the scheduled check finds nothing running
    assert refreshed == []


def test_an_earlier_solves_late_check_does_not_show_a_newer_one_early() -> None:
    clock, refreshed = Clock(), []
    display = SolvingDisplay(lambda: refreshed.append(clock.now), delay=0.3,
                             schedule=clock.schedule, clock=clock)
    display.update(solving=True)
    clock.advance(0.2)
    display.update(solving=False)  # done in 0.2 s
    display.update(solving=True)  # the next edit's solve, at 100.2
    clock.advance(0.15)  # the first solve's check (due at 100.3) finds another solve
    assert refreshed == [] and display.update(solving=True) is False
    clock.advance(0.2)  # 0.35 s into the second solve
    assert refreshed == [pytest.approx(100.55)] and display.update(solving=True) is True


def test_without_a_scheduler_a_solve_is_shown_at_once() -> None:
    display = SolvingDisplay(lambda: None, delay=0.3, schedule=lambda s, cb: False)
    assert display.update(solving=True) is True


@pytest.fixture
def state() -> ExplorerState:
    return ExplorerState(runner=SolveRunner(processes=False))


def test_the_controls_keep_the_last_result_line_during_a_quick_solve(
        state: ExplorerState) -> None:
    controls = ControlsView(state)
    clock = Clock()
    controls.solving_display = SolvingDisplay(controls._on_status, delay=0.3,
                                              schedule=clock.schedule, clock=clock)
    shown = state.status
    assert shown.startswith("9 minima")  # the paper's example (section 4 of the paper)
    state.param.update(solving=True, status="Solving… (n = 5, d = 1, 2 units)")
    state.param.update(progress=0.4, progress_text="faces 4/10 (40%), ETA 1s")
    assert controls.status.object == shown
    assert not controls.progress.visible and not controls.eta.visible
    clock.advance(0.3)  # still running: now it is shown, with its progress
    assert controls.status.object == "Solving… (n = 5, d = 1, 2 units)"
    assert controls.progress.visible and controls.progress.value == 40
    assert controls.eta.visible and controls.eta.object == "faces 4/10 (40%), ETA 1s"
    state.param.update(solving=False, progress=None, progress_text="", status="done")
    assert controls.status.object == "done" and not controls.progress.visible


@pytest.fixture(scope="module")
def paths() -> SolveRunner:
    return SolveRunner(processes=False, job=path_key, max_seconds=60)


def test_a_new_data_sets_path_waits_for_its_current_lambda_solve(
        state: ExplorerState, paths: SolveRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    model = PathModel(state, paths)
    model.refresh()
    first = model.path
    running = SolveJob(10_000, model.key())  # a path still under way (never resolved)
    model._job = running
    cancelled: list[SolveJob] = []
    monkeypatch.setattr(paths, "cancel", cancelled.append)
    rows = parse_data(state.data)
    rows[1] = ("0.44", "0.9")
    new = format_data(rows)
    # the edit's current-λ solve is running (set as the state's pool would while it runs)
    state._quiet = True
    state.param.update(solving=True, data=new)
    state._quiet = False
    assert cancelled == [running]  # the old path stops at once
    assert model.waiting and model.path is first and model.computing
    assert model.progress is None and "once the current solve is over" in model.status
    state.solving = False  # its result is shown: now the path starts
    assert not model.waiting
    assert model.key().y[1] == pytest.approx(0.9) or str(model.key().y[1]) == "9/10"
    assert model.path is not first and model.path is paths.lookup(model.key()).solution


def test_a_path_waits_for_nothing_when_no_solve_runs(state: ExplorerState,
                                                      paths: SolveRunner) -> None:
    model = PathModel(state, paths)
    assert state.edit(units=1)  # in process: solved before the path is asked for
    assert not model.waiting and model.path is not None and model.path.units == 1


def test_the_data_table_sends_only_changed_cells() -> None:
    table = pn.widgets.Tabulator(pd.DataFrame({"point": ["x1", "x2"], "x": ["0", "1/2"],
                                               "y": ["1", "2"]}))
    sent: list[Any] = []
    table.param.watch(lambda e: sent.append(("value", e.new)), "value")
    patched: list[Any] = []
    original = table.patch
    table.patch = lambda value, **kw: (patched.append(value), original(value, **kw))
    show_table(table, pd.DataFrame({"point": ["x1", "x2"], "x": ["0", "1/2"],
                                    "y": ["1", "0.9"]}))
    assert patched == [{"y": [(1, "0.9")]}] and sent == []
    assert list(table.value["y"]) == ["1", "0.9"]
    show_table(table, table.value.copy())  # nothing changed: nothing sent
    assert len(patched) == 1 and sent == []
    show_table(table, pd.DataFrame({"point": ["x1"], "x": ["0"], "y": ["1"]}))
    assert len(sent) == 1 and list(table.value["x"]) == ["0"]  # a row less: the whole frame


def test_the_surface_hover_gives_the_loss_from_one_image() -> None:
    """The page adds ``offset`` to the image's float32 value (LOSS_JS); that must be the
    loss with ``a`` at its optimum, here recomputed by least squares over ``a``."""
    import numpy as np

    from explorer.views.surface import LOSS_JS, surface_frame
    from solver import solve

    xs, ys = ["-0.17", "0.44", "-1.00", "-0.40", "-0.71"], ["0.05", "1.02", "0.61", "-0.36",
                                                             "-1.32"]
    result = solve(xs, ys, "1/100", 2)
    selected = 0
    frame = surface_frame(result, "unit 1: (b1, c1)", selected)
    columns = frame.image_columns()
    assert set(columns) == {"image", "offset", "x", "y", "dw", "dh"}  # no second image
    assert "source.data.offset[0]" in LOSS_JS and "value +" in LOSS_JS
    image, offset = columns["image"][0], columns["offset"][0]
    axis = np.linspace(-frame.radius, frame.radius, image.shape[0])
    x, y, lam = np.array([float(v) for v in xs]), np.array([float(v) for v in ys]), 0.01
    point = result.minima[selected].point if result.minima[selected].kind != "curve" else None
    if point is None:
        from explorer.views.geometry import representative
        point = representative(result.minima[selected])
    B, c = np.array(point.B, float)[:, 0], np.array(point.c, float)
    for row, col in ((0, 0), (70, 35), (139, 100)):
        b_now, c_now = B.copy(), c.copy()
        b_now[0], c_now[0] = axis[col], axis[row]  # image rows are c, columns b
        features = np.maximum(np.outer(x, b_now) + c_now, 0.0)  # n x L
        # min over a of |y - F a|^2 + lam |a|^2 + lam (|b|^2 + |c|^2): ridge regression
        a = np.linalg.solve(features.T @ features + lam * np.eye(2), features.T @ y)
        loss = (np.sum((y - features @ a) ** 2) + lam * (a @ a + b_now @ b_now + c_now @ c_now))
        assert float(image[row, col]) + offset == pytest.approx(loss, rel=1e-6, abs=1e-7)


def test_the_minima_table_sends_only_changed_cells(state: ExplorerState) -> None:
    """A new result with as many minima: the table is patched (its kind, orbit, pattern
    and certificate columns, the same at λ = 1/100 and 11/1000, are not sent again)."""
    from solver import solve

    view = MinimaView(state)
    sent: list[Any] = []
    view.table.param.watch(lambda e: sent.append(e.new), "value")
    patched: list[Any] = []
    original = view.table.patch
    view.table.patch = lambda value, **kw: (patched.append(value), original(value, **kw))
    assert state.edit(lam="11/1000")
    truth = solve([x for x, _ in state.rows], [y for _, y in state.rows], "11/1000", 2)
    assert len(truth.minima) == len(state.result.minima) == 9 and sent == []
    assert len(patched) == 1 and "loss" in patched[0] and "kind" not in patched[0]
    assert list(view.table.value["loss"]) == [f"{m.loss:.10g}" for m in truth.minima]

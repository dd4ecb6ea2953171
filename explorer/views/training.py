"""The Training view: many gradient-descent runs against the certified minima, and one
run animated step by step.

* **Train N runs** with an optimiser, learning rate, initialisation and step budget: the
  runs go to a worker process (:mod:`explorer.training`) with progress; a newer edit of the
  problem (or a newer request) cancels them. The result is the basin table as bars (tap a
  minimum's bar to select it everywhere), one sentence on how many reached the global
  minimum, a sample of trajectories on the (b, c) plane ending on the rings of their minima,
  and the runs that reached the selected minimum on its loss-surface slice.
* **One run** (or a tap on the plane: unit 1 starts there): the run is computed in the
  worker, then played in the browser (play, pause, speed) — f(x) here and dashed in the Data
  view (:func:`explorer.views.data.run_overlay`), the units' markers on the plane and the
  loss move together.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> from explorer.state import ExplorerState
>>> from explorer.training import train_job
>>> state = ExplorerState(runner=SolveRunner(processes=False))
>>> view = TrainingView(state, runner=SolveRunner(processes=False, job=train_job))
>>> view.runs.value = 30; view.steps.value = 1500
>>> view.train()
>>> sum(view.src["bars"].data["runs"])
30
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import numpy as np
import panel as pn
import param
from bokeh.events import Tap

from explorer.problem import make_key
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from explorer.training import TrainRequest, TrainResult, get_training_runner
from explorer.views import caption, redraw
from explorer.views.geometry import plane_radius
from explorer.views.training_plots import (
    bar_data,
    bar_figure,
    line_data,
    plane_figure,
    ring_data,
    sources,
    surface_data,
    surface_figure,
    trajectory_data,
)
from explorer.views.training_run import RunPlayer
from solver.errors import SolverInputError
from solver.train.init import INITS
from solver.train.loop import OPTIMIZERS

LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1]
NOT_DRAWN = ("The Training view draws data with one or two inputs only. Train from the "
             "command line: `python -m solver train DATA.csv --lam 1/100 --units 2`.")
# Short enough for the plot's width down to 1200 px wide pages (the tap hint and what the
# rings are is in the caption).
PLANE_TITLES = {1: ("Runs in the (b, c) plane, ending on their minima (rings)", "b", "c"),
                2: ("Runs: each unit's (b1, b2), ending on the minima (rings)", "b1", "b2")}


class TrainingView(pn.viewable.Viewer):
    """Train runs on the session's problem and show where they ended."""

    state = param.ClassSelector(class_=ExplorerState)
    status = param.String(default="Train runs on the current problem to see their basins.")
    shown = param.Boolean(default=True, doc="""
        Whether the view is on screen (its card open). Hidden, a new result or selection
        redraws nothing (no surface computed or sent); showing it again catches up.""")

    def __init__(self, state: ExplorerState, runner: SolveRunner | None = None,
                 **params: Any) -> None:
        super().__init__(state=state, **params)
        self.runner = runner or get_training_runner(state.runner.processes)
        self.optimizer = pn.widgets.Select(label="optimiser", options=list(OPTIMIZERS),
                                           value="gd", width=110)
        self.lr = pn.widgets.Select(label="learning rate", options=LEARNING_RATES, value=0.01,
                                    width=110)
        self.init = pn.widgets.Select(label="init", options=list(INITS), value="torch-default",
                                      width=130)
        self.runs = pn.widgets.IntInput(label="runs", value=300, start=1, end=5000, width=90)
        self.steps = pn.widgets.IntInput(label="steps", value=20000, start=10, end=100000,
                                         step=1000, width=100)
        self.seed = pn.widgets.IntInput(label="seed", value=0, start=0, width=80)
        self.train_button = pn.widgets.Button(label="Train N runs", color="primary")
        self.one_button = pn.widgets.Button(label="One run")
        self.progress = pn.indicators.Progress(value=0, max=100, visible=False, width=200)
        self.unit = pn.widgets.Select(label="slice: unit", options=[1, 2], value=1, width=90)
        self.src = sources()
        self.run = RunPlayer(state, self.src)
        self.sentence = pn.pane.Markdown("", sizing_mode="stretch_width")
        # The run's figures, attributes here too: the layout names their PNG downloads.
        self.fx, self.fx2, self.loss_curve = self.run.fx, self.run.fx2, self.run.loss_curve
        self.bars = bar_figure(self.src)
        self.plane = plane_figure(self.src)
        self.surface = surface_figure(self.src)
        self.surface_column = pn.Column(
            self.unit, pn.pane.Bokeh(self.surface, sizing_mode="stretch_width"),
            sizing_mode="stretch_width")
        self._job: Any = None
        self._latest = 0
        self._one_runs = 0  # "One run" takes the seed's runs 0, 1, 2, ... in turn
        self._result: TrainResult | None = None
        self.train_button.on_click(lambda event: self.train())
        self.one_button.on_click(lambda event: self.one_run())
        self.unit.param.watch(lambda event: redraw(self._draw_surface), "value")
        self.src["bars"].selected.on_change("indices", self._on_bar)
        self.plane.on_event(Tap, self._on_plane_tap)
        self._closed = False
        self._stale = False  # a result or selection came while hidden
        self.param.watch(self._on_shown, "shown")
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.on_session_destroyed(self._on_session_destroyed)
        state.param.watch(self._on_problem, ["data", "lam", "units"])
        state.param.watch(lambda event: redraw(self._on_result), "result")
        state.param.watch(lambda event: redraw(self._draw_surface), "selection")
        self._on_result()

    # ------------------------------------------------------------------ layout
    def __panel__(self) -> pn.viewable.Viewable:
        controls = pn.FlexBox(self.optimizer, self.lr, self.init, self.runs, self.steps,
                              self.seed, pn.Column(self.train_button, self.one_button),
                              self.progress, flex_wrap="wrap", sizing_mode="stretch_width")
        status = pn.pane.Markdown(self.param.status, sizing_mode="stretch_width")
        return pn.Column(
            controls, status,
            pn.Row(pn.Column(pn.pane.Bokeh(self.bars, sizing_mode="stretch_width"),
                             self.sentence, sizing_mode="stretch_width"),
                   pn.pane.Bokeh(self.plane, sizing_mode="stretch_width"),
                   sizing_mode="stretch_width"),
            pn.Row(self.surface_column, self.run.panel(), sizing_mode="stretch_width"),
            caption("Bars: share of runs per outcome with its 95% interval (tap a minimum's "
                    "bar to select it). Trajectories: a sample of the runs, coloured by the "
                    "minimum they reached (grey: stuck or not converged); rings: every "
                    "minimum's units, where its runs end. ReLU'(0) = 0, as in "
                    "the frameworks. One run / tap the plane, then play: f(x) moves here and, "
                    "dashed, in the Data view. Two inputs: each unit is drawn at its input "
                    "weights (b1, b2), and the run's f(x1, x2) moves here with its units' kink "
                    "lines (no loss slice)."),
            sizing_mode="stretch_width",
        )

    # --------------------------------------------------------------- requests
    def _request(self, one: bool, start: tuple[float, ...] | None = None) -> TrainRequest | None:
        """The request for the current problem and widgets, or None (with a status)."""
        state = self.state
        if not self._drawable():
            self.status = NOT_DRAWN
            return None
        try:
            problem = make_key(state.data, state.lam, state.units)
        except SolverInputError as exc:
            self.status = f"Cannot train: {exc}"
            return None
        first = 0
        if one and start is None:
            first = self._one_runs
            self._one_runs += 1
        return TrainRequest(problem, self.optimizer.value, float(self.lr.value),
                            self.init.value, 1 if one else int(self.runs.value),
                            int(self.steps.value), int(self.seed.value), start=start, one=one,
                            first=first)

    def train(self) -> None:
        """Train ``runs`` runs (superseding any training under way)."""
        request = self._request(one=False)
        if request is not None:
            self._submit(request, f"Training {request.runs} runs × {request.steps} steps…")

    def one_run(self, start: tuple[float, ...] | None = None) -> None:
        """One run from ``start`` (each unit's ``a, b_1 .. b_d, c``, flattened) or from the
        init."""
        request = self._request(one=True, start=start)
        if request is not None:
            self._submit(request, "Computing one run…")

    def _submit(self, request: TrainRequest, text: str) -> None:
        """Send ``request`` to the runner; a newer one supersedes it."""
        self._cancel()
        self._latest += 1
        ticket = self._latest
        cached = self.runner.lookup(request)
        if cached is not None:
            self._apply(ticket, cached)
            return
        job = self.runner.submit(request)
        if job.future.done():
            self._apply(ticket, job.future.result())
            return
        self._job = job
        self.status = text
        self.progress.param.update(value=0, visible=True)
        param.parameterized.async_executor(partial(self._await, ticket, job))

    async def _await(self, ticket: int, job: Any) -> None:
        """Wait for ``job`` off the event loop, reporting its progress."""
        while not job.future.done():
            self.runner.drain()
            reported = self.runner.progress(job)
            if reported is not None and reported[1] > 0 and ticket == self._latest:
                self.progress.value = int(100 * reported[0] / reported[1])
            await asyncio.sleep(0.25)
        outcome = await asyncio.wrap_future(job.future)
        redraw(partial(self._apply, ticket, outcome))

    def _cancel(self) -> None:
        """Cancel the job under way, if any."""
        if self._job is not None:
            self.runner.cancel(self._job)
            self._job = None
        self.progress.visible = False

    def _on_session_destroyed(self, context: Any) -> None:
        """The page was closed (its models are cleared): cancel, draw nothing more."""
        self._closed = True
        self._latest += 1
        if self._job is not None:
            self.runner.cancel(self._job)
            self._job = None

    def _apply(self, ticket: int, outcome: Any) -> None:
        """Show a finished request unless a newer one overtook it."""
        if self._closed or ticket != self._latest or outcome.kind == "cancelled":
            return
        self._job = None
        self.progress.visible = False
        if outcome.kind != "ok":
            self.status = f"Training refused: {outcome.message}"
            return
        result: TrainResult = outcome.solution
        if result.request.problem != self._problem():
            return  # trained on a problem that is no longer shown
        suffix = (" — DISCREPANCY: " + "; ".join(result.discrepancies[:3])
                  if result.discrepancies else "")
        if result.request.one:
            self.run.show(result)
            self.status = f"One run computed in {result.seconds:.1f} s: press play.{suffix}"
        else:
            self._result = result
            self._show_many(result)
            r = result.request
            self.status = (f"{r.runs} runs × {r.steps} steps ({r.optimizer}, lr {r.lr:g}, "
                           f"{r.init}) in {result.seconds:.1f} s.{suffix}")

    def _problem(self) -> Any:
        """The problem shown now (None when the state's problem is invalid)."""
        try:
            return make_key(self.state.data, self.state.lam, self.state.units)
        except SolverInputError:
            return None

    # ------------------------------------------------------------------ drawing
    def _show_many(self, result: TrainResult) -> None:
        """The basin bars, the sentence, the sampled trajectories, the surface."""
        state_result = self.state.result
        self.src["bars"].selected.indices = []
        data = bar_data(result.basins, state_result)
        self.bars.x_range.factors = data["label"]
        self.bars.y_range.end = min(100.0, max(data["hi"], default=10.0) + 5)
        self.src["bars"].data = data
        self.sentence.object = result.sentence
        traj, ends = trajectory_data(result.sample, state_result)
        self.src["traj"].data, self.src["ends"].data = traj, ends
        self._draw_surface()

    def _drawable(self) -> bool:
        """Whether the data have one or two inputs (the view draws those)."""
        return self.state.d in (1, 2)

    def _on_shown(self, event: Any) -> None:
        """Shown again: draw what changed meanwhile."""
        if event.new and self._stale:
            redraw(self._on_result)

    def _hidden(self) -> bool:
        """Whether to skip drawing now (closed page, or hidden: then catch up when shown)."""
        if not self.shown:
            self._stale = True
        return self._closed or not self.shown

    def _draw_surface(self) -> None:
        """The selected minimum's slice with the runs that reached it."""
        if self._hidden() or not self._drawable():
            return
        if self.state.d != 1:  # no loss slice for two inputs
            self.src["image"].data = {"image": [], "x": [], "y": [], "dw": [], "dh": []}
            self.src["surface_paths"].data = {"xs": [], "ys": []}
            self.src["surface_ring"].data = {"b": [], "c": []}
            return
        result = self.state.result
        orbit_of = {i: m.orbit for i, m in enumerate(result.minima)} if result else {}
        sample = self._result.sample if self._result is not None else None
        image, paths, ring = surface_data(result, self.state.selected_index,
                                          int(self.unit.value) - 1, sample, orbit_of)
        self.src["image"].data = image
        self.src["surface_paths"].data = paths
        self.src["surface_ring"].data = ring
        if image["x"]:
            radius = -image["x"][0]
            self.surface.x_range.update(start=-radius, end=radius)
            self.surface.y_range.update(start=-radius, end=radius)

    def _on_result(self) -> None:
        """A new solution: redraw the problem's geometry, drop results of another problem."""
        if self._hidden():
            return
        self._stale = False
        result = self.state.result
        drawable = self._drawable()
        self.train_button.disabled = self.one_button.disabled = not drawable
        if not drawable:
            empty = sources()
            for name in ("rings", "lines", "points", "image", "surface_ring", "points2"):
                self.src[name].data = dict(empty[name].data)
            self._clear(NOT_DRAWN)
            return
        if self.status == NOT_DRAWN:
            self.status = "Train runs on the current problem to see their basins."
        d = self.state.d
        self.src["rings"].data = ring_data(result)
        self.src["lines"].data = line_data(result)
        self.run.draw_data(d)
        self.surface_column.visible = d == 1
        radius = plane_radius(result.minima if result is not None else [])
        wide = 1.6 if d == 1 else 1.0
        self.plane.x_range.update(start=-wide * radius, end=wide * radius)
        self.plane.y_range.update(start=-radius, end=radius)
        title, h, v = PLANE_TITLES[d]
        self.plane.title.text = title
        self.plane.xaxis.axis_label, self.plane.yaxis.axis_label = h, v
        units = result.units if result is not None else 1
        self.unit.options = list(range(1, units + 1))
        if self._result is not None and self._result.request.problem != self._problem():
            self._clear("The problem changed: train again.")
        self._draw_surface()

    def _on_problem(self, *events: Any) -> None:
        """An edit of the data, λ or units: cancel the training under way."""
        if self._job is not None:
            self._cancel()
            self._latest += 1
            self.status = "Training cancelled: the problem changed. Train again."
        redraw(self.run.clear)  # (Bokeh models change under the document's lock)

    def _clear(self, text: str) -> None:
        """Remove every training result from the plots."""
        self._result = None
        empty = sources()
        for name in ("bars", "traj", "ends", "surface_paths"):
            self.src[name].data = dict(empty[name].data)
        self.bars.x_range.factors = []
        self.sentence.object = ""
        self.run.clear()
        self.status = text

    # ------------------------------------------------------------------ events
    def _on_bar(self, attr: str, old: list[int], new: list[int]) -> None:
        """A tapped bar: select its minimum everywhere."""
        if not new:
            return
        index = self.src["bars"].data["minimum"][new[0]]
        if index >= 0:
            self.state.select(int(index))

    def _on_plane_tap(self, event: Any) -> None:
        """A tap on the plane: one run with unit 1 starting at the tapped point (its (b, c),
        or its (b1, b2) for two inputs), the other units from the init (with the seed)."""
        from solver.train.init import initial_params

        result = self.state.result
        if result is None or event.x is None or event.y is None or not self._drawable():
            return
        L, d = result.units, self.state.d
        p = initial_params(self.init.value, 1, L, d, int(self.seed.value))
        a, B, c = p.a[0].copy(), p.B[0].copy(), p.c[0].copy()
        if d == 1:
            B[0, 0], c[0] = float(event.x), float(event.y)
        else:
            B[0] = (float(event.x), float(event.y))
        if a[0] == 0:
            a[0] = 1.0 / np.sqrt(L)
        self.one_run(tuple(float(v) for l in range(L) for v in (a[l], *B[l], c[l])))


"""The Training view's one animated run: the player, the run's f(x) (in its own figure and,
dashed, in the Data view), the units' markers and the loss dot.

The run is computed in a worker; :meth:`RunPlayer.show` sends all its frames to the browser
at once and the player's JavaScript callback (:data:`~explorer.views.training_plots.ANIMATE_JS`)
moves everything there, at the player's rate whatever the server is doing. The figures also
hold the problem's data (:meth:`RunPlayer.draw_data`), in the figure of their dimension.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> from explorer.state import ExplorerState
>>> from explorer.views.training_plots import sources
>>> state = ExplorerState(runner=SolveRunner(processes=False))
>>> run = RunPlayer(state, sources())
>>> run.draw_data(1); len(run.src["points"].data["x"]) == len(state.rows)
True
>>> run.player.end, run.player.value
(1, 0)
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource

from explorer.state import ExplorerState
from explorer.views.data import fit_grid, run_overlay
from explorer.views.training2d import (
    color_scale,
    heat_data,
    input_box,
    kink_data,
    point_data,
    run_figure2,
)
from explorer.views.training_plots import ANIMATE_JS, animation_data, animation_figures, sources

FRAME_MS = 40  # the player's interval: 25 frames per second
SPEEDS = {"×1": 1, "×4": 4, "×16": 16}
# The sources the animated run fills (and a new problem empties).
RUN_SOURCES = ("frames", "markers", "dot", "curve", "heat", "kinks")


class RunPlayer:
    """The animated run's widgets and figures, on the Training view's shared sources."""

    def __init__(self, state: ExplorerState, src: dict[str, ColumnDataSource]) -> None:
        self.state, self.src = state, src
        self.speed = pn.widgets.Select(label="speed", options=list(SPEEDS), value="×1", width=80)
        self.player = pn.widgets.Player(start=0, end=1, value=0, interval=FRAME_MS,
                                        loop_policy="once", show_loop_controls=False,
                                        width=330, label="animated run")
        self.overlay = run_overlay(state)  # the run's f(x) in the Data view
        self.player.jscallback(args={**{k: src[k] for k in
                                        ("frames", "markers", "curve", "dot", "units", "heat",
                                         "kinks")},
                                     "overlay": self.overlay.source,
                                     "label": self.overlay.label},
                               value=ANIMATE_JS)
        steps_js = f"target.step = {json.dumps(SPEEDS)}[source.value]"
        self.speed.jslink(self.player, code={"value": steps_js})
        self.run_text = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.fx, self.loss_curve = animation_figures(src)
        self.fx2, self.mapper2 = run_figure2(src)
        # (in Columns: panel 1.9's Bokeh pane does not always take visible = True)
        self.fx_pane = pn.Column(pn.pane.Bokeh(self.fx, sizing_mode="stretch_width"),
                                 sizing_mode="stretch_width")
        self.fx2_pane = pn.Column(pn.pane.Bokeh(self.fx2),  # its square frame: not stretched
                                  sizing_mode="stretch_width", visible=False)

    def panel(self) -> pn.Column:
        """The player, the run's sentence and its figures."""
        return pn.Column(pn.FlexBox(self.player, self.speed, flex_wrap="wrap"),
                         self.run_text, self.fx_pane, self.fx2_pane,
                         pn.pane.Bokeh(self.loss_curve, sizing_mode="stretch_width"),
                         sizing_mode="stretch_width")

    def show(self, result: Any) -> None:
        """Load the animated run of ``result`` (a one-run TrainResult) at its first frame."""
        src = self.src
        frames = animation_data(result.sample)
        problem = result.request.problem
        L = problem.units
        src["units"].data = {**src["units"].data, "n": [L]}
        src["frames"].data = frames
        self.player.param.update(end=max(1, len(frames["step"]) - 1), value=0)
        self.run_text.object = result.sentence
        first = {k: v[:1] for k, v in frames.items()}
        vertical = "e" if problem.d == 2 else "c"
        src["markers"].data = {"b": [first[f"b{l}"][0] for l in range(L)],
                               "c": [first[f"{vertical}{l}"][0] for l in range(L)]}
        src["dot"].data = {"step": first["step"], "loss": first["loss"]}
        losses = [v for v in frames["loss"] if v > 0] or [1.0]
        self.loss_curve.x_range.update(start=0, end=max(1, frames["step"][-1]))
        self.loss_curve.y_range.update(start=0.8 * min(losses), end=1.25 * max(losses))
        if problem.d == 2:
            net = ([first[f"a{l}"][0] for l in range(L)],
                   [[first[f"b{l}"][0], first[f"e{l}"][0]] for l in range(L)],
                   [first[f"c{l}"][0] for l in range(L)])
            box = tuple(src["units"].data["box"][0])
            src["heat"].data = heat_data(net, box)
            src["kinks"].data = kink_data(net, box)
            return
        xs = np.linspace(*self.x_span(), 200)
        src["curve"].data = {"x": xs.tolist(), "y": network_at(first, L, xs).tolist()}
        grid = fit_grid(self.state.rows)
        self.overlay.source.data = {"x": grid.tolist(), "y": network_at(first, L, grid).tolist()}
        self.overlay.label.text = (f"training run (dashed): step 0, loss "
                                   f"{first['loss'][0]:.5g} — press play in the Training card")

    def clear(self) -> None:
        """Remove the animated run (its frames belong to the previous problem)."""
        if not len(self.src["frames"].data["step"]) and not len(self.overlay.source.data["x"]):
            return  # nothing to remove: nothing sent
        empty = sources()
        for name in RUN_SOURCES:
            self.src[name].data = dict(empty[name].data)
        self.player.param.update(end=1, value=0)
        self.run_text.object = ""
        self.overlay.clear()

    def x_span(self) -> tuple[float, float]:
        """The x range of the data, with a margin."""
        xs = [float(Fraction(x)) for x, _ in self.state.rows] or [0.0]
        pad = 0.15 * max(1.0, max(xs) - min(xs))
        return min(xs) - pad, max(xs) + pad

    def draw_data(self, d: int) -> None:
        """The data in the run's f(x) figure of their dimension (the other one hidden)."""
        rows, src = self.state.rows, self.src
        self.fx_pane.visible, self.fx2_pane.visible = d == 1, d == 2
        if d == 2:
            box = input_box(rows)
            src["points2"].data = point_data(rows)
            src["points"].data = {"x": [], "y": []}
            src["units"].data = {**src["units"].data, "d": [2], "box": [list(box)]}
            self.fx2.x_range.update(start=box[0], end=box[1])
            self.fx2.y_range.update(start=box[2], end=box[3])
            scale = color_scale(rows)
            self.mapper2.update(low=-scale, high=scale)
            return
        src["units"].data = {**src["units"].data, "d": [1]}
        src["points2"].data = {"x1": [], "x2": [], "y": []}
        ys = [float(Fraction(y)) for _, y in rows] or [0.0]
        src["points"].data = {"x": [float(Fraction(x)) for x, _ in rows], "y": ys}
        lo, hi = self.x_span()
        pad = 0.2 * max(1.0, max(ys) - min(ys))
        self.fx.x_range.update(start=lo, end=hi)
        self.fx.y_range.update(start=min(ys) - pad, end=max(ys) + pad)


def network_at(frame: dict[str, list], units: int, xs: np.ndarray) -> np.ndarray:
    """f(x) at ``xs`` of the first state of ``frame`` (``a{l}``, ``b{l}``, ``c{l}`` columns).

    >>> network_at({"a0": [2.0], "b0": [1.0], "c0": [-1.0]}, 1, np.array([0.0, 3.0]))
    array([0., 4.])
    """
    return sum((frame[f"a{l}"][0] * np.maximum(frame[f"b{l}"][0] * xs + frame[f"c{l}"][0], 0)
                for l in range(units)), np.zeros_like(xs))

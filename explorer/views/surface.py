"""Loss surface: a heatmap with contours of the loss (``a`` at its optimum) over a 2-D slice.

Slices:

- ``unit l``: vary ``(b_l, c_l)``, the other units held at the selected minimum. The loss is
  only piecewise smooth: its kinks lie on the lines ``b x_i + c = 0`` (drawn faintly).
- ``(c1, c2) through a curve`` (2+ units): vary ``c1, c2`` with ``b_l = rho_l c_l``, the ratios
  ``rho_l = b_l / c_l`` taken from the curve (constant along a split curve), so that the curve
  is a valley floor.

The minima are overlaid projected onto the slice's coordinates: isolated minima as bright
markers, curves as paths; tap one to select it everywhere. Every value drawn is
:func:`explorer.loss.reduced_loss`.

Examples
--------
>>> slice_options(1, [])
['unit 1: (b1, c1)']
"""

from __future__ import annotations

from typing import Any

import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn
import param

from explorer.loss import reduced_loss
from explorer.state import ExplorerState
from explorer.views import caption, plot_column
from explorer.views.geometry import (
    line_segments,
    nearest_within,
    plane_radius,
    points_of,
    representative,
    slice_coords,
)
from solver.results import Point

GRID = 140
# The colour bar's title is drawn once, when the figure is built: it must not name a number
# that belongs to one slice (hover shows the loss itself).
EXCESS_LABEL = "loss − lowest loss in the slice"


def slice_options(units: int, curve_numbers: list[int]) -> list[str]:
    """The slices offered for ``units`` units and the (1-based) numbers of the curves."""
    options = [f"unit {k + 1}: (b{k + 1}, c{k + 1})" for k in range(units)]
    if units >= 2:
        options += [f"(c1, c2) through curve #{k}" for k in curve_numbers]
        options.append("(c1, c2) through the selected minimum")
    return options


def unit_slice(
    x: np.ndarray, y: np.ndarray, lam: float, held: Point, unit: int, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss over ``(b_unit, c_unit)`` in ``[-radius, radius]^2``, other units at ``held``."""
    axis = np.linspace(-radius, radius, GRID)
    bb, cc = np.meshgrid(axis, axis)
    B = np.broadcast_to(np.asarray(held.B, float), (GRID, GRID, len(held.c), 1)).copy()
    c = np.broadcast_to(np.asarray(held.c, float), (GRID, GRID, len(held.c))).copy()
    B[..., unit, 0] = bb
    c[..., unit] = cc
    return axis, axis, reduced_loss(x, y, lam, B, c)


def ratio_slice(
    x: np.ndarray, y: np.ndarray, lam: float, through: Point, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss over ``(c1, c2)`` with ``b_l = rho_l c_l`` (``rho`` from ``through``)."""
    axis = np.linspace(-radius, radius, GRID)
    c1, c2 = np.meshgrid(axis, axis)
    units = len(through.c)
    B = np.broadcast_to(np.asarray(through.B, float), (GRID, GRID, units, 1)).copy()
    c = np.broadcast_to(np.asarray(through.c, float), (GRID, GRID, units)).copy()
    for k, grid in ((0, c1), (1, c2)):
        c[..., k] = grid
        if through.c[k] != 0:
            B[..., k, 0] = grid * (through.B[k][0] / through.c[k])
    return axis, axis, reduced_loss(x, y, lam, B, c)


def _levels(values: np.ndarray, focus: float, count: int = 14) -> list[float]:
    """Contour levels on a log scale, packed around ``focus`` (a minimum's value).

    >>> len(_levels(np.linspace(1e-3, 1.0, 50), 0.1)) > 5
    True
    """
    low, high = float(values.min()), float(np.quantile(values, 0.9))
    focus = min(max(focus, low), high)
    above = focus + np.geomspace(1e-3 * (high - focus) + 1e-12, high - focus + 1e-12, count - 4)
    below = np.geomspace(low, focus, 5)[:-1] if focus > low else np.array([])
    return sorted(set(np.concatenate([below, above]).tolist()))


class SurfaceView(pn.viewable.Viewer):
    """Heatmap and contours of the loss over a user-chosen slice."""

    state = param.ClassSelector(class_=ExplorerState)
    slice = param.Selector(default=None, objects=[], doc="Which 2-D slice to draw.")

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        self.chooser = pn.widgets.Select.from_param(self.param.slice, label="Slice", width=300)
        self.chooser.param.watch(self._on_choice, "value")
        self._chosen = False
        self._auto = False
        state.param.watch(self._update_options, "result")
        self._update_options()
        # Every frame has the same layers and generic axes ("h", "v"), so a change only
        # updates the data of one Bokeh figure instead of rebuilding it.
        scene = hv.DynamicMap(
            pn.bind(self._surface, state.param.result, state.param.selection, self.param.slice)
        )
        # Tap targets are an element of their own: HoloViews attaches a Tap stream to
        # elements, not to overlays (as in the plane view).
        targets = hv.DynamicMap(pn.bind(self._targets, state.param.result, self.param.slice))
        self.tap = hv.streams.Tap(source=targets)
        self.tap.param.watch(self._on_tap, ["x", "y"])
        self.plot = scene * targets

    def __panel__(self) -> pn.viewable.Viewable:
        return plot_column(self.plot, caption(
            "Colour: loss (log scale) with `a` at its optimum · thin lines: b·xᵢ + c = 0 (the "
            "kinks) · orange: curves of minima · white dots: isolated minima · ring: selected · "
            "tap a minimum to select it."
        ), before=(self.chooser,))

    def _curve_numbers(self) -> list[int]:
        """1-based numbers of the result's curves."""
        result = self.state.result
        if result is None:
            return []
        return [i + 1 for i, m in enumerate(result.minima) if m.kind == "curve"]

    def _update_options(self, *events: Any) -> None:
        """Offer the slices that fit the current result; keep the choice if still valid."""
        result = self.state.result
        options = slice_options(result.units if result else 1, self._curve_numbers())
        current = self.slice
        # A rendered Select moves its value to the first option when the old one is gone:
        # that is not the user's choice either, so the whole update counts as automatic.
        self._auto = True
        try:
            self.param.slice.objects = options
            if current not in options or not self._chosen:
                # Until the user picks one, prefer the valley of the first curve.
                curves = [o for o in options if "through curve" in o]
                self.slice = curves[0] if curves else options[0]
        finally:
            self._auto = False

    def _on_choice(self, event: Any) -> None:
        """The user picked a slice: keep it across new results while it exists."""
        if not self._auto:
            self._chosen = True

    def _surface(self, result: Any, selection: int, choice: str | None) -> hv.Overlay:
        """The heatmap, contours and overlays for the chosen slice."""
        if result is None or not result.minima or choice is None:
            grid = (np.linspace(-1, 1, 3), np.linspace(-1, 1, 3), np.ones((3, 3)))
            empty = self._minima(None, None, None)
            return self._layers(grid, (1.0, 1.0), ("b", "c"), "Loss surface", [], empty)
        x = np.array([float(row[0]) for row in result.x])
        y = np.array([float(v) for v in result.y])
        lam = float(result.lam)
        unit, through, radius = self._geometry(result, choice)
        if unit is not None:
            grid = unit_slice(x, y, lam, representative(self.state.selected), unit, radius)
            axes = (f"b{unit + 1}", f"c{unit + 1}")
            title = f"Loss over (b{unit + 1}, c{unit + 1}), other units at the selected minimum"
            lines = [{"h": s[:, 0], "v": s[:, 1]} for s in line_segments(x, radius * 2)]
        else:
            grid = ratio_slice(x, y, lam, representative(result.minima[through]), radius)
            axes = ("c1", "c2")
            where = choice.split("through ")[1]
            title = f"Loss over (c1, c2), each b_l / c_l as on {where}"
            if not where.startswith("curve"):
                title = f"Loss over (c1, c2), each b_l / c_l as at {where}"
            lines = []
        index = self.state.selected_index if through is None else through
        focus = self._value_at(x, y, lam, result.minima[index])
        minima = self._minima(result, unit, through)
        return self._layers(grid, (radius, focus), axes, title, lines, minima)

    def _geometry(self, result: Any, choice: str) -> tuple[int | None, int | None, float]:
        """``(unit, through, radius)`` of a slice: the unit varied (``None`` for a (c1, c2)
        slice), the minimum a (c1, c2) slice passes through, and the half-width shown."""
        if choice.startswith("unit"):
            unit = int(choice.split()[1].rstrip(":")) - 1
            return unit, None, plane_radius(result.minima, unit)
        through = self.state.selected_index
        if "curve #" in choice:
            through = int(choice.split("#")[1]) - 1
        # Zoom on the minimum the slice passes through (its whole curve, if a curve).
        on_slice = points_of(result.minima[through])
        radius = max(0.25, 1.6 * max(abs(p.c[k]) for p in on_slice for k in (0, 1)))
        return None, through, radius

    def _layers(
        self, grid: tuple[np.ndarray, np.ndarray, np.ndarray], scale: tuple[float, float],
        axes: tuple[str, str], title: str, lines: list[dict], minima: list[hv.Element],
    ) -> hv.Overlay:
        """Heatmap, contours, kink lines and minima, always as the same seven layers."""
        radius, focus = scale
        # Colour by the loss above the slice's lowest value, on a log scale, so that the
        # valley floor and the kinks stand out; hover shows the loss itself.
        loss = grid[2]
        floor = float(loss.min())
        excess = loss - floor + 1e-6 * max(1.0, abs(floor))
        # An explicit positive colour range: a flat placeholder would get (v - 1, v + 1), an
        # invalid low end for the log colour scale (a Bokeh warning in the browser).
        low = float(excess.min())
        colours = (low, max(float(excess.max()), 10.0 * low))
        image = hv.Image(
            (grid[0], grid[1], excess, loss), ["h", "v"],
            [hv.Dimension("excess", label=EXCESS_LABEL, range=colours), "loss"],
        ).opts(
            xlim=(-radius, radius), ylim=(-radius, radius), framewise=True,
            cmap="viridis", cnorm="log", colorbar=True, tools=["hover"],
            responsive=True, min_height=380, title=title, xlabel=axes[0], ylabel=axes[1],
        )
        levels = _levels(excess, focus - floor)
        contours = hv.operation.contours(image, levels=levels, filled=False).opts(
            color="white", line_width=0.8, alpha=0.55, show_legend=False, tools=[],
        )
        kinks = hv.Path(lines, ["h", "v"]).opts(
            color="#bbbbbb", line_width=0.8, line_dash="dashed",
        )
        return hv.Overlay([image, contours, kinks, *minima])

    def _targets(self, result: Any, choice: str | None) -> hv.Points:
        """Invisible points under every drawn minimum (what a tap selects)."""
        has = result is not None and result.minima and choice is not None
        frame = self._target_frame(result, self._geometry(result, choice)[0] if has else None)
        return hv.Points(frame, ["h", "v"], ["minimum"]).opts(
            alpha=0, size=12, tools=[], show_legend=False,
        )

    @staticmethod
    def _target_frame(result: Any, unit: int | None) -> pd.DataFrame:
        """``h, v`` of every isolated minimum and curve sample in the coordinates of the
        slice varying ``unit`` (None: (c1, c2)), with the 1-based number of its minimum."""
        records = []
        for index, minimum in enumerate(result.minima if result is not None else []):
            for p in points_of(minimum):
                h, v = slice_coords(p, unit)
                records.append({"h": h, "v": v, "minimum": index + 1})
        frame = pd.DataFrame.from_records(records, columns=["h", "v", "minimum"])
        return frame.astype({"h": float, "v": float})

    def _on_tap(self, *events: Any) -> None:
        """A click in the surface: select the minimum drawn nearest to it, if close."""
        result, choice = self.state.result, self.slice
        if self.tap.x is None or self.tap.y is None:
            return
        if result is None or not result.minima or choice is None:
            return
        unit, _, radius = self._geometry(result, choice)
        frame = self._target_frame(result, unit)
        nearest = nearest_within(frame["h"], frame["v"], self.tap.x, self.tap.y, 0.06 * radius)
        if nearest is not None:
            self.state.select(int(frame["minimum"].iloc[nearest]) - 1)

    def _value_at(self, x: np.ndarray, y: np.ndarray, lam: float, minimum: Any) -> float:
        """The loss at a minimum (where the contour levels are packed)."""
        point = representative(minimum)
        return float(reduced_loss(x, y, lam, point.B, point.c))

    def _minima(self, result: Any, unit: int | None, through: int | None) -> list[hv.Element]:
        """Curves as paths, isolated minima as markers, the selected one ringed.

        Coordinates are unit ``unit``'s ``(b, c)``, or ``(c1, c2)`` when ``unit`` is None. In
        a (c1, c2) slice only the minimum ``through`` lies in it: other curves are drawn
        thin and dashed (their projections).
        """

        paths, others, dots = [], [], []
        for index, minimum in enumerate(result.minima if result is not None else []):
            if minimum.kind == "curve":
                xy = np.array([slice_coords(p, unit) for p in points_of(minimum)])
                inside = through is None or through == index
                (paths if inside else others).append({"h": xy[:, 0], "v": xy[:, 1]})
            else:
                u, v = slice_coords(minimum.point, unit)
                dots.append((u, v, index + 1, f"{minimum.loss:.10g}"))
        selected = self.state.selected
        ring = [] if selected is None else [slice_coords(representative(selected), unit)]
        return [
            hv.Path(paths, ["h", "v"]).opts(color="#ff9f1c", line_width=5, tools=[]),
            hv.Path(others, ["h", "v"]).opts(
                color="#ff9f1c", line_width=1.5, line_dash="dashed", alpha=0.7, tools=[],
            ),
            hv.Points(dots, ["h", "v"], ["minimum", "loss"]).opts(
                color="white", line_color="#d1495b", line_width=2, size=11, tools=["hover"],
            ),
            hv.Points(ring, ["h", "v"]).opts(
                marker="circle", size=24, fill_alpha=0, line_color="#d1495b", line_width=3,
            ),
        ]

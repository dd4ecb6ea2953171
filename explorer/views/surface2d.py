"""Loss surface for two inputs: slices of one unit's three parameters ``(b1, b2, c)``.

The other units are held at the selected minimum, ``a`` at its ridge optimum
(:mod:`explorer.geometry2d.slices`):

- **direction**: unit ``l``'s direction on the sphere as two angles (azimuth of
  ``(b1, b2)``, polar angle from the ``+c`` axis), each pixel the least loss over the
  unit's norm. The kinks are the data points' great circles, here curves.
- **(b1, b2)**: unit ``l``'s ``(b1, b2)`` with its ``c`` at the selected minimum's; the kinks
  are the lines ``<x_i, b> + c = 0``.

Every minimum's unit ``l`` is marked where it lies in the slice's coordinates (white dots;
orange for curves of minima; the selected one ringed): only the selected minimum is
exactly in the slice, the others are projections. A tap selects the nearest minimum.

Examples
--------
>>> slice_names(2)
['unit 1: direction (angles)', 'unit 1: (b1, b2) at its c', 'unit 2: direction (angles)', 'unit 2: (b1, b2) at its c']
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LogColorMapper, Range1d
from bokeh.plotting import figure

from explorer.geometry2d.inputplane import kink_segment
from explorer.geometry2d.slices import angles, b_slice, direction_slice, kink_polar
from explorer.state import ExplorerState
from explorer.views import caption, redraw
from explorer.views.geometry import nearest_within, plane_radius, points_of, representative
from explorer.views.hover import quiet_hover
from explorer.views.plane import RING_SIZE
from explorer.views.sources import set_columns
from explorer.views.sphere2d import two_inputs

TITLE = "Loss on a slice of one unit"
SHAPE = (31, 61)  # (polar, azimuth) samples: 6° steps
_KINDS = ("direction (angles)", "(b1, b2) at its c")


def slice_names(units: int) -> list[str]:
    """The slices offered for ``units`` units."""
    return [f"unit {k + 1}: {kind}" for k in range(units) for kind in _KINDS]


def parse_slice(name: str) -> tuple[int, bool]:
    """``(unit, is_direction)`` of a slice name (0-based unit).

    >>> parse_slice("unit 2: (b1, b2) at its c")
    (1, False)
    """
    head, kind = name.split(": ", 1)
    return int(head.split()[1]) - 1, kind == _KINDS[0]


@dataclass(frozen=True)
class Slice2D:
    """What the figure shows: image, axes, kinks, minima (``h, v`` coordinates)."""

    title: str
    axes: tuple[str, str]
    box: tuple[float, float, float, float]
    loss: np.ndarray
    kinks: dict[str, list]
    minima: dict[str, list]
    ring: dict[str, list]

    def image_columns(self) -> dict[str, list]:
        """The image source's columns (the loss above the slice's lowest value, > 0), in
        float32: colour only, on a log scale (half the bytes of float64)."""
        floor = float(np.nanmin(self.loss))
        excess = (self.loss - floor + 1e-6 * max(1.0, abs(floor))).astype(np.float32)
        h0, h1, v0, v1 = self.box
        return {"image": [excess], "x": [h0], "y": [v0], "dw": [h1 - h0], "dh": [v1 - v0]}


def _coords(point: Any, unit: int, direction: bool) -> tuple[float, float] | None:
    """A parameter point's unit ``unit`` in the slice's coordinates (None: dead unit in the
    direction slice)."""
    b, c = point.B[unit], point.c[unit]
    if not direction:
        return float(b[0]), float(b[1])
    if not (b[0] or b[1] or c):
        return None
    return angles((b[0], b[1], c))


def compute_slice(result: Any, index: int, name: str) -> Slice2D:
    """The slice ``name`` through minimum ``index`` of a 2-D ``result``."""
    unit, direction = parse_slice(name)
    x = np.array([[float(v) for v in row] for row in result.x])
    y = np.array([float(v) for v in result.y])
    lam = float(result.lam)
    held = representative(result.minima[index])
    reach = plane_radius(result.minima) * 1.5
    if direction:
        shown = direction_slice(x, y, lam, held.B, held.c, unit, reach, shape=SHAPE)
        loss, box = shown.loss, (-180.0, 180.0, 0.0, 180.0)
        polar = kink_polar(x, shown.azimuth)
        # to 1e-3 degrees (a few thousandths of a pixel): a third of the bytes of full floats
        kinks = {"xs": [shown.azimuth.round(3).tolist()] * len(x),
                 "ys": polar.round(3).tolist()}
        title = f"{TITLE}: unit {unit + 1}'s direction, norm at its best"
        axes = ("azimuth of (b1, b2) (degrees)", "angle from the +c axis (degrees)")
    else:
        radius = plane_radius(result.minima, unit)
        _, _, loss = b_slice(x, y, lam, held.B, held.c, unit, radius)
        box = (-radius, radius, -radius, radius)
        kinks = {"xs": [], "ys": []}
        for point in x:
            segment = kink_segment(point, float(held.c[unit]), box)
            if segment is not None:
                kinks["xs"].append([segment[0][0], segment[1][0]])
                kinks["ys"].append([segment[0][1], segment[1][1]])
        title = f"{TITLE}: unit {unit + 1}'s (b1, b2), c = {held.c[unit]:.3g}"
        axes = (f"b{unit + 1},1", f"b{unit + 1},2")
    minima: dict[str, list] = {"h": [], "v": [], "minimum": [], "loss": [], "colour": []}
    for k, minimum in enumerate(result.minima):
        for point in points_of(minimum)[::4] if minimum.kind == "curve" else points_of(minimum):
            spot = _coords(point, unit, direction)
            if spot is None:
                continue
            minima["h"].append(round(spot[0], 4))
            minima["v"].append(round(spot[1], 4))
            minima["minimum"].append(k + 1)
            minima["loss"].append(f"{minimum.loss:.10g}")
            minima["colour"].append("#ff9f1c" if minimum.kind == "curve" else "white")
    spot = _coords(held, unit, direction)
    ring = {"h": [] if spot is None else [spot[0]], "v": [] if spot is None else [spot[1]]}
    return Slice2D(title, axes, box, loss, kinks, minima, ring)


class Surface2DView(pn.viewable.Viewer):
    """The loss over a slice of one unit's parameters, with the minima; tap to select."""

    state = param.ClassSelector(class_=ExplorerState)
    slice = param.Selector(default=None, objects=[], doc="Which slice to draw.")

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        self.chooser = pn.widgets.Select.from_param(
            self.param.slice, label="Slice", width=300,
            description="Vary one unit's direction (two angles) or its (b1, b2); the other "
                        "units stay at the selected minimum.")
        self.x_range, self.y_range = Range1d(-1.0, 1.0), Range1d(-1.0, 1.0)
        fig = figure(title=TITLE, x_range=self.x_range, y_range=self.y_range, height=420,
                     sizing_mode="stretch_width", tools="pan,wheel_zoom,reset,save",
                     toolbar_location="right")
        fig.title.text_font_size = "13px"
        fig.toolbar.logo = None
        self.mapper = LogColorMapper(palette="Viridis256", low=1e-6, high=1.0)
        self.image = fig.image(image="image", x="x", y="y", dw="dw", dh="dh",
                               source=ColumnDataSource({"image": [np.ones((1, 1))], "x": [0],
                                                        "y": [0], "dw": [1], "dh": [1]}),
                               color_mapper=self.mapper)
        fig.add_layout(ColorBar(color_mapper=self.mapper, width=12,
                                title="loss − lowest loss in the slice"), "right")
        self.kinks = fig.multi_line("xs", "ys", source=ColumnDataSource({"xs": [], "ys": []}),
                                    line_color="#dddddd", line_width=1, line_dash="dashed")
        self.minima = fig.scatter("h", "v", source=ColumnDataSource(
            {"h": [], "v": [], "minimum": [], "loss": [], "colour": []}), size=10,
            fill_color="colour", line_color="#d1495b", line_width=2)
        self.ring = fig.scatter("h", "v", source=ColumnDataSource({"h": [], "v": []}),
                                marker="circle", size=RING_SIZE - 2, fill_alpha=0,
                                line_color="#d1495b", line_width=3)
        fig.add_tools(HoverTool(renderers=[self.minima], tooltips=[
            ("minimum", "@minimum"), ("loss", "@loss")]))
        fig.on_event(Tap, lambda event: self.select_at(event.x, event.y))
        quiet_hover(fig)
        self.figure = fig
        self._shown: Slice2D | None = None
        self._drawn: tuple = ()  # (result, selected index, slice) of what is drawn
        state.param.watch(self._on_result, "result")
        state.param.watch(lambda *_: redraw(self._update), "selection")
        self._auto = False
        self.param.watch(lambda *_: None if self._auto else redraw(self._update), "slice")
        self._on_result()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.chooser, pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                         caption(
            "Colour: loss (log scale), a at its optimum, the other units at the selected "
            "minimum · dashed: the kinks (a data point's circle or line) · dots: every "
            "minimum's unit in this slice (orange: curves; only the selected one, ringed, "
            "lies in the slice) · tap a dot to select its minimum."
        ), sizing_mode="stretch_width")

    def _on_result(self, *events: Any) -> None:
        """Offer the slices of the result's units (keeping the choice), then redraw."""
        result = two_inputs(self.state.result)
        names = slice_names(result.units if result is not None else 1)
        current = self.slice
        self._auto = True  # one redraw below, not one per change
        try:
            self.param.slice.objects = names
            self.slice = current if current in names else names[0]
        finally:
            self._auto = False
        redraw(self._update)

    def _update(self) -> None:
        """Draw the chosen slice through the selected minimum (nothing if it is drawn: a
        new result with a new selection calls this twice)."""
        result = two_inputs(self.state.result)
        index = self.state.selected_index
        if self._drawn and self._drawn[0] is result and self._drawn[1:] == (index, self.slice):
            return
        self._drawn = (result, index, self.slice)
        if result is None or index is None or self.slice not in self.param.slice.objects:
            self._shown = None
            set_columns(self.minima.data_source, {"h": [], "v": [], "minimum": [], "loss": [],
                                                  "colour": []})
            set_columns(self.ring.data_source, {"h": [], "v": []})
            return
        shown = compute_slice(result, index, self.slice)
        self._shown = shown
        self.figure.title.text = shown.title
        self.figure.xaxis.axis_label, self.figure.yaxis.axis_label = shown.axes
        columns = shown.image_columns()
        excess = columns["image"][0]
        low = float(np.nanmin(excess))
        self.mapper.update(low=low, high=max(float(np.nanmax(excess)), 10.0 * low))
        set_columns(self.image.data_source, columns)
        set_columns(self.kinks.data_source, shown.kinks)
        set_columns(self.minima.data_source, shown.minima)
        set_columns(self.ring.data_source, shown.ring)
        self.x_range.update(start=shown.box[0], end=shown.box[1])
        self.y_range.update(start=shown.box[2], end=shown.box[3])

    def select_at(self, h: float | None, v: float | None) -> None:
        """A click in the slice: select the minimum drawn nearest to it, if close."""
        shown = self._shown
        if h is None or v is None or shown is None:
            return
        m = shown.minima
        span = max(shown.box[1] - shown.box[0], shown.box[3] - shown.box[2])
        nearest = nearest_within(m["h"], m["v"], h, v, 0.03 * span)
        if nearest is not None:
            self.state.select(int(m["minimum"][nearest]) - 1)

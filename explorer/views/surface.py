"""Loss surface: a heatmap with contours of the loss (``a`` at its optimum) over a 2-D slice.

Slices:

- ``unit l``: vary ``(b_l, c_l)``, the other units held at the selected minimum. The loss is
  only piecewise smooth: its kinks lie on the lines ``b x_i + c = 0`` (drawn faintly).
- ``(c1, c2) through a curve`` or ``through the selected minimum`` (2+ units): vary
  ``c1, c2`` with ``b_l = rho_l c_l``, the ratios ``rho_l = b_l / c_l`` taken from that
  minimum (constant along a split curve), so that a curve is a valley floor.

Until the user picks a slice, the view follows the selection (the slice through the
selected minimum; unit 1 with one unit). The minima are overlaid projected onto the slice's
coordinates: isolated minima as bright markers, curves as paths; tap one to select it
everywhere. Every value drawn is :func:`explorer.loss.reduced_loss`.

The Bokeh figure is built once; a change sends its sources the columns that changed
(:func:`surface_frame`, :func:`~explorer.views.sources.set_columns`) and moves its ranges and
colour scale.

Examples
--------
>>> slice_options(1, [])
['unit 1: (b1, c1)']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import contourpy
import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    CustomJSHover,
    HoverTool,
    Image,
    Line,
    LogColorMapper,
    MultiLine,
    Range1d,
    Scatter,
)
from bokeh.palettes import Viridis256
from bokeh.plotting import figure

from explorer.loss import reduced_loss
from explorer.state import ExplorerState
from explorer.views import caption, redraw
from explorer.views.geometry import (
    line_segments,
    nearest_within,
    one_input,
    plane_radius,
    points_of,
    representative,
    slice_coords,
)
from explorer.views.glyphs import add_glyph
from explorer.views.hover import quiet_hover
from explorer.views.sources import set_columns
from solver.results import Point

GRID = 140
# The colour bar's title is drawn once, when the figure is built: it must not name a number
# that belongs to one slice (hover shows the loss itself).
EXCESS_LABEL = "loss − lowest loss in the slice"
SELECTED = "(c1, c2) through the selected minimum"
RING_SIZE = 24
# The hover's loss under the cursor: the image's value (the excess) plus its offset.
LOSS_JS = "return (value + source.data.offset[0]).toFixed(6);"


def slice_options(units: int, curve_numbers: list[int]) -> list[str]:
    """The slices offered for ``units`` units and the (1-based) numbers of the curves."""
    options = [f"unit {k + 1}: (b{k + 1}, c{k + 1})" for k in range(units)]
    if units >= 2:
        options += [f"(c1, c2) through curve #{k}" for k in curve_numbers]
        options.append(SELECTED)
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


def contour_lines(axis: np.ndarray, values: np.ndarray, levels: list[float]) -> dict[str, Any]:
    """Contour lines of ``values`` over the square grid ``axis x axis``, as one path drawn by
    a single ``line`` glyph: float32 coordinates, each line followed by a NaN (a break).

    Sent as two binary arrays: about 10 kB for the paper's example (1,237 points on 12
    lines), where nested lists of float64 took 50 kB of JSON.

    >>> axis = np.linspace(-1, 1, 21)
    >>> lines = contour_lines(axis, np.add.outer(axis ** 2, axis ** 2), [0.5])
    >>> int(np.isnan(lines["x"]).sum()), round(float(np.nanmax(lines["x"])), 2)
    (1, 0.71)
    """
    generator = contourpy.contour_generator(axis, axis, values, line_type="Separate")
    gap = np.full((1, 2), np.nan)
    pieces = [part for level in levels for line in generator.lines(level) for part in (line, gap)]
    path = np.concatenate(pieces).astype(np.float32) if pieces else np.zeros((0, 2), np.float32)
    return {"x": path[:, 0], "y": path[:, 1]}


@dataclass(frozen=True, slots=True)
class SurfaceFrame:
    """Everything the figure shows for one slice: title, axes, half-width, the image (its
    colour value ``excess`` and ``loss``), contour and kink lines, and the minima."""

    title: str
    axes: tuple[str, str]
    radius: float
    excess: np.ndarray
    loss: np.ndarray
    colour_range: tuple[float, float]
    contours: dict[str, Any]
    kinks: dict[str, list]
    curves: dict[str, list]
    others: dict[str, list]
    dots: dict[str, list]
    ring: dict[str, list]

    def image_columns(self) -> dict[str, list]:
        """The image source's columns: one float32 image (``excess``; float32 halves what
        is sent, and colours and the hover's 6 decimals need no more) and ``offset``, the
        loss minus the excess, which the hover adds back in the page (:data:`LOSS_JS`), so
        that the loss itself is not sent as a second image."""
        r = self.radius
        offset = float(np.median(self.loss - self.excess))
        return {"image": [self.excess.astype(np.float32)], "offset": [offset], "x": [-r],
                "y": [-r], "dw": [2 * r], "dh": [2 * r]}


def slice_geometry(result: Any, choice: str, selected: int) -> tuple[int | None, int, float]:
    """``(unit, through, radius)`` of a slice: the unit varied (``None`` for a (c1, c2)
    slice), the minimum a (c1, c2) slice passes through (else the selected one), and the
    half-width shown."""
    if choice.startswith("unit"):
        unit = int(choice.split()[1].rstrip(":")) - 1
        return unit, selected, plane_radius(result.minima, unit)
    through = int(choice.split("#")[1]) - 1 if "curve #" in choice else selected
    # Zoom on the minimum the slice passes through (its whole curve, if a curve).
    on_slice = points_of(result.minima[through])
    radius = max(0.25, 1.6 * max(abs(p.c[k]) for p in on_slice for k in (0, 1)))
    return None, through, radius


def surface_frame(result: Any, choice: str | None, selected: int | None) -> SurfaceFrame:
    """The slice ``choice`` of ``result`` with minimum ``selected`` ringed (placeholders
    when there is nothing to show)."""
    if result is None or not result.minima or choice is None or selected is None:
        flat = np.ones((3, 3))
        empty = {"xs": [], "ys": []}
        no_lines = {"x": np.zeros(0, np.float32), "y": np.zeros(0, np.float32)}
        return SurfaceFrame("Loss surface", ("b", "c"), 1.0, flat, flat, (1e-3, 1.0),
                            no_lines, empty, empty, empty, {"h": [], "v": [], "minimum": [],
                                                         "loss": []}, {"h": [], "v": []})
    x = np.array([float(row[0]) for row in result.x])
    y = np.array([float(v) for v in result.y])
    lam = float(result.lam)
    unit, through, radius = slice_geometry(result, choice, selected)
    if unit is not None:
        held = representative(result.minima[selected])
        axis, _, loss = unit_slice(x, y, lam, held, unit, radius)
        axes = (f"b{unit + 1}", f"c{unit + 1}")
        title = f"Loss over (b{unit + 1}, c{unit + 1}), other units at minimum #{selected + 1}"
        segments = line_segments(x, radius * 2)
        kinks = {"xs": [s[:, 0].tolist() for s in segments],
                 "ys": [s[:, 1].tolist() for s in segments]}
    else:
        axis, _, loss = ratio_slice(x, y, lam, representative(result.minima[through]), radius)
        axes = ("c1", "c2")
        kind = "curve" if result.minima[through].kind == "curve" else "minimum"
        title = f"Loss over (c1, c2) through {kind} #{through + 1}"
        kinks = {"xs": [], "ys": []}
    # Colour by the loss above the slice's lowest value, on a log scale, so that the valley
    # floor and the kinks stand out; hover shows the loss itself.
    floor = float(loss.min())
    excess = loss - floor + 1e-6 * max(1.0, abs(floor))
    low = float(excess.min())
    point = representative(result.minima[through])
    focus = float(reduced_loss(x, y, lam, point.B, point.c)) - floor
    contours = contour_lines(axis, excess, _levels(excess, focus))
    curves, others, dots = _minima_columns(result, unit, None if unit is not None else through)
    ring = slice_coords(representative(result.minima[selected]), unit)
    return SurfaceFrame(title, axes, radius, excess, loss,
                        (low, max(float(excess.max()), 10.0 * low)), contours, kinks, curves,
                        others, dots, {"h": [ring[0]], "v": [ring[1]]})


def _minima_columns(result: Any, unit: int | None,
                    through: int | None) -> tuple[dict, dict, dict]:
    """Curves as paths, isolated minima as markers, in the slice's coordinates. In a
    (c1, c2) slice only the minimum ``through`` lies in it: other curves are drawn thin and
    dashed (their projections)."""
    curves: dict[str, list] = {"xs": [], "ys": []}
    others: dict[str, list] = {"xs": [], "ys": []}
    dots: dict[str, list] = {"h": [], "v": [], "minimum": [], "loss": []}
    for index, minimum in enumerate(result.minima):
        if minimum.kind == "curve":
            xy = np.array([slice_coords(p, unit) for p in points_of(minimum)])
            target = curves if through is None or through == index else others
            target["xs"].append(xy[:, 0].tolist())
            target["ys"].append(xy[:, 1].tolist())
        else:
            u, v = slice_coords(minimum.point, unit)
            dots["h"].append(u)
            dots["v"].append(v)
            dots["minimum"].append(index + 1)
            dots["loss"].append(f"{minimum.loss:.10g}")
    return curves, others, dots


def target_points(result: Any, unit: int | None) -> tuple[list[float], list[float], list[int]]:
    """``h, v`` of every isolated minimum and curve sample in the coordinates of the slice
    varying ``unit`` (None: (c1, c2)), with the 0-based index of its minimum."""
    hs, vs, owners = [], [], []
    for index, minimum in enumerate(result.minima if result is not None else []):
        for p in points_of(minimum):
            h, v = slice_coords(p, unit)
            hs.append(h)
            vs.append(v)
            owners.append(index)
    return hs, vs, owners


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
        self.x_range, self.y_range = Range1d(-1.0, 1.0), Range1d(-1.0, 1.0)
        fig = figure(title="Loss surface", x_range=self.x_range, y_range=self.y_range,
                     height=430, sizing_mode="stretch_width", x_axis_label="b",
                     y_axis_label="c", tools="pan,wheel_zoom,box_zoom,reset,save",
                     toolbar_location="right")
        fig.toolbar.logo = None
        fig.title.text_font_size = "12px"
        empty = surface_frame(None, None, None)
        self.mapper = LogColorMapper(palette=Viridis256, low=1e-3, high=1.0)
        self.image = add_glyph(fig, ColumnDataSource(empty.image_columns()), Image(
            image="image", x="x", y="y", dw="dw", dh="dh", color_mapper=self.mapper))
        fig.add_layout(ColorBar(color_mapper=self.mapper, title=EXCESS_LABEL, width=14),
                       "right")
        self.contours = add_glyph(fig, ColumnDataSource(empty.contours), Line(
            x="x", y="y", line_color="white", line_width=0.8, line_alpha=0.55))
        self.kinks = add_glyph(fig, ColumnDataSource(empty.kinks), MultiLine(
            xs="xs", ys="ys", line_color="#bbbbbb", line_width=0.8, line_dash="dashed"))
        self.curves = add_glyph(fig, ColumnDataSource(empty.curves), MultiLine(
            xs="xs", ys="ys", line_color="#ff9f1c", line_width=5))
        self.others = add_glyph(fig, ColumnDataSource(empty.others), MultiLine(
            xs="xs", ys="ys", line_color="#ff9f1c", line_width=1.5, line_dash="dashed",
            line_alpha=0.7))
        self.dots = add_glyph(fig, ColumnDataSource(empty.dots), Scatter(
            x="h", y="v", size=11, fill_color="white", line_color="#d1495b", line_width=2))
        self.ring = add_glyph(fig, ColumnDataSource(empty.ring), Scatter(
            x="h", y="v", size=RING_SIZE, marker="circle", fill_alpha=0,
            line_color="#d1495b", line_width=3))
        fig.add_tools(HoverTool(
            renderers=[self.image], tooltips=[("h, v", "$x{0.000}, $y{0.000}"),
                                              ("loss", "@image{custom}")],
            formatters={"@image": CustomJSHover(code=LOSS_JS,
                                                args={"source": self.image.data_source})}))
        fig.add_tools(HoverTool(renderers=[self.dots], tooltips=[
            ("minimum", "@minimum"), ("loss", "@loss")]))
        fig.on_event(Tap, lambda event: self.select_at(event.x, event.y))
        quiet_hover(fig)
        self.figure = fig
        state.param.watch(self._update_options, "result")
        self._update_options()
        state.param.watch(self._draw, ["result", "selection"])
        # An automatic change of the slice comes with a new result, drawn by the line above.
        self.param.watch(lambda *_: None if self._auto else self._draw(), "slice")
        self._draw()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.chooser, pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"),
                         caption(
            "Colour: loss (log scale) with `a` at its optimum · thin lines: b·xᵢ + c = 0 (the "
            "kinks) · orange: curves of minima · white dots: isolated minima · ring: selected · "
            "tap a minimum to select it. Until you pick a slice, the view follows the "
            "selected minimum: in a (c1, c2) slice each b_l / c_l is held as at that minimum."
        ), sizing_mode="stretch_width")

    def frame(self) -> SurfaceFrame:
        """What the figure shows now."""
        return surface_frame(one_input(self.state.result), self.slice, self.state.selected_index)

    def _draw(self, *events: Any) -> None:
        """Replace the figure's data by the current slice's."""
        redraw(self._update)

    def _update(self) -> None:
        shown = self.frame()
        self.figure.title.text = shown.title
        self.figure.xaxis.axis_label, self.figure.yaxis.axis_label = shown.axes
        self.mapper.update(low=shown.colour_range[0], high=shown.colour_range[1])
        set_columns(self.image.data_source, shown.image_columns())
        for name in ("contours", "kinks", "curves", "others", "dots", "ring"):
            set_columns(getattr(self, name).data_source, getattr(shown, name))
        self.x_range.update(start=-shown.radius, end=shown.radius)
        self.y_range.update(start=-shown.radius, end=shown.radius)

    def _curve_numbers(self) -> list[int]:
        """1-based numbers of the result's curves."""
        result = one_input(self.state.result)
        if result is None:
            return []
        return [i + 1 for i, m in enumerate(result.minima) if m.kind == "curve"]

    def _update_options(self, *events: Any) -> None:
        """Offer the slices that fit the current result; keep the choice if still valid."""
        result = one_input(self.state.result)
        options = slice_options(result.units if result else 1, self._curve_numbers())
        current = self.slice
        # A rendered Select moves its value to the first option when the old one is gone:
        # that is not the user's choice either, so the whole update counts as automatic.
        self._auto = True
        try:
            self.param.slice.objects = options
            if current not in options or not self._chosen:
                # Until the user picks one, follow the selection.
                self.slice = SELECTED if SELECTED in options else options[0]
        finally:
            self._auto = False

    def _on_choice(self, event: Any) -> None:
        """The user picked a slice: keep it across new results while it exists."""
        if not self._auto:
            self._chosen = True

    def select_at(self, h: float | None, v: float | None) -> None:
        """A click at ``(h, v)`` in the slice: select the minimum drawn nearest, if close."""
        result, choice = one_input(self.state.result), self.slice
        selected = self.state.selected_index
        if h is None or v is None or result is None or not result.minima or choice is None:
            return
        unit, _, radius = slice_geometry(result, choice, selected)
        hs, vs, owners = target_points(result, unit)
        nearest = nearest_within(hs, vs, h, v, 0.06 * radius)
        if nearest is not None:
            self.state.select(owners[nearest])

"""The (b, c) plane: the lines ``b x_i + c = 0``, their sectors, every unit of every minimum.

Each unit of each minimum is a marker at its ``(b_l, c_l)``: stars for global minima, circles
for the others, a ring around the selected minimum. A minimum on a boundary sits exactly on
its line. Curves of minima are drawn as paths (one per unit). Hover shows the exact pattern,
loss and active constraints; tap a marker to select its minimum everywhere.

The Bokeh figure is built once; a new result or selection only sends its sources the columns
that changed (:func:`plane_columns`, :func:`ring_columns`,
:func:`~explorer.views.sources.set_columns`) and moves its ranges.

Examples
--------
>>> sorted(plane_columns(None))
['curves', 'labels', 'lines', 'markers', 'sectors']
>>> [round(r, 2) for r in label_radii([0.5, 0.51, 0.52, -5.0])]
[0.6, 0.76, 0.92, 0.92]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    HoverTool,
    LinearColorMapper,
    MultiLine,
    Patches,
    Range1d,
    Scatter,
    Text,
)
from bokeh.palettes import interp_palette
from bokeh.plotting import figure

from explorer.problem import MAX_POINTS
from explorer.state import ExplorerState
from explorer.views import caption, redraw
from explorer.views.geometry import (
    active_label,
    fan_sectors,
    label_positions,
    line_segments,
    nearest_within,
    one_input,
    plane_radius,
    points_of,
    representative,
)
from explorer.views.glyphs import add_glyph
from explorer.views.hover import quiet_hover
from explorer.views.sources import set_columns

TITLE = "(b, c) plane: lines b·xᵢ + c = 0 and all minima"
RING_SIZE = 26
_MARKER_COLUMNS = [
    "b", "c", "minimum", "unit", "kind", "loss", "orbit", "pattern", "active",
    "size", "color", "marker",
]
_MARKER_COLORS = {"isolated": "#3a3a3a", "curve": "#e07b00", "global": "#d1495b"}
_PALETTE = ["#f7f7f7", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c"]
# The sector polygons are always this many (padded with empty ones), so that a new data set
# never changes the number of patches Bokeh holds.
SECTOR_SLOTS = 2 * MAX_POINTS
# Labels of lines closer than this angle (radians) are moved inwards in turn.
_LABEL_GAP = 0.17
_LABEL_RADII = (0.92, 0.76, 0.6, 0.44)


def marker_columns(result: Any) -> dict[str, list]:
    """One entry per unit of every minimum (a curve contributes its middle sample), as the
    columns :data:`_MARKER_COLUMNS` of the markers' source."""
    columns: dict[str, list] = {name: [] for name in _MARKER_COLUMNS}
    if result is not None and result.minima:
        best = min(m.loss for m in result.minima)
        for index, minimum in enumerate(result.minima):
            point = representative(minimum)
            is_best = bool(np.isclose(minimum.loss, best, rtol=1e-12, atol=1e-12))
            for k in range(len(point.c)):
                row = (float(point.B[k][0]), float(point.c[k]), index + 1, k + 1,
                       minimum.kind + (" (global)" if is_best else ""),
                       f"{minimum.loss:.10g}", minimum.orbit, minimum.pattern[k],
                       active_label(minimum.active, k), 16.0 if is_best else 10.0,
                       _MARKER_COLORS["global" if is_best else minimum.kind],
                       "star" if is_best else "circle")
                for name, value in zip(_MARKER_COLUMNS, row, strict=True):
                    columns[name].append(value)
    return columns


def marker_frame(result: Any) -> pd.DataFrame:
    """:func:`marker_columns` as a table (one row per unit of every minimum)."""
    frame = pd.DataFrame(marker_columns(result), columns=_MARKER_COLUMNS)
    return frame.astype({"b": float, "c": float, "size": float})


def sector_polygons(xs: list[float], radius: float) -> list[dict]:
    """The fan's sectors as polygon records, padded to :data:`SECTOR_SLOTS` with empty ones."""
    records = [
        {"b": s.b, "c": s.c, "seen": len(s.active),
         "active": ", ".join(f"x{i + 1}" for i in s.active) or "none"}
        for s in fan_sectors(xs, radius)
    ] if xs else []
    empty = {"b": (0.0, 0.0, 0.0), "c": (0.0, 0.0, 0.0), "seen": 0, "active": "none"}
    return records + [dict(empty) for _ in range(max(0, SECTOR_SLOTS - len(records)))]


def sector_palette(n: int) -> list[str]:
    """One colour per count of points seen, ``0..n`` (pale to dark blue).

    >>> len(sector_palette(3)), len(sector_palette(20))
    (4, 21)
    """
    return _PALETTE[: n + 1] if n < len(_PALETTE) else list(interp_palette(_PALETTE, n + 1))


def label_radii(xs: list[float]) -> list[float]:
    """Each line label's distance from the origin (a fraction of the radius): labels of
    lines at nearly the same angle step inwards in turn, so that they do not overlap."""
    spots = label_positions(xs, 1.0)
    angles = [math.atan2(c, b) for b, c in spots]
    radii = [_LABEL_RADII[0]] * len(xs)
    level, previous = 0, None
    for i in sorted(range(len(xs)), key=lambda i: angles[i]):
        close = previous is not None and angles[i] - previous < _LABEL_GAP
        level = (level + 1) % len(_LABEL_RADII) if close else 0
        radii[i] = _LABEL_RADII[level]
        previous = angles[i]
    return radii


def plane_columns(result: Any) -> dict[str, dict[str, list]]:
    """The columns of the plane's sources for ``result`` (None: empty): ``sectors``,
    ``lines``, ``labels``, ``curves`` (one path per unit of every curve) and ``markers``."""
    xs = [float(row[0]) for row in result.x] if result is not None else []
    radius = plane_radius(result.minima if result is not None else [])
    polygons = sector_polygons(xs, radius * 2)
    colours = sector_palette(len(xs))
    sectors = {"xs": [list(p["b"]) for p in polygons], "ys": [list(p["c"]) for p in polygons],
               "seen": [p["seen"] for p in polygons], "active": [p["active"] for p in polygons],
               "color": [colours[min(p["seen"], len(colours) - 1)] for p in polygons]}
    segments = line_segments(xs, radius * 2)
    lines = {"xs": [s[:, 0].tolist() for s in segments], "ys": [s[:, 1].tolist() for s in segments]}
    spots = label_positions(xs, radius)
    radii = label_radii(xs)
    labels = {"x": [b * r for (b, _), r in zip(spots, radii, strict=True)],
              "y": [c * r for (_, c), r in zip(spots, radii, strict=True)],
              "text": [f"x{i + 1}" for i in range(len(xs))]}
    curves: dict[str, list] = {"xs": [], "ys": [], "minimum": [], "unit": []}
    for index, minimum in enumerate(result.minima if result is not None else []):
        if minimum.kind != "curve":
            continue
        pts = points_of(minimum)
        for k in range(result.units):
            curves["xs"].append([p.B[k][0] for p in pts])
            curves["ys"].append([p.c[k] for p in pts])
            curves["minimum"].append(index + 1)
            curves["unit"].append(k + 1)
    markers = marker_columns(result)
    return {"sectors": sectors, "lines": lines, "labels": labels, "curves": curves,
            "markers": markers}


def ring_columns(minimum: Any) -> dict[str, list]:
    """A ring at each unit of the selected minimum (none when nothing is selected)."""
    if minimum is None:
        return {"b": [], "c": []}
    point = representative(minimum)
    return {"b": [point.B[k][0] for k in range(len(point.c))], "c": list(point.c)}


class PlaneView(pn.viewable.Viewer):
    """The partitioned (b, c) plane with all minima; tap to select."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        self.x_range, self.y_range = Range1d(-1.0, 1.0), Range1d(-1.0, 1.0)
        fig = figure(title=TITLE, x_range=self.x_range, y_range=self.y_range, height=430,
                     sizing_mode="stretch_width", x_axis_label="b", y_axis_label="c",
                     tools="pan,wheel_zoom,box_zoom,reset,save", toolbar_location="right")
        fig.toolbar.logo = None
        empty = plane_columns(None)
        self.mapper = LinearColorMapper(palette=sector_palette(1), low=0, high=1)
        self.sectors = add_glyph(fig, ColumnDataSource(empty["sectors"]), Patches(
            xs="xs", ys="ys", fill_color="color", fill_alpha=0.8, line_alpha=0))
        fig.add_layout(ColorBar(color_mapper=self.mapper, title="points seen", width=14), "right")
        self.lines = add_glyph(fig, ColumnDataSource(empty["lines"]), MultiLine(
            xs="xs", ys="ys", line_color="#555555", line_width=1.2))
        self.labels = add_glyph(fig, ColumnDataSource(empty["labels"]), Text(
            x="x", y="y", text="text", text_font_size="11pt", text_color="#222222",
            text_align="center", text_baseline="bottom"))
        self.curves = add_glyph(fig, ColumnDataSource(empty["curves"]), MultiLine(
            xs="xs", ys="ys", line_color="#e07b00", line_width=4, line_alpha=0.85))
        self.markers = add_glyph(fig, ColumnDataSource(empty["markers"]), Scatter(
            x="b", y="c", marker="marker", size="size", fill_color="color",
            line_color="white"))
        self.ring = add_glyph(fig, ColumnDataSource(ring_columns(None)), Scatter(
            x="b", y="c", marker="circle", size=RING_SIZE, fill_alpha=0,
            line_color="#d1495b", line_width=3))
        fig.add_tools(HoverTool(renderers=[self.markers], tooltips=[
            (name, f"@{{{name}}}") for name in _MARKER_COLUMNS[:9]]))
        fig.on_event(Tap, lambda event: self.select_at(event.x, event.y))
        quiet_hover(fig)
        self.figure = fig
        state.param.watch(self._draw, ["result", "selection"])
        self._draw()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"), caption(
            "Shade: how many points a unit sees there · ★ global minimum · ○ ring: selected · "
            "tap a marker to select its minimum."
        ), sizing_mode="stretch_width")

    def _draw(self, *events: Any) -> None:
        """A new result redraws everything; a new selection only moves the ring."""
        redraw(lambda: self._update(events))

    def _update(self, events: tuple) -> None:
        result = one_input(self.state.result)
        if not events or any(e.name == "result" for e in events):
            columns = plane_columns(result)
            n = len(result.x) if result is not None else 0
            self.mapper.update(palette=sector_palette(max(n, 1)), high=max(n, 1))
            for name, renderer in (("sectors", self.sectors), ("lines", self.lines),
                                   ("labels", self.labels), ("curves", self.curves),
                                   ("markers", self.markers)):
                set_columns(renderer.data_source, columns[name])
            radius = plane_radius(result.minima if result is not None else [])
            self.x_range.update(start=-radius, end=radius)
            self.y_range.update(start=-radius, end=radius)
        selected = self.state.selected if result is not None else None
        set_columns(self.ring.data_source, ring_columns(selected))

    def select_at(self, b: float | None, c: float | None) -> None:
        """A click at ``(b, c)``: select the minimum of the nearest marker, if close."""
        if b is None or c is None:
            return
        markers = marker_columns(one_input(self.state.result))
        nearest = nearest_within(markers["b"], markers["c"], b, c,
                                 0.06 * plane_radius(self._minima()))
        if nearest is not None:
            self.state.select(markers["minimum"][nearest] - 1)

    def _minima(self) -> list:
        result = one_input(self.state.result)
        return list(result.minima) if result is not None else []

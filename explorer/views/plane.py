"""The (b, c) plane: the lines ``b x_i + c = 0``, their sectors, every unit of every minimum.

Each unit of each minimum is a marker at its ``(b_l, c_l)``: stars for global minima, circles
for the others, a ring around the selected minimum. A minimum on a boundary sits exactly on
its line. Curves of minima are drawn as paths (one per unit). Hover shows the exact pattern,
loss and active constraints; tap a marker to select its minimum everywhere.
"""

from __future__ import annotations

from typing import Any

import holoviews as hv
import numpy as np
import pandas as pd
import panel as pn
import param

from explorer.state import MAX_POINTS, ExplorerState
from explorer.views import caption, plot_column
from explorer.views.geometry import (
    active_label,
    fan_sectors,
    label_positions,
    line_segments,
    nearest_within,
    plane_radius,
    points_of,
    representative,
)

_MARKER_COLUMNS = [
    "b", "c", "minimum", "unit", "kind", "loss", "orbit", "pattern", "active",
    "size", "color", "marker",
]
_MARKER_COLORS = {"isolated": "#3a3a3a", "curve": "#e07b00", "global": "#d1495b"}
_PALETTE = ["#f7f7f7", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c"]
# The sector polygons are always this many (padded with empty ones): when their number
# changed, Bokeh painted the new polygons with the old spatial index at the first update
# and raised "Cannot read properties of undefined (reading 'length')" in the browser.
SECTOR_SLOTS = 2 * MAX_POINTS


def marker_frame(result: Any) -> pd.DataFrame:
    """One row per unit of every minimum (a curve contributes its middle sample)."""
    records = []
    if result is not None and result.minima:
        best = min(m.loss for m in result.minima)
        for index, minimum in enumerate(result.minima):
            point = representative(minimum)
            is_best = np.isclose(minimum.loss, best, rtol=1e-12, atol=1e-12)
            for k in range(len(point.c)):
                records.append({
                    "b": point.B[k][0], "c": point.c[k], "minimum": index + 1, "unit": k + 1,
                    "kind": minimum.kind + (" (global)" if is_best else ""),
                    "loss": f"{minimum.loss:.10g}", "orbit": minimum.orbit,
                    "pattern": minimum.pattern[k], "active": active_label(minimum.active, k),
                    "size": 16 if is_best else 10,
                    "color": _MARKER_COLORS["global" if is_best else minimum.kind],
                    "marker": "star" if is_best else "circle",
                })
    frame = pd.DataFrame.from_records(records, columns=_MARKER_COLUMNS)
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


class PlaneView(pn.viewable.Viewer):
    """The partitioned (b, c) plane with all minima; tap to select."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        # Two DynamicMaps (few redraws per change). The markers are an element of their own
        # because HoloViews attaches a Tap stream to elements, not to overlays.
        scene = hv.DynamicMap(pn.bind(self._plane, state.param.result, state.param.selection))
        markers = hv.DynamicMap(pn.bind(self._markers, state.param.result))
        self.tap = hv.streams.Tap(source=markers)
        self.tap.param.watch(self._on_tap, ["x", "y"])
        self.plot = (scene * markers).opts(
            hv.opts.Overlay(title="(b, c) plane: lines b·xᵢ + c = 0 and all minima"),
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return plot_column(self.plot, caption(
            "Shade: how many points a unit sees there · ★ global minimum · ○ ring: selected · "
            "tap a marker to select its minimum."
        ))

    def _radius(self, result: Any) -> float:
        """Half-width of the square shown."""
        return plane_radius(result.minima if result is not None else [])

    def _plane(self, result: Any, selection: int) -> hv.Overlay:
        """Everything drawn in the plane but the markers."""
        return self._background(result) * self._curves(result) * self._selected(result, selection)

    def _background(self, result: Any) -> hv.Overlay:
        """Shaded sectors, the n lines and their labels, for the result's data."""
        if result is None:
            return (
                hv.Polygons(sector_polygons([], 1.0), ["b", "c"], vdims=["seen", "active"])
                * hv.Path([], ["b", "c"])
                * hv.Labels([], ["b", "c"], "text")
            )
        xs = [float(row[0]) for row in result.x]
        radius = self._radius(result)
        polygons = hv.Polygons(
            sector_polygons(xs, radius * 2), ["b", "c"], vdims=["seen", "active"],
        ).opts(
            color="seen", cmap=_PALETTE[: len(xs) + 1], line_alpha=0, alpha=0.8,
            clim=(0, len(xs)), colorbar=True, clabel="points seen", tools=[],
        )
        segments = line_segments(xs, radius * 2)
        lines = hv.Path([{"b": s[:, 0], "c": s[:, 1]} for s in segments], ["b", "c"]).opts(
            color="#555555", line_width=1.2,
        )
        spots = label_positions(xs, radius * 0.9)
        labels = hv.Labels(
            [(b, c, f"x{i + 1}") for i, (b, c) in enumerate(spots)], ["b", "c"], "text",
        ).opts(text_font_size="11pt", text_color="#222222", yoffset=radius * 0.03)
        return (polygons * lines * labels).opts(
            hv.opts.Polygons(xlim=(-radius, radius), ylim=(-radius, radius), framewise=True),
        )

    def _curves(self, result: Any) -> hv.Path:
        """Every curve of minima, one path per unit through its samples."""
        paths = []
        if result is not None:
            for index, minimum in enumerate(result.minima):
                if minimum.kind != "curve":
                    continue
                for k in range(result.units):
                    pts = points_of(minimum)
                    paths.append({
                        "b": [p.B[k][0] for p in pts], "c": [p.c[k] for p in pts],
                        "minimum": index + 1, "unit": k + 1,
                    })
        return hv.Path(paths, ["b", "c"], vdims=["minimum", "unit"]).opts(
            color="#e07b00", line_width=4, alpha=0.85, tools=[],
        )

    def _markers(self, result: Any) -> hv.Points:
        """All units of all minima, with exact pattern, loss and active constraints on hover."""
        frame = marker_frame(result)
        radius = self._radius(result)
        return hv.Points(frame, ["b", "c"], _MARKER_COLUMNS[2:]).opts(
            color="color", size="size", marker="marker", line_color="white", tools=["hover"],
            hover_tooltips=[(name, f"@{{{name}}}") for name in _MARKER_COLUMNS[:9]],
            show_legend=False,
            xlim=(-radius, radius), ylim=(-radius, radius), responsive=True, min_height=380,
            xlabel="b", ylabel="c", show_grid=True, framewise=True,
        )

    def _selected(self, result: Any, selection: int) -> hv.Points:
        """A ring around each unit of the selected minimum."""
        minimum = self.state.selected
        spots = []
        if minimum is not None:
            point = representative(minimum)
            spots = [(point.B[k][0], point.c[k]) for k in range(len(point.c))]
        return hv.Points(spots, ["b", "c"]).opts(
            marker="circle", size=26, fill_alpha=0, line_color="#d1495b", line_width=3,
        )

    def _on_tap(self, *events: Any) -> None:
        """A click in the plane: select the minimum of the nearest marker, if close."""
        if self.tap.x is None or self.tap.y is None:
            return
        frame = marker_frame(self.state.result)
        nearest = nearest_within(frame["b"], frame["c"], self.tap.x, self.tap.y,
                                 0.06 * self._radius(self.state.result))
        if nearest is not None:
            self.state.select(int(frame["minimum"].iloc[nearest]) - 1)

"""Parameter view for two inputs: the sphere of directions of one unit's ``(b1, b2, c)``.

Each data point ``x_i`` is a plane through the origin of the unit's parameter space,
``<b, x_i> + c = 0``, and meets the sphere of directions in a great circle; the circles cut
the sphere into cells, in each of which a unit sees the same points. The sphere is drawn
as two disks seen along the ``c`` axis (:mod:`explorer.geometry2d.sphere`): left the upper
hemisphere ``c > 0``, right the lower ``c < 0``, each rim the equator ``c = 0``. Cells are
shaded by how many points a unit there sees (hover: which). Each alive unit of each
minimum is a marker at its direction, sized by its norm ``|(b, c)|``: stars for global
minima, orange for curves of minima, dark dots for the others; a ring marks the selected
minimum. Hover a marker for its pattern; tap it to select its minimum everywhere.

The Bokeh figure is built once; a new result or selection sends its sources the columns
that changed (a new λ: the markers and the ring, not the cells and circles, which are
computed once per data set: :func:`cell_columns` is cached).

Examples
--------
>>> from fractions import Fraction as F
>>> cells = cell_columns(((F(1), F(0)), (F(0), F(1))))
>>> sorted(set(cells["seen"])), len(cells["xs"])  # 2 circles: 4 cells on each hemisphere
([0, 1, 2], 8)
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    DataRange1d,
    HoverTool,
    LinearColorMapper,
)
from bokeh.plotting import figure

from explorer.geometry2d.sphere import (
    DISK_CENTRES,
    great_circles,
    rim,
    sphere_cells,
    to_canvas,
    unit_directions,
)
from explorer.state import ExplorerState
from explorer.views import caption, redraw
from explorer.views.geometry import nearest_within, representative
from explorer.views.hover import quiet_hover
from explorer.views.plane import RING_SIZE, sector_palette
from explorer.views.sources import set_columns

TITLE = "Sphere of directions of a unit (b1, b2, c): left c > 0, right c < 0"
# Samples of each half great circle: 3° steps, as the cells' outlines (a chord's sagitta
# is 3.4e-4 of the disk's radius, a twentieth of a pixel).
CIRCLE_SAMPLES = 61
DIGITS = 4  # decimals of the cells' and circles' canvas coordinates (see on_canvas)
_COLOURS = {"isolated": "#3a3a3a", "curve": "#e07b00", "global": "#d1495b"}
_MARKER_COLUMNS = ["h", "v", "minimum", "unit", "kind", "loss", "pattern", "norm", "size",
                   "colour", "marker"]


def two_inputs(result: Any) -> Any:
    """``result`` if it is a solution for two inputs (d = 2), else ``None``.

    >>> two_inputs(None) is None
    True
    """
    return result if result is not None and len(result.x[0]) == 2 else None


def on_canvas(offset: float, values: Any) -> list[float]:
    """Canvas coordinates ``offset + values``, to :data:`DIGITS` decimals: a disk's radius
    is 1 and is drawn about 250 px wide, so 1e-4 is a fortieth of a pixel; the JSON sent
    is a third of full float64 text (the six points' cells: 109 kB -> 67 kB).

    >>> on_canvas(1.0, [0.123456789, -0.5])
    [1.1235, 0.5]
    """
    return np.round(offset + np.asarray(values, float), DIGITS).tolist()


@functools.lru_cache(maxsize=64)
def cell_columns(xs: tuple[tuple[Fraction, Fraction], ...]) -> dict[str, list]:
    """The cells as patches on the canvas (the same data: the same columns, from a cache
    shared by every session; a new λ or another number of units costs nothing here).

    The returned lists are shared: a source is given copies (:func:`_copied`).
    """
    out: dict[str, list] = {"xs": [], "ys": [], "seen": [], "label": []}
    for cell in sphere_cells(xs) if xs else ():
        h, v = DISK_CENTRES[cell.hemisphere]
        outline = np.asarray(cell.outline, float)
        out["xs"].append(on_canvas(h, outline[:, 0]))
        out["ys"].append(on_canvas(v, outline[:, 1]))
        out["seen"].append(cell.seen)
        out["label"].append(f"{cell.label} ({cell.seen} seen)")
    return out


def _copied(columns: dict[str, list]) -> dict[str, list]:
    """Columns with their own (outer) lists, for a data source."""
    return {k: list(v) for k, v in columns.items()}


def circle_columns(xs: list[tuple[float, float]]) -> dict[str, dict[str, list]]:
    """The data points' great circles (``arcs``) and their labels (``labels``)."""
    arcs: dict[str, list] = {"xs": [], "ys": []}
    labels: dict[str, list] = {"h": [], "v": [], "text": []}
    for arc in great_circles(xs, CIRCLE_SAMPLES):
        h, v = DISK_CENTRES[arc.hemisphere]
        path = np.asarray(arc.path, float)
        arcs["xs"].append(on_canvas(h, path[:, 0]))
        arcs["ys"].append(on_canvas(v, path[:, 1]))
        labels["h"].append(h + arc.label_at[0])
        labels["v"].append(v + arc.label_at[1])
        labels["text"].append(f"x{arc.point + 1}")
    return {"arcs": arcs, "labels": labels}


def marker_columns(result: Any) -> dict[str, list]:
    """One row per alive unit of every minimum: its direction on the canvas, its size by
    norm (8 to 20 px, by the largest norm shown) and what hover says."""
    rows: list[dict] = []
    if result is not None and result.minima:
        best = min(m.loss for m in result.minima)
        for index, minimum in enumerate(result.minima):
            point = representative(minimum)
            is_best = math.isclose(minimum.loss, best, rel_tol=1e-12, abs_tol=1e-12)
            for unit in unit_directions(point.B, point.c):
                h, v = to_canvas(unit.hemisphere, unit.position)
                rows.append({
                    "h": round(h, DIGITS), "v": round(v, DIGITS), "minimum": index + 1,
                    "unit": unit.unit + 1,
                    "kind": minimum.kind + (" (global)" if is_best else ""),
                    "loss": f"{minimum.loss:.10g}", "pattern": minimum.pattern[unit.unit],
                    "norm": unit.norm, "size": 0.0,
                    "colour": _COLOURS["global" if is_best else minimum.kind],
                    "marker": "star" if is_best else "circle",
                })
    top = max((r["norm"] for r in rows), default=1.0) or 1.0
    for r in rows:
        r["size"] = round(8.0 + 12.0 * r["norm"] / top, 2)
        r["norm"] = f"{r['norm']:.4g}"
    return {name: [r[name] for r in rows] for name in _MARKER_COLUMNS}


def ring_columns(result: Any, index: int | None) -> dict[str, list]:
    """A ring at each alive unit of minimum ``index`` (none when nothing is selected)."""
    if result is None or index is None:
        return {"h": [], "v": []}
    point = representative(result.minima[index])
    spots = [to_canvas(u.hemisphere, u.position) for u in unit_directions(point.B, point.c)]
    return {"h": [round(s[0], DIGITS) for s in spots], "v": [round(s[1], DIGITS) for s in spots]}


class SphereView(pn.viewable.Viewer):
    """The sphere of directions with the data's great circles and every minimum's units."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        right = DISK_CENTRES[-1][0]
        # Data ranges (the rims and the disks' captions) with a matched aspect: round disks.
        fig = figure(title=TITLE, height=380, sizing_mode="stretch_width", match_aspect=True,
                     x_range=DataRange1d(), y_range=DataRange1d(),
                     tools="pan,wheel_zoom,reset,save", toolbar_location="right")
        fig.title.text_font_size = "13px"
        fig.toolbar.logo = None
        fig.axis.visible = False
        fig.grid.visible = False
        self.mapper = LinearColorMapper(palette=sector_palette(1), low=0, high=1)
        self.cells = fig.patches("xs", "ys", source=ColumnDataSource(_copied(cell_columns(()))),
                                 fill_color={"field": "seen", "transform": self.mapper},
                                 fill_alpha=0.85, line_alpha=0)
        fig.add_layout(ColorBar(color_mapper=self.mapper, title="points seen", width=12),
                       "right")
        empty = circle_columns([])
        self.arcs = fig.multi_line("xs", "ys", source=ColumnDataSource(empty["arcs"]),
                                   line_color="#555555", line_width=1.2)
        disk = rim()
        self.rims = fig.multi_line(
            [list(h + disk[:, 0]) for h, _ in DISK_CENTRES.values()],
            [list(v + disk[:, 1]) for _, v in DISK_CENTRES.values()],
            line_color="#1f5fa8", line_width=2.5)
        self.labels = fig.text("h", "v", "text", source=ColumnDataSource(empty["labels"]),
                               text_font_size="10px", text_color="#222222",
                               text_align="center", text_baseline="bottom")
        fig.text([DISK_CENTRES[1][0], right], [1.08, 1.08],
                 ["c > 0: centre sees every point", "c < 0: centre sees none"],
                 text_font_size="11px", text_align="center", text_color="#1f5fa8")
        fig.text([0.5 * right], [-1.12], ["rims: the equator c = 0"], text_font_size="11px",
                 text_align="center", text_color="#1f5fa8")
        self.markers = fig.scatter("h", "v", source=ColumnDataSource(marker_columns(None)),
                                   marker="marker", size="size", fill_color="colour",
                                   line_color="white")
        self.ring = fig.scatter("h", "v", source=ColumnDataSource(ring_columns(None, None)),
                                marker="circle", size=RING_SIZE, fill_alpha=0,
                                line_color="#d1495b", line_width=3)
        fig.add_tools(HoverTool(renderers=[self.markers], tooltips=[
            (name, f"@{{{name}}}") for name in _MARKER_COLUMNS[2:8]]))
        fig.add_tools(HoverTool(renderers=[self.cells], tooltips=[("a unit here sees",
                                                                    "@label")]))
        fig.on_event(Tap, lambda event: self.select_at(event.x, event.y))
        quiet_hover(fig)
        self.figure = fig
        self._drawn: Any = None  # the result whose markers are drawn
        self._xs: tuple | None = None  # the inputs whose cells and circles are drawn
        state.param.watch(lambda *_: redraw(self._update), ["result", "selection"])
        self._update()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(pn.pane.Bokeh(self.figure, sizing_mode="stretch_width"), caption(
            "Each data point xᵢ is a great circle (b·xᵢ + c = 0); shade: how many points a "
            "unit with that direction sees · every unit of every minimum is a marker at its "
            "direction (size: its norm; ★ global minimum, orange: curve of minima) · ring: "
            "selected · tap a marker to select its minimum."
        ), sizing_mode="stretch_width")

    def _update(self) -> None:
        """Cells, circles and markers for a new result; the ring for the selection."""
        result = two_inputs(self.state.result)
        if result is not self._drawn:
            self._drawn = result
            xs = tuple(result.x) if result is not None else ()
            if xs != self._xs:  # (a new λ or number of units: the same cells and circles)
                self._xs = xs
                n = len(xs)
                self.mapper.update(palette=sector_palette(max(n, 1)), high=max(n, 1))
                set_columns(self.cells.data_source, _copied(cell_columns(xs)))
                circles = circle_columns([(float(a), float(b)) for a, b in xs])
                set_columns(self.arcs.data_source, circles["arcs"])
                set_columns(self.labels.data_source, circles["labels"])
            set_columns(self.markers.data_source, marker_columns(result))
        index = self.state.selected_index if result is not None else None
        set_columns(self.ring.data_source, ring_columns(result, index))

    def select_at(self, h: float | None, v: float | None) -> None:
        """A click on the canvas: select the minimum of the nearest marker, if close."""
        if h is None or v is None:
            return
        data = self.markers.data_source.data
        nearest = nearest_within(np.asarray(data["h"], float), np.asarray(data["v"], float),
                                 h, v, 0.06)
        if nearest is not None:
            self.state.select(int(data["minimum"][nearest]) - 1)

"""Data view for two inputs: the points in the ``(x1, x2)`` plane, ``f`` behind them, the
units' kink lines across the plane.

The points are coloured by ``y`` (a diverging colour map, blue below 0, red above, with a
colour bar); behind them the selected minimum's network function ``f(x)`` is a heatmap in
the same colours, so a well fitted point disappears into its background. Each alive unit
``l`` of the selected minimum is its kink line ``<b_l, x> + c_l = 0`` with short ticks on
its active side (:mod:`explorer.geometry2d.inputplane`). The frame is square and shows a
square box, so ``x1`` and ``x2`` have one scale and the lines keep their true angles.
Hovering a point shows its exact ``x1, x2, y`` and the selected minimum's ``f`` there;
hovering the plane shows ``f(x1, x2)`` (both computed in the browser from the units).

Edit the data by dragging a point (its ``y`` stays), tapping empty space (a new point with
``y = 0``), tap + Backspace (delete), the table (exact values: ``-0.17``, ``1/3``) or the
per-point ``y`` control under the plot; load an example or a CSV file (``x1,x2,y``).
Every edit goes through :meth:`ExplorerState.edit`; a refused edit redraws the last good
data.

The Bokeh figure is built once; every change replaces its sources' columns in place
(:mod:`explorer.views.columns2d`).

Examples
--------
>>> Data2DView.__name__, HEAT_STEPS
('Data2DView', 81)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import (
    ColorBar,
    ColumnDataSource,
    CustomJS,
    CustomJSHover,
    HoverTool,
    Legend,
    LegendItem,
    LinearColorMapper,
    PointDrawTool,
    Range1d,
)
from bokeh.plotting import figure

from explorer.geometry2d.inputplane import grid
from explorer.loss import network
from explorer.problem import MAX_POINTS, Rows, format_data
from explorer.state import ExplorerState
from explorer.views import caption, data_table, redraw, show_table
from explorer.views.columns2d import (
    EMPTY_BOX,
    PALETTE,
    UNIT_COLOURS,  # noqa: F401 - the Training view takes the units' colours from here
    colour_indices,
    data2d_columns,
    empty_heat,
    fit_box,
    network_columns,
    unit_columns,
    y_range,
)
from explorer.views.data import delete_checked, snap
from explorer.views.geometry import representative
from explorer.views.hover import quiet_hover
from explorer.views.sources import set_columns
from explorer.views.sphere2d import two_inputs
from solver.data import parse_rational
from solver.errors import SolverInputError

HEAT_STEPS = 81
TITLE = "Input plane: points coloured by y, f(x) of the selected minimum behind"
# The plot's frame is a square of FRAME pixels showing a square box of the plane: x1 and x2
# have the same scale, so the kink lines keep their true angles (wheel zoom keeps it).
FRAME = 340
MARKER = 14  # the points' size in pixels
# f(x) = sum_l a_l ReLU(b_l . x + c_l) of the selected minimum, from the ``net`` source's
# columns (floats; empty: none selected), then formatted to 4 significant digits.
_F_JS = """
const d = net.data;
if (!d.a || d.a.length === 0) { return '—'; }
let f = 0;
for (let l = 0; l < d.a.length; l++) {
  f += d.a[l] * Math.max(0, d.b1[l] * h + d.b2[l] * v + d.c[l]);
}
return Number(f.toPrecision(4)).toString();
"""
# Hovering a point: f at the point's own coordinates; the background: f under the cursor.
_POINT_F_JS = "const h = points.data.x1[special_vars.index], " \
    "v = points.data.x2[special_vars.index];" + _F_JS
_CURSOR_JS = """
if (format === 'f') { const h = special_vars.x, v = special_vars.y;""" + _F_JS + """}
return Number(value.toPrecision(3)).toString();
"""
# No background tooltip within a marker of a point (that point's tooltip shows instead).
_OFF_POINTS_JS = """
export default (args, tool, {vars}) => {
  const {points, xr, frame, radius} = args;
  const scale = frame / (xr.end - xr.start);
  const {x1, x2} = points.data;
  for (let i = 0; i < x1.length; i++) {
    if (Math.hypot(x1[i] - vars.x, x2[i] - vars.y) * scale <= radius) { return false; }
  }
  return true;
}
"""


class Data2DView(pn.viewable.Viewer):
    """The input plane (d = 2): editable points, f as a heatmap, kink lines; table and y control."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, loaders: tuple = (), **params: Any) -> None:
        super().__init__(state=state, **params)
        self._pushing = False
        self._fitted: tuple = ()  # (result, selected index) whose f and lines are drawn
        # The 1-D view's example chooser, upload and reset (only one of the two views is on
        # the page at a time): one set of loaders for both.
        self.loaders = loaders
        self.mapper = LinearColorMapper(palette=PALETTE, low=-1.0, high=1.0)
        # The heatmap holds palette indices (colour_indices): index k is colour k.
        self.heat_mapper = LinearColorMapper(palette=PALETTE, low=-0.5, high=len(PALETTE) - 0.5)
        fig = figure(title=TITLE, frame_width=FRAME, frame_height=FRAME, width=None, height=None,
                     match_aspect=True,
                     x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                     tools="pan,wheel_zoom,reset,save", toolbar_location="right",
                     x_axis_label="x1", y_axis_label="x2")
        fig.title.text_font_size = "13px"
        fig.toolbar.logo = None
        self.heat = fig.image(image="image", x="x", y="y", dw="dw", dh="dh",
                              source=ColumnDataSource(empty_heat()), color_mapper=self.heat_mapper,
                              alpha=0.85)
        self.lines = fig.multi_line("xs", "ys", source=ColumnDataSource(unit_columns(None,
                                    EMPTY_BOX)["lines"]), color="colour", line_width=3)
        self.ticks = fig.multi_line("xs", "ys", source=ColumnDataSource(unit_columns(None,
                                    EMPTY_BOX)["ticks"]), color="colour", line_width=2)
        self.points = fig.scatter("x1", "x2", source=ColumnDataSource(data2d_columns([])),
                                  size=MARKER, line_color="black", line_width=1.5,
                                  fill_color={"field": "y", "transform": self.mapper})
        self.labels = fig.text("x1", "x2", text="name", source=self.points.data_source,
                               x_offset=9, y_offset=-4, text_font_size="11px")
        draw = PointDrawTool(renderers=[self.points], add=True, num_objects=MAX_POINTS,
                             empty_value=0.0)
        fig.add_tools(draw)
        fig.toolbar.active_tap = draw
        fig.toolbar.active_drag = draw
        self.net = ColumnDataSource(network_columns(None))
        self._add_hover(fig)
        quiet_hover(fig)
        # A legend names the units.
        fig.add_layout(Legend(items=[LegendItem(label={"field": "label"},
                                                renderers=[self.lines])],
                              orientation="horizontal", label_text_font_size="11px",
                              margin=0, padding=4), "below")
        fig.add_layout(ColorBar(color_mapper=self.mapper, title="y and f(x)", width=10), "right")
        self.figure = fig
        self.points.data_source.on_change("data", self._on_points)
        self.table = data_table(self._table_frame())
        self.table.on_edit(self._on_table_edit)
        self.which = pn.widgets.Select(label="Point", options=[], width=80)
        self.y_value = pn.widgets.FloatInput(label="its y", step=0.05, width=110)
        self.which.param.watch(self._show_y, "value")
        self.y_value.param.watch(self._on_y, "value")
        self.add = pn.widgets.Button(label="Add point", width=95)
        self.add.on_click(self._on_add)
        self.delete = pn.widgets.Button(label="Delete checked", width=115)
        self.delete.on_click(self._on_delete)
        state.param.watch(lambda *_: redraw(self._refresh), "data")  # (f: with the result)
        state.param.watch(lambda *_: redraw(self._draw_fit), ["result", "selection"])
        self._refresh()
        self._draw_fit()

    def _add_hover(self, fig: Any) -> None:
        """Hover a point: its exact x1, x2, y and f there; the background: f(x1, x2).

        The tooltips sit beside the cursor (never under it, where they would catch the
        drag of a point); f is evaluated in the browser from the ``net`` source.
        """
        source = self.points.data_source
        point_f = CustomJSHover(args={"points": source, "net": self.net}, code=_POINT_F_JS)
        fig.add_tools(HoverTool(
            renderers=[self.points], attachment="right", formatters={"@y": point_f},
            tooltips=[("point", "@name"), ("x1", "@x1_exact"), ("x2", "@x2_exact"),
                      ("y", "@y_exact"), ("f(x) of the selected minimum", "@y{f}")],
            description="Hover a point: its exact x1, x2, y and f there"))
        cursor = CustomJSHover(args={"net": self.net}, code=_CURSOR_JS)
        off_points = CustomJS(args={"points": source, "xr": fig.x_range, "frame": FRAME,
                                    "radius": MARKER / 2 + 3}, code=_OFF_POINTS_JS)
        fig.add_tools(HoverTool(
            renderers=[self.heat], attachment="right",
            formatters={"$x": cursor, "$y": cursor}, filters={"$x": off_points},
            tooltips=[("x1", "$x{n}"), ("x2", "$y{n}"), ("f(x1, x2)", "$x{f}")],
            description="Hover the plane: f(x1, x2) of the selected minimum"))

    def __panel__(self) -> pn.viewable.Viewable:
        # Not stretched: the frame stays FRAME x FRAME pixels (a stretched pane squeezed it
        # to 283 x 341 in a narrower card, and x1 lost its scale's equality with x2).
        plot = pn.pane.Bokeh(self.figure)
        help_text = caption(
            "Drag a point · tap to add (y = 0) · tap then Backspace to delete · type exact "
            "values in the table · set a point's y below. Lines: each unit's kink "
            "b·x + c = 0, ticks on the side where it is on."
        )
        y_row = pn.Row(self.which, self.y_value, self.add, self.delete)
        return pn.Column(plot, help_text, y_row, self.table, pn.Row(*self.loaders),
                         sizing_mode="stretch_width")

    # ------------------------------------------------------------------- drawing
    def _rows(self) -> Rows:
        """The state's rows if they have two inputs (else nothing: the 1-D view draws them)."""
        return self.state.rows if self.state.d == 2 else []

    def _refresh(self, *events: Any) -> None:
        """Show the state's (last good) data: points, table, y control, box, colour scale.

        f and the kink lines are the result's (:meth:`_draw_fit`): they are drawn when the
        result for these data arrives, once, not again here for the old result.
        """
        rows = self._rows()
        columns = data2d_columns(rows)
        box = fit_box(list(zip(columns["x1"], columns["x2"], strict=True)))
        self._pushing = True
        try:
            set_columns(self.points.data_source, columns)
        finally:
            self._pushing = False
        self.figure.x_range.update(start=box[0], end=box[1])
        self.figure.y_range.update(start=box[2], end=box[3])
        scale = y_range(columns["y"])
        self.mapper.update(low=-scale, high=scale)
        show_table(self.table, self._table_frame())
        names = [f"x{i + 1}" for i in range(len(rows))]
        self.which.options = names
        if self.which.value not in names:
            self.which.value = names[0] if names else None
        self._show_y()

    def _draw_fit(self, *events: Any) -> None:
        """The selected minimum's f as a heatmap and its units' kink lines, over the box and
        in the colour scale of the data it was solved for (those the view shows once it
        has arrived); nothing when that minimum is drawn already."""
        result = two_inputs(self.state.result) if self._rows() else None
        index = None if result is None else self.state.selected_index
        if self._fitted and self._fitted[0] is result and self._fitted[1] == index:
            return
        self._fitted = (result, index)
        point = None if index is None else representative(result.minima[index])
        self.net.data = network_columns(point)
        if point is None:
            set_columns(self.heat.data_source, empty_heat())
            drawn = unit_columns(None, EMPTY_BOX)
        else:
            box = fit_box([(float(a), float(b)) for a, b in result.x])
            scale = y_range([float(v) for v in result.y])
            _, _, where = grid(box, HEAT_STEPS)
            values = network(point.B, point.c, point.a, where).reshape(HEAT_STEPS, HEAT_STEPS)
            set_columns(self.heat.data_source, {
                "image": [colour_indices(values, scale)], "x": [box[0]], "y": [box[2]],
                "dw": [box[1] - box[0]], "dh": [box[3] - box[2]]})
            drawn = unit_columns(point, box)
        set_columns(self.lines.data_source, drawn["lines"])
        set_columns(self.ticks.data_source, drawn["ticks"])

    def _table_frame(self) -> pd.DataFrame:
        """The data as exact strings, one row per point."""
        rows = self._rows()
        return pd.DataFrame({
            "point": [f"x{i + 1}" for i in range(len(rows))],
            "x1": [r[0] for r in rows], "x2": [r[1] for r in rows], "y": [r[2] for r in rows],
        })

    def _show_y(self, *events: Any) -> None:
        """The y control shows the chosen point's y."""
        rows = self._rows()
        names = [f"x{i + 1}" for i in range(len(rows))]
        if self.which.value in names:
            value = float(Fraction(rows[names.index(self.which.value)][2]))
            if self.y_value.value != value:
                self._pushing = True
                try:
                    self.y_value.value = value
                finally:
                    self._pushing = False

    # ------------------------------------------------------------------ editing
    def _propose(self, rows: Rows) -> None:
        """Ask the state to take ``rows``; redraw the last good data if it refuses."""
        if not self.state.edit(data=format_data(rows)):
            self._refresh()

    def _on_points(self, attr: str, old: Any, new: Any) -> None:
        """The plot's points changed (drag, tap to add, Backspace to delete)."""
        if self._pushing or self.state.d != 2:
            return
        x1 = np.asarray(new.get("x1", []), dtype=float)
        x2 = np.asarray(new.get("x2", []), dtype=float)
        before = self.state.rows
        old_xy = np.array([[float(Fraction(r[0])), float(Fraction(r[1]))] for r in before])
        rows: Rows = []
        for k, (h, v) in enumerate(zip(x1, x2, strict=True)):
            if not (np.isfinite(h) and np.isfinite(v)):
                continue
            same = np.flatnonzero(np.all(np.isclose(old_xy, [h, v], rtol=0, atol=1e-9),
                                         axis=1))
            if k < len(before) and k in same:
                rows.append(before[k])
            elif same.size:
                rows.append(before[int(same[0])])
            elif len(x1) == len(before):  # a drag: the point keeps its y
                rows.append((snap(h), snap(v), before[k][2]))
            else:
                rows.append((snap(h), snap(v), "0"))
        if rows != before:
            self._propose(rows)

    def _on_table_edit(self, event: Any) -> None:
        """A cell was typed in: keep the exact text the user entered."""
        rows = list(self.state.rows)
        text = str(event.value).strip()
        try:  # a comma or semicolon would be read as a separator of the data text
            parse_rational(text, f"{event.column} of point {event.row + 1}")
        except SolverInputError as exc:
            self.state.message = f"Refused: {exc}. The last good state is kept."
            self._refresh()
            return
        row = list(rows[event.row])
        row[("x1", "x2", "y").index(event.column)] = text
        rows[event.row] = tuple(row)
        self._propose(rows)

    def _on_y(self, event: Any) -> None:
        """The y control was changed: the chosen point takes that y (snapped to 0.01)."""
        if self._pushing or event.new is None or self.which.value is None:
            return
        rows = list(self._rows())
        k = int(self.which.value[1:]) - 1
        if k >= len(rows) or Fraction(rows[k][2]) == Fraction(snap(event.new)):
            return
        rows[k] = (rows[k][0], rows[k][1], snap(event.new))
        self._propose(rows)

    def _on_add(self, _: Any) -> None:
        """Add a point to the right of the data, at mid height, with y = 0."""
        rows = list(self._rows())
        h = max(float(Fraction(r[0])) for r in rows) + 0.25
        v = float(np.mean([float(Fraction(r[1])) for r in rows]))
        rows.append((snap(h), snap(v), "0"))
        self._propose(rows)

    def _on_delete(self, _: Any) -> None:
        """Delete the rows checked in the table."""
        delete_checked(self.table, self.state, self._propose)

"""Data view: the (x, y) points, editable in the plot and in a table, with f(x) drawn over them.

Drag a point, tap to add one, tap + Backspace to delete (HoloViews ``PointDraw``), or type
exact values (``-0.17``, ``1/3``) in the table. Moved and added points snap to 0.01 so
their exact values stay short. Every edit goes through :meth:`ExplorerState.edit`; a refused
edit redraws the last good data. The plot is a plain Bokeh figure built once (Bokeh's
``PointDrawTool`` on the points' source); edits only send its sources the columns that
changed, and f(x), piecewise linear, is drawn exactly through its kinks.

Examples
--------
>>> snap(0.4412)
'0.44'
>>> snap(-1.0)
'-1'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, HoverTool, Label, Line, PointDrawTool
from bokeh.plotting import figure

from explorer.loss import network
from explorer.problem import (
    DEFAULT_DATA,
    DEFAULT_LAM,
    DEFAULT_UNITS,
    MAX_POINTS,
    Rows,
    csv_to_data,
    decode_csv,
    format_data,
)
from explorer.state import ExplorerState
from explorer.views import caption, data_table, redraw, show_table
from explorer.views.examples import CHOOSE, example_files, example_of
from explorer.views.geometry import one_input, representative
from explorer.views.glyphs import add_glyph
from explorer.views.hover import quiet_hover
from explorer.views.sources import set_columns
from solver.data import parse_rational
from solver.errors import SolverInputError

_COLORS = {"points": "#1f5fa8", "fit": "#d1495b", "run": "#222222"}
TITLE = "Data and f(x) of the selected minimum"
GRID_POINTS = 400
RUN_NAME = "data-training-run"  # the animated run's line (browser tests find it by name)


@dataclass(frozen=True)
class RunOverlay:
    """The animated training run in the Data view: its f(x) ``source`` (columns ``x``,
    ``y``) and a ``label`` naming the step shown."""

    source: ColumnDataSource
    label: Label

    def clear(self) -> None:
        """No run shown."""
        self.source.data = {"x": [], "y": []}
        self.label.text = ""


_OVERLAYS: WeakKeyDictionary[ExplorerState, RunOverlay] = WeakKeyDictionary()


def run_overlay(state: ExplorerState) -> RunOverlay:
    """The session's animated-run overlay (one per state: the Training view fills it and its
    player moves it in the browser; the Data view draws it).

    >>> from explorer.runner import SolveRunner
    >>> state = ExplorerState(runner=SolveRunner(processes=False))
    >>> run_overlay(state) is run_overlay(state), run_overlay(state).source.data
    (True, {'x': [], 'y': []})
    """
    if state not in _OVERLAYS:
        label = Label(x=8, y=8, x_units="screen", y_units="screen", text="",
                      text_font_size="12px", text_color=_COLORS["run"],
                      background_fill_color="white", background_fill_alpha=0.7,
                      name=f"{RUN_NAME}-label", level="overlay")
        _OVERLAYS[state] = RunOverlay(ColumnDataSource({"x": [], "y": []},
                                                       name=f"{RUN_NAME}-source"),
                                      label)
    return _OVERLAYS[state]


def fit_grid(rows: Rows) -> np.ndarray:
    """The x values f(x) is drawn at: the data's x range with a margin (1-D rows).

    >>> g = fit_grid([("0", "1"), ("1", "0")]); round(float(g[0]), 2), round(float(g[-1]), 2)
    (-0.2, 1.2)
    """
    xs = [float(Fraction(x)) for x, _ in rows]
    low, high = min(xs), max(xs)
    pad = 0.15 * (high - low) + 0.05
    return np.linspace(low - pad, high + pad, GRID_POINTS)


def snap(value: float, digits: int = 2) -> str:
    """A dragged coordinate as a short exact decimal string (snapped to 10^-digits)."""
    text = f"{round(float(value), digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def delete_checked(table: pn.widgets.Tabulator, state: ExplorerState,
                   propose: Callable[[Rows], None]) -> None:
    """Propose the state's rows without those checked in ``table`` (1-D and 2-D data views);
    with none checked, say how to delete instead."""
    checked = set(table.selection)
    if not checked:
        state.message = "Check the rows to delete in the table first."
        return
    propose([row for i, row in enumerate(state.rows) if i not in checked])
    table.selection = []


def one_input_rows(state: ExplorerState) -> Rows:
    """The state's rows if they have one input (2-D data are drawn by the 2-D data view)."""
    return state.rows if state.d == 1 else []


def _frame(rows: Rows) -> pd.DataFrame:
    """Float coordinates for plotting (always float-typed, even when empty)."""
    xs = [float(Fraction(x)) if _is_number(x) else np.nan for x, _ in rows]
    ys = [float(Fraction(y)) if _is_number(y) else np.nan for _, y in rows]
    return pd.DataFrame({"x": np.asarray(xs, float), "y": np.asarray(ys, float)})


def _is_number(text: str) -> bool:
    """Whether ``text`` parses as a fraction (rows in the state always do)."""
    try:
        Fraction(text)
    except (ValueError, ZeroDivisionError):
        return False
    return True


def point_columns(rows: Rows) -> dict[str, list[float]]:
    """The data points' source columns.

    >>> point_columns([("1/2", "-1")])
    {'x': [0.5], 'y': [-1.0]}
    """
    frame = _frame(rows)
    return {"x": frame["x"].tolist(), "y": frame["y"].tolist()}


def kink_grid(B: Any, c: Any, low: float, high: float) -> np.ndarray:
    """The x values where a 1-D network's f is drawn exactly: ``low``, every unit's kink
    ``x = -c_l / b_l`` strictly between, and ``high``; f is linear between them.

    >>> kink_grid([[2.0], [0.0], [1.0]], [-1.0, 3.0, 5.0], -1.0, 1.0).tolist()
    [-1.0, 0.5, 1.0]
    """
    b = np.asarray(B, float).reshape(-1)
    c = np.asarray(c, float)
    moving = b != 0
    kinks = -c[moving] / b[moving]
    inside = kinks[(kinks > low) & (kinks < high)]
    return np.unique(np.concatenate([[low], inside, [high]]))


def fit_columns(state: ExplorerState) -> dict[str, Any]:
    """f(x) of the selected minimum over the data's x range (empty when none is selected):
    its kinks and the range's ends (f is piecewise linear: drawn exactly, a few points).

    >>> from explorer.runner import SolveRunner
    >>> columns = fit_columns(ExplorerState(runner=SolveRunner(processes=False)))
    >>> 2 <= len(columns["x"]) <= 2 + 2  # two units: at most two kinks
    True
    """
    one = state.d == 1 and one_input(state.result) is not None  # 2-D: the 2-D view draws
    minimum = state.selected if one else None
    if minimum is None:
        return {"x": np.zeros(0), "y": np.zeros(0)}
    grid = fit_grid(state.rows)
    point = representative(minimum)
    xs = kink_grid(point.B, point.c, float(grid[0]), float(grid[-1]))
    return {"x": xs, "y": np.asarray(network(point.B, point.c, point.a, xs), float)}


class DataView(pn.viewable.Viewer):
    """Editable data plot and table, example loader, CSV upload and reset.

    The Bokeh figure is built once: its point source is what the draw tool edits, and the
    state's data and the selected minimum's f(x) only replace its sources' columns.
    """

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        self._examples = example_files()
        fig = figure(title=TITLE, height=330, sizing_mode="stretch_width", x_axis_label="x",
                     y_axis_label="y", tools="pan,wheel_zoom,box_zoom,reset,save",
                     toolbar_location="right")
        fig.toolbar.logo = None
        # Ranges follow the points (and f(x)) with a margin, so no marker is cut at an edge.
        fig.x_range.range_padding = fig.y_range.range_padding = 0.15
        self.fit = add_glyph(fig, ColumnDataSource(fit_columns(state)), Line(
            x="x", y="y", line_color=_COLORS["fit"], line_width=2.5))
        points = point_columns(one_input_rows(state))
        overlay = run_overlay(state)
        self.run = add_glyph(fig, overlay.source, Line(
            x="x", y="y", line_color=_COLORS["run"], line_width=2, line_dash="dashed"),
            name=RUN_NAME, level="overlay")  # the animation repaints this layer only
        fig.add_layout(overlay.label)
        self.points = fig.scatter("x", "y", source=ColumnDataSource(points),
                                  size=11, fill_color=_COLORS["points"], line_color="white")
        # the ranges follow the data and the minimum's f(x), not the run's (it may overshoot)
        fig.x_range.renderers = [self.fit, self.points]
        fig.y_range.renderers = [self.fit, self.points]
        self.draw = PointDrawTool(renderers=[self.points], num_objects=MAX_POINTS, add=True)
        fig.add_tools(self.draw, HoverTool(renderers=[self.points],
                                           tooltips=[("x", "@x"), ("y", "@y")]))
        quiet_hover(fig)
        fig.toolbar.active_tap = self.draw
        fig.toolbar.active_drag = self.draw
        self.points.data_source.on_change("data", self._on_source)
        self.figure = fig
        self.table = data_table(self._table_frame())
        self.table.on_edit(self._on_table_edit)
        self.example = pn.widgets.Select(
            options=[CHOOSE, *self._examples], value=example_of(state.data, self._examples),
            label="Example", width=170,
        )
        self.example.param.watch(self._on_example, "value")
        self.upload = pn.widgets.FileInput(accept=".csv", multiple=False, width=240)
        self.upload.param.watch(self._on_upload, "value")
        self.add = pn.widgets.Button(label="Add point", width=95)
        self.add.on_click(self._on_add)
        self.delete = pn.widgets.Button(label="Delete checked", width=115)
        self.delete.on_click(self._on_delete)
        self.reset = pn.widgets.Button(label="Reset", color="warning", width=80)
        self.reset.on_click(self._on_reset)
        state.param.watch(self._refresh, "data")
        state.param.watch(self._name_example, "data")
        state.param.watch(self._draw_fit, ["result", "selection"])

    def __panel__(self) -> pn.viewable.Viewable:
        plot = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")
        help_text = caption(
            "Drag a point · tap to add · tap then Backspace to delete · type exact values "
            "(`-0.17`, `1/3`) in the table."
        )
        buttons = pn.Row(self.add, self.delete, self.reset)
        upload = pn.Column(pn.pane.Markdown("Upload CSV (x,y)", margin=(0, 5)), self.upload)
        loaders = pn.Row(self.example, upload)
        return pn.Column(plot, help_text, self.table, buttons, loaders, sizing_mode="stretch_width")

    # ------------------------------------------------------------------- drawing
    def _draw_fit(self, *events: Any) -> None:
        """The network function of the selected minimum."""
        redraw(lambda: set_columns(self.fit.data_source, fit_columns(self.state)))

    def _table_frame(self) -> pd.DataFrame:
        """The data as exact strings, one row per point."""
        rows = one_input_rows(self.state)
        return pd.DataFrame({
            "point": [f"x{i + 1}" for i in range(len(rows))],
            "x": [x for x, _ in rows],
            "y": [y for _, y in rows],
        })

    def _refresh(self, *events: Any) -> None:
        """Show the state's (last good) data in the plot and the table."""
        columns = point_columns(one_input_rows(self.state))
        redraw(lambda: set_columns(self.points.data_source, columns))
        show_table(self.table, self._table_frame())

    # ------------------------------------------------------------------ editing
    def _propose(self, rows: Rows) -> None:
        """Ask the state to take ``rows``; redraw the last good data if it refuses."""
        if not self.state.edit(data=format_data(rows)):
            self._refresh()

    def _on_source(self, attr: str, old: Any, new: dict[str, Any]) -> None:
        """The draw tool changed the point source (the browser sent it)."""
        self._on_draw(data=new)

    def _on_draw(self, data: dict[str, Any] | None = None, **_: Any) -> None:
        """A point was dragged, added or deleted in the plot."""
        if not data or self.state.d != 1:  # (emptied for 2-D data: not an edit)
            return
        xs = np.asarray(data.get("x", []), dtype=float)
        ys = np.asarray(data.get("y", []), dtype=float)
        old = self.state.rows
        old_xy = _frame(old).to_numpy()
        rows: Rows = []
        for k, (x, y) in enumerate(zip(xs, ys, strict=True)):
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            same = np.flatnonzero(np.all(np.isclose(old_xy, [x, y], rtol=0, atol=1e-12), axis=1))
            if k < len(old) and k in same:
                rows.append(old[k])
            elif same.size:
                rows.append(old[int(same[0])])
            else:
                rows.append((snap(x), snap(y)))
        if rows != old:
            self._propose(rows)

    def _on_table_edit(self, event: Any) -> None:
        """A cell was typed in: keep the exact text the user entered."""
        rows = list(self.state.rows)
        x, y = rows[event.row]
        text = str(event.value).strip()
        try:  # a comma or semicolon would be read as a separator of the data text
            parse_rational(text, f"{event.column} of point {event.row + 1}")
        except SolverInputError as exc:
            self.state.message = f"Refused: {exc}. The last good state is kept."
            self._refresh()
            return
        rows[event.row] = (text, y) if event.column == "x" else (x, text)
        self._propose(rows)

    def _on_add(self, _: Any) -> None:
        """Add a point to the right of the data."""
        rows = list(self.state.rows)
        xs = [Fraction(x) for x, _ in rows]
        rows.append((snap(float(max(xs)) + 0.25), "0"))
        self._propose(rows)

    def _on_delete(self, _: Any) -> None:
        """Delete the rows checked in the table."""
        delete_checked(self.table, self.state, self._propose)

    def _on_example(self, event: Any) -> None:
        """Load one of the example data sets (unless they are the data shown already)."""
        if event.new not in self._examples or event.new == example_of(self.state.data,
                                                                       self._examples):
            return
        if self.state.edit(data=self._examples[event.new]):
            self.state.select(-1)
        else:
            self._name_example()

    def _name_example(self, *events: Any) -> None:
        """Show the example the data are (from a link, the tour or a typed edit too), or
        :data:`CHOOSE` when they are none."""
        self.example.value = example_of(self.state.data, self._examples)

    def _on_upload(self, event: Any) -> None:
        """Load an uploaded CSV file (header ``x,y``)."""
        if event.new is None:
            return
        name = self.upload.filename or "upload"
        try:
            text = csv_to_data(decode_csv(event.new, name), source=name)
        except SolverInputError as exc:
            self.state.message = f"Refused: {exc}. The last good state is kept."
            return
        self.state.edit(data=text)

    def _on_reset(self, _: Any) -> None:
        """Back to the paper's example (data, λ = 1/100, 2 units)."""
        self.state.edit(data=DEFAULT_DATA, lam=DEFAULT_LAM, units=DEFAULT_UNITS)
        self.state.select(-1)

"""The Training view's pieces for two inputs (d = 2): the animated run's f(x1, x2) as a
heatmap with its units' kink lines over the data, and what it starts from.

On the (b, c) plane of 1-D data a unit is a point; for d = 2 the Training view draws each
unit's input weights ``(b1, b2)`` instead (its direction and size in the input plane: the
kink line is perpendicular to it), and the animated run's f as a heatmap in the input
plane, as the 2-D Data view draws a minimum's (the same colours, box and grid helpers:
:mod:`explorer.views.data2d`, :mod:`explorer.geometry2d.inputplane`). The browser redraws
both every frame (:data:`explorer.views.training_plots.ANIMATE_JS`); the functions here give
the first frame, which the tests check.

Examples
--------
>>> heat = heat_data(([1.0], [[1.0, 0.0]], [0.0]), (-1.0, 1.0, -1.0, 1.0))
>>> heat["image"][0][0, [0, -1]].tolist()
[0.0, 1.0]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from bokeh.models import ColumnDataSource, Image, LinearColorMapper, MultiLine, Range1d, Scatter
from bokeh.plotting import figure

from explorer.geometry2d.inputplane import data_box, grid, kink_segment, square_box
from explorer.loss import network
from explorer.views.data2d import FRAME, PALETTE, UNIT_COLOURS, y_range
from explorer.views.glyphs import add_glyph

HEAT_STEPS = 41  # the animated run's heatmap: 41 x 41 values, computed in the browser
Box = tuple[float, float, float, float]
Network = tuple[Any, Any, Any]  # a (L,), B (L, 2), c (L,)


def input_box(rows: list) -> Box:
    """The square box of the input plane around the data (as the 2-D Data view's)."""
    if not rows:
        return (-1.0, 1.0, -1.0, 1.0)
    return square_box(data_box([(float(Fraction(r[0])), float(Fraction(r[1]))) for r in rows]))


def point_data(rows: list) -> dict[str, list[float]]:
    """The data points' columns ``x1, x2, y`` (floats, for drawing)."""
    return {k: [float(Fraction(r[j])) for r in rows] for j, k in enumerate(("x1", "x2", "y"))}


def heat_data(net: Network, box: Box) -> dict[str, list]:
    """f of the network ``(a, B, c)`` on the ``HEAT_STEPS`` grid over ``box`` as an image."""
    a, B, c = (np.asarray(v, dtype=float) for v in net)
    values = network(B, c, a, grid(box, HEAT_STEPS)[2]).reshape(HEAT_STEPS, HEAT_STEPS)
    return {"image": [values], "x": [box[0]], "y": [box[2]], "dw": [box[1] - box[0]],
            "dh": [box[3] - box[2]]}


def kink_data(net: Network, box: Box) -> dict[str, list]:
    """Each unit's kink line ``<b, x> + c = 0`` inside ``box`` (none for a unit whose line
    misses it) and its unit's number, in the unit's colour of the 2-D Data view (a unit
    looks the same in both).

    >>> kink_data(([1.0, 1.0], [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.5]), (-1, 1, -1, 1))["color"]
    ['#111111', '#7b2cbf']
    """
    out: dict[str, list] = {"xs": [], "ys": [], "color": [], "unit": []}
    a, B, c = net
    for k in range(len(a)):
        segment = kink_segment(B[k], float(c[k]), box)
        if segment is not None:
            out["xs"].append([float(segment[0][0]), float(segment[1][0])])
            out["ys"].append([float(segment[0][1]), float(segment[1][1])])
            out["color"].append(UNIT_COLOURS[k % len(UNIT_COLOURS)])
            out["unit"].append(k + 1)
    return out


def empty_sources() -> dict[str, dict]:
    """The 2-D sources' empty columns (added to the view's sources)."""
    return {"heat": {"image": [], "x": [], "y": [], "dw": [], "dh": []},
            "kinks": {"xs": [], "ys": [], "color": [], "unit": []},
            "points2": {"x1": [], "x2": [], "y": []}}


def run_figure2(src: dict[str, ColumnDataSource]) -> tuple[Any, LinearColorMapper]:
    """The animated run in the input plane: f as a heatmap (the 2-D Data view's colours:
    blue below 0, red above), the units' kink lines and the data coloured by y. Everything
    moving is on the overlay level (a frame repaints that canvas layer only). Its frame
    is the Data view's square showing the same square box: x1 and x2 have one scale."""
    mapper = LinearColorMapper(palette=list(PALETTE), low=-1.0, high=1.0)
    fig = figure(frame_width=FRAME, frame_height=FRAME, width=None, height=None,
                 x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                 title="Animated run: f(x1, x2) and each unit's kink line",
                 x_axis_label="x1", y_axis_label="x2", tools="save", toolbar_location="right",
                 name="training-fx2-figure")
    add_glyph(fig, src["heat"], Image(image="image", x="x", y="y", dw="dw", dh="dh",
                                      color_mapper=mapper, global_alpha=0.85), level="overlay")
    add_glyph(fig, src["kinks"], MultiLine(xs="xs", ys="ys", line_color="color", line_width=3),
              level="overlay")
    add_glyph(fig, src["points2"], Scatter(x="x1", y="x2", size=11, line_color="black", fill_color={
        "field": "y", "transform": mapper}), level="overlay")
    return fig, mapper


def color_scale(rows: list) -> float:
    """Half-width of the colour scale for the data's y (as the 2-D Data view's)."""
    return y_range([float(Fraction(r[2])) for r in rows])

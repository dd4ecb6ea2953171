"""The input plane's data-source columns (d = 2): points, f's colours, units' kink lines.

Pure functions of the data and of a parameter point, for :mod:`explorer.views.data2d`
(and the Training view's input plane, which shares its colours).

Examples
--------
>>> data2d_columns([("0", "0", "1"), ("1", "0", "-1/2")])["y"]
[1.0, -0.5]
>>> y_range([1.0, -0.5])
1.1
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from bokeh.palettes import RdBu11, interp_palette

from explorer.geometry2d.inputplane import data_box, kink_segment, side_ticks, square_box
from explorer.problem import Rows

# Blue (low y) through white to red (high y).
PALETTE = tuple(interp_palette(RdBu11, 256))
UNIT_COLOURS = ("#111111", "#7b2cbf", "#1b7837", "#d4a017")  # apart from the blue-red map
EMPTY_BOX = (-1.0, 1.0, -1.0, 1.0)


def data2d_columns(rows: Rows) -> dict[str, list]:
    """The points' source columns: float coordinates and exact labels for hover."""
    return {
        "x1": [float(Fraction(r[0])) for r in rows],
        "x2": [float(Fraction(r[1])) for r in rows],
        "y": [float(Fraction(r[2])) for r in rows],
        "name": [f"x{i + 1}" for i in range(len(rows))],
        "x1_exact": [r[0] for r in rows],
        "x2_exact": [r[1] for r in rows],
        "y_exact": [r[2] for r in rows],
    }


def network_columns(point: Any) -> dict[str, list[float]]:
    """The ``net`` source: each unit's ``b1, b2, c, a`` (floats) of a parameter point, for
    the hover's f in the browser (empty for ``None``: no minimum selected).

    >>> from types import SimpleNamespace
    >>> network_columns(SimpleNamespace(B=[(1.0, 2.0)], c=[0.5], a=[-1.0]))
    {'b1': [1.0], 'b2': [2.0], 'c': [0.5], 'a': [-1.0]}
    """
    if point is None:
        return {"b1": [], "b2": [], "c": [], "a": []}
    return {"b1": [float(b[0]) for b in point.B], "b2": [float(b[1]) for b in point.B],
            "c": [float(c) for c in point.c], "a": [float(a) for a in point.a]}


def y_range(values: list[float] | np.ndarray) -> float:
    """Half-width of the colour scale: 1.1 times the largest ``|y|`` (at least 0.1)."""
    top = float(np.max(np.abs(values))) if len(values) else 0.0
    return round(max(0.1, 1.1 * top), 12)


def fit_box(xs: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The square box the input plane shows around the inputs ``xs`` (a default without).

    >>> fit_box([(0.0, 0.0), (1.0, 2.0)])
    (-1.0, 2.0, -0.5, 2.5)
    """
    return square_box(data_box(xs)) if xs else EMPTY_BOX


def colour_indices(values: np.ndarray, scale: float) -> np.ndarray:
    """``values`` as indices into :data:`PALETTE` (uint8): the colours the points' map gives
    them on ``[-scale, scale]`` (Bokeh's linear map: ``floor((v - low) / (high - low) * N)``,
    clipped to the palette), a quarter of the bytes of float32. Hover evaluates f in the
    page from the units, so the image only needs its colours.

    >>> colour_indices(np.array([-2.0, -1.0, 0.0, 0.999, 1.0]), 1.0).tolist()
    [0, 0, 128, 255, 255]
    """
    size = len(PALETTE)
    index = np.floor((np.asarray(values, float) + scale) / (2.0 * scale) * size)
    return np.clip(index, 0, size - 1).astype(np.uint8)


def unit_columns(point: Any, box: tuple[float, float, float, float]) -> dict[str, dict]:
    """Kink lines and active-side ticks of a parameter point's alive units in ``box``."""
    lines: dict[str, list] = {"xs": [], "ys": [], "colour": [], "unit": [], "label": []}
    ticks: dict[str, list] = {"xs": [], "ys": [], "colour": []}
    if point is not None:
        for k, (b, c, a) in enumerate(zip(point.B, point.c, point.a, strict=True)):
            segment = kink_segment(b, c, box)
            if segment is None:
                continue
            colour = UNIT_COLOURS[k % len(UNIT_COLOURS)]
            lines["xs"].append([segment[0][0], segment[1][0]])
            lines["ys"].append([segment[0][1], segment[1][1]])
            lines["colour"].append(colour)
            lines["unit"].append(k + 1)
            lines["label"].append(f"unit {k + 1} (a = {a:.3g})")
            for start, stop in side_ticks(b, c, box):
                ticks["xs"].append([start[0], stop[0]])
                ticks["ys"].append([start[1], stop[1]])
                ticks["colour"].append(colour)
    return {"lines": lines, "ticks": ticks}


def empty_heat() -> dict[str, list]:
    """A heatmap source with nothing to show (one transparent pixel)."""
    return {"image": [np.full((1, 1), np.nan)], "x": [0.0], "y": [0.0], "dw": [1.0],
            "dh": [1.0]}

"""Data and Bokeh figures of the Training view (plain numpy and Bokeh, testable headless).

Every figure is built once with empty :class:`~bokeh.models.ColumnDataSource` s; a new
training only replaces the sources' data (no new models: cheap redraws). The animated
run's frames are all sent to the browser at once, and a small JavaScript callback on the
player (:data:`ANIMATE_JS`) moves the markers, f(x) and the loss dot there: the animation
runs at the player's rate whatever the server is doing.

Examples
--------
>>> bar_data((), None)["label"]
[]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from bokeh.models import (
    ColumnDataSource,
    FactorRange,
    Image,
    Line,
    LinearColorMapper,
    MultiLine,
    Range1d,
    Scatter,
    Segment,
    Whisker,
)
from bokeh.palettes import Category10_10, Viridis256
from bokeh.plotting import figure

from explorer.loss import reduced_loss
from explorer.views.data2d import UNIT_COLOURS
from explorer.views.geometry import line_segments, plane_radius, representative
from explorer.views.glyphs import add_glyph
from explorer.views.training2d import HEAT_STEPS, empty_sources

GLOBAL_COLOR = "#d1495b"
STUCK_COLOR = "#8c8c8c"
OTHER_COLOR = "#cfcfcf"
SURFACE_GRID = 90
# The render level of what the animation moves: Bokeh paints "overlay" renderers on a canvas
# layer of their own, so a frame repaints that layer only, not the axes, grids and the other
# glyphs (each of whose style properties Bokeh 3.9 reads through getComputedStyle on every
# paint: four whole plots a frame cost about 0.1 s, a frame rate of 4-10 per second).
MOVING = "overlay"


def minimum_colors(result: Any) -> dict[int, str]:
    """A colour per minimum index: the global minima red, the others from Category10."""
    if result is None or not result.minima:
        return {}
    best = min(m.loss for m in result.minima)
    palette = [c for c in Category10_10 if c != "#d62728"]
    out, k, by_orbit = {}, 0, {}
    for i, m in enumerate(result.minima):
        if np.isclose(m.loss, best, rtol=1e-12, atol=1e-12):
            out[i] = GLOBAL_COLOR
            continue
        if m.orbit not in by_orbit:
            by_orbit[m.orbit] = palette[k % len(palette)]
            k += 1
        out[i] = by_orbit[m.orbit]
    return out


def bar_data(basins: tuple, result: Any) -> dict[str, list]:
    """The basin table as bar columns: label, share and interval in percent, colour,
    the minimum's index (-1 for other outcomes) and a hover line."""
    colors = minimum_colors(result)
    cols: dict[str, list] = {k: [] for k in ("label", "share", "lo", "hi", "color", "minimum",
                                             "runs", "what")}
    for b in basins:
        lm = b.landmark
        if b.outcome == "minimum" and lm is not None:
            label = f"#{lm.index + 1}" + (" ★" if b.is_global else "")
            color = colors.get(lm.index, GLOBAL_COLOR if b.is_global else "#1f77b4")
            what = (f"minimum #{lm.index + 1} ({'curve' if lm.curve else 'point'}), loss "
                    f"{b.loss:.6g}: converged {b.converged}, hovering at its kink {b.hovering}")
            index = lm.index
        elif b.outcome == "stuck" and lm is not None:
            label = "all dead" if not lm.neurons else f"stuck cp{lm.index + 1}"
            color, index = STUCK_COLOR, -1
            what = f"stuck at critical point {lm.index + 1} (not a minimum): {b.why}"
        else:
            label, color, index, what = b.outcome, OTHER_COLOR, -1, b.outcome
        cols["label"].append(label)
        cols["share"].append(100 * b.share)
        cols["lo"].append(100 * b.ci95[0])
        cols["hi"].append(100 * b.ci95[1])
        cols["color"].append(color)
        cols["minimum"].append(index)
        cols["runs"].append(b.runs)
        cols["what"].append(what)
    return cols


def trajectory_data(sample: Any, result: Any) -> tuple[dict, dict]:
    """Sampled runs on the plane of units: one path per run and unit, coloured by the
    minimum reached (grey otherwise), and their end points. The plane's two coordinates
    (columns ``b``, ``c``) are a unit's ``(b, c)`` for d = 1 and its ``(b1, b2)`` for d = 2."""
    colors = minimum_colors(result)
    xs, ys, color, ends = [], [], [], {"b": [], "c": [], "color": []}
    if sample is not None:
        vertical = sample.c if sample.b2 is None else sample.b2
        for k in range(sample.b.shape[1]):
            col = colors.get(sample.minimum[k], STUCK_COLOR)
            for l in range(sample.b.shape[2]):
                xs.append(sample.b[:, k, l].tolist())
                ys.append(vertical[:, k, l].tolist())
                color.append(col)
                ends["b"].append(float(sample.b[-1, k, l]))
                ends["c"].append(float(vertical[-1, k, l]))
                ends["color"].append(col)
    return {"xs": xs, "ys": ys, "color": color}, ends


def ring_data(result: Any) -> dict[str, list]:
    """A ring at every unit of every minimum (the representative point of a curve): at its
    ``(b, c)`` for d = 1, its ``(b1, b2)`` for d = 2."""
    colors = minimum_colors(result)
    out: dict[str, list] = {"b": [], "c": [], "color": [], "minimum": []}
    if result is not None:
        for i, m in enumerate(result.minima):
            p = representative(m)
            for l in range(len(p.c)):
                out["b"].append(p.B[l][0])
                out["c"].append(p.c[l] if len(p.B[l]) == 1 else p.B[l][1])
                out["color"].append(colors[i])
                out["minimum"].append(i + 1)
    return out


def line_data(result: Any) -> dict[str, list]:
    """The lines ``b x_i + c = 0`` as segments (d = 1; none for d = 2)."""
    if result is None or len(result.x[0]) != 1:
        return {"x0": [], "y0": [], "x1": [], "y1": []}
    radius = 2 * plane_radius(result.minima)
    segs = line_segments([float(r[0]) for r in result.x], radius)
    return {"x0": [s[0, 0] for s in segs], "y0": [s[0, 1] for s in segs],
            "x1": [s[1, 0] for s in segs], "y1": [s[1, 1] for s in segs]}


def _permutation(sample: Any, k: int, point: Any) -> list[int]:
    """The run's units in the order of the minimum's (nearest end point, by unit)."""
    from itertools import permutations

    L = len(point.c)
    target = np.array([[point.a[l], point.B[l][0], point.c[l]] for l in range(L)])
    end = np.stack([sample.a[-1, k], sample.b[-1, k], sample.c[-1, k]], axis=1)
    return list(min(permutations(range(L)), key=lambda p: np.abs(end[list(p)] - target).sum()))


def surface_data(result: Any, selected: int | None, unit: int, sample: Any,
                 orbit_of: dict[int, int]) -> tuple[dict, dict, dict]:
    """The loss (``a`` at its optimum) over unit ``unit``'s ``(b, c)`` with the other units at
    the selected minimum; the sampled runs that reached that minimum's orbit, their unit
    matching ``unit`` projected onto the slice; the minimum's ring."""
    empty_img = {"image": [], "x": [], "y": [], "dw": [], "dh": []}
    if result is None or selected is None or unit >= result.units:
        return empty_img, {"xs": [], "ys": []}, {"b": [], "c": []}
    m = result.minima[selected]
    p = representative(m)
    radius = plane_radius(result.minima, unit)
    grid = np.linspace(-radius, radius, SURFACE_GRID)
    bb, cc = np.meshgrid(grid, grid)
    B = np.broadcast_to(np.array(p.B, dtype=float), bb.shape + (result.units, 1)).copy()
    C = np.broadcast_to(np.array(p.c, dtype=float), bb.shape + (result.units,)).copy()
    B[..., unit, 0] = bb
    C[..., unit] = cc
    x = np.array([float(r[0]) for r in result.x])
    y = np.array([float(v) for v in result.y])
    z = reduced_loss(x, y, float(result.lam), B, C)
    # log10 of the excess over the slice's lowest loss: the valleys stay visible next to
    # the steep walls
    image = {"image": [np.log10(1e-3 + z - z.min())], "x": [-radius], "y": [-radius],
             "dw": [2 * radius], "dh": [2 * radius]}
    paths: dict[str, list] = {"xs": [], "ys": []}
    if sample is not None:
        for k, reached in enumerate(sample.minimum):
            if reached < 0 or orbit_of.get(reached) != m.orbit:
                continue
            perm = _permutation(sample, k, p)
            paths["xs"].append(sample.b[:, k, perm[unit]].tolist())
            paths["ys"].append(sample.c[:, k, perm[unit]].tolist())
    return image, paths, {"b": [p.B[unit][0]], "c": [p.c[unit]]}


def animation_data(sample: Any) -> dict[str, list]:
    """Every recorded state of the animated run: step, loss and ``a_l, b_l, c_l`` (and
    ``e_l``, the second input weight, for d = 2)."""
    out: dict[str, list] = {"step": [], "loss": []}
    if sample is None:
        return out
    out["step"] = sample.steps.tolist()
    out["loss"] = sample.loss[:, 0].tolist()
    for l in range(sample.b.shape[2]):
        out[f"a{l}"] = sample.a[:, 0, l].tolist()
        out[f"b{l}"] = sample.b[:, 0, l].tolist()
        out[f"c{l}"] = sample.c[:, 0, l].tolist()
        if sample.b2 is not None:
            out[f"e{l}"] = sample.b2[:, 0, l].tolist()
    return out


# Runs in the browser on every player tick: the animated run's frame ``i`` moves the
# markers on the (b, c) plane, f(x) in this view (``curve``) and in the Data view
# (``overlay``, with its ``label``) and the dot on the loss curve; for d = 2 (``units.d``)
# the markers at each unit's (b1, b2), f(x1, x2) as a heatmap on ``units.box`` and the
# units' kink lines (as :mod:`explorer.views.training2d` computes the first frame).
# ``sync: false``: the frames are drawn in the browser only, nothing is sent back to the
# server (which would otherwise receive every curve 25 times a second and slow every other
# interaction down).
ANIMATE_JS = """
const i = Math.min(cb_obj.value, frames.data.step.length - 1);
if (i < 0) { return; }
const t = frames.data;
const L = units.data.n[0];
const b = [], c = [], a = [], e = [];
for (let l = 0; l < L; l++) { a.push(t['a' + l][i]); b.push(t['b' + l][i]); c.push(t['c' + l][i]); }
const local = {sync: false};
dot.setv({data: {step: [t.step[i]], loss: [t.loss[i]]}}, local);
if (units.data.d[0] === 2) {
  for (let l = 0; l < L; l++) { e.push(t['e' + l][i]); }
  markers.setv({data: {b: b, c: e}}, local);
  // f on the grid, written into the image the first frame sent (a 2-D float64 NDArray:
  // Bokeh's Image takes no plain nested arrays from JavaScript), then redrawn
  const box = units.data.box[0], n = units.data.steps[0], image = heat.data.image[0];
  if (image !== undefined && image.length === n * n) {
    for (let r = 0; r < n; r++) {
      const x2 = box[2] + (box[3] - box[2]) * r / (n - 1);
      for (let q = 0; q < n; q++) {
        const x1 = box[0] + (box[1] - box[0]) * q / (n - 1);
        let s = 0;
        for (let l = 0; l < L; l++) {
          const z = b[l] * x1 + e[l] * x2 + c[l];
          if (z > 0) { s += a[l] * z; }
        }
        image[r * n + q] = s;
      }
    }
    heat.change.emit();
  }
  const xs = [], ys = [], color = [], unit = [], palette = units.data.palette[0];
  for (let l = 0; l < L; l++) {  // the kink line inside the box (geometry2d.kink_segment)
    const size2 = b[l] * b[l] + e[l] * e[l];
    if (size2 === 0) { continue; }
    const foot = [-c[l] * b[l] / size2, -c[l] * e[l] / size2];
    const along = [-e[l] / Math.sqrt(size2), b[l] / Math.sqrt(size2)];
    let low = -Infinity, high = Infinity, miss = false;
    for (const [axis, lo, hi] of [[0, box[0], box[1]], [1, box[2], box[3]]]) {
      if (along[axis] === 0) { if (foot[axis] < lo || foot[axis] > hi) { miss = true; } continue; }
      const t1 = (lo - foot[axis]) / along[axis], t2 = (hi - foot[axis]) / along[axis];
      low = Math.max(low, Math.min(t1, t2)); high = Math.min(high, Math.max(t1, t2));
    }
    if (miss || high <= low) { continue; }
    xs.push([foot[0] + low * along[0], foot[0] + high * along[0]]);
    ys.push([foot[1] + low * along[1], foot[1] + high * along[1]]);
    color.push(palette[l % palette.length]);
    unit.push(l + 1);
  }
  kinks.setv({data: {xs: xs, ys: ys, color: color, unit: unit}}, local);
  return;
}
markers.setv({data: {b: b, c: c}}, local);
const f = (xs) => {
  const ys = new Array(xs.length);
  for (let j = 0; j < xs.length; j++) {
    let s = 0;
    for (let l = 0; l < L; l++) { const z = b[l] * xs[j] + c[l]; if (z > 0) { s += a[l] * z; } }
    ys[j] = s;
  }
  return ys;
};
curve.setv({data: {x: curve.data.x, y: f(curve.data.x)}}, local);
if (overlay.data.x.length) {
  overlay.setv({data: {x: overlay.data.x, y: f(overlay.data.x)}}, local);
  label.setv({text: 'training run (dashed): step ' + t.step[i].toLocaleString('en-US')
    + ', loss ' + t.loss[i].toPrecision(5)}, local);
}
"""


def sources() -> dict[str, ColumnDataSource]:
    """Every data source of the view, empty, named for the browser tests."""
    names = {
        "bars": bar_data((), None), "traj": {"xs": [], "ys": [], "color": []},
        "ends": {"b": [], "c": [], "color": []}, "rings": ring_data(None),
        "lines": line_data(None), "image": {"image": [], "x": [], "y": [], "dw": [], "dh": []},
        "surface_paths": {"xs": [], "ys": []}, "surface_ring": {"b": [], "c": []},
        "frames": animation_data(None), "markers": {"b": [], "c": []},
        "curve": {"x": [], "y": []}, "points": {"x": [], "y": []},
        "dot": {"step": [], "loss": []}, **empty_sources(),
        "units": {"n": [0], "d": [1], "box": [[-1.0, 1.0, -1.0, 1.0]], "steps": [HEAT_STEPS],
                  "palette": [list(UNIT_COLOURS)]},
    }
    return {k: ColumnDataSource(v, name=f"training-{k}") for k, v in names.items()}


def bar_figure(src: dict[str, ColumnDataSource]) -> Any:
    """Shares of the basins with their 95% intervals; tap a bar to select its minimum."""
    fig = figure(x_range=FactorRange(), y_range=Range1d(0, 100), height=260,
                 sizing_mode="stretch_width",
                 tools="tap,save", title="Training: where the runs ended (share of runs, 95% CI)",
                 y_axis_label="% of runs", toolbar_location="right", name="training-bar-figure",
                 tooltips=[("", "@what"), ("runs", "@runs"), ("share", "@share{0.0}%")])
    fig.vbar(x="label", top="share", width=0.7, color="color", source=src["bars"],
             nonselection_fill_alpha=0.5, selection_line_color="black")
    fig.add_layout(Whisker(base="label", upper="hi", lower="lo", source=src["bars"]))
    fig.xaxis.major_label_orientation = 0.6
    return fig


def plane_figure(src: dict[str, ColumnDataSource]) -> Any:
    """The (b, c) plane: the data lines, every minimum's rings, sampled trajectories and
    the animated run's markers. A tap starts a run from there."""
    fig = figure(height=360, sizing_mode="stretch_width", x_range=Range1d(-1, 1),
                 y_range=Range1d(-1, 1),
                 title="Runs in the (b, c) plane, ending on their minima (rings)",
                 x_axis_label="b", y_axis_label="c", tools="pan,wheel_zoom,reset,save",
                 name="training-plane-figure")
    add_glyph(fig, src["lines"], Segment(x0="x0", y0="y0", x1="x1", y1="y1",
                                         line_color="#999999", line_dash="dashed"))
    add_glyph(fig, src["traj"], MultiLine(xs="xs", ys="ys", line_color="color",
                                          line_alpha=0.55, line_width=1.3))
    add_glyph(fig, src["ends"], Scatter(x="b", y="c", size=4, fill_color="color",
                                        line_color="color", hatch_color="color"))
    add_glyph(fig, src["rings"], Scatter(x="b", y="c", size=18, fill_alpha=0,
                                         line_color="color", line_width=2.5))
    add_glyph(fig, src["markers"], Scatter(x="b", y="c", size=13, marker="diamond",
                                           fill_color="black", line_color="black",
                                           hatch_color="black"), level=MOVING)
    return fig


def surface_figure(src: dict[str, ColumnDataSource]) -> Any:
    """The loss over one unit's (b, c) around the selected minimum, with the runs that
    reached it (projected)."""
    fig = figure(height=360, sizing_mode="stretch_width", x_range=Range1d(-1, 1),
                 y_range=Range1d(-1, 1),
                 title="Training runs on the selected minimum's loss slice",
                 x_axis_label="b (this unit)", y_axis_label="c (this unit)",
                 tools="pan,wheel_zoom,reset,save", name="training-surface-figure")
    mapper = LinearColorMapper(palette=Viridis256)
    add_glyph(fig, src["image"], Image(image="image", x="x", y="y", dw="dw", dh="dh",
                                       color_mapper=mapper))
    add_glyph(fig, src["surface_paths"], MultiLine(xs="xs", ys="ys", line_color="white",
                                                   line_width=1.3, line_alpha=0.8))
    add_glyph(fig, src["surface_ring"], Scatter(x="b", y="c", size=20, fill_alpha=0,
                                                line_color=GLOBAL_COLOR, line_width=3))
    return fig


def animation_figures(src: dict[str, ColumnDataSource]) -> tuple[Any, Any]:
    """The animated run: the data with f(x) of the current step, and the loss curve."""
    data = figure(height=260, sizing_mode="stretch_width", title="Animated run: f(x)",
                  x_range=Range1d(-1, 1), y_range=Range1d(-1, 1),
                  x_axis_label="x", y_axis_label="y", tools="save", toolbar_location="right",
                  name="training-fx-figure")
    add_glyph(data, src["points"], Scatter(x="x", y="y", size=9, fill_color="#1f5fa8",
                                           line_color="#1f5fa8", hatch_color="#1f5fa8"))
    add_glyph(data, src["curve"], Line(x="x", y="y", line_color="black", line_width=2),
              level=MOVING)
    curve = figure(height=260, sizing_mode="stretch_width", title="Animated run: loss",
                   x_range=Range1d(0, 1), y_range=Range1d(0.1, 10),
                   x_axis_label="step", y_axis_label="loss", tools="save", toolbar_location="right",
                   y_axis_type="log", name="training-loss-figure")
    add_glyph(curve, src["frames"], Line(x="step", y="loss", line_color="#555555"))
    add_glyph(curve, src["dot"], Scatter(x="step", y="loss", size=10,
                                         fill_color=GLOBAL_COLOR, line_color=GLOBAL_COLOR,
                                         hatch_color=GLOBAL_COLOR), level=MOVING)
    return data, curve

"""The explorer with two-dimensional data, without a browser: state, edits, refusals, the
URL, the CSV upload, the 2-D data view and the switch between 1-D and 2-D views.

Expected minima come from the solver called directly on the same exact data; expected
function values from the network formula evaluated here by hand.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import numpy as np
import pytest

from explorer.problem import (
    DEFAULT_DATA,
    csv_to_data,
    format_data,
    make_key,
    parse_data,
    read_example,
)
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from solver import solve
from solver.data import read_csv
from solver.errors import SolverInputError

ASSETS = Path(__file__).resolve().parents[2] / "assets"
EXAMPLES_2D = sorted(p for p in ASSETS.glob("*.csv") if read_csv(p).d == 2)
XOR = read_example(ASSETS / "xor_2d.csv")
# The XOR points and two more (no three on a line): with 3 units 302,621 sets of 3 faces,
# estimated far above the dashboard's 15 s (the XOR example with 3 units solves in ~1 s).
SIX = XOR + ";0.1,0.2,0.5;-0.3,0.4,-0.2"


def same(a: tuple, b: tuple) -> bool:
    """Same minima (kind, loss, pattern), whatever their order."""
    def summary(minima: tuple) -> list:
        return sorted((m.kind, round(m.loss, 9), m.pattern) for m in minima)
    return summary(a) == summary(b)


def truth(rows: list[tuple[str, ...]], lam: str = "1/100", units: int = 2) -> Any:
    """The solver's own result for exact rows ``(x1, x2, y)`` (solved once per module)."""
    return _solved(tuple(rows), lam, units)


@functools.cache
def _solved(rows: tuple, lam: str, units: int) -> Any:
    return solve([r[:2] for r in rows], [r[2] for r in rows], lam, units)


@pytest.fixture(scope="module")
def runner() -> SolveRunner:
    """In-process runner shared by the module (its cache saves repeated solves)."""
    return SolveRunner(processes=False)


@pytest.fixture
def state(runner: SolveRunner) -> ExplorerState:
    runner.max_seconds = 15.0
    return ExplorerState(runner=runner, data=XOR)


# ------------------------------------------------------------------ data text
def test_data_text_round_trips_two_inputs() -> None:
    rows = [("-1", "-0.9", "0.9"), ("1/3", "-1", "-9/10")]
    assert format_data(rows) == "-1,-0.9,0.9;1/3,-1,-9/10"
    assert parse_data(format_data(rows)) == rows
    assert parse_data(XOR)[0] == ("-1", "-0.9", "0.9")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("0,0,1;0,1", "has 1 inputs, point 1 has 2"),
        ("0,0,1,2;1,0,1,2", "'x,y' or 'x1,x2,y'"),
        ("0,0,1;0,0,2;1,0,1", "same x"),
        ("0,0,1;abc,0,1", "not a number"),
        ("0,0,1", "at least 2"),
    ],
)
def test_bad_two_dimensional_data_are_refused(data: str, reason: str) -> None:
    with pytest.raises(SolverInputError, match=reason):
        make_key(data, "1/100", 2)


def test_the_key_is_exact_with_two_inputs() -> None:
    key = make_key("-1,1/3,0.5;2,0,1", "1/100", 1)
    assert key.x == ((Fraction(-1), Fraction(1, 3)), (Fraction(2), Fraction(0)))
    assert key.y == (Fraction(1, 2), Fraction(1))


def test_csv_upload_takes_x1_x2_y_and_refuses_three_inputs() -> None:
    assert csv_to_data("x1,x2,y\n0,1,2\n1/2,0,-1\n") == "0,1,2;1/2,0,-1"
    with pytest.raises(SolverInputError, match="1 or 2 inputs.*got d = 3"):
        csv_to_data("x1,x2,x3,y\n0,1,2,3\n1,0,2,3\n", source="a.csv")


# ---------------------------------------------------------------------- state
def test_state_solves_two_dimensional_data(state: ExplorerState) -> None:
    assert state.d == 2 and state.message == ""
    expected = truth(parse_data(XOR))
    assert same(state.result.minima, expected.minima)
    assert state.status.startswith(f"{len(expected.minima)} minima")


def test_edits_refusals_and_the_last_good_state(state: ExplorerState) -> None:
    rows = parse_data(XOR)
    moved = [("-0.7", "-0.9", "0.9"), *rows[1:]]
    assert state.edit(data=format_data(moved))
    assert same(state.result.minima, truth(moved).minima)
    good = (state.data, state.result)
    # a point with one input among points with two: refused at once, nothing changes
    assert not state.edit(data=state.data + ";1,2")
    assert "has 1 inputs" in state.message and (state.data, state.result) == good
    # three points on one line: the exact method refuses them (after the solve starts)
    collinear = [("0", "0", "1"), ("1", "1", "0"), ("2", "2", "1"), ("1", "-1", "0")]
    state.edit(data=format_data(collinear))
    assert state.message.startswith("Refused") and (state.data, state.result) == good
    # λ and units act as for one input
    assert state.edit(units=1, lam="1/10")
    assert same(state.result.minima, truth(moved, "1/10", 1).minima)


def test_three_units_on_six_points_in_the_plane_are_refused_with_the_estimate(
    state: ExplorerState,
) -> None:
    good = (state.data, state.units, state.result)
    state.edit(data=SIX, units=3)  # valid input: the solver refuses it by its estimate
    assert "problem too large: n=6, d=2, units=3" in state.message
    assert "would take about" in state.message
    assert (state.data, state.units, state.result) == good


def test_a_long_solve_says_its_estimate_while_it_runs() -> None:
    from explorer.problem import solving_line  # the line shown while solving

    line = solving_line(make_key(XOR, "1/100", 2))
    assert line.startswith("Solving… (n = 4, d = 2, 2 units: estimated ")


def test_the_url_round_trips_two_dimensional_data(runner: SolveRunner) -> None:
    shared = ExplorerState(runner=runner, data=XOR, lam="1/20", units=1)
    shared.select(1)
    query = urlencode({"data": shared.data, "lam": shared.lam, "units": shared.units,
                       "sel": shared.selection})
    values = {k: v[0] for k, v in parse_qs(query).items()}
    restored = ExplorerState(runner=runner, autostart=False)
    restored.param.update(data=values["data"], lam=values["lam"], units=int(values["units"]))
    restored.start()
    restored.select(int(values["sel"]))
    assert restored.rows == parse_data(XOR) and restored.d == 2
    assert same(restored.result.minima, truth(parse_data(XOR), "1/20", 1).minima)
    assert restored.selected_index == 1


def test_a_bad_two_dimensional_link_falls_back_to_the_example(runner: SolveRunner) -> None:
    state = ExplorerState(runner=runner, autostart=False)
    state.param.update(data="0,0,1;0,0,2")
    state.start()
    assert state.data == DEFAULT_DATA and state.d == 1 and "same x" in state.message


# ------------------------------------------------------------- the 2-D views
@pytest.fixture
def board(state: ExplorerState) -> Any:
    from explorer.layout import build_dashboard

    return build_dashboard(state)


def test_the_data_view_draws_points_f_and_kink_lines(board: Any) -> None:
    state, view = board.state, board.data2d
    rows = state.rows
    data = view.points.data_source.data
    assert data["x1"] == [float(Fraction(r[0])) for r in rows]
    assert data["y"] == [float(Fraction(r[2])) for r in rows]
    # the heatmap is f of the selected minimum, evaluated here from its parameters, in the
    # colour the points' map gives that value: palette entry floor((f - low) / (high - low)
    # * 256) (Bokeh's linear colour map), which the heat's own map shows as itself
    point = state.selected.point
    heat = view.heat.data_source.data
    image, x0, y0 = heat["image"][0], heat["x"][0], heat["y"][0]
    steps = image.shape[0]
    low, high, size = view.mapper.low, view.mapper.high, len(view.mapper.palette)
    assert view.heat_mapper.palette == view.mapper.palette
    assert (view.heat_mapper.low, view.heat_mapper.high) == (-0.5, size - 0.5)
    for row, column in ((11, 7), (40, 40), (0, steps - 1), (steps - 3, 2)):
        h = x0 + heat["dw"][0] * column / (steps - 1)
        v = y0 + heat["dh"][0] * row / (steps - 1)
        by_hand = sum(a * max(0.0, b[0] * h + b[1] * v + c)
                      for b, c, a in zip(point.B, point.c, point.a, strict=True))
        colour = min(size - 1, max(0, math.floor((by_hand - low) / (high - low) * size)))
        assert image[row, column] == colour
    # one kink line per alive unit, on the line <b, x> + c = 0, ticks on its active side
    lines = view.lines.data_source.data
    alive = [k for k in range(2) if any(point.B[k]) or point.c[k]]
    assert lines["unit"] == [k + 1 for k in alive]
    for k, xs, ys in zip(lines["unit"], lines["xs"], lines["ys"], strict=True):
        b, c = point.B[k - 1], point.c[k - 1]
        for h, v in zip(xs, ys, strict=True):
            assert b[0] * h + b[1] * v + c == pytest.approx(0.0, abs=1e-9)
    ticks = view.ticks.data_source.data
    assert ticks["xs"]
    for xs, ys, colour in zip(ticks["xs"], ticks["ys"], ticks["colour"], strict=True):
        k = lines["colour"].index(colour)
        b, c = point.B[lines["unit"][k] - 1], point.c[lines["unit"][k] - 1]
        assert b[0] * xs[1] + b[1] * ys[1] + c > 0  # the tick's tip is on the active side
    # the colour scale is symmetric about 0 and holds every y
    assert view.mapper.low == -view.mapper.high <= -max(abs(v) for v in data["y"])


def test_the_input_plane_has_one_scale_for_x1_and_x2(board: Any) -> None:
    """A square frame showing a square box: a kink line is drawn at its true angle."""
    state, view = board.state, board.data2d
    fig = view.figure
    assert fig.frame_width == fig.frame_height and fig.match_aspect
    state.edit(data="-1,0,1;1,0.5,-1;0.2,0.25,0.5", units=1)  # wide and flat: 2 x 0.5
    assert state.message == ""
    spans = (fig.x_range.end - fig.x_range.start, fig.y_range.end - fig.y_range.start)
    assert spans[0] == pytest.approx(spans[1], rel=1e-12)
    assert spans[0] > 2  # every point inside, with a margin
    for h, v in zip(view.points.data_source.data["x1"], view.points.data_source.data["x2"],
                    strict=True):
        assert fig.x_range.start < h < fig.x_range.end and fig.y_range.start < v < fig.y_range.end
    assert (fig.y_range.start + fig.y_range.end) / 2 == pytest.approx(0.25)  # centred
    heat = view.heat.data_source.data  # f fills the whole square
    assert (heat["x"][0], heat["dw"][0]) == (fig.x_range.start, spans[0])
    assert (heat["y"][0], heat["dh"][0]) == (fig.y_range.start, spans[1])


def test_hover_reads_exact_values_and_the_selected_minimums_units(board: Any) -> None:
    """The points' hover shows the table's exact strings; f is computed in the browser from
    the ``net`` source, which holds the selected minimum's units (none when none is)."""
    state, view = board.state, board.data2d
    state.edit(data="1/3,-0.9,0.9;0.9,-1,-9/10;-0.8,1,-0.8;1,0.8,4/5", units=2)
    data = view.points.data_source.data
    assert (data["x1_exact"][0], data["y_exact"][1], data["y_exact"][3]) == ("1/3", "-9/10",
                                                                             "4/5")
    hovers = [t for t in view.figure.tools if type(t).__name__ == "HoverTool"]
    fields = {f for t in hovers for _, f in t.tooltips}
    assert {"@x1_exact", "@x2_exact", "@y_exact", "@y{f}", "$x{f}"} <= fields
    isolated = [i for i, m in enumerate(state.result.minima) if m.kind == "isolated"]
    state.selection = isolated[-1]
    point = state.result.minima[isolated[-1]].point
    net = view.net.data
    assert net["a"] == [float(a) for a in point.a] and net["c"] == [float(c) for c in point.c]
    assert net["b1"] == [float(b[0]) for b in point.B]
    assert net["b2"] == [float(b[1]) for b in point.B]


def test_dragging_adding_and_deleting_points_in_the_plot(board: Any) -> None:
    state, source = board.state, board.data2d.points.data_source
    state.edit(units=1)  # fast solves: the minima's number does not matter here
    rows = state.rows
    dragged = dict(source.data)
    dragged["x1"] = [-0.7234, *dragged["x1"][1:]]
    source.data = dragged
    moved = [("-0.72", rows[0][1], rows[0][2]), *rows[1:]]  # snapped; y kept
    assert state.rows == moved
    assert same(state.result.minima, truth(moved, units=1).minima)
    added = {k: list(v) + [0.0] for k, v in source.data.items()}
    added["x1"][-1], added["x2"][-1] = 0.1, 0.2
    source.data = added
    assert state.rows == [*moved, ("0.1", "0.2", "0")]
    source.data = {k: list(v)[1:] for k, v in source.data.items()}  # delete the first
    assert state.rows == [*moved[1:], ("0.1", "0.2", "0")]


def test_table_edits_and_the_y_control(board: Any) -> None:
    from types import SimpleNamespace

    state, view = board.state, board.data2d
    state.edit(units=1)
    rows = state.rows
    view._on_table_edit(SimpleNamespace(row=1, column="x2", value="-21/20"))
    assert state.rows[1] == (rows[1][0], "-21/20", rows[1][2])
    view._on_table_edit(SimpleNamespace(row=1, column="y", value="1,2"))
    assert "Refused" in state.message and state.rows[1][1] == "-21/20"
    view.which.value = "x3"
    assert view.y_value.value == float(Fraction(rows[2][2]))
    view.y_value.value = -0.55
    assert state.rows[2] == (rows[2][0], rows[2][1], "-0.55")
    assert same(state.result.minima, truth(state.rows, units=1).minima)
    assert view.table.value["y"].tolist()[2] == "-0.55"


def test_cards_switch_between_the_1d_and_2d_views(board: Any) -> None:
    state = board.state
    data_card = board.main[0][0]
    assert "plane (x1, x2)" in data_card.header[0].object
    holder = board.switch.slots[0].holder
    assert holder.objects[0].objects[0].object is board.data2d.figure
    state.edit(data=DEFAULT_DATA)
    assert data_card.header[0].object == "<b>1 · Data</b>"
    assert board.data2d.points.data_source.data["x1"] == []
    state.edit(data=XOR)
    assert holder.objects[0].objects[0].object is board.data2d.figure


@pytest.mark.parametrize("path", EXAMPLES_2D, ids=lambda p: p.stem)
def test_every_2d_example_loads_from_the_chooser(board: Any, path: Path) -> None:
    state = board.state
    state.edit(data=DEFAULT_DATA, units=1)  # one unit: fast (two: test_browser_2d)
    board.data.example.value = path.stem.replace("_", " ")
    assert state.message == "" and state.d == 2
    data = read_csv(path)
    expected = solve(data.x, data.y, "1/100", 1)
    assert same(state.result.minima, expected.minima)
    assert len(board.data2d.points.data_source.data["x1"]) == data.n
    assert np.isfinite(board.data2d.heat.data_source.data["image"][0]).all()


def test_the_sphere_shows_every_alive_unit_at_its_direction_and_taps_select(board: Any) -> None:
    state, sphere = board.state, board.sphere
    assert board.switch.slots[1].holder.objects[0].objects[0].object is sphere.figure
    markers = sphere.markers.data_source.data
    expected = []
    for index, minimum in enumerate(state.result.minima):
        point = minimum.point if minimum.kind == "isolated" else \
            minimum.samples[len(minimum.samples) // 2]
        for k in range(2):
            w = np.array([*point.B[k], point.c[k]], dtype=float)
            if np.linalg.norm(w) == 0:
                continue
            w /= np.linalg.norm(w)
            # left disk (c >= 0) centred at 0, right disk (c < 0) at 2.5; seen along c
            expected.append((index + 1, k + 1, w[0] + (0.0 if w[2] >= 0 else 2.5), w[1]))
    got = sorted(zip(markers["minimum"], markers["unit"], markers["h"], markers["v"],
                     strict=True))
    assert [g[:2] for g in got] == [e[:2] for e in sorted(expected)]
    # (sent to 4 decimals, a fortieth of a pixel: rounding moves a marker by at most 5e-5)
    assert np.allclose([g[2:] for g in got], [e[2:] for e in sorted(expected)], rtol=0,
                       atol=5.1e-5)
    # the cells' shading counts the points seen: one cell per hemisphere sees all / none
    seen = [s for s, label in zip(sphere.cells.data_source.data["seen"],
                                  sphere.cells.data_source.data["label"], strict=True) if label]
    assert max(seen) == 4 and min(seen) == 0
    # a tap on a marker of minimum 5 selects it; the ring follows
    at = markers["minimum"].index(5)
    sphere.select_at(markers["h"][at] + 0.01, markers["v"][at])
    assert state.selected_index == 4
    ring = sphere.ring.data_source.data
    assert (markers["h"][at], markers["v"][at]) in set(zip(ring["h"], ring["v"], strict=True))


def test_the_loss_slices_hold_the_selected_minimum_and_taps_select(board: Any) -> None:
    from explorer.loss import reduced_loss

    state, surface = board.state, board.surface2d
    assert surface.param.slice.objects == [
        "unit 1: direction (angles)", "unit 1: (b1, b2) at its c",
        "unit 2: direction (angles)", "unit 2: (b1, b2) at its c"]
    x = np.array([[float(v) for v in r[:2]] for r in state.rows])
    y = np.array([float(r[2]) for r in state.rows])
    point = state.selected.point
    # direction slice: the ring is unit 1's angles; the image's least loss is no more
    # than the minimum's (the slice passes through it) and no less (up to the grid)
    b, c = point.B[0], point.c[0]
    azimuth = np.degrees(np.arctan2(b[1], b[0]))
    polar = np.degrees(np.arctan2(np.hypot(*b), c))
    ring = surface.ring.data_source.data
    assert ring["h"] == pytest.approx([azimuth]) and ring["v"] == pytest.approx([polar])
    at_minimum = float(reduced_loss(x, y, 0.01, point.B, point.c))
    assert at_minimum == pytest.approx(state.selected.loss, abs=1e-9)
    floor = float(np.min(surface._shown.loss))
    assert floor <= at_minimum + 0.05
    # (b1, b2) slice of unit 2: kinks are the lines <x_i, b> + c2 = 0
    surface.slice = "unit 2: (b1, b2) at its c"
    kinks = surface.kinks.data_source.data
    assert kinks["xs"]
    for xs, ys in zip(kinks["xs"], kinks["ys"], strict=True):
        residues = [min(abs(xi[0] * h + xi[1] * v + point.c[1]) for xi in x)
                    for h, v in zip(xs, ys, strict=True)]
        assert max(residues) < 1e-9
    assert surface.ring.data_source.data["h"] == pytest.approx([point.B[1][0]])
    # a tap on minimum 3's dot selects it
    dots = surface.minima.data_source.data
    at = dots["minimum"].index(3)
    surface.select_at(dots["h"][at], dots["v"][at])
    assert state.selected_index == 2


def test_the_minima_table_certificates_and_exact_forms_for_two_inputs(board: Any) -> None:
    state, view = board.state, board.minima
    expected = truth(parse_data(XOR))
    table = view.table.value
    assert sorted(table["pattern"]) == sorted(" ".join(m.pattern) for m in expected.minima)
    assert sorted(table["loss"]) == sorted(f"{m.loss:.10g}" for m in expected.minima)
    for index in (0, 5, len(expected.minima) - 1):
        state.select(index)
        minimum = state.result.minima[index]
        assert str(view.exact.object).startswith(f"Minimum {index + 1}: {minimum.kind}")
        assert view.table.selection == [index]
        assert minimum.certificate.checks and str(view.checks.object)

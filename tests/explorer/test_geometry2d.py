"""Geometry of 2-D data (``explorer.geometry2d``) against independent computations.

The cells on the sphere are cut exactly in the central projection; here every sampled
direction's sign vector is evaluated directly (``sign <(x_i, 1), w>``) and compared with
the cell drawn around it (found by a ray-casting point-in-polygon test written here). The
cell count is the theorem for ``n`` planes through the origin of ``R^3`` in general position
(``n^2 - n + 2``). Unit markers are checked against the solver's own patterns.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from scipy.optimize import minimize_scalar

from explorer.geometry2d.inputplane import (
    active_region,
    data_box,
    grid,
    kink_segment,
    side_ticks,
)
from explorer.geometry2d.slices import (
    angles,
    b_slice,
    direction,
    direction_slice,
    kink_polar,
)
from explorer.geometry2d.sphere import (
    direction_at,
    from_canvas,
    great_circles,
    project,
    sphere_cells,
    to_canvas,
    unit_directions,
)
from explorer.loss import full_loss, optimal_a, reduced_loss
from solver import solve
from solver.data import read_csv
from tests.strategies import grid_inputs, problems

ASSETS = Path(__file__).resolve().parents[2] / "assets"
EXAMPLES = sorted(p for p in ASSETS.glob("*.csv") if read_csv(p).d == 2)
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def inside(polygon: tuple, point: tuple[float, float]) -> bool:
    """Ray casting (even-odd rule): whether ``point`` is inside the closed outline."""
    return bool(inside_many(polygon, np.array([point], dtype=float))[0])


def inside_many(polygon: tuple, points: np.ndarray) -> np.ndarray:
    """:func:`inside` for every row of ``points`` at once."""
    x, y = points[:, 0], points[:, 1]
    corners = np.asarray(polygon, dtype=float)
    result = np.zeros(len(points), dtype=bool)
    for (x1, y1), (x2, y2) in zip(corners, np.roll(corners, 1, axis=0)):
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        result ^= crosses & (x < at)
    return result


def lifted(xs) -> np.ndarray:
    """Rows ``(x_i1, x_i2, 1)`` as floats, normalised."""
    h = np.array([[float(a), float(b), 1.0] for a, b in xs])
    return h / np.linalg.norm(h, axis=1)[:, None]


def random_directions(count: int, seed: int) -> np.ndarray:
    """Directions uniform on the sphere."""
    w = np.random.default_rng(seed).normal(size=(count, 3))
    return w / np.linalg.norm(w, axis=1)[:, None]


def check_cells_against_samples(xs, samples: int = 3000, seed: int = 0) -> set:
    """Every sampled direction (away from the drawn circles and the rim) lies in exactly
    one drawn cell of its hemisphere, and that cell's signs are the direct evaluation.

    Returns the sign vectors of all samples."""
    cells = sphere_cells(xs)
    w = random_directions(samples, seed)
    values = w @ lifted(xs).T
    signs = np.sign(values).astype(int)
    hemisphere = np.where(w[:, 2] >= 0, 1, -1)
    positions = w[:, :2]
    # The outlines follow arcs by 3° chords (sagitta 3.4e-4 on the sphere): stay 2e-3 clear
    # of every circle as drawn (the projection packs the sphere near the rim), and of the rim.
    arcs = great_circles([(float(a), float(b)) for a, b in xs], samples=1441)
    clear = np.hypot(*positions.T) < 1 - 2e-3
    for arc in arcs:
        path = np.array(arc.path)
        # (|c| > 0.06 off the rim: 0.1 from the circle on the sphere is > 3e-3 in the disk)
        mine = np.flatnonzero(clear & (hemisphere == arc.hemisphere)
                              & (np.abs(values[:, arc.point]) < 0.1))
        gaps = np.hypot(positions[mine, None, 0] - path[None, :, 0],
                        positions[mine, None, 1] - path[None, :, 1]).min(axis=1)
        clear[mine[gaps < 3e-3]] = False
    holders = np.zeros(samples, dtype=int)
    for cell in cells:
        hit = clear & (hemisphere == cell.hemisphere) & inside_many(cell.outline, positions)
        holders += hit
        wrong = hit & np.any(signs != np.array(cell.signs), axis=1)
        assert not wrong.any(), (cell.signs, signs[wrong][:3])
    assert np.all(holders[clear] == 1), np.flatnonzero(clear & (holders != 1))[:5]
    return {tuple(int(v) for v in row) for row in signs}


# ---------------------------------------------------------------------- the sphere
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_cells_match_direct_evaluation_and_the_count(path: Path) -> None:
    xs = read_csv(path).x
    n = len(xs)
    sampled = check_cells_against_samples(xs, samples=12000)
    drawn = {c.signs for c in sphere_cells(xs)}
    assert len(drawn) == n * n - n + 2  # n planes in general position through 0 of R^3
    assert sampled == drawn  # every cell drawn is met by sampling, none is missing


@SETTINGS
@given(problems(2, 2, 7))
def test_random_cells_match_direct_evaluation(problem) -> None:
    n = problem.n
    check_cells_against_samples(problem.rows, samples=1500)
    assert len({c.signs for c in sphere_cells(problem.rows)}) == n * n - n + 2


@SETTINGS
@given(grid_inputs(2, 2, 6))
def test_degenerate_inputs_still_give_the_right_cells(rows) -> None:
    # inputs at 0 (the equator itself), collinear triples, points on a line through 0
    check_cells_against_samples(rows, samples=1500)


@SETTINGS
@given(problems(2, 2, 6))
def test_cell_outlines_run_along_the_circles_and_the_rim(problem) -> None:
    h = lifted(problem.rows)
    for cell in sphere_cells(problem.rows):
        for position in cell.outline:
            # (un-projecting loses precision at the rim: c = sqrt(1 - |b|^2))
            w = direction_at(cell.hemisphere, position)
            assert min(np.min(np.abs(h @ w)), abs(1 - np.hypot(*position))) < 1e-7


@SETTINGS
@given(grid_inputs(2, 2, 6))
def test_great_circles_lie_on_their_planes_and_in_their_hemisphere(rows) -> None:
    h = lifted(rows)
    arcs = great_circles([(float(a), float(b)) for a, b in rows])
    assert [(a.hemisphere, a.point) for a in arcs] == [
        (s, i) for s in (1, -1) for i in range(len(rows))
    ]
    for arc in arcs:
        for position in (*arc.path, arc.label_at):
            w = direction_at(arc.hemisphere, position)
            assert abs(h[arc.point] @ w) < 1e-7
            assert abs(np.linalg.norm(position)) <= 1 + 1e-12
        ends = [np.hypot(*arc.path[0]), np.hypot(*arc.path[-1])]
        assert ends == pytest.approx([1.0, 1.0])  # each half ends on the equator


def test_canvas_and_projection_round_trip() -> None:
    for w in random_directions(200, 5):
        hemisphere, position = project(3.0 * w)
        assert direction_at(hemisphere, position) == pytest.approx(w, abs=1e-9)
        assert from_canvas(*to_canvas(hemisphere, position)) == (
            hemisphere, pytest.approx(position, abs=1e-12))
    assert from_canvas(1.25, 0.0) is None  # between the disks


# ---------------------------------------------------------- units of the minima
@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def solved(request):
    data = read_csv(request.param)
    return data, solve(data.x, data.y, "1/100", 2)


def test_every_unit_marker_sits_in_the_cell_of_its_pattern(solved) -> None:
    data, solution = solved
    cells = sphere_cells(data.x)
    h = lifted(data.x)
    arcs = great_circles([(float(a), float(b)) for a, b in data.x], samples=2001)
    drawn = checked = interior = 0
    for minimum in solution.minima:
        points = [minimum.point] if minimum.kind == "isolated" else minimum.samples
        for point in points:
            for marker in unit_directions(point.B, point.c):
                pattern = minimum.pattern[marker.unit]
                want = tuple({"+": 1, "-": -1, "0": 0}[ch] for ch in pattern)
                w = np.array(marker.direction)
                assert marker.norm == pytest.approx(
                    math.hypot(*point.B[marker.unit], point.c[marker.unit]))
                assert w @ np.array([*point.B[marker.unit], point.c[marker.unit]]) == (
                    pytest.approx(marker.norm))
                values = h @ w
                mine = [a for a in arcs if a.hemisphere == marker.hemisphere]
                gaps = [np.min(np.hypot(*(np.array(a.path) - marker.position).T)) for a in mine]
                for i, s in enumerate(want):
                    if s == 0:  # an active point: on its circle, as computed and as drawn
                        assert abs(values[i]) < 1e-8 and gaps[i] < 2e-3
                    else:
                        assert np.sign(values[i]) == s  # the solver's pattern, evaluated
                clear = min(gaps) > 3e-3 and np.hypot(*marker.position) < 1 - 2e-3
                interior += 0 not in want
                if 0 not in want and clear:  # in the drawn cell of its pattern
                    holders = [c for c in cells if c.hemisphere == marker.hemisphere
                               and inside(c.outline, marker.position)]
                    assert [c.signs for c in holders] == [want], (minimum.pattern, marker)
                    drawn += 1
                checked += 1
    # (on xor_2d every unit of every minimum is on a circle: a 0 in its pattern)
    assert checked > 0 and (drawn > 0 or interior == 0)


def test_dead_units_have_no_marker() -> None:
    assert unit_directions([[0.0, 0.0], [1.0, 0.0]], [0.0, 0.0])[0].unit == 1


# -------------------------------------------------------------- the input plane
@SETTINGS
@given(problems(2, 2, 6))
def test_kink_lines_and_active_sides(problem) -> None:
    x = np.array([[float(a), float(b)] for a, b in problem.rows])
    box = data_box(x)
    assert all(box[0] < a < box[1] and box[2] < b < box[3] for a, b in x)
    rng = np.random.default_rng(problem.n)
    for _ in range(5):
        b, c = rng.normal(size=2), float(rng.normal())
        segment = kink_segment(b, c, box)
        region = active_region(b, c, box)
        _, _, points = grid(box, 41)
        values = points @ b + c
        if segment is not None:
            for end in segment:
                assert abs(b @ end + c) < 1e-9
                on_edge = min(abs(end[0] - box[0]), abs(end[0] - box[1]),
                              abs(end[1] - box[2]), abs(end[1] - box[3]))
                assert on_edge < 1e-9
            for foot, tip in side_ticks(b, c, box):
                assert abs(b @ foot + c) < 1e-9 and b @ tip + c > 0
        else:
            assert np.all(values > 0) or np.all(values < 0)  # the line misses the box
        clear = (np.abs(values) > 1e-6) & (points[:, 0] > box[0]) & (points[:, 0] < box[1]) & (
            points[:, 1] > box[2]) & (points[:, 1] < box[3])  # off the line and the edges
        if region is None:
            assert not np.any(values[clear] > 0)
            continue
        assert np.array_equal(inside_many(region, points[clear]), values[clear] > 0)


# ------------------------------------------------------------------ loss slices
def test_direction_angles_round_trip() -> None:
    for w in random_directions(100, 2):
        assert direction(*angles(w)) == pytest.approx(w, abs=1e-12)


def test_kink_curves_are_the_great_circles() -> None:
    xs = [(0.3, -0.7), (-1.0, 0.2), (0.0, 0.0)]
    azimuth = np.linspace(-180, 180, 37)
    polar = kink_polar(xs, azimuth)
    h = lifted(xs)
    for i in range(len(xs)):
        assert np.abs(direction(azimuth, polar[i]) @ h[i]).max() < 1e-12


def test_direction_slice_is_the_least_loss_along_each_ray(solved) -> None:
    data, solution = solved
    x = [[float(a), float(b)] for a, b in data.x]
    y = [float(v) for v in data.y]
    held = next(m for m in solution.minima if m.kind == "isolated").point
    cut = direction_slice(x, y, 0.01, held.B, held.c, 0, 3.0, shape=(7, 9))
    for k in range(0, 7, 2):
        for j in range(0, 9, 3):
            ray = direction(cut.azimuth[j], cut.polar[k])

            def loss(r: float, ray=ray) -> float:
                B = np.array(held.B, float)
                c = np.array(held.c, float)
                B[0], c[0] = r * ray[:2], r * ray[2]
                a = optimal_a(x, y, 0.01, B, c)  # full loss with the best a, independently
                return full_loss(x, y, 0.01, B, c, a)

            dense = np.linspace(0, 3.0, 601)
            start = dense[int(np.argmin([loss(r) for r in dense]))]
            best = minimize_scalar(loss, bounds=(max(0, start - 0.01), min(3, start + 0.01)),
                                   method="bounded", options={"xatol": 1e-10})
            assert cut.loss[k, j] == pytest.approx(min(best.fun, loss(start)), rel=1e-6, abs=1e-9)
            assert loss(cut.norm[k, j]) == pytest.approx(cut.loss[k, j], rel=1e-12)


def test_b_slice_holds_everything_but_the_units_b(solved) -> None:
    data, solution = solved
    x = [[float(a), float(b)] for a, b in data.x]
    y = [float(v) for v in data.y]
    for minimum in solution.minima:
        point = minimum.point if minimum.kind == "isolated" else minimum.samples[0]
        # the formula of loss.py agrees with the solver's exact minimum (d = 2)
        assert float(reduced_loss(x, y, 0.01, point.B, point.c)) == pytest.approx(
            minimum.loss, abs=1e-9)
    point = solution.minima[0].point if solution.minima[0].kind == "isolated" else (
        solution.minima[0].samples[0])
    for unit in range(2):
        h, v, loss = b_slice(x, y, 0.01, point.B, point.c, unit, 2.0, steps=5)
        for k, b2 in enumerate(v):
            for j, b1 in enumerate(h):
                B = [list(row) for row in point.B]
                B[unit] = [b1, b2]
                a = optimal_a(x, y, 0.01, B, point.c)
                assert loss[k, j] == pytest.approx(full_loss(x, y, 0.01, B, point.c, a),
                                                   rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("units", [1, 3])
def test_direction_slice_beats_every_sampled_norm(units: int) -> None:
    """Any number of held units (none, two): no norm on a dense grid of each ray does better
    than the slice's least loss, which is the loss (loss.py's formula) at its norm."""
    rng = np.random.default_rng(units)
    x, y = rng.normal(size=(5, 2)), rng.normal(size=5)
    B, c = rng.normal(size=(units, 2)), rng.normal(size=units)
    cut = direction_slice(x, y, 0.05, B, c, units - 1, 4.0, shape=(9, 13))
    norms = np.linspace(0.0, 4.0, 801)
    for k in range(9):
        for j in range(13):
            ray = direction(cut.azimuth[j], cut.polar[k])
            Bs = np.repeat(B[None], len(norms), axis=0)
            cs = np.repeat(c[None], len(norms), axis=0)
            Bs[:, -1], cs[:, -1] = norms[:, None] * ray[:2], norms * ray[2]
            sampled = reduced_loss(x, y, 0.05, Bs, cs)
            assert cut.loss[k, j] <= sampled.min() + 1e-12
            Bs[0, -1], cs[0, -1] = cut.norm[k, j] * ray[:2], cut.norm[k, j] * ray[2]
            assert cut.loss[k, j] == pytest.approx(
                float(reduced_loss(x, y, 0.05, Bs[0], cs[0])), rel=1e-10)

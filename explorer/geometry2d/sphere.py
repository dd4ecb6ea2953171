"""The sphere of directions of one unit, cut by the data points' great circles (d = 2).

A unit is ``w = (b1, b2, c)`` in ``R^3``; data point ``i`` sees it (``<b, x_i> + c > 0``)
where ``<h_i, w> > 0`` with ``h_i = (x_i1, x_i2, 1)``. The plane ``<h_i, w> = 0`` meets the
unit sphere in a great circle. Scaling ``w`` by ``r > 0`` changes the unit's size, not
which points it sees, so the sphere of directions shows every pattern a unit can have: the
circles cut it into **cells**, in each of which a unit sees the same points.

**Projection** (what the dashboard draws): two disks side by side. The left disk is the
hemisphere ``c > 0``, the right disk ``c < 0``; in both, a direction ``w`` (``|w| = 1``) sits
at ``(b1, b2)``, as seen along the ``c`` axis. Each rim is the equator ``c = 0`` (units whose
kink line passes through the input origin). The left centre ``(0, 0, 1)`` is the constant
unit that sees every point; the right centre sees none. Antipodal directions see
complementary sets, so the right disk is the left one turned by 180° with the shading
``n - seen``.

**Cells, exactly**: on the hemisphere ``c > 0``, the central projection ``u = b / c`` turns
the great circle of ``x_i`` into the line ``<x_i, u> + 1 = 0`` of the ``u`` plane; the cells
are the faces of that line arrangement, cut here in exact rational arithmetic (the sign
vectors are exact; floats only draw the outlines, along great-circle arcs). The lower
hemisphere's cells are their antipodes.

Examples
--------
>>> from fractions import Fraction as F
>>> xs = [(F(1), F(0)), (F(0), F(1)), (F(-1), F(-1))]
>>> len({c.signs for c in sphere_cells(xs)})  # n^2 - n + 2 cells for n generic circles
8
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np
from flint import fmpq

from explorer.geometry2d.convex import Polygon, box_polygon, split

# Centre of each disk on the drawing canvas: hemisphere +1 (c > 0) left, -1 (c < 0) right.
DISK_CENTRES = {1: (0.0, 0.0), -1: (2.5, 0.0)}
# Outlines follow great-circle arcs in steps of at most this many radians.
ARC_STEP = math.radians(3.0)


@dataclass(frozen=True, slots=True)
class SphereCell:
    """One cell's part in one hemisphere: the points a unit sees there, and its outline.

    ``signs[i]`` is the sign of ``<b, x_i> + c`` for every direction in the cell;
    ``outline`` is the closed outline in disk coordinates ``(b1, b2)`` (first vertex not
    repeated).
    """

    hemisphere: int
    signs: tuple[int, ...]
    outline: tuple[tuple[float, float], ...]

    @property
    def seen(self) -> int:
        """How many points a unit in this cell sees."""
        return sum(1 for s in self.signs if s > 0)

    @property
    def label(self) -> str:
        """The points seen, ``"x1, x3"`` (1-based), or ``"none"``."""
        return ", ".join(f"x{i + 1}" for i, s in enumerate(self.signs) if s > 0) or "none"


@dataclass(frozen=True, slots=True)
class CircleArc:
    """The half of data point ``point``'s great circle that lies in one hemisphere."""

    point: int
    hemisphere: int
    path: tuple[tuple[float, float], ...]
    label_at: tuple[float, float]


@dataclass(frozen=True, slots=True)
class UnitDirection:
    """Where one alive unit ``(b_l, c_l)`` sits on the sphere, and its size."""

    unit: int
    direction: tuple[float, float, float]
    norm: float

    @property
    def hemisphere(self) -> int:
        """+1 for ``c >= 0`` (left disk; a unit exactly on the equator is drawn there), -1."""
        return 1 if self.direction[2] >= 0 else -1

    @property
    def position(self) -> tuple[float, float]:
        """Disk coordinates ``(b1, b2) / |w|``."""
        return (self.direction[0], self.direction[1])


# ------------------------------------------------------------------ projection
def project(w: Sequence[float]) -> tuple[int, tuple[float, float]]:
    """The disk (hemisphere) and disk coordinates of a nonzero direction ``w = (b1, b2, c)``.

    >>> project((0.0, 3.0, -4.0))
    (-1, (0.0, 0.6))
    """
    norm = math.sqrt(sum(float(v) ** 2 for v in w))
    return (1 if w[2] >= 0 else -1), (float(w[0]) / norm, float(w[1]) / norm)


def direction_at(hemisphere: int, position: Sequence[float]) -> np.ndarray:
    """The unit direction drawn at disk coordinates ``position`` of disk ``hemisphere``.

    >>> direction_at(-1, (0.0, 0.6)).tolist()
    [0.0, 0.6, -0.8]
    """
    b1, b2 = float(position[0]), float(position[1])
    return np.array([b1, b2, hemisphere * math.sqrt(max(0.0, 1.0 - b1 * b1 - b2 * b2))])


def to_canvas(hemisphere: int, position: Sequence[float]) -> tuple[float, float]:
    """Disk coordinates on the drawing canvas (the right disk is shifted).

    >>> to_canvas(-1, (0.5, 0.0))
    (3.0, 0.0)
    """
    h, v = DISK_CENTRES[hemisphere]
    return (h + float(position[0]), v + float(position[1]))


def from_canvas(h: float, v: float) -> tuple[int, tuple[float, float]] | None:
    """The disk and disk coordinates of a canvas point, or ``None`` outside both disks.

    >>> from_canvas(3.0, 0.0)
    (-1, (0.5, 0.0))
    """
    for hemisphere, (ch, cv) in DISK_CENTRES.items():
        position = (h - ch, v - cv)
        if position[0] ** 2 + position[1] ** 2 <= 1.0:
            return hemisphere, position
    return None


def rim(samples: int = 181) -> np.ndarray:
    """The equator ``c = 0``: the unit circle, in disk coordinates (closed)."""
    t = np.linspace(0.0, 2.0 * math.pi, samples)
    return np.column_stack([np.cos(t), np.sin(t)])


# ----------------------------------------------------------------------- cells
def sphere_cells(xs: Sequence[Sequence[Fraction]]) -> tuple[SphereCell, ...]:
    """Every cell of the great-circle arrangement, split by hemisphere, outlined for drawing.

    Parameters
    ----------
    xs : the data inputs, exact ``(x1, x2)`` pairs (no two equal).

    Returns
    -------
    The upper hemisphere's cells (``c > 0``, left disk) then the lower's, each group sorted
    by sign vector (most points seen first). A cell crossing the equator appears once in
    each hemisphere.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> cells = sphere_cells([(F(1), F(0)), (F(0), F(1))])
    >>> [(c.hemisphere, c.label) for c in cells][:4]
    [(1, 'x1, x2'), (1, 'x1'), (1, 'x2'), (1, 'none')]
    """
    exact = [(_rational(x[0]), _rational(x[1])) for x in xs]
    far = _reach(exact)
    lifted: dict = {}  # each vertex is lifted once (most are corners of several cells)
    out = []
    for signs, polygon in _affine_cells(exact, far):
        corners = []
        for vertex in _through_middle(polygon, far):
            if vertex not in lifted:
                lifted[vertex] = _lift(vertex, far, exact)
            corners.append(lifted[vertex])
        outline = _outline(corners)
        out.append(SphereCell(1, signs, outline))
        # the antipodal cell of the lower hemisphere: its arcs are the antipodes' arcs
        out.append(SphereCell(-1, tuple(-s for s in signs),
                              tuple((-h, -v) for h, v in outline)))
    out.sort(key=lambda c: (-c.hemisphere, tuple(-s for s in c.signs)))
    return tuple(out)


def _rational(value: Fraction | str | int) -> fmpq:
    """An exact number as python-flint's rational (several times faster than Fraction).

    >>> _rational("-3/4"), _rational(Fraction(1, 3))
    (-3/4, 1/3)
    """
    exact = Fraction(value)
    return fmpq(exact.numerator, exact.denominator)


def _affine_cells(xs: list[tuple[Fraction, Fraction]], far: Fraction
                  ) -> list[tuple[tuple[int, ...], Polygon]]:
    """Faces of the lines ``<x_i, u> + 1 = 0`` inside the box ``[-far, far]^2``, exactly."""
    cells: list[tuple[tuple[int, ...], Polygon]] = [((), box_polygon(-far, far, -far, far))]
    for x in xs:
        if x == (0, 0):  # the circle is the equator: the whole upper hemisphere sees x
            cells = [((*signs, 1), polygon) for signs, polygon in cells]
            continue
        refined = []
        for signs, polygon in cells:
            positive, negative = split(polygon, x, fmpq(1))
            if positive is not None:
                refined.append(((*signs, 1), positive))
            if negative is not None:
                refined.append(((*signs, -1), negative))
        cells = refined
    return cells


def _reach(xs: list[tuple[Fraction, Fraction]]) -> Fraction:
    """Half-width of a box in the ``u`` plane holding every line's crossing and foot point
    well inside: beyond it, nothing happens but the lines running off to infinity."""
    far = fmpq(1000)
    for x in xs:
        if x != (0, 0):
            far = max(far, 4 / max(abs(x[0]), abs(x[1])))
    for p, q in combinations(xs, 2):
        det = p[0] * q[1] - p[1] * q[0]
        if det:
            u = ((p[1] - q[1]) / det, (q[0] - p[0]) / det)
            far = max(far, 4 * max(abs(u[0]), abs(u[1])))
    return fmpq(math.ceil(far))


def _lift(vertex: Sequence[Fraction], far: Fraction,
          xs: list[tuple[Fraction, Fraction]]) -> np.ndarray:
    """The unit direction ``(u, 1) / |(u, 1)|`` of a point of the ``u`` plane; a point on the
    box's edge stands for the equator: the point at infinity of the data line it lies on
    (exactly), or else of its own direction."""
    if max(abs(vertex[0]), abs(vertex[1])) < far:
        w = np.array([float(vertex[0]), float(vertex[1]), 1.0])
        return w / np.linalg.norm(w)
    toward = np.array([float(vertex[0]), float(vertex[1]), 0.0])
    for x in xs:
        if x[0] * vertex[0] + x[1] * vertex[1] + 1 == 0:
            along = (-x[1], x[0])  # the line's direction, pointing to this end
            if along[0] * vertex[0] + along[1] * vertex[1] < 0:
                along = (x[1], -x[0])
            toward = np.array([float(along[0]), float(along[1]), 0.0])
            break
    return toward / np.linalg.norm(toward)


def _through_middle(polygon: Polygon, far: Fraction) -> list:
    """The polygon's vertices, with the middle of each edge that crosses the box between
    two points of its boundary inserted: both ends go to the equator (possibly antipodal),
    and the middle says on which side the edge's arc runs."""
    out = []
    for k, p in enumerate(polygon):
        q = polygon[(k + 1) % len(polygon)]
        out.append(p)
        ends = [_box_sides(v, far) for v in (p, q)]
        if ends[0] and ends[1] and not ends[0] & ends[1]:
            out.append(((p[0] + q[0]) / 2, (p[1] + q[1]) / 2))
    return out


def _box_sides(vertex: Sequence[Fraction], far: Fraction) -> set[tuple[int, int]]:
    """The sides ``(axis, sign)`` of the box ``[-far, far]^2`` a vertex lies on."""
    return {(axis, 1 if vertex[axis] > 0 else -1) for axis in (0, 1) if abs(vertex[axis]) == far}


def _outline(corners: list[np.ndarray]) -> tuple[tuple[float, float], ...]:
    """A cell's outline in disk coordinates, its edges followed along great circles."""
    path = np.concatenate([_arc(start, corners[(k + 1) % len(corners)])[:-1]
                           for k, start in enumerate(corners)])
    return tuple(map(tuple, path[:, :2].tolist()))


def _arc(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Points along the shorter great-circle arc from ``start`` to ``stop`` (both included),
    one a row.

    >>> quarter = _arc(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    >>> len(quarter), quarter[15].round(6).tolist()  # 3° steps; 45° halfway
    (31, [0.707107, 0.707107, 0.0])
    """
    angle = math.acos(min(1.0, max(-1.0, float(start @ stop))))
    if angle < 1e-12:
        return np.stack([start, stop])
    t = np.linspace(0.0, 1.0, max(1, math.ceil(angle / ARC_STEP)) + 1)[:, None]
    return (np.sin((1 - t) * angle) * start + np.sin(t * angle) * stop) / math.sin(angle)


# --------------------------------------------------------------------- circles
def great_circles(xs: Sequence[Sequence[float]], samples: int = 121) -> tuple[CircleArc, ...]:
    """Each data point's great circle, as its half in each hemisphere (disk coordinates).

    Point ``x`` gives the circle ``<(x, 1), w> = 0``; its label sits at the circle's point
    nearest each disk's centre. ``x = (0, 0)`` gives the equator: the rims.

    >>> arcs = great_circles([(1.0, 0.0)], samples=3)
    >>> [(a.hemisphere, [tuple(round(v, 6) + 0.0 for v in p) for p in a.path]) for a in arcs]
    [(1, [(0.0, 1.0), (-0.707107, 0.0), (0.0, -1.0)]), (-1, [(0.0, -1.0), (0.707107, 0.0), (0.0, 1.0)])]
    """  # noqa: E501
    out = []
    for i, x in enumerate(xs):
        x1, x2 = float(x[0]), float(x[1])
        size = math.hypot(x1, x2)
        for hemisphere in (1, -1):
            if size == 0.0:
                path = rim(2 * samples - 1)
                out.append(CircleArc(i, hemisphere, _points(path), (0.0, 1.0)))
                continue
            # e1 on the equator, e2 the circle's point nearest the pole (c > 0).
            e1 = np.array([-x2, x1, 0.0]) / size
            h = np.array([x1, x2, 1.0])
            e2 = np.cross(h, e1)
            e2 /= np.linalg.norm(e2)
            t = np.linspace(0.0, math.pi, samples) + (0.0 if hemisphere == 1 else math.pi)
            path = np.outer(np.cos(t), e1) + np.outer(np.sin(t), e2)
            top = hemisphere * e2
            out.append(CircleArc(i, hemisphere, _points(path[:, :2]), (top[0], top[1])))
    out.sort(key=lambda a: (-a.hemisphere, a.point))
    return tuple(out)


def _points(array: np.ndarray) -> tuple[tuple[float, float], ...]:
    """Rows of an array as float pairs."""
    return tuple((float(a), float(b)) for a, b in array[:, :2])


# ----------------------------------------------------------------------- units
def unit_directions(B: Sequence[Sequence[float]], c: Sequence[float]) -> tuple[UnitDirection, ...]:
    """The alive units of one parameter point on the sphere (dead units have no direction).

    >>> [(u.unit, u.hemisphere, u.position, u.norm) for u in unit_directions([[3, 0], [0, 0]],
    ...                                                                       [-4, 0])]
    [(0, -1, (0.6, 0.0), 5.0)]
    """
    out = []
    for l, (b, bias) in enumerate(zip(B, c)):
        w = np.array([float(b[0]), float(b[1]), float(bias)])
        norm = float(np.linalg.norm(w))
        if norm > 0.0:
            unit = w / norm
            out.append(UnitDirection(l, (float(unit[0]), float(unit[1]), float(unit[2])), norm))
    return tuple(out)

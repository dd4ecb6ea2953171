"""Plain-numpy drawing helpers shared by the views: minima as points, the (b, c) fan.

For d = 1 the constraint of unit l at data point i is ``b_l x_i + c_l = 0``: a line through
the origin of the (b, c) plane with direction ``(1, -x_i)``. The n lines cut the plane into
2n sectors; in each sector the same points are active (``b x_i + c > 0``).

Examples
--------
>>> sectors = fan_sectors([-1.0, 1.0], radius=2.0)
>>> sorted(s.active for s in sectors)
[(), (0,), (0, 1), (1,)]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.results import CurveMinimum, IsolatedMinimum, Point

Minimum = IsolatedMinimum | CurveMinimum


@dataclass(frozen=True, slots=True)
class Sector:
    """One sector of the fan: its polygon (closed, starting at the origin) and active points."""

    b: tuple[float, ...]
    c: tuple[float, ...]
    active: tuple[int, ...]


def one_input(result: Any) -> Any:
    """``result`` if it is a solution for one input (d = 1), else ``None``: the 1-D views
    draw nothing for two-dimensional data (the 2-D views do).

    >>> one_input(None) is None
    True
    """
    return result if result is not None and len(result.x[0]) == 1 else None


def representative(minimum: Minimum) -> Point:
    """One parameter point of a minimum: itself, or the middle sample of a curve.

    All points of a split curve give the same network function, so this one draws it.
    """
    if minimum.kind == "isolated":
        return minimum.point
    return minimum.samples[len(minimum.samples) // 2]


def points_of(minimum: Minimum) -> tuple[Point, ...]:
    """Every parameter point that stands for a minimum (all samples of a curve)."""
    return (minimum.point,) if minimum.kind == "isolated" else minimum.samples


def slice_coords(p: Point, unit: int | None) -> tuple[float, float]:
    """A point's coordinates in a slice: unit ``unit``'s ``(b, c)``, or ``(c1, c2)`` when
    ``unit`` is None.

    >>> p = Point(B=((0.5,), (-1.0,)), c=(0.25, 2.0), a=(1.0, 1.0))
    >>> slice_coords(p, 1), slice_coords(p, None)
    ((-1.0, 2.0), (0.25, 2.0))
    """
    return (p.c[0], p.c[1]) if unit is None else (p.B[unit][0], p.c[unit])


def nearest_within(h: Sequence[float], v: Sequence[float], x: float, y: float,
                   tolerance: float) -> int | None:
    """Index of the point ``(h[k], v[k])`` nearest to ``(x, y)`` if within ``tolerance``.

    >>> nearest_within([0.0, 1.0], [0.0, 1.0], 0.9, 1.0, 0.2)
    1
    >>> nearest_within([0.0], [0.0], 1.0, 1.0, 0.2) is None
    True
    """
    if len(h) == 0:
        return None
    distance = np.hypot(np.asarray(h, float) - x, np.asarray(v, float) - y)
    nearest = int(np.argmin(distance))
    return nearest if distance[nearest] <= tolerance else None


def line_segments(xs: Sequence[float], radius: float) -> list[np.ndarray]:
    """The lines ``b x_i + c = 0`` as segments through the origin, of half-length ``radius``.

    >>> line_segments([0.0], 1.0)[0].tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    """
    out = []
    for x in xs:
        direction = np.array([1.0, 0.0 - x]) / math.hypot(1.0, x)
        out.append(np.array([-radius * direction, radius * direction]) + 0.0)
    return out


def label_positions(xs: Sequence[float], radius: float) -> list[tuple[float, float]]:
    """Where to write each line's label: on the line, at distance ``radius``, upper side."""
    out = []
    for x in xs:
        direction = np.array([1.0, -x]) / math.hypot(1.0, x)
        if direction[1] < 0 or (direction[1] == 0 and direction[0] < 0):
            direction = -direction
        out.append((float(radius * direction[0]), float(radius * direction[1])))
    return out


def fan_sectors(xs: Sequence[float], radius: float, arc_points: int = 8) -> list[Sector]:
    """The 2n sectors of the fan of lines ``b x_i + c = 0``, with the points active in each.

    Parameters
    ----------
    xs : the data inputs (distinct).
    radius : how far each sector polygon reaches.
    arc_points : points on each sector's outer arc.
    """
    angles = []
    for x in xs:
        base = math.atan2(-x, 1.0)
        angles.extend([base % (2 * math.pi), (base + math.pi) % (2 * math.pi)])
    angles = sorted(set(round(a, 12) for a in angles))
    sectors = []
    for k, start in enumerate(angles):
        stop = angles[(k + 1) % len(angles)] + (2 * math.pi if k + 1 == len(angles) else 0.0)
        middle = 0.5 * (start + stop)
        b_mid, c_mid = math.cos(middle), math.sin(middle)
        active = tuple(i for i, x in enumerate(xs) if b_mid * x + c_mid > 0)
        arc = np.linspace(start, stop, arc_points)
        bs = (0.0, *(radius * np.cos(arc)).tolist())
        cs = (0.0, *(radius * np.sin(arc)).tolist())
        sectors.append(Sector(bs, cs, active))
    return sectors


def plane_radius(minima: Sequence[Minimum], unit: int | None = None) -> float:
    """A square half-width that shows every unit of every minimum with some margin.

    >>> plane_radius([])
    1.0
    """
    extent = 0.0
    for minimum in minima:
        for point in points_of(minimum):
            units = range(len(point.c)) if unit is None else [unit]
            for k in units:
                extent = max(extent, abs(point.c[k]), *(abs(v) for v in point.B[k]))
    return max(1.0, 1.2 * extent)


def active_label(active: Sequence[tuple[int, int]], unit: int | None = None) -> str:
    """Active constraints as ``"x1·u1, x2·u2"`` (1-based), or ``"none"``.

    >>> active_label([(0, 0), (1, 1)])
    'x1·u1, x2·u2'
    """
    parts = [f"x{i + 1}·u{k + 1}" for i, k in active if unit is None or k == unit]
    return ", ".join(parts) if parts else "none"

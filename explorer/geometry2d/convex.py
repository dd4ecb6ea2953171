"""Convex polygons of the plane cut by a line, exactly when the coordinates are Fractions.

A polygon is a tuple of vertices ``(u1, u2)`` in counter-clockwise order. The same code
runs on floats (for drawing) and on :class:`~fractions.Fraction` (for the arrangement's
cells, whose sign vectors must be exact).

Examples
--------
>>> from fractions import Fraction as F
>>> square = box_polygon(F(-1), F(1), F(-1), F(1))
>>> upper, lower = split(square, (F(0), F(1)), F(0))
>>> upper
((Fraction(1, 1), Fraction(0, 1)), (Fraction(1, 1), Fraction(1, 1)), (Fraction(-1, 1), Fraction(1, 1)), (Fraction(-1, 1), Fraction(0, 1)))
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Coordinates are floats or Fractions (any ordered field).
Number = Any
Vertex = tuple[Number, Number]
Polygon = tuple[Vertex, ...]


def box_polygon(lo1: Number, hi1: Number, lo2: Number, hi2: Number) -> Polygon:
    """The rectangle ``[lo1, hi1] x [lo2, hi2]``, counter-clockwise.

    >>> box_polygon(0, 1, 0, 2)
    ((0, 0), (1, 0), (1, 2), (0, 2))
    """
    return ((lo1, lo2), (hi1, lo2), (hi1, hi2), (lo1, hi2))


def side_values(polygon: Sequence[Vertex], normal: Sequence[Number], offset: Number) -> list:
    """``<normal, v> + offset`` at every vertex ``v``."""
    return [normal[0] * v[0] + normal[1] * v[1] + offset for v in polygon]


def clip(polygon: Sequence[Vertex], normal: Sequence[Number], offset: Number) -> Polygon | None:
    """The part of ``polygon`` where ``<normal, u> + offset >= 0``, or ``None`` if it has no
    interior (the polygon lies on the other side, or only touches the line).

    >>> clip(box_polygon(0, 2, 0, 2), (1, 0), -1)
    ((1.0, 0.0), (2, 0), (2, 2), (1.0, 2.0))
    >>> clip(box_polygon(0, 1, 0, 1), (1, 0), -1) is None
    True
    """
    values = side_values(polygon, normal, offset)
    if not any(v > 0 for v in values):
        return None
    out = []
    count = len(polygon)
    for k in range(count):
        p, q = polygon[k], polygon[(k + 1) % count]
        s, t = values[k], values[(k + 1) % count]
        if s >= 0:
            out.append(tuple(p))
        if (s > 0 > t) or (s < 0 < t):
            share = s / (s - t)
            out.append((p[0] + share * (q[0] - p[0]), p[1] + share * (q[1] - p[1])))
    return tuple(out)


def split(
    polygon: Sequence[Vertex], normal: Sequence[Number], offset: Number
) -> tuple[Polygon | None, Polygon | None]:
    """``polygon`` cut by the line ``<normal, u> + offset = 0``: (positive part, negative part).

    A part without interior is ``None``.

    >>> pos, neg = split(box_polygon(0, 2, 0, 1), (1, 0), -1)
    >>> len(pos), len(neg)
    (4, 4)
    """
    negated = (-normal[0], -normal[1])
    return clip(polygon, normal, offset), clip(polygon, negated, -offset)


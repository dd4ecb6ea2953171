"""A unit across the input plane (d = 2): its kink line ``<b, x> + c = 0`` and active side.

Unit ``(b, c)`` is active (``ReLU(<b, x> + c) > 0``) on one side of its kink line, the side
``b`` points to. The data view draws the line clipped to the plotted box and short ticks
on the active side (the usual mark of a half-plane constraint), so the network function
behind stays visible.

Examples
--------
>>> kink_segment((1.0, 0.0), -0.5, (-1.0, 1.0, -1.0, 1.0))
((0.5, -1.0), (0.5, 1.0))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from explorer.geometry2d.convex import Polygon, box_polygon, clip

# A box of the plane: (x1 low, x1 high, x2 low, x2 high).
Box = tuple[float, float, float, float]
Segment = tuple[tuple[float, float], tuple[float, float]]


def data_box(xs: Sequence[Sequence[float]], pad: float = 0.25) -> Box:
    """A square-ish box around the inputs with ``pad`` of their extent (at least 0.25) added.

    >>> data_box([(0.0, 0.0), (1.0, 2.0)])
    (-0.5, 1.5, -0.5, 2.5)
    """
    array = np.asarray(xs, dtype=float)
    low, high = array.min(axis=0), array.max(axis=0)
    margin = max(0.25, pad * float(np.max(high - low)))
    return (float(low[0] - margin), float(high[0] + margin),
            float(low[1] - margin), float(high[1] + margin))


def square_box(box: Box) -> Box:
    """The smallest square box around ``box`` with the same centre (the shorter side
    widened): drawn in a square frame, x1 and x2 then have the same scale, so lines keep
    their true angles.

    >>> square_box((-0.5, 1.5, -0.5, 2.5))
    (-1.0, 2.0, -0.5, 2.5)
    """
    half = max(box[1] - box[0], box[3] - box[2]) / 2
    h, v = (box[0] + box[1]) / 2, (box[2] + box[3]) / 2
    return (h - half, h + half, v - half, v + half)


def kink_segment(b: Sequence[float], c: float, box: Box) -> Segment | None:
    """The part of the line ``<b, x> + c = 0`` inside ``box`` (``None`` if it misses it, or
    if ``b = 0``: a unit with no kink).

    >>> kink_segment((1.0, 1.0), 0.0, (0.5, 1.0, 0.5, 1.0)) is None
    True
    """
    b1, b2 = float(b[0]), float(b[1])
    size2 = b1 * b1 + b2 * b2
    if size2 == 0.0:
        return None
    foot = np.array([-c * b1 / size2, -c * b2 / size2])
    along = np.array([-b2, b1]) / math.sqrt(size2)
    low, high = -math.inf, math.inf
    for axis, (lo, hi) in enumerate(((box[0], box[1]), (box[2], box[3]))):
        if along[axis] == 0.0:
            if not lo <= foot[axis] <= hi:
                return None
            continue
        t1, t2 = (lo - foot[axis]) / along[axis], (hi - foot[axis]) / along[axis]
        low, high = max(low, min(t1, t2)), min(high, max(t1, t2))
    if high <= low:
        return None
    start, stop = foot + low * along, foot + high * along
    return ((float(start[0]), float(start[1])), (float(stop[0]), float(stop[1])))


def active_region(b: Sequence[float], c: float, box: Box) -> Polygon | None:
    """The part of ``box`` where the unit is active, ``<b, x> + c > 0`` (a convex polygon).

    >>> active_region((1.0, 0.0), 0.0, (-1.0, 1.0, -1.0, 1.0))
    ((0.0, -1.0), (1.0, -1.0), (1.0, 1.0), (0.0, 1.0))
    """
    return clip(box_polygon(*box), (float(b[0]), float(b[1])), float(c))


def side_ticks(b: Sequence[float], c: float, box: Box, count: int = 9,
               length: float | None = None) -> list[Segment]:
    """Short ticks along the kink line pointing into the active side (``count`` of them).

    Each tick starts on the line and runs ``length`` (default 3% of the box's diagonal) in
    the direction of ``b``, into the half-plane the unit sees.

    >>> side_ticks((0.0, 1.0), 0.0, (-1.0, 1.0, -1.0, 1.0), count=1, length=0.1)
    [((0.0, 0.0), (0.0, 0.1))]
    """
    segment = kink_segment(b, c, box)
    if segment is None:
        return []
    if length is None:
        length = 0.03 * math.hypot(box[1] - box[0], box[3] - box[2])
    normal = np.array([float(b[0]), float(b[1])])
    normal *= length / float(np.linalg.norm(normal))
    start, stop = np.array(segment[0]), np.array(segment[1])
    out = []
    for t in (np.arange(count) + 0.5) / count:
        foot = start + t * (stop - start)
        tip = foot + normal
        out.append(((float(foot[0]), float(foot[1])), (float(tip[0]), float(tip[1]))))
    return out


def grid(box: Box, steps: int = 101) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Axes of a ``steps x steps`` grid over ``box`` and its points as an ``(steps^2, 2)`` array
    (row-major over ``x2``, then ``x1``: reshape values to ``(steps, steps)`` for an image).

    >>> h, v, points = grid((0.0, 1.0, 0.0, 2.0), steps=3)
    >>> v.tolist(), points[:4].tolist()
    ([0.0, 1.0, 2.0], [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [0.0, 1.0]])
    """
    h = np.linspace(box[0], box[1], steps)
    v = np.linspace(box[2], box[3], steps)
    hh, vv = np.meshgrid(h, v)
    return h, v, np.column_stack([hh.ravel(), vv.ravel()])

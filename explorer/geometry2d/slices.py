"""Loss-surface slices for d = 2, where one unit has three parameters ``(b1, b2, c)``.

Two slices, both with the other units held at a minimum and ``a`` at its ridge optimum
(:func:`explorer.loss.reduced_loss`):

- **direction**: unit ``l``'s direction on the sphere in two angles, its norm at the
  optimum. ``w = r (sin t cos p, sin t sin p, cos t)`` with azimuth ``p`` of ``(b1, b2)`` and
  polar angle ``t`` from the ``+c`` axis (degrees); each pixel is the least loss over
  ``r >= 0`` along that ray (``r = 0``: the unit dead). The kinks are the great circles,
  here the curves ``t = atan2(1, -<x_i, (cos p, sin p)>)``.
- **(b1, b2) at c**: unit ``l``'s ``(b1, b2)`` with its ``c`` fixed at the minimum's; the
  kinks are the straight lines ``<x_i, b> + c = 0``.

Examples
--------
>>> [round(v, 6) for v in angles((0.0, 1.0, 0.0))]
[90.0, 90.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.loss import reduced_loss

SHAPE = (46, 91)  # (polar, azimuth) samples of the direction slice
NORM_STEPS = 24
REFINE_STEPS = 16
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True, slots=True)
class DirectionSlice:
    """The direction slice: axes in degrees, least loss and the norm reaching it.

    ``loss`` and ``norm`` have shape ``(len(polar), len(azimuth))``.
    """

    azimuth: np.ndarray
    polar: np.ndarray
    loss: np.ndarray
    norm: np.ndarray


def direction(azimuth: np.ndarray | float, polar: np.ndarray | float) -> np.ndarray:
    """Unit vectors ``(b1, b2, c)`` for angles in degrees (shape ``(..., 3)``).

    >>> direction(0.0, 90.0).round(12).tolist()
    [1.0, 0.0, 0.0]
    """
    p, t = np.radians(azimuth), np.radians(polar)
    return np.stack(np.broadcast_arrays(np.sin(t) * np.cos(p), np.sin(t) * np.sin(p),
                                        np.cos(t)), axis=-1)


def angles(w: Sequence[float]) -> tuple[float, float]:
    """``(azimuth, polar)`` in degrees of a nonzero ``w = (b1, b2, c)``: the inverse of
    :func:`direction` (azimuth in ``(-180, 180]``, polar in ``[0, 180]``).

    >>> angles((0.0, 0.0, -2.0))
    (0.0, 180.0)
    """
    b1, b2, c = (float(v) for v in w)
    return (math.degrees(math.atan2(b2, b1)),
            math.degrees(math.atan2(math.hypot(b1, b2), c)))


def kink_polar(xs: Sequence[Sequence[float]], azimuth: np.ndarray) -> np.ndarray:
    """Polar angle (degrees) of each point's great circle at each azimuth, ``(n, m)``.

    >>> kink_polar([(0.0, 0.0), (1.0, 0.0)], np.array([0.0, 180.0])).round(6).tolist()
    [[90.0, 90.0], [135.0, 45.0]]
    """
    x = np.asarray(xs, dtype=float)
    p = np.radians(np.asarray(azimuth, dtype=float))
    reach = np.outer(x[:, 0], np.cos(p)) + np.outer(x[:, 1], np.sin(p))
    return np.degrees(np.arctan2(1.0, -reach))


def _with_unit(B: np.ndarray, c: np.ndarray, unit: int, w: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Batches of ``(B, c)`` equal to the held ones except unit ``unit``, set to ``w``."""
    batch = w.shape[:-1]
    Bs = np.broadcast_to(B, (*batch, *B.shape)).copy()
    cs = np.broadcast_to(c, (*batch, *c.shape)).copy()
    Bs[..., unit, :] = w[..., :2]
    cs[..., unit] = w[..., 2]
    return Bs, cs


def direction_slice(
    x: Sequence[Sequence[float]], y: Sequence[float], lam: float,
    B: Sequence[Sequence[float]], c: Sequence[float], unit: int, reach: float,
    shape: tuple[int, int] = SHAPE,
) -> DirectionSlice:
    """Least loss over the norm ``r`` in ``[0, reach]`` for each direction of unit ``unit``.

    Parameters
    ----------
    x, y, lam : the data (``x`` as ``(n, 2)``) and λ.
    B, c : the held parameter point (``(L, 2)`` and ``(L,)``); unit ``unit`` is varied.
    reach : the largest norm tried (take it above every minimum's unit norm).
    shape : ``(polar, azimuth)`` samples.

    Notes
    -----
    ``r`` is sampled at ``NORM_STEPS`` points, then the best bracket is narrowed by a
    golden-section search (vectorised over all directions). Drawing only: the certified
    minima come from the solver.

    Examples
    --------
    >>> s = direction_slice([(1.0, 0.0), (0.0, 1.0)], [1.0, 0.0], 0.01, [[0.0, 0.0]], [0.0],
    ...                     0, 3.0, shape=(5, 9))
    >>> s.loss.shape, bool(s.loss.max() <= 1.0 + 1e-12)  # r = 0 gives |y|^2 = 1
    ((5, 9), True)
    """
    Bh, ch = np.asarray(B, dtype=float), np.asarray(c, dtype=float)
    azimuth = np.linspace(-180.0, 180.0, shape[1])
    polar = np.linspace(0.0, 180.0, shape[0])
    rays = direction(azimuth[None, :], polar[:, None])  # (polar, azimuth, 3)

    def loss_at(r: np.ndarray) -> np.ndarray:
        Bs, cs = _with_unit(Bh, ch, unit, rays[..., None, :] * r[..., None])
        return reduced_loss(x, y, lam, Bs, cs)

    norms = np.linspace(0.0, reach, NORM_STEPS)
    sampled = loss_at(np.broadcast_to(norms, (*rays.shape[:2], NORM_STEPS)))
    best = np.argmin(sampled, axis=-1)
    low = norms[np.maximum(best - 1, 0)]
    high = norms[np.minimum(best + 1, NORM_STEPS - 1)]
    for _ in range(REFINE_STEPS):  # golden section on each ray's bracket
        left = high - _GOLDEN * (high - low)
        right = low + _GOLDEN * (high - low)
        go_left = loss_at(left[..., None])[..., 0] < loss_at(right[..., None])[..., 0]
        high = np.where(go_left, right, high)
        low = np.where(go_left, low, left)
    middle = 0.5 * (low + high)
    refined = loss_at(middle[..., None])[..., 0]
    grid_best = np.take_along_axis(sampled, best[..., None], axis=-1)[..., 0]
    better = refined < grid_best
    return DirectionSlice(
        azimuth, polar, np.where(better, refined, grid_best),
        np.where(better, middle, norms[best]),
    )


def b_slice(
    x: Sequence[Sequence[float]], y: Sequence[float], lam: float,
    B: Sequence[Sequence[float]], c: Sequence[float], unit: int, radius: float,
    steps: int = 141,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss over unit ``unit``'s ``(b1, b2)`` in ``[-radius, radius]^2``, its ``c`` held.

    Returns the ``b1`` axis, the ``b2`` axis and the loss of shape ``(steps, steps)``
    (rows: ``b2``).

    >>> h, v, loss = b_slice([(1.0, 0.0), (0.0, 1.0)], [1.0, 0.0], 0.01, [[0.0, 0.0]], [0.0],
    ...                      0, 1.0, steps=3)
    >>> float(loss[1, 1])  # b = 0, c = 0: the unit is dead, loss |y|^2
    1.0
    """
    Bh, ch = np.asarray(B, dtype=float), np.asarray(c, dtype=float)
    axis = np.linspace(-radius, radius, steps)
    b1, b2 = np.meshgrid(axis, axis)
    w = np.stack([b1, b2, np.full_like(b1, ch[unit])], axis=-1)
    Bs, cs = _with_unit(Bh, ch, unit, w)
    return axis, axis, reduced_loss(x, y, lam, Bs, cs)

"""Loss-surface slices for d = 2, where one unit has three parameters ``(b1, b2, c)``.

Two slices, both with the other units held at a minimum and ``a`` at its ridge optimum
(``loss_lam`` of :mod:`explorer.loss`, here in closed form: only one unit varies, so its
features change the ridge system by a rank-one term):

- **direction**: unit ``l``'s direction on the sphere in two angles, its norm at the
  optimum. ``w = r (sin t cos p, sin t sin p, cos t)`` with azimuth ``p`` of ``(b1, b2)`` and
  polar angle ``t`` from the ``+c`` axis (degrees); each pixel is the least loss over
  ``r >= 0`` along that ray (``r = 0``: the unit dead), found exactly, not sampled. The
  kinks are the great circles, here the curves ``t = atan2(1, -<x_i, (cos p, sin p)>)``.
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

SHAPE = (46, 91)  # (polar, azimuth) samples of the direction slice


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


def _rank_one(x: Sequence[Sequence[float]], y: Sequence[float], lam: float,
              B: Sequence[Sequence[float]], c: Sequence[float], unit: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """What the loss of unit ``unit``'s features needs, the other units held.

    With ``F`` the held units' features (``n x (L - 1)``) and ``M = F F^T + lam I``,
    ``loss_lam = lam y^T (M + s s^T)^{-1} y + lam (|held|^2 + |w|^2)`` for unit ``unit`` at
    ``w`` with features ``s_i = ReLU(<w, (x_i, 1)>)``; by the Sherman-Morrison formula
    ``y^T (M + s s^T)^{-1} y = y^T M^{-1} y - (s^T M^{-1} y)^2 / (1 + s^T M^{-1} s)``.

    Returns the lifted inputs ``h_i = (x_i, 1)`` (``(n, 3)``), ``M^{-1} y``, ``M^{-1}``,
    ``y^T M^{-1} y`` and ``|held|^2`` (the other units' ``|b|^2 + c^2``).
    """
    xs, yv = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    Bh, ch = np.asarray(B, dtype=float), np.asarray(c, dtype=float)
    others = [k for k in range(len(ch)) if k != unit]
    features = np.maximum(xs @ Bh[others].T + ch[others], 0.0)
    inverse = np.linalg.inv(features @ features.T + lam * np.eye(len(yv)))
    p = inverse @ yv
    held = float((Bh[others] ** 2).sum() + (ch[others] ** 2).sum())
    return np.column_stack([xs, np.ones(len(yv))]), p, inverse, float(yv @ p), held


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
    In closed form (:func:`_rank_one`): along a ray ``w = r u`` the features are ``r s``, so
    with ``t = r^2``, ``beta = s^T M^{-1} y`` and ``gamma = s^T M^{-1} s`` the loss is
    ``lam (alpha - t beta^2 / (1 + t gamma) + |held|^2 + t)``, whose derivative in ``t``,
    ``lam (1 - beta^2 / (1 + t gamma)^2)``, vanishes once, at ``1 + t gamma = |beta|``: the
    least loss is at ``t* = (|beta| - 1) / gamma`` when ``|beta| > 1`` (else at ``r = 0``,
    the unit dead), and ``t*`` clipped to ``reach^2`` on a shorter ray. Floats, for drawing:
    the certified minima come from the solver.

    Examples
    --------
    >>> s = direction_slice([(1.0, 0.0), (0.0, 1.0)], [1.0, 0.0], 0.01, [[0.0, 0.0]], [0.0],
    ...                     0, 3.0, shape=(5, 9))
    >>> s.loss.shape, bool(s.loss.max() <= 1.0 + 1e-12)  # r = 0 gives |y|^2 = 1
    ((5, 9), True)
    """
    azimuth = np.linspace(-180.0, 180.0, shape[1])
    polar = np.linspace(0.0, 180.0, shape[0])
    rays = direction(azimuth[None, :], polar[:, None])  # (polar, azimuth, 3)
    lifted, p, inverse, alpha, held = _rank_one(x, y, lam, B, c, unit)
    s = np.maximum(rays @ lifted.T, 0.0)  # (polar, azimuth, n)
    beta = np.abs(s @ p)
    gamma = np.einsum("...i,ij,...j->...", s, inverse, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where((beta > 1.0) & (gamma > 0.0), (beta - 1.0) / gamma, 0.0)
    t = np.minimum(t, reach * reach)
    loss = lam * (alpha - t * beta * beta / (1.0 + t * gamma) + held + t)
    return DirectionSlice(azimuth, polar, loss, np.sqrt(t))


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
    axis = np.linspace(-radius, radius, steps)
    b1, b2 = np.meshgrid(axis, axis)
    bias = float(np.asarray(c, dtype=float)[unit])
    w = np.stack([b1, b2, np.full_like(b1, bias)], axis=-1)
    lifted, p, inverse, alpha, held = _rank_one(x, y, lam, B, c, unit)
    s = np.maximum(w @ lifted.T, 0.0)  # (b2, b1, n)
    beta = s @ p
    gamma = np.einsum("...i,ij,...j->...", s, inverse, s)
    loss = lam * (alpha - beta * beta / (1.0 + gamma) + held + (w * w).sum(-1))
    return axis, axis, loss

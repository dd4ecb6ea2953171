"""Midpoint-radius interval arithmetic in float64 with every rounding error bounded.

A quantity is a pair of arrays ``(mid, rad)`` holding every value in
``[mid - rad, mid + rad]`` (S. M. Rump, "Fast and parallel interval arithmetic", BIT 39,
1999), computed in round-to-nearest float64 on stacked NumPy arrays; each operation
bounds the rounding errors of its midpoint by ``gamma_n = n u / (1 - n u)``
(``u = 2^-53``) times the absolute values (valid in any summation order, with or without
FMA), and rounds the radius up by a factor ``1 + 4 (ops + 2) u`` plus a tiny absolute
term for underflow. A linear system ``B x = z`` with an interval ``B`` is enclosed by
Rump's test: with ``R`` a float inverse of ``mid B`` and ``|I - R B| <= c < 1`` (infinity
norm, over the whole interval), ``|x - R z| <= |R (z - B R z)| / (1 - c)`` for every
``B`` and ``z``. The coarse proofs (:mod:`solver.pipeline.locate.coarse`) and the
first-order signs (:mod:`solver.pipeline.locate.first_order`) compute in it.

Examples
--------
>>> import numpy as np
>>> a = (np.array([1.0, 3.0]), np.zeros(2))
>>> m, r = mul(a, a)                 # [1, 9], exactly, with tiny radii
>>> [float(v) for v in m], bool(np.all(r < 1e-14))
([1.0, 9.0], True)
>>> two, one = exact(np.array([[[2.0]]])), exact(np.array([[[1.0]]]))
>>> x, ok = solve_enclosed(two, one)       # 2 x = 1
>>> float(x[0][0, 0, 0]), bool(ok[0]), bool(x[1][0, 0, 0] < 1e-15)
(0.5, True, True)
"""

from __future__ import annotations

import numpy as np

U = 2.0**-53  # the unit roundoff of float64
TINY = 2.0**-1000  # absorbs underflow in every radius

Interval = tuple[np.ndarray, np.ndarray]  # (mid, rad): every value in mid +- rad


def up(x: np.ndarray, ops: int) -> np.ndarray:
    """An upper bound of a nonnegative quantity computed as ``x`` with at most ``ops``
    rounded operations (each error at most ``u``), underflow included."""
    return x * (1.0 + 4.0 * (ops + 2) * U) + TINY


def exact(m: np.ndarray) -> Interval:
    """Floats taken as exact (zero radius)."""
    return m, np.zeros_like(m)


def rounded(m: np.ndarray) -> Interval:
    """Floats that are rationals rounded to nearest (``float(fmpq)``), with their error."""
    return m, up(2 * U * np.abs(m), 1)


def add(a: Interval, b: Interval) -> Interval:
    """``a + b``."""
    m = a[0] + b[0]
    return m, up(a[1] + b[1] + U * np.abs(m), 3)


def sub(a: Interval, b: Interval) -> Interval:
    """``a - b``."""
    m = a[0] - b[0]
    return m, up(a[1] + b[1] + U * np.abs(m), 3)


def mul(a: Interval, b: Interval) -> Interval:
    """``a * b`` elementwise (broadcasting)."""
    m = a[0] * b[0]
    r = np.abs(a[0]) * b[1] + a[1] * (np.abs(b[0]) + b[1]) + U * np.abs(m)
    return m, up(r, 5)


def matmul(a: Interval, b: Interval) -> Interval:
    """``a @ b`` (stacked, broadcasting as ``numpy.matmul``)."""
    q = a[0].shape[-1]
    m = a[0] @ b[0]
    abs_a, abs_b = np.abs(a[0]), np.abs(b[0])
    r = (2 * (q + 2) * U) * (abs_a @ abs_b)
    if b[1].any():
        r = r + abs_a @ b[1]
    if a[1].any():
        r = r + a[1] @ (abs_b + b[1])
    return m, up(r, q + 6)


def total(a: Interval, axis: int) -> Interval:
    """The sum along ``axis``."""
    q = a[0].shape[axis]
    m = a[0].sum(axis=axis)
    r = a[1].sum(axis=axis) + (2 * (q + 2) * U) * np.abs(a[0]).sum(axis=axis)
    return m, up(r, q + 4)


Factor = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # R, c, ok, |I - R B|


def factor_enclosed(B: Interval) -> Factor:
    """What :func:`solve_enclosed` computes of ``B`` alone (``R``, the contraction bound
    ``c`` of ``|I - R B|``, whether ``c < 1/2``, and ``|I - R B|`` rounded up), for
    several right-hand sides with one ``B``."""
    K = B[0].shape[-1]
    R = inverses(B[0])
    R = np.where(np.isfinite(R), R, np.nan)
    RB = matmul(exact(R), B)
    C = sub(exact(np.broadcast_to(np.eye(K), RB[0].shape)), RB)
    c = up(np.max(np.sum(np.abs(C[0]) + C[1], axis=-1), axis=-1), K + 2)  # (N,)
    return R, c, c < 0.5, up(np.abs(C[0]) + C[1], 1)


def solve_enclosed(B: Interval, Z: Interval, factor: Factor | None = None,
                   ) -> tuple[Interval, np.ndarray]:
    """Enclosures of ``B^{-1} Z`` for stacked ``(N, K, K)`` and ``(N, K, c)`` intervals,
    and per system whether it is proved (``|I - R B| <= 1/2``; module docstring; a
    singular midpoint proves nothing); ``factor`` is :func:`factor_enclosed` of ``B``
    when it is known already (the same result)."""
    K = B[0].shape[-1]
    R, c, ok, absC = factor_enclosed(B) if factor is None else factor
    X = R @ Z[0]
    rho = matmul(exact(R), sub(Z, matmul(B, exact(X))))
    rn = up(np.max(np.abs(rho[0]) + rho[1], axis=-2), 2)  # (N, c): per column
    beta = up(rn / np.where(ok, 1.0 - c, 1.0)[:, None], 3)  # |x - X| <= beta (N, c)
    # componentwise: x - X = d + C (x - X) with d in rho, so |x - X| <= |d| + |C| beta
    bound = up(np.abs(rho[0]) + rho[1] + absC @ np.broadcast_to(beta[:, None, :], X.shape),
               K + 4)
    return (X, np.minimum(bound, beta[:, None, :])), ok


def inverses(J: np.ndarray) -> np.ndarray:
    """Float inverses of stacked matrices; a singular one gives NaN (proves nothing)."""
    try:
        return np.linalg.inv(J)
    except np.linalg.LinAlgError:
        out = np.full_like(J, np.nan)
        for i in range(len(J)):
            try:
                out[i] = np.linalg.inv(J[i])
            except np.linalg.LinAlgError:
                pass
        return out

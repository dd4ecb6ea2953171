"""Evaluate the network and its loss in floating point, for drawing only.

Every number here comes straight from the model's formula (docs/math.md):

    f(x)          = sum_l a_l ReLU(<b_l, x> + c_l)
    loss(a, B, c) = sum_i (y_i - f(x_i))^2 + lam (|a|^2 + |B|^2 + |c|^2)
    loss_lam(B, c) = min_a loss = lam y^T (Phi Phi^T + lam I)^{-1} y + lam (|B|^2 + |c|^2)

with ``Phi[i, l] = ReLU(<b_l, x_i> + c_l)``. The dashboard draws ``f`` over the data and
``loss_lam`` over 2-D slices; the certified minima themselves come from the solver.

Examples
--------
>>> import numpy as np
>>> B, c, a = np.array([[1.0]]), np.array([0.0]), np.array([2.0])
>>> float(network(B, c, a, np.array([[-1.0], [3.0]]))[1])
6.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def network(B: ArrayLike, c: ArrayLike, a: ArrayLike, x: ArrayLike) -> FloatArray:
    """Network output ``f(x) = sum_l a_l ReLU(<b_l, x> + c_l)`` at each row of ``x``.

    Parameters
    ----------
    B : (L, d) input weights.
    c : (L,) biases.
    a : (L,) output weights.
    x : (m, d) inputs (or (m,) when d = 1).

    Returns
    -------
    (m,) array of outputs.

    Examples
    --------
    >>> network([[1.0], [-1.0]], [0.0, 0.0], [1.0, 1.0], [-2.0, 3.0]).tolist()
    [2.0, 3.0]
    """
    B = np.asarray(B, dtype=float)
    xs = np.asarray(x, dtype=float).reshape(-1, B.shape[1])
    pre = xs @ B.T + np.asarray(c, dtype=float)
    return np.maximum(pre, 0.0) @ np.asarray(a, dtype=float)


def full_loss(
    x: ArrayLike, y: ArrayLike, lam: float, B: ArrayLike, c: ArrayLike, a: ArrayLike
) -> float:
    """The loss with all parameters given (no ``1/n`` factor).

    Examples
    --------
    >>> full_loss([0.0], [1.0], 0.5, [[0.0]], [1.0], [1.0])
    1.0
    """
    residual = np.asarray(y, dtype=float) - network(B, c, a, x)
    params = np.concatenate([np.ravel(a), np.ravel(B), np.ravel(c)]).astype(float)
    return float(residual @ residual + lam * params @ params)


def optimal_a(x: ArrayLike, y: ArrayLike, lam: float, B: ArrayLike, c: ArrayLike) -> FloatArray:
    """Ridge-optimal output weights ``(Phi^T Phi + lam I)^{-1} Phi^T y`` for fixed ``(B, c)``.

    Examples
    --------
    >>> optimal_a([0.0], [1.0], 1.0, [[0.0]], [1.0]).tolist()
    [0.5]
    """
    B = np.asarray(B, dtype=float)
    xs = np.asarray(x, dtype=float).reshape(-1, B.shape[1])
    phi = np.maximum(xs @ B.T + np.asarray(c, dtype=float), 0.0)
    gram = phi.T @ phi + lam * np.eye(B.shape[0])
    return np.linalg.solve(gram, phi.T @ np.asarray(y, dtype=float))


def reduced_loss(
    x: ArrayLike, y: ArrayLike, lam: float, B: ArrayLike, c: ArrayLike
) -> FloatArray:
    """``loss_lam`` (``a`` at its ridge optimum) for a batch of ``(B, c)``.

    Parameters
    ----------
    x : (n, d) or (n,) data inputs.
    y : (n,) data targets.
    lam : regularisation strength (> 0).
    B : (..., L, d) input weights; leading axes are a batch (a grid, say).
    c : (..., L) biases with the same leading axes.

    Returns
    -------
    Array with the batch shape.

    Notes
    -----
    Uses ``lam y^T (Phi Phi^T + lam I)^{-1} y = |y|^2 - y^T Phi (Phi^T Phi + lam I)^{-1} Phi^T y``
    so only ``L x L`` systems are solved.

    Examples
    --------
    >>> float(reduced_loss([0.0], [1.0], 1.0, [[0.0]], [1.0]))  # a* = 1/2
    1.5
    """
    B = np.asarray(B, dtype=float)
    c = np.asarray(c, dtype=float)
    yv = np.asarray(y, dtype=float)
    xs = np.asarray(x, dtype=float).reshape(len(yv), B.shape[-1])
    units = B.shape[-2]
    # Batched matrix products (einsum's generic loops were twice as slow on a grid).
    phi = np.maximum(np.matmul(xs, np.swapaxes(B, -1, -2)) + c[..., None, :], 0.0)
    phi_t = np.swapaxes(phi, -1, -2)
    gram = np.matmul(phi_t, phi) + lam * np.eye(units)
    rhs = np.matmul(phi_t, yv)
    coef = _solve_small(gram, rhs)
    fit = (rhs * coef).sum(-1)
    norm = (B * B).sum((-1, -2)) + (c * c).sum(-1)
    return (yv @ yv - fit) + lam * norm


def _solve_small(gram: FloatArray, rhs: FloatArray) -> FloatArray:
    """``gram^{-1} rhs`` for a batch of small positive definite systems (1 x 1 and 2 x 2 in
    closed form, the common cases of a loss-surface grid)."""
    units = gram.shape[-1]
    if units == 1:
        return rhs / gram[..., 0]
    if units == 2:
        a, b, d = gram[..., 0, 0], gram[..., 0, 1], gram[..., 1, 1]
        det = a * d - b * b
        return np.stack([(d * rhs[..., 0] - b * rhs[..., 1]) / det,
                         (a * rhs[..., 1] - b * rhs[..., 0]) / det], axis=-1)
    return np.linalg.solve(gram, rhs[..., None])[..., 0]

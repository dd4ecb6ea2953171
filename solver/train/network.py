"""The network, its loss and its gradient, in floating point, vectorised over runs.

The loss is the solver's (README, top), with no ``1/n`` factor and no output bias:

    loss(a, B, c) = sum_i (y_i - sum_l a_l ReLU(<b_l, x_i> + c_l))^2 + lam (|a|^2 + |B|^2 + |c|^2)

Its gradient uses ``ReLU'(0) = 0``, as PyTorch, TensorFlow and JAX do: a point exactly on a
unit's kink counts as switched off for that unit. Away from the kinks this is the exact
gradient; on a kink it is the one-sided derivative from the switched-off side.

Arrays are laid out with the runs last (``a``: ``(L, R)``, ``B``: ``(L, d, R)``, ``c``:
``(L, R)``) so that every arithmetic step runs over a contiguous block of runs; the public
:class:`Params` has the runs first. Sums over points and units are written out one term at
a time, in a fixed order, so a run gives bit for bit the same numbers whether it is trained
alone or among ten thousand others.

Examples
--------
>>> import numpy as np
>>> data = FloatData.of([[0.0], [1.0]], [1.0, 0.0], 0.1)
>>> p = Params(a=np.array([[1.0]]), B=np.array([[[1.0]]]), c=np.array([[0.5]]))
>>> round(float(loss(data, p)[0]), 6)   # residuals 0.5, 1.5; penalty 0.1 * 2.25
2.725
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class FloatData:
    """The problem in floats: ``x`` ``(n, d)``, ``y`` ``(n,)``, ``lam``."""

    x: FloatArray
    y: FloatArray
    lam: float

    @classmethod
    def of(cls, x: ArrayLike, y: ArrayLike, lam: float | Fraction) -> Self:
        """Floats from exact or float data (``x`` may be ``(n,)`` when d = 1).

        >>> FloatData.of([0, 1], [1, 0], Fraction(1, 10)).x.shape
        (2, 1)
        """
        yy = np.array([float(v) for v in np.ravel(np.asarray(y, dtype=object))])
        xx = np.array([[float(v) for v in np.ravel(row)] for row in np.asarray(x, dtype=object)
                       .reshape(len(yy), -1)], dtype=float)
        return cls(xx, yy, float(lam))

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.y.shape[0])

    @property
    def d(self) -> int:
        """Input dimension."""
        return int(self.x.shape[1])


@dataclass(frozen=True)
class Params:
    """Parameters of ``R`` networks: ``a`` ``(R, L)``, ``B`` ``(R, L, d)``, ``c`` ``(R, L)``."""

    a: FloatArray
    B: FloatArray
    c: FloatArray

    @property
    def runs(self) -> int:
        """Number of networks ``R``."""
        return int(self.a.shape[0])

    @property
    def units(self) -> int:
        """Number of hidden units ``L``."""
        return int(self.a.shape[1])

    def take(self, index: ArrayLike) -> Params:
        """The networks at ``index`` (an index array or a slice)."""
        return Params(self.a[index], self.B[index], self.c[index])

    def flat(self) -> FloatArray:
        """``(R, L (d + 2))``: per run, per unit ``a_l, b_l, c_l`` (the distance's coordinates)."""
        return np.concatenate([self.a[..., None], self.B, self.c[..., None]], axis=2).reshape(
            self.runs, -1)

    def preactivations(self, x: FloatArray) -> FloatArray:
        """``(R, L, n)``: ``<b_l, x_i> + c_l``."""
        return np.einsum("rld,nd->rln", self.B, x) + self.c[..., None]

    def to_internal(self) -> Internal:
        """The runs-last working copy used by the training loop (always a copy: for one run
        the transposes are contiguous views, and training must not move the caller's start)."""
        return Internal(
            self.a.T.copy(order="C"),
            self.B.transpose(1, 2, 0).copy(order="C"),
            self.c.T.copy(order="C"),
        )


@dataclass(frozen=True)
class Internal:
    """Runs-last arrays ``a`` ``(L, R)``, ``B`` ``(L, d, R)``, ``c`` ``(L, R)`` (contents
    mutable)."""

    a: FloatArray
    B: FloatArray
    c: FloatArray

    def to_params(self) -> Params:
        """Back to the runs-first :class:`Params` (copies)."""
        return Params(self.a.T.copy(), self.B.transpose(2, 0, 1).copy(), self.c.T.copy())

    def copy(self) -> Internal:
        """An independent copy."""
        return Internal(self.a.copy(), self.B.copy(), self.c.copy())


class Workspace:
    """Buffers for one gradient evaluation of ``R`` runs (allocated once per loop).

    :meth:`gradient` writes the gradient into ``ga``, ``gB``, ``gc`` and the squared residual
    sum per run into ``rss``; ``pre`` keeps the pre-activations ``(L, n, R)``.
    """

    def __init__(self, data: FloatData, units: int, runs: int) -> None:
        L, n, d, R = units, data.n, data.d, runs
        self.data = data
        self.x = [float(v) for v in data.x.ravel()]  # x[i * d + k]
        self.y = [float(v) for v in data.y]
        self.pre = np.empty((L, n, R))
        self.mask = np.empty((L, n, R))
        self.tmp = np.empty((L, n, R))
        self.out = np.empty((n, R))
        self.ga = np.empty((L, R))
        self.gB = np.empty((L, d, R))
        self.gc = np.empty((L, R))
        self.rss = np.empty(R)
        self.acc = np.empty((L, R))

    def gradient(self, p: Internal) -> None:
        """Gradient of the loss at ``p`` (``ReLU'(0) = 0``) into ``ga``, ``gB``, ``gc``."""
        data, pre, mask, tmp, out = self.data, self.pre, self.mask, self.tmp, self.out
        n, d = data.n, data.d
        L = p.a.shape[0]
        lam2 = 2.0 * data.lam
        for i in range(n):
            zi = pre[:, i, :]
            np.multiply(p.B[:, 0, :], self.x[i * d], out=zi)
            for k in range(1, d):
                zi += p.B[:, k, :] * self.x[i * d + k]
            zi += p.c
        np.greater(pre, 0.0, out=mask)
        np.multiply(pre, mask, out=tmp)                # ReLU(pre)
        tmp *= p.a[:, None, :]
        np.copyto(out, tmp[0])
        for l in range(1, L):
            out += tmp[l]
        for i in range(n):
            out[i] -= self.y[i]                       # residual f(x_i) - y_i
        np.square(out[0], out=self.rss)
        for i in range(1, n):
            self.rss += out[i] * out[i]
        np.multiply(mask, out, out=mask)              # mask * residual (mask is spent)
        np.multiply(pre, mask, out=tmp)
        self._sum_points(tmp, self.ga)                # sum_i r_i ReLU(pre_il)
        self.ga *= 2.0
        self.ga += lam2 * p.a
        self._sum_points(mask, self.gc)               # sum_i r_i [pre_il > 0]
        for k in range(d):
            np.multiply(mask[:, 0, :], self.x[k], out=self.acc)
            for i in range(1, n):
                self.acc += mask[:, i, :] * self.x[i * d + k]
            np.multiply(self.acc, p.a, out=self.gB[:, k, :])
        self.gB *= 2.0
        self.gB += lam2 * p.B
        self.gc *= p.a
        self.gc *= 2.0
        self.gc += lam2 * p.c

    @staticmethod
    def _sum_points(arr: FloatArray, out: FloatArray) -> None:
        """``out = sum_i arr[:, i, :]`` term by term (a fixed order whatever ``R`` is)."""
        np.copyto(out, arr[:, 0, :])
        for i in range(1, arr.shape[1]):
            out += arr[:, i, :]

    def penalty(self, p: Internal) -> FloatArray:
        """``lam (|a|^2 + |B|^2 + |c|^2)`` per run."""
        total = (p.a * p.a).sum(axis=0) + (p.c * p.c).sum(axis=0)
        total += (p.B * p.B).sum(axis=(0, 1))
        return self.data.lam * total

    def grad_norm(self) -> FloatArray:
        """Euclidean norm of the last gradient, per run."""
        total = (self.ga * self.ga).sum(axis=0) + (self.gc * self.gc).sum(axis=0)
        total += (self.gB * self.gB).sum(axis=(0, 1))
        return np.sqrt(total)


def loss(data: FloatData, p: Params) -> FloatArray:
    """The loss of each network, ``(R,)``.

    Examples
    --------
    >>> data = FloatData.of([[-1.0], [1.0]], [0.0, 2.0], 0.5)
    >>> p = Params(np.array([[2.0]]), np.array([[[1.0]]]), np.array([[0.0]]))
    >>> float(loss(data, p)[0])   # fits exactly; penalty 0.5 * (4 + 1)
    2.5
    """
    pre = p.preactivations(data.x)
    residual = np.einsum("rl,rln->rn", p.a, np.maximum(pre, 0.0)) - data.y
    penalty = (p.a**2).sum(1) + (p.B**2).sum((1, 2)) + (p.c**2).sum(1)
    return (residual**2).sum(1) + data.lam * penalty


def gradient(data: FloatData, p: Params) -> Params:
    """The gradient of :func:`loss` (``ReLU'(0) = 0``), in the layout of ``p``.

    Examples
    --------
    >>> data = FloatData.of([[1.0]], [0.0], 0.5)
    >>> g = gradient(data, Params(np.array([[1.0]]), np.array([[[1.0]]]), np.array([[0.0]])))
    >>> float(g.a[0, 0]), float(g.B[0, 0, 0]), float(g.c[0, 0])   # r = 1
    (3.0, 3.0, 2.0)
    """
    work = Workspace(data, p.units, p.runs)
    inner = p.to_internal()
    work.gradient(inner)
    return Internal(work.ga, work.gB, work.gc).to_params()

"""Float samples along a branch: loss and parameters at many λ, for plots and tables.

Along a piece the face set's interior solution ``s(lam)`` is the minimiser of the convex
``J`` (:mod:`solver.pipeline.locate.interior`) and moves smoothly, so Newton's method on
``|M_a^T r(s)|^2_(G_a^-1) = lam^2`` continued from a nearby λ finds it in a few steps.
The first start is the solver's own proved point at the λ where the piece's verdict was
decided. These values are for display only (the events and verdicts are exact);
Newton's residual is checked to be tiny, else the sample is dropped.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.regpath.status import Judge
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),)); y = (F(1, 4), F(-1, 4), F(5, 4))
>>> judge = Judge(x, y, 1)
>>> key = (next(i for i, f in enumerate(judge.alive) if f.pattern == "+++"),)
>>> fs = FloatSet(judge, key)
>>> s = fs.solve(0.5, fs.start(F(1, 2)))
>>> round(fs.values(s, 0.5, (0,))[0], 6)
1.376743
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from solver.minima import Point
from solver.regpath.status import Judge


def _floats(m) -> np.ndarray:
    return np.array([[float(m[i, j]) for j in range(m.ncols())] for i in range(m.nrows())])


class FloatSet:
    """The float data of one face set (``key``: indices into ``judge.alive``)."""

    def __init__(self, judge: Judge, key: tuple[int, ...]) -> None:
        self.judge, self.key = judge, key
        self.faces = tuple(judge.alive[i] for i in key)
        nds = [judge.data[f.signs] for f in self.faces]
        self.k = len(nds)
        self.y = np.array([float(v) for v in judge.y])
        self.h = np.array([[float(v) for v in row] + [1.0] for row in judge.x])
        if not nds:
            return
        self.Ms = [_floats(nd.M) for nd in nds]
        self.Vs = [_floats(nd.V) for nd in nds]
        self.Gis = [_floats(nd.G_inv) for nd in nds]
        self.M = np.hstack(self.Ms)
        self.S = self.M.T @ self.M
        self.z = self.M.T @ self.y
        sizes = [m.shape[1] for m in self.Ms]
        self.blocks = []
        start = 0
        for size in sizes:
            self.blocks.append(slice(start, start + size))
            start += size
        K = start
        self.Gi = np.zeros((K, K))
        for b, gi in zip(self.blocks, self.Gis):
            self.Gi[b, b] = gi

    def start(self, lam: Fraction) -> np.ndarray:
        """The solver's proved interior solution at a decided λ, in floats."""
        points = self.judge.enumerator(lam).points(self.faces)
        values = points[0].values(64)
        return np.array([float(v.mid()) for v in values.s])

    def _state(self, s: np.ndarray):
        T = np.zeros_like(self.Gi)
        for a, b in enumerate(self.blocks):
            T[b, b] = self.Gis[a] * s[a]
        B = np.eye(len(self.z)) + self.S @ T
        u = np.linalg.solve(B, self.z)
        return B, u, self.Gi @ u, T

    def solve(self, lam: float, s: np.ndarray) -> np.ndarray | None:
        """Newton from ``s`` for the interior solution at ``lam`` (None if it fails)."""
        if self.k == 0:
            return np.zeros(0)
        lam2 = lam * lam
        s = np.array(s, dtype=float)
        for _ in range(60):
            B, u, w, _ = self._state(s)
            F = np.array([u[b] @ w[b] - lam2 for b in self.blocks])
            W = np.zeros((len(u), self.k))
            for a, b in enumerate(self.blocks):
                W[b, a] = w[b]
            J = -2 * W.T @ np.linalg.solve(B, self.S @ W)
            try:
                step = np.linalg.solve(J, -F)
            except np.linalg.LinAlgError:
                return None
            alpha = 1.0
            while np.any(s + alpha * step <= 0):
                alpha /= 2
                if alpha < 1e-12:
                    return None
            s = s + alpha * step
            if np.max(np.abs(alpha * step) / s) < 1e-15:
                break
        B, u, w, _ = self._state(s)
        F = np.array([u[b] @ w[b] - lam2 for b in self.blocks])
        if not np.all(np.abs(F) <= 1e-9 * lam2 + 1e-14):
            return None
        return s

    def values(self, s: np.ndarray, lam: float, labels) -> tuple[float, Point]:
        """Loss and parameters for the units' labels (units of one neuron share its ``s``
        equally; a dead unit is 0)."""
        L = len(labels)
        d = self.h.shape[1] - 1
        if self.k == 0:
            zero = Point(tuple((0.0,) * d for _ in range(L)), (0.0,) * L, (0.0,) * L)
            return float(self.y @ self.y), zero
        _, u, w, T = self._state(s)
        r = self.y - self.M @ (T @ u)
        loss = float(r @ r + 2 * lam * lam * s.sum())
        dirs, signs = [], []
        for a, b in enumerate(self.blocks):
            direction = self.Vs[a] @ w[b]
            dirs.append(direction)
            signs.append(self._sign(a, direction))
        B, c, av = [], [], []
        for lb in labels:
            if lb is None:
                B.append((0.0,) * d)
                c.append(0.0)
                av.append(0.0)
                continue
            share = sum(1 for q in labels if q == lb)
            t = s[lb] / share
            a_l = signs[lb] * math.sqrt(lam * t)
            wl = a_l / lam * dirs[lb]
            B.append(tuple(float(v) for v in wl[:d]))
            c.append(float(wl[d]))
            av.append(float(a_l))
        return loss, Point(tuple(B), tuple(c), tuple(av))

    def _sign(self, a: int, direction: np.ndarray) -> int:
        """The sign of ``a`` that puts the direction in the face (first seen point)."""
        face = self.faces[a]
        for i, want in enumerate(face.signs):
            if want != 0:
                return 1 if float(self.h[i] @ direction) * want > 0 else -1
        return 1


def grid(lo: float, hi: float, count: int) -> list[float]:
    """``count`` log-spaced λs strictly inside ``(lo, hi)``, with points close to both ends."""
    if count < 2:
        return [math.sqrt(lo * hi)]
    eps = 1e-9
    a, b = math.log(lo), math.log(hi)
    inner = [math.exp(a + (b - a) * (j + 0.5) / count) for j in range(count)]
    return [lo * (1 + eps)] + inner + [hi * (1 - eps)]

"""The float stage of locating: the minimiser of ``J`` for one face set, or for many at once.

:func:`minimise` runs damped (Levenberg-Marquardt) Newton steps in ``theta = log s`` and
then plain Newton steps in ``s`` (see :mod:`solver.pipeline.locate.interior` for ``J``).
:func:`minimise_many` runs the same iteration for thousands of face sets together: the
sets with the same block sizes are stacked (``(N, K, K)`` arrays) and every step is one
batched NumPy call (``numpy.linalg.solve``, ``eigvalsh``, ``matmul`` on the stack), with
each set following its own control flow (its own line search, its own stopping test)
through index masks. Each stacked call runs the same LAPACK/BLAS routine on each set as
the one-set call does, so the minimiser is the same float vector, bit for bit, as
:func:`minimise` gives (checked in ``tests/solver/test_minimise.py``); a group in which
anything is singular or not finite is handed back (``None``) for :func:`minimise` to
run, with its errors, set by set.

The result is only a starting point: the Krawczyk proof
(:func:`solver.pipeline.locate.interior.locate`) decides what is certified.

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.face_systems import neuron_data
>>> from solver.pipeline.locate.face_problem import FaceProblem
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 1], "1/10", 1)
>>> face = [f for f in unit_faces(problem.x) if f.pattern == "++"][0]
>>> one = FaceProblem(problem, (neuron_data(problem, face),))
>>> round(float(minimise(one)[0]), 6)
9.130127
>>> [list(s) == list(minimise(one)) for s in minimise_many([one, one])]
[True, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from solver.pipeline.locate.float_blocks import stacked_floats

LM_STEPS = 200  # damped Newton steps in log s
NEWTON_STEPS = 30  # plain Newton steps in s
LINE_SEARCH_MIN = 1e-8  # the line search halves its step down to this


class FloatFaceProblem(Protocol):
    """What the float stage reads of a face set
    (:class:`~solver.pipeline.locate.face_problem.FaceProblem`)."""

    yy: float
    lam_q: object
    blocks: list[range]
    sizes: list[int]
    K: int

    def floats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


def minimise(problem: FloatFaceProblem) -> np.ndarray:
    """The minimiser of ``J`` over the open orthant in float64 (one face set).

    Damped (Levenberg-Marquardt) Newton steps in ``theta = log s`` keep ``s > 0``;
    since the minimiser is the only critical point of ``J`` with ``s > 0``, it is also
    the only critical point in ``theta``, and descent with a line search finds it.
    """
    S, z, Ginv = problem.floats()
    lam2 = float(problem.lam_q) ** 2
    blocks = problem.blocks
    k, K = len(blocks), problem.K
    eye = np.eye(K)
    masks = np.zeros((k, K))
    for a, block in enumerate(blocks):
        masks[a, list(block)] = 1.0

    def value(s):
        T = Ginv * (masks.T @ s)[:, None]  # row scaling by s of the row's block
        B = eye + S @ T
        u = np.linalg.solve(B, z)
        # J = y^T r + lam^2 sum s with y^T r = |y|^2 - y^T M T u, and y^T M = z^T
        return float(yy - z @ (T @ u)) + lam2 * float(s.sum()), B, u

    def derivatives(B, u):
        w = Ginv @ u
        g = lam2 - masks @ (u * w)
        W = masks.T * w[:, None]
        return g, 2 * W.T @ np.linalg.solve(B, S @ W)

    yy = problem.yy
    s = np.full(k, max(yy / (40 * lam2 * k), 1e-6))
    J, A, r = value(s)
    for _ in range(LM_STEPS):
        g, H = derivatives(A, r)
        g_t = s * g
        H_t = s[:, None] * H * s[None, :] + np.diag(g_t)
        low = float(np.linalg.eigvalsh(H_t)[0])
        mu = max(0.0, -2 * low) + 1e-12 * float(np.trace(np.abs(H_t)) + 1e-300)
        step = -np.linalg.solve(H_t + mu * np.eye(k), g_t)
        step *= min(1.0, 2.0 / max(float(np.max(np.abs(step))), 1e-300))  # |d log s| <= 2
        if float(np.max(np.abs(step))) < 1e-6:
            break
        alpha, slope = 1.0, float(g_t @ step)
        while alpha > LINE_SEARCH_MIN:
            trial = s * np.exp(alpha * step)
            Jt, At, rt = value(trial)
            if Jt <= J + 1e-4 * alpha * slope:
                break
            alpha /= 2
        else:
            break
        s, J, A, r = trial, Jt, At, rt
    for _ in range(NEWTON_STEPS):  # plain Newton in s: quadratic convergence near the minimiser
        g, H = derivatives(A, r)
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        trial = s + step
        if not np.all(trial > 0):
            break
        s = trial
        J, A, r = value(s)
        if float(np.max(np.abs(step) / s)) < 1e-14:
            break
    return s


def minimise_many(problems: Sequence[FloatFaceProblem]) -> list[np.ndarray | None]:
    """:func:`minimise` of every face set, batched by block sizes (module docstring).

    An entry is None where the batch could not run its group (something singular or not
    finite): run :func:`minimise` on that set, which raises or warns as it does alone.
    """
    out: list[np.ndarray | None] = [None] * len(problems)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, p in enumerate(problems):
        groups.setdefault(tuple(p.sizes), []).append(i)
    for sizes, members in groups.items():
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                found = _Batch([problems[i] for i in members], sizes).run()
        except (np.linalg.LinAlgError, ArithmeticError, ValueError):
            continue
        for i, s in zip(members, found):
            out[i] = s
    return out


class _Batch:
    """One group of face sets with equal block sizes, stacked (see :func:`minimise_many`)."""

    def __init__(self, problems: Sequence[FloatFaceProblem], sizes: tuple[int, ...]) -> None:
        self.S, self.z, self.Ginv = stacked_floats(problems)
        self.lam2 = np.array([float(p.lam_q) ** 2 for p in problems])
        self.yy = np.array([p.yy for p in problems])
        self.k, self.K = len(sizes), sum(sizes)
        self.owner = np.repeat(np.arange(self.k), sizes)  # the block of each row
        self.masks = np.zeros((self.k, self.K))
        self.masks[self.owner, np.arange(self.K)] = 1.0
        self.eye = np.eye(self.K)

    def _rows(self, idx: np.ndarray) -> np.ndarray | slice:
        """``idx`` (increasing, distinct) as an index: every set's rows are the arrays
        themselves (a view, the same values as the copy a fancy index makes)."""
        return slice(None) if len(idx) == len(self.yy) else idx

    def value(self, idx: np.ndarray, s: np.ndarray):
        """``J``, ``B`` and ``u`` at ``s`` (rows of the sets ``idx``)."""
        idx = self._rows(idx)
        T = self.Ginv[idx] * s[:, self.owner][:, :, None]
        B = self.eye + self.S[idx] @ T
        z = self.z[idx]
        u = np.linalg.solve(B, z[:, :, None])[:, :, 0]
        zTu = (z[:, None, :] @ (T @ u[:, :, None]))[:, 0, 0]
        J = (self.yy[idx] - zTu) + self.lam2[idx] * s.sum(axis=1)
        return J, B, u

    def derivatives(self, idx: np.ndarray, B: np.ndarray, u: np.ndarray):
        """The gradient and Hessian of ``J`` in ``s`` from ``B`` and ``u``."""
        idx = self._rows(idx)
        w = (self.Ginv[idx] @ u[:, :, None])[:, :, 0]
        g = self.lam2[idx][:, None] - (self.masks @ (u * w)[:, :, None])[:, :, 0]
        W = self.masks.T * w[:, :, None]
        H = (2 * W.transpose(0, 2, 1)) @ np.linalg.solve(B, self.S[idx] @ W)
        return g, H

    def run(self) -> list[np.ndarray]:
        """Every set's minimiser (the iteration of :func:`minimise`, set by set)."""
        N, k = len(self.yy), self.k
        s = np.maximum(self.yy / (40 * self.lam2 * k), 1e-6)[:, None] * np.ones((N, k))
        all_sets = np.arange(N)
        J, B, u = self.value(all_sets, s)
        active = all_sets
        for _ in range(LM_STEPS):
            if not len(active):
                break
            active = self._damped_step(active, s, J, B, u)
        active = all_sets
        for _ in range(NEWTON_STEPS):
            if not len(active):
                break
            active = self._newton_step(active, s, J, B, u)
        if not np.all(np.isfinite(s)):
            raise FloatingPointError("a minimiser is not finite")
        return [s[i].copy() for i in range(N)]

    def _damped_step(self, act, s, J, B, u) -> np.ndarray:
        """One damped step with its line search for the sets ``act`` (state updated in
        place); the sets that go on."""
        k = self.k
        rows = self._rows(act)
        g, H = self.derivatives(act, B[rows], u[rows])
        sa = s[rows]
        g_t = sa * g
        H_t = sa[:, :, None] * H * sa[:, None, :] + g_t[:, :, None] * np.eye(k)
        low = np.linalg.eigvalsh(H_t)[:, 0]
        mu = np.maximum(0.0, -2 * low) + 1e-12 * (np.trace(np.abs(H_t), axis1=1, axis2=2)
                                                  + 1e-300)
        step = -np.linalg.solve(H_t + mu[:, None, None] * np.eye(k), g_t[:, :, None])[:, :, 0]
        step *= np.minimum(1.0, 2.0 / np.maximum(np.max(np.abs(step), axis=1), 1e-300))[:, None]
        going = np.max(np.abs(step), axis=1) >= 1e-6
        act, step, g_t = act[going], step[going], g_t[going]
        slope = (g_t[:, None, :] @ step[:, :, None])[:, 0, 0]
        alpha = np.ones(len(act))
        keep = np.zeros(len(act), dtype=bool)
        searching = np.arange(len(act))
        while len(searching):
            idx = act[searching]
            a = alpha[searching]
            trial = s[idx] * np.exp(a[:, None] * step[searching])
            Jt, Bt, ut = self.value(idx, trial)
            ok = Jt <= J[idx] + 1e-4 * a * slope[searching]
            took = searching[ok]
            s[act[took]], J[act[took]] = trial[ok], Jt[ok]
            B[act[took]], u[act[took]] = Bt[ok], ut[ok]
            keep[took] = True
            rest = searching[~ok]
            alpha[rest] /= 2
            searching = rest[alpha[rest] > LINE_SEARCH_MIN]
        return act[keep]

    def _newton_step(self, act, s, J, B, u) -> np.ndarray:
        """One plain Newton step for the sets ``act`` (state updated in place); the sets
        that go on."""
        rows = self._rows(act)
        g, H = self.derivatives(act, B[rows], u[rows])
        try:
            step = -np.linalg.solve(H, g[:, :, None])[:, :, 0]
            solved = np.ones(len(act), dtype=bool)
        except np.linalg.LinAlgError:  # a singular H stops its own set only
            step = np.zeros_like(g)
            solved = np.zeros(len(act), dtype=bool)
            for j in range(len(act)):
                try:
                    step[j] = -np.linalg.solve(H[j], g[j])
                    solved[j] = True
                except np.linalg.LinAlgError:
                    pass
        trial = s[act] + step
        moved = solved & np.all(trial > 0, axis=1)
        act, step, trial = act[moved], step[moved], trial[moved]
        s[act] = trial
        J[act], B[act], u[act] = self.value(act, trial)
        return act[~(np.max(np.abs(step) / trial, axis=1) < 1e-14)]

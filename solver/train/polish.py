"""Where a run is heading: the minimiser of the loss over the closed region it ended in.

A run's end point fixes, for every unit, the points it sees (``<b_l, x_i> + c_l > 0``; a
point exactly on the kink counts as unseen, as ``ReLU'(0) = 0`` does) and the sign of its
output weight. Units that see no point are *dead*: with ``ReLU'(0) = 0`` only the ridge
term acts on them and they decay to 0, where they stay. Live units with the same pattern
and the same sign of ``a`` form one *neuron* ``w = sum a_l (b_l, c_l)``. On the closed
region of these patterns, with ``a`` balanced (``|a_l| = |(b_l, c_l)|``, which holds at every
critical point), the loss is

    J(w) = sum_i (y_i - sum_f [i seen by f] <w_f, (x_i, 1)>)^2 + 2 lam sum_f |w_f|

— a **convex** function on a product of polyhedral cones (docs/math.md: the same convexity the
solver's pruning uses). Its minimiser over the closed region is therefore unique in
general position, it does not depend on where in the region the run ended, and it is a
critical point of the loss on some face of the region (a point on a kink when the run was
hovering across one, a neuron at 0 when a unit is dying). :func:`polish` computes it with
a primal active-set method: Newton's method on the current face (the kinks held at 0),
a step back to the first constraint crossed, constraints released when their KKT
multiplier has the wrong sign, and the zero neurons checked against their whole cone
(``|P_C(-grad)| <= 2 lam``, the cone projection by non-negative least squares). The
result carries its KKT residual: a point is returned only when every KKT condition of the
closed region holds to rounding, so it *is* the region's minimiser.

Examples
--------
>>> import numpy as np
>>> xt = np.array([[0.0, 1.0], [1.0, 1.0]])          # x = 0, 1 lifted to (x, 1)
>>> out = polish(xt, np.array([0.0, 1.0]), 0.01, [RegionNeuron((False, True), 1, (1.0, -0.5))])
>>> out.neurons[0].pattern, out.ok
('0+', True)
>>> [round(v, 6) + 0.0 for v in out.neurons[0].w]      # on the kink of x = 0
[0.99, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, nnls

MAX_ROUNDS = 60
MAX_NEWTON = 80
KKT_TOL = 1e-9
FACE_TOL = 1e-6        # after the barrier phase: a constraint or a neuron this small is 0
MU_LAST = 1e-13        # the barrier weight of the last interior-point stage (times scale^2)


@dataclass(frozen=True)
class RegionNeuron:
    """A region's neuron: the points it sees, the sign of its ``a``, a start ``w`` in its cone."""

    seen: tuple[bool, ...]
    sign: int
    w: tuple[float, ...]


@dataclass(frozen=True)
class PolishedNeuron:
    """A neuron of the region's minimiser: its face pattern (``+`` seen, ``-`` not, ``0`` on
    the kink), ``w = a (b, c)`` summed over its units, and which input neuron it came from."""

    pattern: str
    w: tuple[float, ...]
    source: int


@dataclass(frozen=True)
class Polished:
    """The minimiser of ``J`` over a closed region: its live neurons (dead ones dropped),
    ``ok`` when every KKT condition holds, and the largest KKT violation found."""

    neurons: tuple[PolishedNeuron, ...]
    ok: bool
    kkt: float
    rounds: int


class _Region:
    """The convex problem of one closed region."""

    def __init__(self, xt: np.ndarray, y: np.ndarray, lam: float,
                 neurons: Sequence[RegionNeuron]) -> None:
        self.xt, self.y, self.lam = xt, y, lam
        self.n, self.D = xt.shape
        self.seen = [np.array(nr.seen, dtype=bool) for nr in neurons]
        self.A = [xt * s[:, None] for s in self.seen]                 # rows of seen points
        # Cone of neuron f: h_i . w >= 0 for every point i.
        self.H = [xt * (np.where(s, 1.0, -1.0) * nr.sign)[:, None]
                  for s, nr in zip(self.seen, neurons)]
        self.scale = 1.0 + float(np.abs(y).max())

    def residual(self, w: list[np.ndarray]) -> np.ndarray:
        """``y - sum_f A_f w_f``."""
        r = self.y.copy()
        for A, wf in zip(self.A, w):
            r -= A @ wf
        return r

    def value(self, w: list[np.ndarray]) -> float:
        """``J(w)``."""
        r = self.residual(w)
        return float(r @ r + 2 * self.lam * sum(np.linalg.norm(wf) for wf in w))


def _null_basis(rows: np.ndarray, D: int) -> np.ndarray:
    """Orthonormal basis ``(D, m)`` of the vectors orthogonal to ``rows``."""
    if rows.shape[0] == 0:
        return np.eye(D)
    _, sv, vt = np.linalg.svd(rows)
    rank = int((sv > 1e-12 * max(1.0, sv[0])).sum())
    return vt[rank:].T


def _newton_face(reg: _Region, bases: list[np.ndarray], u: list[np.ndarray],
                 zero: list[bool]) -> tuple[list[np.ndarray], list[bool]]:
    """Minimise ``J`` on the face (``w_f = N_f u_f``), neurons in ``zero`` held at 0.

    A neuron whose ``u_f`` shrinks to 0 is tested with the group condition
    ``|2 K_f^T r_(-f)| <= 2 lam`` and held at 0 when it passes.
    """
    lam = reg.lam
    K = [A @ N for A, N in zip(reg.A, bases)]

    def total(uu: list[np.ndarray]) -> float:
        r = reg.y - sum((Kf @ uf for Kf, uf in zip(K, uu)), np.zeros(reg.n))
        return float(r @ r + 2 * lam * sum(np.linalg.norm(uf) for uf in uu))

    for _ in range(MAX_NEWTON):
        r = reg.y - sum((Kf @ uf for Kf, uf in zip(K, u)), np.zeros(reg.n))
        for f, uf in enumerate(u):
            if not zero[f] and np.linalg.norm(uf) <= 1e-9 * reg.scale:
                pull = 2 * K[f].T @ (r + K[f] @ uf)       # -gradient of the fit at u_f = 0
                r = r + K[f] @ uf
                if np.linalg.norm(pull) <= 2 * lam:
                    zero[f] = True
                    u[f] = np.zeros_like(uf)
                else:                                     # 0 is not optimal: leave it
                    u[f] = 1e-6 * reg.scale * pull / np.linalg.norm(pull)
                    r = r - K[f] @ u[f]
        live = [f for f in range(len(u)) if not zero[f] and u[f].size]
        if not live:
            return u, zero
        sizes = [u[f].size for f in live]
        Kl = np.hstack([K[f] for f in live])
        grad = -2 * Kl.T @ r
        hess = 2 * Kl.T @ Kl
        pos = 0
        for f, m in zip(live, sizes):
            nu = np.linalg.norm(u[f])
            uhat = u[f] / nu
            grad[pos:pos + m] += 2 * lam * uhat
            hess[pos:pos + m, pos:pos + m] += 2 * lam * (np.eye(m) - np.outer(uhat, uhat)) / nu
            pos += m
        if np.linalg.norm(grad) <= 1e-13 * reg.scale**2:
            break
        step = np.linalg.lstsq(hess, -grad, rcond=None)[0]
        if grad @ step >= 0:  # not a descent direction (singular Hessian): use the gradient
            step = -grad
        before = total(u)
        # Close to the minimum the decrease is below the rounding of J: take full steps
        # (Newton's quadratic convergence), not a line search that rounding would stall.
        small = -float(grad @ step) <= 1e-12 * (1.0 + before)
        t = 1.0
        while True:
            trial = list(u)
            pos = 0
            for f, m in zip(live, sizes):
                trial[f] = u[f] + t * step[pos:pos + m]
                pos += m
            if small or total(trial) <= before + 1e-4 * t * float(grad @ step) or t < 1e-12:
                break
            t *= 0.5
        moved = max(np.linalg.norm(trial[f] - u[f]) for f in live)
        u = trial
        if moved <= 1e-15 * reg.scale:
            break
    return u, zero


def _interior(H: np.ndarray, w: np.ndarray) -> np.ndarray:
    """A point strictly inside the cone ``H w >= 0`` (the most interior unit-box direction,
    by linear programming), or ``w`` itself when the cone has no interior."""
    D = H.shape[1]
    # maximise t subject to H u >= t, -1 <= u <= 1, t <= 1
    res = linprog(np.r_[np.zeros(D), -1.0], A_ub=np.hstack([-H, np.ones((H.shape[0], 1))]),
                  b_ub=np.zeros(H.shape[0]), bounds=[(-1, 1)] * D + [(None, 1)],
                  method="highs")
    if not res.success or res.x[-1] <= 1e-12:
        return w
    return res.x[:D] * max(np.linalg.norm(w), 1e-3)


def _barrier(reg: _Region, w: list[np.ndarray], live: list[int]) -> list[np.ndarray]:
    """Minimise ``J - mu sum log(h_i . w_f)`` over the open cones for ``mu`` falling to
    ``MU_LAST scale^2``, by damped Newton steps that stay inside: the classic interior-point
    path, which ends next to the minimiser whatever its face (kinks, neurons at 0)."""
    lam, D = reg.lam, reg.D
    A = np.hstack([reg.A[f] for f in live])
    blocks = [slice(j * D, (j + 1) * D) for j in range(len(live))]
    x = np.concatenate([w[f] for f in live])

    def phi(v: np.ndarray, mu: float) -> float:
        slack = [reg.H[f] @ v[b] for f, b in zip(live, blocks)]
        if min(float(sl.min()) for sl in slack) <= 0:
            return np.inf
        r = reg.y - A @ v
        return float(r @ r + sum(2 * lam * np.linalg.norm(v[b]) - mu * np.log(sl).sum()
                                 for b, sl in zip(blocks, slack)))

    mu = 1e-2 * reg.scale**2
    while True:
        for _ in range(MAX_NEWTON):
            r = reg.y - A @ x
            grad = -2 * A.T @ r
            hess = 2 * A.T @ A
            for f, b in zip(live, blocks):
                v = x[b]
                size = np.linalg.norm(v)
                vhat = v / size
                H = reg.H[f]
                slack = H @ v
                grad[b] += 2 * lam * vhat - mu * H.T @ (1 / slack)
                hess[b, b] += (2 * lam * (np.eye(D) - np.outer(vhat, vhat)) / size
                               + mu * (H.T * (1 / slack**2)) @ H)
            step = np.linalg.lstsq(hess, -grad, rcond=None)[0]
            decrement = -float(grad @ step)
            if not decrement > 1e-14 * reg.scale**2:
                break
            before, t = phi(x, mu), 1.0
            while phi(x + t * step, mu) > before - 0.25 * t * decrement:
                t *= 0.5
                if t < 1e-14:
                    break
            else:
                x = x + t * step
                continue
            break  # no decrease left at this precision
        if mu <= MU_LAST * reg.scale**2:
            break
        mu *= 0.1
    out = list(w)
    for f, b in zip(live, blocks):
        out[f] = x[b].copy()
    return out


def _cone_projection(H: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Projection of ``z`` onto the cone ``{w : H w >= 0}`` (Moreau: ``z`` minus its
    projection onto the polar cone ``{-H^T mu : mu >= 0}``, a non-negative least squares)."""
    mu, _ = nnls(H.T, -z)
    return z + H.T @ mu


def polish(xt: np.ndarray, y: np.ndarray, lam: float, neurons: Sequence[RegionNeuron]) -> Polished:
    """The minimiser of ``J`` over the closed region of ``neurons`` (see the module docstring).

    Parameters
    ----------
    xt : (n, d + 1) array
        The points lifted to ``(x_i, 1)``.
    y : (n,) array
    lam : float
    neurons : sequence of RegionNeuron
        The region's live neurons, each with a start ``w`` in its closed cone.

    Returns
    -------
    Polished
        ``ok`` is False when the active-set iteration did not reach a KKT point.
    """
    reg = _Region(xt, y, lam, neurons)
    F = len(neurons)
    w = [np.array(nr.w, dtype=float) for nr in neurons]
    zero = [not s.any() for s in reg.seen]
    for f in range(F):
        if zero[f]:
            w[f] = np.zeros(reg.D)
    live = [f for f in range(F) if not zero[f]]
    for f in live:
        if not (reg.H[f] @ w[f] > 0).all():
            w[f] = _interior(reg.H[f], w[f])
    inside = all((reg.H[f] @ w[f] > 0).all() for f in live)
    if inside and live:
        # Interior-point phase: the minimiser's face, found without guessing.
        w = _barrier(reg, w, live)
        for f in live:
            size = np.linalg.norm(w[f])
            if size <= FACE_TOL * reg.scale:
                zero[f] = True
                w[f] = np.zeros(reg.D)
        tight = [set(np.flatnonzero(H @ wf <= FACE_TOL * np.linalg.norm(wf)))
                 if not zero[f] else set() for f, (H, wf) in enumerate(zip(reg.H, w))]
    else:
        tight = [set(np.flatnonzero(H @ wf <= 1e-12 * reg.scale
                                    * max(np.linalg.norm(wf), 1e-300)))
                 for H, wf in zip(reg.H, w)]
    worst = np.inf
    rounds = 0
    while rounds < MAX_ROUNDS:
        rounds += 1
        bases = [_null_basis(reg.xt[sorted(tight[f])], reg.D) for f in range(F)]
        for f in range(F):
            # No direction left, or every point it sees held on its kink: only the penalty
            # acts on the neuron, so 0 is its best value on this face.
            if bases[f].shape[1] == 0 or not np.any(np.abs(reg.A[f] @ bases[f]) > 1e-14):
                zero[f] = True
        u = [N.T @ wf if not zero[f] else np.zeros(N.shape[1])
             for f, (N, wf) in enumerate(zip(bases, w))]
        u, zero = _newton_face(reg, bases, u, zero)
        target = [np.zeros(reg.D) if zero[f] else bases[f] @ u[f] for f in range(F)]
        # Step from w towards the face's minimiser until the first constraint is crossed.
        t_max, block = 1.0, None
        for f in range(F):
            if zero[f]:
                continue
            start, move = reg.H[f] @ w[f], reg.H[f] @ (target[f] - w[f])
            for i in range(reg.n):
                if i in tight[f] or move[i] >= 0:
                    continue
                t = max(0.0, start[i]) / -move[i]
                if t < t_max:
                    t_max, block = t, (f, i)
        w = [wf + t_max * (tg - wf) for wf, tg in zip(w, target)]
        if block is not None:
            tight[block[0]].add(block[1])
            continue
        worst, release, revive = _kkt(reg, w, tight, zero)
        if release is not None:
            tight[release[0]].discard(release[1])
            continue
        if revive is not None:
            f, direction = revive
            zero[f] = False
            w[f] = 1e-6 * reg.scale * direction / np.linalg.norm(direction)
            tight[f] = set(np.flatnonzero(np.abs(reg.H[f] @ direction)
                                          <= 1e-12 * np.linalg.norm(direction)))
            continue
        return Polished(_neurons(reg, w, tight, zero), worst <= KKT_TOL, worst, rounds)
    return Polished(_neurons(reg, w, tight, zero), False, worst, rounds)


def _kkt(reg: _Region, w: list[np.ndarray], tight: list[set[int]],
         zero: list[bool]) -> tuple[float, tuple[int, int] | None, tuple | None]:
    """The largest KKT violation, a constraint to release (negative multiplier) or a zero
    neuron to revive (a descent direction in its cone)."""
    lam, r = reg.lam, reg.residual(w)
    worst, release, revive = 0.0, None, None
    most_negative = -KKT_TOL
    for f, wf in enumerate(w):
        g = -2 * reg.A[f].T @ r                     # gradient of the fit term in w_f
        if zero[f]:
            if not reg.seen[f].any():
                continue
            proj = _cone_projection(reg.H[f], -g)
            excess = (np.linalg.norm(proj) - 2 * lam) / reg.scale
            worst = max(worst, excess)
            if excess > KKT_TOL and revive is None:
                revive = (f, proj)
            continue
        grad = g + 2 * lam * wf / np.linalg.norm(wf)
        rows = sorted(tight[f])
        if rows:
            Hs = reg.H[f][rows]
            mu = np.linalg.lstsq(Hs.T, grad, rcond=None)[0]   # grad = sum mu_i h_i, mu >= 0
            stationarity = grad - Hs.T @ mu
            for i, m in zip(rows, mu):
                if m / reg.scale < most_negative:
                    most_negative, release = m / reg.scale, (f, i)
            worst = max(worst, -min(0.0, float(mu.min())) / reg.scale)
        else:
            stationarity = grad
        worst = max(worst, float(np.linalg.norm(stationarity)) / reg.scale)
        feas = reg.H[f] @ wf
        worst = max(worst, float(-feas.min()) / (reg.scale * max(np.linalg.norm(wf), 1.0)))
    return worst, release, revive


def _neurons(reg: _Region, w: list[np.ndarray], tight: list[set[int]],
             zero: list[bool]) -> tuple[PolishedNeuron, ...]:
    """The live neurons of the minimiser with their face patterns."""
    out = []
    for f, wf in enumerate(w):
        if zero[f] or not np.any(wf):
            continue
        pattern = "".join("0" if i in tight[f] else ("+" if reg.seen[f][i] else "-")
                          for i in range(reg.n))
        if "+" not in pattern:
            continue
        out.append(PolishedNeuron(pattern, tuple(float(v) for v in wf), f))
    return tuple(out)

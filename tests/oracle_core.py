"""Numerical core of the test oracle: batched loss, batched BFGS, arrangements, local check.

Shares no code with ``solver/`` (numpy and scipy only). See :mod:`oracle` for the method;
this module holds the pieces that do not depend on the search strategy:

- :func:`evaluate`: ``loss_lam`` with ``a`` eliminated, its gradient, ``a*`` and the residual,
  for a batch of points, optionally with a fixed activation mask (a region's or a face's
  smooth extension);
- :func:`bfgs`: BFGS with Armijo backtracking for a batch of starts, optionally inside
  linear subspaces (projected) and with fixed masks;
- :func:`cells`, :func:`unit_faces`: the faces of one unit's hyperplane arrangement
  ``{w : <(x_i, 1), w> = 0}`` with a central direction each;
- :func:`local_check`: a sampling check for local minimality (with an exact-margin test
  for dead units, :func:`dead_unit_gain`).

Examples
--------
>>> round(loss_lam([0.0, 1.0], [0.0, 1.0], 0.01, [[1.0]], [0.0]), 6)
0.019901
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import nnls

Array = np.ndarray


def design(x: object) -> Array:
    """Rows ``(x_i, 1)`` as an ``n x (d+1)`` float array."""
    xa = np.asarray(x, dtype=float)
    if xa.ndim == 1:
        xa = xa[:, None]
    return np.hstack([xa, np.ones((xa.shape[0], 1))])


def weights(B: object, c: object, d: int) -> Array:
    """Stack ``B`` (L x d) and ``c`` (L) into ``W`` (L x (d+1))."""
    cv = np.asarray(c, dtype=float).reshape(-1)
    Bv = np.asarray(B, dtype=float).reshape(cv.size, d)
    return np.hstack([Bv, cv[:, None]])


def evaluate(W: Array, X1: Array, y: Array, lam: float, mask: Array | None = None):
    """Batched ``loss_lam``: W (S, L, p) -> loss (S,), grad (S, L, p), a* (S, L), r (S, n).

    ``mask`` (n, L) or (S, n, L) fixes which points each unit sees; by default the true
    pattern ``<w_l, (x_i, 1)> > 0``. The gradient is exact (envelope theorem).
    """
    xi = np.einsum("slp,np->snl", W, X1)
    m = xi > 0 if mask is None else np.broadcast_to(mask, xi.shape)
    Phi = np.where(m, xi, 0.0)
    L = W.shape[1]
    A = np.einsum("snl,snk->slk", Phi, Phi) + lam * np.eye(L)
    a = np.linalg.solve(A, np.einsum("snl,n->sl", Phi, y)[..., None])[..., 0]
    r = y - np.einsum("snl,sl->sn", Phi, a)
    f = (r**2).sum(1) + lam * (a**2).sum(1) + lam * (W**2).sum((1, 2))
    g = -2.0 * a[:, :, None] * np.einsum("snl,sn,np->slp", m, r, X1) + 2.0 * lam * W
    return f, g, a, r


def loss(x: object, y: object, lam: float, B: object, c: object, a: object) -> float:
    """The full loss at ``(a, B, c)``.

    >>> loss([0.0, 1.0], [0.0, 1.0], 0.01, [[1.0]], [0.0], [1.0])
    0.02
    """
    X1 = design(x)
    W = weights(B, c, X1.shape[1] - 1)
    av = np.asarray(a, dtype=float).reshape(-1)
    out = np.maximum(X1 @ W.T, 0.0) @ av
    yv = np.asarray(y, dtype=float)
    return float(((yv - out) ** 2).sum() + lam * ((av**2).sum() + (W**2).sum()))


def loss_lam(x: object, y: object, lam: float, B: object, c: object) -> float:
    """``min_a loss(a, B, c)``, the loss with ``a`` eliminated."""
    X1 = design(x)
    W = weights(B, c, X1.shape[1] - 1)
    return float(evaluate(W[None], X1, np.asarray(y, dtype=float), float(lam))[0][0])


def optimal_a(x: object, y: object, lam: float, B: object, c: object) -> Array:
    """The ridge-optimal output weights ``a*(B, c)``."""
    X1 = design(x)
    W = weights(B, c, X1.shape[1] - 1)
    return evaluate(W[None], X1, np.asarray(y, dtype=float), float(lam))[2][0]


def bfgs(W0: Array, X1: Array, y: Array, lam: float, *, mask: Array | None = None,
         proj: Array | None = None, iters: int = 300, max_step: float = 1.0,
         ball: float | None = None, target: float = -np.inf) -> tuple[Array, Array]:
    """Batched BFGS with Armijo backtracking from the starts ``W0`` (S, L, p).

    ``mask`` (S, n, L) fixes each start's activation pattern; ``proj`` (S, m, m) keeps each
    trajectory in a linear subspace (orthogonal projectors, ``m = L p``). Returns the final
    points and their losses; with ``ball`` the second value is instead the lowest loss each
    trajectory met while within ``ball`` of its start (it stops on leaving the ball or
    going below ``target``).
    """
    S, L, p = W0.shape
    m = L * p
    eye = np.tile(np.eye(m), (S, 1, 1)) if proj is None else proj.copy()
    x = W0.reshape(S, m).copy()
    if proj is not None:
        x = np.einsum("sij,sj->si", proj, x)
    center = x.copy()

    def fg(z: Array, sel: Array) -> tuple[Array, Array]:
        f, g, _, _ = evaluate(z.reshape(-1, L, p), X1, y, lam,
                              None if mask is None else mask[sel])
        g = g.reshape(-1, m)
        return f, (g if proj is None else np.einsum("sij,sj->si", proj[sel], g))

    f, g = fg(x, np.arange(S))
    best = f.copy()
    H = eye.copy()
    live = np.ones(S, dtype=bool)
    fresh = np.ones(S, dtype=bool)  # H was just reset: a failed line search then means stop
    for _ in range(iters):
        idx = np.nonzero(live)[0]
        if idx.size == 0:
            break
        gi = g[idx]
        d = -np.einsum("sij,sj->si", H[idx], gi)
        slope = (d * gi).sum(1)
        bad = slope >= 0
        if bad.any():
            d[bad] = -gi[bad]
            H[idx[bad]] = eye[idx[bad]]
            slope[bad] = -(gi[bad] ** 2).sum(1)
        scale = np.minimum(1.0, max_step / np.maximum(np.linalg.norm(d, axis=1), 1e-300))
        d *= scale[:, None]
        slope *= scale
        t = np.ones(idx.size)
        done = np.zeros(idx.size, dtype=bool)
        fn, gn = f[idx].copy(), gi.copy()
        for _ in range(30):
            pend = np.nonzero(~done)[0]
            if pend.size == 0:
                break
            ft, gt = fg(x[idx[pend]] + t[pend, None] * d[pend], idx[pend])
            ok = ft <= f[idx[pend]] + 1e-4 * t[pend] * slope[pend]
            done[pend[ok]] = True
            fn[pend[ok]], gn[pend[ok]] = ft[ok], gt[ok]
            t[pend[~ok]] *= 0.5
        stalled = ~done
        retry = stalled & ~fresh[idx]
        fresh[idx] = stalled
        s = t[:, None] * d
        s[stalled] = 0.0
        xn = x[idx] + s
        yv = gn - gi
        sy = (s * yv).sum(1)
        good = sy > 1e-14 * np.linalg.norm(s, axis=1) * np.linalg.norm(yv, axis=1) + 1e-300
        rho = np.where(good, 1.0 / np.where(good, sy, 1.0), 0.0)
        V = np.eye(m) - rho[:, None, None] * np.einsum("si,sj->sij", s, yv)
        Hn = np.einsum("sij,sjk,slk->sil", V, H[idx], V) + rho[:, None, None] * np.einsum(
            "si,sj->sij", s, s)
        reset = ~good | retry
        Hn[reset] = eye[idx[reset]]
        H[idx] = Hn
        x[idx], f[idx], g[idx] = xn, fn, gn
        tiny = np.linalg.norm(s, axis=1) < 1e-12 * (1.0 + np.linalg.norm(xn, axis=1))
        stop = (stalled & ~retry) | (tiny & ~stalled) | (np.linalg.norm(gn, axis=1) < 1e-13)
        if ball is not None:
            inside = np.linalg.norm(xn - center[idx], axis=1) <= ball
            best[idx] = np.where(inside, np.minimum(best[idx], fn), best[idx])
            stop |= ~inside | (best[idx] < target)
        live[idx[stop]] = False
    return x.reshape(S, L, p), (best if ball is not None else f)


def fd_hessian(grad, v: Array, h: float = 1e-5) -> Array:
    """Central-difference Hessian of a batched gradient function ``grad(V (k, m))`` at ``v``."""
    m = v.size
    E = np.eye(m) * h
    G = grad(np.vstack([v + E, v - E]))
    Hm = (G[:m] - G[m:]).T / (2 * h)
    return 0.5 * (Hm + Hm.T)


def project_cone(v: Array, A: Array) -> Array:
    """Euclidean projection of ``v`` onto ``{u : A u >= 0}`` (Moreau decomposition, NNLS)."""
    if A.shape[0] == 0 or np.all(A @ v >= 0):
        return v
    mu, _ = nnls(A.T, -v)
    return v + A.T @ mu


def cells(normals: Array, rng: np.random.Generator) -> list[tuple[Array, Array]]:
    """(sign vector, central unit direction) for every cell of a central arrangement.

    Candidate points are random directions and the arrangement's rays (intersections of
    ``q - 1`` hyperplanes) nudged to every side; a cell's centre is the normalised sum of
    its sample points and of the rays in its closure.
    """
    k, q = normals.shape
    if k == 0:
        v = rng.normal(size=q)
        return [(np.zeros(0), v / np.linalg.norm(v))]
    unit = normals / np.linalg.norm(normals, axis=1)[:, None]
    pts, rays = [rng.normal(size=(128, q))], [np.zeros((0, q))]
    if q == 1:
        pts.append(np.array([[1.0], [-1.0]]))
    subsets = itertools.combinations(range(k), q - 1) if 1 < q <= k + 1 else ()
    for S in subsets:
        A = unit[list(S)]
        for ray in null_space(A).T:
            rays.append(np.vstack([ray, -ray]))
            for sg in itertools.product((-1.0, 1.0), repeat=len(S)):
                off = 1e-6 * (np.array(sg) @ A)
                pts.append(np.vstack([ray + off, -ray + off]))
    P, R = np.vstack(pts), np.vstack(rays)
    P /= np.linalg.norm(P, axis=1)[:, None]
    Z, ZR = P @ unit.T, R @ unit.T
    strict = np.all(np.abs(Z) > 1e-9, axis=1)
    P, Z = P[strict], Z[strict]
    out = []
    for s in np.unique(np.sign(Z), axis=0):
        members = P[np.all(np.sign(Z) == s, axis=1)]
        closure = R[np.all(ZR * s >= -1e-9, axis=1)]
        c = members.sum(0) + closure.sum(0)
        if np.linalg.norm(c) < 1e-9:
            c = members[0]
        out.append((s, c / np.linalg.norm(c)))
    return out


@dataclass(frozen=True)
class UnitFace:
    """One face of a unit's arrangement: ``active`` points on its kink, strict signs.

    ``basis`` (p x k) spans the face's linear hull; ``centre`` is a central unit direction.
    The dead face (the origin) has ``k == 0`` and every point active.
    """

    active: tuple[int, ...]
    signs: tuple[int, ...]
    basis: Array
    centre: Array


def unit_faces(X1: Array, rng: np.random.Generator) -> list[UnitFace]:
    """All faces of the central arrangement ``{w : <X1_i, w> = 0}``, the origin last."""
    n, p = X1.shape
    flats: dict[tuple[int, ...], Array] = {}
    for size in range(p):
        for S in itertools.combinations(range(n), size):
            N = null_space(X1[list(S)]) if S else np.eye(p)
            if N.shape[1] == 0:
                continue
            A = tuple(i for i in range(n)
                      if np.linalg.norm(X1[i] @ N) < 1e-9 * np.linalg.norm(X1[i]))
            flats.setdefault(A, N)
    out = []
    for A, N in sorted(flats.items(), key=lambda kv: (len(kv[0]), kv[0])):
        others = [i for i in range(n) if i not in A]
        for s, v in cells(X1[others] @ N, rng):
            signs = np.zeros(n, dtype=int)
            signs[others] = s.astype(int)
            out.append(UnitFace(A, tuple(signs.tolist()), N, N @ v))
    out.append(UnitFace(tuple(range(n)), (0,) * n, np.zeros((p, 0)), np.zeros(p)))
    return out


# --------------------------------------------------------------------------- local check


@dataclass(frozen=True)
class LocalCheck:
    """Outcome of :func:`local_check`: ``ok`` is True when no lower point was found."""

    ok: bool
    loss: float
    drop: float
    radius: float
    reason: str
    better: Array | None = None


def _one_unit(L: int, p: int, unit: int, v: Array) -> Array:
    """A direction (L, p) moving only unit ``unit`` along ``v``."""
    D = np.zeros((L, p))
    D[unit] = v
    return D


def _dead_unit_directions(W: Array, X1: Array, r: Array, unit: int, rng) -> list[Array]:
    """For a dead unit: per cell ``C``, its centre and the projections of ``+-X1^T D_C r``."""
    L, p = W.shape
    out = []
    for s, v in cells(X1, rng):
        A = s[:, None] * X1
        g = X1.T @ ((s > 0) * r)
        out += [_one_unit(L, p, unit, u) for u in (v, project_cone(g, A), project_cone(-g, A))]
    return out


def dead_unit_gain(X1: Array, r: Array, rng: np.random.Generator) -> tuple[float, Array]:
    """``max |r . ReLU(X1 v)|`` over unit vectors ``v``, and a maximiser.

    On a cell ``C`` this is ``|<X1^T D_C r, v>|``, maximised over ``C`` by the projection of
    ``+-X1^T D_C r`` onto ``C``. A dead unit can grow (the loss drops like
    ``rho^2 (lam - gain^2 / lam)``) iff the gain exceeds ``lam``: a test of the sign of a
    second-order term that stays sharp where loss differences are below rounding.
    """
    best, arg = 0.0, np.zeros(X1.shape[1])
    for s, _ in cells(X1, rng):
        A = s[:, None] * X1
        g = X1.T @ ((s > 0) * r)
        for u in (project_cone(g, A), project_cone(-g, A)):
            if np.linalg.norm(u) > best:
                best, arg = float(np.linalg.norm(u)), u / np.linalg.norm(u)
    return best, arg


def _region_directions(W: Array, X1: Array, y: Array, lam: float, live: list[int],
                       act: dict[int, list[int]], rng) -> list[Array]:
    """Per adjacent region: projected -gradient and Hessian eigenvectors of its extension."""
    L, p = W.shape
    out = []
    local = [cells(X1[act[u]], rng) for u in live]
    for combo in itertools.product(*local):
        mask = X1 @ W.T > 0
        cons = []
        for u, (s, _) in zip(live, combo, strict=True):
            mask[act[u], u] = s > 0
            cons.append(s[:, None] * X1[act[u]])

        def grad(V: Array, mask: Array = mask) -> Array:
            Wb = np.repeat(W[None], V.shape[0], axis=0)
            Wb[:, live] = V.reshape(-1, len(live), p)
            return evaluate(Wb, X1, y, lam, mask)[1][:, live].reshape(V.shape[0], -1)

        v0 = W[live].reshape(-1)
        Hm = fd_hessian(grad, v0, h=1e-6)
        cand = [-grad(v0[None])[0]]
        bases = [null_space(cc) if cc.shape[0] else np.eye(p) for cc in cons]
        Nf = np.zeros((len(live) * p, sum(b.shape[1] for b in bases)))
        j = 0
        for i, b in enumerate(bases):
            Nf[i * p:(i + 1) * p, j:j + b.shape[1]] = b
            j += b.shape[1]
        U = np.linalg.eigh(Hm)[1].T
        cand += list(U) + list(-U)
        if Nf.shape[1]:
            Uf = (Nf @ np.linalg.eigh(Nf.T @ Hm @ Nf)[1]).T
            cand += list(Uf) + list(-Uf)
        for u in cand:
            uu = np.concatenate([project_cone(u[i * p:(i + 1) * p], cc)
                                 for i, cc in enumerate(cons)])
            D = np.zeros((L, p))
            D[live] = uu.reshape(len(live), p)
            out.append(D)
    return out


def structured_directions(W: Array, X1: Array, y: Array, lam: float, rng) -> Array:
    """Structured probe directions at ``W`` (see :mod:`oracle`), unit norm, (K, L, p)."""
    L, p = W.shape
    norms = np.linalg.norm(W, axis=1)
    xi = X1 @ W.T
    rown = np.linalg.norm(X1, axis=1)
    r = evaluate(W[None], X1, y, lam)[3][0]
    live = [u for u in range(L) if norms[u] > 1e-12]
    act = {u: [i for i in range(len(y)) if abs(xi[i, u]) <= 1e-8 * norms[u] * rown[i]]
           for u in live}
    dirs = []
    for u in range(L):
        if u not in live:
            dirs += _dead_unit_directions(W, X1, r, u, rng)
    if live:
        dirs += _region_directions(W, X1, y, lam, live, act, rng)
    D = np.array(dirs).reshape(-1, L, p)
    nrm = np.linalg.norm(D.reshape(len(D), -1), axis=1)
    return D[nrm > 1e-12] / nrm[nrm > 1e-12, None, None]


def activation_margin(W: Array, X1: Array) -> float:
    """Distance (in one unit's ``(b, c)``) to the nearest kink the point is *not* on:
    ``min |<h_i, w_l>| / |h_i|`` over live units and points off their kinks (a
    pre-activation within ``1e-9 |w_l| |h_i|`` of zero counts as on the kink, an active
    constraint that the check must be free to cross)."""
    pre = np.abs(X1 @ W.T)
    hn = np.linalg.norm(X1, axis=1)[:, None]
    wn = np.linalg.norm(W, axis=1)[None, :]
    off = (pre > 1e-9 * wn * hn) & (wn > 1e-12)
    return float(np.min((pre / hn)[off])) if np.any(off) else np.inf


def local_check(x: object, y: object, lam: float, B: object, c: object, a: object = None,
                *, radii: tuple[float, ...] = (1e-3, 1e-4, 1e-5), n_random: int = 300,
                seed: int = 0, tol: float | None = None, descent: bool = True) -> LocalCheck:
    """Look for a point of lower loss near ``(B, c)`` (and ``a``, when given).

    Parameters
    ----------
    x, y, lam : the data (floats) and the ridge parameter.
    B, c : the point; a : when given, it must be ridge-optimal for ``(B, c)``.
    radii : sampling radii (Euclidean, in ``(B, c)`` space), multiplied by
        ``min(1, smallest norm of a live unit)``: on a set of split units the
        neighbourhood in which a point is a minimum shrinks with the smaller unit. They are
        also capped at half the :func:`activation_margin`: local minimality is decided in
        arbitrarily small balls, and a ball reaching past a kink the point is not on can
        hold lower points of another region (a minimum close to a boundary is still one).
    n_random : random directions per radius (plus as many moving a single unit).
    seed : random seed.
    tol : allowed drop; default ``2e-14 * max(1, |y|^2)``, some hundred times the rounding
        noise of a loss evaluation (the loss is stationary in ``a``, so the linear solve
        adds none to first order). Small drops matter: near a set of split units, a point
        whose small unit is slightly misaligned lies only ~1e-14 above the set.
    descent : also run a short BFGS descent from the best samples, inside a small ball.

    Examples
    --------
    >>> local_check([0.0, 1.0], [0.0, 1.0], 0.01, [[0.0]], [0.0]).ok
    False
    """
    X1 = design(x)
    yv = np.asarray(y, dtype=float)
    W = weights(B, c, X1.shape[1] - 1)
    L, p = W.shape
    rng = np.random.default_rng(seed)
    f0, _, a_opt, _ = evaluate(W[None], X1, yv, lam)
    f0 = float(f0[0])
    tol = 2e-14 * max(1.0, float(yv @ yv)) if tol is None else tol
    norms = np.linalg.norm(W, axis=1)
    scale = min(1.0, float(norms[norms > 1e-12].min())) if np.any(norms > 1e-12) else 1.0
    radii = tuple(rad * scale for rad in radii)
    margin = activation_margin(W, X1)
    radii = tuple(min(rad, 0.5 * margin) for rad in radii)
    if a is not None:
        av = np.asarray(a, dtype=float).reshape(-1)
        if np.max(np.abs(av - a_opt[0])) > 1e-7 * (1 + np.max(np.abs(av))):
            return LocalCheck(False, f0, np.inf, 0.0, "a is not ridge-optimal for (B, c)")
    residual = evaluate(W[None], X1, yv, lam)[3][0]
    for unit in np.nonzero(norms <= 1e-12)[0]:
        gain, v = dead_unit_gain(X1, residual, rng)
        if gain > lam * (1 + 1e-10):
            better = W.copy()
            better[unit] = 1e-3 * v
            return LocalCheck(False, f0, (gain**2 / lam - lam) * 1e-6, 1e-3,
                              f"dead unit {unit} can grow: max |r.ReLU(X1 v)| = {gain:.15g} "
                              f"> lam", better)
    single = np.zeros((n_random, L, p))
    single[np.arange(n_random), rng.integers(0, L, size=n_random)] = rng.normal(
        size=(n_random, p))
    D = np.concatenate([rng.normal(size=(n_random, L, p)), single])
    D /= np.linalg.norm(D.reshape(len(D), -1), axis=1)[:, None, None]
    best = []
    for what, dirs in (("random", D), ("structured", None)):
        if dirs is None:
            dirs = structured_directions(W, X1, yv, lam, rng)
        for rad in radii:
            P = W[None] + rad * dirs
            f = evaluate(P, X1, yv, lam)[0]
            k = int(np.argmin(f))
            if f[k] < f0 - tol:
                return LocalCheck(False, f0, f0 - float(f[k]), rad, f"{what} sample below", P[k])
            best.append(P[np.argsort(f)[:2]])
    if descent:
        ball = min(3 * max(radii), 0.9 * margin)
        ends, low = bfgs(np.concatenate(best), X1, yv, lam, iters=40, max_step=ball / 4,
                         ball=ball, target=f0 - tol)
        k = int(np.argmin(low))
        if low[k] < f0 - tol:
            return LocalCheck(False, f0, f0 - float(low[k]), ball, "descent in ball", ends[k])
    return LocalCheck(True, f0, 0.0, 0.0, "no lower point found")


def is_local_min(x: object, y: object, lam: float, B: object, c: object, a: object = None,
                 **kwargs: object) -> bool:
    """True when :func:`local_check` finds no lower point near the point.

    >>> is_local_min([0.0, 1.0], [0.0, 1.0], 0.01, [[0.0]], [0.0])
    False
    """
    return local_check(x, y, lam, B, c, a, **kwargs).ok

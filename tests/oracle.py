"""Independent numerical oracle for the local minima of the ridge-regularised ReLU loss.

Shares no code with ``solver/`` (numpy and scipy only), so that the exact solver and
the oracle can disagree. It works in floating point with

    loss(a, B, c) = sum_i (y_i - sum_l a_l ReLU(<b_l, x_i> + c_l))^2 + lam (|a|^2 + |B|^2 + |c|^2)

and its variable-projected form (``w_l = (b_l, c_l)``, ``psi = (w_1, ..., w_L)``)

    loss_lam(psi) = min_a loss = |y - Phi a*|^2 + lam |a*|^2 + lam |psi|^2,
    a* = (Phi^T Phi + lam I)^{-1} Phi^T y,     Phi[i, l] = ReLU(<w_l, (x_i, 1)>).

Method
------
1. **Multistart per face.** Each unit's parameters live in the arrangement of the
   hyperplanes ``<w, (x_i, 1)> = 0``; its faces (open cells, pieces of hyperplanes and
   their intersections, the origin = a dead unit) are enumerated numerically
   (:func:`oracle_core.unit_faces`). For every multiset of L faces, a few starts at the
   faces' central directions (random scales) are minimised by a batched BFGS on the
   *smooth* extension of the loss to the faces' linear hull (fixed activation mask,
   gradient projected onto the hull). A local minimum of the loss lying in a face is a
   local minimum of that face's smooth function, so every minimum has such a basin.
2. **Plain multistart.** Random starts (Gaussian units of random scale, units near zero,
   kinks through data points) are minimised by the same batched BFGS on the true,
   nonsmooth ``loss_lam``; it stalls close to a kink minimiser. Its face is then guessed
   (units ~dead, constraints ~0, for thresholds 1e-2 .. 1e-8).
3. **Polishing inside faces.** On a face the loss is one smooth rational function of the
   face coordinates ``w_l = N_l v_l`` (``N_l`` an orthonormal null-space basis of the
   active rows); Newton's method (exact gradient, central-difference Hessian,
   pseudo-inverse across flat directions) brings the face gradient to ~1e-13. Points whose
   strict signs changed left their face and are dropped.
4. **Local check** (:func:`oracle_core.local_check`): the loss at radii 1e-3, 1e-4, 1e-5 in
   random directions (all units, one unit at a time) and structured ones (per adjacent
   region, the cone projections of the negative gradient and of the Hessian eigenvectors
   of the region's extension and of the face Hessian; per dead unit and cell ``C``, the
   cell's centre and the projections of ``+-X1^T D_C r``, maximisers of the second-order
   gain), then a short BFGS descent from the best samples inside a small ball. Nothing
   below ``loss - tol`` means a local minimum. Descent points seed another round of 2.
5. **Classification.** Positively parallel units (same pattern) trade magnitude at
   constant loss (only ``sum_l a_l^2`` is fixed), and a dead unit can split off any live
   unit: a minimum with two live units on one face (same pattern; at a critical point
   they are then parallel) or with a dead and a live unit lies on a positive-dimensional
   set (``kind == "set"``), else it is ``"isolated"``. Resolution limit: a point whose
   small unit (< 1% of the largest) can be turned onto another unit or removed at a loss
   change below the check's tolerance is left out (it sits ~1e-14 above a split set).
   :func:`merged_units` is the invariant shared by the points of one set.

Examples
--------
>>> mins = find_local_minima([0.0, 1.0], [0.0, 1.0], 0.01, 1, starts=20)
>>> [m.kind for m in mins], round(mins[0].loss, 4)
(['isolated'], 0.0198)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space

from tests.oracle_core import (
    Array,
    LocalCheck,
    bfgs,
    design,
    evaluate,
    fd_hessian,
    is_local_min,
    local_check,
    loss,
    loss_lam,
    optimal_a,
    unit_faces,
)

__all__ = ["LocalCheck", "OracleMinimum", "find_local_minima", "is_local_min", "local_check",
           "loss", "loss_lam", "merged_units", "optimal_a", "perm_distance", "same_merged"]

_TAUS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)


@dataclass(frozen=True)
class OracleMinimum:
    """A numerically located local minimum (floats).

    ``kind`` is ``"isolated"`` or ``"set"`` (on a positive-dimensional set of minima);
    ``pattern[l]`` has one of ``+ - 0`` per point; ``active`` lists ``(i, l)`` with
    ``<b_l, x_i> + c_l ~ 0`` for live units; ``hits`` counts the starts that led here;
    ``face_min_eig`` is the smallest eigenvalue of the face Hessian (~0 on a set).
    """

    B: Array
    c: Array
    a: Array
    loss: float
    kind: str
    pattern: tuple[str, ...]
    active: tuple[tuple[int, int], ...]
    dead: tuple[int, ...]
    face_min_eig: float
    hits: int

    @property
    def W(self) -> Array:
        """``(B | c)`` as one L x (d+1) array."""
        return np.hstack([self.B, self.c[:, None]])


@dataclass(frozen=True)
class _Face:
    """A face of the whole network: dead units, active points per unit, mask (n x L)."""

    dead: tuple[bool, ...]
    active: tuple[tuple[int, ...], ...]
    mask: tuple[tuple[bool, ...], ...]


# --------------------------------------------------------------------------- comparisons


def perm_distance(W1: Array, W2: Array) -> float:
    """Max-abs distance between two unit lists (L x k), minimised over unit permutations."""
    L = W1.shape[0]
    return min(float(np.max(np.abs(W1[list(q)] - W2))) for q in itertools.permutations(range(L)))


def _perm_distances(W: Array, reps: Array) -> Array:
    """``perm_distance(W, reps[k])`` for every k, vectorised."""
    if len(reps) == 0:
        return np.zeros(0)
    L = W.shape[0]
    return np.min([np.max(np.abs(reps - W[list(q)]), axis=(1, 2))
                   for q in itertools.permutations(range(L))], axis=0)


def merged_units(W: Array, a: Array, X1: Array | None = None,
                 tol: float = 1e-7) -> list[tuple[Array, float]]:
    """Invariant of a set of minima: units on one face merged into one neuron, dead dropped.

    Units are grouped by their sign pattern on the data rows ``X1`` (``(x_i, 1)``) when
    given, else by direction (positively parallel to ``tol``). Each merged neuron
    ``(w, a)`` has the group's output ``sum_l a_l ReLU(<w_l, .>)`` and ``|a| = |w|``
    (its direction is that of ``sum_l w_l``, so a tiny unit's rough direction hardly
    matters); the list is sorted canonically. Units with ``|a_l| |w_l| = 0`` are dropped.

    >>> m = merged_units(np.array([[3.0, 0.0], [4.0, 0.0]]), np.array([3.0, 4.0]))
    >>> [(w.tolist(), a) for w, a in m]
    [([5.0, 0.0], 5.0)]
    """
    keys: list[object] = []
    groups: list[list] = []  # [sum of w_l (direction), sum of a_l |w_l| (strength)]
    for w, al in zip(W, a, strict=True):
        nw = float(np.linalg.norm(w))
        if nw * abs(al) == 0.0:
            continue
        if X1 is not None:
            xi = X1 @ w
            key: object = tuple(np.where(np.abs(xi) <= 1e-9 * nw * np.linalg.norm(X1, axis=1),
                                         0, np.sign(xi)))
            match = [k for k, kk in enumerate(keys) if kk == key]
        else:
            key = w / nw
            match = [k for k, kk in enumerate(keys) if np.linalg.norm(kk - key) < tol]
        if match:
            groups[match[0]][0] = groups[match[0]][0] + w
            groups[match[0]][1] += al * nw
        else:
            keys.append(key)
            groups.append([w.astype(float), al * nw])
    out = [(np.sqrt(abs(s)) * v / np.linalg.norm(v), float(np.sign(s) * np.sqrt(abs(s))))
           for v, s in groups]
    return sorted(out, key=lambda m: tuple(np.round(m[0], 6)) + (round(m[1], 6),))


def same_merged(m1: list[tuple[Array, float]], m2: list[tuple[Array, float]],
                tol: float = 1e-6) -> bool:
    """True when two :func:`merged_units` invariants agree up to ``tol`` (as multisets)."""
    if len(m1) != len(m2):
        return False
    left = list(m2)
    for w, a in m1:
        for k, (w2, a2) in enumerate(left):
            if np.max(np.abs(w - w2)) < tol and abs(a - a2) < tol:
                del left[k]
                break
        else:
            return False
    return True


# --------------------------------------------------------------------------- faces


def _face_guesses(W: Array, X1: Array) -> set[_Face]:
    """Faces a stalled nonsmooth BFGS point may belong to, one per threshold."""
    L, p = W.shape
    norms = np.linalg.norm(W, axis=1)
    rown = np.linalg.norm(X1, axis=1)
    xi = X1 @ W.T
    out = set()
    for tau in _TAUS:
        dead, active = [], []
        mask = np.zeros(xi.shape, dtype=bool)
        for u in range(L):
            if norms[u] < tau:
                dead.append(True)
                active.append(())
                continue
            s = xi[:, u] / (norms[u] * rown)
            act: list[int] = []
            for i in np.argsort(np.abs(s)):
                if abs(s[i]) < tau and np.linalg.matrix_rank(X1[act + [int(i)]]) < p:
                    act.append(int(i))
            dead.append(False)
            active.append(tuple(sorted(act)))
            mask[:, u] = s > 0
            mask[act, u] = False
        out.add(_Face(tuple(dead), tuple(active), tuple(map(tuple, mask.tolist()))))
    return out


def _face_gradient(face: _Face, X1: Array, y: Array, lam: float):
    """The face's bases, the map face coordinates -> W, and the batched face gradient."""
    L, p = len(face.dead), X1.shape[1]
    bases = {u: (null_space(X1[list(face.active[u])]) if face.active[u] else np.eye(p))
             for u in range(L) if not face.dead[u]}
    mask = np.array(face.mask, dtype=bool)

    def to_w(V: Array) -> Array:
        Wb = np.zeros((V.shape[0], L, p))
        k = 0
        for u, N in bases.items():
            Wb[:, u] = V[:, k:k + N.shape[1]] @ N.T
            k += N.shape[1]
        return Wb

    def grad(V: Array) -> Array:
        g = evaluate(to_w(V), X1, y, lam, mask)[1]
        return np.hstack([g[:, u] @ N for u, N in bases.items()])

    return bases, to_w, grad


def _polish(face: _Face, W0: Array, X1: Array, y: Array, lam: float) -> Array | None:
    """Newton inside the face from ``W0``: the polished point, or None if it left the face."""
    bases, to_w, grad = _face_gradient(face, X1, y, lam)
    if not bases:
        return np.zeros_like(W0)
    v = np.concatenate([N.T @ W0[u] for u, N in bases.items()])
    gv = grad(v[None])[0]
    for _ in range(60):
        if np.linalg.norm(gv) < 1e-13:
            break
        ev, U = np.linalg.eigh(fd_hessian(grad, v))
        keep = np.abs(ev) > 1e-9 * max(np.abs(ev).max(), 1e-300)
        step = -U[:, keep] @ ((U[:, keep].T @ gv) / ev[keep])
        for _ in range(30):
            g_new = grad((v + step)[None])[0]
            if np.linalg.norm(g_new) < np.linalg.norm(gv):
                break
            step *= 0.5
        else:
            break
        v, gv = v + step, g_new
    W = to_w(v[None])[0]
    xi = X1 @ W.T
    mask = np.array(face.mask, dtype=bool)
    for u in bases:
        free = np.ones(X1.shape[0], dtype=bool)
        free[list(face.active[u])] = False
        if np.linalg.norm(W[u]) < 1e-6 or np.any((xi[free, u] > 0) != mask[free, u]) or np.any(
                xi[free, u] == 0):
            return None
    return W


def _split_pair(W: Array, X1: Array, live: list[int]) -> bool:
    """Two live units on one face: the same activation pattern, or positively parallel.

    At a critical point two live units on the same face are always positively parallel
    (``w_l`` is ``a_l`` times one vector of the face), so the pattern test is exact there;
    it stays reliable for a tiny unit whose direction is known only roughly.
    """
    xi = X1 @ W.T
    norms = np.linalg.norm(W, axis=1)
    rown = np.linalg.norm(X1, axis=1)
    signs = [tuple(np.where(np.abs(xi[:, u]) <= 1e-9 * norms[u] * rown, 0, np.sign(xi[:, u])))
             for u in range(len(W))]
    return any(signs[k] == signs[j] or np.linalg.norm(W[k] / norms[k] - W[j] / norms[j]) < 1e-7
               for k, j in itertools.combinations(live, 2))


def _describe(W: Array, X1: Array, y: Array, lam: float, hits: int) -> OracleMinimum:
    """The :class:`OracleMinimum` record of a checked point."""
    L, p = W.shape
    f, _, a, _ = evaluate(W[None], X1, y, lam)
    norms = np.linalg.norm(W, axis=1)
    xi = X1 @ W.T
    rown = np.linalg.norm(X1, axis=1)
    dead = tuple(u for u in range(L) if norms[u] < 1e-10)
    active, pattern = [], []
    for u in range(L):
        z = np.abs(xi[:, u]) <= 1e-9 * max(norms[u], 1e-300) * rown
        if u in dead:
            z[:] = True
        else:
            active += [(int(i), u) for i in np.nonzero(z)[0]]
        pattern.append("".join("0" if z[i] else ("+" if xi[i, u] > 0 else "-")
                               for i in range(len(y))))
    live = [u for u in range(L) if u not in dead]
    kind = "set" if _split_pair(W, X1, live) or (dead and live) else "isolated"
    face = _Face(tuple(u in dead for u in range(L)),
                 tuple(tuple(i for i, ll in active if ll == u) for u in range(L)),
                 tuple(map(tuple, np.array([[ch == "+" for ch in pat] for pat in pattern]).T)))
    bases, _, grad = _face_gradient(face, X1, y, lam)
    min_eig = np.inf
    if bases:
        v = np.concatenate([N.T @ W[u] for u, N in bases.items()])
        min_eig = float(np.linalg.eigvalsh(fd_hessian(grad, v)).min())
    return OracleMinimum(W[:, :-1].copy(), W[:, -1].copy(), a[0].copy(), float(f[0]), kind,
                         tuple(pattern), tuple(sorted(active)), dead, min_eig, hits)


# --------------------------------------------------------------------------- starts


def _face_starts(X1: Array, L: int, per_face: int, rng: np.random.Generator):
    """Starts for every multiset of unit faces: points, masks, projectors, faces."""
    n, p = X1.shape
    faces = unit_faces(X1, rng)
    Ws, masks, projs, net_faces = [], [], [], []
    for combo in itertools.combinations_with_replacement(range(len(faces)), L):
        fs = [faces[k] for k in combo]
        mask = np.array([[s > 0 for s in f.signs] for f in fs]).T
        proj = np.zeros((L * p, L * p))
        for u, f in enumerate(fs):
            proj[u * p:(u + 1) * p, u * p:(u + 1) * p] = f.basis @ f.basis.T
        face = _Face(tuple(f.basis.shape[1] == 0 for f in fs), tuple(f.active for f in fs),
                     tuple(map(tuple, mask.tolist())))
        for k in range(per_face):
            W = np.array([f.centre for f in fs]) + 0.1 * rng.normal(size=(L, p))
            # every other start is small: minima of tiny neurons (|s| just above lam)
            size = 1.0 if k % 2 == 0 else 0.02
            Ws.append(size * W * np.exp(rng.normal(scale=0.5, size=(L, 1))))
            masks.append(mask)
            projs.append(proj)
            net_faces.append(face)
    return np.array(Ws), np.array(masks), np.array(projs), net_faces


def _random_starts(X1: Array, L: int, S: int, rng: np.random.Generator) -> Array:
    """Random starts: Gaussian units, near-zero units, kinks through data points."""
    n, p = X1.shape
    W = rng.normal(size=(S, L, p))
    W /= np.linalg.norm(W, axis=2)[..., None]
    kind = rng.choice(3, size=(S, L), p=[0.4, 0.2, 0.4])
    for s, u in zip(*np.nonzero(kind == 2), strict=True):
        N = null_space(X1[rng.choice(n, size=min(int(rng.integers(1, p)), n), replace=False)])
        w = N @ rng.normal(size=N.shape[1])
        W[s, u] = w / np.linalg.norm(w) + 1e-3 * rng.normal(size=p)
    W *= np.exp(rng.normal(scale=0.8, size=(S, L, 1)))
    W[kind == 1] *= 1e-3
    return W


def _cluster(ends: Array, fends: Array, tol: float) -> list[tuple[int, int]]:
    """Indices of representatives of ``ends`` up to permutation, with their counts."""
    order = np.argsort(fends)
    reps: list[int] = []
    counts: list[int] = []
    rep_f = np.empty(len(ends))
    for k in order:
        near = np.nonzero(np.abs(rep_f[:len(reps)] - fends[k]) < 1e-7)[0]
        if near.size:
            dist = _perm_distances(ends[k], ends[[reps[j] for j in near]])
            if dist.min() < tol:
                counts[near[int(np.argmin(dist))]] += 1
                continue
        rep_f[len(reps)] = fends[k]
        reps.append(int(k))
        counts.append(1)
    return list(zip(reps, counts, strict=True))


def _in_faces(ends: Array, masks: Array, projs: Array, X1: Array) -> Array:
    """Which per-face BFGS end points lie strictly inside their own faces."""
    S, L, p = ends.shape
    xi = np.einsum("slp,np->snl", ends, X1)
    ok = np.ones(S, dtype=bool)
    for u in range(L):
        block = projs[:, u * p:(u + 1) * p, u * p:(u + 1) * p]
        live = np.trace(block, axis1=1, axis2=2) > 0.5
        # a point is active for the unit when its row lies in the face's normal space
        act = np.linalg.norm(np.einsum("sij,nj->sni", block, X1), axis=2) < 1e-9
        strict = ~act & live[:, None]
        good = np.where(masks[:, :, u], xi[:, :, u] > 0, xi[:, :, u] < 0)
        ok &= np.all(good | ~strict, axis=1)
        ok &= ~live | (np.linalg.norm(ends[:, u], axis=1) > 1e-6)
    return ok


# --------------------------------------------------------------------------- search


def find_local_minima(x: object, y: object, lam: float, L: int, *, starts: int = 200,
                      per_face: int = 2, seed: int = 0, rounds: int = 3,
                      per_set: int = 4, check_kwargs: dict | None = None
                      ) -> list[OracleMinimum]:
    """Local minima found by per-face and plain multistart, polishing and the local check.

    Parameters
    ----------
    x : n numbers (d = 1) or n rows of d numbers.
    y : n numbers.
    lam : the ridge parameter (> 0).
    L : number of hidden units.
    starts : plain random starts of the first round.
    per_face : starts for each multiset of unit faces (0 disables the per-face search).
    seed : random seed (results are deterministic for a seed).
    rounds : rounds of plain multistart; descent points of failed checks seed the next.
    per_set : at most this many checked points per set of minima.
    check_kwargs : extra arguments of :func:`oracle_core.local_check`.

    Returns
    -------
    list of OracleMinimum
        One entry per distinct point up to unit permutation, sorted by loss; a set of
        minima is represented by up to ``per_set`` of its points. A point that differs
        from a split set only by a tiny unit's direction, by less in loss than the check
        resolves, is left out.

    Examples
    --------
    >>> ms = find_local_minima([-1.0, 1.0], [1.0, 1.0], 0.01, 1, starts=20)
    >>> len(ms), ms[0].kind
    (1, 'isolated')
    """
    X1 = design(x)
    yv = np.asarray(y, dtype=float)
    lam = float(lam)
    rng = np.random.default_rng(seed)
    check_kwargs = dict(check_kwargs or {})
    found: list[list] = []  # [W, hits, set key or None]
    seen = np.empty((64, L, X1.shape[1]))
    n_seen = 0
    candidates: list[tuple[_Face, Array, int]] = []
    if per_face:
        W0, masks, projs, faces = _face_starts(X1, L, per_face, rng)
        ends, fends = bfgs(W0, X1, yv, lam, mask=masks, proj=projs, iters=200)
        ok = np.isfinite(fends) & _in_faces(ends, masks, projs, X1)
        for k, hits in _cluster(ends[ok], fends[ok], 1e-6):
            candidates.append((faces[np.nonzero(ok)[0][k]], ends[ok][k], hits))
    W0 = _random_starts(X1, L, starts, rng)
    for _ in range(rounds + 1):
        if len(W0):
            ends, fends = bfgs(W0, X1, yv, lam)
            for k, hits in _cluster(ends, fends, 1e-5):
                candidates += [(face, ends[k], hits) for face in _face_guesses(ends[k], X1)]
        new_starts = []
        for face, W, hits in candidates:
            P = _polish(face, W, X1, yv, lam)
            if P is None:
                continue
            dist = _perm_distances(P, seen[:n_seen])
            if dist.size and dist.min() < 1e-8:
                for entry in found:
                    if perm_distance(P, entry[0]) < 1e-8:
                        entry[1] += hits
                continue
            if n_seen == len(seen):
                seen = np.concatenate([seen, np.empty_like(seen)])
            seen[n_seen] = P
            n_seen += 1
            key = _set_key(P, X1, yv, lam)
            if key is not None and sum(_same_key(key, e[2]) for e in found) >= per_set:
                continue
            chk = local_check(X1[:, :-1], yv, lam, P[:, :-1], P[:, -1],
                              seed=int(rng.integers(2**31)), **check_kwargs)
            if chk.ok:
                found.append([P, hits, key])
            elif chk.better is not None:
                new_starts.append(chk.better)
        candidates = []
        W0 = np.array(new_starts).reshape(-1, L, X1.shape[1])
    tol = 2e-14 * max(1.0, float(yv @ yv))
    minima = [_describe(P, X1, yv, lam, h) for P, h, key in found
              if key is not None or not _near_a_set(P, X1, yv, lam, tol)]
    return sorted(minima, key=lambda m: (m.loss, m.kind, tuple(m.W.ravel())))


def _near_a_set(W: Array, X1: Array, y: Array, lam: float, tol: float) -> bool:
    """A small unit (< 1% of the largest) that, turned onto another unit's direction or
    removed, leaves the loss within ``tol``: the point is closer to a set of split units
    than the sampling can resolve (it lies ~1e-14 above it), so it is not reported."""
    f0 = evaluate(W[None], X1, y, lam)[0][0]
    norms = np.linalg.norm(W, axis=1)
    trials = []
    for small in np.nonzero((norms > 0) & (norms < 1e-2 * norms.max()))[0]:
        for other in np.nonzero(norms > 0)[0]:
            P = W.copy()
            P[small] = 0.0 if other == small else norms[small] * W[other] / norms[other]
            trials.append(P)
    return bool(trials) and float(evaluate(np.array(trials), X1, y, lam)[0].min()) <= f0 + tol


def _set_key(W: Array, X1: Array, y: Array, lam: float):
    """For a point of a set of minima: (loss, merged invariant, sorted patterns), else None."""
    f, _, a, _ = evaluate(W[None], X1, y, lam)
    norms = np.linalg.norm(W, axis=1)
    live = [u for u in range(len(W)) if norms[u] >= 1e-10]
    if not _split_pair(W, X1, live) and (len(live) in (0, len(W))):
        return None
    pats = tuple(sorted(tuple(col) for col in ((X1 @ W.T) > 0).T.tolist()))
    return float(f[0]), merged_units(W, a[0], X1), pats, len(W) - len(live)


def _same_key(k1, k2) -> bool:
    """Two set keys describe the same set of minima."""
    if k1 is None or k2 is None:
        return False
    return (abs(k1[0] - k2[0]) < 1e-9 and k1[2:] == k2[2:] and same_merged(k1[1], k2[1]))

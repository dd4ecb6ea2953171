"""The coarse proofs of many face sets at once: rigorous enclosures in float64.

After the batched float stage (:func:`~solver.pipeline.locate.minimise.minimise_many`)
every face set of one batch with the same block sizes is proved here together, in
stacked NumPy arrays, with *midpoint-radius interval arithmetic* in round-to-nearest
float64 (S. M. Rump, "Fast and parallel interval arithmetic", BIT 39, 1999): a quantity
is a pair of arrays ``(mid, rad)`` holding every value in ``[mid - rad, mid + rad]``; each
operation bounds the rounding errors of its midpoint by ``gamma_n = n u / (1 - n u)``
(``u = 2^-53``) times the absolute values (valid in any summation order, with or without
FMA), and rounds the radius up by a factor ``1 + 4 (ops + 2) u`` plus a tiny absolute
term for underflow. Nothing here is trusted that is not so bounded:

* a linear system ``B x = z`` with an interval ``B`` is enclosed by Rump's test: with
  ``R`` a float inverse of ``mid B`` and ``|I - R B| <= c < 1`` (infinity norm, over the
  whole interval), ``|x - R z| <= |R (z - B R z)| / (1 - c)`` for every ``B`` and ``z``;
* the interior solution of a face set is proved by the Krawczyk test (as in
  :func:`~solver.pipeline.locate.interior.locate`, at 53 bits instead of 96): a box
  ``m +- rad`` whose Krawczyk image lies strictly inside holds exactly one zero;
* at that box, the neuron directions' pre-activations give the face signs (as
  :class:`~solver.pipeline.locate.signs.CoarseSigns` does from balls), and the residual
  gives the KKT excess ``|M_b^T r|^2_{G_b^{-1}} - lam^2`` against *every* alive face ``b``
  at once (the pruning of the next level).

Whatever an enclosure does not decide (a sign whose interval holds 0, a box that is not
proved, a group that overflows) is left to the ball arithmetic of ``arb`` as before, so
the outcome is the same, only reached sooner; the fine proof of a reported point is
never done here.

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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

U = 2.0**-53  # the unit roundoff of float64
TINY = 2.0**-1000  # absorbs underflow in every radius
UNDECIDED = "undecided"

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


def solve_enclosed(B: Interval, Z: Interval) -> tuple[Interval, np.ndarray]:
    """Enclosures of ``B^{-1} Z`` for stacked ``(N, K, K)`` and ``(N, K, c)`` intervals,
    and per system whether it is proved (``|I - R B| <= 1/2``; module docstring; a
    singular midpoint proves nothing)."""
    K = B[0].shape[-1]
    R = inverses(B[0])
    R = np.where(np.isfinite(R), R, np.nan)
    X = R @ Z[0]
    RB = matmul(exact(R), B)
    C = sub(exact(np.broadcast_to(np.eye(K), RB[0].shape)), RB)
    c = up(np.max(np.sum(np.abs(C[0]) + C[1], axis=-1), axis=-1), K + 2)  # (N,)
    rho = matmul(exact(R), sub(Z, matmul(B, exact(X))))
    rn = up(np.max(np.abs(rho[0]) + rho[1], axis=-2), 2)  # (N, c): per column
    ok = c < 0.5
    beta = up(rn / np.where(ok, 1.0 - c, 1.0)[:, None], 3)  # |x - X| <= beta (N, c)
    # componentwise: x - X = d + C (x - X) with d in rho, so |x - X| <= |d| + |C| beta
    absC = up(np.abs(C[0]) + C[1], 1)
    bound = up(np.abs(rho[0]) + rho[1] + absC @ np.broadcast_to(beta[:, None, :], X.shape),
               K + 4)
    return (X, np.minimum(bound, beta[:, None, :])), ok


@dataclass(frozen=True, slots=True)
class FaceFloats:
    """The alive faces of a problem in float64 (rounded rationals), for the excess table:
    per face size ``kb``, the faces' ``M_b`` side by side (``n x (F kb)``), their
    ``G_b^{-1}`` stacked (``F x kb x kb``), and their columns in the table."""

    lam2: Interval
    by_size: tuple[tuple[Interval, Interval, np.ndarray], ...]
    count: int


def face_floats(datas: Sequence, lam_q) -> FaceFloats:
    """:class:`FaceFloats` of the faces' :class:`~solver.pipeline.face_systems.NeuronData`
    (in table order)."""
    groups: dict[int, list[int]] = {}
    for j, nd in enumerate(datas):
        groups.setdefault(nd.size, []).append(j)
    by_size = []
    for _, cols in sorted(groups.items()):
        M = np.concatenate([to_floats(datas[j].M) for j in cols], axis=1)
        G = np.stack([to_floats(datas[j].G_inv) for j in cols])
        by_size.append((rounded(M), rounded(G), np.array(cols)))
    lam = float(lam_q)
    lam2 = mul(rounded(np.array(lam)), rounded(np.array(lam)))
    return FaceFloats(lam2, tuple(by_size), len(datas))


def to_floats(m) -> np.ndarray:
    """A flint rational matrix as float64 (each entry rounded to nearest)."""
    return np.array([[float(m[i, j]) for j in range(m.ncols())] for i in range(m.nrows())])


def excess_signs(r: Interval, faces: FaceFloats) -> np.ndarray:
    """The sign of ``|M_b^T r|^2_{G_b^{-1}} - lam^2`` for every residual (rows of ``r``,
    ``(N, n)``) and face (columns, as in ``faces``): ``1``, ``-1``, or ``0`` (not decided)."""
    N = r[0].shape[0]
    out = np.zeros((N, faces.count), dtype=np.int8)
    for M, G, cols in faces.by_size:
        F, kb = G[0].shape[0], G[0].shape[1]
        u = matmul(r, M)  # (N, F kb)
        u = (u[0].reshape(N, F, kb, 1), u[1].reshape(N, F, kb, 1))
        v = matmul(G, u)  # (N, F, kb, 1)
        q = sub(_quad(u, v), faces.lam2)
        out[:, cols] = np.where(q[0] > q[1], 1, np.where(q[0] < -q[1], -1, 0))
    return out


def _quad(u: Interval, v: Interval) -> Interval:
    """``sum_i u_i v_i`` over the last-but-one axis of ``(..., kb, 1)`` intervals."""
    p = mul(u, v)
    return total((p[0][..., 0], p[1][..., 0]), -1)


@dataclass(frozen=True, slots=True)
class Coarse:
    """A face set's coarse proof: the box ``mid +- rad`` holding its interior solution
    (proved unique there), the neurons' face signs there (a tuple, None: outside its
    faces, or :data:`UNDECIDED`) and the sign of the KKT excess of its residual against
    every alive face (:func:`excess_signs`; None if not enclosed)."""

    mid: np.ndarray
    rad: np.ndarray
    signs: tuple[int, ...] | None | str
    excess: np.ndarray | None


@dataclass(frozen=True, slots=True)
class SetFloats:
    """What :func:`prove_many` reads of one face set besides its
    :class:`~solver.pipeline.locate.face_problem.FaceProblem`: per neuron ``V_a`` (``m x k_a``),
    the face's wanted signs (``n``) and ``M_a`` (``n x k_a``; ``M = [M_1 .. M_k]``), in
    float64 (each face's arrays shared by every set that has it: nothing is copied per set)."""

    V: tuple[np.ndarray, ...]
    wants: tuple[np.ndarray, ...]  # (n,) int8 each
    M: tuple[np.ndarray, ...]


def prove_many(problems: Sequence, starts: Sequence[np.ndarray | None],
               sets: Sequence[SetFloats], lifted: np.ndarray, y: np.ndarray,
               faces: FaceFloats | None) -> list[Coarse | None]:
    """The :class:`Coarse` proof of every face set whose float minimiser is known, batched
    by block sizes; None where the box is not proved (the caller proves it in ``arb``).
    ``lifted`` are the points ``(x_i, 1)`` and ``y`` the targets, as rounded floats;
    ``faces`` the table of :func:`excess_signs` (None: no excess).

    Whatever overflows or is not a number proves nothing: every test is a strict
    comparison, false for NaN, and a radius is infinite wherever its midpoint is.
    """
    out: list[Coarse | None] = [None] * len(problems)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, (p, s) in enumerate(zip(problems, starts)):
        if s is not None:
            groups.setdefault(tuple(p.sizes), []).append(i)
    for sizes, members in groups.items():
        with np.errstate(all="ignore"):
            found = _Group([problems[i] for i in members], [starts[i] for i in members],
                           [sets[i] for i in members], sizes, lifted, y, faces).run()
        for i, c in zip(members, found):
            out[i] = c
    return out


class _Group:
    """Face sets with equal block sizes, proved together (see :func:`prove_many`)."""

    def __init__(self, problems, starts, sets, sizes, lifted, y, faces) -> None:
        floats = [p.floats() for p in problems]
        self.S = rounded(np.stack([f[0] for f in floats]))
        self.z = rounded(np.stack([f[1] for f in floats])[:, :, None])
        self.Ginv = rounded(np.stack([f[2] for f in floats]))
        lam = float(problems[0].lam_q)
        self.lam2 = mul(rounded(np.array(lam)), rounded(np.array(lam)))
        self.m = np.stack(starts)
        self.sets, self.sizes = sets, sizes
        self.k, self.K = len(sizes), sum(sizes)
        self.owner = np.repeat(np.arange(self.k), sizes)
        self.masks = np.zeros((self.k, self.K))
        self.masks[self.owner, np.arange(self.K)] = 1.0
        self.lifted, self.y, self.faces = rounded(lifted), rounded(y[:, None]), faces

    def _B(self, idx: np.ndarray, s: Interval) -> Interval:
        """``B(s) = I + S T(s)`` of the sets ``idx``, ``T`` scaling the rows of block
        ``a`` of ``G^{-1}`` by ``s_a``."""
        so = (s[0][:, self.owner][:, :, None], s[1][:, self.owner][:, :, None])
        T = mul((self.Ginv[0][idx], self.Ginv[1][idx]), so)
        return add(exact(np.eye(self.K)), matmul((self.S[0][idx], self.S[1][idx]), T))

    def _uw(self, idx: np.ndarray, B: Interval) -> tuple[Interval, Interval, np.ndarray]:
        """``u = B^{-1} z`` and ``w = G^{-1} u`` (``(N, K, 1)``), and where proved."""
        u, ok = solve_enclosed(B, (self.z[0][idx], self.z[1][idx]))
        return u, matmul((self.Ginv[0][idx], self.Ginv[1][idx]), u), ok

    def _F(self, u: Interval, w: Interval) -> Interval:
        """The equations ``u_a^T w_a - lam^2`` (``(N, k)``)."""
        F = sub(matmul(exact(self.masks), mul(u, w)), self.lam2)
        return F[0][:, :, 0], F[1][:, :, 0]

    def _J(self, idx: np.ndarray, B: Interval, w: Interval) -> tuple[Interval, np.ndarray]:
        """The Jacobian ``-2 W^T B^{-1} S W`` (``(N, k, k)``), and where proved."""
        W = (self.masks.T * w[0], self.masks.T * w[1])  # (N, K, k), exact
        X, ok = solve_enclosed(B, matmul((self.S[0][idx], self.S[1][idx]), W))
        J = matmul((W[0].transpose(0, 2, 1), W[1].transpose(0, 2, 1)), X)
        return (-2 * J[0], 2 * J[1]), ok

    def run(self) -> list[Coarse | None]:
        """Krawczyk at the float minimisers (box radii 4, 64 and 4096 Newton steps, as
        :func:`~solver.pipeline.locate.interior.locate` tries), then the signs there."""
        m, k = self.m, self.k
        N = len(m)
        every = np.arange(N)
        B0 = self._B(every, exact(m))
        u0, w0, ok = self._uw(every, B0)
        F0 = self._F(u0, w0)
        J0, ok_j = self._J(every, B0, w0)
        Y = inverses(J0[0])
        ok = ok & ok_j & np.all(np.isfinite(Y), axis=(1, 2))
        Y = np.where(np.isfinite(Y), Y, 0.0)
        YF = matmul(exact(Y), (F0[0][:, :, None], F0[1][:, :, None]))
        step = np.abs(YF[0][:, :, 0]) + YF[1][:, :, 0]  # the Newton step, its error included
        eye = exact(np.eye(k))
        box = np.full((N, k), np.nan)
        proved = np.zeros(N, dtype=bool)
        todo = np.flatnonzero(ok)
        for scale in (4.0, 64.0, 4096.0):
            if not len(todo):
                break
            rad = np.maximum(step[todo] * scale, np.abs(m[todo]) * 2.0**-30)
            Bx = self._B(todo, (m[todo], rad))
            _, wx, okx = self._uw(todo, Bx)
            Jx, okjx = self._J(todo, Bx, wx)
            A = sub(eye, matmul(exact(Y[todo]), Jx))
            t = matmul(A, (np.zeros((len(todo), k, 1)), rad[:, :, None]))
            D = sub(t, (YF[0][todo], YF[1][todo]))  # K(box) - m
            dr = up(np.abs(D[0][:, :, 0]) + D[1][:, :, 0], 2)
            good = okx & okjx & np.all(dr < rad, axis=1) & np.all(m[todo] > dr, axis=1)
            box[todo[good]] = dr[good]
            proved[todo[good]] = True
            todo = todo[~good]
        out: list[Coarse | None] = [None] * N
        done = np.flatnonzero(proved)
        if not len(done):
            return out
        signs, excess = self._at_boxes(done, box[done])
        for j, i in enumerate(done):
            out[i] = Coarse(m[i], box[i], signs[j], None if excess is None else excess[j])
        return out

    def _at_boxes(self, done: np.ndarray, rad: np.ndarray):
        """Face signs and KKT excess signs at the proved boxes ``m +- rad`` of ``done``."""
        N = len(done)
        s = (self.m[done], rad)
        u, w, ok = self._uw(done, self._B(done, s))
        violated = np.zeros(N, dtype=bool)
        undecided = ~ok
        sigmas = np.zeros((N, self.k), dtype=int)
        start = 0
        for a, size in enumerate(self.sizes):
            blk = slice(start, start + size)
            start += size
            V = rounded(np.stack([self.sets[i].V[a] for i in done]))
            pre = matmul(self.lifted, matmul(V, (w[0][:, blk], w[1][:, blk])))  # (N, n, 1)
            want = np.stack([self.sets[i].wants[a] for i in done])
            sign = np.where(pre[0][:, :, 0] > pre[1][:, :, 0], 1,
                            np.where(pre[0][:, :, 0] < -pre[1][:, :, 0], -1, 0))
            this = sign * want
            pos, neg = np.any(this > 0, axis=1), np.any(this < 0, axis=1)
            violated |= pos & neg
            undecided |= np.any((want != 0) & (sign == 0), axis=1)
            sigmas[:, a] = np.where(pos, 1, np.where(neg, -1, 0))
        signs: list = [UNDECIDED] * N
        for j in range(N):
            if violated[j]:
                signs[j] = None
            elif not undecided[j]:
                signs[j] = tuple(int(v) for v in sigmas[j])
        if self.faces is None:
            return signs, None
        so = (s[0][:, self.owner][:, :, None], s[1][:, self.owner][:, :, None])
        M = rounded(np.concatenate(
            [np.stack([self.sets[i].M[a] for i in done]) for a in range(self.k)], axis=2))
        r = sub(self.y, matmul(M, mul(so, w)))  # r = y - M T u, (N, n, 1)
        excess = excess_signs((r[0][:, :, 0], r[1][:, :, 0]), self.faces)
        excess[~ok] = 0
        return signs, excess


def at_box(problem, mid: np.ndarray, rad: np.ndarray, floats: SetFloats, lifted: np.ndarray,
           y: np.ndarray, faces: FaceFloats):
    """The face signs and KKT excess signs (:class:`Coarse`) of one face set over a box
    ``mid +- rad`` known to hold its interior solution (a seeded coarse box)."""
    with np.errstate(all="ignore"):
        group = _Group([problem], [mid], [floats], tuple(problem.sizes), lifted, y, faces)
        signs, excess = group._at_boxes(np.array([0]), rad[None, :])  # noqa: SLF001
    return signs[0], excess[0]


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

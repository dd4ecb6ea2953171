"""The coarse proofs of many face sets at once: rigorous enclosures in float64.

After the batched float stage (:func:`~solver.pipeline.locate.minimise.minimise_many`)
every face set of one batch with the same block sizes is proved here together, in
stacked NumPy arrays, with the midpoint-radius interval arithmetic of
:mod:`solver.pipeline.locate.intervals` (every rounding error bounded). Nothing here is
trusted that is not so bounded:

* the interior solution of a face set is proved by the Krawczyk test (as in
  :func:`~solver.pipeline.locate.interior.locate`, at 53 bits instead of 96): a box
  ``m +- rad`` whose Krawczyk image lies strictly inside holds exactly one zero;
* at that box, the neuron directions' pre-activations give the face signs (as
  :class:`~solver.pipeline.locate.signs.CoarseSigns` does from balls), the residual
  gives the KKT excess ``|M_b^T r|^2_{G_b^{-1}} - lam^2`` against *every* alive face ``b``
  at once (the pruning of the next level), and the strict KKT multipliers of the
  certification's first-order test (:mod:`solver.pipeline.locate.first_order`).

Whatever an enclosure does not decide (a sign whose interval holds 0, a box that is not
proved, a group that overflows) is left to the ball arithmetic of ``arb`` as before, so
the outcome is the same, only reached sooner; the fine proof of a reported point is
never done here.

Examples
--------
>>> from flint import fmpq, fmpq_mat
>>> to_floats(fmpq_mat(1, 2, [fmpq(1, 4), fmpq(1, 3)])).tolist()   # each entry rounded
[[0.25, 0.3333333333333333]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.pipeline.locate.first_order import group_signs
from solver.pipeline.locate.float_blocks import stacked_floats, to_floats
from solver.pipeline.locate.intervals import (
    Factor,
    Interval,
    add,
    exact,
    factor_enclosed,
    inverses,
    matmul,
    mul,
    rounded,
    solve_enclosed,
    sub,
    total,
    up,
)

UNDECIDED = "undecided"


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
    every alive face (:func:`excess_signs`; None if not enclosed); with decided signs,
    the signs of the strict KKT multipliers there
    (:func:`~solver.pipeline.locate.first_order.first_order_signs`); and the enclosures
    of ``w = G^{-1} u`` (``K``) and ``r`` (``n``) over the box, None if not proved (the
    first-order signs of a decoupled set are computed from its parts')."""

    mid: np.ndarray
    rad: np.ndarray
    signs: tuple[int, ...] | None | str
    excess: np.ndarray | None
    first_order: np.ndarray | None = None  # (Z, 2) signs of the multipliers, see below
    state: tuple[np.ndarray, ...] | None = None  # w_mid, w_rad, r_mid, r_rad (see below)


@dataclass(frozen=True, slots=True)
class SetFloats:
    """What :func:`prove_many` reads of one face set besides its
    :class:`~solver.pipeline.locate.face_problem.FaceProblem`: per neuron ``V_a`` (``m x k_a``),
    the face's wanted signs (``n``) and ``M_a`` (``n x k_a``; ``M = [M_1 .. M_k]``), in
    float64 (each face's arrays shared by every set that has it: nothing is copied per set)."""

    V: tuple[np.ndarray, ...]
    wants: tuple[np.ndarray, ...]  # (n,) int8 each
    M: tuple[np.ndarray, ...]
    # the faces' columns in ``source`` (a ProblemFloats), which stacks a field of many
    # sets' faces at once (None: stack them one by one)
    cols: tuple[int, ...] = ()
    source: Any = None


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
        S, z, Ginv = stacked_floats(problems)
        self.S, self.z, self.Ginv = rounded(S), rounded(z[:, :, None]), rounded(Ginv)
        lam = float(problems[0].lam_q)
        self.lam2 = mul(rounded(np.array(lam)), rounded(np.array(lam)))
        self.m = np.stack(starts)
        self.sets, self.sizes = sets, sizes
        self.k, self.K = len(sizes), sum(sizes)
        self.owner = np.repeat(np.arange(self.k), sizes)
        self.masks = np.zeros((self.k, self.K))
        self.masks[self.owner, np.arange(self.K)] = 1.0
        self.lifted, self.y, self.faces = rounded(lifted), rounded(y[:, None]), faces
        source = sets[0].source if len(sets) else None
        self.source = source if all(s.source is source for s in sets) else None
        if self.source is not None:
            self.cols = np.array([s.cols for s in sets], dtype=np.int64).reshape(-1, self.k)

    def _stacked(self, done: np.ndarray, a: int, field: str) -> np.ndarray:
        """``field`` (``V``, ``wants`` or ``M`` of :class:`SetFloats`) of neuron ``a`` of
        the sets ``done``, stacked (the same arrays either way)."""
        if self.source is not None:
            return self.source.stacked(field, self.sizes[a], self.cols[done, a])
        return np.stack([getattr(self.sets[i], field)[a] for i in done])

    def _B(self, idx: np.ndarray, s: Interval) -> Interval:
        """``B(s) = I + S T(s)`` of the sets ``idx``, ``T`` scaling the rows of block
        ``a`` of ``G^{-1}`` by ``s_a``."""
        idx = slice(None) if len(idx) == len(self.m) else idx  # all: no copies
        so = (s[0][:, self.owner][:, :, None], s[1][:, self.owner][:, :, None])
        T = mul((self.Ginv[0][idx], self.Ginv[1][idx]), so)
        return add(exact(np.eye(self.K)), matmul((self.S[0][idx], self.S[1][idx]), T))

    def _uw(self, idx: np.ndarray, B: Interval, factor: Factor | None = None,
            ) -> tuple[Interval, Interval, np.ndarray]:
        """``u = B^{-1} z`` and ``w = G^{-1} u`` (``(N, K, 1)``), and where proved."""
        idx = slice(None) if len(idx) == len(self.m) else idx
        u, ok = solve_enclosed(B, (self.z[0][idx], self.z[1][idx]), factor)
        return u, matmul((self.Ginv[0][idx], self.Ginv[1][idx]), u), ok

    def _F(self, u: Interval, w: Interval) -> Interval:
        """The equations ``u_a^T w_a - lam^2`` (``(N, k)``)."""
        F = sub(matmul(exact(self.masks), mul(u, w)), self.lam2)
        return F[0][:, :, 0], F[1][:, :, 0]

    def _J(self, idx: np.ndarray, B: Interval, w: Interval, factor: Factor | None = None,
           ) -> tuple[Interval, np.ndarray]:
        """The Jacobian ``-2 W^T B^{-1} S W`` (``(N, k, k)``), and where proved."""
        W = (self.masks.T * w[0], self.masks.T * w[1])  # (N, K, k), exact
        idx = slice(None) if len(idx) == len(self.m) else idx
        X, ok = solve_enclosed(B, matmul((self.S[0][idx], self.S[1][idx]), W), factor)
        J = matmul((W[0].transpose(0, 2, 1), W[1].transpose(0, 2, 1)), X)
        return (-2 * J[0], 2 * J[1]), ok

    def run(self) -> list[Coarse | None]:
        """Krawczyk at the float minimisers (box radii 4, 64 and 4096 Newton steps, as
        :func:`~solver.pipeline.locate.interior.locate` tries), then the signs there."""
        m, k = self.m, self.k
        N = len(m)
        every = np.arange(N)
        B0 = self._B(every, exact(m))
        factor = factor_enclosed(B0)  # one B for u and the Jacobian
        u0, w0, ok = self._uw(every, B0, factor)
        F0 = self._F(u0, w0)
        J0, ok_j = self._J(every, B0, w0, factor)
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
            factor = factor_enclosed(Bx)
            _, wx, okx = self._uw(todo, Bx, factor)
            Jx, okjx = self._J(todo, Bx, wx, factor)
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
        signs, excess, kkt, (w, r, ok) = self._at_boxes(done, box[done])
        for j, i in enumerate(done):
            state = (w[0][j, :, 0], w[1][j, :, 0], r[0][j, :, 0], r[1][j, :, 0]) if ok[j] \
                else None
            out[i] = Coarse(m[i], box[i], signs[j], None if excess is None else excess[j],
                            kkt[j], state)
        return out

    def _at_boxes(self, done: np.ndarray, rad: np.ndarray):
        """Face signs and KKT excess signs at the proved boxes ``m +- rad`` of ``done``."""
        N = len(done)
        s = (self.m[done], rad)
        u, w, ok = self._uw(done, self._B(done, s))
        violated = np.zeros(N, dtype=bool)
        undecided = ~ok
        sigmas = np.zeros((N, self.k), dtype=int)
        Vs, wants = [], []
        start = 0
        for a, size in enumerate(self.sizes):
            blk = slice(start, start + size)
            start += size
            V = rounded(self._stacked(done, a, "V"))
            pre = matmul(self.lifted, matmul(V, (w[0][:, blk], w[1][:, blk])))  # (N, n, 1)
            want = self._stacked(done, a, "wants")
            Vs.append(V)
            wants.append(want)
            sign = np.where(pre[0][:, :, 0] > pre[1][:, :, 0], 1,
                            np.where(pre[0][:, :, 0] < -pre[1][:, :, 0], -1, 0))
            this = sign * want
            pos, neg = np.any(this > 0, axis=1), np.any(this < 0, axis=1)
            violated |= pos & neg
            undecided |= np.any((want != 0) & (sign == 0), axis=1)
            sigmas[:, a] = np.where(pos, 1, np.where(neg, -1, 0))
        signs: list = [UNDECIDED] * N
        rows = sigmas.tolist()
        for j, (bad, open_) in enumerate(zip(violated.tolist(), undecided.tolist())):
            if bad:
                signs[j] = None
            elif not open_:
                signs[j] = tuple(rows[j])
        so = (s[0][:, self.owner][:, :, None], s[1][:, self.owner][:, :, None])
        M = rounded(np.concatenate([self._stacked(done, a, "M") for a in range(self.k)],
                                   axis=2))
        r = sub(self.y, matmul(M, mul(so, w)))  # r = y - M T u, (N, n, 1)
        kkt = group_signs(w, Vs, wants, sigmas, r, self.lifted, ok, signs)
        if self.faces is None:
            return signs, None, kkt, (w, r, ok)
        excess = excess_signs((r[0][:, :, 0], r[1][:, :, 0]), self.faces)
        excess[~ok] = 0
        return signs, excess, kkt, (w, r, ok)


def at_box(problem, mid: np.ndarray, rad: np.ndarray, floats: SetFloats, lifted: np.ndarray,
           y: np.ndarray, faces: FaceFloats):
    """The face signs and KKT excess signs (:class:`Coarse`) of one face set over a box
    ``mid +- rad`` known to hold its interior solution (a seeded coarse box)."""
    with np.errstate(all="ignore"):
        group = _Group([problem], [mid], [floats], tuple(problem.sizes), lifted, y, faces)
        signs, excess, *_ = group._at_boxes(np.array([0]), rad[None, :])  # noqa: SLF001
    return signs[0], excess[0]

"""A face set's exact data in the small (Woodbury) form, in balls and in floats.

:class:`FaceProblem` evaluates the equations of a face set (see
:mod:`solver.pipeline.locate.interior`) and their Jacobian in ``arb`` balls at any
precision, and gives the float64 data of the float stage
(:mod:`solver.pipeline.locate.minimise`, :mod:`solver.pipeline.locate.coarse`), each
entry its exact value rounded once; the exact matrices are built on first use only.

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.face_systems import neuron_data
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 1], "1/10", 1)
>>> face = [f for f in unit_faces(problem.x) if f.pattern == "++"][0]
>>> fp = FaceProblem(problem, (neuron_data(problem, face),), {})
>>> S, z, G = fp.floats()     # M has rows (x_i, 1) = (0, 1), (1, 1); y = (1, 1)
>>> S.tolist(), z.tolist(), G.tolist()
([[1.0, 1.0], [1.0, 2.0]], [1.0, 2.0], [[1.0, 0.0], [0.0, 1.0]])
>>> fp.S_q == fmpq_mat([[1, 1], [1, 2]])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
from flint import arb, arb_mat, fmpq_mat
from flint import ctx as flint_ctx

from solver.pipeline.face_systems import NeuronData, stacked_products
from solver.pipeline.locate.float_blocks import FloatBlocks
from solver.pipeline.numbers import hstack
from solver.problem import Problem


class FaceProblem:
    """Exact data of a face set in the small (Woodbury) form of :mod:`solver.pipeline.face_systems`.

    With ``M = [M_1 .. M_k]`` (``K`` columns), ``S = M^T M``, ``z = M^T y`` and
    ``T(s) = blockdiag(s_a G_a^{-1})``: ``u = M^T r = B(s)^{-1} z`` with
    ``B = I + S T``, ``F_a = u_a^T G_a^{-1} u_a - lam^2`` and
    ``dF_a/ds_b = -2 w_a^T B^{-1} S w_b``, ``w_b`` the block vector ``G_b^{-1} u_b``.
    """

    def __init__(self, problem: Problem, nds: Sequence[NeuronData],
                 products: dict | None = None, yy: float | None = None) -> None:
        self.problem = problem
        self.lam_q = problem.lam_q
        self.yy = float(sum(v**2 for v in problem.y_q)) if yy is None else yy
        self.nds = tuple(nds)
        self.sizes = [nd.size for nd in self.nds]
        self.K = sum(self.sizes)
        self._products = products
        self.blocks = []
        start = 0
        for size in self.sizes:
            self.blocks.append(range(start, start + size))
            start += size
        self._cache_prec = 0
        self._cache: tuple = ()
        self._last: tuple = (None, 0, None)  # (s, precision, _solve_u(s)): see _solve_u
        self._floats: tuple | None = None
        self._stack: tuple | None = None  # (its fill_floats group's arrays, its index)

    @cached_property
    def y_q(self) -> fmpq_mat:
        """``y`` (n x 1)."""
        return fmpq_mat(self.problem.n, 1, list(self.problem.y_q))

    @cached_property
    def _exact(self) -> tuple[fmpq_mat, fmpq_mat]:
        """``S`` and ``z``, exact (built on first use: the float stage reads floats)."""
        if self._products is None:
            M = self.M_q
            return M.transpose() * M, M.transpose() * self.y_q
        # the same exact blocks, each product kept by the caller
        return stacked_products(self.nds, self.y_q, self.K, self._products)

    @property
    def S_q(self) -> fmpq_mat:
        """``S = M^T M`` (K x K)."""
        return self._exact[0]

    @property
    def z_q(self) -> fmpq_mat:
        """``z = M^T y`` (K x 1)."""
        return self._exact[1]

    @cached_property
    def Ginv_q(self) -> fmpq_mat:
        """The block-diagonal ``G^{-1}`` (K x K)."""
        G = fmpq_mat(self.K, self.K)
        for nd, block in zip(self.nds, self.blocks):
            for i in range(nd.size):
                for j in range(nd.size):
                    G[block[i], block[j]] = nd.G_inv[i, j]
        return G

    @cached_property
    def M_q(self) -> fmpq_mat:
        """``M = [M_1 .. M_k]`` (n x K)."""
        return hstack([nd.M for nd in self.nds])

    def floats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``S``, ``z`` and the block-diagonal ``G^{-1}`` in float64 (each entry the exact
        value rounded, as ``float`` rounds it; kept)."""
        if self._floats is None:
            if self._products is None:
                K = self.K
                f = lambda m, r, c: np.array([[float(m[i, j]) for j in range(c)] for i in range(r)])  # noqa: E731
                self._floats = f(self.S_q, K, K), f(self.z_q, K, 1)[:, 0], f(self.Ginv_q, K, K)
            else:
                fill_floats([self])
        return self._floats

    def _arb(self) -> tuple[arb_mat, arb_mat, arb_mat, arb_mat]:
        """``I``, ``S``, ``z`` and ``G^{-1}`` as arb matrices at the current precision."""
        prec = flint_ctx.prec
        if self._cache_prec != prec:
            eye = arb_mat(self.K, self.K)
            for i in range(self.K):
                eye[i, i] = arb(1)
            self._cache = (eye, arb_mat(self.S_q), arb_mat(self.z_q), arb_mat(self.Ginv_q))
            self._cache_prec = prec
        return self._cache

    def state(self, s: Sequence[arb]) -> tuple[arb_mat, arb_mat, arb_mat]:
        """``u = M^T r``, ``w = G^{-1} u`` (blockwise, K x 1) and ``r = y - M T u`` (n x 1)."""
        _, u, w = self._solve_u(s)
        Tu = arb_mat(self.K, 1)
        for a, block in enumerate(self.blocks):
            for i in block:
                Tu[i, 0] = w[i, 0] * s[a]
        return u, w, arb_mat(self.y_q) - arb_mat(self.M_q) * Tu

    def _solve_u(self, s: Sequence[arb]) -> tuple[arb_mat, arb_mat, arb_mat]:
        """``B(s)``, ``u`` and ``w = G^{-1} u`` (blockwise) at balls ``s``.

        The last result is kept: Newton and Krawczyk ask for the equations and the
        Jacobian at the same point (the same list object, never changed in place).
        """
        last_s, last_prec, last = self._last
        if last_s is s and last_prec == flint_ctx.prec:
            return last
        eye, S, z, Ginv = self._arb()
        T = arb_mat(self.K, self.K)
        for a, block in enumerate(self.blocks):
            for i in block:
                for j in block:
                    T[i, j] = Ginv[i, j] * s[a]
        B = eye + S * T
        u = B.solve(z)
        found = (B, u, Ginv * u)
        self._last = (s, flint_ctx.prec, found)
        return found

    def equations(self, s: Sequence[arb]) -> list[arb]:
        """``|M_a^T r|^2_{G_a^{-1}} - lam^2`` per neuron."""
        _, u, w = self._solve_u(s)
        lam = arb(self.lam_q)
        return [sum((u[i, 0] * w[i, 0] for i in block), arb(0)) - lam * lam
                for block in self.blocks]

    def jacobian(self, s: Sequence[arb]) -> arb_mat:
        """``dF_a/ds_b = -2 w_a^T B^{-1} S w_b`` (symmetric negative semidefinite)."""
        B, _, w = self._solve_u(s)
        _, S, _, _ = self._arb()
        k = len(self.blocks)
        W = arb_mat(self.K, k)
        for a, block in enumerate(self.blocks):
            for i in block:
                W[i, a] = w[i, 0]
        return (W.transpose() * B.solve(S * W)) * arb(-2)


def fill_floats(problems: Sequence[FaceProblem]) -> None:
    """Give every :class:`FaceProblem` (each with a ``products`` dict, all the same one)
    its :meth:`FaceProblem.floats`, gathered by
    :class:`~solver.pipeline.locate.float_blocks.FloatBlocks` (kept in ``products`` under
    ``"floats"``) from float blocks of ``M_a^T M_b``, ``M_a^T y`` and ``G_a^{-1}``, each
    rounded once from its exact value. The sets of equal block sizes are assembled
    together, and keep their group's stacked arrays (:func:`stacked_floats`)."""
    groups: dict[tuple[int, ...], list[FaceProblem]] = {}
    for fp in problems:
        if fp._floats is None:  # noqa: SLF001
            groups.setdefault(tuple(fp.sizes), []).append(fp)
    for sizes, members in groups.items():
        products = members[0]._products  # noqa: SLF001
        blocks = products.get("floats")
        if blocks is None:
            blocks = products["floats"] = FloatBlocks(products, members[0].y_q)
        arrays = blocks.gather([fp.nds for fp in members], sizes)
        S, z, G = arrays
        for i, fp in enumerate(members):
            fp._floats = S[i], z[i], G[i]  # noqa: SLF001
            fp._stack = arrays, i  # noqa: SLF001

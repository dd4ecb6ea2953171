"""Face systems: the reduced critical-point equations of a set of faces.

A *neuron* is an alive unit (``a_l != 0``) restricted to a face ``F`` of its arrangement,
with ``w_l = V v_l`` (``V`` a rational basis of the face's span, ``G = V^T V``) and
``M = D H V`` (``H`` rows ``(x_i, 1)``, ``D`` the 0/1 diagonal of the points the face
sees). Stationarity in ``a_l`` and ``v_l`` of the loss restricted to the face gives
(docs/math.md)::

    v_l = a_l G^{-1} M^T r / lam,     || M^T r ||^2_{G^{-1}} = lam^2,
    r = (I + sum_a s_a M_a G_a^{-1} M_a^T)^{-1} y,      s_a = sum of a_l^2 / lam over its units.

With ``S = M^T M`` and ``z = M^T y`` (all neurons stacked) Woodbury gives
``u := M^T r = (I + S T(s))^{-1} z``, ``T = blockdiag(s_a G_a^{-1})``: a k x k system of
polynomial equations in ``s`` after clearing ``det(I + S T)`` (which is > 0 for s >= 0).

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.pipeline.divide import unit_faces
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 0], "1/10", 1)
>>> face = [f for f in unit_faces(problem.x) if f.pattern == "+-"][0]
>>> system = face_system(problem, (face,))
>>> system.equations[0].degrees()  # the face sees one point: S has rank 1
(2,)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from flint import fmpq, fmpq_mat, fmpq_mpoly, fmpq_mpoly_ctx

from solver.pipeline.divide import UnitFace
from solver.pipeline.numbers import hstack
from solver.problem import Problem, to_fmpq


@dataclass(frozen=True, slots=True)
class NeuronData:
    """Exact linear-algebra data of one neuron face (see the module docstring)."""

    face: UnitFace
    V: fmpq_mat  # m x k_f
    G_inv: fmpq_mat  # k_f x k_f
    M: fmpq_mat  # n x k_f
    seen: int  # the points the face sees, as a bit mask (:func:`seen_mask`)
    Mt: fmpq_mat  # M^T (k_f x n), kept: the blocks M_a^T M_b are built from it

    @property
    def size(self) -> int:
        """Dimension ``k_f`` of the face's span."""
        return self.V.ncols()


@dataclass(frozen=True)
class FaceSystem:
    """The reduced system of a set of distinct neuron faces.

    ``equations[a] = 0`` is the stationarity equation of neuron ``a`` in the variables
    ``s0 .. s{k-1}``; ``det`` is ``det(I + S T(s))`` and ``numerators`` the vector
    ``adj(I + S T(s)) z`` so that ``u = numerators / det``.
    """

    neurons: tuple[NeuronData, ...]
    ctx: fmpq_mpoly_ctx
    det: fmpq_mpoly
    numerators: tuple[fmpq_mpoly, ...]
    equations: tuple[fmpq_mpoly, ...]

    def direction_numerators(self, a: int) -> list[fmpq_mpoly]:
        """Numerators of neuron ``a``'s direction ``dir_a = V_a G_a^{-1} u_a`` in (b, c)
        coordinates, over the common denominator ``det``."""
        nd = self.neurons[a]
        block = [self.numerators[i] for i in self.blocks[a]]
        out = []
        for r in range(nd.V.nrows()):
            num = self.ctx.constant(0)
            for j in range(nd.size):
                coef = sum((nd.V[r, q] * nd.G_inv[q, j] for q in range(nd.size)), fmpq(0))
                num += block[j] * coef
            out.append(num)
        return out

    @property
    def blocks(self) -> list[range]:
        """Index ranges of each neuron's block in the stacked vector ``u``."""
        out, start = [], 0
        for nd in self.neurons:
            out.append(range(start, start + nd.size))
            start += nd.size
        return out


def direction_map(problem: Problem, nd: NeuronData) -> fmpq_mat:
    """``H V G^{-1} M^T`` (n x n): the pre-activations ``<h_i, dir>`` of the neuron's
    direction as a linear map of the residual ``r`` (row ``i`` exactly zero where no
    residual moves point ``i``'s pre-activation)."""
    return problem.lifted_mat * nd.V * nd.G_inv * nd.Mt


def neuron_data(problem: Problem, face: UnitFace) -> NeuronData:
    """Exact ``V``, ``G^{-1}`` and ``M`` of one face."""
    m = problem.d + 1
    k = face.dim
    V = fmpq_mat(m, k, [to_fmpq(face.basis[i][j]) for i in range(m) for j in range(k)])
    G_inv = (V.transpose() * V).inv()
    rows = []
    for i, h in enumerate(problem.lifted_q):
        seen = face.signs[i] > 0
        rows.extend(
            sum((h[r] * V[r, j] for r in range(m)), fmpq(0)) if seen else fmpq(0)
            for j in range(k)
        )
    M = fmpq_mat(problem.n, k, rows)
    return NeuronData(face=face, V=V, G_inv=G_inv, M=M, seen=seen_mask(face.signs),
                      Mt=M.transpose())


def seen_mask(signs: tuple[int, ...]) -> int:
    """The points a face sees (positive signs) as a bit mask: two faces whose masks do
    not meet are not coupled (every term of ``M_a^T M_b`` is a zero row's).

    >>> seen_mask((1, 0, -1, 1))
    9
    """
    return sum(1 << i for i, v in enumerate(signs) if v > 0)


def coupled(a: NeuronData, b: NeuronData) -> bool:
    """Whether two neurons are coupled: ``M_a^T M_b != 0``."""
    return any(v != 0 for v in (a.Mt * b.M).entries())


def components(nds: Sequence[NeuronData],
               are_coupled: Callable[[NeuronData, NeuronData], bool] = coupled,
               ) -> list[list[int]]:
    """Connected parts of the coupling graph ``a ~ b iff M_a^T M_b != 0``, in order
    (``are_coupled`` decides an edge: pass a cached :func:`coupled`)."""
    k = len(nds)
    if k == 2:
        return [[0, 1]] if are_coupled(nds[0], nds[1]) else [[0], [1]]
    if k == 3:  # the parts that the union-find below gives, without it
        c01, c02, c12 = (are_coupled(nds[0], nds[1]), are_coupled(nds[0], nds[2]),
                         are_coupled(nds[1], nds[2]))
        if c01 + c02 + c12 >= 2:
            return [[0, 1, 2]]
        return ([[0, 1], [2]] if c01 else [[0, 2], [1]] if c02 else [[0], [1, 2]] if c12
                else [[0], [1], [2]])
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a in range(k):
        for b in range(a + 1, k):
            if are_coupled(nds[a], nds[b]):
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(k):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def stacked_products(nds: Sequence[NeuronData], y: fmpq_mat, K: int,
                      products: dict) -> tuple[fmpq_mat, fmpq_mat]:
    """``S = M^T M`` and ``z = M^T y`` assembled from the blocks ``M_a^T M_b`` and
    ``M_a^T y``, taken from (or added to) ``products``, keyed by the faces' signs."""
    S, z = fmpq_mat(K, K), fmpq_mat(K, 1)
    starts = [0]
    for nd in nds:
        starts.append(starts[-1] + nd.size)
    for a, nd_a in enumerate(nds):
        key = (nd_a.face.signs,)
        za = products.get(key)
        if za is None:
            za = products[key] = nd_a.Mt * y
        for i in range(nd_a.size):
            z[starts[a] + i, 0] = za[i, 0]
        for b, nd_b in enumerate(nds):
            key = (nd_a.face.signs, nd_b.face.signs)
            block = products.get(key)
            if block is None:
                block = products[key] = nd_a.Mt * nd_b.M
            for i in range(nd_a.size):
                for j in range(nd_b.size):
                    S[starts[a] + i, starts[b] + j] = block[i, j]
    return S, z


@lru_cache(maxsize=8)
def _context(k: int) -> fmpq_mpoly_ctx:
    return fmpq_mpoly_ctx.get(("s", k), "lex")


def face_system(
    problem: Problem,
    faces: Sequence[UnitFace],
    neurons: Sequence[NeuronData] | None = None,
) -> FaceSystem:
    """Build the reduced polynomial system of a set of distinct alive faces.

    Parameters
    ----------
    problem : exact data and regularisation.
    faces : the distinct faces hosting one neuron each (k of them).
    neurons : precomputed :func:`neuron_data` of ``faces`` (optional, for speed).
    """
    nds = tuple(neurons) if neurons is not None else tuple(neuron_data(problem, f) for f in faces)
    k = len(nds)
    ctx = _context(k)
    gens = ctx.gens()
    M = hstack([nd.M for nd in nds])
    S = M.transpose() * M
    yv = fmpq_mat(problem.n, 1, list(problem.y_q))
    zvec = M.transpose() * yv
    K = S.nrows()
    # T = blockdiag(s_a G_a^{-1}); A = I + S T, column j linear in the s of its block
    ST_cols: list[list[fmpq_mpoly]] = []
    col = 0
    for a, nd in enumerate(nds):
        SG = _block_cols(S, col, nd.size) * nd.G_inv  # K x k_a
        for j in range(nd.size):
            ST_cols.append([gens[a] * SG[i, j] for i in range(K)])
        col += nd.size
    A = [[ST_cols[j][i] + (1 if i == j else 0) for j in range(K)] for i in range(K)]
    det = _det(A, ctx)
    numerators = []
    for j in range(K):
        Aj = [[(ctx.constant(zvec[i, 0]) if c == j else A[i][c]) for c in range(K)]
              for i in range(K)]
        numerators.append(_det(Aj, ctx))
    lam_q = problem.lam_q
    equations = []
    start = 0
    for nd in nds:
        block = numerators[start : start + nd.size]
        quad = ctx.constant(0)
        for i in range(nd.size):
            for j in range(nd.size):
                g = nd.G_inv[i, j]
                if g != 0:
                    quad += block[i] * block[j] * g
        equations.append(quad - det * det * lam_q * lam_q)
        start += nd.size
    return FaceSystem(nds, ctx, det, tuple(numerators), tuple(equations))


def _block_cols(S: fmpq_mat, start: int, width: int) -> fmpq_mat:
    K = S.nrows()
    return fmpq_mat(K, width, [S[i, start + j] for i in range(K) for j in range(width)])


def _det(A: list[list[fmpq_mpoly]], ctx: fmpq_mpoly_ctx) -> fmpq_mpoly:
    """Determinant of a small polynomial matrix by fraction-free (Bareiss) elimination."""
    n = len(A)
    M = [[ctx.constant(0) + e for e in row] for row in A]
    sign = 1
    prev = ctx.constant(1)
    for k in range(n - 1):
        if M[k][k].is_zero():
            swap = next((r for r in range(k + 1, n) if not M[r][k].is_zero()), None)
            if swap is None:
                return ctx.constant(0)
            M[k], M[swap] = M[swap], M[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                M[i][j] = (M[i][j] * M[k][k] - M[i][k] * M[k][j]) / prev
        prev = M[k][k]
    return M[n - 1][n - 1] * sign

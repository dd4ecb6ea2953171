"""Exact ties: KKT multipliers that are zero for a structural reason (docs/degenerate.md).

At the interior solution ``s_A`` of a face set ``A`` (residual ``r_A``) the multiplier of
another face ``b`` is ``g_b = lam^2 - |Pi_b m_b|^2``, ``m_b = sum_{i seen by b} r_i h_i``
and ``Pi_b`` the orthogonal projection onto ``b``'s span. Ball arithmetic decides its sign
unless it is exactly zero; the zeros that the data produce are *ties*:

* ``b`` has the span (zero set) of a face ``a`` of ``A``, and every point seen by exactly
  one of them has ``r_A,i = 0`` exactly; then ``m_b = m_a`` and ``g_b = g_a = 0``
  (Lemma 4).
* ``r_A,i = 0`` is proved exactly in three ways: ``y_i = 0`` at a point no face of ``A``
  sees (``r_i = y_i``); *aligned faces* (Lemma 3): two faces ``a, c`` of ``A`` with one
  span, ``c`` seeing the points of ``a`` and ``i``. Both have ``g = 0`` at ``s_A``, and

      0 = g_a - g_c = r_i * (2 <h_i, dir_a> + r_i |Pi h_i|^2),

  so ``r_i = 0`` as soon as the second factor is proved nonzero in ball arithmetic; or, when
  the faces of ``A`` that see ``i`` form a connected part of at most two neurons, exactly in
  the number field of that part's solution (:func:`residual_is_zero`, the test of
  :mod:`solver.pipeline.locate.exact_zero`). The last kind is recorded (:attr:`Ties.exact`)
  with the part, so that its record can carry the minimal polynomials the checker needs.

Tied faces then carry either a zero weight at every minimiser of ``J`` (the vectors
``P_c r_A`` independent: the enumerator's Gram test), or they are *twins* of their
partner (Theorem 5): every minimiser of ``J`` has the residual ``r_A``, hence
``dir_b = dir_a``, and one direction lies in two distinct faces ``F_a, F_b`` (up to the
units' signs) only if ``F_b = -F_a``. So a tied face that is not its partner's opposite
rules out every interior solution of the set inside its faces.

Examples
--------
>>> twins_not_opposite((1, 1, -1), (1, -1, -1)), twins_not_opposite((1, -1), (-1, 1))
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb, arb_mat, fmpq_mat

from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData, components
from solver.pipeline.locate.exact_zero import is_zero_at
from solver.pipeline.locate.point import EXACT_NEURONS, NeuronPoint
from solver.pipeline.numbers import MAX_PREC, working_precision
from solver.problem import Problem

# The residual ``r_A`` as an n x 1 ball matrix at a precision.
Residual = Callable[[int], arb_mat]
# The interior solution of a face set as a point (None: it has none).
PointOf = Callable[[tuple[UnitFace, ...]], NeuronPoint | None]


def residual_is_zero(point: NeuronPoint, i: int) -> bool | None:
    """Exactly decide ``r_i = 0`` at a point of one or two coupled neurons; None where the
    test does not apply. With ``u = numerators / det`` (:class:`~solver.pipeline.
    face_systems.FaceSystem`), ``det * r_i = det * y_i - sum_a s_a (M_a G_a^{-1} num_a)_i``."""
    if not 1 <= point.k <= EXACT_NEURONS or len(components(point.neurons)) > 1:
        return None
    system = point.system
    gens = system.ctx.gens()
    value = system.det * point.problem.y_q[i]
    for a, (nd, block) in enumerate(zip(system.neurons, system.blocks, strict=True)):
        coef = nd.M * nd.G_inv
        for j, idx in enumerate(block):
            if coef[i, j] != 0:
                value -= gens[a] * system.numerators[idx] * coef[i, j]
    return is_zero_at(value, system.equations, system.ctx, point.exact().roots[0].poly)


def twins_not_opposite(a: Sequence[int], b: Sequence[int]) -> bool:
    """Two distinct sign vectors that are not each other's negation."""
    return tuple(a) != tuple(b) and tuple(a) != tuple(-v for v in b)


def _seen(face: UnitFace) -> frozenset[int]:
    return frozenset(face.positive)


class Ties:
    """The exact ties of one face set ``sub`` (with an interior solution) at ``r_A``.

    ``residual(prec)`` gives ``r_A`` in balls; ``data`` the faces' exact linear algebra.
    Zero residuals are proved lazily, only for points that could make a tie.
    """

    def __init__(self, problem: Problem, sub: Sequence[UnitFace],
                 data: dict[tuple, NeuronData], residual: Residual,
                 point_of: PointOf | None = None) -> None:
        self.problem = problem
        self.sub = tuple(sub)
        self.data = data
        self.residual = residual
        self.point_of = point_of
        self._zero: dict[int, bool] = {}
        # zeros proved in a part's number field: point -> (the part, its exact point)
        self.exact: dict[int, tuple[tuple[UnitFace, ...], NeuronPoint]] = {}
        unseen = frozenset(range(problem.n)) - frozenset().union(*(_seen(f) for f in sub))
        self._unseen = unseen
        for i in unseen:
            if problem.y_q[i] == 0:
                self._zero[i] = True

    def partner(self, face: UnitFace, aligned: bool = True) -> UnitFace | None:
        """A face of ``sub`` that ``face`` is tied to (same zero set, and every point seen
        by exactly one of them with ``r_A,i = 0`` proved), or None. Without ``aligned``
        only the zeros ``y_i = 0`` count (no arithmetic). A face that sees only points no
        face of ``sub`` sees, where ``r_A,i = y_i``, is its own partner when its excess
        ``y^T P y - lam^2`` is zero in ``Q`` (docs/degenerate.md, section 6)."""
        if self.unseen_zero(face):
            return face
        for a in self.sub:
            if a.zero != face.zero:
                continue
            if all(self.zero_residual(i, aligned) for i in sorted(_seen(a) ^ _seen(face))):
                return a
        return None

    def unseen_zero(self, face: UnitFace) -> bool:
        """Whether ``face`` sees only points unseen by ``sub`` and ``|M^T y|^2_{G^{-1}} =
        lam^2`` exactly (``r_A = y`` there, so its multiplier is exactly zero)."""
        if not _seen(face) <= self._unseen:
            return False
        nd = self.data[face.signs]
        u = nd.M.transpose() * fmpq_mat(self.problem.n, 1, list(self.problem.y_q))
        lam = self.problem.lam_q
        return (u.transpose() * nd.G_inv * u)[0, 0] == lam * lam

    def zero_residual(self, i: int, aligned: bool = True) -> bool:
        """Whether ``r_A,i = 0`` is proved exactly (``y_i = 0`` unseen, or Lemma 3)."""
        if i not in self._zero:
            if not aligned:
                return False
            self._zero[i] = (any(self._aligned(a, c, i) for a, c in self._pairs(i))
                             or self._exact_zero(i))
        return self._zero[i]

    def _exact_zero(self, i: int) -> bool:
        """``r_i = 0`` in the number field of the part of ``sub`` that sees ``i``."""
        if self.point_of is None:
            return False
        nds = [self.data[f.signs] for f in self.sub]
        seers = {j for j, f in enumerate(self.sub) if i in _seen(f)}
        part = next((p for p in components(nds) if seers <= set(p)), None)
        if not seers or part is None or len(part) > EXACT_NEURONS:
            return False
        faces = tuple(self.sub[j] for j in part)
        point = self.point_of(faces)
        if point is None or residual_is_zero(point, i) is not True:
            return False
        self.exact[i] = (faces, point.exact())
        return True

    def _pairs(self, i: int) -> list[tuple[UnitFace, UnitFace]]:
        """Faces ``a, c`` of ``sub`` with one zero set, ``c`` seeing ``a``'s points and ``i``."""
        out = []
        for a in self.sub:
            for c in self.sub:
                if a.zero == c.zero and _seen(c) == _seen(a) | {i} and i not in _seen(a):
                    out.append((a, c))
        return out

    def _aligned(self, a: UnitFace, c: UnitFace, i: int) -> bool:
        """Lemma 3: ``2 <h_i, dir_a> + r_i |Pi h_i|^2`` proved nonzero at ``r_A``."""
        nd = self.data[a.signs]
        h = arb_mat(len(self.problem.lifted_q[i]), 1, list(self.problem.lifted_q[i]))
        hv = nd.V.transpose() * _column(self.problem.lifted_q[i])  # V^T h_i, exact
        q_i = (hv.transpose() * nd.G_inv * hv)[0, 0]  # |Pi h_i|^2 >= 0, exact
        prec = 64
        while prec <= MAX_PREC:
            with working_precision(prec):
                r = self.residual(prec)
                u = arb_mat(nd.M.transpose()) * r
                direction = arb_mat(nd.V) * (arb_mat(nd.G_inv) * u)
                dot = (h.transpose() * direction)[0, 0]
                cofactor = 2 * dot + r[i, 0] * arb(q_i)
            if cofactor > 0 or cofactor < 0:
                return True
            prec *= 4
        return False


def _column(values: Sequence) -> fmpq_mat:
    return fmpq_mat(len(values), 1, list(values))


__all__ = ["PointOf", "Residual", "Ties", "residual_is_zero", "twins_not_opposite"]

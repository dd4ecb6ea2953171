"""A face set's interior solution as λ varies: its curve and the conditions along it.

For ``k`` neurons on distinct faces the reduced equations (docs/math.md,
:mod:`solver.pipeline.face_systems`) are ``|M_a^T r(s)|^2_(G_a^-1) = lam^2`` for every
``a``. With ``u = M^T r = N(s) / D(s)`` (``D = det(I + S T(s)) > 0`` on ``s >= 0``, ``N``
its adjugate times ``z``) they read ``Q_a(s) = mu D(s)^2`` with ``mu = lam^2`` and
``Q_a = N_a^T G_a^-1 N_a``: the unknown ``mu`` enters linearly, so the interior solutions
over all λ form the set

    Gamma = { s > 0 : Q_1(s) = ... = Q_k(s) },   mu(s) = Q_1(s) / D(s)^2,

a curve (``k = 2``: one equation ``Phi = Q_1 - Q_2 = 0``) or the half-line ``s > 0``
(``k = 1``). ``mu`` is injective on ``Gamma`` (a face set has at most one interior solution
per λ: :mod:`solver.pipeline.locate.interior`), so every point of ``Gamma`` *is* the
interior solution at ``lam = sqrt(mu(s))``. Every quantity that decides whether that
solution is a minimum is a rational function of ``s`` alone with a power of ``D`` as
denominator; this module gives their numerators (:class:`SetCurve`), whose zeros on
``Gamma`` are the events (:mod:`solver.regpath.zeros`).

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.pipeline.divide import unit_faces
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),)); y = (F(1, 4), F(-1, 4), F(5, 4))
>>> face = [f for f in unit_faces(x) if f.pattern == "+++"][0]
>>> curve = SetCurve.of(x, y, (face,))
>>> curve.preactivation(0, 0)   # point 1's pre-activation, times D: zero at s = 8
-1/8*s0 + 1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from flint import arb, fmpq, fmpq_mat, fmpq_mpoly, fmpq_mpoly_ctx

from solver.pipeline.divide import UnitFace, lifted_points
from solver.pipeline.face_systems import NeuronData, face_system, neuron_data
from solver.pipeline.numbers import eval_mpoly
from solver.problem import Problem, to_fmpq


@dataclass(frozen=True, eq=False)
class SetCurve:
    """The curve ``Gamma`` of a face set (``k >= 1`` faces) and its condition numerators.

    ``det`` is ``D(s)``, ``numerators`` the vector ``N(s)`` (``u = N / D``), ``q[a]`` is
    ``Q_a``; ``x``, ``y`` are the exact data.
    """

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    faces: tuple[UnitFace, ...]
    neurons: tuple[NeuronData, ...]
    ctx: fmpq_mpoly_ctx
    det: fmpq_mpoly
    numerators: tuple[fmpq_mpoly, ...]
    blocks: tuple[range, ...]

    @classmethod
    def of(cls, x, y, faces: Sequence[UnitFace],
           neurons: Sequence[NeuronData] | None = None) -> SetCurve:
        """The curve of ``faces`` (distinct alive faces) for exact data ``x``, ``y``."""
        x = tuple(tuple(r) for r in x)
        problem = Problem(x, tuple(y), Fraction(1), max(1, len(faces)))
        nds = (tuple(neurons) if neurons is not None
               else tuple(neuron_data(problem, f) for f in faces))
        system = face_system(problem, tuple(faces), nds)
        return cls(x, tuple(y), tuple(faces), nds, system.ctx, system.det,
                   system.numerators, tuple(system.blocks))

    @property
    def k(self) -> int:
        """Number of neurons."""
        return len(self.faces)

    @cached_property
    def h(self) -> list[list[fmpq]]:
        """The lifted points ``(x_i, 1)``."""
        return lifted_points(self.x)

    @cached_property
    def q(self) -> tuple[fmpq_mpoly, ...]:
        """``Q_a = N_a^T G_a^-1 N_a`` per neuron (``mu D^2`` on the curve)."""
        out = []
        for nd, block in zip(self.neurons, self.blocks):
            part = [self.numerators[i] for i in block]
            acc = self.ctx.constant(0)
            for i in range(nd.size):
                for j in range(nd.size):
                    if nd.G_inv[i, j] != 0:
                        acc += part[i] * part[j] * nd.G_inv[i, j]
            out.append(acc)
        return tuple(out)

    @cached_property
    def phi(self) -> fmpq_mpoly | None:
        """``Q_1 - Q_2`` for two neurons (the curve's equation), None for one."""
        return self.q[0] - self.q[1] if self.k == 2 else None

    @cached_property
    def directions(self) -> tuple[tuple[fmpq_mpoly, ...], ...]:
        """``D * dir_a`` per neuron: ``V_a G_a^-1 N_a`` in (b, c) coordinates."""
        out = []
        for nd, block in zip(self.neurons, self.blocks):
            part = [self.numerators[i] for i in block]
            coef = nd.V * nd.G_inv
            out.append(tuple(
                sum((part[j] * coef[r, j] for j in range(nd.size) if coef[r, j] != 0),
                    self.ctx.constant(0))
                for r in range(nd.V.nrows())
            ))
        return tuple(out)

    @cached_property
    def residual(self) -> tuple[fmpq_mpoly, ...]:
        """``D * r``: ``r = y - sum_a s_a M_a G_a^-1 u_a`` per point."""
        gens = self.ctx.gens()
        out = [self.det * to_fmpq(v) for v in self.y]
        for a, (nd, block) in enumerate(zip(self.neurons, self.blocks)):
            part = [self.numerators[i] for i in block]
            coef = nd.M * nd.G_inv
            for i in range(len(self.y)):
                term = sum((part[j] * coef[i, j] for j in range(nd.size) if coef[i, j] != 0),
                           self.ctx.constant(0))
                out[i] -= gens[a] * term
        return tuple(out)

    def preactivation(self, a: int, i: int) -> fmpq_mpoly:
        """``D <h_i, dir_a>``: the pre-activation of point ``i`` on neuron ``a``."""
        return sum((self.directions[a][r] * self.h[i][r] for r in range(len(self.h[i]))),
                   self.ctx.constant(0))

    def multipliers(self, a: int) -> list[tuple[int, fmpq_mpoly, fmpq_mpoly]]:
        """For each zero constraint ``i`` of neuron ``a``'s face: ``(i, D mu_i,
        D (mu_i - 2 r_i))``, the multipliers with point ``i`` switched off and on
        (:mod:`solver.certify`: a minimum needs ``sign(a) mu_i < 0 < sign(a)(mu_i - 2 r_i)``).
        """
        face = self.faces[a]
        zero = face.zero
        if not zero:
            return []
        m = len(self.h[0])
        d_nu = []
        for c in range(m):
            acc = self.directions[a][c] * 2
            for j in face.positive:
                acc -= self.residual[j] * (2 * self.h[j][c])
            d_nu.append(acc)
        rows = fmpq_mat([self.h[i] for i in zero])
        solve = (rows * rows.transpose()).inv() * rows
        out = []
        for t, i in enumerate(zero):
            d_mu = sum((d_nu[c] * solve[t, c] for c in range(m) if solve[t, c] != 0),
                       self.ctx.constant(0))
            out.append((i, d_mu, d_mu - self.residual[i] * 2))
        return out

    def kkt(self, other: NeuronData) -> fmpq_mpoly:
        """``D^2 (|M_G^T r|^2_(G^-1) - mu)`` for a face ``G`` without a neuron: its sign is
        the sign of the dead-unit bound on ``G`` minus λ² (positive: a unit on ``G`` grows)."""
        Mt = other.M.transpose()
        rows = []
        for c in range(Mt.nrows()):
            rows.append(sum((self.residual[i] * Mt[c, i] for i in range(Mt.ncols())
                             if Mt[c, i] != 0), self.ctx.constant(0)))
        acc = self.ctx.constant(0)
        for i in range(len(rows)):
            for j in range(len(rows)):
                if other.G_inv[i, j] != 0:
                    acc += rows[i] * rows[j] * other.G_inv[i, j]
        return acc - self.q[0]

    def mu_ball(self, s: Sequence[arb]) -> arb:
        """``mu = lam^2`` at a point of the curve (balls at the current precision)."""
        return eval_mpoly(self.q[0], s) / eval_mpoly(self.det, s) ** 2

    def value(self, f: fmpq_mpoly, s: Sequence[arb]) -> arb:
        """A numerator evaluated at balls."""
        return eval_mpoly(f, s)


def dead_bound_squared(y: Sequence[Fraction], other: NeuronData) -> fmpq:
    """``|M_G^T y|^2_(G^-1)``: with every unit dead (``r = y``) a unit on face ``G`` can
    grow iff λ is below the square root of this (and its direction lies in ``G``)."""
    yv = fmpq_mat(len(y), 1, [to_fmpq(v) for v in y])
    u = other.M.transpose() * yv
    return (u.transpose() * other.G_inv * u)[0, 0]

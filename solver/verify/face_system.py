"""The face system of a point, rebuilt from the data and the units' faces.

A point given by a box (:mod:`solver.verify.box`) or a face set's solution
(:mod:`solver.verify.completeness`) is a zero of its units' face equations. The checker
rebuilds that system from the data and the faces, independently of the solver's form of
it. For alive unit ``l`` with zeros ``Z_l`` and seen points ``P_l``: ``Pi_l`` projects onto
``{w : <w, x~_i> = 0, i in Z_l}``, ``X_l`` has the rows ``x~_i`` for ``i in P_l`` (others
0), ``P_l = X_l Pi_l X_l^T``, and with ``t_l = a_l^2 / lam``

    F_l(t) = r^T P_l r - lam^2 = 0,   (I + sum_m t_m P_m) r = y,
    dF_l/dt_m = -2 (P_l r)^T (I + sum t P)^{-1} (P_m r).

At a zero, ``u_l = Pi_l X_l^T r`` is unit ``l``'s direction: the point is critical by
construction. :mod:`solver.verify.krawczyk` proves zeros in boxes; here are the system in
balls, its numerators as exact polynomials and its directions in a number field.

Examples
--------
One unit seeing the point ``x = 0`` (``x~ = (0, 1)``) with ``y = 1``, ``lam = 1/2``: the
equation ``r^2 = 1/4`` with ``r = 1/(1 + t)``, numerator ``1 - (1 + t)^2 / 4``.

>>> from fractions import Fraction as F
>>> system = PatternSystem(Problem(((F(0),),), (F(1),), F(1, 2), 1), ["+"], [0])
>>> face_numerators(system, {0: "t"})[0]
-1/4*t^2 - 1/2*t + 3/4
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq, fmpq_mat, fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly

from solver.problem import Problem, to_fmpq
from solver.verify.field import Elem, RootField
from solver.verify.linalg import projector


class PatternSystem:
    """The face equations of the alive units, rebuilt from the data and the pattern.

    Per alive unit ``l``: its zeros and seen points, the projector ``proj`` onto its
    face's span, ``XPi = X_l Pi_l`` (``u_l = XPi_l^T r``) and ``P_l = X_l Pi_l X_l^T``.
    """

    def __init__(self, prob: Problem, pattern: Sequence[str], alive: Sequence[int]) -> None:
        self.prob, self.alive = prob, list(alive)
        n, k, xt = prob.n, prob.d + 1, prob.lifted_q
        self.zero = {ell: [i for i in range(n) if pattern[ell][i] == "0"] for ell in alive}
        self.plus = {ell: [i for i in range(n) if pattern[ell][i] == "+"] for ell in alive}
        self.proj: dict[int, list[list[Fraction]]] = {}
        self.XPi: dict[int, fmpq_mat] = {}   # n x k: u_l = XPi_l^T r (Pi_l is symmetric)
        self.P: dict[int, fmpq_mat] = {}
        for ell in alive:
            proj = projector([prob.lifted[i] for i in self.zero[ell]], k)
            seen = set(self.plus[ell])
            X = fmpq_mat(n, k, [xt[i][j] if i in seen else 0 for i in range(n) for j in range(k)])
            Pi = fmpq_mat(k, k, [to_fmpq(v) for row in proj for v in row])
            self.proj[ell], self.XPi[ell] = proj, X * Pi
            self.P[ell] = self.XPi[ell] * X.transpose()
        self.y = fmpq_mat(n, 1, list(prob.y_q))
        self._balls: tuple[int, dict[int, arb_mat], arb_mat, arb_mat] | None = None

    @classmethod
    def from_faces(cls, prob: Problem, faces: Sequence[PatternSystem]) -> PatternSystem:
        """The system of several one-unit systems (unit ``j`` is ``faces[j]``'s unit 0),
        reusing their face data."""
        system = cls(prob, [], [])
        for j, one in enumerate(faces):
            system.alive.append(j)
            system.zero[j], system.plus[j] = one.zero[0], one.plus[0]
            system.proj[j], system.XPi[j], system.P[j] = one.proj[0], one.XPi[0], one.P[0]
        return system

    def _mats(self) -> tuple[dict[int, arb_mat], arb_mat, arb_mat]:
        """``P_l``, ``y`` and ``I`` as balls at the current precision (cached)."""
        if self._balls is None or self._balls[0] != ctx.prec:
            n = self.prob.n
            eye = arb_mat(n, n)
            for i in range(n):
                eye[i, i] = arb(1)
            self._balls = (ctx.prec, {ell: arb_mat(p) for ell, p in self.P.items()},
                           arb_mat(self.y), eye)
        return self._balls[1], self._balls[2], self._balls[3]

    def residual(self, t: dict[int, arb]) -> tuple[arb_mat, arb_mat]:
        """``A = I + sum t_l P_l`` and ``r = A^{-1} y`` (``ZeroDivisionError`` if not proved
        invertible)."""
        P, y, eye = self._mats()
        A = eye
        for ell, value in t.items():
            A = A + P[ell] * value
        return A, A.solve(y)

    def equations(self, t: dict[int, arb], rows: list[int]) -> list[arb]:
        """``F_l`` for the units ``rows``."""
        P, _, _ = self._mats()
        _, r = self.residual(t)
        lam = arb(self.prob.lam_q)
        return [(r.transpose() * P[ell] * r)[0, 0] - lam * lam for ell in rows]

    def jacobian(self, t: dict[int, arb], rows: list[int]) -> arb_mat:
        """``dF_l/dt_m`` for ``l, m`` in ``rows`` (symmetric)."""
        P, _, _ = self._mats()
        A, r = self.residual(t)
        Q = arb_mat(self.prob.n, len(rows))
        for c, ell in enumerate(rows):
            q = P[ell] * r
            for i in range(self.prob.n):
                Q[i, c] = q[i, 0]
        return (Q.transpose() * A.solve(Q)) * arb(-2)

    def directions(self, r: arb_mat) -> dict[int, list[arb]]:
        """``u_l = Pi_l X_l^T r`` per alive unit."""
        out = {}
        for ell in self.alive:
            u = arb_mat(self.XPi[ell]).transpose() * r
            out[ell] = [u[j, 0] for j in range(self.prob.d + 1)]
        return out


def face_relations(system: PatternSystem, variables: dict[int, str]) -> tuple:
    """The face equations' numerators (:func:`face_numerators`) as relation hints for
    :func:`~solver.verify.number_field.build_field`: ``(variable order, sorted terms)`` each."""
    order = tuple(variables.values())
    return tuple((order, tuple(sorted(p.to_dict().items())))
                 for p in face_numerators(system, variables).values())


def face_numerators(system: PatternSystem, variables: dict[int, str]) -> dict[int, fmpq_mpoly]:
    """The numerators ``N_l`` of the face equations ``F_l`` as exact polynomials.

    ``variables`` names the ``t`` of every alive unit. With ``A = I + sum t_m P_m``,
    ``w = adj(A) y`` (fraction-free elimination) and ``D = det A``:
    ``N_l = w^T P_l w - lam^2 D^2``.
    """
    order = tuple(variables[ell] for ell in system.alive)
    ring = fmpq_mpoly_ctx.get(order, "lex")
    gens = dict(zip(system.alive, ring.gens(), strict=True))
    n = system.prob.n
    M = [[ring.constant(int(i == j)) for j in range(n)] + [ring.constant(system.y[i, 0])]
         for i in range(n)]
    for ell in system.alive:
        for i in range(n):
            for j in range(n):
                if system.P[ell][i, j] != 0:
                    M[i][j] += gens[ell] * system.P[ell][i, j]
    prev = ring.constant(1)
    for k in range(n - 1):  # Bareiss: the pivots are leading minors of A, never 0
        for i in range(k + 1, n):
            for j in range(k + 1, n + 1):
                M[i][j] = (M[k][k] * M[i][j] - M[i][k] * M[k][j]) / prev
        prev = M[k][k]
    det = M[n - 1][n - 1]
    w = [ring.constant(0)] * n
    for i in range(n - 1, -1, -1):
        acc = det * M[i][n] - sum((M[i][j] * w[j] for j in range(i + 1, n)), ring.constant(0))
        w[i] = acc / M[i][i]
    lam2 = system.prob.lam_q ** 2
    out = {}
    for ell in system.alive:
        P = system.P[ell]
        quad = sum((w[i] * P[i, j] * w[j] for i in range(n) for j in range(n) if P[i, j] != 0),
                   ring.constant(0))
        out[ell] = quad - det * det * lam2
    return out


def exact_directions(prob: Problem, system: PatternSystem, ts: dict[int, fmpq_poly], K: RootField
                     ) -> tuple[list[Elem], dict[int, list[Elem]]]:
    """``r = A(t)^{-1} y`` with ``A = I + sum_l t_l P_l`` over the units of ``ts`` (their
    ``t`` exact in ``K``), and those units' directions ``u_l = Pi_l X_l^T r``."""
    const = lambda q: Elem(fmpq_poly([q]), K.m)  # noqa: E731
    n = prob.n
    A = [[const(fmpq(int(i == j))) for j in range(n)] for i in range(n)]
    for ell, t_l in ts.items():
        t = Elem(t_l, K.m)
        for i in range(n):
            for j in range(n):
                if system.P[ell][i, j] != 0:
                    A[i][j] = A[i][j] + t * const(system.P[ell][i, j])
    r = _solve(A, [const(v) for v in prob.y_q])
    us = {ell: [sum((r[i] * const(system.XPi[ell][i, c]) for i in range(n)
                     if system.XPi[ell][i, c] != 0), const(fmpq(0))) for c in range(prob.d + 1)]
          for ell in ts}
    return r, us


def _solve(A: list[list[Elem]], b: list[Elem]) -> list[Elem]:
    """Solve ``A x = b`` over the field (Gauss-Jordan; ``A`` is invertible)."""
    n = len(A)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        piv = next(i for i in range(c, n) if not M[i][c].p.is_zero())
        M[c], M[piv] = M[piv], M[c]
        inv = M[c][c].inverse()
        M[c] = [v * inv for v in M[c]]
        for i in range(n):
            if i != c and not M[i][c].p.is_zero():
                f = M[i][c]
                M[i] = [a - f * v for a, v in zip(M[i], M[c], strict=True)]
    return [M[i][n] for i in range(n)]

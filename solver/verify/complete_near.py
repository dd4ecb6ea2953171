"""Completeness, check (c'): a ``pruned`` record with ``near`` (docs/degenerate.md, section 6'').

The record ``{"by": A, "tied": [], "near": c}`` says: every interior solution of the set
``S`` has a residual within ``delta`` of ``A``'s, and there the direction of face ``c`` is
outside its face for both signs of its units. The checker re-derives it at ``A``'s proved
solution (its own Krawczyk box): the residual ``r = r_A`` of ``S``'s minimisers of ``J``
is the projection of ``y`` onto ``C_S = {r : r^T P_b r <= lam^2, b in S}``, ``r_A`` the
projection onto ``C_A``, so with ``eps`` above every ``r_A^T P_b r_A - lam^2`` (``b`` outside
``A``) and ``u = eps / (2 lam^2)`` (``t r_A`` in ``C_S`` for ``t = lam / sqrt(lam^2 + eps)``)

    |r_S - r_A|^2 <= |y - t r_A|^2 - |y - r_A|^2 <= u (2 |<y - r_A, r_A>| + u |r_A|^2).

The pre-activations ``x~_i^T dir_c`` are evaluated in balls at ``r_A`` widened by that
bound (:func:`~solver.verify.complete_segment.direction_pre_signs`); a sign no precision
decides is a failure.

Examples
--------
>>> from fractions import Fraction as F
>>> from flint import arb, fmpq_mat
>>> from solver.problem import Problem
>>> prob = Problem(((F(0),), (F(1),)), (F(1), F(0)), F(1, 10), 1)
>>> P = fmpq_mat([[1, 0], [0, 0]])           # one face seeing point 0 with |h|^2 = 1
>>> radius(prob, [arb(1) / 20, arb(0)], [P]) == 0   # r^T P r = 1/400 < lam^2: eps = 0
True
>>> radius(prob, [arb(1) / 5, arb(0)], [P]) > 0     # 1/25 > lam^2 = 1/100
True
"""

from __future__ import annotations

from flint import arb, arb_mat, ctx, fmpq_mat

from solver.problem import Problem
from solver.verify.complete_segment import direction_pre_signs, wrong_for_both_signs
from solver.verify.complete_solution import State, name


def radius(prob: Problem, r: list[arb], others: list[fmpq_mat]) -> arb:
    """An upper bound of ``|r_S - r_A|`` (the module docstring), ``r`` the balls of ``r_A``
    and ``others`` the matrices ``P_b`` of the faces outside ``A``."""
    lam2 = arb(prob.lam_q) ** 2
    col = arb_mat(prob.n, 1, r)
    eps = arb(0)
    for P in others:
        top = ((col.transpose() * arb_mat(P) * col)[0, 0] - lam2).upper()
        if not top < 0:  # may be >= 0: the sum of these bounds the largest
            eps += abs(top)
    if eps == 0:
        return arb(0)
    u = eps / (2 * lam2)
    inner = sum(((arb(prob.y_q[i]) - r[i]) * r[i] for i in range(prob.n)), arb(0))
    size = sum((v * v for v in r), arb(0))
    return (u * (2 * abs(inner) + u * size)).upper().sqrt().upper()


def check_near(S: frozenset, claim: dict, state: State, where: str, fails: list[str]) -> None:
    """Check (c'): see the module docstring."""
    by, c = list(claim["by"]), claim["near"]
    A = frozenset(by)
    if claim.get("tied") or c not in S:
        fails.append(f"{where}: pruned near {name(by)}: {c!r} must be a face of the set, and "
                     "no face tied")
        return
    if not state.depends(S, A, where, fails):
        return
    sol = state.solved[A]
    if sol is None:
        fails.append(f"{where}: pruned near {name(by)}, which has no interior solution")
        return
    prob, others = state.prob, [state.faces[b].P for b in sorted(S - A)]
    widened: dict[int, list[arb]] = {}

    def residual(bits: int) -> list[arb]:
        if bits not in widened:
            r = sol.residual(bits)
            with ctx.workprec(sol.work(bits)):
                delta = radius(prob, r, others)
                widened[bits] = [arb(v.mid(), v.rad() + delta) for v in r]
        return widened[bits]

    if not wrong_for_both_signs(c, direction_pre_signs(state, c, sol, residual)):
        fails.append(f"{where}: pruned near {name(by)}: the direction of face {c} is not "
                     "proved outside its face at every residual within the bound")
        return
    state.count("pruned near")
    state.solved[S] = None


__all__ = ["check_near", "radius"]

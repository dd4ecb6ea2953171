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

With ``exact`` (``A``'s solution by minimal polynomials) the bound is not needed: the roots
lie in ``A``'s proved enclosure and solve its face equations in their number field, so
they are ``A``'s solution; there every ``r_A^T P_b r_A <= lam^2`` is proved exactly, so
``(s_A, 0)`` is a minimiser of ``J_S`` and ``r_S = r_A`` (docs/degenerate.md, Theorem 1),
and ``c``'s pre-activations at ``r_A`` are decided exactly (0 where the face wants a sign:
outside).

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

from flint import arb, arb_mat, ctx, fmpq_mat, fmpq_poly

from solver.data import parse_rational
from solver.problem import Problem, to_fmpq
from solver.verify.complete_segment import direction_pre_signs, wrong_for_both_signs
from solver.verify.complete_solution import Solved, State, name, quad
from solver.verify.face_system import PatternSystem, exact_directions, face_relations
from solver.verify.field import Elem, RootField
from solver.verify.formula import parse_poly
from solver.verify.number_field import build_field


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
    usable, sol = state.subset_solution(S, by, where, fails, "pruned near")
    if not usable:
        return
    if "exact" in claim:
        bad = _exact_outside(S, by, c, claim["exact"], sol, state)
        if bad:
            fails.append(f"{where}: pruned near {name(by)} exactly: {bad}")
            return
        state.count("pruned near")
        state.solved[S] = None
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


def _exact_outside(S: frozenset, by: list[str], c: str, roots: list, sol: Solved,
                   state: State) -> str:
    """'' when, at ``by``'s solution given exactly by ``roots``, every other face's
    ``r^T P_b r <= lam^2`` and ``c``'s direction is outside its face for both signs,
    decided in the roots' number field; otherwise why not."""
    got = exact_part(by, roots, sol, state)
    if isinstance(got, str):
        return got
    K, r = got
    const = lambda q: Elem(fmpq_poly([q]), K.m)  # noqa: E731
    for b in sorted(S - frozenset(by)):
        P = state.faces[b].P
        value = sum((r[i] * r[j] * const(P[i, j]) for i in range(P.nrows())
                     for j in range(P.ncols()) if P[i, j] != 0), const(-state.prob.lam_q ** 2))
        if K.sign(value.p) > 0:
            return f"|M_b^T r|^2 > lam^2 for face {b}: r_A is not every minimiser's residual"
    xt, proj = state.prob.lifted, state.faces[c].system.proj[0]
    seen = [m for m, ch in enumerate(c) if ch == "+"]
    signs = [None if ch == "0" else K.sign(sum(
        (r[m] * const(to_fmpq(quad(proj, xt[i], xt[m]))) for m in seen), const(0)).p)
        for i, ch in enumerate(c)]
    if not wrong_for_both_signs(c, signs):
        return f"the direction of face {c} at r_A is not outside its face"
    return ""


def exact_part(part: list[str], roots: list, sol: Solved, state: State
               ) -> tuple[RootField, list[Elem]] | str:
    """``(K, r)``: the solution of the faces ``part`` (a subset's part, closed under shared
    seen points) given by ``roots`` (minimal polynomials), checked inside the subset's
    proved enclosures (so, by the uniqueness the Krawczyk test proved, the same solution)
    and solving the part's face equations in their number field ``K``, with the residual
    ``r`` there; or why not."""
    prob = state.prob
    if any(r["minpoly"] is None for r in roots) or len(roots) != len(part):
        return "the part's solution must be given by minimal polynomials, one per face"
    entries = [(r["name"], r["minpoly"], *(parse_rational(v, "interval") for v in r["interval"]))
               for r in roots]
    enclosure = sol.t()
    for p, (label, poly, lo, hi) in zip(part, entries, strict=True):
        # the root's interval narrower than the enclosure (proved at sol.prec bits, so
        # a 200-bit interval around the same root need not fit inside it)
        a, b = RootField(parse_poly(poly, label), lo, hi).interval(sol.work() + 64)
        with ctx.workprec(sol.work()):
            inside = enclosure[p].contains(arb((a + b) / 2, (b - a) / 2))
        if not inside:
            return f"the root {label} is not inside the subset's proved enclosure of face {p}"
    system = PatternSystem.from_faces(prob, [state.faces[p].system for p in part])
    names = [r["name"] for r in roots]
    relations: tuple = ()
    if len(names) >= 2:
        relations = face_relations(system, dict(zip(system.alive, names, strict=True)))
    K, images = build_field(entries, relations)
    ts = {ell: images[label] for ell, label in zip(system.alive, names, strict=True)}
    r, us = exact_directions(prob, system, ts, K)
    lam2 = Elem(fmpq_poly([prob.lam_q ** 2]), K.m)
    if any(not K.is_zero(sum((v * v for v in us[ell]), -lam2).p) for ell in system.alive):
        return "the roots do not solve the part's face equations"
    return K, r


__all__ = ["check_near", "exact_part", "radius"]

"""Completeness, check (b''): a face set's ``segment`` record (two identical face equations).

The record ``{"by": A, "sum": [b, a], "outside": c}`` says: ``A`` is the set without ``b``,
``a`` is a face of ``A`` with ``P_a = P_b`` (checked exactly, as rational matrices), so
``A(s) = I + sum_c s_c P_c`` and every face equation depend on ``s_a + s_b`` only and the
equations of ``a`` and ``b`` coincide. Hence the interior solutions of the set are exactly
the points with ``s_a + s_b = t_a`` and the other coordinates of ``A``'s interior solution
(docs/degenerate.md, Theorem 2): none when ``A`` has none (no ``outside`` then), else a
segment on which the residual is ``A``'s, ``r_A``, and so is every neuron's direction
``dir_c = Pi_c sum_{m seen by c} r_m x~_m``. The face ``c`` has, at ``r_A``, pre-activations
that no sign of its units' ``a`` puts in its face: the set has no critical point. The
checker re-derives the pre-activations ``x~_i^T dir_c`` in ball arithmetic at ``A``'s proved
solution, or exactly zero where every ``x~_i^T Pi_c x~_m`` (``m`` seen) is zero (a point of
nonzero sign there is outside for either sign); a sign it cannot decide is a failure.

Examples
--------
>>> wrong_for_both_signs("+-0", [1, 1, None])   # + wanted at 0, - at 1, both positive
True
>>> wrong_for_both_signs("+-0", [1, -1, None])
False
"""

from __future__ import annotations

from flint import arb, ctx

from solver.problem import to_fmpq
from solver.verify.complete_solution import State, decide, name, quad


def wrong_for_both_signs(pattern: str, signs: list[int | None]) -> bool:
    """Whether no sign ``sigma`` gives every decided sign of a seen/unseen point its face's
    sign (``signs[i]`` the sign of ``x~_i^T dir``, None where undecided or not needed)."""
    want = {"+": 1, "-": -1}
    for sigma in (1, -1):
        if all(got is None or got == sigma * want[ch]
               for ch, got in zip(pattern, signs) if ch in want):
            return False
    return True


def direction_pre_signs(state: State, c: str, sol, residual) -> list[int | None]:
    """The signs of ``x~_i^T dir_c`` at the residual balls ``residual(bits)`` (at ``sol``'s
    working precision): 0 where exactly zero for every residual (``face.structural``),
    None on the face's zero set or where undecided."""
    face, xt = state.faces[c], state.prob.lifted
    proj = face.system.proj[0]
    seen = [m for m, ch in enumerate(c) if ch == "+"]
    signs: list[int | None] = []
    for i, ch in enumerate(c):
        if ch == "0":
            signs.append(None)
            continue
        if i in face.structural:  # zero for every residual, exactly: not the face's sign
            signs.append(0)
            continue
        coef = {m: arb(to_fmpq(quad(proj, xt[i], xt[m]))) for m in seen}

        def pre(bits: int, coef: dict = coef) -> arb:
            r = residual(bits)
            with ctx.workprec(sol.work(bits)):
                return sum((coef[m] * r[m] for m in seen), arb(0))

        signs.append(decide(pre)[1])
    return signs


def check_segment(S: frozenset, faces: list[str], claim: dict, state: State, where: str,
                  fails: list[str]) -> None:
    """Check (b''): see the module docstring."""
    by, (b, a) = list(claim["by"]), list(claim["sum"])
    A = frozenset(by)
    if b not in S or A != S - {b} or a not in A:
        fails.append(f"{where}: segment: {name(by)} must be the set without {b}, and {a} one "
                     "of its faces")
        return
    if state.faces[a].P != state.faces[b].P:
        fails.append(f"{where}: segment: faces {a} and {b} have different P (the face "
                     "equations are not identical)")
        return
    usable, sol = state.subset_solution(S, by, where, fails)
    if not usable:
        return
    if sol is None:
        if "outside" in claim:
            fails.append(f"{where}: segment: {name(by)} has no interior solution, yet an "
                         "outside face is named")
            return
        state.count("segment (none)")
        state.solved[S] = None
        return
    c = claim.get("outside")
    if c not in S:
        fails.append(f"{where}: segment: {name(by)} has an interior solution, so a face of the "
                     "set whose direction is outside its face must be named")
        return
    if not wrong_for_both_signs(c, direction_pre_signs(state, c, sol, sol.residual)):
        fails.append(f"{where}: segment: the direction of face {c} at the residual of "
                     f"{name(by)} is not proved outside its face")
        return
    state.count("segment (outside)")
    state.solved[S] = None


__all__ = ["check_segment", "direction_pre_signs", "wrong_for_both_signs"]

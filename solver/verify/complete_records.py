"""Completeness, checks (b)-(d): a face set's ``solution``, ``pruned`` or ``decoupled`` record.

(b) ``solution``: the box (or the minimal polynomials' refined isolating intervals), in
``s > 0``, holds exactly one zero of the rebuilt face system (Krawczyk). (c) ``pruned``:
the strict KKT inequalities at the subset's proved solution in ball arithmetic, or the
tie and the Gram determinant. (d) ``decoupled``: the parts partition the set, are
listed, and share no seen point. See :mod:`solver.verify.completeness` for the theorems.

Examples
--------
>>> tie("+0-", "+0+", {2}), tie("+0-", "++-", set())
(True, False)
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq_mat

from solver.data import parse_rational
from solver.problem import to_fmpq
from solver.verify.complete_near import check_near, exact_part
from solver.verify.complete_solution import Solved, State, decide, name, quad
from solver.verify.face_system import PatternSystem
from solver.verify.field import RootField
from solver.verify.formula import parse_poly
from solver.verify.krawczyk import prove_doubling, start_precision


def check_solution(S: frozenset, faces: list[str], roots: list, state: State, where: str,
              fails: list[str]) -> None:
    """Check (b): the box holds exactly one zero of the rebuilt system, in ``s > 0``."""
    prob = state.prob
    if not isinstance(roots, list) or len(roots) != len(faces):
        fails.append(f"{where}: solution needs one coordinate per face")
        return
    box: list[tuple[Fraction, Fraction]] = []
    for j, root in enumerate(roots):
        lo, hi = (parse_rational(v, f"interval of s{j}") for v in root["interval"])
        if root["minpoly"] is not None:  # its isolating interval, refined
            field_ = RootField(parse_poly(root["minpoly"], root["name"]), lo, hi)
            a, b = field_.interval(200)
            lo, hi = Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q))
            if lo == hi:  # a rational root: widen (the Krawczyk box must have interior)
                lo, hi = lo - Fraction(1, 2 ** 200), hi + Fraction(1, 2 ** 200)
        if not 0 < lo < hi:
            fails.append(f"{where}: s{j} has the interval [{lo}, {hi}], not inside s > 0")
            return
        box.append((lo, hi))
    if not faces:
        state.solved[S] = Solved(prob, [], [], 128)
        return
    system = PatternSystem.from_faces(prob, [state.faces[p].system for p in faces])
    status, info, prec = prove_doubling(system, system.alive, lambda _: {}, box,
                                        start_precision(box))
    if status == "none":
        fails.append(f"{where}: the face system has no solution in the listed box (Krawczyk: "
                     f"K(X) misses X in s{info})")
    elif status == "unknown":
        fails.append(f"{where}: cannot prove that the listed box holds exactly one solution of "
                     f"the face system ({info})")
    else:
        state.solved[S] = Solved(prob, [state.faces[p] for p in faces], list(info), prec,
                                 system=system)


def check_pruned(S: frozenset, faces: list[str], claim: dict, state: State, where: str,
            fails: list[str]) -> None:
    """Check (c): strict KKT at the subset's solution, or the tie and independence (or,
    with ``near``, :func:`~solver.verify.complete_near.check_near`)."""
    if "near" in claim:
        check_near(S, claim, state, where, fails)
        return
    by, tied = list(claim["by"]), list(claim["tied"])
    A = frozenset(by)
    usable, sol = state.subset_solution(S, by, where, fails, "pruned by")
    if not usable:
        return
    if not set(tied) <= S - A:
        fails.append(f"{where}: tied faces {tied} are not faces of the set outside "
                     f"{name(by)}")
        return
    prob, lam2 = state.prob, arb(state.prob.lam_q) ** 2
    quiet = set()
    if tied:
        quiet = zero_residuals(by, sol, state)
        for zero in claim.get("zeros", []):
            bad = exact_residual_zero(zero, by, sol, state)
            if bad:
                fails.append(f"{where}: pruned by {name(by)}: the residual at point "
                             f"{zero.get('point')} is not proved zero ({bad})")
                return
            quiet.add(zero["point"])
    partners: dict[str, str] = {}
    for b in sorted(S - A, key=state.order.get):
        if b in tied:
            twin = next((a for a in by if tie(a, b, quiet)), None)
            if twin is None and unseen_zero(b, by, state):
                twin = b  # its own partner: r_i = y_i at every point it sees
            if twin is None:
                fails.append(f"{where}: face {b} is listed as tied, but no face of {name(by)} "
                             "has its zero set and its seen points up to points with a residual "
                             "proved zero (y_i = 0 unseen, or aligned faces)")
                return
            partners[b] = twin
            continue
        P = state.faces[b].P

        def excess(bits: int, P: fmpq_mat = P) -> arb:
            with ctx.workprec(sol.work(bits)):
                r = arb_mat(prob.n, 1, sol.residual(bits))
                return (r.transpose() * arb_mat(P) * r)[0, 0] - lam2

        value, got = decide(excess)
        if got != -1:
            verdict = ("cannot be decided (0?)" if got is None else
                       "holds with equality" if got == 0 else "does not hold")
            fails.append(f"{where}: pruned by {name(by)}: the strict KKT condition "
                         f"|M_b^T r|^2 < lam^2 for face {b} {verdict} "
                         f"(|M_b^T r|^2 - lam^2 = {float(value.mid()):.6g})")
            return
    if tied:
        cols = [state.faces[c].P for c in list(by) + tied]

        def gram(bits: int) -> arb:
            with ctx.workprec(sol.work(bits)):
                r = arb_mat(prob.n, 1, sol.residual(bits))
                Q = arb_mat(prob.n, len(cols))
                for c, P in enumerate(cols):
                    v = arb_mat(P) * r
                    for i in range(prob.n):
                        Q[i, c] = v[i, 0]
                return (Q.transpose() * Q).det()

        value, got = decide(gram)
        twins = [tuple(t) for t in claim.get("twins", [])]
        if got != 1 and twins:
            bad = [t for t in twins if len(t) != 2 or t[0] not in partners
                   or not tie(t[1], t[0], quiet) or t[1] not in by
                   or not not_opposite(t[0], t[1])]
            if bad:
                fails.append(f"{where}: pruned by {name(by)} with twins {bad[0]}: not a tied "
                             "face and a face of the subset with its zero set, neither equal "
                             "nor opposite")
                return
            state.count("pruned with twins")
            state.solved[S] = None
            return
        if got != 1:
            fails.append(f"{where}: pruned by {name(by)} with tied faces {tied}: the vectors "
                         "P_c r of the subset and tied faces are not proved independent (Gram "
                         f"determinant {float(value.mid()):.3g})")
            return
        state.count("pruned with ties")
    state.solved[S] = None


def unseen_zero(b: str, by: list[str], state: State) -> bool:
    """Face ``b`` sees only points no face of ``by`` sees (there ``r_i = y_i`` exactly) and
    ``y^T P_b y = lam^2`` in ``Q``: its multiplier is exactly zero at ``by``'s solution."""
    prob = state.prob
    seen = {i for i, ch in enumerate(b) if ch == "+"}
    if any(p[i] == "+" for p in by for i in seen):
        return False
    y = fmpq_mat(prob.n, 1, list(prob.y_q))
    return (y.transpose() * state.faces[b].P * y)[0, 0] == prob.lam_q ** 2


def zero_residuals(by: list[str], sol, state: State) -> set[int]:
    """Points whose residual at the subset's solution is exactly zero: ``y_i = 0`` at a
    point no face of ``by`` sees (``r_i = y_i``), or *aligned faces* ``a, c`` of ``by``
    (one zero set, ``c`` seeing ``a``'s points and ``i``). Both have ``r^T P r = lam^2``, so

        0 = r^T P_c r - r^T P_a r = r_i (2 x~_i^T Pi m_a + r_i x~_i^T Pi x~_i),

    ``m_a = sum_{j seen by a} r_j x~_j``: ``r_i = 0`` once the second factor is proved
    nonzero in balls (docs/degenerate.md, Lemma 3)."""
    prob = state.prob
    quiet = {i for i, v in enumerate(prob.y) if v == 0 and all(p[i] != "+" for p in by)}
    seen = {p: {i for i, ch in enumerate(p) if ch == "+"} for p in by}
    zeros = {p: [i for i, ch in enumerate(p) if ch == "0"] for p in by}
    for a in by:
        for c in by:
            extra = seen[c] - seen[a]
            if zeros[a] != zeros[c] or len(extra) != 1 or not seen[a] < seen[c]:
                continue
            (i,) = extra
            if i in quiet:
                continue
            proj = state.faces[a].system.proj[0]
            xt = prob.lifted
            coef = {j: quad(proj, xt[i], xt[j]) for j in seen[a] | {i}}

            def cofactor(bits: int, i: int = i, a: str = a, coef: dict = coef) -> arb:
                r = sol.residual(bits)
                with ctx.workprec(sol.work(bits)):
                    return sum((2 * arb(to_fmpq(coef[j])) * r[j] for j in seen[a]),
                               arb(to_fmpq(coef[i])) * r[i])

            if decide(cofactor)[1] in (1, -1):
                quiet.add(i)
    return quiet


def exact_residual_zero(zero: dict, by: list[str], sol: Solved, state: State) -> str:
    """'' when ``r_i = 0`` exactly at the subset's solution, by the claim ``zero``: the part
    ``faces`` of ``by`` that sees point ``i`` (closed under shared seen points, so the
    subset's solution restricted to it is the part's), its solution ``s`` by minimal
    polynomials inside the subset's proved enclosures (so, by the uniqueness that the
    Krawczyk test proved, the same solution), its face equations and ``r_i`` zero in the
    roots' number field. Otherwise why not."""
    i, part, roots = zero["point"], list(zero["faces"]), zero["s"]
    seen = {p: {j for j, ch in enumerate(p) if ch == "+"} for p in by}
    if not part or not set(part) <= set(by) or len(roots) != len(part):
        return "its part is not a set of faces of the subset, one root each"
    if any(i in seen[p] and p not in part for p in by):
        return "a face outside its part sees the point"
    if any(seen[p] & seen[q] for p in part for q in by if q not in part):
        return "its part shares a seen point with the rest of the subset"
    got = exact_part(part, roots, sol, state)
    if isinstance(got, str):
        return got
    K, r = got
    if not K.is_zero(r[i].p):
        return "r_i is not zero in the roots' number field"
    return ""


def not_opposite(a: str, b: str) -> bool:
    """Two sign vectors neither equal nor each other's negation."""
    flip = {"+": "-", "-": "+", "0": "0"}
    return a != b and a != "".join(flip[ch] for ch in b)


def tie(a: str, b: str, quiet: set[int]) -> bool:
    """``b`` has ``a``'s zero set and sees the same points, up to ``quiet`` ones."""
    return all((x == "0") == (y == "0") for x, y in zip(a, b, strict=True)) and {
        i for i, x in enumerate(a) if x == "+"} - quiet == {i for i, y in enumerate(b)
                                                          if y == "+"} - quiet


def check_decoupled(S: frozenset, faces: list[str], parts: list, state: State, where: str,
               fails: list[str]) -> None:
    """Check (d): the parts partition the set, are listed and share no seen point."""
    groups = [frozenset(p) for p in parts]
    if len(groups) < 2 or sum(len(g) for g in groups) != len(S) or frozenset().union(
            *groups) != S or any(len(g) != len(p) for g, p in zip(groups, parts, strict=True)):
        fails.append(f"{where}: its parts {parts} do not partition it into two or more sets")
        return
    for g, h in itertools.combinations(groups, 2):
        for a in g:
            for b in h:
                shared = [i for i, (x, y) in enumerate(zip(a, b, strict=True))
                          if x == "+" and y == "+"]
                if shared:
                    fails.append(f"{where}: faces {a} and {b} of different parts both see "
                                 f"point {shared[0]}: not decoupled")
                    return
    sols = []
    for g in groups:
        if not state.depends(S, g, where, fails):
            return
        sols.append(state.solved[g])
    if any(sol is None for sol in sols):
        state.solved[S] = None
        return
    state.solved[S] = Solved(state.prob, [state.faces[p] for p in faces], None,
                             max(sol.prec for sol in sols), parts=sols)


__all__ = ["check_decoupled", "check_pruned", "check_solution", "exact_residual_zero",
           "not_opposite", "tie", "zero_residuals"]

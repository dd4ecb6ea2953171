"""The completeness certificate: every face set re-checked, so no minimum is missing.

A result written with ``--completeness`` lists, for every set ``S`` of ``k <= L``
distinct alive unit faces, how the solver settled it (README, "JSON output"). This
module re-derives each claim from the data alone, with the checker's own tools: the
arrangement (:mod:`solver.verify.arrangement`), the face system and its Krawczyk test
(:mod:`solver.verify.face_system`, :mod:`solver.verify.krawczyk`) and the minimality checks
(:mod:`solver.verify.minimality`). It shares no code with the solver.

What the checker trusts (theorems, not the solver's code)
----------------------------------------------------------
For a face set ``S`` let ``P_a = X_a Pi_a X_a^T`` (:class:`~solver.verify.face_system.
PatternSystem`), ``A(s) = I + sum_a s_a P_a``, ``r = A(s)^{-1} y`` and

    J_S(s) = y^T A(s)^{-1} y + lam^2 sum_a s_a,    dJ_S/ds_a = lam^2 - r^T P_a r.

* **T1, reduction** (docs/math.md; README "How the solver works", step 1-2). At a local
  minimum every unit is dead (``a_l = w_l = 0``) or alive in the relative interior of a
  unit face that sees a point; the alive units' faces form a set ``S`` of ``k <= L``
  distinct alive faces, and ``s_a = sum a_l^2 / lam > 0`` over the units on ``F_a`` is a
  zero of ``S``'s face equations ``r^T P_a r = lam^2`` (an *interior solution*) whose
  directions ``u_a = Pi_a X_a^T r`` lie in ``F_a`` up to one sign per face (the sign of
  its units' ``a_l``).
* **T2, convexity** (:mod:`solver.interior`). ``J_S`` is convex on ``s >= 0``, so its
  interior solutions are its minimisers with full support and form a convex set.
  Hence (b) a zero proved isolated by the Krawczyk test (which also proves the
  Jacobian non-singular there) is ``S``'s only interior solution; (c) if a proper subset
  ``A`` has an interior solution with ``r_A^T P_b r_A < lam^2`` for every other face ``b``
  (strict KKT), ``(s_A, 0)`` minimises ``J_S`` with a gradient positive off ``A``, and no
  minimiser has ``s_b > 0``: ``S`` has no interior solution. With *tied* faces (``b`` has
  the zero set of a face of ``A`` and sees the same points up to points with ``y_i = 0``
  that no face of ``A`` sees, so ``r_A^T P_b r_A = lam^2`` exactly), minimisers live on
  ``A`` and the tied faces, and along a segment of them ``d^2 J = 2 (D r)^T A^{-1} (D r)``
  with ``D = sum d_c P_c`` must vanish: if the ``P_c r_A`` are linearly independent
  (Gram determinant > 0) ``(s_A, 0)`` is the only minimiser. A point unseen by ``A`` with
  ``y_i = 0``, or *aligned faces* ``a, c`` of ``A`` (one zero set, ``c`` seeing ``a``'s points
  and ``i``: ``0 = r^T P_c r - r^T P_a r = r_i (2 x~_i^T Pi m_a + r_i x~_i^T Pi x~_i)`` with
  the second factor nonzero in balls) has ``r_i = 0`` exactly. If the Gram test fails, a
  *twin* (a tied face ``b`` and its partner ``a``, neither equal nor opposite) still rules
  out every interior solution inside the faces: all minimisers of ``J_S`` share the
  residual ``r_A``, so ``u_b = u_a``, and one vector lies in two faces only if they are
  equal or opposite (docs/degenerate.md, Theorems 1 and 5).
* **T3, minimality** (:mod:`solver.verify.minimality`, exact or in balls). A
  KKT multiplier of the wrong sign, a negative leading minor of the face Hessian (one
  unit per face), or a dead unit with ``|sum_i r_i ReLU(<w, x~_i>)| > lam |w|`` along a
  face direction is a descent: the point is not a local minimum. Splitting a face's
  weight over several units changes none of this (:mod:`solver.certify`, step 2: the
  loss is ``Lambda(W) + lam sum (|a_l| - |w_l|)^2``), so the split sets and their
  endpoints with dead units stand or fall with the one-unit-per-face point.

Decoupling is exact algebra: faces that share no seen point have ``P_a P_b = 0``, so
``A(s)^{-1} = (I + X)^{-1} + (I + Y)^{-1} - I`` for the two parts' sums ``X, Y``, and the
equations and directions of each part see only that part.

The checks, per listed set (failures name the set)
---------------------------------------------------
(a) The alive faces are recomputed; the listed sets must be exactly the sets of ``<= L``
    of them, each once. (b) ``solution``: the box (or the minimal polynomials' refined
    isolating intervals), in ``s > 0``, holds exactly one zero of the rebuilt system
    (Krawczyk); ``none`` (one or two faces): the face equations' eliminant has no
    positive root, or no pair of the two resultants' positive roots is a common zero
    (:mod:`solver.verify.complete_none`); ``segment``: two faces with one
    ``P``, the set's interior solutions (if any) a segment with the residual of the set
    without one of them, a direction there outside its face
    (:mod:`solver.verify.complete_segment`). (c) ``pruned``: the strict KKT
    inequalities at the subset's proved solution in ball arithmetic, or the tie and the
    Gram determinant. (d) ``decoupled``: the parts partition the set, are listed, and
    share no seen point.
    (e) A solution claimed outside its faces: that sign (or the structural zero,
    exactly). (f) A solution inside its faces: the listed minima (same faces, same
    ``t``, every image, every split, and the split sets' endpoints exactly when the
    dead-unit check of T3 passes) or the descent re-derived by the checks of T3
    (:mod:`solver.verify.complete_point`). Every listed minimum must be claimed by one
    set. With T1-T3 these make the list of minima complete.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.problem import Problem
>>> prob = Problem(((F(0),), (F(1),)), (F(1), F(0)), F(1, 10), 1)
>>> report = check_completeness({"sets": []}, prob, [], set())
>>> report.fails[0]
'face sets missing from the certificate (6 of 6): {} (all units dead), {+0}, {0+}, {++}, {+-}, {-+}'
"""

from __future__ import annotations

import itertools

from solver.problem import Problem
from solver.verify.arrangement import arrangement_faces
from solver.verify.complete_none import check_none
from solver.verify.complete_point import check_candidate, check_empty
from solver.verify.complete_records import check_decoupled, check_pruned, check_solution
from solver.verify.complete_segment import check_segment
from solver.verify.complete_solution import AliveFace, State, name
from solver.verify.findings import Findings
from solver.verify.formula import ParseError

KINDS = ("decoupled", "pruned", "solution", "none", "segment")


def check_completeness(cert: dict, prob: Problem, minima: list[dict], ok: set[int]
                       ) -> Findings:
    """Re-check a ``completeness`` certificate (see the module docstring).

    ``minima`` is the result's list, ``ok`` the numbers (from 1) of the listed minima
    that passed their own checks; ``cert`` has the layout :func:`~solver.verify.schema.
    check_schema` checks. The summary lines are the notes, the failures (each names its
    set) the fails.
    """
    out = Findings()
    alive = [f.pattern for f in arrangement_faces(prob.lifted) if f.dim > 0 and "+" in f.pattern]
    orbits: dict[int, list[tuple[int, dict]]] = {}
    for number, entry in enumerate(minima, start=1):
        orbits.setdefault(entry["orbit"], []).append((number, entry))
    state = State(prob, {p: j for j, p in enumerate(alive)}, orbits, ok)
    top = min(prob.units, len(alive))
    records = _coverage(cert["sets"], alive, top, state, out)
    state.faces = {p: AliveFace(prob, p) for p in alive}
    for S, record in sorted(records.items(), key=lambda kv: (len(kv[0]), kv[1][0])):
        _check_set(S, record[1], state, out)
    for o in sorted(set(orbits) - set(state.claims)):
        numbers = ", ".join(str(n) for n, _ in orbits[o])
        out.fails.append(f"minimum {numbers} (orbit {o}): claimed by no face set of the "
                         "certificate")
    for o, claimers in sorted(state.claims.items()):
        if len(claimers) > 1:
            out.fails.append(f"orbit {o} is claimed by several face sets: {state.names(claimers)}")
    out.notes = _summary(len(records), len(alive), top, state) + out.notes
    return out


def _coverage(sets: list[dict], alive: list[str], top: int, state: State, out: Findings
              ) -> dict[frozenset, tuple[int, dict]]:
    """Check (a): the listed sets are exactly all sets of ``<= top`` alive faces."""
    listed: dict[frozenset, tuple[int, dict]] = {}
    duplicates, foreign = [], []
    for j, record in enumerate(sets):
        faces = record.get("faces")
        if not isinstance(faces, list) or not all(isinstance(f, str) for f in faces):
            out.fails.append(f"completeness.sets[{j}]: 'faces' must be a list of patterns")
            continue
        S = frozenset(faces)
        if len(S) != len(faces) or len(S) > top or not S <= set(alive):
            foreign.append(faces)
            continue
        if S in listed:
            duplicates.append(S)
            continue
        listed[S] = (j, record)
    expected = [frozenset(c) for k in range(top + 1) for c in itertools.combinations(alive, k)]
    missing = [S for S in expected if S not in listed]
    if missing:
        out.fails.append(f"face sets missing from the certificate ({len(missing)} of "
                         f"{len(expected)}): {state.names(missing)}")
    if duplicates:
        out.fails.append(f"face sets listed more than once: {state.names(duplicates)}")
    for faces in foreign:
        out.fails.append(f"face set {name(faces)} is not a set of at most {top} distinct alive "
                         "faces of the arrangement (extra)")
    return listed


def _check_set(S: frozenset, record: dict, state: State, out: Findings) -> None:
    """Checks (b)-(f) of one set; its verdict is stored for the sets above it."""
    faces = list(record["faces"])
    where = f"face set {name(faces)}"
    kinds = [k for k in KINDS if k in record]
    fails: list[str] = []
    if len(kinds) != 1:
        fails.append(f"{where}: expected exactly one of {', '.join(KINDS)}, got "
                     f"{kinds or 'none'}")
    else:
        kind = kinds[0]
        state.count(kind)
        try:
            if kind == "solution":
                check_solution(S, faces, record["solution"], state, where, fails)
            elif kind == "pruned":
                check_pruned(S, faces, record["pruned"], state, where, fails)
            elif kind == "decoupled":
                check_decoupled(S, faces, record["decoupled"], state, where, fails)
            elif kind == "segment":
                check_segment(S, faces, record["segment"], state, where, fails)
            else:
                check_none(S, faces, record["none"], state, where, fails)
        except (TypeError, KeyError, ValueError, ParseError, ZeroDivisionError) as exc:
            fails.append(f"{where}: malformed {kind} record ({type(exc).__name__}: {exc})")
    if fails:  # the sets above cannot rely on this one
        state.bad.add(S)
        state.solved.pop(S, None)
    elif S in state.solved:  # (a wrong verdict leaves the proved solution usable above)
        sol = state.solved[S]
        if sol is None:
            fails += check_empty(record, where)
        else:
            what, found = check_candidate(record, sol, state.prob, state.orbits, state.ok,
                                          where)
            fails += found
            if not found:
                state.count(what)
    claimed = record.get("minimum")
    if isinstance(claimed, list) and all(type(o) is int for o in claimed):
        for o in claimed:  # (even when the record fails: one failure, named once)
            state.claims.setdefault(o, []).append(S)
    out.fails += fails


def _summary(count: int, alive: int, top: int, state: State) -> list[str]:
    c = state.counts.get
    return [
        f"certificate: {count} face sets of at most {top} distinct alive faces listed; the "
        f"arrangement, recomputed here, has {alive} alive faces",
        f"decoupled: {c('decoupled', 0)} (parts share no seen point); pruned: "
        f"{c('pruned', 0)} (strict KKT at the subset's proved solution; "
        f"{c('pruned with ties', 0)} with exact ties and independent P_c r"
        + (f", {c('pruned with twins')} with twins" if c('pruned with twins') else "")
        + (f", {c('pruned near')} near the subset's residual" if c('pruned near') else "")
        + "); solution: "
        f"{c('solution', 0)} (Krawczyk: exactly one zero in the box); none: {c('none', 0)}"
        + (f"; segment: {c('segment', 0)} (two faces with one P)" if c('segment') else ""),
        f"solutions outside their faces: {c('outside: wrong sign', 0)} by a wrong sign, "
        f"{c('outside: structural zero', 0)} by a structurally zero pre-activation, "
        f"{c('outside: exact zero', 0)} by one exactly zero at the solution",
        f"solutions inside their faces: {c('minimum', 0)} listed minima (same faces and t, "
        f"every image and split), {c('descent: multiplier', 0)} descents by a multiplier, "
        f"{c('descent: hessian', 0)} by a negative Hessian minor, {c('descent: dead unit', 0)} "
        "by a dead unit that grows (re-derived here)",
        "relies on: T1 (reduction to face sets), T2 (convexity of J: at most one interior "
        "solution; KKT pruning), T3 (descents); see solver/verify/completeness.py",
    ]


__all__ = ["check_completeness"]

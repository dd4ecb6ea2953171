"""The completeness certificate: every face set re-checked, so no minimum is missing.

A result written with ``--completeness`` lists, for every set ``S`` of ``k <= L``
distinct alive unit faces, how the solver settled it (README, "JSON output"). This
module re-derives each claim from the data alone, with the checker's own tools: the
arrangement (:mod:`solver.verify.arrangement`), the face system and its Krawczyk test
(:mod:`solver.verify.face_system`) and the minimality checks
(:mod:`solver.verify.box_point`). It shares no code with the solver.

What the checker trusts (theorems, not the solver's code)
----------------------------------------------------------
For a face set ``S`` let ``P_a = X_a Pi_a X_a^T`` (:class:`~solver.verify.face_system.
FaceSystem`), ``A(s) = I + sum_a s_a P_a``, ``r = A(s)^{-1} y`` and

    J_S(s) = y^T A(s)^{-1} y + lam^2 sum_a s_a,    dJ_S/ds_a = lam^2 - r^T P_a r.

* **T1, reduction** (MATH.md; README "How the solver works", step 1-2). At a local
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
  (Gram determinant > 0) ``(s_A, 0)`` is the only minimiser.
* **T3, minimality** (:mod:`solver.verify.isolated`, :mod:`solver.verify.box_point`). A
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
    (Krawczyk). (c) ``pruned``: the strict KKT inequalities at the subset's proved
    solution in ball arithmetic, or the tie and the Gram determinant. (d)
    ``decoupled``: the parts partition the set, are listed, and share no seen point.
    (e) A solution claimed outside its faces: that sign (or the structural zero,
    exactly). (f) A solution inside its faces: the listed minima (same faces, same
    ``t``, every image, every split, and the split sets' endpoints exactly when the
    dead-unit check of T3 passes) or the descent re-derived by the checks of T3
    (:mod:`solver.verify.complete_point`). Every listed minimum must be claimed by one
    set. With T1-T3 these make the list of minima complete.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.verify.arrangement import Problem
>>> prob = Problem(((F(0), F(1)), (F(1), F(1))), (F(1), F(0)), F(1, 10), 1)
>>> report = check_completeness({"sets": []}, prob, [], set())
>>> report.fails[0]
'face sets missing from the certificate (6 of 6): {} (all units dead), {+0}, {0+}, {++}, {+-}, {-+}'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq_mat

from solver.data import parse_rational
from solver.errors import SolverInputError
from solver.verify.arrangement import Problem, unit_faces
from solver.verify.box_point import preactivations
from solver.verify.complete_point import BITS, check_candidate, check_empty
from solver.verify.face_system import FaceSystem, prove_doubling, refine, sign, start_precision
from solver.verify.field import ParseError, RootField, parse_poly, to_fmpq

KINDS = ("decoupled", "pruned", "solution", "none")


class Face:
    """An alive face's data for the face systems (from the checker's own rebuild)."""

    def __init__(self, prob: Problem, pattern: str) -> None:
        one = FaceSystem(prob, [pattern], [0])
        self.pattern = pattern
        self.zero, self.plus = one.zero[0], one.plus[0]
        self.proj, self.XPi, self.P = one.proj[0], one.XPi[0], one.P[0]
        # points of nonzero sign whose pre-activation vanishes for every residual:
        # x~_i^T Pi x~_m = 0 for every seen m (an exact zero no ball can decide)
        self.structural = frozenset(
            i for i, ch in enumerate(pattern) if ch != "0" and all(
                _quad(self.proj, prob.xt[i], prob.xt[m]) == 0 for m in self.plus))


def _quad(proj: list[list[Fraction]], u: tuple, v: tuple) -> Fraction:
    return sum((u[a] * proj[a][b] * v[b] for a in range(len(u)) for b in range(len(v))),
               Fraction(0))


class SetSystem(FaceSystem):
    """The face system of a set, unit ``j`` being its ``j``-th face (cached face data)."""

    def __init__(self, prob: Problem, faces: list[Face]) -> None:  # noqa: D107
        self.prob, self.alive = prob, list(range(len(faces)))
        self.zero = {j: f.zero for j, f in enumerate(faces)}
        self.plus = {j: f.plus for j, f in enumerate(faces)}
        self.proj = {j: f.proj for j, f in enumerate(faces)}
        self.XPi = {j: f.XPi for j, f in enumerate(faces)}
        self.P = {j: f.P for j, f in enumerate(faces)}
        self.y = fmpq_mat(prob.n, 1, [to_fmpq(v) for v in prob.y])
        self._balls = None


class Solved:
    """A set's proved interior solution: enclosures of ``t`` per face, refined on demand."""

    def __init__(self, prob: Problem, faces: list[Face], Z: list[arb] | None, prec: int,
                 parts: list[Solved] | None = None, system: SetSystem | None = None) -> None:
        self.prob, self.faces, self.prec = prob, faces, prec
        self.patterns = [f.pattern for f in faces]
        self.system = system if system is not None else SetSystem(prob, faces)
        self.parts = parts
        self._Z: dict[int, list[arb]] = {0: Z} if Z is not None else {}
        self._r: dict[int, list[arb]] = {}
        self._values: dict[int, tuple] = {}

    def t(self, bits: int = 0) -> dict[str, arb]:
        """``t`` of every face (pattern), enclosed to about ``bits`` bits (0: as proved)."""
        if self.parts is not None:
            return {p: v for part in self.parts for p, v in part.t(bits).items()}
        if bits not in self._Z:
            self._Z[bits] = refine(self.system, self.system.alive, {}, self._Z[0],
                                   max(bits, self.prec))
        return dict(zip(self.patterns, self._Z[bits], strict=True))

    def work(self, bits: int = 0) -> int:
        """The working precision for quantities at this solution."""
        return max(bits, self.prec, 128) + 64

    def balls(self, bits: int = 0) -> dict[int, arb]:
        """``t`` by unit index of :attr:`system`."""
        t = self.t(bits)
        return {j: t[p] for j, p in enumerate(self.patterns)}

    def residual(self, bits: int = 0) -> list[arb]:
        """``r = A(t)^{-1} y`` as balls (``y`` itself for the empty set)."""
        if bits not in self._r:
            with ctx.workprec(self.work(bits)):
                if not self.faces:
                    self._r[bits] = [arb(to_fmpq(v)) for v in self.prob.y]
                else:
                    _, r = self.system.residual(self.balls(bits))
                    self._r[bits] = [r[i, 0] for i in range(self.prob.n)]
        return self._r[bits]

    def values(self, bits: int = 0
               ) -> tuple[list[arb], dict[int, list[arb]], dict[int, list[arb]]]:
        """Residual, directions ``u_j`` and pre-activations ``<u_j, x~_i>`` (cached)."""
        if bits not in self._values:
            r = self.residual(bits)
            with ctx.workprec(self.work(bits)):
                u = self.system.directions(arb_mat(self.prob.n, 1, r)) if self.faces else {}
                self._values[bits] = (r, u, preactivations(self.prob, u))
        return self._values[bits]


def name(faces) -> str:
    """A face set as ``{+0-, ++-}``, or the all-dead point."""
    return "{" + ", ".join(faces) + "}" + (" (all units dead)" if not faces else "")


def _names(sets, limit: int = 12) -> str:
    shown = [name(sorted(s, key=_order.get)) for s in sets[:limit]]
    more = f" and {len(sets) - limit} more" if len(sets) > limit else ""
    return ", ".join(shown) + more


_order: dict[str, int] = {}


@dataclass
class CompletenessReport:
    """The completeness section: summary lines and failures (each names its set)."""

    lines: list[str] = field(default_factory=list)
    fails: list[str] = field(default_factory=list)


def check_completeness(cert: dict, prob: Problem, minima: list[dict], ok: set[int]
                       ) -> CompletenessReport:
    """Re-check a ``completeness`` certificate (see the module docstring).

    ``minima`` is the result's list, ``ok`` the numbers (from 1) of the listed minima
    that passed their own checks. Raises :class:`NotImplementedError` for ``d > 2`` (the
    arrangement is not recomputed there).
    """
    out = CompletenessReport()
    sets = cert.get("sets")
    if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
        raise SolverInputError("result file: completeness.sets must be a list of objects")
    alive = [f.pattern for f in unit_faces(prob.xt) if f.dim > 0 and "+" in f.pattern]
    _order.clear()
    _order.update({p: j for j, p in enumerate(alive)})
    top = min(prob.units, len(alive))
    records = _coverage(sets, alive, top, out)
    faces = {p: Face(prob, p) for p in alive}
    orbits: dict[int, list[tuple[int, dict]]] = {}
    for number, entry in enumerate(minima, start=1):
        orbits.setdefault(entry["orbit"], []).append((number, entry))
    state = _State(prob, faces, orbits, ok)
    for S, record in sorted(records.items(), key=lambda kv: (len(kv[0]), kv[1][0])):
        _check_set(S, record[1], state, out)
    for o in sorted(set(orbits) - set(state.claims)):
        numbers = ", ".join(str(n) for n, _ in orbits[o])
        out.fails.append(f"minimum {numbers} (orbit {o}): claimed by no face set of the "
                         "certificate")
    for o, claimers in sorted(state.claims.items()):
        if len(claimers) > 1:
            out.fails.append(f"orbit {o} is claimed by several face sets: {_names(claimers)}")
    out.lines = _summary(len(records), len(alive), top, state) + out.lines
    return out


def _coverage(sets: list[dict], alive: list[str], top: int, out: CompletenessReport
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
                         f"{len(expected)}): {_names(missing)}")
    if duplicates:
        out.fails.append(f"face sets listed more than once: {_names(duplicates)}")
    for faces in foreign:
        out.fails.append(f"face set {name(faces)} is not a set of at most {top} distinct alive "
                         "faces of the arrangement (extra)")
    return listed


@dataclass
class _State:
    """What the checks of the sets so far established."""

    prob: Problem
    faces: dict[str, Face]
    orbits: dict[int, list[tuple[int, dict]]]
    ok: set[int]
    solved: dict[frozenset, Solved | None] = field(default_factory=dict)  # None: no solution
    bad: set[frozenset] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    claims: dict[int, list[frozenset]] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


def _check_set(S: frozenset, record: dict, state: _State, out: CompletenessReport) -> None:
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
                _solution(S, faces, record["solution"], state, where, fails)
            elif kind == "pruned":
                _pruned(S, faces, record["pruned"], state, where, fails)
            elif kind == "decoupled":
                _decoupled(S, faces, record["decoupled"], state, where, fails)
            else:
                fails.append(f"{where}: not supported: the solver found no interior solution by "
                             "exact elimination (a KKT multiplier is exactly zero); the checker "
                             "cannot re-derive that")
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


def _depends(S: frozenset, A: frozenset, state: _State, where: str, fails: list[str]) -> bool:
    """Whether subset ``A`` of ``S`` has a usable record (else a failure naming it)."""
    if not A < S:
        fails.append(f"{where}: {name(sorted(A, key=_order.get))} is not a proper subset")
    elif A in state.bad:
        fails.append(f"{where}: relies on {name(sorted(A, key=_order.get))}, whose record "
                     "failed")
    elif A not in state.solved:
        fails.append(f"{where}: relies on {name(sorted(A, key=_order.get))}, which is not "
                     "listed")
    else:
        return True
    return False


def _solution(S: frozenset, faces: list[str], roots: list, state: _State, where: str,
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
    system = SetSystem(prob, [state.faces[p] for p in faces])
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


def _pruned(S: frozenset, faces: list[str], claim: dict, state: _State, where: str,
            fails: list[str]) -> None:
    """Check (c): strict KKT at the subset's solution, or the tie and independence."""
    by, tied = list(claim["by"]), list(claim["tied"])
    A = frozenset(by)
    if not _depends(S, A, state, where, fails):
        return
    sol = state.solved[A]
    if sol is None:
        fails.append(f"{where}: pruned by {name(by)}, which has no interior solution")
        return
    if not set(tied) <= S - A:
        fails.append(f"{where}: tied faces {tied} are not faces of the set outside "
                     f"{name(by)}")
        return
    prob, lam2 = state.prob, arb(to_fmpq(state.prob.lam)) ** 2
    quiet = {i for i, v in enumerate(prob.y) if v == 0 and all(p[i] != "+" for p in by)}
    for b in sorted(S - A, key=_order.get):
        if b in tied:
            twin = next((a for a in by if _tie(a, b, quiet)), None)
            if twin is None:
                fails.append(f"{where}: face {b} is listed as tied, but no face of {name(by)} "
                             "has its zero set and its seen points up to points with y_i = 0")
                return
            continue
        P = state.faces[b].P

        def excess(bits: int, P: fmpq_mat = P) -> arb:
            with ctx.workprec(sol.work(bits)):
                r = arb_mat(prob.n, 1, sol.residual(bits))
                return (r.transpose() * arb_mat(P) * r)[0, 0] - lam2

        value, got = _decide(excess)
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

        value, got = _decide(gram)
        if got != 1:
            fails.append(f"{where}: pruned by {name(by)} with tied faces {tied}: the vectors "
                         "P_c r of the subset and tied faces are not proved independent (Gram "
                         f"determinant {float(value.mid()):.3g})")
            return
        state.count("pruned with ties")
    state.solved[S] = None


def _tie(a: str, b: str, quiet: set[int]) -> bool:
    """``b`` has ``a``'s zero set and sees the same points, up to ``quiet`` ones."""
    return all((x == "0") == (y == "0") for x, y in zip(a, b, strict=True)) and {
        i for i, x in enumerate(a) if x == "+"} - quiet == {i for i, y in enumerate(b)
                                                          if y == "+"} - quiet


def _decide(value_at) -> tuple[arb, int | None]:
    """The sign of ``value_at(bits)``, refining the solution it depends on."""
    value = arb(0)
    for bits in BITS:
        value = value_at(bits)
        got = sign(value)
        if got is not None:
            return value, got
    return value, None


def _decoupled(S: frozenset, faces: list[str], parts: list, state: _State, where: str,
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
        if not _depends(S, g, state, where, fails):
            return
        sols.append(state.solved[g])
    if any(sol is None for sol in sols):
        state.solved[S] = None
        return
    state.solved[S] = Solved(state.prob, [state.faces[p] for p in faces], None,
                             max(sol.prec for sol in sols), parts=sols)


def _summary(count: int, alive: int, top: int, state: _State) -> list[str]:
    c = state.counts.get
    return [
        f"certificate: {count} face sets of at most {top} distinct alive faces listed; the "
        f"arrangement, recomputed here, has {alive} alive faces",
        f"decoupled: {c('decoupled', 0)} (parts share no seen point); pruned: "
        f"{c('pruned', 0)} (strict KKT at the subset's proved solution; "
        f"{c('pruned with ties', 0)} with exact ties and independent P_c r); solution: "
        f"{c('solution', 0)} (Krawczyk: exactly one zero in the box); none: {c('none', 0)}",
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


__all__ = ["CompletenessReport", "Face", "SetSystem", "Solved", "check_completeness", "name"]

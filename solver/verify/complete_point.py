"""Completeness, steps (e) and (f): a face set's proved solution against its faces and
its verdict (see :mod:`solver.verify.completeness` for the theorems relied on).

At a set's interior solution the direction of face ``j`` is ``u_j = Pi_j X_j^T r``; by T1
the solution is a critical point of the network only if, for one sign ``sigma_j``,
``sigma_j <u_j, x~_i>`` has the face's sign at every point the face does not contain.

* **outside** (e): the certificate names a point ``i`` of face ``F`` whose pre-activation
  is *structurally* zero (``x~_i^T Pi x~_m = 0`` for every seen ``m``, checked exactly),
  zero *exactly* at this solution (given then by minimal polynomials: in their number
  field, the face equations and ``<u_F, x~_i>`` are exactly zero), or whose sign times the
  face's sign differs from that of point ``against`` (signs of balls at the proved
  solution, refined until decided).
* **inside** (f): the checker itself decides every sign. Then either ``minimum``: the
  listed orbits are the minima of this set (isolated when ``k = L`` or ``k = 0``, split
  sets when ``0 < k < L``), their units on exactly the set's faces, with
  ``sum a_l^2 / lam = t_F`` per face and ``sign(a_l) = sigma_F``, every image listed and,
  for ``k < L``, every split (one orbit per way of giving each face at least one unit);
  or ``descent``: the solver's reason is re-derived with the checker's own minimality
  checks (:mod:`solver.verify.box_point`) on the point with one unit per face and the
  others dead: a multiplier of the wrong sign at the named face and point, a negative
  leading minor of the face Hessian, or a dead unit growing along the named face. For
  ``0 < k < L`` the split sets' endpoints (some units dead) follow the record's
  ``closure``: listed at the solution when the checker's dead-unit check passes there,
  absent when the named dead-unit growth is re-derived.

Examples
--------
A set with no interior solution must not claim a verdict:

>>> check_empty({"faces": ["+-"], "pruned": {"by": [], "tied": []}, "minimum": [0]}, "set")
['set: has no interior solution but records minimum']
"""

from __future__ import annotations

import itertools
from collections import Counter

from flint import arb, ctx, fmpq, fmpq_poly

from solver.data import parse_rational
from solver.verify.arrangement import Problem, face_projectors
from solver.verify.box import exact_directions
from solver.verify.box_point import (
    Verdict,
    _dead_units,
    _first_order,
    _second_order,
)
from solver.verify.face_system import face_relations, sign
from solver.verify.field import ParseError, to_fmpq
from solver.verify.isolated import REL_TOL
from solver.verify.number_field import Elem, build_field

BITS = (0, 512, 2048)  # refinements of a proved solution before a sign is given up


def check_empty(record: dict, where: str) -> list[str]:
    """A set without interior solution records no outside reason and no verdict."""
    extra = [k for k in ("outside", "minimum", "descent") if k in record]
    return [f"{where}: has no interior solution but records {', '.join(extra)}"] if extra else []


def _sign_at(sol, j: int, i: int) -> int | None:
    """The sign of ``<u_j, x~_i>``, refining the solution (None: undecided)."""
    for bits in BITS:
        got = sign(sol.values(bits)[2][j][i])
        if got is not None:
            return got
    return None


def face_signs(sol) -> tuple[str, object]:
    """``("inside", sigmas)``, ``("outside", (j, i, why, against))`` or
    ``("undecided", (j, i))`` for the solution's directions against their faces."""
    sigmas = []
    for j, face in enumerate(sol.faces):
        sigma, first = 0, None
        for i, want in enumerate(face.pattern):
            if want == "0":
                continue
            if i in face.structural:
                return "outside", (j, i, "zero", None)
            got = _sign_at(sol, j, i)
            if got is None:
                return "undecided", (j, i)
            this = got * (1 if want == "+" else -1)
            if this == 0:
                return "outside", (j, i, "sign", first)
            if sigma == 0:
                sigma, first = this, i
            elif this != sigma:
                return "outside", (j, i, "sign", first)
        sigmas.append(sigma)
    return "inside", sigmas


def check_candidate(record: dict, sol, prob: Problem, orbits: dict, ok: set[int],
                    where: str) -> tuple[str, list[str]]:
    """Steps (e) and (f) for a set with a proved solution: ``(what, failures)``."""
    verdicts = [k for k in ("outside", "minimum", "descent") if k in record]
    if len(verdicts) != 1:
        return "", [f"{where}: has an interior solution; expected exactly one of outside, "
                    f"minimum, descent, got {verdicts or 'none'}"]
    try:
        if verdicts[0] == "outside":
            return _outside(record["outside"], sol, record.get("solution"), where)
        status, info = face_signs(sol)
        if status == "undecided":
            j, i = info
            return "", [f"{where}: cannot decide the sign of the pre-activation of point {i} "
                        f"on face {sol.patterns[j]} at the solution"]
        if status == "outside":
            j, i, why, against = info
            detail = ("is structurally zero" if why == "zero" else
                      f"has the wrong sign (against point {against})" if against is not None
                      else "is zero")
            return "", [f"{where}: claims its solution lies in its faces, but on face "
                        f"{sol.patterns[j]} the pre-activation of point {i} {detail}"]
        if verdicts[0] == "minimum":
            what, fails = _minimum(record["minimum"], sol, info, prob, orbits, ok, where)
            if not fails:
                fails = _closure(record, sol, info, prob, orbits, where)
            return what, fails
        return _descent(record["descent"], sol, info, prob, where)
    except (TypeError, KeyError, ValueError, IndexError, ParseError) as exc:
        return "", [f"{where}: malformed {verdicts[0]} ({type(exc).__name__}: {exc})"]


def _outside(claim: dict, sol, roots: list | None, where: str) -> tuple[str, list[str]]:
    """Step (e): the named pre-activation is structurally zero, or has the wrong sign."""
    face, i, why = claim["face"], claim["point"], claim["why"]
    if face not in sol.patterns:
        return "", [f"{where}: outside: face {face} is not in the set"]
    j = sol.patterns.index(face)
    if not isinstance(i, int) or not 0 <= i < len(face) or face[i] == "0":
        return "", [f"{where}: outside: point {i} is not a point of nonzero sign on face {face}"]
    if why == "zero":
        if i in sol.faces[j].structural:
            return "outside: structural zero", []
        return "", [f"{where}: outside: the pre-activation of point {i} on face {face} is not "
                    "structurally zero"]
    if why == "exact zero":
        bad = _exact_zero(roots, sol, j, i)
        if not bad:
            return "outside: exact zero", []
        return "", [f"{where}: outside: the pre-activation of point {i} on face {face} is not "
                    f"proved exactly zero ({bad})"]
    if why != "sign":
        return "", [f"{where}: outside: unknown reason {why!r}"]
    against = claim.get("against")
    if not isinstance(against, int) or not 0 <= against < len(face) or face[against] == "0":
        return "", [f"{where}: outside: point {against} is not a point of nonzero sign on face "
                    f"{face}"]
    got = [_sign_at(sol, j, p) for p in (i, against)]
    if None in got:
        return "", [f"{where}: outside: cannot decide the signs at points {i}, {against} on "
                    f"face {face}"]
    want = [1 if face[p] == "+" else -1 for p in (i, against)]
    if got[0] * want[0] != got[1] * want[1] and 0 not in got:
        return "outside: wrong sign", []
    return "", [f"{where}: claims its solution is outside its faces, but on face {face} the "
                f"pre-activations of points {i} and {against} have the face's signs for one "
                "sign of a"]


def _exact_zero(roots: list | None, sol, j: int, i: int) -> str:
    """'' when ``<u_j, x~_i> = 0`` exactly at the solution given by ``roots`` (minimal
    polynomials): in their field the face equations vanish, so the roots are the proved
    zero, and so does the pre-activation. Otherwise why not."""
    if not roots or any(r["minpoly"] is None for r in roots):
        return "the solution must be given by minimal polynomials"
    prob, system = sol.prob, sol.system
    names = [r["name"] for r in roots]
    entries = [(r["name"], r["minpoly"], *(parse_rational(v, "interval") for v in r["interval"]))
               for r in roots]
    relations: tuple = ()
    if len(names) >= 2:
        relations = face_relations(system, dict(zip(system.alive, names, strict=True)))
    K, images = build_field(entries, relations)
    const = lambda q: Elem(fmpq_poly([q]), K.m)  # noqa: E731
    ts = {ell: images[name_] for ell, name_ in zip(system.alive, names, strict=True)}
    _, us = exact_directions(prob, system, ts, K)
    lam2 = const(to_fmpq(prob.lam) ** 2)
    for ell in system.alive:
        u = us[ell]
        if not K.is_zero(sum((v * v for v in u), -lam2).p):
            return f"the roots do not solve the face equation of face {sol.patterns[ell]}"
        if ell == j:
            xi = sum((v * const(to_fmpq(prob.xt[i][c])) for c, v in enumerate(u)),
                     const(fmpq(0)))
            if not K.is_zero(xi.p):
                return "it is not zero in the roots' number field"
    return ""


def _minimum(numbers: list, sol, sigmas: list[int], prob: Problem, orbits: dict, ok: set[int],
             where: str) -> tuple[str, list[str]]:
    """Step (f), minima: the listed orbits are this set's, at its solution, all of them."""
    k, L, n = len(sol.faces), prob.units, prob.n
    if not numbers:
        return "", [f"{where}: minimum lists no orbit"]
    dead = "0" * n
    with ctx.workprec(sol.work()):
        t = {p: float(v.mid()) for p, v in sol.t().items()}
    sign_of = dict(zip(sol.patterns, sigmas, strict=True))
    splits = []
    for o in numbers:
        members = orbits.get(o)
        if not members:
            return "", [f"{where}: certified a minimum (orbit {o}), but minima lists no orbit "
                        f"{o}"]
        kind = "isolated" if k in (0, L) else "curve"
        first = members[0][1]["pattern"]
        for number, entry in members:
            pattern = entry["pattern"]
            faces_ok = (set(pattern) == {dead} if k == 0 else
                        set(pattern) == set(sol.patterns) and dead not in pattern)
            if entry["kind"] != kind or not faces_ok:
                return "", [f"{where}: minimum {number} (orbit {o}) is a {entry['kind']} on "
                            f"the faces {pattern}, not a{'n' if kind == 'isolated' else ''} "
                            f"{kind} of this set"]
            if number not in ok:
                return "", [f"{where}: minimum {number} (orbit {o}) did not pass its own checks "
                            "(see its line above)"]
            points = [entry] if kind == "isolated" else entry["samples"]
            for point in points:
                bad = _same_point(point, pattern, t, sign_of, prob)
                if bad:
                    return "", [f"{where}: minimum {number} (orbit {o}) is not at the set's "
                                f"solution: {bad}"]
        images = {tuple(e["pattern"]) for _, e in members}
        every = set(itertools.permutations(first))
        if images != every:
            missing = sorted(every - images)
            return "", [f"{where}: certified a minimum (orbit {o}), but minima lists "
                        f"{len(images)} of its {len(every)} images (missing "
                        f"{[list(m) for m in missing[:3]]})"]
        splits.append(tuple(Counter(first)[p] for p in sol.patterns))
    # one orbit per split: the number of units on each face (each face at least one)
    compositions = {c for c in itertools.product(range(1, L + 1), repeat=k) if sum(c) == L}
    if k > 0 and (len(splits) != len(set(splits)) or set(splits) != compositions):
        missing = sorted(compositions - set(splits))
        return "", [f"{where}: certified a minimum, but minima lists {len(set(splits))} of its "
                    f"{len(compositions)} orbits, one per way of giving each face at least one "
                    f"unit (missing units per face: {missing[:3]})"]
    return "minimum", []


def _closure(record: dict, sol, sigmas: list[int], prob: Problem, orbits: dict, where: str
             ) -> list[str]:
    """The split sets' endpoints (``0 < k < L``): listed at the solution when the
    dead-unit condition holds there, absent when a dead unit grows (re-derived)."""
    k, L = len(sol.faces), prob.units
    closure = record.get("closure")
    if not 0 < k < L:
        return [f"{where}: records a closure, but it has no split sets"] if closure else []
    entries = [e for o in record["minimum"] for _, e in orbits[o]]
    if closure == "minima":
        dead = list(range(k, L))
        pattern = sol.patterns + ["0" * prob.n] * (L - k)
        for bits in BITS:
            out = Verdict()
            with ctx.workprec(sol.work(bits)):
                _dead_units(dead, pattern, list(range(k)), sol.residual(bits), prob, out)
            if out.fails or not out.undecided:
                break
        if out.fails or out.undecided:
            return [f"{where}: closure: the endpoints with dying units are claimed minima, but "
                    f"{(out.fails or out.undecided)[0]}"]
        with ctx.workprec(sol.work()):
            t = {p: float(v.mid()) for p, v in sol.t().items()}
        sign_of = dict(zip(sol.patterns, sigmas, strict=True))
        for entry in entries:
            if not entry["endpoints"]:
                return [f"{where}: closure: the endpoints are minima, but a split set of orbit "
                        f"{entry['orbit']} lists none"]
            for point in entry["endpoints"]:
                bad = _same_point(point, entry["pattern"], t, sign_of, prob, dying=True)
                if bad:
                    return [f"{where}: closure: an endpoint of orbit {entry['orbit']} is not at "
                            f"the set's solution: {bad}"]
        return []
    if not isinstance(closure, dict) or closure.get("kind") != "dead":
        return [f"{where}: a minimum with split sets needs its closure: minima or a dead-unit "
                "descent"]
    for bits in BITS:
        got = dead_growth(closure["face"], sol.residual(bits), prob, sol.work(bits))
        if got is not None:
            break
    if not got:
        return [f"{where}: closure: the solver's reason {closure.get('reason', 'dead')!r} is not "
                f"re-derived: along face {closure['face']} a dead unit gains at most lam |w| (or "
                "the maximiser is not inside the face)"]
    listed = [e["orbit"] for e in entries if e["endpoints"]]
    if listed:
        return [f"{where}: closure: a dead unit grows, yet orbit {listed[0]} lists endpoints"]
    return []


def _same_point(point: dict, pattern: list[str], t: dict[str, float], sign_of: dict,
                prob: Problem, dying: bool = False) -> str:
    """'' when ``sum a_l^2 / lam`` per face is its ``t`` and ``sign(a_l)`` its sigma
    (``dying``: units with ``a_l = 0`` are dead, as at a split set's endpoints)."""
    lam = float(prob.lam)
    total: dict[str, float] = {p: 0.0 for p in set(pattern) if p in t}
    for ell, face in enumerate(pattern):
        a = point["a"][ell]
        if face not in t or (dying and a == 0):
            continue
        if a == 0 or (a > 0) != (sign_of[face] > 0):
            return f"unit {ell} has a = {a!r}, of the wrong sign for face {face}"
        total[face] = total.get(face, 0.0) + a * a / lam
    for face, value in total.items():
        if abs(value - t[face]) > REL_TOL * max(abs(t[face]), 1.0):
            return f"sum a_l^2 / lam on face {face} is {value!r}, the solution has {t[face]!r}"
    return ""


def _descent(claim: dict, sol, sigmas: list[int], prob: Problem, where: str
             ) -> tuple[str, list[str]]:
    """Step (f), descents: the solver's reason re-derived by the checker's own checks."""
    kind, reason = claim["kind"], claim.get("reason", claim["kind"])
    if kind in ("off", "on"):
        face, i = claim["face"], claim["point"]
        if face not in sol.patterns or not 0 <= i < prob.n or face[i] != "0":
            return "", [f"{where}: descent: point {i} is not on the boundary of a face {face} "
                        "of the set"]
        j = sol.patterns.index(face)
        expected = (f"unit {j}, point {i}: moving to <b_l,x_i>+c_l {'<' if kind == 'off' else '>'}"
                    " 0 decreases the loss (multiplier has the wrong sign)")
        for bits in BITS:
            out = _first(sol, sigmas, prob, bits, [j])
            if expected in out.fails:
                return "descent: multiplier", []
            if not any(f"unit {j} at point {i}" in u for u in out.undecided):
                break
        return "", [f"{where}: the solver's reason {reason!r} is not re-derived: the checker "
                    f"finds the multiplier of point {i} on face {face} of the right sign"]
    if kind == "hessian":
        for bits in BITS:
            out = _first(sol, sigmas, prob, bits, list(range(len(sol.faces))), hessian=True)
            if any(f.startswith("Hessian on the face is not positive definite")
                   for f in out.fails):
                return "descent: hessian", []
            if not out.undecided:
                break
        return "", [f"{where}: the solver's reason {reason!r} is not re-derived: the checker "
                    "finds every leading minor of the face Hessian positive"]
    if kind == "dead":
        if len(sol.faces) >= prob.units:
            return "", [f"{where}: descent by a dead unit, but the set leaves no unit dead"]
        for bits in BITS:
            got = dead_growth(claim["face"], sol.residual(bits), prob, sol.work(bits))
            if got is not None:
                break
        if got:
            return "descent: dead unit", []
        return "", [f"{where}: the solver's reason {reason!r} is not re-derived: along face "
                    f"{claim['face']} a dead unit gains at most lam |w| (or the maximiser is "
                    "not inside the face)"]
    return "", [f"{where}: descent: unknown kind {kind!r}"]


def _first(sol, sigmas: list[int], prob: Problem, bits: int, units: list[int],
           hessian: bool = False) -> Verdict:
    """The checker's first-order checks of ``units`` (and the face Hessian) at the point
    with one unit per face."""
    r, u, xi = sol.values(bits)
    out = Verdict()
    with ctx.workprec(sol.work(bits)):
        t = sol.balls(bits)
        nulls = {j: _first_order(j, sigmas[j], u[j], r, sol.system, prob, out) for j in units}
        if hessian:
            scratch = Verdict()  # the solver found the multipliers fine: only the Hessian
            _second_order(sol.system, nulls, t, xi, r, prob, scratch)
            out.fails += scratch.fails
            out.undecided += scratch.undecided
    return out


def dead_growth(pattern: str, r: list[arb], prob: Problem, prec: int) -> bool | None:
    """Whether a dead unit grows along face ``pattern``: the maximiser of
    ``|sum_i r_i ReLU(<w, x~_i>)|`` on the face's unit sphere, ``+-p`` with ``p`` the
    projection of ``sum_{i seen} r_i x~_i``, lies inside the face and ``|p| > lam``.
    None when undecided."""
    found = [proj for face, proj in face_projectors(prob.xt) if face.pattern == pattern]
    if not found or "+" not in pattern:
        return False
    proj, k = found[0], prob.k
    with ctx.workprec(prec):
        q = lambda v: arb(to_fmpq(v))  # noqa: E731
        m = [sum((r[i] * q(prob.xt[i][c]) for i, ch in enumerate(pattern) if ch == "+"),
                 arb(0)) for c in range(k)]
        p = [sum((m[c] * q(proj[j][c]) for c in range(k)), arb(0)) for j in range(k)]
        excess = sign(sum((v * v for v in p), arb(0)) - q(prob.lam) ** 2)
        signs = [sign(sum((p[j] * q(x[j]) for j in range(k)), arb(0))) for x in prob.xt]
    if excess is None:
        return None
    if excess <= 0:
        return False
    wanted = [1 if ch == "+" else -1 for ch in pattern if ch != "0"]
    got = [s for s, ch in zip(signs, pattern, strict=True) if ch != "0"]
    if None in got:
        return None
    return any(all(g * orient == w for g, w in zip(got, wanted, strict=True))
               for orient in (1, -1))


__all__ = ["check_candidate", "check_empty", "dead_growth", "face_signs"]

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
  checks (:mod:`solver.verify.minimality`) on the point with one unit per face and the
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

from flint import fmpq, fmpq_poly

from solver.data import parse_rational
from solver.problem import Problem
from solver.verify.complete_descents import check_descent
from solver.verify.complete_minima import check_closure, check_minimum
from solver.verify.face_system import exact_directions, face_relations
from solver.verify.field import Elem
from solver.verify.formula import ParseError
from solver.verify.number_field import build_field


def check_empty(record: dict, where: str) -> list[str]:
    """A set without interior solution records no outside reason and no verdict."""
    extra = [k for k in ("outside", "minimum", "descent") if k in record]
    return [f"{where}: has no interior solution but records {', '.join(extra)}"] if extra else []


def direction_signs(sol) -> tuple[str, object]:
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
            got = sol.sign_at(j, i)
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
            claim = record["outside"]  # a decoupled set's exact solution: in the claim
            return _outside(claim, sol, claim.get("s", record.get("solution")), where)
        status, info = direction_signs(sol)
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
            what, fails = check_minimum(record["minimum"], sol, info, prob, orbits, ok, where)
            if not fails:
                fails = check_closure(record, sol, info, prob, orbits, where)
            return what, fails
        return check_descent(record["descent"], sol, info, prob, where)
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
    got = [sol.sign_at(j, p) for p in (i, against)]
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
    lam2 = const(prob.lam_q ** 2)
    for ell in system.alive:
        u = us[ell]
        if not K.is_zero(sum((v * v for v in u), -lam2).p):
            return f"the roots do not solve the face equation of face {sol.patterns[ell]}"
        if ell == j:
            xi = sum((v * const(prob.lifted_q[i][c]) for c, v in enumerate(u)),
                     const(fmpq(0)))
            if not K.is_zero(xi.p):
                return "it is not zero in the roots' number field"
    return ""


__all__ = ["check_candidate", "check_empty", "direction_signs"]

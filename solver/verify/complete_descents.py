"""Completeness, step (f) for a set whose solution lies in its faces: the solver's descent.

The solver's reason is re-derived with the checker's own minimality checks
(:mod:`solver.verify.minimality`, in balls) on the point with one unit per face and the
others dead: a multiplier of the wrong sign at the named face and point, a negative
leading minor of the face Hessian, or a dead unit growing along the named face.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.problem import Problem
>>> prob = Problem(((F(0),), (F(1),)), (F(1), F(0)), F(1, 10), 1)
>>> check_descent({"kind": "sideways"}, None, [], prob, "set")
('', ["set: descent: unknown kind 'sideways'"])
"""

from __future__ import annotations

from flint import ctx

from solver.problem import Problem
from solver.verify.arithmetic import Balls
from solver.verify.complete_solution import BITS
from solver.verify.findings import Findings
from solver.verify.minimality import dead_growth, first_order, second_order


def check_descent(claim: dict, sol, sigmas: list[int], prob: Problem, where: str
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
            with ctx.workprec(sol.work(bits)):
                got = dead_growth(Balls(), claim["face"], sol.residual(bits), prob)
            if got is not None:
                break
        if got:
            return "descent: dead unit", []
        return "", [f"{where}: the solver's reason {reason!r} is not re-derived: along face "
                    f"{claim['face']} a dead unit gains at most lam |w| (or the maximiser is "
                    "not inside the face)"]
    return "", [f"{where}: descent: unknown kind {kind!r}"]


def _first(sol, sigmas: list[int], prob: Problem, bits: int, units: list[int],
           hessian: bool = False) -> Findings:
    """The checker's first-order checks of ``units`` (and the face Hessian) at the point
    with one unit per face."""
    r, u, xi = sol.values(bits)
    out, A = Findings(), Balls()
    patterns = dict(enumerate(sol.patterns))
    with ctx.workprec(sol.work(bits)):
        t = sol.balls(bits)
        nulls = {j: first_order(A, j, sigmas[j], u[j], xi[j], r, patterns[j], prob, out)
                 for j in units}
        if hessian:
            scratch = Findings()  # the solver found the multipliers fine: only the Hessian
            second_order(A, nulls, t, xi, r, patterns, prob, scratch)
            out.fails += scratch.fails
            out.undecided += scratch.undecided
    return out


__all__ = ["check_descent"]

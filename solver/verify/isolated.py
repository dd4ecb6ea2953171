"""Exact re-check of one isolated minimum from its ``exact`` description.

Everything lives in one number field ``Q(z)`` (:class:`~solver.verify.field.RootField`;
several roots ``s0, s1, ...`` are first joined by a primitive element,
:mod:`solver.verify.number_field`). With ``u_l = (b, c)`` and ``t_l = t`` the point is
``a_l = sign*sqrt(lam t_l)``, ``w_l = (a_l/lam) u_l``, so ``a_l <w_l, x~_i> = t_l <u_l, x~_i>``;
the residuals ``r_i``, the loss and every first- and second-order quantity (after scaling
unit ``l``'s directions by ``a_l``) are elements of ``Q(z)`` whose signs are decided
exactly (the checks of :mod:`solver.verify.minimality` in :class:`~solver.verify.arithmetic.
Exact`). Only the square roots in ``a`` are irrational, and they are compared with the
floats through ``arb`` balls.

Examples
--------
One unit, one point ``x = 0, y = 1``, ``lam = 1/2``: the loss ``(1 - ac)^2 + (a^2 + b^2 +
c^2)/2`` has its minimum at ``b = 0, a = c = sqrt(1/2)``, loss ``3/4``; so ``t = a^2/lam = 1``
and ``u = lam (b, c) / a = (0, 1/2)`` (``z`` is a dummy root of ``z - 1``).

>>> from fractions import Fraction as F
>>> from solver.problem import Problem
>>> prob = Problem(((F(0),),), (F(1),), F(1, 2), 1)
>>> entry = {"B": [[0.0]], "c": [0.5 ** 0.5], "a": [0.5 ** 0.5], "loss": 0.75,
...          "pattern": ["+"], "active": [], "exact": {"z": {"minpoly": "z - 1",
...          "interval": ["0", "2"]}, "units": [{"sign": 1, "t": "1", "b": ["0"], "c": "1/2"}]}}
>>> check_isolated(entry, prob).fails
[]
"""

from __future__ import annotations

from flint import ctx, fmpq_poly

from solver.data import parse_rational
from solver.errors import SolverInputError
from solver.problem import Problem
from solver.verify.arithmetic import Exact
from solver.verify.face_system import PatternSystem, face_relations
from solver.verify.field import RootField, parse_in_field
from solver.verify.findings import Findings
from solver.verify.formula import ParseError
from solver.verify.minimality import check_point, check_signs, preactivations
from solver.verify.number_field import build_field


def check_isolated(entry: dict, prob: Problem) -> Findings:
    """Re-check an isolated minimum (a schema-checked JSON entry) exactly.

    Returns the :class:`~solver.verify.findings.Findings`; no exception for bad content,
    which is reported as a failure.
    """
    out = Findings()
    try:
        K, signs, ts, us = _parse_exact(entry["exact"], prob, entry["pattern"])
    except (ParseError, ValueError, SolverInputError, ZeroDivisionError) as exc:
        out.fails.append(f"exact: {exc}")
        return out
    for ell, (s, t) in enumerate(zip(signs, ts, strict=True)):
        tsign = K.sign(t)
        if s == 0 and tsign != 0:
            out.fails.append(f"exact: unit {ell} has sign 0 but t(z) = {K.approx(t):.6g} != 0")
        elif s != 0 and tsign <= 0:
            out.fails.append(f"exact: unit {ell} has t(z) = {K.approx(t):.6g} <= 0")
    if out.fails:
        return out
    A = Exact(K)
    xi = preactivations(A, prob, dict(enumerate(us)))
    sg = [[s * K.sign(v) for v in xi[ell]] for ell, s in enumerate(signs)]
    check_signs(entry, sg, lambda ell, i: K.approx(xi[ell][i]), out)
    if out.fails:
        return out
    resid = [A.red(A.q(prob.y[i]) - sum((ts[ell] * xi[ell][i] for ell in range(prob.units)
                                         if sg[ell][i] > 0), fmpq_poly())) for i in range(prob.n)]
    alive = [ell for ell in range(prob.units) if signs[ell] != 0]
    with ctx.workprec(256):  # (for the floats; every sign is decided exactly)
        check_point(A, entry, prob, signs, {ell: ts[ell] for ell in alive},
                    {ell: us[ell] for ell in alive}, xi, resid, out,
                    dirs={ell: (signs[ell], us[ell]) for ell in alive})
    return out


def _parse_exact(exact: dict, prob: Problem, pattern: list[str]
                 ) -> tuple[RootField, list[int], list, list]:
    """Build ``Q(z)`` and the per-unit sign, ``t`` and ``u = (b, c)`` polynomials."""
    roots = []
    for root in ([dict(exact["z"], name="z")] if "z" in exact else exact["s"]):
        lo, hi = (parse_rational(v, f"interval of {root['name']}") for v in root["interval"])
        roots.append((root["name"], root["minpoly"], lo, hi))
    K, images = build_field(roots, _relations(exact, prob, pattern, [r[0] for r in roots]))
    signs, ts, us = [], [], []
    for unit in exact["units"]:
        signs.append(unit["sign"])
        ts.append(parse_in_field(unit["t"], K, images))
        us.append([parse_in_field(p, K, images) for p in [*unit["b"], unit["c"]]])
    return K, signs, ts, us


def _relations(exact: dict, prob: Problem, pattern: list[str], names: list[str]) -> tuple:
    """Hints for :func:`~solver.verify.number_field.build_field`: when every alive unit's ``t``
    is its own root, the numerators of the face equations rebuilt from the pattern (they
    vanish at the point if it is what it claims; the field certifies what it uses)."""
    alive = [ell for ell, u in enumerate(exact["units"]) if u["sign"] != 0]
    variables = {ell: exact["units"][ell]["t"].strip() for ell in alive}
    if len(names) < 2 or sorted(variables.values()) != sorted(names):
        return ()
    try:
        return face_relations(PatternSystem(prob, pattern, alive), variables)
    except Exception:  # noqa: BLE001 - only a hint: without it the field is built anyway
        return ()

"""Exact re-check of one isolated minimum from its ``exact`` description.

Everything lives in one number field ``Q(z)`` (:class:`~solver.verify.field.RootField`;
several roots ``s0, s1, ...`` are first joined by a primitive element,
:mod:`solver.verify.number_field`). With ``u_l = (b, c)`` and ``t_l = t`` the point is
``a_l = sign*sqrt(lam t_l)``, ``w_l = (a_l/lam) u_l``, so ``a_l <w_l, x~_i> = t_l <u_l, x~_i>``;
the residuals ``r_i``, the loss and every first- and second-order quantity (after scaling
unit ``l``'s directions by ``a_l``) are elements of ``Q(z)`` whose signs are decided
exactly. Only the square roots in ``a`` are irrational, and they are compared with the
floats through ``arb`` balls.

Examples
--------
One unit, one point ``x = 0, y = 1``, ``lam = 1/2``: the loss ``(1 - ac)^2 + (a^2 + b^2 +
c^2)/2`` has its minimum at ``b = 0, a = c = sqrt(1/2)``, loss ``3/4``; so ``t = a^2/lam = 1``
and ``u = lam (b, c) / a = (0, 1/2)`` (``z`` is a dummy root of ``z - 1``).

>>> from fractions import Fraction as F
>>> from solver.verify.arrangement import Problem
>>> prob = Problem(((F(0), F(1)),), (F(1),), F(1, 2), 1)
>>> entry = {"B": [[0.0]], "c": [0.5 ** 0.5], "a": [0.5 ** 0.5], "loss": 0.75,
...          "pattern": ["+"], "active": [], "exact": {"z": {"minpoly": "z - 1",
...          "interval": ["0", "2"]}, "units": [{"sign": 1, "t": "1", "b": ["0"], "c": "1/2"}]}}
>>> check_isolated(entry, prob).fails
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq_poly

from solver.data import parse_rational
from solver.errors import SolverInputError
from solver.verify.arrangement import Problem, dot, face_projectors, inverse, rank
from solver.verify.face_system import FaceSystem, face_relations
from solver.verify.field import ParseError, RootField, to_fmpq
from solver.verify.number_field import build_field, parse_in_field

REL_TOL = 1e-9


@dataclass
class Findings:
    """What the checks of one minimum found: failures, notes, unsupported parts."""

    fails: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def _q(value: Fraction) -> fmpq_poly:
    """A rational as a constant polynomial."""
    return fmpq_poly([to_fmpq(value)])


def multiplier_fails(ell: int, i: int, off: int, on: int) -> list[str]:
    """Why unit ``ell``'s multiplier at its active point ``i`` fails, from two signs.

    ``off`` is the sign of the loss's slope when the point is switched off, times -1
    (``<b_l,x_i>+c_l < 0``), ``on`` that when it is switched on; a strict minimum needs
    ``off < 0 < on``.

    >>> multiplier_fails(0, 3, -1, 1)
    []
    >>> [why.split(": ")[1][:30] for why in multiplier_fails(0, 3, 1, 0)]
    ['moving to <b_l,x_i>+c_l < 0 de', 'multiplier exactly on its boun']
    """
    fails = []
    if off > 0:
        fails.append(f"unit {ell}, point {i}: moving to <b_l,x_i>+c_l < 0 decreases the "
                     "loss (multiplier has the wrong sign)")
    if on < 0:
        fails.append(f"unit {ell}, point {i}: moving to <b_l,x_i>+c_l > 0 decreases the "
                     "loss (multiplier has the wrong sign)")
    if off == 0 or on == 0:
        fails.append(f"unit {ell}, point {i}: multiplier exactly on its bound "
                     "(degenerate; strict minimality not certified)")
    return fails


def check_isolated(entry: dict, prob: Problem) -> Findings:
    """Re-check an isolated minimum (a schema-checked JSON entry) exactly.

    Returns the :class:`Findings`; no exception for bad content, which is reported as
    a failure.
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
    xi = [[K.red(sum((u[j] * _q(x[j]) for j in range(prob.k)), fmpq_poly()))
           for x in prob.xt] for u in us]
    sg = [[s * K.sign(v) for v in row] for s, row in zip(signs, xi, strict=True)]
    _check_signs(entry, sg, K, xi, out)
    if out.fails:
        return out
    resid = [_q(prob.y[i]) - sum((ts[ell] * xi[ell][i] for ell in range(prob.units)
                                  if sg[ell][i] > 0), fmpq_poly()) for i in range(prob.n)]
    resid = [K.red(r) for r in resid]
    _check_floats(entry, K, signs, ts, us, resid, prob, out)
    alive = [ell for ell in range(prob.units) if signs[ell] != 0]
    nulls = {}
    for ell in alive:
        nulls[ell] = _first_order(ell, K, signs[ell], us[ell], xi[ell], sg[ell], resid, prob, out)
    if not out.fails and not out.unsupported and alive:
        _second_order(alive, nulls, K, ts, xi, sg, resid, prob, out)
    dead = [ell for ell in range(prob.units) if signs[ell] == 0]
    if dead:
        _dead_units(dead, K, [(signs[ell], us[ell]) for ell in alive], alive, resid, prob, out)
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
        return face_relations(FaceSystem(prob, pattern, alive), variables)
    except Exception:  # noqa: BLE001 - only a hint: without it the field is built anyway
        return ()


def _check_signs(entry: dict, sg: list[list[int]], K: RootField, xi: list, out: Findings) -> None:
    """``active`` pairs exactly zero, the others exactly of the ``pattern``'s sign."""
    listed = {tuple(p) for p in entry["active"]}
    for ell, row in enumerate(sg):
        for i, s in enumerate(row):
            exact = "+" if s > 0 else "-" if s < 0 else "0"
            if (i, ell) in listed and s != 0:
                out.fails.append(f"active constraint ({i}, {ell}) not exactly zero "
                                 f"(<u_l, x_i> = {K.approx(xi[ell][i]):.3g})")
            elif (i, ell) not in listed and s == 0:
                out.fails.append(f"constraint ({i}, {ell}) is exactly zero but not in active")
            if entry["pattern"][ell][i] != exact:
                out.fails.append(f"pattern[{ell}][{i}] is '{entry['pattern'][ell][i]}' but the "
                                 f"exact sign of <b_l,x_i>+c_l is '{exact}'")


def _check_floats(entry: dict, K: RootField, signs: list[int], ts: list, us: list,
                  resid: list, prob: Problem, out: Findings) -> None:
    """The floats ``B, c, a`` and ``loss`` against the exact point (relative 1e-9)."""
    lam = to_fmpq(prob.lam)
    with ctx.workprec(256):
        exact_vals: list[tuple[str, arb, float]] = []
        for ell in range(prob.units):
            a = arb(signs[ell]) * (arb(lam) * K.ball(ts[ell])).sqrt() if signs[ell] else arb(0)
            exact_vals.append((f"a[{ell}]", a, entry["a"][ell]))
            for j in range(prob.k):
                name = f"B[{ell}][{j}]" if j < prob.k - 1 else f"c[{ell}]"
                given = entry["B"][ell][j] if j < prob.k - 1 else entry["c"][ell]
                exact_vals.append((name, a / arb(lam) * K.ball(us[ell][j]), given))
        scale = max([abs(float(v.mid())) for _, v, _ in exact_vals] + [1e-12])
        for name, value, given in exact_vals:
            if abs(float((value - arb(given)).mid())) > REL_TOL * scale:
                out.fails.append(f"{name} = {given!r} but the exact point has "
                                 f"{float(value.mid())!r}")
        loss = sum((r * r for r in resid), fmpq_poly())
        for ell in range(prob.units):
            loss += ts[ell] * (_q(prob.lam ** 2) + sum((u * u for u in us[ell]), fmpq_poly()))
        exact_loss = K.ball(K.red(loss))
        if abs(float((exact_loss - arb(entry["loss"])).mid())) > REL_TOL * max(
                abs(float(exact_loss.mid())), 1e-300):
            out.fails.append(f"loss = {entry['loss']!r} but the exact loss is "
                             f"{float(exact_loss.mid())!r}")


def _first_order(ell: int, K: RootField, s: int, u: list, xi_l: list, sg_l: list[int],
                 resid: list, prob: Problem, out: Findings) -> list:
    """Stationarity in ``a_l`` and in the face, and the multiplier signs, exactly.

    Returns a rational basis of the face's directions for unit ``l``.
    """
    from solver.verify.arrangement import nullspace

    plus = [i for i in range(prob.n) if sg_l[i] > 0]
    zero = [i for i in range(prob.n) if sg_l[i] == 0]
    ga = sum((resid[i] * xi_l[i] for i in plus), fmpq_poly()) - _q(prob.lam ** 2)
    if not K.is_zero(ga):
        out.fails.append(f"unit {ell}: d loss / d a_l is not 0 (sum r_i <u_l,x_i> - lam^2 = "
                         f"{K.approx(ga):.3g}): not a critical point")
    rows = [prob.xt[i] for i in zero]
    if zero and rank(rows, prob.k) < len(zero):
        out.unsupported.append(f"unit {ell}: active points {zero} have dependent (x_i, 1)")
        return []
    # g = grad_w / a_l with every active constraint switched off; g = sum mu_i (x_i, 1).
    g = [K.red(2 * u[j] - 2 * sum((resid[i] * _q(prob.xt[i][j]) for i in plus),
                                  fmpq_poly())) for j in range(prob.k)]
    mu: list = []
    if zero:
        ginv = inverse([[dot(p, q) for q in rows] for p in rows])
        proj = [sum((g[j] * _q(x[j]) for j in range(prob.k)), fmpq_poly()) for x in rows]
        mu = [sum((proj[b] * _q(ginv[a][b]) for b in range(len(zero))), fmpq_poly())
              for a in range(len(zero))]
    for j in range(prob.k):
        left = g[j] - sum((mu[a] * _q(rows[a][j]) for a in range(len(zero))), fmpq_poly())
        if not K.is_zero(left):
            out.fails.append(f"unit {ell}: gradient within the face is not 0 "
                             f"(component {j}: {K.approx(left):.3g}): not a critical point")
            return []
    for a, i in enumerate(zero):
        # Need 2 a_l r_i < mu_i < 0 with mu_i = a_l * mu[a] (strict: a strict minimum).
        off = s * K.sign(mu[a])
        on = s * K.sign(mu[a] - 2 * resid[i])
        out.fails.extend(multiplier_fails(ell, i, off, on))
    return nullspace(rows, prob.k)


def _second_order(alive: list[int], nulls: dict, K: RootField, ts: list, xi: list,
                  sg: list, resid: list, prob: Problem, out: Findings) -> None:
    """Positive definiteness of the face Hessian (directions scaled by ``a_l``), exactly."""
    lam = _q(prob.lam)
    cols: list[tuple[int, tuple | None]] = []
    for ell in alive:
        cols += [(ell, None)] + [(ell, tuple(v)) for v in nulls[ell]]
    size = len(cols)
    jac = [[fmpq_poly() for _ in range(size)] for _ in range(prob.n)]
    for c, (ell, v) in enumerate(cols):
        for i in range(prob.n):
            if sg[ell][i] > 0:
                jac[i][c] = (ts[ell] * xi[ell][i] if v is None
                             else ts[ell] * lam * _q(dot(v, prob.xt[i])))
    hess = [[2 * sum((jac[i][a] * jac[i][b] for i in range(prob.n)), fmpq_poly())
             for b in range(size)] for a in range(size)]
    for a, (ell, v) in enumerate(cols):
        for b, (l2, v2) in enumerate(cols):
            if ell != l2:
                continue
            if v is None and v2 is None:
                hess[a][b] += 2 * lam * lam * ts[ell]
            elif v is not None and v2 is not None:
                hess[a][b] += 2 * lam * lam * ts[ell] * _q(dot(v, v2))
            else:
                vec = v if v is not None else v2
                hess[a][b] -= 2 * lam * ts[ell] * sum(
                    (resid[i] * _q(dot(vec, prob.xt[i])) for i in range(prob.n) if sg[ell][i] > 0),
                    fmpq_poly())
    hess = [[K.red(h) for h in row] for row in hess]
    for prec in (128, 512, 2048):  # balls first; exact minors only if they cannot decide
        with ctx.workprec(prec):
            balls = [[K.ball(h, prec) for h in row] for row in hess]
            dets = [arb_mat([row[:k] for row in balls[:k]]).det() for k in range(1, size + 1)]
        if all(d > 0 for d in dets):
            return
        if any(d < 0 for d in dets):
            break
    minors = _leading_minors(hess)
    for k, minor in enumerate(minors, start=1):
        if K.sign(minor) <= 0:
            out.fails.append(f"Hessian on the face is not positive definite (leading minor {k} "
                             f"of {size} is {'0' if K.is_zero(minor) else 'negative'})")
            return


def _leading_minors(mat: list[list[fmpq_poly]]) -> list[fmpq_poly]:
    """Leading principal minors over ``Q[z]`` (fraction-free Bareiss, exact divisions)."""
    a = [row[:] for row in mat]
    n, prev, minors = len(a), fmpq_poly([1]), []
    for k in range(n):
        minors.append(a[k][k])
        if a[k][k].is_zero():
            return minors
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                a[i][j] = (a[k][k] * a[i][j] - a[i][k] * a[k][j]) // prev
        prev = a[k][k]
    return minors


def _dead_units(dead: list[int], K: RootField, alive_dirs: list, alive: list[int],
                resid: list, prob: Problem, out: Findings) -> None:
    """``max |sum_i r_i ReLU(<w, x~_i>)| <= lam`` over unit ``w``, face by face, exactly."""
    lam2 = _q(prob.lam ** 2)
    for face, proj in face_projectors(prob.xt):
        plus = [i for i, ch in enumerate(face.pattern) if ch == "+"]
        if not plus:
            continue
        m = [sum((resid[i] * _q(prob.xt[i][j]) for i in plus), fmpq_poly()) for j in range(prob.k)]
        p = [K.red(sum((m[c] * _q(proj[j][c]) for c in range(prob.k)), fmpq_poly()))
             for j in range(prob.k)]
        signs = "".join("+-0"[[1, -1, 0].index(K.sign(
            sum((p[j] * _q(x[j]) for j in range(prob.k)), fmpq_poly())))] for x in prob.xt)
        flipped = signs.translate(str.maketrans("+-", "-+"))
        if face.pattern not in (signs, flipped):
            continue  # the maximiser on this face's sphere is not inside the face
        excess = K.sign(sum((c * c for c in p), fmpq_poly()) - lam2)
        approx = [round(K.approx(c), 6) for c in p]
        if excess > 0:
            for ell in dead:
                out.fails.append(f"dead unit {ell}: growing it along (b, c) ~ {approx} "
                                 f"(face {face.pattern}) decreases the loss "
                                 "(|sum_i r_i ReLU(<w,x_i>)| > lam |w|)")
            return
        if excess == 0:
            sigma = 1 if signs == face.pattern else -1
            twin = next((l2 for l2, (s2, u2) in zip(alive, alive_dirs, strict=True)
                         if _parallel(K, p, u2, sigma * s2)), None)
            for ell in dead:
                if twin is None:
                    out.fails.append(f"dead unit {ell}: |sum_i r_i ReLU(<w,x_i>)| = lam |w| along "
                                     f"{approx}, no alive unit there (degenerate, not certified)")
                else:
                    out.notes.append(f"flat direction: dead unit {ell} can split from unit "
                                     f"{twin} (equal loss along the split; not strict)")


def _parallel(K: RootField, p: list, u: list, orient: int) -> bool:
    """``p`` is a positive multiple of ``orient * u`` (exactly)."""
    k = len(p)
    if any(not K.is_zero(p[a] * u[b] - p[b] * u[a]) for a in range(k) for b in range(a + 1, k)):
        return False
    return orient * K.sign(sum((a * b for a, b in zip(p, u, strict=True)), fmpq_poly())) > 0

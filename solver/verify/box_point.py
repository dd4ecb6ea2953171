"""The minimality checks of :mod:`solver.verify.isolated`, on ball enclosures of a point.

Used for box-described points (:mod:`solver.verify.box`): the point is the zero of the
rebuilt face system, so its directions ``u_l = Pi_l X_l^T r`` lie in their faces and
satisfy the face equations by construction; what remains is decided by signs of balls:
the pattern, the multiplier signs, the face Hessian's leading minors, the dead units'
growth bound. The messages are those of the exact checks. A sign a ball cannot decide
goes to ``undecided`` (the caller retries with a tighter enclosure).

Examples
--------
A unit whose pattern puts point 1 on its boundary, which ``active`` does not list:

>>> from flint import arb
>>> out = Verdict()
>>> check_signs({"pattern": ["+0"], "active": []}, [1], {0: [arb(1), arb(0)]}, out, True)
>>> out.fails
['constraint (1, 0) is exactly zero but not in active']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flint import arb, arb_mat

from solver.verify.arrangement import Problem, dot, face_projectors, inverse, nullspace, rank
from solver.verify.face_system import FaceSystem, sign
from solver.verify.field import ball_value, to_fmpq
from solver.verify.isolated import REL_TOL, multiplier_fails


@dataclass
class Verdict:
    """Findings at one precision: failures, notes, unsupported parts and open signs."""

    fails: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)


def _sign_char(s: int) -> str:
    return "+" if s > 0 else "-" if s < 0 else "0"


def _q(value) -> arb:
    return arb(to_fmpq(value))


def preactivations(prob: Problem, u: dict[int, list[arb]]) -> dict[int, list[arb]]:
    """``<u_l, x~_i>`` per unit and point."""
    return {ell: [sum((v * _q(x[j]) for j, v in enumerate(row)), arb(0)) for x in prob.xt]
            for ell, row in u.items()}


def check_signs(entry: dict, signs: list[int], xi: dict[int, list[arb]], out: Verdict,
                structural: bool) -> None:
    """``active`` pairs exactly the pattern's zeros, the others of the pattern's sign.

    With ``structural`` the point is the face system's zero, so the pattern's zeros are
    exactly 0; otherwise (the file's expressions on the box) a ball holding 0 is
    consistent with a ``0`` and an undecided nonzero sign is left to the later check.
    """
    listed = {tuple(p) for p in entry["active"]}
    for ell, row in enumerate(entry["pattern"]):
        for i, ch in enumerate(row):
            if signs[ell] == 0:
                got: int | None = 0
            elif ch == "0" and structural:
                got = 0
            else:
                s = sign(xi[ell][i])
                got = None if s is None else signs[ell] * s
            if got is None:
                if ch != "0" and structural:
                    out.undecided.append(f"the sign of <b_l,x_i>+c_l at ({i}, {ell})")
                got = 0 if ch == "0" else None
            if (i, ell) in listed and got != 0:
                value = float(xi[ell][i].mid()) if ell in xi else 0.0
                out.fails.append(f"active constraint ({i}, {ell}) not exactly zero "
                                 f"(<u_l, x_i> = {value:.3g})")
            elif (i, ell) not in listed and got == 0:
                out.fails.append(f"constraint ({i}, {ell}) is exactly zero but not in active")
            if got is not None and ch != _sign_char(got):
                out.fails.append(f"pattern[{ell}][{i}] is '{ch}' but the exact sign of "
                                 f"<b_l,x_i>+c_l is '{_sign_char(got)}'")


def check_point(entry: dict, prob: Problem, system: FaceSystem, signs: list[int],
                t: dict[int, arb], names: dict[str, arb], texts: list[list[str]]) -> Verdict:
    """Every check at the current precision; ``t`` holds the alive units' ``t`` (balls),
    ``names`` the coordinates for the file's expressions ``texts`` (``b..., c`` per unit)."""
    out = Verdict()
    for ell, value in t.items():
        if value < 0 or value.is_zero():
            out.fails.append(f"exact: unit {ell} has t = {float(value.mid()):.6g} <= 0")
        elif not value > 0:
            out.undecided.append(f"the sign of t of unit {ell}")
    _, rm = system.residual(t)
    r = [rm[i, 0] for i in range(prob.n)]
    u = system.directions(rm)
    xi = preactivations(prob, u)
    check_signs(entry, signs, xi, out, structural=True)
    for ell in system.alive:
        for j, text in enumerate(texts[ell]):
            given = ball_value(text, names)
            if not given.overlaps(u[ell][j]):
                name = f"b[{j}]" if j < prob.k - 1 else "c"
                out.fails.append(f"exact: unit {ell}: its {name} expression is "
                                 f"{float(given.mid())!r} at the point, but the face system's "
                                 f"solution has {float(u[ell][j].mid())!r}")
    if out.fails:
        return out
    _check_floats(entry, prob, signs, t, u, r, out)
    nulls = {ell: _first_order(ell, signs[ell], u[ell], r, system, prob, out)
             for ell in system.alive}
    if not out.fails and not out.unsupported and system.alive:
        _second_order(system, nulls, t, xi, r, prob, out)
    dead = [ell for ell in range(prob.units) if signs[ell] == 0]
    if dead:
        _dead_units(dead, entry["pattern"], system.alive, r, prob, out)
    return out


def _check_floats(entry: dict, prob: Problem, signs: list[int], t: dict[int, arb],
                  u: dict[int, list[arb]], r: list[arb], out: Verdict) -> None:
    """The floats ``B, c, a`` and ``loss`` against the point (relative 1e-9)."""
    lam = _q(prob.lam)
    values: list[tuple[str, arb, float]] = []
    for ell in range(prob.units):
        a = arb(signs[ell]) * (lam * t[ell]).sqrt() if signs[ell] else arb(0)
        values.append((f"a[{ell}]", a, entry["a"][ell]))
        for j in range(prob.k):
            name = f"B[{ell}][{j}]" if j < prob.k - 1 else f"c[{ell}]"
            given = entry["B"][ell][j] if j < prob.k - 1 else entry["c"][ell]
            values.append((name, a / lam * u[ell][j] if signs[ell] else arb(0), given))
    scale = max([abs(float(v.mid())) for _, v, _ in values] + [1e-12])
    for name, value, given in values:
        if abs(float((value - arb(given)).mid())) > REL_TOL * scale:
            out.fails.append(f"{name} = {given!r} but the exact point has {float(value.mid())!r}")
    loss = sum((v * v for v in r), arb(0))
    for ell, value in t.items():
        loss += value * (lam * lam + sum((c * c for c in u[ell]), arb(0)))
    if abs(float((loss - arb(entry["loss"])).mid())) > REL_TOL * max(abs(float(loss.mid())),
                                                                    1e-300):
        out.fails.append(f"loss = {entry['loss']!r} but the exact loss is {float(loss.mid())!r}")


def _first_order(ell: int, s: int, u: list[arb], r: list[arb], system: FaceSystem,
                 prob: Problem, out: Verdict) -> list:
    """The multiplier signs (stationarity holds by construction); the face's directions."""
    zero, plus = system.zero[ell], system.plus[ell]
    rows = [prob.xt[i] for i in zero]
    if zero and rank(rows, prob.k) < len(zero):
        out.unsupported.append(f"unit {ell}: active points {zero} have dependent (x_i, 1)")
        return []
    # g = grad_w / a_l with every active constraint switched off; g = sum mu_i (x_i, 1).
    g = [2 * u[j] - 2 * sum((r[i] * _q(prob.xt[i][j]) for i in plus), arb(0))
         for j in range(prob.k)]
    mu: list[arb] = []
    if zero:
        ginv = inverse([[dot(p, q) for q in rows] for p in rows])
        proj = [sum((g[j] * _q(x[j]) for j in range(prob.k)), arb(0)) for x in rows]
        mu = [sum((proj[b] * _q(ginv[a][b]) for b in range(len(zero))), arb(0))
              for a in range(len(zero))]
    for a, i in enumerate(zero):
        # Need 2 a_l r_i < mu_i < 0 with mu_i = a_l * mu[a] (strict: a strict minimum).
        off, on = sign(mu[a]), sign(mu[a] - 2 * r[i])
        if off is None or on is None:
            out.undecided.append(f"the multiplier of unit {ell} at point {i}")
            continue
        out.fails.extend(multiplier_fails(ell, i, s * off, s * on))
    return nullspace(rows, prob.k)


def _second_order(system: FaceSystem, nulls: dict, t: dict[int, arb], xi: dict, r: list[arb],
                  prob: Problem, out: Verdict) -> None:
    """Positive definiteness of the face Hessian (directions scaled by ``a_l``): every
    leading minor a ball above 0."""
    lam = _q(prob.lam)
    cols: list[tuple[int, tuple | None]] = []
    for ell in system.alive:
        cols += [(ell, None)] + [(ell, tuple(v)) for v in nulls[ell]]
    size = len(cols)
    jac = arb_mat(prob.n, size)
    for c, (ell, v) in enumerate(cols):
        for i in system.plus[ell]:
            jac[i, c] = t[ell] * xi[ell][i] if v is None else t[ell] * lam * _q(dot(v, prob.xt[i]))
    hess = (jac.transpose() * jac) * arb(2)
    for a, (ell, v) in enumerate(cols):
        for b, (l2, v2) in enumerate(cols):
            if ell != l2:
                continue
            if v is None and v2 is None:
                hess[a, b] += 2 * lam * lam * t[ell]
            elif v is not None and v2 is not None:
                hess[a, b] += 2 * lam * lam * t[ell] * _q(dot(v, v2))
            else:
                vec = v if v is not None else v2
                hess[a, b] -= 2 * lam * t[ell] * sum(
                    (r[i] * _q(dot(vec, prob.xt[i])) for i in system.plus[ell]), arb(0))
    minors = [arb_mat([[hess[i, j] for j in range(k)] for i in range(k)]).det()
              for k in range(1, size + 1)]
    negative = next((k for k, m in enumerate(minors, start=1) if m < 0), None)
    if negative is not None:
        out.fails.append(f"Hessian on the face is not positive definite (leading minor "
                         f"{negative} of {size} is negative)")
    elif not all(m > 0 for m in minors):
        k = next(k for k, m in enumerate(minors, start=1) if not m > 0)
        out.undecided.append(f"leading minor {k} of {size} of the face Hessian (0?)")


def _dead_units(dead: list[int], pattern: list[str], alive: list[int], r: list[arb],
                prob: Problem, out: Verdict) -> None:
    """``max |sum_i r_i ReLU(<w, x~_i>)| <= lam`` over unit ``w``, face by face.

    On a face whose pattern is an alive unit's, the maximiser is that unit's direction
    and the maximum is exactly ``lam`` (its face equation): a flat split direction.
    """
    lam2 = _q(prob.lam) ** 2
    twins = {pattern[ell]: ell for ell in alive}
    for face, proj in face_projectors(prob.xt):
        plus = [i for i, ch in enumerate(face.pattern) if ch == "+"]
        if not plus:
            continue
        m = [sum((r[i] * _q(prob.xt[i][j]) for i in plus), arb(0)) for j in range(prob.k)]
        p = [sum((m[c] * _q(proj[j][c]) for c in range(prob.k)), arb(0)) for j in range(prob.k)]
        # The maximiser on the face's sphere is +p or -p, if inside the face.
        got = ["0" if ch == "0" else {1: "+", -1: "-", 0: "0", None: "?"}[sign(
            sum((p[j] * _q(x[j]) for j in range(prob.k)), arb(0)))]
            for ch, x in zip(face.pattern, prob.xt, strict=True)]
        flipped = [{"+": "-", "-": "+"}.get(g, g) for g in got]
        fits = [all(g in (ch, "?") for g, ch in zip(cand, face.pattern, strict=True))
                for cand in (got, flipped)]
        if not any(fits):
            continue  # the maximiser on this face's sphere is not inside the face
        approx = [round(float(c.mid()), 6) for c in p]
        if face.pattern in twins:
            out.notes += [f"flat direction: dead unit {ell} can split from unit "
                          f"{twins[face.pattern]} (equal loss along the split; not strict)"
                          for ell in dead]
            continue
        excess = sum((c * c for c in p), arb(0)) - lam2
        if excess < 0:
            continue
        if excess > 0 and "?" not in got:
            out.fails += [f"dead unit {ell}: growing it along (b, c) ~ {approx} (face "
                          f"{face.pattern}) decreases the loss (|sum_i r_i ReLU(<w,x_i>)| > "
                          "lam |w|)" for ell in dead]
            return
        out.undecided.append(f"dead units: |sum_i r_i ReLU(<w,x_i>)| against lam |w| along "
                             f"{approx} (face {face.pattern})")


__all__ = ["Verdict", "check_point", "check_signs"]

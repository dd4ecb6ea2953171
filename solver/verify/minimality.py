"""The minimality checks of a point, written once for exact numbers and for balls.

A point of a result (or of a face set's solution) is a strict local minimum when its
pattern and active constraints are what the file says, its floats are those of the point,
it is critical on its face with every KKT multiplier strictly inside its bounds, its face
Hessian (unit ``l``'s directions scaled by ``a_l``) is positive definite, and no dead unit
can grow (``max |sum_i r_i ReLU(<w, x~_i>)| <= lam`` over unit ``w``). Each check takes an
arithmetic ``A`` (:mod:`solver.verify.arithmetic`): :class:`~solver.verify.arithmetic.
Exact` decides every sign (:mod:`solver.verify.isolated`), :class:`~solver.verify.
arithmetic.Balls` leaves a sign a ball cannot decide in ``out.undecided`` for the caller
to refine (:mod:`solver.verify.box`, :mod:`solver.verify.complete_point`). With ``u_l``
unit ``l``'s direction, ``t_l = a_l^2 / lam`` and ``r`` the residuals, every quantity is a
polynomial in these, the same in both.

Examples
--------
>>> multiplier_fails(0, 3, -1, 1)
[]
>>> [why.split(": ")[1][:30] for why in multiplier_fails(0, 3, 1, 0)]
['moving to <b_l,x_i>+c_l < 0 de', 'multiplier exactly on its boun']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from flint import arb

from solver.problem import Problem
from solver.verify.arrangement import face_projectors
from solver.verify.findings import REL_TOL, Findings
from solver.verify.linalg import Vec, dot, kernel_basis, matrix_inverse, matrix_rank


def sign_char(s: int) -> str:
    """``'+'``, ``'-'`` or ``'0'``."""
    return "+" if s > 0 else "-" if s < 0 else "0"


def seen(pattern: str) -> list[int]:
    """The points a unit of this pattern sees (``'+'``)."""
    return [i for i, ch in enumerate(pattern) if ch == "+"]


def preactivations(A, prob: Problem, u: dict[int, list]) -> dict[int, list]:
    """``<u_l, x~_i>`` per unit of ``u`` and point."""
    return {ell: [A.red(sum((v * A.q(x[j]) for j, v in enumerate(row)), A.zero))
                  for x in prob.lifted] for ell, row in u.items()}


def check_signs(entry: dict, got: Sequence[Sequence[int | None]],
                value: Callable[[int, int], float], out: Findings) -> None:
    """``active`` pairs exactly zero, the others of the ``pattern``'s sign.

    ``got[l][i]`` is the sign of ``<b_l,x_i>+c_l`` (None: not decided, so only a listed
    active pair fails on it), ``value(l, i)`` its value for messages.
    """
    listed = {tuple(p) for p in entry["active"]}
    for ell, row in enumerate(entry["pattern"]):
        for i, ch in enumerate(row):
            s = got[ell][i]
            if (i, ell) in listed and s != 0:
                out.fails.append(f"active constraint ({i}, {ell}) not exactly zero "
                                 f"(<u_l, x_i> = {value(ell, i):.3g})")
            elif (i, ell) not in listed and s == 0:
                out.fails.append(f"constraint ({i}, {ell}) is exactly zero but not in active")
            if s is not None and ch != sign_char(s):
                out.fails.append(f"pattern[{ell}][{i}] is '{ch}' but the exact sign of "
                                 f"<b_l,x_i>+c_l is '{sign_char(s)}'")


def check_floats(A, entry: dict, prob: Problem, signs: list[int], t: dict, u: dict,
                 r: list, out: Findings) -> None:
    """The floats ``B, c, a`` and ``loss`` against the point (relative ``REL_TOL``).

    ``t`` and ``u`` hold the alive units' ``t_l`` and ``u_l`` (in ``A``), ``r`` the
    residuals; ``a_l = sign sqrt(lam t_l)``, ``(b_l, c_l) = a_l u_l / lam``. Compared as
    balls at the current precision.
    """
    lam = arb(prob.lam_q)
    values: list[tuple[str, arb, float]] = []
    for ell in range(prob.units):
        s = signs[ell]
        a = arb(s) * (lam * A.ball(t[ell])).sqrt() if s else arb(0)
        values.append((f"a[{ell}]", a, entry["a"][ell]))
        for j in range(prob.d + 1):
            name = f"B[{ell}][{j}]" if j < prob.d else f"c[{ell}]"
            given = entry["B"][ell][j] if j < prob.d else entry["c"][ell]
            values.append((name, a / lam * A.ball(u[ell][j]) if s else arb(0), given))
    scale = max([abs(float(v.mid())) for _, v, _ in values] + [1e-12])
    for name, value, given in values:
        if abs(float((value - arb(given)).mid())) > REL_TOL * scale:
            out.fails.append(f"{name} = {given!r} but the exact point has {float(value.mid())!r}")
    q_lam = A.q(prob.lam)
    total = sum((v * v for v in r), A.zero)
    for ell, t_l in t.items():
        total += t_l * (q_lam * q_lam + sum((c * c for c in u[ell]), A.zero))
    loss = A.ball(total)
    if abs(float((loss - arb(entry["loss"])).mid())) > REL_TOL * max(abs(float(loss.mid())),
                                                                    1e-300):
        out.fails.append(f"loss = {entry['loss']!r} but the exact loss is {float(loss.mid())!r}")


def check_point(A, entry: dict, prob: Problem, signs: list[int], t: dict, u: dict, xi: dict,
                r: list, out: Findings, dirs: dict[int, tuple[int, list]] | None = None) -> None:
    """The checks after the signs: the floats, the first order of every alive unit (with
    ``t``, ``u`` and pre-activations ``xi``), the face Hessian when nothing failed so far,
    and the dead units (``dirs`` as in :func:`dead_units`)."""
    check_floats(A, entry, prob, signs, t, u, r, out)
    alive = [ell for ell in range(prob.units) if signs[ell] != 0]
    patterns = {ell: entry["pattern"][ell] for ell in alive}
    dead = [ell for ell in range(prob.units) if signs[ell] == 0]
    flats: list[tuple[int, int, int, int]] = []
    nulls = {ell: first_order(A, ell, signs[ell], u[ell], xi[ell], r, patterns[ell], prob, out,
                              flats=flats)
             for ell in alive}
    if not out.fails and not out.unsupported and alive:
        if flats:
            next_order(flats, out)
        second_order(A, nulls, t, xi, r, patterns, prob, out)
    if dead:
        dead_units(A, dead, patterns, r, prob, out, dirs)


def multiplier_fails(ell: int, i: int, off: int, on: int) -> list[str]:
    """Why unit ``ell``'s multiplier at its active point ``i`` fails, from two signs.

    ``off`` is the sign of the loss's slope when the point is switched off, times -1
    (``<b_l,x_i>+c_l < 0``), ``on`` that when it is switched on; a strict minimum needs
    ``off < 0 < on``.
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


def first_order(A, ell: int, s: int, u: list, xi: list, r: list, pattern: str,
                prob: Problem, out: Findings,
                flats: list[tuple[int, int, int, int]] | None = None) -> list[Vec]:
    """Stationarity in ``a_l`` and in the face (unless it holds by construction) and the
    multiplier signs of alive unit ``ell`` (sign ``s``, direction ``u``, pre-activations
    ``xi``). Returns a rational basis of the face's directions (``[]`` on failure).

    With ``flats`` given, a multiplier exactly on its bound (and none of the wrong sign)
    is appended there as ``(ell, i, off, on)`` for :func:`next_order` instead of failing."""
    n, k, xt = prob.n, prob.d + 1, prob.lifted
    plus = seen(pattern)
    zero = [i for i in range(n) if pattern[i] == "0"]
    if not A.by_construction:
        ga = sum((r[i] * xi[i] for i in plus), A.zero) - A.q(prob.lam ** 2)
        if not A.is_zero(ga):
            out.fails.append(f"unit {ell}: d loss / d a_l is not 0 (sum r_i <u_l,x_i> - lam^2 "
                             f"= {A.approx(ga):.3g}): not a critical point")
    rows = [xt[i] for i in zero]
    if zero and matrix_rank(rows, k) < len(zero):
        out.unsupported.append(f"unit {ell}: active points {zero} have dependent (x_i, 1)")
        return []
    # g = grad_w / a_l with every active constraint switched off; g = sum mu_i (x_i, 1).
    g = [A.red(2 * u[j] - 2 * sum((r[i] * A.q(xt[i][j]) for i in plus), A.zero))
         for j in range(k)]
    mu: list = []
    if zero:
        ginv = matrix_inverse([[dot(p, q) for q in rows] for p in rows])
        proj = [sum((g[j] * A.q(x[j]) for j in range(k)), A.zero) for x in rows]
        mu = [sum((proj[b] * A.q(ginv[a][b]) for b in range(len(zero))), A.zero)
              for a in range(len(zero))]
    if not A.by_construction:
        for j in range(k):
            left = g[j] - sum((mu[a] * A.q(rows[a][j]) for a in range(len(zero))), A.zero)
            if not A.is_zero(left):
                out.fails.append(f"unit {ell}: gradient within the face is not 0 "
                                 f"(component {j}: {A.approx(left):.3g}): not a critical point")
                return []
    for a, i in enumerate(zero):
        # Need 2 a_l r_i < mu_i < 0 with mu_i = a_l * mu[a] (strict: a strict minimum).
        off, on = A.sign(mu[a]), A.sign(mu[a] - 2 * r[i])
        if off is None or on is None:
            # a side of decided wrong sign is a descent whatever the other side is
            if not (off is not None and s * off > 0 or on is not None and s * on < 0):
                out.undecided.append(f"the multiplier of unit {ell} at point {i}")
                continue
            off, on = (-s if off is None else off), (s if on is None else on)
        if flats is not None and s * off <= 0 <= s * on and 0 in (off, on):
            flats.append((ell, i, s * off, s * on))
            continue
        out.fails.extend(multiplier_fails(ell, i, s * off, s * on))
    return kernel_basis(rows, k)


def next_order(flats: list[tuple[int, int, int, int]], out: Findings) -> None:
    """Multipliers exactly on their bound (``flats``, from :func:`first_order`, decided
    exactly), none of the wrong sign: a local minimum by first order alone
    (docs/degenerate.md, section 4', Theorem 7). On every region around the point the loss
    is at least the merged ``|y - sum_l D_l H V_l|^2 + 2 lam sum_l |V_l|`` (``V_l = a_l w_l``,
    equal for balanced units), which is convex, so one-sided derivatives ``>= 0`` into the
    region make the point its minimum there; the face Hessian (:func:`second_order`) and
    the dead units then decide that the minima nearby are the point's splits only."""
    out.notes.append("next order: multiplier(s) exactly on the bound ("
                     + ", ".join(f"unit {ell} point {i}" for ell, i, _, _ in flats)
                     + "), none of the wrong sign: each region's merged loss is convex, so "
                     "the point is a local minimum; strict up to splits by the face Hessian")


def second_order(A, nulls: dict[int, list[Vec]], t: dict, xi: dict, r: list,
                 patterns: dict[int, str], prob: Problem, out: Findings) -> None:
    """Positive definiteness of the face Hessian of the alive units (the keys of
    ``nulls``, with their face directions), directions scaled by ``a_l``."""
    lam, xt = A.q(prob.lam), prob.lifted
    cols: list[tuple[int, tuple | None]] = []
    for ell, basis in nulls.items():
        cols += [(ell, None)] + [(ell, tuple(v)) for v in basis]
    size = len(cols)
    jac = [[A.zero] * size for _ in range(prob.n)]
    for c, (ell, v) in enumerate(cols):
        for i in seen(patterns[ell]):
            jac[i][c] = t[ell] * xi[ell][i] if v is None else t[ell] * lam * A.q(dot(v, xt[i]))
    hess = A.twice_gram(jac)
    for a, (ell, v) in enumerate(cols):
        for b, (l2, v2) in enumerate(cols):
            if ell != l2:
                continue
            if v is None and v2 is None:
                hess[a][b] += 2 * lam * lam * t[ell]
            elif v is not None and v2 is not None:
                hess[a][b] += 2 * lam * lam * t[ell] * A.q(dot(v, v2))
            else:
                vec = v if v is not None else v2
                hess[a][b] -= 2 * lam * t[ell] * sum(
                    (r[i] * A.q(dot(vec, xt[i])) for i in seen(patterns[ell])), A.zero)
    open_minor = None
    for k, s in enumerate(A.minor_signs([[A.red(h) for h in row] for row in hess]), start=1):
        if s is None:
            open_minor = open_minor or k
        elif s <= 0:
            out.fails.append(f"Hessian on the face is not positive definite (leading minor {k} "
                             f"of {size} is {'0' if s == 0 else 'negative'})")
            return
    if open_minor is not None:
        out.undecided.append(f"leading minor {open_minor} of {size} of the face Hessian (0?)")


def face_maximiser(A, pattern: str, proj: list[list], r: list, prob: Problem
                   ) -> tuple[list, list[int | None]]:
    """``p``, the projection onto the face's span of ``sum_{i seen} r_i x~_i`` (``+-p``
    maximise ``|sum_i r_i ReLU(<w, x~_i>)|`` on the face's unit sphere if inside the face),
    and the signs of ``<p, x~_i> = sum_j (x~_i^T proj x~_j) r_j`` over the seen ``j``
    (rational coefficients, so an exact zero stays exact in balls too; 0 on the face's
    zeros; None: undecided)."""
    k, xt = prob.d + 1, prob.lifted
    m = [sum((r[i] * A.q(xt[i][j]) for i in seen(pattern)), A.zero) for j in range(k)]
    p = [A.red(sum((m[c] * A.q(proj[j][c]) for c in range(k)), A.zero)) for j in range(k)]

    def pre(x: Sequence) -> object:
        row = [sum((x[c] * proj[c][e] for c in range(k)), Fraction(0)) for e in range(k)]
        coef = {j: dot(row, xt[j]) for j in seen(pattern)}
        return sum((r[j] * A.q(v) for j, v in coef.items() if v != 0), A.zero)

    signs = [0 if ch == "0" else A.sign(pre(x)) for ch, x in zip(pattern, xt, strict=True)]
    return p, signs


def fits(pattern: str, signs: list[int | None]) -> tuple[bool, bool]:
    """Whether ``+p`` and ``-p`` may lie in the face (undecided signs fit either way)."""
    got = ["?" if s is None else sign_char(s) for s in signs]
    flipped = [{"+": "-", "-": "+"}.get(g, g) for g in got]
    return tuple(all(g in (ch, "?") for g, ch in zip(cand, pattern, strict=True))
                 for cand in (got, flipped))


def dead_units(A, dead: list[int], patterns: dict[int, str], r: list, prob: Problem,
               out: Findings, dirs: dict[int, tuple[int, list]] | None = None) -> None:
    """``max |sum_i r_i ReLU(<w, x~_i>)| <= lam`` over unit ``w``, face by face.

    ``patterns`` holds the alive units' faces. Equality along an alive unit's direction is
    a flat split direction (a note). For a point that solves its face equations by
    construction the maximum on an alive unit's own face is that unit's direction, at
    exactly ``lam``; otherwise equality is tested exactly against the alive units' signs
    and directions ``dirs``.
    """
    lam2 = A.q(prob.lam) ** 2
    twins = {patterns[ell]: ell for ell in patterns} if A.by_construction else {}
    for face, proj in face_projectors(prob.lifted):
        if "+" not in face.pattern:
            continue
        p, signs = face_maximiser(A, face.pattern, proj, r, prob)
        inside = fits(face.pattern, signs)
        if not any(inside):
            continue  # the maximiser on this face's sphere is not inside the face
        approx = [round(A.approx(c), 6) for c in p]
        if face.pattern in twins:
            out.notes += [f"flat direction: dead unit {ell} can split from unit "
                          f"{twins[face.pattern]} (equal loss along the split; not strict)"
                          for ell in dead]
            continue
        excess = A.sign(sum((c * c for c in p), A.zero) - lam2)
        if excess == -1:
            continue
        if excess == 1 and None not in signs:
            out.fails += [f"dead unit {ell}: growing it along (b, c) ~ {approx} (face "
                          f"{face.pattern}) decreases the loss (|sum_i r_i ReLU(<w,x_i>)| > "
                          "lam |w|)" for ell in dead]
            return
        if excess == 0 and not A.by_construction:
            sigma = 1 if inside[0] else -1
            twin = next((l2 for l2, (s2, u2) in (dirs or {}).items()
                         if _parallel(A, p, u2, sigma * s2)), None)
            for ell in dead:
                if twin is None:
                    out.fails.append(f"dead unit {ell}: |sum_i r_i ReLU(<w,x_i>)| = lam |w| along "
                                     f"{approx}, no alive unit there (degenerate, not certified)")
                else:
                    out.notes.append(f"flat direction: dead unit {ell} can split from unit "
                                     f"{twin} (equal loss along the split; not strict)")
            continue
        out.undecided.append(f"dead units: |sum_i r_i ReLU(<w,x_i>)| against lam |w| along "
                             f"{approx} (face {face.pattern})")


def _parallel(A, p: list, u: list, orient: int) -> bool:
    """``p`` is a positive multiple of ``orient * u``."""
    k = len(p)
    if any(not A.is_zero(p[a] * u[b] - p[b] * u[a]) for a in range(k) for b in range(a + 1, k)):
        return False
    return orient * A.sign(sum((a * b for a, b in zip(p, u, strict=True)), A.zero)) > 0


def dead_growth(A, pattern: str, r: list, prob: Problem) -> bool | None:
    """Whether a dead unit grows along face ``pattern``: its maximiser ``+-p``
    (:func:`face_maximiser`) lies inside the face and ``|p| > lam``. None when undecided."""
    found = [proj for face, proj in face_projectors(prob.lifted) if face.pattern == pattern]
    if not found or "+" not in pattern:
        return False
    p, signs = face_maximiser(A, pattern, found[0], r, prob)
    excess = A.sign(sum((v * v for v in p), A.zero) - A.q(prob.lam) ** 2)
    if excess is None:
        return None
    if excess <= 0:
        return False
    if None in signs:
        return None
    return any(fits(pattern, signs))


__all__ = ["check_floats", "check_point", "check_signs", "dead_growth", "dead_units", "first_order",
           "multiplier_fails", "next_order", "preactivations", "second_order"]

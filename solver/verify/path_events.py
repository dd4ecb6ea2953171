"""Re-prove a path's events: every witness's condition changes sign across the event.

A witness names a face set (one face per neuron) and a condition (docs/path.md, §3): a
pre-activation, a multiplier, a dead-unit bound ``|proj_G m_G|^2 - lam^2`` on another
face, or, for a ``jump``, the loss difference of two face sets. At each end of the event's
interval ``[lo, hi]`` (rationals) the checker rebuilds the face set's equations at that λ
(:class:`~solver.verify.face_system.PatternSystem`), proves the interior solution with the
Krawczyk test in a box around a Newton point (started from the witness's float hint, or
from 1), evaluates the condition in ball arithmetic, and requires opposite signs: the
interior solution moves continuously with λ, so the condition vanishes in between. An
exact λ must also be the only root of its (irreducible) minimal polynomial in its
isolating interval, and lie in ``[lo, hi]``; a ``jump``'s interval must hold exactly one
crossing (the derivative ``2 lam (sum t_A - sum t_B)`` keeps one sign, ``sum t`` being
non-increasing in λ), with the witness's first face set the lower one at the interval's
start (which branches those are, and that no other branch is lower, is checked by
:mod:`solver.verify.path_global`). Intervals must have relative width at most ``1e-12``.
An event the path itself says is uncertified (``"uncertified"``: its reason) has nothing
to re-prove: :func:`check_event` returns no failure and the report lists it as unproved.

Examples
--------
>>> from fractions import Fraction as F
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),))
>>> y = (F(1, 4), F(-1, 4), F(5, 4))
>>> event = {"kind": "fold", "lam": {"minpoly": "80*lam**2 - 1", "interval": ["1/10", "1/8"]},
...          "interval": ["0.11180339887498", "0.11180339887499"],
...          "witnesses": [{"faces": ["+++"], "condition": "preactivation", "neuron": 0,
...                         "point": 0}]}
>>> check_event(event, x, y)
[]
"""

from __future__ import annotations

from fractions import Fraction

from flint import arb, arb_mat, ctx

from solver.data import parse_rational
from solver.problem import Problem, to_fmpq
from solver.verify.face_system import PatternSystem
from solver.verify.field import count_roots
from solver.verify.formula import parse_poly
from solver.verify.krawczyk import prove_box, refine
from solver.verify.linalg import projector

PREC = 256
MAX_WIDTH = Fraction(1, 10**12)


def interior(x, y, lam: Fraction, faces: list[str], hint: list[float] | None
             ) -> tuple[PatternSystem, dict[int, arb]] | None:
    """The face set's interior solution ``t`` at ``lam`` (``x``: the data rows),
    Krawczyk-proved (balls at :data:`PREC` bits), or None when no box around the Newton
    point can be proved. Newton runs in balls' exact midpoints at :data:`PREC` bits, so the
    box can be tiny (small λ make ``t`` large and the system ill-conditioned)."""
    prob = Problem(tuple(x), tuple(y), lam, len(faces))
    rows = list(range(len(faces)))
    system = PatternSystem(prob, faces, rows)
    if not faces:
        return system, {}
    t = _newton(system, rows, [float(v) for v in hint] if hint else [1.0] * len(faces))
    if t is None:
        return None
    for bits in (PREC // 2, 64, 30, 20, 10):
        box = [(v - abs(v) / 2**bits, v + abs(v) / 2**bits) for v in t]
        status, info = prove_box(system, rows, {}, box, PREC)
        if status == "unique":
            Z = refine(system, rows, {}, list(info), PREC)
            return system, dict(zip(rows, Z, strict=True))
    return None


def _newton(system: PatternSystem, rows: list[int], start: list[float]) -> list[Fraction] | None:
    """Damped Newton on the face equations from ``start``, in exact midpoints."""
    t = [Fraction(v) for v in start]
    with ctx.workprec(PREC):
        for _ in range(100):
            point = {ell: arb(to_fmpq(v)) for ell, v in zip(rows, t, strict=True)}
            try:
                F = system.equations(point, rows)
                step = system.jacobian(point, rows).solve(arb_mat(len(rows), 1, F))
            except ZeroDivisionError:
                return None
            delta = [_mid(step[j, 0]) for j in range(len(rows))]
            scale = Fraction(1)
            while any(v - scale * d <= 0 for v, d in zip(t, delta, strict=True)):
                scale /= 2
                if scale < Fraction(1, 2**30):
                    return None
            t = [v - scale * d for v, d in zip(t, delta, strict=True)]
            t = [_round(v) for v in t]
            if scale == 1 and all(abs(d) <= abs(v) / 2**(PREC - 24)
                                  for v, d in zip(t, delta, strict=True)):
                break
    return t


def _mid(b: arb) -> Fraction:
    """A ball's midpoint, exactly."""
    man, exp = (int(v) for v in b.mid().man_exp())
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def _round(v: Fraction) -> Fraction:
    """``v`` rounded to :data:`PREC` bits (keeps Newton's rationals short)."""
    return _mid(arb(to_fmpq(v)))


def _quantities(system: PatternSystem, t: dict[int, arb]):
    _, rm = system.residual(t)
    r = [rm[i, 0] for i in range(system.prob.n)]
    return r, system.directions(rm)


def _dot(u, v) -> arb:
    return sum((a * (b if isinstance(b, arb) else arb(to_fmpq(b))) for a, b in
                zip(u, v, strict=True)), arb(0))


def condition_value(witness: dict, x, y, lam: Fraction) -> arb | None:
    """The witness's condition at ``lam`` as a ball (None: no proved interior solution)."""
    faces = list(witness["faces"])
    found = interior(x, y, lam, faces, witness.get("s"))
    if found is None:
        return None
    system, t = found
    xt = system.prob.lifted
    with ctx.workprec(PREC):
        r, u = _quantities(system, t) if faces else ([arb(to_fmpq(v)) for v in y], {})
        kind = witness["condition"]
        lam_b = arb(to_fmpq(lam))
        if kind == "preactivation":
            return _dot(u[witness["neuron"]], xt[witness["point"]])
        if kind in ("multiplier-off", "multiplier-on"):
            a, i = witness["neuron"], witness["point"]
            zero, plus = system.zero[a], system.plus[a]
            nu = [2 * u[a][c] - 2 * sum((r[j] * arb(to_fmpq(xt[j][c])) for j in plus), arb(0))
                  for c in range(len(xt[0]))]
            rows = [xt[q] for q in zero]
            gram = arb_mat([[arb(to_fmpq(sum(p * q for p, q in zip(ri, rj, strict=True))))
                             for rj in rows] for ri in rows])
            rhs = arb_mat([[_dot(nu, ri)] for ri in rows])
            mu = gram.solve(rhs)[zero.index(i), 0]
            return mu if kind == "multiplier-off" else mu - 2 * r[i]
        if kind == "dead-unit":
            face = witness["face"]
            zeros = [q for q, ch in enumerate(face) if ch == "0"]
            proj = projector([xt[q] for q in zeros], len(xt[0]))
            m = [sum((r[q] * arb(to_fmpq(xt[q][c])) for q, ch in enumerate(face) if ch == "+"),
                     arb(0)) for c in range(len(xt[0]))]
            p = [sum((arb(to_fmpq(proj[c][e])) * m[e] for e in range(len(m))), arb(0))
                 for c in range(len(m))]
            return _dot(p, p) - lam_b * lam_b
        if kind == "loss":
            return _loss(system, t, r, lam_b)
    raise ValueError(f"unknown condition {kind!r}")


def _loss(system: PatternSystem, t: dict[int, arb], r: list[arb], lam: arb) -> arb:
    """``|r|^2 + 2 lam^2 sum t`` (balanced units at a critical point)."""
    return _dot(r, r) + 2 * lam * lam * sum(t.values(), arb(0))


def face_loss(x, y, lam: Fraction, faces: list[str], hint) -> tuple[arb, arb] | None:
    """The loss and ``sum t`` of the face set's proved interior solution at ``lam`` (balls;
    ``hint``: a float start for Newton, or None), or None when none is proved."""
    found = interior(x, y, lam, faces, hint)
    if found is None:
        return None
    system, t = found
    with ctx.workprec(PREC):
        r, _ = _quantities(system, t) if faces else ([arb(to_fmpq(v)) for v in y], {})
        return _loss(system, t, r, arb(to_fmpq(lam))), sum(t.values(), arb(0))


def check_event(event: dict, x, y) -> list[str]:
    """The failures of one event's proof (empty: proved); ``x`` are the data rows."""
    fails: list[str] = []
    lo, hi = (parse_rational(v, "event interval") for v in event["interval"])
    if not 0 < lo < hi:
        return [f"interval [{lo}, {hi}] is empty or not positive"]
    if "uncertified" in event:
        if event["kind"] != "jump" or "uncertified" not in event["lam"]:
            return ["only a jump's λ may be uncertified, given as {'uncertified': [lo, hi]}"]
        return _check_exact(event["lam"], lo, hi)
    if (hi - lo) / lo > MAX_WIDTH:
        fails.append(f"interval [{float(lo):.15g}, {float(hi):.15g}] is wider than 1e-12 "
                     "relative")
    fails += _check_exact(event["lam"], lo, hi)
    for w, witness in enumerate(event["witnesses"]):
        faces = " ".join(witness["faces"]) or "no face"
        where = f"witness {w + 1} ({witness['condition']} on {faces})"
        if witness["condition"] == "loss":
            fails += _check_crossing(witness, x, y, lo, hi, where)
            continue
        values = [condition_value(witness, x, y, lam) for lam in (lo, hi)]
        if None in values:
            fails.append(f"{where}: no proved interior solution at an end of the interval")
            continue
        a, b = values
        if not ((a < 0 and b > 0) or (a > 0 and b < 0)):
            fails.append(f"{where}: the condition does not change sign on the interval "
                         f"({float(a.mid()):.3g} at its start, {float(b.mid()):.3g} at its end)")
    if not event["witnesses"]:
        fails.append("no witness")
    return fails


def _check_exact(lam: dict, lo: Fraction, hi: Fraction) -> list[str]:
    """An exact λ: rational inside the interval, or the one root of an irreducible
    minimal polynomial in its isolating interval and in ``[lo, hi]``."""
    if "value" in lam:
        v = parse_rational(lam["value"], "event λ")
        return [] if lo < v < hi else [f"λ = {lam['value']} is not inside the interval"]
    for form in ("certified", "uncertified"):
        if form in lam:
            a, b = (parse_rational(v, f"{form} λ") for v in lam[form])
            return [] if (a, b) == (lo, hi) else [f"the {form} interval differs from 'interval'"]
    m = parse_poly(lam["minpoly"], "lam")
    iso = [parse_rational(v, "isolating interval") for v in lam["interval"]]
    out = []
    _, factors = m.factor()
    if len(factors) != 1 or factors[0][1] != 1:
        out.append(f"minimal polynomial {lam['minpoly']} is not irreducible")
    if count_roots(m, to_fmpq(iso[0]), to_fmpq(iso[1])) != 1 or m(to_fmpq(iso[0])) == 0:
        out.append("the isolating interval does not hold exactly one root of the minimal "
                   "polynomial")
    if count_roots(m, to_fmpq(lo), to_fmpq(hi)) != 1 or m(to_fmpq(lo)) == 0:
        out.append("the minimal polynomial's root is not inside the event's interval")
    elif not (max(iso[0], lo) < min(iso[1], hi)):
        out.append("the isolating interval and the event's interval do not overlap")
    return out


def _check_crossing(witness: dict, x, y, lo: Fraction, hi: Fraction, where: str) -> list[str]:
    """Exactly one crossing of two face sets' losses in ``[lo, hi]``, the first set
    (``faces``) below the second (``other``) at ``lo`` and above it at ``hi``."""
    ends = []
    for lam in (lo, hi):
        pair = [face_loss(x, y, lam, list(faces), hint) for faces, hint in
                ((witness["faces"], witness.get("s")),
                 (witness["other"], witness.get("other_s")))]
        if None in pair:
            return [f"{where}: no proved interior solution at an end of the interval"]
        ends.append(pair)
    (la1, sa1), (lb1, sb1) = ends[0]
    (la2, sa2), (lb2, sb2) = ends[1]
    d1, d2 = la1 - lb1, la2 - lb2
    if d1 > 0 and d2 < 0:
        return [f"{where}: the second face set is the lower one before the crossing (the "
                "branches that stop and become global are swapped)"]
    if not (d1 < 0 and d2 > 0):
        return [f"{where}: the loss difference does not change sign on the interval"]
    if not (sa2 > sb1 or sa1 < sb2):
        return [f"{where}: cannot show a single crossing (sum t of the two sets overlap)"]
    return []

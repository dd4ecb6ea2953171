"""Re-check an isolated minimum described by a box (three or more neurons).

The ``exact`` field of such a point has roots ``s_j`` with ``"minpoly": null``: together
they are the unique solution, in the box of their intervals, of the face equations of
the units whose ``t`` they are (``|M_a^T r|^2_(G_a^-1) = lam^2``). Other roots may have a
minimal polynomial; they enter as exact algebraic numbers. :func:`check_box`

1. reads the box, the roots and the units (each box coordinate must be the ``t`` of
   exactly one alive unit);
2. checks the pattern and ``active`` against the file's own expressions on the box;
3. rebuilds the face system from the data and the pattern
   (:class:`~solver.verify.face_system.PatternSystem`) and proves with the Krawczyk test that
   the box holds exactly one zero of it (a failure names the minimum's box and why);
4. checks exactly, in ``Q(z)``, the face equations of units whose ``t`` is an exact root
   (their neurons must be decoupled from the box ones, else "not supported");
5. runs the checks of an exact point on enclosures of the zero
   (:func:`check_enclosure`, the checks of :mod:`solver.verify.minimality` in balls: signs
   against the pattern, the floats
   and the loss, the multiplier signs, the face Hessian, the dead units), at 128, 512 and
   2048 bits until every sign is decided; a sign still open at the end is a failure (not
   certified). The file's expressions for ``b`` and ``c`` must agree with the zero's
   directions to the enclosure's width (they are a description; the point is the zero).

Examples
--------
One unit seeing ``x = 0`` with ``y = 1``, ``lam = 1/2``: ``r = 1/(1 + t)``, ``r^2 = lam^2``
gives ``t = 1``, ``u = r x~ = (0, 1/2)``, ``a = sqrt(1/2)``, ``c = a u_c / lam``, loss 3/4.

>>> from fractions import Fraction as F
>>> from solver.problem import Problem
>>> prob = Problem(((F(0),),), (F(1),), F(1, 2), 1)
>>> entry = {"B": [[0.0]], "c": [0.5 ** 0.5], "a": [0.5 ** 0.5], "loss": 0.75,
...          "pattern": ["+"], "active": [], "exact": {"s": [{"name": "s0", "minpoly": None,
...          "interval": ["9/10", "11/10"]}], "units": [{"sign": 1, "t": "s0", "b": ["0"],
...          "c": "1/(2*s0)"}]}}
>>> check_box(entry, prob).fails
[]
>>> entry["exact"]["s"][0]["interval"] = ["2", "3"]
>>> check_box(entry, prob).fails[0][:60]
'box: the face system of unit 0 has no solution in the box of'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import arb, ctx, fmpq_poly

from solver.data import parse_rational
from solver.errors import SolverInputError
from solver.problem import Problem
from solver.verify.arithmetic import Balls, ball_sign
from solver.verify.face_system import PatternSystem, exact_directions
from solver.verify.field import Elem, RootField, parse_in_field
from solver.verify.findings import Findings
from solver.verify.formula import ParseError, formula_ball
from solver.verify.krawczyk import MAX_PREC, hull, prove_doubling, refine, start_precision
from solver.verify.linalg import matrix_rank
from solver.verify.minimality import check_point, check_signs, preactivations
from solver.verify.number_field import build_field

PRECISIONS = (128, 512, 2048)   # bits of the zero's enclosure for the minimality checks


def has_box(entry: dict) -> bool:
    """Whether an isolated entry describes some coordinates by a box (null minpoly)."""
    return any(root.get("minpoly") is None for root in entry["exact"].get("s", []))


@dataclass
class _Described:
    """The ``exact`` field, read: box, exact roots, and per unit sign and expressions."""

    box: list[tuple[str, Fraction, Fraction]]
    K: RootField
    images: dict[str, fmpq_poly]
    signs: list[int]
    t_texts: list[str]
    u_texts: list[list[str]]
    rows: list[int]          # rows[j]: the unit whose t is box coordinate j
    exact_t: dict[int, fmpq_poly]  # alive units whose t is an expression in exact roots

    @property
    def exact_units(self) -> list[int]:
        """The alive units whose ``t`` is an expression in the exact roots."""
        return list(self.exact_t)

    @property
    def names(self) -> list[str]:
        """Names of the box coordinates."""
        return [name for name, _, _ in self.box]

    def fixed(self, prec: int) -> dict[int, arb]:
        """``t`` of the exact units as balls."""
        return {ell: self.K.ball(t, prec) for ell, t in self.exact_t.items()}

    def exact_balls(self, prec: int) -> dict[str, arb]:
        """The exact roots as balls."""
        return {name: self.K.ball(p, prec) for name, p in self.images.items()}


def _parse(exact: dict, units: int) -> _Described:
    """Read the ``exact`` field; ``ValueError`` (one line) when it is inconsistent."""
    box, roots = [], []
    for root in exact["s"]:
        lo, hi = (parse_rational(v, f"interval of {root['name']}") for v in root["interval"])
        if root["minpoly"] is None:
            if not lo < hi:
                raise ValueError(f"{root['name']}: interval [{lo}, {hi}] needs lo < hi")
            box.append((root["name"], lo, hi))
        else:
            roots.append((root["name"], root["minpoly"], lo, hi))
    names = [name for name, _, _ in box]
    if len({r[0] for r in roots} | set(names)) != len(roots) + len(names):
        raise ValueError("two roots have the same name")
    K, images = build_field(roots)
    signs = [u["sign"] for u in exact["units"]]
    rows: list[int | None] = [None] * len(box)
    exact_t: dict[int, fmpq_poly] = {}
    for ell, unit in enumerate(exact["units"]):
        text = unit["t"].strip()
        if signs[ell] == 0:
            continue
        if text in names:
            j = names.index(text)
            if rows[j] is not None:
                raise ValueError(f"box coordinate {text} is the t of units {rows[j]} and {ell} "
                                 "(each must be the t of one unit)")
            rows[j] = ell
            continue
        try:
            exact_t[ell] = parse_in_field(text, K, images)
        except ParseError as exc:
            raise ValueError(f"unit {ell}: t = {text!r} is neither a box coordinate nor an "
                             f"expression in the exact roots ({exc})") from None
    missing = [names[j] for j, ell in enumerate(rows) if ell is None]
    if missing:
        raise ValueError(f"box coordinate(s) {', '.join(missing)} are the t of no alive unit")
    return _Described(box, K, images, signs, [u["t"] for u in exact["units"]],
                      [[*u["b"], u["c"]] for u in exact["units"]], rows, exact_t)


def check_box(entry: dict, prob: Problem) -> Findings:
    """Re-check an isolated minimum whose ``exact`` field has box coordinates.

    Returns the :class:`~solver.verify.isolated.Findings`; bad content is a failure.
    """
    out = Findings()
    try:
        desc = _parse(entry["exact"], prob.units)
        _check(entry, prob, desc, out)
    except (ParseError, ValueError, SolverInputError, ZeroDivisionError) as exc:
        out.fails.append(f"exact: {exc}")
    return out


def _exact(b: arb) -> Fraction:
    """An exact ball endpoint (``lower()``/``upper()``) as a Fraction."""
    man, exp = (int(v) for v in b.man_exp())
    return Fraction(man * 2 ** exp) if exp >= 0 else Fraction(man, 2 ** -exp)


def _check(entry: dict, prob: Problem, desc: _Described, out: Findings) -> None:
    """Steps 2-5 of the module docstring."""
    signs, names = desc.signs, desc.names
    alive = [ell for ell in range(prob.units) if signs[ell] != 0]
    prec0 = start_precision([b[1:] for b in desc.box])
    with ctx.workprec(prec0):
        balls = {**desc.exact_balls(prec0),
                 **{name: hull(lo, hi) for name, lo, hi in desc.box}}
        for ell in range(prob.units):
            if signs[ell] == 0 and not formula_ball(desc.t_texts[ell], balls).is_zero():
                out.fails.append(f"exact: unit {ell} has sign 0 but t is not 0")
        early = Findings()
        try:
            us = {ell: [formula_ball(text, balls) for text in desc.u_texts[ell]] for ell in alive}
        except ZeroDivisionError:  # a denominator vanishes somewhere in the box: check later
            us = None
        if us is not None:
            xi = preactivations(Balls(), prob, us)
            check_signs(entry, ball_signs(entry, signs, xi, early, structural=False),
                        _value(xi), early)
    out.fails += early.fails
    if out.fails:
        return
    system = PatternSystem(prob, entry["pattern"], alive)
    for ell in alive:
        zero = system.zero[ell]
        if zero and matrix_rank([prob.lifted[i] for i in zero], prob.d + 1) < len(zero):
            out.unsupported.append(f"unit {ell}: active points {zero} have dependent (x_i, 1)")
            return
    _exact_equations(desc, system, prob, out)
    if out.fails or out.unsupported:
        return
    which = f"unit{'s' if len(desc.rows) > 1 else ''} {', '.join(map(str, desc.rows))}"
    where = f"the box of {', '.join(names)}"
    status, info, prec = prove_doubling(system, desc.rows, desc.fixed,
                                        [b[1:] for b in desc.box], prec0)
    if status == "none":
        out.fails.append(f"box: the face system of {which} has no solution in {where} "
                         f"(Krawczyk: K(X) misses X in {names[info]})")
        return
    if status == "unknown":
        out.fails.append(f"box: cannot prove that {where} holds exactly one solution of the "
                         f"face system of {which} ({info})")
        return
    Z = list(info)
    verdict = Findings()
    for bits in PRECISIONS:
        Z = refine(system, desc.rows, desc.fixed(bits), Z, max(bits, prec0))
        with ctx.workprec(MAX_PREC):  # (lower() and upper() round to the precision)
            outside = [name for (name, lo, hi), z in zip(desc.box, Z, strict=True)
                       if not lo <= _exact(z.lower()) <= _exact(z.upper()) <= hi]
        if outside and bits == PRECISIONS[-1]:
            out.fails.append(f"box: the solution of the face system of {which} lies on the edge "
                             f"of {where}, or just outside it, in {', '.join(outside)}")
            return
        if outside:
            continue
        with ctx.workprec(bits + 32):
            t = {**desc.fixed(bits + 32), **dict(zip(desc.rows, Z, strict=True))}
            balls = {**desc.exact_balls(bits + 32), **dict(zip(names, Z, strict=True))}
            verdict = check_enclosure(entry, prob, system, signs, t, balls, desc.u_texts)
        if verdict.fails or verdict.unsupported or not verdict.undecided:
            break
    out.merge(verdict)
    if not verdict.fails and not verdict.unsupported:
        out.fails += [f"not certified: {item} is not decided at {PRECISIONS[-1]} bits "
                      "(degenerate?)" for item in dict.fromkeys(verdict.undecided)]


def _exact_equations(desc: _Described, system: PatternSystem, prob: Problem,
                     out: Findings) -> None:
    """Face equations of the units whose ``t`` is an exact root, exactly in ``Q(z)``.

    Their neurons must be decoupled from the box ones (``Pi_l X_l^T X_m Pi_m = 0``); then
    their directions solve the part of the system with their units only.
    """
    K = desc.K
    ts = desc.exact_t
    for ell in desc.exact_units:
        if K.sign(ts[ell]) <= 0:
            out.fails.append(f"exact: unit {ell} has t(z) = {K.approx(ts[ell]):.6g} <= 0")
    for ell in desc.exact_units:
        for m in desc.rows:
            coupling = system.XPi[ell].transpose() * system.XPi[m]
            if any(v != 0 for v in coupling.entries()):
                out.unsupported.append(
                    f"unit {ell}: its t is an exact root but its neuron is coupled to the box "
                    f"coordinate of unit {m}; its face equation cannot be checked exactly")
                return
    if out.fails or not desc.exact_units:
        return

    _, us = exact_directions(prob, system, ts, K)
    lam2 = Elem(fmpq_poly([prob.lam_q ** 2]), K.m)
    for ell in desc.exact_units:
        eq = sum((v * v for v in us[ell]), -lam2)
        if not K.is_zero(eq.p):
            out.fails.append(f"unit {ell}: d loss / d a_l is not 0 (|u_l|^2 - lam^2 = "
                             f"{K.approx(eq.p):.3g}): not a critical point")


def ball_signs(entry: dict, signs: list[int], xi: dict[int, list[arb]], out: Findings,
               structural: bool) -> list[list[int | None]]:
    """The signs of ``<b_l,x_i>+c_l`` for :func:`~solver.verify.minimality.check_signs`.

    With ``structural`` the point is the face system's zero, so the pattern's zeros are
    exactly 0 (and a nonzero sign a ball cannot decide is left in ``out.undecided``);
    otherwise (the file's expressions on the box) a ball holding 0 is consistent with a
    ``0`` and an undecided nonzero sign is left to the later check.

    >>> out = Findings()
    >>> ball_signs({"pattern": ["+0"]}, [1], {0: [arb(1), arb(0, 1)]}, out, False)
    [[1, 0]]
    """
    got: list[list[int | None]] = []
    for ell, row in enumerate(entry["pattern"]):
        got.append([])
        for i, ch in enumerate(row):
            if signs[ell] == 0 or (ch == "0" and structural):
                s: int | None = 0
            else:
                s = ball_sign(xi[ell][i])
                s = None if s is None else signs[ell] * s
            if s is None:
                if ch != "0" and structural:
                    out.undecided.append(f"the sign of <b_l,x_i>+c_l at ({i}, {ell})")
                s = 0 if ch == "0" else None
            got[-1].append(s)
    return got


def _value(xi: dict[int, list[arb]]):
    """``<u_l, x~_i>`` as a float, for messages (0 for a dead unit)."""
    return lambda ell, i: float(xi[ell][i].mid()) if ell in xi else 0.0


def check_enclosure(entry: dict, prob: Problem, system: PatternSystem, signs: list[int],
                t: dict[int, arb], names: dict[str, arb], texts: list[list[str]]) -> Findings:
    """Every check at the current precision; ``t`` holds the alive units' ``t`` (balls),
    ``names`` the coordinates for the file's expressions ``texts`` (``b..., c`` per unit)."""
    out, A = Findings(), Balls()
    for ell, value in t.items():
        if value < 0 or value.is_zero():
            out.fails.append(f"exact: unit {ell} has t = {float(value.mid()):.6g} <= 0")
        elif not value > 0:
            out.undecided.append(f"the sign of t of unit {ell}")
    _, rm = system.residual(t)
    r = [rm[i, 0] for i in range(prob.n)]
    u = system.directions(rm)
    xi = preactivations(A, prob, u)
    check_signs(entry, ball_signs(entry, signs, xi, out, structural=True), _value(xi), out)
    for ell in system.alive:
        for j, text in enumerate(texts[ell]):
            given = formula_ball(text, names)
            if not given.overlaps(u[ell][j]):
                name = f"b[{j}]" if j < prob.d else "c"
                out.fails.append(f"exact: unit {ell}: its {name} expression is "
                                 f"{float(given.mid())!r} at the point, but the face system's "
                                 f"solution has {float(u[ell][j].mid())!r}")
    if out.fails:
        return out
    check_point(A, entry, prob, signs, t, u, xi, r, out)
    return out

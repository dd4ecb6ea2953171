"""Exact equations and inequalities of positive-dimensional sets of minima.

The units of one neuron split its weight: every unit ``l`` of neuron ``a`` has
``w_l = +-sqrt(t_l / lam) dir_a`` with ``sum t_l = s_a``. With one neuron (``k = 1``) we
eliminate ``s`` in favour of ``rho = sum_l q_l^2`` (``q`` the pivot coordinate, ``c``
when possible): ``rho`` generates the same number field, so the set is

    m(rho) = 0,     w_lj - q_l h_j(rho) = 0     (rho := sum_l q_l^2),

a reduced lex Groebner basis (the paper's form: ``b11 - p(c1, c2)``, ``b21 - q(c1, c2)``,
and an octic in ``c1, c2`` that is a quartic in ``c1^2 + c2^2``), plus the strict
inequalities of the face. With several neurons the roots ``s_a`` stay as variables.

Examples
--------
>>> unit_variable("b", 1, 2), unit_variable("c", 12)
('b12', 'c12')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from flint import arb, fmpq, fmpq_mat, fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly, fmpz_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import isolate_roots
from solver.pipeline.locate.in_faces import face_signs
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import exact_mid, fraction, sign_of, working_precision


@dataclass(frozen=True, slots=True)
class SetDescription:
    """Variables, equations (``expr = 0``) and strict inequalities of a set."""

    variables: tuple[str, ...]
    equations: tuple[str, ...]
    inequalities: tuple[str, ...]


def unit_variable(kind: str, unit: int, coord: int | None = None) -> str:
    """Paper-style names: ``b{unit}{coord}``, ``c{unit}``, 1-based; ``_`` above 9."""
    if coord is None:
        return f"{kind}{unit}"
    sep = "_" if unit > 9 or coord > 9 else ""
    return f"{kind}{unit}{sep}{coord}"


def _names(units: int, d: int) -> list[list[str]]:
    """Per unit: the names of its ``d + 1`` coordinates ``(b_l1..b_ld, c_l)``."""
    return [[unit_variable("b", l + 1, j + 1) for j in range(d)] + [unit_variable("c", l + 1)]
            for l in range(units)]


def set_description(point: NeuronPoint, labels: Sequence[int]) -> SetDescription:
    """Exact description of the split set of ``point`` with units assigned by ``labels``."""
    if any(r.poly is None for r in point.roots):  # three or more coupled neurons (L >= 4)
        point = point.exact(always=True)
    d = point.problem.d
    names = _names(len(labels), d)
    variables = [names[l][j] for j in range(d) for l in range(len(labels))]
    variables += [names[l][d] for l in range(len(labels))]
    inequalities = _face_inequalities(point, labels, names)
    if point.k == 1:
        eqs, extra = _single_neuron(point, labels, names, variables)
        return SetDescription(tuple(variables), eqs, tuple(inequalities + extra))
    eqs, extra, aux = _several_neurons(point, labels, names, variables)
    return SetDescription(tuple(variables + aux), eqs, tuple(inequalities + extra))


def _face_inequalities(point, labels, names) -> list[str]:
    """Strict face inequalities, point by point, unit by unit (the paper's order)."""
    out = []
    for i, row in enumerate(point.problem.x):
        for l, lb in enumerate(labels):
            sign = point.faces[lb].signs[i]
            if sign:
                coeffs = [(names[l][j], v) for j, v in enumerate(row)] + [(names[l][-1], 1)]
                out.append(f"{linear_form(coeffs)} {'>' if sign > 0 else '<'} 0")
    return out


def linear_form(terms: Sequence[tuple[str, object]]) -> str:
    """A linear form with positive terms first, e.g. ``c1 - 17*b11/100``.

    >>> from fractions import Fraction as F
    >>> linear_form([("b11", F(-17, 100)), ("c1", 1)])
    'c1 - 17*b11/100'
    >>> linear_form([("b11", F(11, 25)), ("c1", 1)])
    '11*b11/25 + c1'
    >>> linear_form([("c1", 1), ("b11", F(-1, 50))])
    'c1 - b11/50'
    """
    def body(name: str, value) -> str:
        v = abs(sympy.Rational(str(value)))
        if v == 1:
            return name
        if v.q == 1:
            return f"{v.p}*{name}"
        if v.p == 1:
            return f"{name}/{v.q}"
        return f"{v.p}*{name}/{v.q}"

    nonzero = [(n, v) for n, v in terms if v != 0]
    ordered = [t for t in nonzero if t[1] > 0] + [t for t in nonzero if t[1] < 0]
    if not ordered:
        return "0"
    out = ("-" if ordered[0][1] < 0 else "") + body(*ordered[0])
    for name, value in ordered[1:]:
        out += (" - " if value < 0 else " + ") + body(name, value)
    return out


def _pivot(point: NeuronPoint, a: int) -> int:
    """The coordinate used to normalise neuron ``a``: ``c`` unless it is zero there."""
    m = point.problem.d + 1
    for q in [m - 1] + list(range(m - 1)):
        try:
            sign_of(lambda p, q=q: point.values(p).directions[a][q], "a pivot")
            return q
        except DegenerateProblemError:
            continue
    raise DegenerateProblemError("degenerate data: a neuron with zero direction")


def _as_fmpq_poly(f: fmpq_mpoly) -> fmpq_poly:
    """A polynomial in ``s0`` only as an fmpq_poly."""
    coeffs: dict[int, fmpq] = {}
    for exps, c in f.to_dict().items():
        coeffs[exps[0]] = c
    top = max(coeffs) if coeffs else 0
    return fmpq_poly([coeffs.get(i, fmpq(0)) for i in range(top + 1)])


def _single_neuron(point, labels, names, variables):
    """The reduced Groebner basis in ``rho`` (see the module docstring)."""
    p = fmpq_poly(point.roots[0].poly.coeffs())
    D = p.degree()
    lam = point.problem.lam_q
    q = _pivot(point, 0)
    nums = [_as_fmpq_poly(f) for f in point.system.direction_numerators(0)]
    det = _as_fmpq_poly(point.system.det)
    s = fmpq_poly([0, 1])
    inv_det = _inverse_mod(det, p)
    rho = (s * nums[q] * nums[q] * inv_det * inv_det % p) * (1 / lam) % p
    powers = [fmpq_poly([1])]
    for _ in range(1, D):
        powers.append(powers[-1] * rho % p)
    P = fmpq_mat(D, D, [_coeff(powers[c], r) for r in range(D) for c in range(D)])
    minpoly = _minpoly(rho, p)
    if minpoly.degree() != D:
        raise DegenerateProblemError(
            "degenerate data: the set's radius does not generate its field")
    P_inv = P.inv()
    ctx = fmpq_mpoly_ctx.get(tuple(variables), "lex")
    gens = dict(zip(variables, ctx.gens()))
    group = [l for l, lb in enumerate(labels) if lb == 0]
    rho_poly = sum((gens[names[l][q]] ** 2 for l in group), ctx.constant(0))
    eqs = []
    m = len(nums)
    for j in range(m):
        if j == q:
            continue
        ratio = nums[j] * _inverse_mod(nums[q], p) % p if not nums[j].is_zero() else fmpq_poly([])
        h = _in_basis(ratio, P_inv, D)
        h_of_rho = _compose(h, rho_poly, ctx)
        for l in group:
            eqs.append(gens[names[l][j]] - gens[names[l][q]] * h_of_rho)
    eqs.append(_compose([minpoly[i] for i in range(D + 1)], rho_poly, ctx))
    extra = _separate(point, minpoly, rho, p, rho_poly)
    return tuple(str(e).replace("^", "**") for e in eqs), extra


def _coeff(f: fmpq_poly, i: int) -> fmpq:
    return f[i] if i <= f.degree() else fmpq(0)


def _inverse_mod(a: fmpq_poly, p: fmpq_poly) -> fmpq_poly:
    g, u, _ = a.xgcd(p)
    if g.degree() != 0:
        raise DegenerateProblemError("degenerate data: a zero denominator on a set")
    return u * (1 / g[0]) % p


def _minpoly(alpha: fmpq_poly, p: fmpq_poly) -> fmpq_poly:
    """Monic minimal polynomial of ``alpha`` in ``Q[s]/(p)`` (via its charpoly)."""
    D = p.degree()
    cols = []
    for c in range(D):
        cols.append(alpha * fmpq_poly([0] * c + [1]) % p)
    Mult = fmpq_mat(D, D, [_coeff(cols[c], r) for r in range(D) for c in range(D)])
    char = Mult.charpoly()
    char = fmpq_poly([char[i] for i in range(char.degree() + 1)])
    g = char.gcd(char.derivative())
    return char if g.degree() == 0 else char / g


def _in_basis(f: fmpq_poly, P_inv: fmpq_mat, D: int) -> list[fmpq]:
    vec = fmpq_mat(D, 1, [_coeff(f, r) for r in range(D)])
    sol = P_inv * vec
    return [sol[r, 0] for r in range(D)]


def _compose(coeffs: Sequence[fmpq], arg: fmpq_mpoly, ctx: fmpq_mpoly_ctx) -> fmpq_mpoly:
    acc = ctx.constant(0)
    for c in reversed(list(coeffs)):
        acc = acc * arg + c
    return acc


def _separate(point, minpoly, rho, p, rho_poly) -> list[str]:
    """Interval bounds on ``rho`` when another real root also meets the face."""
    others = [r for r in isolate_roots([_integer(p)]) if r.key() != point.roots[0].key()]
    clash = False
    for root in others:
        if not (root.lo > 0 or root.hi > 0):
            continue
        twin = NeuronPoint(point.problem, point.faces, point.neurons, (root,), ())
        try:
            positive = sign_of(lambda prec: root.ball(prec), "a root") > 0
        except DegenerateProblemError:
            positive = False
        if positive and face_signs(twin) is not None:
            clash = True
    if not clash:
        return []
    roots = isolate_roots([_integer(minpoly)])
    target = _rho_value(point, rho, p)
    for r in roots:
        if r.lo <= target <= r.hi:
            expr = sympy.sympify(str(rho_poly).replace("^", "**"))
            return [f"{expr} > {fraction(r.lo)}", f"{expr} < {fraction(r.hi)}"]
    raise DegenerateProblemError("could not separate a set from its conjugates")


def _rho_value(point, rho: fmpq_poly, p: fmpq_poly) -> fmpq:
    with working_precision(512):
        z = point.roots[0].ball(512)
        acc = arb(0)
        for c in reversed(rho.coeffs()):
            acc = acc * z + arb(c)
    return exact_mid(acc)


def _integer(p: fmpq_poly) -> fmpz_poly:
    """``p`` times its denominator, as an integer polynomial."""
    return fmpz_poly([int(c) for c in (p * p.denom()).coeffs()])


def _several_neurons(point, labels, names, variables):
    """Description keeping the roots ``s_a`` as auxiliary variables."""
    aux = [f"s{a}" for a in range(point.k)]
    ctx = fmpq_mpoly_ctx.get(tuple(variables + aux), "lex")
    gens = dict(zip(variables + aux, ctx.gens()))
    sys_ctx_gens = [gens[a] for a in aux]
    lam = point.problem.lam_q
    det = point.system.det.compose(*sys_ctx_gens, ctx=ctx)
    eqs = []
    for a in range(point.k):
        nums = [f.compose(*sys_ctx_gens, ctx=ctx) for f in point.system.direction_numerators(a)]
        q = _pivot(point, a)
        group = [l for l, lb in enumerate(labels) if lb == a]
        for l in group:
            for j in range(len(nums)):
                if j != q:
                    eqs.append(gens[names[l][j]] * nums[q] - gens[names[l][q]] * nums[j])
        norm = sum((gens[names[l][q]] ** 2 for l in group), ctx.constant(0))
        eqs.append(norm * det * det * lam - gens[aux[a]] * nums[q] * nums[q])
    extra = []
    for a, root in enumerate(point.roots):
        coeffs = [int(c) for c in root.poly.coeffs()]
        eqs.append(_compose([fmpq(c) for c in coeffs], gens[aux[a]], ctx))
        extra += [f"s{a} > {fraction(root.lo)}", f"s{a} < {fraction(root.hi)}"]
    return tuple(str(e).replace("^", "**") for e in eqs), extra, aux


__all__ = ["SetDescription", "set_description", "unit_variable"]

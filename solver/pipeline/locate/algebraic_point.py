"""A neuron point's quantities in exact arithmetic, over one number field per part.

Each connected part of a point (neurons coupled through shared seen points) is solved on
its own, and its coordinates generate one number field ``K = Q[t] / (m)``: with one
neuron ``t = s_a`` (``m`` its minimal polynomial); with two, ``t = s_0`` and ``s_1`` the
element of ``K`` at which the two face equations meet
(:func:`~solver.pipeline.locate.exact_zero.second_coordinate`); a part whose
coordinates are rational (:mod:`solver.pipeline.locate.rational`) has ``K = Q``. The
part's residuals and directions are elements of ``K`` (Woodbury, as in
:mod:`solver.pipeline.face_systems`: ``u = numerators / det``,
``r = y - sum_a s_a M_a G_a^{-1} u_a`` on the part's points, ``dir_a = V_a G_a^{-1} u_a``);
a point that no neuron sees has ``r_i = y_i``. An element is zero iff it is zero modulo
``m`` (irreducible), and a nonzero one has the sign of its value on a ball around the
root, refined until the ball excludes 0 (it must: the value is not zero).

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.locate.enumerator import NeuronEnumerator
>>> from solver.problem import Problem
>>> problem = Problem.parse([1, -1], [0, "-1/2"], "1/20", 2)
>>> faces = {f.pattern: f for f in unit_faces(problem.x)}
>>> point, = NeuronEnumerator(problem, list(faces.values())).points((faces["0+"],))
>>> exact, state = field_state(point)
>>> exact.roots[0].poly                  # 2 s + 1 = 10 sqrt(2)
4*x^2 + 4*x + (-199)
>>> [number_sign(v) for v in state.residual]   # r_0 = y_0 = 0, r_1 = -lam / sqrt(2)
[0, -1]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flint import arb, fmpq, fmpq_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import RealRoot
from solver.pipeline.face_systems import components, face_system
from solver.pipeline.locate.exact_zero import second_coordinate
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.locate.rational import rational_point
from solver.pipeline.number_field import evaluate, inverse, reduce
from solver.pipeline.numbers import MAX_PREC, working_precision

T = fmpq_poly([0, 1])


@dataclass(frozen=True, slots=True, eq=False)
class Field:
    """``Q[t] / (m)`` with ``t`` the real root ``root`` of ``m`` (``root`` None: ``Q``)."""

    m: fmpq_poly
    root: RealRoot | None

    def sign(self, e: fmpq_poly) -> int:
        """The exact sign of the element ``e`` (reduced modulo ``m``) at ``t = root``."""
        e = reduce(e, self.m)
        if e.degree() <= 0:
            c = e[0] if e.degree() == 0 else fmpq(0)
            return (c > 0) - (c < 0)
        found = _ball_sign(lambda prec: self.ball(e, prec))
        if found is None:  # not reached: a nonzero element has a nonzero value
            raise DegenerateProblemError(
                f"degenerate data: a nonzero algebraic number is undecided to {MAX_PREC} bits")
        return found

    def ball(self, e: fmpq_poly, prec: int) -> arb:
        """The value of ``e`` on a ball of the root at about ``prec`` bits (in that
        working precision)."""
        if self.root is None:
            return arb(e[0]) if e.degree() == 0 else arb(0)
        t, v = self.root.ball(prec), arb(0)
        for c in reversed(e.coeffs()):
            v = v * t + arb(c)
        return v


def _ball_sign(value_at) -> int | None:
    """The sign of ``value_at(prec)`` at rising precision, or None when no ball decides."""
    prec = 64
    while prec <= MAX_PREC:
        with working_precision(prec):
            v = value_at(prec)
        if v > 0 or v < 0:
            return 1 if v > 0 else -1
        prec *= 2
    return None


RATIONALS = Field(T, None)

Number = tuple[Field, fmpq_poly]  # an element of a field
_TWO_FIELDS = ("degenerate data: a sign of numbers of two different number fields (two "
               "parts of the point), which the exact test does not join")


def number_sign(x: Number) -> int:
    """The sign of a number."""
    return x[0].sign(x[1])


def combination_sign(terms: list[tuple[fmpq, Number]]) -> int:
    """The exact sign of ``sum c x`` over ``(c, x)`` pairs whose numbers with a nonzero
    coefficient lie in one field, or are rational."""
    field, total = RATIONALS, fmpq_poly([0])
    for c, (f, e) in terms:
        e = reduce(e, f.m)
        if c == 0 or e.is_zero():
            continue
        if e.degree() > 0:
            if field is not RATIONALS and field is not f:  # two fields: balls, if nonzero
                found = _ball_sign(lambda prec: sum((arb(c) * f.ball(reduce(e, f.m), prec)
                                                     for c, (f, e) in terms), arb(0)))
                if found is None:
                    raise DegenerateProblemError(_TWO_FIELDS)
                return found
            field = f
        total += c * e
    return field.sign(total)


def quadratic_sign(P, residual: tuple[Number, ...], constant: fmpq) -> int:
    """The exact sign of ``r^T P r - constant`` (``P`` a rational matrix), its products
    taken in one field (:func:`combination_sign`)."""
    terms: list[tuple[fmpq, Number]] = [(-constant, (RATIONALS, fmpq_poly([1])))]
    for i in range(P.nrows()):
        for j in range(P.ncols()):
            if P[i, j] != 0:
                (fi, ei), (fj, ej) = residual[i], residual[j]
                ei, ej = reduce(ei, fi.m), reduce(ej, fj.m)
                if ei.degree() > 0 and ej.degree() > 0 and fi is not fj:
                    raise DegenerateProblemError(_TWO_FIELDS)
                field = fi if ei.degree() > 0 else fj
                terms.append((P[i, j], (field, reduce(ei * ej, field.m))))
    return combination_sign(terms)


@dataclass(frozen=True, slots=True)
class FieldState:
    """A point's ``s``, residuals (numbers, one per data point) and directions (per
    neuron: ``m`` elements of ``fields[a]``, the field of its part), exactly."""

    fields: tuple[Field, ...]
    s: tuple[fmpq_poly, ...]
    residual: tuple[Number, ...]
    directions: tuple[tuple[fmpq_poly, ...], ...]


def field_state(point: NeuronPoint) -> tuple[NeuronPoint, FieldState]:
    """The point in exact form (minimal polynomials, or rational ``s``) and its exact
    quantities. Raises :class:`DegenerateProblemError` at a part of more than two coupled
    neurons whose coordinates are not rational."""
    parts = components(point.neurons)
    exact = exact_form(point, parts)
    if exact is None:
        raise DegenerateProblemError(
            "degenerate data: a quantity is zero to 4096 bits at a point of more than two "
            "coupled neurons whose coordinates are not rational")
    prob = point.problem
    fields: list[Field] = [RATIONALS] * point.k
    s: list[fmpq_poly] = [T] * point.k
    residual: list[Number] = [(RATIONALS, fmpq_poly([v])) for v in prob.y_q]
    directions: list[tuple[fmpq_poly, ...]] = [()] * point.k
    for members in parts:
        field, members, values = _part_field(exact, members)
        system = face_system(prob, [point.faces[a] for a in members],
                             [point.neurons[a] for a in members])
        inv_det = inverse(evaluate(system.det, values, field.m), field.m)
        u = [reduce(evaluate(num, values, field.m) * inv_det, field.m)
             for num in system.numerators]
        rows: dict[int, fmpq_poly] = {}
        for j, a in enumerate(members):
            nd = system.neurons[j]
            ua = [u[b] for b in system.blocks[j]]
            coef = [sum((nd.G_inv[p, q] * ua[q] for q in range(nd.size)), fmpq_poly([0]))
                    for p in range(nd.size)]
            directions[a] = tuple(reduce(sum((nd.V[c, p] * coef[p] for p in range(nd.size)),
                                             fmpq_poly([0])), field.m)
                                  for c in range(nd.V.nrows()))
            for i in nd.face.positive:
                fit = sum((nd.M[i, p] * coef[p] for p in range(nd.size)), fmpq_poly([0]))
                rows[i] = rows.get(i, fmpq_poly([0])) + values[j] * fit
            fields[a], s[a] = field, values[j]
        for i, fit in rows.items():
            residual[i] = (field, reduce(prob.y_q[i] - fit, field.m))
    return exact, FieldState(tuple(fields), tuple(s), tuple(residual), tuple(directions))


def exact_form(point: NeuronPoint, parts: list[list[int]] | None = None) -> NeuronPoint | None:
    """The point with rational coordinates (:func:`~solver.pipeline.locate.rational.
    rational_point`) or with minimal polynomials (by elimination: a part of three or more
    coupled neurons can take a while, but only degenerate points come here)."""
    parts = components(point.neurons) if parts is None else parts
    if max((len(p) for p in parts), default=0) > 2:
        rational = rational_point(point)
        if rational is not None:
            return rational
    return point.exact(always=True)


def _part_field(exact: NeuronPoint, members: list[int]
                ) -> tuple[Field, list[int], list[fmpq_poly]]:
    """The field of a part (generated by its coordinate of highest degree), the part's
    members in the order used (that coordinate first) and their ``s_a`` in the field."""
    roots = {a: exact.roots[a] for a in members}
    if all(r.poly.degree() == 1 for r in roots.values()):
        return RATIONALS, members, [fmpq_poly([fmpq(-int(r.poly[0]), int(r.poly[1]))])
                                    for r in roots.values()]
    members = sorted(members, key=lambda a: -roots[a].poly.degree())
    base = roots[members[0]]
    field = Field(fmpq_poly([int(c) for c in base.poly.coeffs()]), base)
    values = [T]
    for a in members[1:]:
        value = _root_in(field, roots[a])
        if value is None and len(members) == 2:  # the second coordinate, from the equations
            part = face_system(exact.problem, [exact.faces[b] for b in members],
                               [exact.neurons[b] for b in members])
            value = second_coordinate(part.equations, field.m)
        if value is None:
            raise DegenerateProblemError(
                "degenerate data: a quantity is zero to 4096 bits at a point of coupled "
                "neurons whose coordinates lie in no one number field found")
        values.append(value)
    return field, members, values


def _root_in(field: Field, root: RealRoot) -> fmpq_poly | None:
    """``root`` (the root of its polynomial in its interval) as an element of ``field``,
    when it is rational, or a root of a quadratic in a quadratic field; else None."""
    p = [fmpq(int(c)) for c in root.poly.coeffs()]
    if len(p) == 2:
        return fmpq_poly([-p[0] / p[1]])
    if len(p) != 3 or field.m.degree() != 2:
        return None
    c, b, a = p
    q0, q1, q2 = (field.m[i] for i in range(3))
    ratio = (b * b - 4 * a * c) / ((q1 * q1 - 4 * q2 * q0) / (q2 * q2))
    num, den = ratio.p, ratio.q  # disc = ratio * D, sqrt(D) = 2 t + q1 / q2 up to sign
    rn, rd = _isqrt(int(num)), _isqrt(int(den))
    if rn is None or rd is None:
        return None
    sqrt_disc = fmpq(rn, rd) * fmpq_poly([q1 / q2, 2])
    for sign in (1, -1):
        value = (fmpq_poly([-b]) + sign * sqrt_disc) * (1 / (2 * a))
        if field.sign(value - fmpq_poly([root.lo])) > 0 > field.sign(value - fmpq_poly([root.hi])):
            return reduce(value, field.m)
    return None


def _isqrt(v: int) -> int | None:
    """The integer square root of ``v``, when ``v`` is a square."""
    if v < 0:
        return None
    r = math.isqrt(v)
    return r if r * r == v else None


__all__ = ["Field", "FieldState", "Number", "RATIONALS", "combination_sign", "exact_form",
           "field_state", "number_sign", "quadratic_sign"]

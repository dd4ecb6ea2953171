"""Exact zeros of a condition along a face set's curve, and the λ of each.

One neuron: the curve is ``s > 0`` and a condition ``C(s)`` vanishes at the positive
real roots of its irreducible factors. Two neurons: the curve is ``Phi(s0, s1) = 0``;
a zero of ``C`` on it has ``s0`` a root of ``Res_s1(phi, C)`` for a component ``phi`` of
``Phi``, and ``s1`` the root of ``gcd(phi(s0, .), C(s0, .))`` over ``Q(s0)``, a rational
function of ``s0`` (a gcd of higher degree is refused as degenerate). Only zeros with
``s > 0`` count: there the point is the face set's interior solution at
``lam = sqrt(mu(s))`` (:mod:`solver.regpath.curve`).

Components of ``Phi`` along which ``mu`` is constant hold critical points at one λ only
(a segment of interior solutions: the neurons' outputs are linearly dependent there);
they are set aside (:func:`moving_components`).

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.pipeline.divide import unit_faces
>>> from solver.regpath.curve import SetCurve
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),)); y = (F(1, 4), F(-1, 4), F(5, 4))
>>> face = [f for f in unit_faces(x) if f.pattern == "+++"][0]
>>> curve = SetCurve.of(x, y, (face,))
>>> [z.lam.poly for z in curve_zeros(curve, curve.preactivation(0, 0), ())]
[80*x^2 + (-1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from flint import arb, fmpq_mpoly, fmpq_poly, fmpz_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import RealRoot, isolate_roots
from solver.pipeline.number_field import (
    Element,
    as_fmpq_poly,
    element_minpoly,
    evaluate,
    gcd,
    in_other,
    integer_poly,
    inverse,
    reduce,
    univariate,
)
from solver.pipeline.numbers import working_precision
from solver.regpath.curve import SetCurve
from solver.regpath.field import sqrt_root

PREC = 128


@dataclass(frozen=True, eq=False)
class CurveZero:
    """A zero of a condition on a face set's curve: coordinate ``var`` of ``s`` is
    ``root`` exactly and the other one (two neurons) is ``other``, an element of
    ``Q(root)``; λ is an exact algebraic number."""

    curve: SetCurve
    root: RealRoot
    other: Element | None
    var: int = 0

    def s_balls(self, prec: int) -> list[arb]:
        """``s`` as balls with about ``prec`` bits."""
        with working_precision(prec + 16):
            t = self.root.ball(prec + 16)
            if self.other is None:
                return [t]
            o = _element_ball(self.other, t)
            return [t, o] if self.var == 0 else [o, t]

    def lam_ball(self, prec: int) -> arb:
        """λ enclosed with about ``prec`` bits."""
        with working_precision(prec + 16):
            return self.curve.mu_ball(self.s_balls(prec)).sqrt()

    @cached_property
    def lam(self) -> RealRoot:
        """λ exactly: minimal polynomial and isolating interval."""
        p = self.root.poly
        pq = as_fmpq_poly(p)
        t = fmpq_poly([0, 1])
        if self.other is None:
            point = [t]
        else:
            point = [t, self.other] if self.var == 0 else [self.other, t]
        q = evaluate(self.curve.q[0], point, pq)
        d = evaluate(self.curve.det, point, pq)
        mu = reduce(q * inverse(reduce(d * d, pq), pq), pq)
        return sqrt_root(element_minpoly(mu, p),
                         lambda prec: self.curve.mu_ball(self.s_balls(prec)))


def _element_ball(e: Element, t: arb) -> arb:
    acc = arb(0)
    for i in range(e.degree(), -1, -1):
        acc = acc * t + arb(e[i])
    return acc


def positive_roots(f: fmpq_poly) -> list[RealRoot]:
    """The positive real roots of ``f``, each with its irreducible integer polynomial."""
    if f.degree() < 1:
        return []
    _, factors = integer_poly(f).factor()
    keep = [g for g, _ in factors if g.degree() >= 1 and _may_have_positive_root(g)]
    out = []
    for r in isolate_roots(keep) if keep else []:
        if r.lo > 0:
            out.append(r)
        elif r.hi > 0:
            with working_precision(PREC):
                b = r.ball(PREC)
            if b > 0:
                out.append(r)
            elif not b < 0 and r.poly.degree() > 1:
                raise DegenerateProblemError("degenerate data: a root at s = 0")
    return out


def _may_have_positive_root(g: fmpz_poly) -> bool:
    """Descartes' rule: at least one sign change in the coefficients."""
    signs = [c > 0 for c in g.coeffs() if c != 0]
    return any(a != b for a, b in zip(signs, signs[1:]))


def moving_components(curve: SetCurve) -> list[fmpq_mpoly]:
    """The irreducible factors of ``Phi`` that can meet ``s > 0`` and along which ``mu``
    is not constant (two neurons)."""
    phi = curve.phi
    if phi is None or phi.is_zero():
        raise DegenerateProblemError("degenerate data: two neurons with identical equations")
    _, factors = phi.factor()
    out = []
    for g, _ in factors:
        if g.is_constant() or not _mixed_signs(g):
            continue
        if _mu_constant_on(curve, g):
            continue
        out.append(g)
    return out


def _mixed_signs(g: fmpq_mpoly) -> bool:
    """Coefficients of both signs (otherwise no zero with every variable > 0)."""
    signs = {c > 0 for c in g.to_dict().values()}
    return len(signs) > 1


def _mu_constant_on(curve: SetCurve, g: fmpq_mpoly) -> bool:
    """Whether ``mu = Q/D^2`` is constant along the component ``g = 0``: ``g`` divides the
    Jacobian of ``(g, mu)`` (numerator ``g_0 (D Q_1' - 2 Q D_1') - g_1 (D Q_0' - 2 Q D_0')``)."""
    q, d = curve.q[0], curve.det
    dmu = [d * q.derivative(v) - q * d.derivative(v) * 2 for v in range(2)]
    jac = g.derivative(0) * dmu[1] - g.derivative(1) * dmu[0]
    if jac.is_zero():
        return True
    return (jac % g).is_zero()


def curve_zeros(curve: SetCurve, condition: fmpq_mpoly,
                parts: Sequence[fmpq_mpoly]) -> list[CurveZero]:
    """Every point of the curve (``s > 0``) where ``condition`` vanishes.

    ``parts`` are the curve's :func:`moving_components` (two neurons; ignored for one). A
    condition vanishing on a whole component raises :class:`DegenerateProblemError`.
    """
    if condition.is_zero():
        raise DegenerateProblemError("degenerate data: a condition vanishes identically")
    if curve.k == 1:
        return [CurveZero(curve, r, None) for r in positive_roots(univariate(condition))]
    out = []
    for part in parts:
        out.extend(_zeros_on(curve, part, condition))
    return out


def _zeros_on(curve: SetCurve, part: fmpq_mpoly, condition: fmpq_mpoly) -> list[CurveZero]:
    """Zeros on one component: eliminate ``s1`` (or, when a zero's ``s1`` is not
    determined by its ``s0``, eliminate ``s0``)."""
    if condition.is_constant():
        return []
    for var in (0, 1):
        found = _zeros_along(curve, part, condition, var)
        if found is not None:
            return found
    raise DegenerateProblemError(
        "degenerate data: a path condition meets a solution curve twice over one point")


def _zeros_along(curve: SetCurve, part: fmpq_mpoly, condition: fmpq_mpoly, var: int
                 ) -> list[CurveZero] | None:
    """Zeros with coordinate ``var`` a root of the eliminant and the other coordinate a
    rational function of it; None if that other coordinate is not unique."""
    other = 1 - var
    if part.degrees()[other] == 0 and condition.degrees()[other] == 0:
        raise DegenerateProblemError("degenerate data: a curve component without s1")
    if part.degrees()[other] == 0:
        eliminant = part
    elif condition.degrees()[other] == 0:
        eliminant = condition
    else:
        eliminant = part.resultant(condition, f"s{other}")
    if eliminant.is_zero():
        raise DegenerateProblemError(
            "degenerate data: a path condition vanishes along a whole solution curve")
    out = []
    seconds: dict[tuple, Element | None] = {}
    for root in positive_roots(univariate(eliminant, var)):
        key = tuple(int(c) for c in root.poly.coeffs())
        if key not in seconds:
            seconds[key] = _other(part, condition, root, var)
        second = seconds[key]
        if second is False:
            return None
        if second is None:
            continue
        zero = CurveZero(curve, root, second, var)
        with working_precision(PREC):
            value = zero.s_balls(PREC)[other]
        if value > 0:
            out.append(zero)
        elif not value < 0:
            raise DegenerateProblemError("degenerate data: an event at s = 0")
    return out


def _other(part: fmpq_mpoly, condition: fmpq_mpoly, root: RealRoot, var: int):
    """The other coordinate as an element of ``Q(root)``: the root of the gcd over
    ``Q(root)`` of the two polynomials in it; None when they share no root, False when
    they share several."""
    pq = as_fmpq_poly(root.poly)
    g = gcd(in_other(part, pq, var), in_other(condition, pq, var), pq)
    if len(g) < 2:
        return None
    if len(g) > 2:
        return False
    return g[0] * -1

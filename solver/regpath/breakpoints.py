"""Every λ at which a face set's verdict can change: its breakpoints, exactly.

A face set's interior solution moves continuously along its curve
(:mod:`solver.regpath.curve`), and whether it is a minimum depends on the signs of finitely
many functions along the curve (docs/path.md, "Events"): the coordinates ``s_a``
(existence), the pre-activations of the points the faces see or do not see, the KKT
multipliers of the points on the faces' boundaries, and, when units are left over for
dead units, the dead-unit bound ``|M_G^T r|_(G^-1) - lam`` on every other face ``G``.
Between two consecutive zeros of these functions the verdict is constant; this module
lists the zeros inside ``(lam_min, lam_max)`` (:class:`Breakpoint`), each with the
condition it belongs to.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.pipeline.divide import unit_faces
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),)); y = (F(1, 4), F(-1, 4), F(5, 4))
>>> face = [f for f in unit_faces(x) if f.pattern == "+++"][0]
>>> [(b.condition.kind, b.lam.poly) for b in set_breakpoints(
...     x, y, (face,), (face,), 1, F(1, 10000), F(2))]
[('preactivation', 80*x^2 + (-1)), ('exists', 16*x^2 + (-29))]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from flint import arb, fmpq, fmpq_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import RealRoot
from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData, neuron_data
from solver.pipeline.number_field import univariate
from solver.pipeline.numbers import working_precision
from solver.problem import Problem, to_fmpq
from solver.regpath.curve import SetCurve, dead_bound_squared
from solver.regpath.field import rational_sqrt_root
from solver.regpath.zeros import CurveZero, curve_zeros, moving_components, positive_roots


@dataclass(frozen=True, slots=True)
class Condition:
    """What vanishes at a breakpoint of a face set.

    ``kind``: ``"exists"`` (``s`` of neuron ``neuron`` reaches 0: the solution leaves the
    open orthant), ``"preactivation"`` (point ``point`` on neuron ``neuron``'s
    hyperplane), ``"multiplier-off"`` / ``"multiplier-on"`` (the multiplier of the
    boundary point ``point`` of neuron ``neuron`` with that point switched off / on),
    ``"dead-unit"`` (the dead-unit bound on face ``face`` reaches λ).
    """

    kind: str
    neuron: int | None = None
    point: int | None = None
    face: str | None = None


@dataclass(frozen=True, eq=False)
class Breakpoint:
    """A zero of ``condition`` on the curve of a face set, at an exact λ."""

    condition: Condition
    zero: CurveZero | None = None  # on a curve
    rational: fmpq | None = None  # or lam = sqrt(rational)

    @cached_property
    def lam(self) -> RealRoot:
        """λ exactly (minimal polynomial, isolating interval)."""
        if self.zero is not None:
            return self.zero.lam
        return rational_sqrt_root(self.rational)

    def ball(self, prec: int = 128) -> arb:
        """λ enclosed with about ``prec`` bits."""
        if self.zero is not None:
            return self.zero.lam_ball(prec)
        with working_precision(prec):
            return arb(self.rational).sqrt()


def set_breakpoints(
    x, y, faces: Sequence[UnitFace], alive: Sequence[UnitFace], units: int,
    lam_min: Fraction, lam_max: Fraction,
    data: dict | None = None,
) -> list[Breakpoint]:
    """The breakpoints of the face set ``faces`` inside ``(lam_min, lam_max)``, by λ.

    ``alive`` are all faces a neuron may sit on (the dead-unit bound is checked on each),
    ``data`` an optional cache of their :func:`~solver.pipeline.face_systems.neuron_data`.
    """
    data = data if data is not None else {}

    def nd(face: UnitFace) -> NeuronData:
        if face.signs not in data:
            data[face.signs] = neuron_data(Problem(x, tuple(y), Fraction(1), units), face)
        return data[face.signs]

    found: list[Breakpoint] = []
    others = [g for g in alive if g not in faces]
    if not faces:
        for g in others:
            found.append(Breakpoint(Condition("dead-unit", face=g.pattern),
                                    rational=dead_bound_squared(y, nd(g))))
        return _in_range(found, lam_min, lam_max)
    curve = SetCurve.of(x, y, faces, [nd(f) for f in faces])
    parts = moving_components(curve) if curve.k == 2 else []
    found.extend(_existence(curve, parts, y))
    for a, face in enumerate(faces):
        for i, sign in enumerate(face.signs):
            if sign == 0:
                continue
            pre = curve.preactivation(a, i)
            if pre.is_zero():  # structurally on the hyperplane: never inside the face
                return []
            found.extend(Breakpoint(Condition("preactivation", a, i), z)
                         for z in curve_zeros(curve, pre, parts))
        for i, off, on in curve.multipliers(a):
            for kind, f in (("multiplier-off", off), ("multiplier-on", on)):
                if f.is_zero():
                    raise DegenerateProblemError("degenerate data: a multiplier vanishes "
                                                 "identically along a face set's curve")
                found.extend(Breakpoint(Condition(kind, a, i), z)
                             for z in curve_zeros(curve, f, parts))
    if units > curve.k:
        for g in others:
            f = curve.kkt(nd(g))
            found.extend(Breakpoint(Condition("dead-unit", face=g.pattern), z)
                         for z in curve_zeros(curve, f, parts))
    return _in_range(found, lam_min, lam_max)


def _existence(curve: SetCurve, parts, y) -> list[Breakpoint]:
    """Where the curve leaves the open orthant: one ``s_a`` reaches 0."""
    if curve.k == 1:
        return [Breakpoint(Condition("exists", 0), rational=dead_bound_squared(
            y, curve.neurons[0]))]
    out = []
    for dying in (0, 1):
        keep = 1 - dying
        for part in parts:
            on_axis = part.subs({f"s{dying}": 0})
            if on_axis.is_zero():
                raise DegenerateProblemError("degenerate data: a solution curve lies on an axis")
            for root in positive_roots(univariate(on_axis, keep)):
                zero = _axis_zero(curve, root, keep)
                out.append(Breakpoint(Condition("exists", dying), zero))
    return out


def _axis_zero(curve: SetCurve, root: RealRoot, keep: int) -> CurveZero:
    """The curve point with ``s_keep`` at ``root`` and the other coordinate 0."""
    return CurveZero(curve, root, fmpq_poly([0]), keep)


def _in_range(found: list[Breakpoint], lam_min: Fraction, lam_max: Fraction
              ) -> list[Breakpoint]:
    """The breakpoints strictly inside ``(lam_min, lam_max)``, sorted by λ."""
    lo, hi = to_fmpq(lam_min), to_fmpq(lam_max)
    keep = []
    for b in found:
        ball = b.ball()
        if ball > arb(lo) and ball < arb(hi):
            keep.append((b, ball))
            continue
        if ball < arb(lo) or ball > arb(hi):
            continue
        root = b.lam  # undecided at 128 bits: compare exactly
        if _strictly_between(root, lo, hi):
            keep.append((b, b.ball(512)))
    keep.sort(key=lambda t: float(t[1].mid()))
    return [b for b, _ in keep]


def _strictly_between(root: RealRoot, lo: fmpq, hi: fmpq) -> bool:
    """Whether the exact root lies in the open interval (sign tests of its polynomial)."""
    for bound in (lo, hi):
        if root.poly(bound) == 0:
            return False
    with working_precision(2048):
        b = root.ball(2048)
    return bool(b > arb(lo) and b < arb(hi))

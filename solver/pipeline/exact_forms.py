"""Exact descriptions of critical points for the JSON output.

The point is determined by the exact roots ``s_a`` of its face system (each an
isolated root of an irreducible integer polynomial) and closed-form rational
expressions: ``u = adj(I + S T(s)) z / det(I + S T(s))``, the neuron direction
``dir_a = V_a G_a^{-1} u_a``, ``a_l = sign * sqrt(lam * t_l)`` and
``w_l = (a_l / lam) * dir_a``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import fmpq_mpoly

from solver.minima import AlgebraicRoot, ExactPoint, ExactUnit
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import fraction


def mpoly_str(f: fmpq_mpoly) -> str:
    """A flint polynomial as a sympy-parsable string."""
    return str(f).replace("^", "**")


def direction_exprs(point: NeuronPoint, a: int) -> tuple[str, ...]:
    """The neuron direction ``dir_a`` as rational expressions in ``s0, s1, ...``."""
    den = mpoly_str(point.system.det)
    return tuple("0" if num.is_zero() else f"({mpoly_str(num)})/({den})"
                 for num in point.system.direction_numerators(a))


def algebraic_roots(roots: Sequence) -> tuple[AlgebraicRoot, ...]:
    """Roots ``s0, s1, ...`` as exact data: minimal polynomials with isolating intervals,
    or (``minpoly`` None) the coordinates of a proved box."""
    return tuple(
        AlgebraicRoot(
            name=f"s{j}",
            minpoly=None if r.poly is None else tuple(int(c) for c in r.poly.coeffs()),
            lo=fraction(r.lo),
            hi=fraction(r.hi),
        )
        for j, r in enumerate(roots)
    )


def exact_point(point: NeuronPoint, labels: Sequence[int | None]) -> ExactPoint:
    """The :class:`ExactPoint` of a neuron point with units assigned by ``labels``."""
    roots = algebraic_roots(point.roots)
    m = point.problem.d + 1
    units = []
    dirs = {a: direction_exprs(point, a) for a in set(labels) if a is not None}
    for lb in labels:
        if lb is None:
            units.append(ExactUnit(0, "0", ("0",) * (m - 1), "0"))
        else:
            d = dirs[lb]
            units.append(ExactUnit(point.signs[lb], f"s{lb}", d[: m - 1], d[m - 1]))
    return ExactPoint(roots, tuple(units))


__all__ = ["exact_point", "direction_exprs", "mpoly_str"]

"""One certified minimum: its float point, exact description and certificate (JSON forms).

The JSON layout is documented in the README ("JSON output") and kept stable; the whole
result document is :class:`solver.results.Solution`.

Examples
--------
>>> Point(B=((1.0,),), c=(0.5,), a=(2.0,)).to_json()
{'B': [[1.0]], 'c': [0.5], 'a': [2.0]}
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar


def exact_text(value: Fraction) -> str:
    """Exact rational as a ``p/q`` (or integer) string."""
    return str(value)


def poly_str(coeffs: tuple[Fraction, ...], var: str) -> str:
    """Polynomial (coefficients from degree 0 up) as a sympy-parsable string.

    >>> poly_str((Fraction(-2), Fraction(0), Fraction(1)), "s0")
    's0**2 - 2'
    """
    terms = []
    for k in range(len(coeffs) - 1, -1, -1):
        c = coeffs[k]
        if c == 0:
            continue
        mono = "" if k == 0 else (var if k == 1 else f"{var}**{k}")
        if mono and abs(c) == 1:
            body = mono
        elif mono:
            body = f"{exact_text(abs(c))}*{mono}"
        else:
            body = exact_text(abs(c))
        sign = "-" if c < 0 else "+"
        terms.append((sign, body))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    out = ("-" if first_sign == "-" else "") + first
    for sign, body in terms[1:]:
        out += f" {sign} {body}"
    return out


@dataclass(frozen=True, slots=True)
class Point:
    """One parameter point of the network, as floats for display.

    ``B`` is L rows of d input weights, ``c`` the L biases, ``a`` the L output weights.
    """

    B: tuple[tuple[float, ...], ...]
    c: tuple[float, ...]
    a: tuple[float, ...]

    def to_json(self) -> dict:
        """JSON form: ``{"B": [[..]], "c": [..], "a": [..]}``."""
        return {"B": [list(row) for row in self.B], "c": list(self.c), "a": list(self.a)}


@dataclass(frozen=True, slots=True)
class AlgebraicRoot:
    """The unique real root of the irreducible integer polynomial ``minpoly`` (in the
    variable ``name``, coefficients from degree 0 up) inside ``[lo, hi]``.

    ``minpoly`` is None for the coordinates of a face set with three or more neurons:
    those are given together, as the unique solution of their face system (see
    :attr:`ExactPoint.DESCRIPTION`) in the box of their intervals.
    """

    name: str
    minpoly: tuple[int, ...] | None
    lo: Fraction
    hi: Fraction

    def to_json(self) -> dict:
        """JSON form with the polynomial (or null) and the interval as exact strings."""
        return {
            "name": self.name,
            "minpoly": None if self.minpoly is None
            else poly_str(tuple(Fraction(c) for c in self.minpoly), self.name),
            "interval": [exact_text(self.lo), exact_text(self.hi)],
        }


@dataclass(frozen=True, slots=True)
class ExactUnit:
    """Exact description of one unit in terms of the roots ``s0, s1, ...``.

    ``a_l = sign * sqrt(lam * t)`` and ``(b_l, c_l) = (a_l / lam) * (b, c)``, where
    ``t``, ``b`` and ``c`` are sympy-parsable rational expressions in the roots. A dead
    unit has ``sign == 0`` and ``t == "0"``.
    """

    sign: int
    t: str
    b: tuple[str, ...]
    c: str

    def to_json(self) -> dict:
        """JSON form."""
        return {"sign": self.sign, "t": self.t, "b": list(self.b), "c": self.c}


@dataclass(frozen=True, slots=True)
class ExactPoint:
    """Exact description of an isolated critical point."""

    roots: tuple[AlgebraicRoot, ...]
    units: tuple[ExactUnit, ...]

    DESCRIPTION: ClassVar[str] = (
        "each s_j is the unique real root of its minpoly in its interval; the s_j whose "
        "minpoly is null are, together, the unique solution in the box of their intervals "
        "of their neurons' equations |M_a^T r|^2_(G_a^-1) = lam^2 (r the residual; "
        "a Krawczyk-proved box); for unit l: "
        "a_l = sign*sqrt(lam*t), (b_l, c_l) = (a_l/lam)*(b, c); dead units are 0"
    )

    def to_json(self) -> dict:
        """JSON form (see :attr:`DESCRIPTION`)."""
        return {
            "description": self.DESCRIPTION,
            "s": [r.to_json() for r in self.roots],
            "units": [u.to_json() for u in self.units],
        }


@dataclass(frozen=True, slots=True)
class Certificate:
    """What was checked to certify a minimum, one readable line per check."""

    checks: tuple[str, ...]

    def to_json(self) -> list[str]:
        """JSON form: the list of checks."""
        return list(self.checks)


@dataclass(frozen=True, slots=True)
class IsolatedMinimum:
    """An isolated local minimum (a strict one, certified)."""

    point: Point
    loss: float
    orbit: int
    pattern: tuple[str, ...]
    active: tuple[tuple[int, int], ...]
    exact: ExactPoint
    certificate: Certificate

    kind: ClassVar[str] = "isolated"

    def to_json(self) -> dict:
        """JSON entry of ``minima`` (kind ``"isolated"``)."""
        return {
            "kind": self.kind,
            "loss": self.loss,
            "orbit": self.orbit,
            "pattern": list(self.pattern),
            **self.point.to_json(),
            "active": [list(p) for p in self.active],
            "exact": self.exact.to_json(),
            "certificate": self.certificate.to_json(),
        }


@dataclass(frozen=True, slots=True)
class CurveMinimum:
    """A positive-dimensional set of (non-strict) local minima, described exactly.

    The set is the part of the real variety ``equations = 0`` where all
    ``inequalities`` hold; the remaining variables (the ``a`` of every unit, and the
    parameters of units not in ``variables``) are given by ``samples``' rule: ``a_l``
    has ``|a_l| = ||(b_l, c_l)||`` for split units. ``samples`` lie on the set.
    """

    dimension: int
    variables: tuple[str, ...]
    equations: tuple[str, ...]
    inequalities: tuple[str, ...]
    samples: tuple[Point, ...]
    loss: float
    orbit: int
    pattern: tuple[str, ...]
    active: tuple[tuple[int, int], ...]
    endpoints: tuple[Point, ...]
    certificate: Certificate

    kind: ClassVar[str] = "curve"

    def to_json(self) -> dict:
        """JSON entry of ``minima`` (kind ``"curve"``)."""
        return {
            "kind": self.kind,
            "loss": self.loss,
            "orbit": self.orbit,
            "pattern": list(self.pattern),
            "dimension": self.dimension,
            "variables": list(self.variables),
            "equations": list(self.equations),
            "inequalities": list(self.inequalities),
            "active": [list(p) for p in self.active],
            "samples": [s.to_json() for s in self.samples],
            "endpoints": [s.to_json() for s in self.endpoints],
            "certificate": self.certificate.to_json(),
        }


Minimum = IsolatedMinimum | CurveMinimum

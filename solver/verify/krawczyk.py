"""The Krawczyk test: a box holds exactly one zero of a face system (or none).

:func:`prove_box` iterates ``X <- K(X) & X`` in ``arb`` balls, with ``K(X) = m - Y F(m) +
(I - Y J(X)) (X - m)`` for the equations ``F`` of a :class:`~solver.verify.face_system.
PatternSystem`; ``K(X)`` inside the interior of ``X`` proves exactly one zero there (and the
Jacobian non-singular on ``X``), ``K(X)`` disjoint from ``X`` proves none.
:func:`refine` shrinks the enclosure of a proved zero.

Examples
--------
One unit seeing the point ``x = 0`` (``x~ = (0, 1)``) with ``y = 1``, ``lam = 1/2``: the
equation ``r^2 = 1/4`` with ``r = 1/(1 + t)`` has the zero ``t = 1``.

>>> from fractions import Fraction as F
>>> from solver.problem import Problem
>>> system = PatternSystem(Problem(((F(0),),), (F(1),), F(1, 2), 1), ["+"], [0])
>>> prove_box(system, [0], {}, [(F(9, 10), F(11, 10))], 128)[0]
'unique'
>>> prove_box(system, [0], {}, [(F(2), F(3))], 128)[0]
'none'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from flint import arb, arb_mat, ctx

from solver.problem import to_fmpq
from solver.verify.face_system import PatternSystem


def hull(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing the rational interval ``[lo, hi]``."""
    return arb(to_fmpq(lo)).union(arb(to_fmpq(hi)))




def _step(system: PatternSystem, rows: list[int], fixed: dict[int, arb], X: list[arb]
          ) -> list[arb]:
    """The Krawczyk image ``K(X) = m - Y F(m) + (I - Y J(X)) (X - m)``.

    Every zero of the equations in ``X`` lies in ``K(X)``; ``K(X)`` inside the interior of
    ``X`` proves exactly one. Raises ``ZeroDivisionError`` when a matrix is not invertible.
    """
    k = len(rows)
    mid = [arb(x.mid()) for x in X]
    at = lambda s: {**fixed, **dict(zip(rows, s, strict=True))}  # noqa: E731
    Fm = arb_mat(k, 1, system.equations(at(mid), rows))
    Yb = system.jacobian(at(mid), rows).inv()
    Y = arb_mat([[arb(Yb[i, j].mid()) for j in range(k)] for i in range(k)])
    JX = system.jacobian(at(X), rows)
    eye = arb_mat([[arb(int(i == j)) for j in range(k)] for i in range(k)])
    delta = arb_mat(k, 1, [x - m for x, m in zip(X, mid, strict=True)])
    K = arb_mat(k, 1, mid) - Y * Fm + (eye - Y * JX) * delta
    return [K[j, 0] for j in range(k)]


MAX_PREC = 8192  # working precision cap for the Krawczyk proof


def start_precision(box: Sequence[tuple[Fraction, Fraction]]) -> int:
    """Enough bits to resolve the box: its relative width, plus a margin.

    A box of relative width ``2^-300`` needs ``300 + 64`` bits; a wide one the floor, 128:

    >>> start_precision([(Fraction(1), 1 + Fraction(1, 2**300))])
    364
    >>> start_precision([(Fraction(1), Fraction(2))])
    128
    """
    bits = 0
    for lo, hi in box:
        mid, width = abs(lo + hi) / 2, hi - lo
        size = (mid.numerator.bit_length() - mid.denominator.bit_length()) if mid else 0
        bits = max(bits, size - (width.numerator.bit_length() - width.denominator.bit_length()))
    return min(max(128, bits + 64), MAX_PREC)


def prove_doubling(system: PatternSystem, rows: list[int], fixed: Callable[[int], dict[int, arb]],
                   box: list[tuple[Fraction, Fraction]], prec0: int) -> tuple[str, object, int]:
    """:func:`prove_box` from ``prec0`` bits, doubling while undecided up to ``4 prec0``
    (at most :data:`MAX_PREC`); ``fixed(prec)`` gives the fixed units' balls. Returns the
    status, its information and the precision it was decided at."""
    prec = prec0
    while True:
        status, info = prove_box(system, rows, fixed(prec), box, prec)
        if status != "unknown" or prec >= min(4 * prec0, MAX_PREC):
            return status, info, prec
        prec *= 2


def prove_box(system: PatternSystem, rows: list[int], fixed: dict[int, arb],
              box: list[tuple[Fraction, Fraction]], prec: int, rounds: int = 40
              ) -> tuple[str, object]:
    """Decide whether the rational ``box`` holds exactly one zero of ``F_rows``.

    ``rows[j]`` is the unit whose ``t`` is coordinate ``j`` of the box; ``fixed`` gives the
    other alive units' ``t`` (balls). Iterates ``X <- K(X) & X`` (all zeros stay inside):
    returns ``("unique", enclosure)`` once ``K(X)`` is inside the interior of ``X``,
    ``("none", j)`` when ``K(X)`` misses ``X`` in coordinate ``j`` (no zero in the box),
    and ``("unknown", reason)`` otherwise.
    """
    with ctx.workprec(prec):
        X = [hull(lo, hi) for lo, hi in box]
        for _ in range(rounds):
            try:
                K = _step(system, rows, fixed, X)
            except ZeroDivisionError:
                return "unknown", "a Jacobian or I + sum t_l P_l is not invertible on the box"
            if all(k.lower() > x.lower() and k.upper() < x.upper()
                   for k, x in zip(K, X, strict=True)):
                return "unique", K
            new = []
            for j, (k, x) in enumerate(zip(K, X, strict=True)):
                lo, hi = max(k.lower(), x.lower()), min(k.upper(), x.upper())
                if lo > hi:
                    return "none", j
                new.append(lo.union(hi))
            if all(nx.rad() >= 0.99 * x.rad() for nx, x in zip(new, X, strict=True)):
                return "unknown", "the Krawczyk operator does not contract the box"
            X = new
    return "unknown", f"no proof after {rounds} Krawczyk steps"


def refine(system: PatternSystem, rows: list[int], fixed: dict[int, arb], Z: list[arb],
           prec: int) -> list[arb]:
    """Shrink a proved enclosure ``Z`` of the unique zero to about ``prec`` bits."""
    with ctx.workprec(prec + 32):
        for _ in range(12 + prec // 32):
            if all(z.rel_accuracy_bits() >= prec for z in Z):
                break
            try:
                K = _step(system, rows, fixed, Z)
            except ZeroDivisionError:
                break
            new = []
            for k, z in zip(K, Z, strict=True):
                lo, hi = max(k.lower(), z.lower()), min(k.upper(), z.upper())
                new.append(lo.union(hi) if lo <= hi else z)  # (cannot happen: Z holds the zero)
            if all(n.rad() >= z.rad() for n, z in zip(new, Z, strict=True)):
                break
            Z = new
    return Z

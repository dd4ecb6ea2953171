"""The fixed benchmark problems: the paper's example and seeded random data sets.

Random data are exact rationals (``x`` in hundredths of ``[-1, 1]``, ``y`` in hundredths of
``[-3/2, 3/2]``), drawn from :class:`random.Random` with a fixed seed, so every run
benchmarks the same problems. Inputs are pairwise distinct and in general position (no
``d + 1`` inputs on one affine hyperplane, checked exactly); a draw that fails the check is
redrawn from the same generator, which keeps the result deterministic.

Examples
--------
>>> p = random_problem("demo", n=4, d=1, units=2, seed=1)
>>> p.n, p.d, len(set(p.x)) == p.n
(4, 1, True)
>>> random_problem("demo", n=4, d=1, units=2, seed=1) == p
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from pathlib import Path

from solver.data import DataShape, read_csv

REPO = Path(__file__).resolve().parent.parent
PAPER_CSV = REPO / "assets" / "paper_example.csv"
LAM = Fraction(1, 100)
_DENOMINATOR = 100


@dataclass(frozen=True, slots=True)
class Problem(DataShape):
    """One benchmark problem, exact; ``target`` is the time to beat in seconds, ``quick``
    marks the small problems of ``bench_solver --quick``."""

    name: str
    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    lam: Fraction
    units: int
    target: float | None = None
    quick: bool = False


def paper_example(target: float | None = 0.3) -> Problem:
    """The paper's worked example (``assets/paper_example.csv``, ``lam = 1/100``, L = 2)."""
    data = read_csv(PAPER_CSV)
    return Problem("paper example", data.x, data.y, LAM, 2, target, quick=True)


def random_problem(
    name: str,
    n: int,
    d: int,
    units: int,
    seed: int,
    target: float | None = None,
    quick: bool = False,
) -> Problem:
    """``n`` seeded random points in general position in dimension ``d``.

    Parameters
    ----------
    name : label printed in the tables.
    n, d, units : problem size.
    seed : seed of the generator; the same seed gives the same problem.
    target : time to beat in seconds, if any.
    quick : part of the ``--quick`` selection.
    """
    rng = random.Random(seed)
    x = _general_position_inputs(rng, n, d)
    y = tuple(Fraction(rng.randint(-150, 150), _DENOMINATOR) for _ in range(n))
    return Problem(name, x, y, LAM, units, target, quick)


def _general_position_inputs(
    rng: random.Random, n: int, d: int
) -> tuple[tuple[Fraction, ...], ...]:
    """Distinct inputs with no ``d + 1`` of them affinely dependent (drawn until so)."""
    points: list[tuple[Fraction, ...]] = []
    while len(points) < n:
        candidate = tuple(Fraction(rng.randint(-100, 100), _DENOMINATOR) for _ in range(d))
        if candidate not in points and _in_general_position(points, candidate, d):
            points.append(candidate)
    return tuple(points)


def _in_general_position(
    points: list[tuple[Fraction, ...]], candidate: tuple[Fraction, ...], d: int
) -> bool:
    """No ``d`` earlier points together with ``candidate`` lie on an affine hyperplane
    of dimension ``d - 1`` (for d = 1, distinctness is all there is)."""
    if d == 1:
        return True
    for subset in combinations(points, d):
        rows = [[v - c for v, c in zip(p, candidate, strict=True)] for p in subset]
        if _det(rows) == 0:
            return False
    return True


def _det(rows: list[list[Fraction]]) -> Fraction:
    """Exact determinant by Gaussian elimination."""
    m = [list(r) for r in rows]
    size, det = len(m), Fraction(1)
    for k in range(size):
        pivot = next((r for r in range(k, size) if m[r][k] != 0), None)
        if pivot is None:
            return Fraction(0)
        if pivot != k:
            m[k], m[pivot] = m[pivot], m[k]
            det = -det
        det *= m[k][k]
        for r in range(k + 1, size):
            factor = m[r][k] / m[k][k]
            for c in range(k, size):
                m[r][c] -= factor * m[k][c]
    return det


def standard_problems() -> list[Problem]:
    """The benchmark set with their time targets (seconds); the two without a target are
    small enough for the baseline to finish, for the comparison."""
    return [
        paper_example(0.3),
        random_problem("d=1 L=2 n=10", n=10, d=1, units=2, seed=10, quick=True),
        random_problem("d=1 L=2 n=20", n=20, d=1, units=2, seed=20, target=10.0, quick=True),
        random_problem("d=1 L=3 n=8", n=8, d=1, units=3, seed=8, target=60.0),
        random_problem("d=2 L=2 n=4", n=4, d=2, units=2, seed=24, quick=True),
        random_problem("d=2 L=2 n=8", n=8, d=2, units=2, seed=28, target=60.0),
    ]


GROWTH_MAX_N = 40


def growth_problem(n: int, units: int) -> Problem:
    """The growth series' problem of size ``n``: the first ``n`` points of one seeded
    data set per ``units`` (d = 1), so that each size adds points to the previous one.

    >>> growth_problem(3, 2).x == growth_problem(4, 2).x[:3]
    True
    """
    full = random_problem("growth", n=GROWTH_MAX_N, d=1, units=units, seed=1000 + units)
    return Problem(f"d=1 L={units} n={n}", full.x[:n], full.y[:n], full.lam, units)

"""Shared pieces of the training tests: the paper's example and random small problems."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np

from solver.data import read_csv
from solver.problem import Problem
from solver.train.api import Landscape, landscape

REPO = Path(__file__).resolve().parents[2]
PAPER_CSV = REPO / "assets" / "paper_example.csv"


@cache
def paper(units: int = 2) -> Problem:
    """The paper's example, lam = 1/100."""
    return Problem.of(read_csv(PAPER_CSV), Fraction(1, 100), units)


@cache
def exact(problem: Problem) -> Landscape:
    """The problem's exact landscape (cached: problems are hashable)."""
    return landscape(problem, force=True)


def random_problem(seed: int, d: int, units: int, n: int | None = None) -> Problem:
    """Seeded random data: two-decimal inputs in [-1, 1]^d (distinct), targets in
    [-1.5, 1.5], lam from {1/100, 1/20, 1/5, 1/2} (the cross-checks' choices)."""
    rng = np.random.default_rng(seed)
    n = n if n is not None else int(rng.integers(3, 7 if d == 1 else 6))
    while True:
        x = [tuple(Fraction(int(v), 100) for v in rng.integers(-100, 101, d)) for _ in range(n)]
        if len(set(x)) == n and (d != 2 or not _collinear_triple(x)):
            break
    y = [Fraction(int(v), 100) for v in rng.integers(-150, 151, n)]
    lam = (Fraction(1, 100), Fraction(1, 20), Fraction(1, 5), Fraction(1, 2))[rng.integers(4)]
    return Problem.parse(x, y, lam, units)


def _collinear_triple(x: list[tuple[Fraction, ...]]) -> bool:
    """Three inputs of the plane on one line (the exact solver refuses some such sets)."""
    from itertools import combinations

    return any((q[0] - p[0]) * (r[1] - p[1]) == (q[1] - p[1]) * (r[0] - p[0])
               for p, q, r in combinations(x, 3))

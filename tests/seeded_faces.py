"""Seeded random problems and their face sets, for the tests of the locate stage.

``tests/solver/test_coarse.py``, ``test_first_order.py`` and ``test_minimise.py`` compare
the batched float stages with ball arithmetic or with the one-set iteration on the same
kind of data: ``n`` points with coordinates on a 0.01 grid in ``[-1, 1]``, ``y`` in
``[-1.5, 1.5]``, ``lam = 1/100``.

>>> problem = grid_problem(4, 7, 1)
>>> problem.n, problem.d, problem.units
(7, 1, 2)
>>> all(f.dim > 0 and f.positive for f in alive_faces(problem))
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from fractions import Fraction
from itertools import combinations

from solver.pipeline.divide import unit_faces
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.problem import Problem


def grid_problem(seed: int, n: int, d: int, units: int = 2) -> Problem:
    """``n`` seeded points in ``d`` inputs on the 0.01 grid, ``lam = 1/100``."""
    rng = random.Random(seed)
    x = [[Fraction(rng.randint(-100, 100), 100) for _ in range(d)] for _ in range(n)]
    y = [Fraction(rng.randint(-150, 150), 100) for _ in range(n)]
    return Problem.parse(x if d > 1 else [r[0] for r in x], y, "1/100", units)


def alive_faces(problem: Problem) -> list:
    """The unit faces of positive dimension that see at least one point."""
    return [f for f in unit_faces(problem.x) if f.dim > 0 and f.positive]


def prepared_sets(problem: Problem, sizes: tuple[int, ...] = (1, 2)
                  ) -> Iterator[tuple[NeuronEnumerator, tuple]]:
    """Every set of ``k`` alive faces, ``k`` in ``sizes``, with an enumerator that has
    prepared (batched) each level before its sets are yielded."""
    alive = alive_faces(problem)
    enumerator = NeuronEnumerator(problem, alive)
    for k in sizes:
        sets = [tuple(alive[i] for i in key) for key in combinations(range(len(alive)), k)]
        enumerator.prepare(sets)
        for faces in sets:
            yield enumerator, faces


__all__ = ["alive_faces", "grid_problem", "prepared_sets"]

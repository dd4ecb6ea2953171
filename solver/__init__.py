"""Exact divide-enumerate-merge solver for every local minimum of a ridge ReLU network.

>>> from solver import solve
>>> sol = solve(["-0.17", "0.44", "-1.00", "-0.40", "-0.71"],
...             ["0.05", "1.02", "0.61", "-0.36", "-1.32"], "1/100", 2)
>>> sorted({m.kind for m in sol.minima})
['curve', 'isolated']
"""

from solver.errors import (
    DegenerateProblemError,
    ProblemTooLargeError,
    SolveCancelled,
    SolverError,
    SolverInputError,
)
from solver.results import CurveMinimum, IsolatedMinimum, Point, Solution, SolveStats
from solver.solve import estimate_seconds, solve

__all__ = [
    "solve",
    "estimate_seconds",
    "Solution",
    "SolveStats",
    "IsolatedMinimum",
    "CurveMinimum",
    "Point",
    "SolverError",
    "SolverInputError",
    "ProblemTooLargeError",
    "DegenerateProblemError",
    "SolveCancelled",
]

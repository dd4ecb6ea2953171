"""Exact divide-enumerate-merge solver for every local minimum of a ridge ReLU network.

The package holds two programs: the solver (:mod:`solver.pipeline`, with scale-out in
:mod:`solver.scaleout`) and the independent certificate checker (:mod:`solver.verify`),
on a thin shared base (:mod:`solver.data`, :mod:`solver.errors`, :mod:`solver.problem`,
:mod:`solver.results`, :mod:`solver.report`) and the command line (:mod:`solver.cli`).
The public names below are loaded on first use, so that importing the checker (or
``solver`` itself) loads none of the solving pipeline.

>>> from solver import solve
>>> sol = solve(["-0.17", "0.44", "-1.00", "-0.40", "-0.71"],
...             ["0.05", "1.02", "0.61", "-0.36", "-1.32"], "1/100", 2)
>>> sorted({m.kind for m in sol.minima})
['curve', 'isolated']

The regularisation path of every minimum over a λ range (:mod:`solver.regpath`):

>>> from solver import path
>>> p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
>>> p.events[0].description
'branch 3 is born: fold at λ = 0.1118034…'
"""

from __future__ import annotations

import importlib

from solver.errors import (
    DegenerateProblemError,
    ProblemTooLargeError,
    SolveCancelled,
    SolverError,
    SolverInputError,
)

# Public name -> the module defining it, imported when the name is first used (PEP 562).
_LAZY = {
    "solve": "solver.pipeline.solve",
    "solve_problem": "solver.pipeline.solve",
    "Problem": "solver.problem",
    "estimate_seconds": "solver.pipeline.solve",
    "critical_points": "solver.pipeline.critical",
    "path": "solver.regpath.api",
    "Path": "solver.regpath.results",
    "CriticalPoint": "solver.pipeline.critical",
    "Solution": "solver.results",
    "SolveStats": "solver.results",
    "IsolatedMinimum": "solver.results",
    "CurveMinimum": "solver.results",
    "Point": "solver.results",
}

__all__ = [
    "solve",
    "solve_problem",
    "Problem",
    "estimate_seconds",
    "critical_points",
    "CriticalPoint",
    "path",
    "Path",
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


def __getattr__(name: str) -> object:
    """Load a public name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'solver' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted(set(globals()) | set(__all__))

"""Solves that several test modules need, done once per test session.

The in-process solve of an asset at ``lam = 1/100`` is compared with the cluster's
(``tests/solver/test_scaleout.py``) and re-checked by the certificate checker
(``tests/verify/test_verify.py``): both take it from here. A :class:`~solver.Solution` is
frozen, so sharing it cannot let one test change what another sees; an error (for
instance :class:`~solver.errors.DegenerateProblemError`) is raised again to every caller.

>>> from pathlib import Path
>>> sol = asset_solution(Path(__file__).parents[1] / "assets" / "paper_example.csv", 1)
>>> asset_solution(Path(__file__).parents[1] / "assets" / "paper_example.csv", 1) is sol
True
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from pathlib import Path

from solver import Solution, solve
from solver.data import read_csv

ASSET_LAM = Fraction(1, 100)


@cache
def asset_solution(path: Path, units: int) -> Solution:
    """``solve`` of the CSV at ``path`` with ``units`` units and ``lam = 1/100``, in process."""
    data = read_csv(path)
    return solve(data.x, data.y, ASSET_LAM, units)

"""The benchmark baseline (``benchmarks/baseline.py``) against the solver.

The baseline is the straightforward method the README's performance table compares with:
every one of the ``3^n`` sign vectors tested by Fourier-Motzkin elimination and every
multiset of ``L`` faces solved by resultant elimination, with no pruning, no reuse of
decoupled parts and no numerical location. Where it finishes, its certified minima must
be the solver's, entry for entry (so the table's "baseline = solver" column, and the
speed-ups beside it, compare like with like). On the paper's example both must also give
the paper's curve count (one interior curve) and the six isolated boundary minima of
``tests/solver/test_paper_comparison.py``.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.baseline import baseline_solve, realisable_faces
from solver import DegenerateProblemError, solve
from solver.data import read_csv
from tests.strategies import problems

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _minima(solution) -> list[dict]:
    return solution.to_json()["minima"]


def test_paper_example_baseline_equals_solver() -> None:
    data = read_csv(ASSETS / "paper_example.csv")
    lam = Fraction(1, 100)
    base = baseline_solve(data.x, data.y, lam, 2).solution
    assert _minima(base) == _minima(solve(data.x, data.y, lam, 2))
    kinds = [m.kind for m in base.minima]
    assert kinds.count("isolated") == 6  # the paper's comparison: 6 certified (3 orbits)
    interior = [m for m in base.minima if m.kind == "curve" and not m.active]
    assert len(interior) == 1  # the paper's one interior curve


def test_sign_vectors_of_one_point_in_the_line() -> None:
    # One input x = 0: the lifted normal (0, 1) splits the (b, c) plane into c > 0, c = 0,
    # c < 0; with the lineality (the b axis) those are 3 faces of dimensions 2, 1, 2.
    faces = realisable_faces(((Fraction(0),),))
    assert sorted((f.signs, f.dim) for f in faces) == [((-1,), 2), ((0,), 1), ((1,), 2)]


@pytest.mark.parametrize("d, units, n_max", [(1, 1, 4), (1, 2, 4), (2, 2, 3)])
def test_random_baseline_equals_solver(d: int, units: int, n_max: int) -> None:
    @settings(max_examples=6, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(problems(d=d, n_min=2, n_max=n_max))
    def run(problem):
        try:
            expected = _minima(solve(problem.x, problem.y, problem.lam, units, force=True))
        except DegenerateProblemError:
            return  # the solver refuses such data; nothing to compare
        base = baseline_solve(problem.rows, problem.y, problem.lam, units).solution
        assert _minima(base) == expected, repr(problem)

    run()

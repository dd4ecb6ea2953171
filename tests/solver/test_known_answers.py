"""Hand-derived known answers (tests/data/*.json with a ``runs`` list) against the solver.

Each file holds a data set, exact expected minima as ``"p/q"`` strings and a ``note`` with
the derivation. Every expected minimum is first checked for internal consistency in exact
arithmetic (its loss, its sign pattern and active set follow from its coordinates) and
against the numerical oracle; then the solver must report exactly these minima: the same
count, kinds, patterns and active sets, losses to 1e-12 and coordinates to 1e-12.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from solver import solve
from tests import oracle

DATA = Path(__file__).parent.parent / "data"
CASES = sorted(p for p in DATA.glob("*.json")
               if p.name != "paper_example.json" and "runs" in json.loads(p.read_text()))
TOL = 1e-12


def _q(v: str) -> Fraction:
    return Fraction(v)


def _rows(x: list) -> list[tuple[Fraction, ...]]:
    return [tuple(_q(v) for v in r) if isinstance(r, list) else (_q(r),) for r in x]


def _exact_loss(rows, y, lam, B, c, a) -> Fraction:
    """The loss of the module docstring of solver, in exact arithmetic."""
    total = Fraction(0)
    for xi, yi in zip(rows, y, strict=True):
        out = sum((al * max(Fraction(0), sum(bk * xk for bk, xk in zip(bl, xi, strict=True)) + cl)
                   for bl, cl, al in zip(B, c, a, strict=True)), Fraction(0))
        total += (yi - out) ** 2
    return total + lam * (sum(v * v for v in a) + sum(v * v for row in B for v in row)
                          + sum(v * v for v in c))


def _expected(case: dict) -> list[tuple[int, list[dict]]]:
    return [(run["units"], run["minima"]) for run in case["runs"]]


def _params():
    for path in CASES:
        case = json.loads(path.read_text())
        for units, _ in _expected(case):
            yield pytest.param(path, units, id=f"{path.stem}-L{units}")


@pytest.mark.parametrize(("path", "units"), list(_params()))
def test_expected_values_are_consistent(path: Path, units: int) -> None:
    """Exact loss, pattern and active set follow from the expected coordinates."""
    case = json.loads(path.read_text())
    rows, y, lam = _rows(case["x"]), [_q(v) for v in case["y"]], _q(case["lam"])
    minima = dict(_expected(case))[units]
    for m in minima:
        B = [[_q(v) for v in r] for r in m["B"]]
        c, a = [_q(v) for v in m["c"]], [_q(v) for v in m["a"]]
        assert _exact_loss(rows, y, lam, B, c, a) == _q(m["loss"])
        pre = [[sum(bk * xk for bk, xk in zip(bl, xi, strict=True)) + cl for xi in rows]
               for bl, cl in zip(B, c, strict=True)]
        assert ["".join("+" if v > 0 else "-" if v < 0 else "0" for v in unit) for unit in pre] \
            == m["pattern"]
        assert sorted([i, k] for k, unit in enumerate(pre) for i, v in enumerate(unit) if v == 0) \
            == sorted(m["active"])


@pytest.mark.parametrize(("path", "units"), list(_params()))
def test_oracle_agrees_with_known_answer(path: Path, units: int) -> None:
    """The numerical oracle finds the same minima (an independent third opinion)."""
    case = json.loads(path.read_text())
    x = [[float(_q(v)) for v in r] for r in case["x"]] if isinstance(case["x"][0], list) \
        else [float(_q(v)) for v in case["x"]]
    y, lam = [float(_q(v)) for v in case["y"]], float(_q(case["lam"]))
    minima = dict(_expected(case))[units]
    found = oracle.find_local_minima(x, y, lam, units, seed=0)
    assert len(found) == len(minima)
    for m in minima:
        B = np.array([[float(_q(v)) for v in r] for r in m["B"]])
        c, a = np.array([float(_q(v)) for v in m["c"]]), np.array([float(_q(v)) for v in m["a"]])
        assert oracle.is_local_min(x, y, lam, B, c, a)
        rows = np.column_stack([B, c, a])
        assert any(oracle.perm_distance(rows, np.column_stack([o.B, o.c, o.a])) < 1e-9
                   for o in found)


@pytest.mark.parametrize(("path", "units"), list(_params()))
def test_solver_reports_exactly_the_known_minima(path: Path, units: int) -> None:
    case = json.loads(path.read_text())
    minima = dict(_expected(case))[units]
    sol = solve(case["x"], case["y"], case["lam"], units)
    assert len(sol.minima) == len(minima), sol.to_table()
    unmatched = list(sol.minima)
    for m in minima:
        B = np.array([[float(_q(v)) for v in r] for r in m["B"]])
        c, a = np.array([float(_q(v)) for v in m["c"]]), np.array([float(_q(v)) for v in m["a"]])
        hits = [s for s in unmatched if s.kind == m["kind"]
                and abs(s.loss - float(_q(m["loss"]))) <= TOL
                and list(s.pattern) == m["pattern"]
                and sorted(list(p) for p in s.active) == sorted(m["active"])
                and np.max(np.abs(np.array(s.point.B) - B)) <= TOL
                and np.max(np.abs(np.array(s.point.c) - c)) <= TOL
                and np.max(np.abs(np.array(s.point.a) - a)) <= TOL]
        assert hits, f"expected minimum not reported: {m}\n{sol.to_table()}"
        unmatched.remove(hits[0])
    assert not unmatched

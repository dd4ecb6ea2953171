"""The notebook object ``Explorer(x, y, lam, units)``, built without a browser or a kernel.

Expected minima come from :func:`solver.solve` called here on the same data.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from explorer.runner import SolveRunner
from solver import solve
from solver.errors import SolverInputError

PAPER_X = ["-0.17", "0.44", "-1.00", "-0.40", "-0.71"]
PAPER_Y = ["0.05", "1.02", "0.61", "-0.36", "-1.32"]


@pytest.fixture(scope="module")
def runner() -> SolveRunner:
    return SolveRunner(processes=False)


def test_explorer_carries_the_given_data_and_solves_it(runner: SolveRunner) -> None:
    from bokeh.plotting import figure as Figure
    from panel.models.tabulator import DataTabulator

    from explorer import Explorer

    # numpy floats for x (read through their shortest repr), strings and a Fraction for y.
    x = np.array([float(v) for v in PAPER_X])
    y = [*PAPER_Y[:4], Fraction(-132, 100)]
    explorer = Explorer(x, y, lam=0.03, units=1, runner=runner)
    assert explorer.rows == [("-0.17", "0.05"), ("0.44", "1.02"), ("-1", "0.61"),
                             ("-0.4", "-0.36"), ("-0.71", "-1.32")]
    assert explorer.state.lam == "0.03" and explorer.state.units == 1
    truth = solve(PAPER_X, PAPER_Y, "3/100", 1)
    assert [(m.kind, m.loss, m.pattern) for m in explorer.result.minima] == [
        (m.kind, m.loss, m.pattern) for m in truth.minima]
    root = explorer.__panel__().get_root()
    tables = {frozenset(t.source.data): t for t in root.select({"type": DataTabulator})}
    minima = next(t for cols, t in tables.items() if "orbit" in cols)
    assert list(minima.source.data["loss"]) == [f"{m.loss:.10g}" for m in truth.minima]
    points = next(t for cols, t in tables.items() if "point" in cols)
    assert list(points.source.data["x"]) == [r[0] for r in explorer.rows]
    assert len(list(root.select({"type": Figure}))) >= 3
    assert explorer.__panel__() is explorer.__panel__()  # built once


def test_explorer_edits_and_selection_go_through_its_state(runner: SolveRunner) -> None:
    from explorer import Explorer

    explorer = Explorer(PAPER_X, PAPER_Y, lam="1/100", units=2, runner=runner)
    assert explorer.state.edit(lam="1/3")
    assert len(explorer.result.minima) == len(solve(PAPER_X, PAPER_Y, "1/3", 2).minima)
    explorer.state.select(1)
    assert explorer.selected is explorer.result.minima[1]


@pytest.mark.parametrize(
    ("x", "y", "lam", "units", "message"),
    [
        ([0, 0], [1, 2], "1/100", 2, "same x"),
        ([0, 1], [1], "1/100", 2, "x has 2 values but y has 1"),
        ([[0, 1], [1, 0]], [1, 2], "1/100", 2, "1-D data"),
        ([0, 1], [1, "abc"], "1/100", 2, "not a number: 'abc'"),
        ([0, 1], [1, 2], "-1", 2, "lambda must be positive"),
        ([0, 1], [1, 2], "1/100", 5, "1 to 4 units"),
    ],
)
def test_explorer_refuses_bad_data_with_one_line(
        runner: SolveRunner, x: list, y: list, lam: str, units: int, message: str) -> None:
    from explorer import Explorer

    with pytest.raises(SolverInputError, match=message) as info:
        Explorer(x, y, lam=lam, units=units, runner=runner)
    assert "\n" not in str(info.value)


def test_the_worker_module_does_not_import_panel() -> None:
    code = "import sys, explorer.worker; sys.exit('panel' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

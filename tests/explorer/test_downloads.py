"""The dashboard's downloads equal what the command line writes for the same data.

The independent path: the downloaded CSV is given to ``python -m solver solve ... --json
--latex`` in a subprocess, and its files are compared with the dashboard's JSON and LaTeX
(all but the solve's wall time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from explorer.layout import build_dashboard
from explorer.problem import ASSETS, read_example
from explorer.runner import SolveRunner
from explorer.state import ExplorerState
from solver.data import read_csv

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def board() -> Any:
    return build_dashboard(ExplorerState(runner=SolveRunner(processes=False)))


def _cli(csv: Path, lam: str, units: int, out: Path) -> tuple[dict, str]:
    """The CLI's JSON document and LaTeX fragment for ``csv``."""
    subprocess.run(
        [sys.executable, "-m", "solver", "solve", str(csv), "--lam", lam, "--units", str(units),
         "--json", str(out / "cli.json"), "--latex", str(out / "cli.tex")],
        cwd=ROOT, check=True, capture_output=True, timeout=300)
    return (json.loads((out / "cli.json").read_text()), (out / "cli.tex").read_text())


def _without_time(doc: dict) -> dict:
    return {**doc, "stats": {k: v for k, v in doc["stats"].items() if k != "seconds"}}


def _latex_without_time(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("% stats:")]


@pytest.mark.parametrize(("example", "lam", "units"), [
    ("paper_example", "1/100", 2),
    ("step", "0.001", 3),  # three units: minima given by proved boxes (minpoly null)
])
def test_json_latex_and_csv_are_what_the_command_line_writes(
        board: Any, tmp_path: Path, example: str, lam: str, units: int) -> None:
    state, downloads = board.state, board.downloads
    assert state.edit(data=read_example(ASSETS / f"{example}.csv"), lam=lam, units=units)
    csv = tmp_path / downloads.csv.filename
    csv.write_text(downloads.csv.callback().getvalue())
    # the CSV is the example's data, exactly
    assert read_csv(csv) == read_csv(ASSETS / f"{example}.csv")
    shown = json.loads(downloads.json.callback().getvalue())
    cli_json, cli_latex = _cli(csv, lam, units, tmp_path)
    assert _without_time(shown) == _without_time(cli_json)
    assert shown["units"] == units and len(shown["minima"]) == len(state.result.minima)
    latex = downloads.latex.callback().getvalue()
    assert _latex_without_time(latex) == _latex_without_time(cli_latex)
    # the file names say the problem
    stem = f"relu-minima_lam-{lam.replace('/', '_')}_units-{units}"
    assert (downloads.json.filename, downloads.latex.filename) == (f"{stem}.json", f"{stem}.tex")


def test_the_downloads_describe_what_is_shown_not_a_refused_edit(board: Any) -> None:
    state, downloads = board.state, board.downloads
    assert state.edit(data=read_example(ASSETS / "two_clusters.csv"), lam="1/100", units=1)
    before = (downloads.json.callback().getvalue(), downloads.csv.callback().getvalue())
    assert not state.edit(data="0,1;0,2")
    assert (downloads.json.callback().getvalue(), downloads.csv.callback().getvalue()) == before
    assert json.loads(before[0])["units"] == 1 and before[1].startswith("x,y\n-0.9,")

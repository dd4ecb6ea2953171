"""``python -m solver train``: the basin table, the JSON, bad input, re-running one run.

(That the solving pipeline never imports the training package is checked with the other
import rules in ``tests/solver/test_imports.py``.)
"""

from __future__ import annotations

import json

import pytest

from solver.cli import main
from tests.train.helpers import PAPER_CSV

BASE = ["train", str(PAPER_CSV), "--lam", "1/100", "--units", "2"]


def test_table_for_the_paper_example(capsys: pytest.CaptureFixture) -> None:
    assert main([*BASE, "--runs", "40", "--steps", "3000"]) == 0
    out = capsys.readouterr().out
    assert "gd lr=0.01" in out and "P(global minimum) =" in out
    assert "discrepancies: 0" in out
    assert "minimum 1 (point, global)" in out or "not converged" in out


def test_several_optimizers_and_rates_give_one_table_each(capsys: pytest.CaptureFixture) -> None:
    assert main([*BASE, "--runs", "10", "--steps", "500", "--optimizer", "gd",
                 "--optimizer", "adam", "--lr", "0.01", "--lr", "0.05"]) == 0
    out = capsys.readouterr().out
    for label in ("gd lr=0.01", "gd lr=0.05", "adam lr=0.01", "adam lr=0.05"):
        assert f"\n{label}: " in out
    assert out.count("P(global minimum)") == 4


def test_json_document(tmp_path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "train.json"
    assert main([*BASE, "--runs", "30", "--steps", "2000", "--seed", "4", "--json",
                 str(out)]) == 0
    doc = json.loads(out.read_text())
    assert (doc["lam"], doc["n"], doc["d"], doc["units"]) == ("1/100", 5, 1, 2)
    assert doc["settings"] == {"runs": 30, "steps": 2000, "tol": 1e-4,
                               "init": "torch-default", "seed": 4, "first_run": 0}
    assert doc["exact"]["minima"] == 9 and doc["exact"]["orbits"] == 6
    (t,) = doc["trainings"]
    assert (t["optimizer"], t["lr"]) == ("gd", 0.01)
    assert sum(b["runs"] for b in t["basins"]) == 30
    assert sum(b["share"] for b in t["basins"]) == pytest.approx(1.0)
    for b in t["basins"]:
        assert set(b) >= {"outcome", "loss", "runs", "share", "ci95", "median_steps"}
        if b["outcome"] == "minimum":
            assert {"minimum", "orbit", "kind", "global"} <= set(b)
    assert t["discrepancies"] == {"count": 0, "runs": []}
    assert [r["run"] for r in t["runs"]] == list(range(30))
    assert {r["outcome"] for r in t["runs"]} <= {"converged", "kink", "stuck",
                                                 "not converged", "diverged", "discrepancy"}
    capsys.readouterr()


def test_a_run_re_run_alone_ends_where_it_ended_among_all(tmp_path) -> None:
    many, alone = tmp_path / "many.json", tmp_path / "alone.json"
    assert main([*BASE, "--runs", "12", "--steps", "1500", "--seed", "2", "--json",
                 str(many)]) == 0
    assert main([*BASE, "--runs", "1", "--first-run", "7", "--steps", "1500", "--seed", "2",
                 "--json", str(alone)]) == 0
    run7 = json.loads(many.read_text())["trainings"][0]["runs"][7]
    (only,) = json.loads(alone.read_text())["trainings"][0]["runs"]
    assert only == run7


@pytest.mark.parametrize("extra,message", [
    (["--lr", "0"], "error: --lr must be positive, got 0"),
    (["--lr", "-0.1"], "error: --lr must be positive, got -0.1"),
    (["--optimizer", "sgd"], "error: --optimizer must be one of gd, momentum, adam, got 'sgd'"),
    (["--init", "zeros"], "error: --init must be one of torch-default, he, xavier, small, "
                          "got 'zeros'"),
    (["--runs", "0"], "error: --runs must be a whole number >= 1, got 0"),
    (["--runs", "ten"], "error: --runs is not a number: 'ten'"),
    (["--steps", "1.5"], "error: --steps must be a whole number >= 1, got 1.5"),
    (["--tol", "0"], "error: --tol must be positive, got 0"),
    (["--seed", "-1"], "error: --seed must be a whole number >= 0, got -1"),
])
def test_bad_options_are_one_error_line(extra, message, capsys) -> None:
    assert main([*BASE, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == message and captured.out == ""


def test_bad_data_and_lambda_are_one_error_line(tmp_path, capsys) -> None:
    assert main(["train", str(tmp_path / "missing.csv"), "--lam", "1/100", "--units", "2"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main([*BASE[:3], "0", "--units", "2"]) == 2
    assert capsys.readouterr().err.strip() == "error: lambda must be positive, got 0"
    assert main([*BASE, "--json", str(tmp_path / "no" / "x.json")]) == 2
    assert "directory" in capsys.readouterr().err


def test_a_learning_rate_too_large_is_reported_as_diverged(capsys) -> None:
    assert main([*BASE, "--runs", "5", "--steps", "300", "--lr", "1000"]) == 0
    out = capsys.readouterr().out
    assert "diverged" in out and "discrepancies: 0" in out

"""``python -m solver path``: the table, the JSON and LaTeX files, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solver.cli import main

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "assets" / "paper_example.csv"
KA = ["x,y", "-1/2,1/4", "0,-1/4", "1/2,5/4"]


@pytest.fixture()
def known(tmp_path):
    f = tmp_path / "ka.csv"
    f.write_text("\n".join(KA) + "\n")
    return f


def test_table_json_and_latex(tmp_path, known, capsys):
    assert main(["path", str(known), "--units", "1", "--lam-min", "1/20", "--lam-max", "2"]) == 0
    table = capsys.readouterr().out
    lines = table.splitlines()
    assert lines[0] == ("Regularisation path: n = 3 points, d = 1, L = 1 unit, "
                        "lam from 1/20 to 2")
    assert "sqrt(29)/4" in table and "neuron death" in table and "fold" in table
    out, tex = tmp_path / "p.json", tmp_path / "p.tex"
    assert main(["path", str(known), "--units", "1", "--lam-min", "0.05", "--lam-max", "2",
                 "--json", str(out), "--latex", str(tex)]) == 0
    doc = json.loads(out.read_text())
    assert doc["kind"] == "path" and doc["lam_min"] == "1/20" and doc["units"] == 1
    assert {"branches", "events", "global_min", "stats"} <= set(doc)
    fold = next(e for e in doc["events"] if e["kind"] == "fold")
    assert fold["lam"]["minpoly"] == "80*lam**2 - 1" and fold["exact"]
    assert r"80 \lambda^{2} - 1" in tex.read_text()
    for b in doc["branches"]:
        assert {"kind", "lam_min", "lam_max", "lam_min_float", "lam_max_float", "samples",
                "segments"} <= set(b)
        assert {"lam", "loss", "B", "c", "a"} <= set(b["samples"][0])


@pytest.mark.parametrize("args, message", [
    (["--units", "2", "--lam-min", "1", "--lam-max", "1/10"],
     "error: lam_min must be below lam_max, got 1 and 1/10"),
    (["--units", "2", "--lam-min", "-1/100", "--lam-max", "1"],
     "error: lambda must be positive, got -1/100"),
    (["--units", "3", "--lam-min", "1/100", "--lam-max", "1"],
     "error: path supports up to 2 units (every event exact), got 3"),
    (["--units", "two", "--lam-min", "1/100", "--lam-max", "1"],
     "error: units must be a whole number, got 'two'"),
])
def test_bad_input_is_one_line(args, message, capsys):
    assert main(["path", str(CSV), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err == message


def test_too_large_is_refused_with_the_estimate(tmp_path, capsys):
    f = tmp_path / "big.csv"
    f.write_text("x,y\n" + "\n".join(f"{i / 40},{(-1) ** i}" for i in range(40)) + "\n")
    assert main(["path", str(f), "--units", "2", "--lam-min", "1/100", "--lam-max", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: path too large: n=40, d=1, units=2 would take about")
    assert "pass --force" in err


def test_as_a_subprocess_the_paper_example_prints_its_events():
    run = subprocess.run([sys.executable, "-m", "solver", "path", str(CSV), "--units", "2",
                          "--lam-min", "1/10000", "--lam-max", "1"], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "10 branches (3 curves, 7 isolated)" in run.stdout
    assert "Events (what happens as λ increases" in run.stdout

"""The command line: bad-input catalogue, output formats, progress, and the report module.

Bad input must give exit code 2 and exactly one stderr line starting with ``error:``,
never a traceback. The paper example's curve is checked against the published
coefficients in ``tests/data/paper_example.json`` (compared with sympy, so formatting
does not matter).
"""

from __future__ import annotations

import doctest
import io
import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

import solver.cli
import solver.data
import solver.report
from solver.cli import main
from solver.cli.common import ProgressPrinter, format_duration, progress_line

ROOT = Path(__file__).resolve().parents[2]
PAPER_CSV = ROOT / "assets" / "paper_example.csv"
PAPER = json.loads((ROOT / "tests" / "data" / "paper_example.json").read_text())
SOLVE_PAPER = ["solve", str(PAPER_CSV), "--lam", "1/100", "--units", "2"]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m solver ARGS`` in a fresh interpreter, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "solver", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_one_error_line(stderr: str, *fragments: str) -> str:
    """stderr is exactly one line ``error: ...`` containing every fragment."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    """Write a data file and return its path as a string."""
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- bad input, in-process ------------------------------------------------------------

# (name, CSV text, extra arguments or None for the default "--lam 1/100 --units 2",
#  fragments the error line must contain)
CATALOGUE = [
    ("empty file", "", None, ["empty"]),
    ("header only", "x,y\n", None, ["no data rows"]),
    ("wrong column names", "u,v\n1,2\n3,4\n", None, ["line 1", "header"]),
    ("text in a number field", "x,y\n1,2\n3,4\nfive,6\n", None, ["line 4", "five"]),
    ("NaN", "x,y\n1,nan\n3,4\n", None, ["line 2", "finite"]),
    ("inf", "x,y\n1,2\n-inf,4\n", None, ["line 3", "finite"]),
    ("duplicate x", "x,y\n1,2\n3,4\n1.0,5\n", None, ["lines 2 and 4", "same x"]),
    ("a single point", "x,y\n1,2\n", None, ["at least 2"]),
    ("d mismatch between rows", "x1,x2,y\n1,2,3\n4,5,6,7\n", None, ["line 3", "expected 3"]),
    ("lam = 0", "x,y\n1,2\n3,4\n", ["--lam", "0", "--units", "2"], ["lambda", "positive"]),
    ("lam < 0", "x,y\n1,2\n3,4\n", ["--lam", "-1/100", "--units", "2"], ["lambda", "-1/100"]),
    ("lam < 0 decimal", "x,y\n1,2\n3,4\n", ["--lam", "-0.5", "--units", "2"], ["lambda"]),
    ("lam text", "x,y\n1,2\n3,4\n", ["--lam", "small", "--units", "2"], ["lambda", "small"]),
    ("lam NaN", "x,y\n1,2\n3,4\n", ["--lam", "nan", "--units", "2"], ["lambda", "finite"]),
    ("units = 0", "x,y\n1,2\n3,4\n", ["--lam", "1/100", "--units", "0"], ["units"]),
    ("units < 0", "x,y\n1,2\n3,4\n", ["--lam", "1/100", "--units", "-2"], ["units"]),
    ("units text", "x,y\n1,2\n3,4\n", ["--lam", "1/100", "--units", "two"], ["units"]),
    ("units fraction", "x,y\n1,2\n3,4\n", ["--lam", "1/100", "--units", "1.5"], ["units"]),
    ("lam missing", "x,y\n1,2\n3,4\n", ["--units", "2"], ["--lam"]),
    (
        "max-seconds 0",
        "x,y\n1,2\n3,4\n",
        ["--lam", "1", "--units", "1", "--max-seconds", "0"],
        ["--max-seconds"],
    ),
    (
        "workers 0",
        "x,y\n1,2\n3,4\n",
        ["--lam", "1", "--units", "1", "--workers", "0"],
        ["--workers"],
    ),
]


@pytest.mark.parametrize(
    ("text", "extra", "fragments"),
    [(text, extra, fragments) for _, text, extra, fragments in CATALOGUE],
    ids=[name for name, _, _, _ in CATALOGUE],
)
def test_bad_input_catalogue(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    extra: list[str] | None,
    fragments: list[str],
) -> None:
    args = ["solve", write(tmp_path, text), *(extra or ["--lam", "1/100", "--units", "2"])]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_error_line(captured.err, *fragments)


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(tmp_path / "nope.csv"), "--lam", "1", "--units", "1"]) == 2
    assert_one_error_line(capsys.readouterr().err, "nope.csv", "no such file")
    assert main(["solve", str(tmp_path), "--lam", "1", "--units", "1"]) == 2
    assert_one_error_line(capsys.readouterr().err, "cannot read")


def test_output_directory_missing_is_refused_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no" / "such" / "dir" / "out.json"
    assert main([*SOLVE_PAPER, "--json", str(out)]) == 2
    assert_one_error_line(capsys.readouterr().err, "does not exist")
    assert main([*SOLVE_PAPER, "--latex", str(tmp_path)]) == 2
    assert_one_error_line(capsys.readouterr().err, "is a directory")


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["solve"], ["solve", "a.csv", "--bogus"]])
def test_usage_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert_one_error_line(capsys.readouterr().err)


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "solve" in out and "verify" in out
    assert main(["solve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--lam", "--units", "--json", "--latex", "--force", "--max-seconds"):
        assert option in out


@pytest.mark.parametrize("units", ["1000", "1000000000000"])
def test_huge_units_refused_with_estimate(
    units: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["solve", str(PAPER_CSV), "--lam", "1/100", "--units", units]) == 2
    line = assert_one_error_line(capsys.readouterr().err, "--force")
    assert re.search(r"\d", line.split("--force")[0])  # an estimate is printed


# --- bad input, as a user runs it -----------------------------------------------------


def test_subprocess_text_in_number_field(tmp_path: Path) -> None:
    result = run_cli("solve", write(tmp_path, "x,y\n-0.17,0.05\n0.44,abc\n"), "--lam", "1/100",
                     "--units", "2")
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr, "line 3", "abc")


def test_subprocess_empty_file_and_bad_lam(tmp_path: Path) -> None:
    result = run_cli("solve", write(tmp_path, ""), "--lam", "1/100", "--units", "2")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "empty")
    result = run_cli("solve", str(PAPER_CSV), "--lam", "-1/100", "--units", "2")
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "lambda")


def test_subprocess_huge_units_refused_fast() -> None:
    result = run_cli(*SOLVE_PAPER[:-1], "1000000", timeout=60)
    assert result.returncode == 2
    assert_one_error_line(result.stderr, "--force")


@pytest.mark.parametrize("units", ["1", "2"])
def test_subprocess_ten_thousand_rows_refused_with_estimate(tmp_path: Path, units: str) -> None:
    rows = "".join(f"{i}/10000,{(i * 37) % 11 - 5}/7\n" for i in range(10_000))
    path = write(tmp_path, "x,y\n" + rows, "big.csv")
    # The timeout only guards against a hang; a refusal takes a second or two.
    result = run_cli("solve", path, "--lam", "1/100", "--units", units, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr, "--force")


def test_verify_is_wired_and_refuses_a_non_json_result(tmp_path: Path) -> None:
    bogus = write(tmp_path, "this is not JSON {", "result.json")
    result = run_cli("verify", bogus, str(PAPER_CSV))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() or result.stdout.strip()


# --- a real solve ----------------------------------------------------------------------


def _paper_curve_equations() -> list[sympy.Expr]:
    """The published equations of the paper's curve, with R1..R30 substituted."""
    expected = PAPER["expected"]
    symbols = {name: sympy.Symbol(name) for name in ("b11", "b21", "c1", "c2")}
    values = {f"R{k}": sympy.Rational(v) for k, v in expected["R"].items()}
    return [sympy.sympify(eq, locals={**symbols, **values}) for eq in expected["curve_equations"]]


def _same_equation_sets(found: list[str], expected: list[sympy.Expr]) -> bool:
    """Whether ``found`` (strings) are the ``expected`` expressions, in any order."""
    parsed = [sympy.sympify(eq) for eq in found]
    if len(parsed) != len(expected):
        return False
    return all(any(sympy.expand(p - e) == 0 for p in parsed) for e in expected)


def _normal_inequality(text: str) -> sympy.Expr:
    """``lhs > 0`` or ``lhs < 0`` as an expression that must be positive, scaled to be
    monic in its first variable (so ``100*c1 - 17*b11 > 0`` equals ``c1 - 17*b11/100 > 0``)."""
    rel = sympy.sympify(text)
    expr = rel.lhs - rel.rhs
    if isinstance(rel, sympy.StrictLessThan):
        expr = -expr
    else:
        assert isinstance(rel, sympy.StrictGreaterThan), text
    expr = sympy.expand(expr)
    first = sorted(expr.free_symbols, key=str)[0]
    return sympy.expand(expr / abs(expr.coeff(first)))


def test_paper_example_json(tmp_path: Path) -> None:
    out = tmp_path / "paper.json"
    tex = tmp_path / "paper.tex"
    result = run_cli(*SOLVE_PAPER, "--json", str(out), "--latex", str(tex))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # with --json, no table
    doc = json.loads(out.read_text())
    assert doc["lam"] == "1/100"
    assert (doc["d"], doc["n"], doc["units"]) == (1, 5, 2)
    assert [Fraction(r[0]) for r in doc["x"]] == [Fraction(v) for v in PAPER["x"]]
    assert [Fraction(v) for v in doc["y"]] == [Fraction(v) for v in PAPER["y"]]
    assert set(doc["stats"]) >= {"faces", "systems", "candidates", "seconds"}
    assert doc["minima"], "the loss is coercive: there is at least one minimum"
    for m in doc["minima"]:
        assert m["kind"] in {"isolated", "curve"}
        assert isinstance(m["loss"], float) and isinstance(m["orbit"], int)
        assert len(m["pattern"]) == 2 and all(len(p) == 5 for p in m["pattern"])
        assert all(set(p) <= set("+-0") for p in m["pattern"])
        for i, l in m["active"]:
            assert m["pattern"][l][i] == "0"
        if m["kind"] == "isolated":
            assert {"B", "c", "a", "exact", "certificate"} <= set(m)
            assert len(m["B"]) == 2 and len(m["B"][0]) == 1
        else:
            assert {"dimension", "variables", "equations", "inequalities"} <= set(m)
            assert len(m["samples"]) >= 20
    curves = [m for m in doc["minima"] if m["kind"] == "curve"]
    expected = _paper_curve_equations()
    paper_curves = [m for m in curves if _same_equation_sets(m["equations"], expected)]
    assert paper_curves, "the paper's curve is missing"
    want = {_normal_inequality(q) for q in PAPER["expected"]["curve_inequalities"]}
    for m in paper_curves:
        assert {_normal_inequality(q) for q in m["inequalities"]} == want
    latex = tex.read_text()
    assert r"\begin{tabular}" in latex and r"\end{tabular}" in latex
    assert "b_{11}" in latex and r"\lambda = \frac{1}{100}" in latex


def test_paper_example_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(SOLVE_PAPER) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    table = captured.out
    lines = table.splitlines()
    assert lines[0] == (
        "Local minima of the ridge ReLU loss: n = 5 points, d = 1, L = 2 units, lam = 1/100"
    )
    assert "curve" in table and "isolated" in table
    # The exact equations of every curve are printed, one per line, sympy-parsable.
    blocks = re.findall(r"  equations \(each = 0\):\n((?:    .*\n)+)", table)
    assert blocks
    printed = [[ln.strip() for ln in block.splitlines()] for block in blocks]
    expected = _paper_curve_equations()
    assert any(_same_equation_sets(eqs, expected) for eqs in printed)
    # Deterministic: a second run prints the same, apart from the time taken.
    assert main(SOLVE_PAPER) == 0
    again = capsys.readouterr().out

    def untimed(text: str) -> list[str]:
        return [ln for ln in text.splitlines() if not ln.startswith("Solve: ")]

    assert untimed(again) == untimed(table)


# --- progress -------------------------------------------------------------------------


def test_progress_line_and_durations() -> None:
    assert progress_line(120, 3321, 0.12) == "faces 120/3321 (3%), ETA 3s"
    assert progress_line(0, 10, 5.0) == "faces 0/10 (0%), ETA ?"
    assert progress_line(10, 10, 5.0) == "faces 10/10 (100%), ETA 0s"
    assert format_duration(59.4) == "59s"
    assert format_duration(61) == "1m01s"
    assert format_duration(3600 * 5 + 60 * 7) == "5h07m"
    assert format_duration(86400 * 3) == "3 days"
    assert format_duration(float("inf")) == "forever"


class FakeStream(io.StringIO):
    """A stderr stand-in that is not a terminal."""

    def isatty(self) -> bool:
        return False


def test_progress_is_silent_for_the_first_second_then_rate_limited() -> None:
    stream = FakeStream()
    printer = ProgressPrinter(stream)
    printer(1, 100)
    assert stream.getvalue() == ""  # fast solves print nothing
    printer.start -= 5.0  # as if the solve had run for 5 s
    printer(50, 100)
    printer(51, 100)  # too soon after the last line
    assert stream.getvalue() == "faces 50/100 (50%), ETA 5s\n"
    printer(100, 100)  # the last step is always shown
    printer.close()
    assert stream.getvalue().splitlines()[-1].startswith("faces 100/100 (100%)")


# --- the report module ------------------------------------------------------------------


def test_latex_of_solver_expressions() -> None:
    tex = solver.report._tex_relation
    assert tex("c1 - 17*b11/100 > 0", ("b11", "c1")) == r"- \frac{17 b_{11}}{100} + c_{1} > 0"
    assert solver.report._tex_symbol("b1_12") == "b_{1,12}"
    names: dict[object, object] = {}
    long = "b11 - 123456789012345/678901234567*c1**2"
    assert tex(long, ("b11", "c1"), names) == r"b_{11} - R_{1} c_{1}^{2}"
    assert names == {sympy.Rational(123456789012345, 678901234567): "R1"}


@pytest.mark.parametrize("module", [solver.cli, solver.data, solver.report])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_and_ci_run_the_same_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    command = ci[-1]
    assert command.startswith("pip install -e ")
    assert command.endswith("python -m pytest -n 2 --dist loadgroup")
    assert f"\n   {command}\n" in readme
    assert "set -euo pipefail" in ci

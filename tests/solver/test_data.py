"""Exact parsing and validation of input data, and the Python API's bad-input catalogue.

Expected values are written by hand ("-0.17" is -17/100) or taken from
``tests/data/paper_example.json``; none comes from the code under test.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from solver.data import (
    Dataset,
    make_dataset,
    parse_csv_text,
    parse_data_value,
    parse_lam,
    parse_rational,
    parse_units,
    read_csv,
)
from solver.errors import ProblemTooLargeError, SolverInputError

ROOT = Path(__file__).resolve().parents[2]
PAPER = json.loads((ROOT / "tests" / "data" / "paper_example.json").read_text())
PAPER_X = ["-0.17", "0.44", "-1.00", "-0.40", "-0.71"]
PAPER_Y = ["0.05", "1.02", "0.61", "-0.36", "-1.32"]


def one_line_error(exc_info: pytest.ExceptionInfo[BaseException]) -> str:
    """The exception's message, checked to be a single non-empty line."""
    message = str(exc_info.value)
    assert message and "\n" not in message
    return message


# --- exact numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-0.17", Fraction(-17, 100)),
        ("0.44", Fraction(11, 25)),
        ("-1.00", Fraction(-1)),
        ("1/100", Fraction(1, 100)),
        ("0.01", Fraction(1, 100)),
        ("1e-2", Fraction(1, 100)),
        ("1E+3", Fraction(1000)),
        (" 3 / -6 ", Fraction(-1, 2)),
        ("-4/6", Fraction(-2, 3)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("+2", Fraction(2)),
        ("0.1", Fraction(1, 10)),
        ("123456789012345678901234567890.5", Fraction(246913578024691357802469135781, 2)),
    ],
)
def test_parse_rational_strings_exactly(text: str, expected: Fraction) -> None:
    assert parse_rational(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, Fraction(1, 10)),  # the number a person typed, not the binary double
        (-0.17, Fraction(-17, 100)),
        (1e-5, Fraction(1, 100000)),
        (3, Fraction(3)),
        (Fraction(2, 7), Fraction(2, 7)),
        (Decimal("0.10"), Fraction(1, 10)),
        (np.float64(1.5), Fraction(3, 2)),
        (np.float32(0.1), Fraction(1, 10)),
        (np.int64(-4), Fraction(-4)),
    ],
)
def test_parse_rational_numbers(value: object, expected: Fraction) -> None:
    assert parse_rational(value) == expected


def test_parse_rational_flint_and_sympy_rationals() -> None:
    flint = pytest.importorskip("flint")
    sympy = pytest.importorskip("sympy")
    assert parse_rational(flint.fmpq(-17, 100)) == Fraction(-17, 100)
    assert parse_rational(sympy.Rational(1, 3)) == Fraction(1, 3)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("nan", "finite"),
        ("NaN", "finite"),
        ("inf", "finite"),
        ("-Infinity", "finite"),
        (float("nan"), "finite"),
        (float("-inf"), "finite"),
        (np.float64("inf"), "finite"),
        (Decimal("NaN"), "finite"),
        ("abc", "not a number"),
        ("", "not a number"),
        ("1,5", "not a number"),
        ("0x10", "not a number"),
        ("1_000", "not a number"),
        ("\u0661", "not a number"),  # an Arabic-Indic digit: not ASCII, not accepted
        ("1/0", "zero denominator"),
        ("1e999999999", "exponent"),  # must be refused at once, not computed
        ("7" * 5000, "too many digits"),
        (True, "must be a number"),
        (None, "not a number"),
        ([1, 2], "not a number"),
    ],
)
def test_parse_rational_refuses(value: object, fragment: str) -> None:
    with pytest.raises(SolverInputError) as info:
        parse_rational(value, "x")
    assert fragment in one_line_error(info)


def test_parse_lam_exact_and_positive() -> None:
    assert parse_lam("1/100") == parse_lam("0.01") == parse_lam(0.01) == Fraction(1, 100)
    for bad in ("0", "0.0", 0, "-1/100", -0.5, "abc", "nan", float("inf")):
        with pytest.raises(SolverInputError) as info:
            parse_lam(bad)
        assert "lambda" in one_line_error(info)


def test_parse_units() -> None:
    assert parse_units("2") == 2
    assert parse_units(3) == 3
    assert parse_units(" 1 ") == 1
    assert parse_units(np.int64(4)) == 4
    assert parse_units(10**12) == 10**12  # huge is valid input; solve() refuses it
    for bad in ("0", 0, -1, "-3", "two", "2.5", 2.5, "", True, None):
        with pytest.raises(SolverInputError) as info:
            parse_units(bad)
        assert "units" in one_line_error(info)


# --- data sets ------------------------------------------------------------------------


def test_make_dataset_flat_rows_and_mixed_types() -> None:
    ds = make_dataset([-0.17, "0.44", Fraction(-1)], ["1/20", 1.02, Decimal("0.61")])
    assert ds == Dataset(
        ((Fraction(-17, 100),), (Fraction(11, 25),), (Fraction(-1),)),
        (Fraction(1, 20), Fraction(51, 50), Fraction(61, 100)),
    )
    assert (ds.n, ds.d) == (3, 1)
    two_d = make_dataset(np.array([[0.5, 1], [2, -3]]), np.array([1.0, 2.0]))
    assert two_d.x == ((Fraction(1, 2), Fraction(1)), (Fraction(2), Fraction(-3)))
    assert (two_d.n, two_d.d) == (2, 2)


@pytest.mark.parametrize(
    ("x", "y", "fragment"),
    [
        ([1], [2], "at least 2"),  # a single point
        ([], [], "at least 2"),
        ([1, 2, 3], [1, 2], "x has 3 points but y has 2"),
        ([[1, 2], [3]], [1, 2], "point 2 has 1 coordinates, expected 2"),  # d mismatch
        ([[], []], [1, 2], "at least one coordinate"),
        ([1, 2, 1], [0, 0, 0], "points 1 and 3 have the same x"),  # duplicate x
        ([0.5, "1/2"], [0, 1], "same x"),  # equal as numbers, written differently
        ([1, float("nan")], [0, 1], "finite"),
        ([1, 2], [0, float("inf")], "finite"),
        ([1, "x"], [0, 1], "not a number"),
        (None, [1, 2], "x must be a sequence"),
        ([1, 2], "12", "y must be a sequence"),
    ],
)
def test_make_dataset_refuses(x: object, y: object, fragment: str) -> None:
    with pytest.raises(SolverInputError) as info:
        make_dataset(x, y)  # type: ignore[arg-type]
    assert fragment in one_line_error(info)


# --- CSV ------------------------------------------------------------------------------


def test_read_paper_example_csv_exactly() -> None:
    ds = read_csv(ROOT / "assets" / "paper_example.csv")
    assert ds.x == tuple((Fraction(v),) for v in PAPER["x"])
    assert ds.y == tuple(Fraction(v) for v in PAPER["y"])
    assert ds.x[0] == (Fraction(-17, 100),) and ds.y[1] == Fraction(102, 100)


def test_csv_header_variants_blank_lines_crlf_bom_quotes() -> None:
    expected = make_dataset([[1], [2]], [3, 4])
    for text in (
        "x,y\n1,3\n2,4\n",
        "X , Y\r\n1,3\r\n\r\n2,4",
        "\ufeffx,y\n1,3\n2,4\n",  # a byte-order mark is stripped by read_csv's encoding
        "x1,y\n 1 , 3 \n2,4\n",
        'x,y\n"1","3"\n2,4\n',
        "\n\nx,y\n1,3\n,\n2,4\n\n",
    ):
        assert parse_csv_text(text.removeprefix("\ufeff")) == expected
    two_d = parse_csv_text("x1,x2,y\n0,1/3,1\n-0.5,2,0\n")
    assert two_d.x == ((Fraction(0), Fraction(1, 3)), (Fraction(-1, 2), Fraction(2)))


def test_read_csv_strips_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("x,y\n1,3\n2,4\n".encode("utf-8-sig"))
    assert read_csv(path) == make_dataset([1, 2], [3, 4])


# (name, file text, fragments the one-line error must contain)
CSV_CATALOGUE = [
    ("empty file", "", ["empty"]),
    ("blank lines only", "\n \n\n", ["empty"]),
    ("header only", "x,y\n", ["no data rows"]),
    ("wrong column names", "a,b\n1,2\n3,4\n", ["line 1", "header", "a,b"]),
    ("y before x", "y,x\n1,2\n3,4\n", ["line 1", "header"]),
    ("no header", "1,2\n3,4\n", ["line 1", "header"]),
    ("one column", "x\n1\n2\n", ["line 1", "header"]),
    ("text in a number field", "x,y\n1,2\nabc,3\n4,5\n", ["line 3", "not a number", "abc"]),
    ("text after a blank line", "x,y\n1,2\n\n3,4\n5,oops\n", ["line 5", "y", "oops"]),
    ("NaN", "x,y\n1,2\n3,nan\n", ["line 3", "finite"]),
    ("inf", "x,y\n1,2\ninf,3\n", ["line 3", "finite"]),
    ("duplicate x", "x,y\n1,2\n0.5,3\n1/2,4\n", ["lines 3 and 4", "same x"]),
    ("a single point", "x,y\n1,2\n", ["at least 2"]),
    ("d mismatch: too many values", "x,y\n1,2\n3,4,5\n", ["line 3", "expected 2 values"]),
    ("d mismatch: too few values", "x1,x2,y\n1,2,3\n4,5\n", ["line 3", "expected 3 values"]),
    ("zero denominator", "x,y\n1,2\n3,4/0\n", ["line 3", "zero denominator"]),
]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [(text, fragments) for _, text, fragments in CSV_CATALOGUE],
    ids=[name for name, _, _ in CSV_CATALOGUE],
)
def test_csv_catalogue(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = tmp_path / "data.csv"
    path.write_text(text)
    with pytest.raises(SolverInputError) as info:
        read_csv(path)
    message = one_line_error(info)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_read_csv_file_problems(tmp_path: Path) -> None:
    with pytest.raises(SolverInputError) as info:
        read_csv(tmp_path / "missing.csv")
    assert "no such file" in one_line_error(info)
    with pytest.raises(SolverInputError) as info:
        read_csv(tmp_path)
    assert "cannot read" in one_line_error(info)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"x,y\n\xff\xfe\x00\x01\n")
    with pytest.raises(SolverInputError) as info:
        read_csv(binary)
    assert "UTF-8" in one_line_error(info)


def test_ten_thousand_rows_parse_exactly() -> None:
    text = "x,y\n" + "".join(f"{i}/10000,{i % 7 - 3}\n" for i in range(10_000))
    ds = parse_csv_text(text)
    assert ds.n == 10_000
    assert ds.x[1234] == (Fraction(1234, 10000),) and ds.y[10] == Fraction(0)


# --- the Python API: solve() on bad input ---------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "lam", "units", "fragment"),
    [
        ([1], [2], "1/100", 2, "at least 2"),
        ([1, 1], [2, 3], "1/100", 2, "same x"),
        ([1, float("nan")], [2, 3], "1/100", 2, "finite"),
        ([1, 2], ["inf", 3], "1/100", 2, "finite"),
        ([[1, 2], [3]], [2, 3], "1/100", 2, "coordinates"),
        ([1, "abc"], [2, 3], "1/100", 2, "not a number"),
        ([1, 2], [2, 3], 0, 2, "lambda"),
        ([1, 2], [2, 3], "-1/100", 2, "lambda"),
        ([1, 2], [2, 3], "abc", 2, "lambda"),
        ([1, 2], [2, 3], "1/100", 0, "units"),
        ([1, 2], [2, 3], "1/100", "two", "units"),
    ],
)
def test_solve_refuses_bad_input(
    x: object, y: object, lam: object, units: object, fragment: str
) -> None:
    from solver import solve

    with pytest.raises(SolverInputError) as info:
        solve(x, y, lam, units)  # type: ignore[arg-type]
    assert fragment in one_line_error(info)


@pytest.mark.parametrize("units", [1000, 10**6, 10**12])
def test_solve_refuses_huge_units_with_an_estimate(units: int) -> None:
    from solver import solve

    with pytest.raises(ProblemTooLargeError) as info:
        solve(PAPER_X, PAPER_Y, "1/100", units)
    one_line_error(info)
    assert info.value.estimate_seconds > 60.0


def test_solve_refuses_ten_thousand_points_with_an_estimate() -> None:
    from solver import solve

    x = [f"{i}/10000" for i in range(10_000)]
    y = [str(i % 7 - 3) for i in range(10_000)]
    with pytest.raises(ProblemTooLargeError) as info:
        solve(x, y, "1/100", 2)
    one_line_error(info)
    assert info.value.estimate_seconds > 60.0


def test_estimate_grows_with_the_problem() -> None:
    from solver import estimate_seconds

    small = estimate_seconds(5, 1, 2)
    assert 0 <= small < 60
    assert estimate_seconds(10_000, 1, 2) > 60
    assert estimate_seconds(5, 1, 10**6) > 60
    assert math.isfinite(small)


def test_sizes_at_and_beyond_the_limits() -> None:
    # The limits themselves are accepted, 0 always; one step beyond is refused.
    for text in ("0", "1e-6", "-1e-6", "1e6", "-1000000", "1/1000000"):
        assert parse_data_value(text, "x") == Fraction(text)
    for text, shown in (("1000001", "'1000001'"), ("-1e309", "'-1e309'"),
                        ("1/1000001", "'1/1000001'"), ("1e-300", "'1e-300'")):
        with pytest.raises(SolverInputError, match="x must be 0 or between 1e-6 and 1e6 in size"
                           ", got " + shown):
            parse_data_value(text, "x")
    assert parse_lam("1e-6") == Fraction(1, 10**6) and parse_lam("1e6") == 10**6
    for text in ("1e-300", "1e-30", "0.0000009", "1e7"):
        with pytest.raises(SolverInputError, match=f"lambda must be between 1e-6 and 1e6, "
                           f"got '{text}'"):
            parse_lam(text)
    with pytest.raises(SolverInputError, match="y of point 2 must be 0 or between"):
        make_dataset([0, 1], [0, 10**7])

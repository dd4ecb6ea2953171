"""The completeness certificate (``--completeness``) and its independent re-check.

The solver's certificate must verify on the paper's example and on random small data
(d = 1 with L = 2 and 3, d = 2 with L = 2, near-ties whose KKT pruning needs exact ties,
and data with orthogonal lifted points, whose pre-activations are structurally zero);
every kind of tampering must be caught and named with its face set. The tampered
documents are built from the solver's own output; the expected messages are the
checker's, derived in solver/verify/completeness.py and its helpers.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from solver import solve
from solver.cli import main
from solver.data import make_dataset, read_csv
from solver.errors import DegenerateProblemError
from solver.verify import verify_result
from tests.strategies import near_tie_problems, problems

ROOT = Path(__file__).resolve().parents[2]
PAPER = ROOT / "assets" / "paper_example.csv"


@pytest.fixture(scope="module")
def paper():
    """The paper example's result with the certificate (L = 2), and its data."""
    data = read_csv(PAPER)
    return solve(data.x, data.y, F(1, 100), 2, completeness=True).to_json(), data


def _report(doc: dict, data):
    return verify_result(doc, data)


def _gaps(doc: dict, data) -> list[str]:
    report = _report(doc, data)
    assert not report.ok
    return list(report.gaps)


def _sets(doc: dict) -> list[dict]:
    return doc["completeness"]["sets"]


def _find(doc: dict, test) -> tuple[int, dict]:
    return next((j, s) for j, s in enumerate(_sets(doc)) if test(s))


def _name(faces: list[str]) -> str:
    return "{" + ", ".join(faces) + "}"


# ----------------------------------------------------------------------------------------
# The solver's certificates verify
# ----------------------------------------------------------------------------------------


def test_paper_example_with_completeness_verifies(tmp_path, capsys):
    out = tmp_path / "paper.json"
    args = ["solve", str(PAPER), "--lam", "1/100", "--units", "2", "--json", str(out)]
    assert main(args + ["--completeness"]) == 0
    doc = json.loads(out.read_text())
    sets = doc["completeness"]["sets"]
    assert len(sets) == 1 + 17 + 17 * 16 // 2  # every set of <= 2 of the 17 alive faces
    capsys.readouterr()
    assert main(["verify", str(out), str(PAPER)]) == 0
    text = capsys.readouterr().out
    assert "completeness (the certificate: every face set re-checked):" in text
    assert "certificate: 154 face sets of at most 2 distinct alive faces listed" in text
    assert "solutions inside their faces: 6 listed minima" in text
    assert text.rstrip().endswith("0 completeness failures -> OK")
    # the default output is unchanged: no key, the counts-only section
    assert main(args) == 0
    plain = json.loads(out.read_text())
    assert "completeness" not in plain
    del doc["completeness"], doc["stats"]["seconds"], plain["stats"]["seconds"]
    assert doc == plain
    capsys.readouterr()
    assert main(["verify", str(out), str(PAPER)]) == 0
    assert "completeness (counts only; the result lists no faces):" in capsys.readouterr().out


def _solve_and_verify(rows, y, lam, units: int) -> str:
    try:
        sol = solve(rows, y, lam, units, force=True, completeness=True)
    except DegenerateProblemError:
        return "degenerate"
    report = verify_result(sol.to_json(), make_dataset(rows, y))
    assert report.ok and report.certificate, f"{rows}, {y}, {lam}, L={units}:\n{report.text()}"
    return " ".join(report.certificate)


_FEW = dict(deadline=None, derandomize=True, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@settings(max_examples=6, **_FEW)
@given(problems(1, 3, 5))
def test_random_d1_two_units_verify(problem):
    _solve_and_verify([list(r) for r in problem.rows], list(problem.y), problem.lam, 2)


@settings(max_examples=4, **_FEW)
@given(near_tie_problems(1, 3, 5))
def test_random_d1_two_units_with_near_ties_verify(problem):
    _solve_and_verify([list(r) for r in problem.rows], list(problem.y), problem.lam, 2)


@settings(max_examples=3, **_FEW)
@given(problems(1, 3, 4))
def test_random_d1_three_units_verify(problem):
    _solve_and_verify([list(r) for r in problem.rows], list(problem.y), problem.lam, 3)


@settings(max_examples=2, **_FEW)
@given(problems(2, 3, 4))
def test_random_d2_two_units_verify(problem):
    _solve_and_verify([list(r) for r in problem.rows], list(problem.y), problem.lam, 2)


def test_exact_ties_and_structural_zeros_verify():
    # y_2 = 0 makes faces that differ only at point 2 tie exactly in the KKT test
    text = _solve_and_verify([["-3/5"], ["1/5"], ["4/5"]], ["1", "-1/2", "0"], F(1, 20), 2)
    assert "with exact ties" in text and "; 0 with exact ties" not in text
    # x = -1 and 1 have orthogonal lifted points (-1, 1), (1, 1): structurally zero
    text = _solve_and_verify([["-1"], ["1"], ["3/10"]], ["7/10", "-1/2", "1"], F(1, 10), 2)
    assert "0 by a structurally zero" not in text


# ----------------------------------------------------------------------------------------
# Tampering is caught, and named with the face set
# ----------------------------------------------------------------------------------------


def test_dropped_and_duplicated_face_sets(paper):
    doc, data = paper
    dropped = copy.deepcopy(doc)
    j, record = _find(dropped, lambda s: len(s["faces"]) == 2 and "pruned" in s)
    del _sets(dropped)[j]
    gaps = _gaps(dropped, data)
    assert gaps[0] == f"face sets missing from the certificate (1 of 154): {_name(record['faces'])}"
    doubled = copy.deepcopy(doc)
    _sets(doubled).append(copy.deepcopy(record))
    assert _gaps(doubled, data) == [f"face sets listed more than once: {_name(record['faces'])}"]
    extra = copy.deepcopy(doc)
    _sets(extra).append({"faces": ["00000"], "pruned": {"by": [], "tied": []}})
    assert "face set {00000} is not a set of at most 2 distinct alive faces" in _gaps(extra,
                                                                                      data)[0]


def test_pruned_by_a_subset_whose_kkt_fails(paper):
    doc, data = paper
    bad = copy.deepcopy(doc)
    j, record = _find(bad, lambda s: len(s["faces"]) == 2 and "solution" in s
                      and "outside" in s)
    sub, other = record["faces"]
    _sets(bad)[j] = {"faces": record["faces"], "pruned": {"by": [sub], "tied": []}}
    gaps = _gaps(bad, data)
    where = f"face set {_name(record['faces'])}: pruned by {{{sub}}}: "
    assert len(gaps) == 1 and gaps[0].startswith(where), gaps
    assert (f"the strict KKT condition |M_b^T r|^2 < lam^2 for face {other} does not hold"
            in gaps[0] or "has no interior solution" in gaps[0])
    tied = copy.deepcopy(doc)
    j, record = _find(tied, lambda s: len(s["faces"]) == 2 and "pruned" in s
                      and s["pruned"]["by"])
    tied_face = next(f for f in record["faces"] if f not in record["pruned"]["by"])
    _sets(tied)[j]["pruned"]["tied"] = [tied_face]
    assert f"face {tied_face} is listed as tied, but no face of" in _gaps(tied, data)[0]


def test_moved_solution_box(paper):
    doc, data = paper
    bad = copy.deepcopy(doc)
    j, record = _find(bad, lambda s: len(s["faces"]) == 1 and "solution" in s
                      and "outside" in s)
    root = record["solution"][0]
    lo, hi = (F(v) for v in root["interval"])
    root["interval"] = [str(lo + 2 * (hi - lo)), str(hi + 2 * (hi - lo))]
    gaps = _gaps(bad, data)
    assert gaps[0] == (f"face set {_name(record['faces'])}: the face system has no solution in "
                       "the listed box (Krawczyk: K(X) misses X in s0)")
    # sets that rely on it say so (and nothing is accepted on its account)
    assert all(f"relies on {_name(record['faces'])}, whose record failed" in g
               for g in gaps[1:]) and len(gaps) > 1
    negative = copy.deepcopy(doc)
    _sets(negative)[j]["solution"][0]["interval"] = ["-1", "1"]
    assert "s0 has the interval [-1, 1], not inside s > 0" in _gaps(negative, data)[0]


def test_solution_outside_its_faces_claimed_inside(paper):
    doc, data = paper
    bad = copy.deepcopy(doc)
    j, record = _find(bad, lambda s: "outside" in s and s["outside"]["why"] == "sign")
    claim = record.pop("outside")
    record["descent"] = {"kind": "dead", "face": record["faces"][0]}
    gaps = _gaps(bad, data)
    assert len(gaps) == 1
    assert gaps[0].startswith(f"face set {_name(record['faces'])}: claims its solution lies in "
                              f"its faces, but on face {claim['face']} the pre-activation of "
                              "point ")
    assert "has the wrong sign" in gaps[0]
    wrong = copy.deepcopy(doc)
    _sets(wrong)[j]["outside"]["why"] = "zero"
    assert (f"outside: the pre-activation of point {claim['point']} on face {claim['face']} is "
            "not structurally zero") in _gaps(wrong, data)[0]
    inside = copy.deepcopy(doc)  # a point inside its faces claimed outside
    k, minimum = _find(inside, lambda s: "minimum" in s and len(s["faces"]) == 2)
    face = minimum["faces"][0]
    plus = [i for i, ch in enumerate(face) if ch != "0"]
    del minimum["minimum"]
    minimum["outside"] = {"face": face, "point": plus[1], "why": "sign", "against": plus[0]}
    assert "claims its solution is outside its faces, but on face" in "".join(
        _gaps(inside, data))


def test_deleted_minimum_whose_face_set_says_it_is_one(paper):
    doc, data = paper
    _, record = _find(doc, lambda s: "minimum" in s and len(s["faces"]) == 2)
    orbit = record["minimum"][0]
    where = f"face set {_name(record['faces'])}: "
    gone = copy.deepcopy(doc)
    gone["minima"] = [m for m in gone["minima"] if m["orbit"] != orbit]
    assert (where + f"certified a minimum (orbit {orbit}), but minima lists no orbit "
            f"{orbit}") in _gaps(gone, data)
    half = copy.deepcopy(doc)
    drop = next(k for k, m in enumerate(half["minima"]) if m["orbit"] == orbit)
    del half["minima"][drop]
    assert any(g.startswith(where + f"certified a minimum (orbit {orbit}), but minima lists 1 "
                            "of its 2 images") for g in _gaps(half, data))
    # a curve's set (k = 1 < L) needs its split orbit
    _, curve = _find(doc, lambda s: "minimum" in s and len(s["faces"]) == 1)
    corbit = curve["minimum"][0]
    split = copy.deepcopy(doc)
    split["minima"] = [m for m in split["minima"] if m["orbit"] != corbit]
    assert f"face set {_name(curve['faces'])}: certified a minimum (orbit {corbit}), but " \
           f"minima lists no orbit {corbit}" in _gaps(split, data)


def test_descent_claims_are_re_derived(paper):
    doc, data = paper
    j, record = _find(doc, lambda s: "minimum" in s and len(s["faces"]) == 2)
    orbit = record["minimum"][0]
    where = f"face set {_name(record['faces'])}: "
    for claim, message in (
        ({"kind": "hessian"}, "finds every leading minor of the face Hessian positive"),
        ({"kind": "dead", "face": record["faces"][0]}, "leaves no unit dead"),
    ):
        bad = copy.deepcopy(doc)
        bad["minima"] = [m for m in bad["minima"] if m["orbit"] != orbit]
        del _sets(bad)[j]["minimum"]
        _sets(bad)[j]["descent"] = claim
        gaps = _gaps(bad, data)
        assert len(gaps) == 1 and gaps[0].startswith(where) and message in gaps[0], gaps
    face = next(f for f in record["faces"] if "0" in f)
    i = face.index("0")
    for kind in ("off", "on"):
        bad = copy.deepcopy(doc)
        bad["minima"] = [m for m in bad["minima"] if m["orbit"] != orbit]
        del _sets(bad)[j]["minimum"]
        _sets(bad)[j]["descent"] = {"kind": kind, "face": face, "point": i}
        assert _gaps(bad, data) == [
            where + f"the solver's reason {kind!r} is not re-derived: the checker finds the "
            f"multiplier of point {i} on face {face} of the right sign"]


def test_decoupled_and_none_claims(paper):
    doc, data = paper
    bad = copy.deepcopy(doc)
    j, record = _find(bad, lambda s: len(s["faces"]) == 2 and "solution" in s)
    a, b = record["faces"]
    _sets(bad)[j] = {"faces": [a, b], "decoupled": [[a], [b]]}
    shared = next(i for i in range(len(a)) if a[i] == "+" == b[i])
    assert _gaps(bad, data)[0] == (f"face set {_name([a, b])}: faces {a} and {b} of different "
                                   f"parts both see point {shared}: not decoupled")
    none = copy.deepcopy(doc)  # a pruned set has no interior solution: "none" is re-derived
    j, record = _find(none, lambda s: len(s["faces"]) == 2 and "pruned" in s)
    _sets(none)[j] = {"faces": record["faces"], "none": "no interior solution"}
    assert _report(none, data).ok
    none = copy.deepcopy(doc)  # a set with a solution recorded as "none" is rejected
    j, record = _find(none, lambda s: len(s["faces"]) == 2 and "solution" in s)
    _sets(none)[j] = {"faces": record["faces"], "none": "no interior solution"}
    assert any(f"face set {_name(record['faces'])}: none is not re-derived" in g
               for g in _gaps(none, data))
    verdict = copy.deepcopy(doc)  # a pruned set claiming a minimum
    j, record = _find(verdict, lambda s: "pruned" in s)
    record["minimum"] = [0]
    assert f"face set {_name(record['faces'])}: has no interior solution but records minimum" \
        in _gaps(verdict, data)


def test_unclaimed_minimum_is_reported(paper):
    doc, data = paper
    bad = copy.deepcopy(doc)
    j, record = _find(bad, lambda s: "minimum" in s and len(s["faces"]) == 2)
    orbit = record["minimum"][0]
    record["minimum"] = []
    gaps = _gaps(bad, data)
    assert f"face set {_name(record['faces'])}: minimum lists no orbit" in gaps
    numbers = [str(k) for k, m in enumerate(doc["minima"], start=1) if m["orbit"] == orbit]
    assert (f"minimum {', '.join(numbers)} (orbit {orbit}): claimed by no face set of the "
            "certificate") in gaps


def test_pre_activation_exactly_zero_at_the_solution():
    # the symmetric V y = |x|: a two-neuron solution whose direction lies exactly on a
    # point's hyperplane (not structurally): decided exactly in the roots' number field
    x, y = ["-1", "-1/2", "0", "1/2", "1"], ["1", "1/2", "0", "1/2", "1"]
    doc = solve(x, y, F(1, 100), 2, completeness=True).to_json()
    data = make_dataset(x, y)
    report = verify_result(doc, data)
    assert report.ok, report.text()
    assert "1 by one exactly zero at the solution" in " ".join(report.certificate)
    bad = copy.deepcopy(doc)  # the same claim for a box-described solution outside by a sign
    _, record = _find(bad, lambda s: "outside" in s and s["outside"]["why"] == "sign"
                      and "solution" in s)
    record["outside"] = {"face": record["outside"]["face"], "point": record["outside"]["point"],
                         "why": "exact zero"}
    assert "is not proved exactly zero (the solution must be given by minimal polynomials)" \
        in _gaps(bad, data)[0]


def test_closure_of_split_sets():
    # Case A of tests/test_verify.py: one neuron seeing point 1; with 2 units its split set
    # ends where a unit dies, and those endpoints are minima (the dead unit can only split)
    x, y = ["-2", "3/4"], ["-1/25", "1"]
    doc = solve(x, y, F(1, 10), 2, completeness=True).to_json()
    data = make_dataset(x, y)
    assert verify_result(doc, data).ok
    _, record = _find(doc, lambda s: "minimum" in s)
    assert record["faces"] == ["-+"] and record["closure"] == "minima"
    where = "face set {-+}: closure: "
    bare = copy.deepcopy(doc)
    bare["minima"][0]["endpoints"] = []
    assert _gaps(bare, data) == [where + "the endpoints are minima, but a split set of orbit 0 "
                                 "lists none"]
    moved = copy.deepcopy(doc)
    end = moved["minima"][0]["endpoints"][0]
    end["a"] = [2 * a for a in end["a"]]
    assert _gaps(moved, data)[0].startswith(where + "an endpoint of orbit 0 is not at the set's "
                                            "solution: sum a_l^2 / lam on face -+ is")
    denied = copy.deepcopy(doc)
    _find(denied, lambda s: "minimum" in s)[1]["closure"] = {"kind": "dead", "face": "+-"}
    assert "is not re-derived: along face +- a dead unit gains at most lam |w|" in _gaps(
        denied, data)[0]


def test_closure_claimed_minima_where_a_dead_unit_grows(paper):
    doc, data = paper
    bad = copy.deepcopy(doc)
    _, record = _find(bad, lambda s: isinstance(s.get("closure"), dict))
    record["closure"] = "minima"
    gaps = _gaps(bad, data)
    assert len(gaps) == 1 and gaps[0].startswith(
        f"face set {_name(record['faces'])}: closure: the endpoints with dying units are claimed "
        "minima, but dead unit 1: growing it along"), gaps

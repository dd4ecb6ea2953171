"""The checker proves which branch is lowest at a jump of the global minimum, and rejects
a jump that was moved, dropped, or given the wrong branches.

On the symmetric V (``assets/v_shape.csv``, 2 units) the global minimum jumps from branch
1 (one unit per arm) to branch 8 at λ ≈ 0.1368; branches 9 and 11, mirror images of 8 and
10, have the same loss there (tied global minima); branches 1 and 3 cross later, at
λ ≈ 0.1425, *above* branch 8 (numbers from tests/regpath/test_path_global.py, which checks
them against ``solve``).
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest
from scipy.optimize import brentq

from solver import path
from solver.data import read_csv
from solver.regpath.evaluate import Evaluator
from solver.regpath.jumps import rational_around
from solver.verify.path import verify_path

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def v_shape():
    data = read_csv(REPO / "assets" / "v_shape.csv")
    p = path(data.x, data.y, 2, "1/10000", "1")
    return data, p, json.loads(json.dumps(p.to_json()))


def _jump(doc) -> tuple[int, dict]:
    k = next(k for k, e in enumerate(doc["events"]) if e["kind"] == "jump")
    return k, doc["events"][k]


def _jump_problems(report, k: int) -> list[str]:
    return [p for p in report.problems if p.startswith(f"event {k + 1} (jump")]


def test_the_v_shapes_jump_is_proved_with_its_ties(v_shape):
    data, _, doc = v_shape
    k, e = _jump(doc)
    assert 0.1367 < e["lam_float"] < 0.1369
    assert [(c["branch"], c["what"]) for c in e["changes"]] == [
        (0, "stops being global"), (7, "becomes global")]
    report = verify_path(doc, data)
    assert report.ok, report.text()
    line = next(x for x in report.lines if x.startswith(f"event {k + 1} (jump"))
    assert "no other branch lower" in line and "branches 9, 11 tie" in line, line


def test_a_moved_jump_is_rejected(v_shape):
    data, _, doc = v_shape
    bad = copy.deepcopy(doc)
    k, e = _jump(bad)
    factor = Fraction(1001, 1000)  # still inside the same segments of both branches
    lo, hi = (Fraction(v) * factor for v in e["interval"])
    e["interval"] = e["lam"]["certified"] = [str(lo), str(hi)]
    e["lam_float"] *= float(factor)
    report = verify_path(bad, data)
    assert any("does not change sign" in p for p in _jump_problems(report, k)), report.problems
    assert any(p.startswith("global_min: the global minimum changes from branch 1 to branch 8")
               for p in report.problems), report.problems


def _without(doc, k: int) -> dict:
    bad = copy.deepcopy(doc)
    bad["events"].pop(k)
    for b in bad["branches"]:  # renumber the references, as a careful forger would
        for seg in b["segments"]:
            for key in ("lam_min_event", "lam_max_event"):
                if seg[key] is not None and seg[key] > k:
                    seg[key] -= 1
    return bad


def test_a_dropped_jump_is_rejected(v_shape):
    data, _, doc = v_shape
    k, _ = _jump(doc)
    report = verify_path(_without(doc, k), data)
    assert any("no event there says so" in p for p in report.problems), report.problems


def test_a_dropped_jump_with_its_runs_merged_is_rejected(v_shape):
    data, _, doc = v_shape
    k, e = _jump(doc)
    bad = _without(doc, k)
    runs = bad["global_min"]
    assert runs[0]["branch"] == 0 and runs[1]["branch"] == 7
    runs[0]["lam_max_float"] = runs[1]["lam_max_float"]
    del runs[1]  # branch 1 claimed global up to the neuron death at 0.2019
    later = next(x for x in bad["events"] if x.get("global"))
    for c in later["changes"]:  # ... where it now passes to branch 3
        if c["what"] == "stops being global":
            c["branch"] = 0
    report = verify_path(bad, data)
    assert any(p.startswith("global_min: at λ = ") and "is below the global branch 1" in p
               for p in report.problems), report.problems


def test_a_jump_to_the_wrong_branch_is_rejected(v_shape):
    data, _, doc = v_shape
    bad = copy.deepcopy(doc)
    k, e = _jump(bad)
    e["changes"][1]["branch"], e["branches"] = 2, [0, 2]  # the curve on ++++ instead of 8
    report = verify_path(bad, data)
    assert any("witness's face sets are not those of branch 1" in p
               for p in _jump_problems(report, k)), report.problems
    e["witnesses"][0]["other"], e["witnesses"][0]["other_s"] = ["++++"], None
    report = verify_path(bad, data)  # the forger fixes the witness: no crossing then
    assert any("does not change sign" in p for p in _jump_problems(report, k)), report.problems


def test_a_jump_with_its_branches_swapped_is_rejected(v_shape):
    data, _, doc = v_shape
    bad = copy.deepcopy(doc)
    k, e = _jump(bad)
    e["changes"][0]["branch"], e["changes"][1]["branch"] = 7, 0
    w = e["witnesses"][0]
    w["faces"], w["other"], w["s"], w["other_s"] = w["other"], w["faces"], w["other_s"], w["s"]
    report = verify_path(bad, data)
    assert any("swapped" in p for p in _jump_problems(report, k)), report.problems


def test_a_crossing_above_another_branch_is_not_a_jump_of_the_global_minimum(v_shape):
    """Branches 1 and 3 really cross at λ ≈ 0.1425 (the witness is proved), but branch 8
    is lower there: a jump claimed at that crossing is rejected."""
    data, p, doc = v_shape
    ev = Evaluator(p)
    value = brentq(lambda lam: ev.value(0, lam)[0] - ev.value(2, lam)[0], 0.141, 0.144,
                   xtol=1e-16, rtol=1e-15)
    assert ev.value(7, value)[0] < ev.value(0, value)[0] - 1e-3  # branch 8 is lower
    lo, hi = rational_around(value, 4e-13)
    s1 = [a * a / value for a in ev.value(0, value)[1].a]
    forged = {"kind": "jump", "lam_float": value, "lam": {"certified": [str(lo), str(hi)]},
              "exact": False, "interval": [str(lo), str(hi)], "branches": [0, 2],
              "changes": [{"branch": 0, "what": "stops being global", "before": None,
                           "after": None},
                          {"branch": 2, "what": "becomes global", "before": None,
                           "after": None}],
              "global": True, "description": "forged",
              "witnesses": [{"faces": ["+++-", "-+++"], "condition": "loss",
                             "other": ["++++"], "s": s1}]}
    bad = copy.deepcopy(doc)
    bad["events"].append(forged)
    report = verify_path(bad, data)
    k = len(bad["events"]) - 1
    problems = _jump_problems(report, k)
    assert not any("change sign" in x or "interior" in x for x in problems), problems
    assert any("branch 8 (alive at the jump) is not proved above branches 1 and 3" in x
               for x in problems), problems

"""The independent checker on path files: it accepts the paper example's path and rejects
a path whose event was moved, dropped or whose sample was altered."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from solver import path
from solver.data import read_csv
from solver.verify.path import verify_path

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "assets" / "paper_example.csv"


@pytest.fixture(scope="module")
def doc():
    data = read_csv(CSV)
    return json.loads(json.dumps(path(data.x, data.y, 2, "1/10000", "1").to_json()))


@pytest.fixture(scope="module")
def data():
    return read_csv(CSV)


def test_the_paper_examples_path_is_verified(doc, data):
    report = verify_path(doc, data)
    assert report.ok, report.text()
    assert sum(line.startswith("event") and "ok (exact" in line for line in report.lines) == len(
        doc["events"])


def _moved(doc, k: int, factor: Fraction) -> dict:
    bad = copy.deepcopy(doc)
    e = bad["events"][k]
    lo, hi = (Fraction(v) for v in e["interval"])
    e["interval"] = [str(lo * factor), str(hi * factor)]
    e["lam_float"] *= float(factor)
    return bad


@pytest.mark.parametrize("k", [0, 6])
def test_a_moved_event_is_rejected(doc, data, k):
    report = verify_path(_moved(doc, k, Fraction(1000001, 1000000)), data)
    assert not report.ok
    assert any(p.startswith(f"event {k + 1} ") and "does not change sign" in p
               for p in report.problems), report.problems


def test_a_dropped_event_is_rejected(doc, data):
    bad = copy.deepcopy(doc)
    gone = bad["events"].pop(2)
    for b in bad["branches"]:  # renumber the references, as a careful forger would
        for seg in b["segments"]:
            for key in ("lam_min_event", "lam_max_event"):
                if seg[key] is not None and seg[key] > 2:
                    seg[key] -= 1
    report = verify_path(bad, data)
    assert not report.ok
    changed = {c["branch"] for c in gone["changes"]}
    assert any(p.startswith(f"branch {j + 1}: ") for j in changed for p in report.problems), (
        report.problems)


def test_a_branch_extended_past_its_death_is_rejected(doc, data):
    bad = copy.deepcopy(doc)
    dying = next(e for e in bad["events"] if any(c["what"] == "dies" for c in e["changes"]))
    j = next(c["branch"] for c in dying["changes"] if c["what"] == "dies")
    seg = bad["branches"][j]["segments"][-1]
    seg["lam_max_event"], seg["lam_max_float"] = None, float(bad["lam_max"])
    report = verify_path(bad, data)
    assert any(f"branch {j + 1}" in p for p in report.problems), report.problems
    for e in bad["events"]:  # and the event no longer mentions it dying
        e["changes"] = [c for c in e["changes"] if not (c["branch"] == j and c["what"] == "dies")]
    report = verify_path(bad, data)
    assert any(f"branch {j + 1}: segment" in p and "no sample" in p for p in report.problems), (
        report.problems)


def test_an_altered_sample_is_rejected(doc, data):
    bad = copy.deepcopy(doc)
    sample = bad["branches"][0]["samples"][10]
    sample["c"][0] *= 1.01
    report = verify_path(bad, data)
    assert any(p.startswith("branch 1 sample 10") for p in report.problems), report.problems


def test_verify_detects_a_path_file(tmp_path, doc, capsys):
    from solver.cli import main

    out = tmp_path / "path.json"
    out.write_text(json.dumps(doc))
    assert main(["verify", str(out), str(CSV)]) == 0
    assert "summary: 0 problems -> OK" in capsys.readouterr().out
    out.write_text(json.dumps(_moved(doc, 3, Fraction(1000001, 1000000))))
    assert main(["verify", str(out), str(CSV)]) == 1

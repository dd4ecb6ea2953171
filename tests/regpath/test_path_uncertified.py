"""A change of the global minimum whose crossing cannot be certified is reported as what it
is — an uncertified jump with its interval and the reason — in the JSON, the table, the
LaTeX and the checker's report, never dropped.

Data: three points, one unit, λ in [1/20, 1/2]: the global minimum jumps from branch 1
(``-0+``/``-++``) to branch 3 (``+++``) at λ ≈ 0.29321 (the docstring of
:mod:`solver.regpath.envelope`). The proof is made to fail by hiding the exact interior
solutions the certificate needs.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

import solver.regpath.jumps as jumps
from solver import path
from solver.data import make_dataset
from solver.verify.path import verify_path

X, Y = ["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"]


@pytest.fixture(scope="module")
def uncertified():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jumps, "exact_loss", lambda *args: None)
        return path(X, Y, 1, "1/20", "1/2")


def test_the_jump_is_kept_with_its_interval_and_reason(uncertified):
    p = uncertified
    jump = [e for e in p.events if e.kind == "jump"]
    assert len(jump) == 1
    e = jump[0]
    assert e.uncertified == "no proved interior solution at an end of the interval"
    assert Fraction(293209, 10**6) < e.lam.lo < e.lam.hi < Fraction(293210, 10**6)
    assert not e.lam.certified and e.lam.minpoly is None and e.global_jump
    assert "(not certified: no proved interior solution" in e.description
    assert [j for _, _, j in p.global_min] == [0, 2]  # the envelope still jumps there
    doc = json.loads(json.dumps(p.to_json()))
    out = next(x for x in doc["events"] if x["kind"] == "jump")
    assert out["uncertified"] == e.uncertified and out["exact"] is False
    assert out["lam"] == {"uncertified": out["interval"]}
    table = p.to_table()
    assert "1 NOT CERTIFIED (see below)" in table.splitlines()[1]
    row = next(line for line in table.splitlines() if " jump " in line)
    assert "NOT CERTIFIED" in row and "not certified: no proved interior solution" in row
    assert "not certified, seen in" in p.to_latex()


def test_the_certified_path_has_no_uncertified_event():
    p = path(X, Y, 1, "1/20", "1/2")
    e = next(e for e in p.events if e.kind == "jump")
    assert e.uncertified is None and e.lam.certified
    assert "uncertified" not in e.to_json() and "NOT CERTIFIED" not in p.to_table()


def test_the_checker_lists_it_as_not_proved(uncertified):
    data = make_dataset(X, Y)
    doc = json.loads(json.dumps(uncertified.to_json()))
    report = verify_path(doc, data)
    assert report.ok, report.text()
    k = next(k for k, e in enumerate(doc["events"]) if e["kind"] == "jump")
    line = next(x for x in report.lines if x.startswith(f"event {k + 1} (jump"))
    assert "NOT PROVED (uncertified in the path: no proved interior solution" in line
    assert len(report.unproved) == 1
    assert "1 uncertified events not proved -> OK, NOT ALL PROVED" in report.text()
    assert report.exit_code == 3  # a script can tell "all proved" (0) from this
    doc["events"][k]["kind"] = "fold"  # only a jump may be uncertified
    assert any("only a jump's λ may be uncertified" in x
               for x in verify_path(doc, data).problems)

"""Training runs classified against the exact results: zero discrepancies, and teeth.

* Runs started at a certified minimum (plus noise of 1e-7) stay in it; started on a curve,
  they stay at the curve's loss.
* On the paper's example and on random small data sets (d = 1 with L = 1, 2, 3; d = 2 with
  L = 2) every run at rest is classified: zero discrepancies. The deep profile (marker
  ``deep``) does the same over hundreds of data sets and three optimisers.
* What the issue measured on the paper's example with plain GD (lr 0.01, 20,000 steps,
  torch-default init) holds: about one run in seven ends at the all-dead network (loss
  ``sum y^2``), runs near the global minimum hover 0.005-0.03 above its loss.
* Removing a minimum from the exact list, or moving a critical point, turns the runs that
  ended there into discrepancies (the check can fail).
* Shares sum to 1; the same seed gives the same table.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from solver.errors import DegenerateProblemError
from solver.results import CurveMinimum
from solver.train.api import Settings, train
from solver.train.classify import classify
from solver.train.landmarks import Neuron
from solver.train.loop import Optimizer, descend
from solver.train.network import FloatData, Params
from tests.train.helpers import exact, paper, random_problem

GD = Optimizer("gd", 0.01)


@pytest.fixture(scope="module")
def paper_report():
    """400 plain-GD runs on the paper's example, as the issue ran them."""
    return train(paper(), [GD], Settings(runs=400, steps=20000, seed=0), exact=exact(paper()))


def test_paper_example_has_no_discrepancy_and_every_run_at_rest_is_classified(paper_report):
    t = paper_report.trainings[0]
    outcomes = Counter(e.outcome for e in t.ends)
    assert outcomes["discrepancy"] == 0, [e.detail for e in t.discrepancies]
    assert outcomes["diverged"] == 0
    for e in t.ends:
        if e.outcome in ("converged", "kink", "stuck"):
            assert e.target.landmark is not None and e.target.polished.ok
            assert math.isfinite(e.distance)


def test_paper_example_matches_what_the_issue_measured(paper_report):
    t = paper_report.trainings[0]
    total = len(t.ends)
    y = np.array([float(v) for v in paper().y])
    dead = [e for e in t.ends if e.outcome == "stuck" and not e.target.neurons]
    assert 0.08 <= len(dead) / total <= 0.2            # "about one run in seven"
    for e in dead:
        assert e.loss == pytest.approx(float(y @ y), abs=1e-4)   # loss = sum of y^2
        assert e.target.landmark.reason                           # listed, not a minimum
    best = exact(paper()).solution.global_loss
    hovering = [e for e in t.ends if e.outcome == "kink" and e.target.landmark.loss == best]
    assert hovering, "no run reached the global minimum"
    excess = np.array([e.loss - best for e in hovering])
    assert excess.min() > 0.001 and excess.max() < 0.05           # "0.005-0.03 above"
    assert t.global_runs == len(hovering)


def test_shares_sum_to_one_and_the_same_seed_gives_the_same_table(paper_report):
    t = paper_report.trainings[0]
    assert sum(b.runs for b in t.basins) == len(t.ends)
    assert math.fsum(b.share for b in t.basins) == pytest.approx(1.0, abs=1e-12)
    for b in t.basins:
        assert b.ci95[0] <= b.share <= b.ci95[1]
    small = Settings(runs=60, steps=1500, seed=5)
    one = train(paper(), [GD], small, exact=exact(paper())).trainings[0]
    two = train(paper(), [GD], small, exact=exact(paper())).trainings[0]
    assert one.basins == two.basins
    assert [e.loss for e in one.ends] == [e.loss for e in two.ends]
    other = train(paper(), [GD], replace(small, seed=6), exact=exact(paper())).trainings[0]
    assert [e.loss for e in other.ends] != [e.loss for e in one.ends]


def _starts(problem, m, copies: int, rng) -> Params:
    points = m.samples[::6] if isinstance(m, CurveMinimum) else (m.point,)
    rows = [(pt.a, pt.B, pt.c) for pt in points for _ in range(copies)]
    a = np.array([r[0] for r in rows]) + rng.normal(scale=1e-7, size=(len(rows), problem.units))
    B = np.array([r[1] for r in rows]) + rng.normal(scale=1e-7,
                                                    size=(len(rows), problem.units, problem.d))
    c = np.array([r[2] for r in rows]) + rng.normal(scale=1e-7, size=(len(rows), problem.units))
    return Params(a, B, c)


@pytest.mark.parametrize("which", ["paper", "d1-L2", "d2-L2"])
def test_runs_started_at_a_certified_minimum_stay_in_it(which: str) -> None:
    problem = {"paper": paper(), "d1-L2": random_problem(3, 1, 2, n=5),
               "d2-L2": random_problem(4, 2, 2, n=4)}[which]
    ex = exact(problem)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    rng = np.random.default_rng(0)
    starts = [(lm, _starts(problem, ex.solution.minima[lm.index], 3, rng)) for lm in ex.minima]
    owner = [lm for lm, st in starts for _ in range(st.runs)]
    start = Params(*(np.concatenate([getattr(st, f) for _, st in starts]) for f in "aBc"))
    out = descend(data, start, GD, steps=5000, tol=1e-7)
    ends = classify(data, out.params, out.steps, out.crossings, 1e-7, ex.minima, ex.critical)
    for lm, e in zip(owner, ends):
        m = ex.solution.minima[lm.index]
        assert e.target.landmark is lm, (which, lm.index, e.detail)
        assert e.outcome in ("converged", "kink"), (which, lm.index, e.detail)
        if not m.active:  # a smooth minimum: converged onto it, at its loss
            assert e.outcome == "converged" and e.distance < 1e-5
            assert e.loss == pytest.approx(m.loss, abs=1e-9)


def test_runs_started_on_the_papers_curve_stay_on_the_curves_loss() -> None:
    problem = paper()
    ex = exact(problem)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    curve = next(m for m in ex.solution.minima if isinstance(m, CurveMinimum) and not m.active)
    pts = curve.samples
    start = Params(np.array([p.a for p in pts]), np.array([p.B for p in pts]),
                   np.array([p.c for p in pts]))
    start = Params(start.a + 1e-7, start.B - 1e-7, start.c + 1e-7)
    out = descend(data, start, GD, steps=3000, tol=1e-9)
    assert np.abs(out.loss - curve.loss).max() < 1e-9
    ends = classify(data, out.params, out.steps, out.crossings, 1e-9, ex.minima, ex.critical)
    assert {e.target.landmark.index for e in ends} == {ex.solution.minima.index(curve)}
    assert max(e.distance for e in ends) < 1e-5
    # the runs stayed where they started along the curve (the loss is flat along it)
    moved = np.abs(out.params.flat() - start.flat()).max()
    assert moved < 1e-4


def test_a_missing_minimum_or_a_moved_critical_point_is_a_discrepancy(paper_report):
    """The check has teeth: the same runs against a tampered exact list."""
    ex = paper_report.landscape
    t = paper_report.trainings[0]
    data = FloatData.of(paper().x, paper().y, paper().lam)
    d = t.descent
    best = ex.solution.global_loss
    without_global = tuple(lm for lm in ex.minima if lm.loss != best)
    ends = classify(data, d.params, d.steps, d.crossings, 1e-4, without_global, ex.critical)
    assert sum(e.outcome == "discrepancy" for e in ends) == t.global_runs > 0
    stuck = Counter(e.target.landmark.index for e in t.ends if e.outcome == "stuck"
                    and e.target.neurons)
    index = stuck.most_common(1)[0][0]
    moved = tuple(replace(lm, neurons=tuple(Neuron.of(nr.pattern, np.array(nr.w) * 1.001,
                                                      nr.carriers, np.array([[float(v), 1.0]
                                                      for (v,) in paper().x]))
                                            for nr in lm.neurons))
                  if lm.index == index else lm for lm in ex.critical)
    ends = classify(data, d.params, d.steps, d.crossings, 1e-4, ex.minima, moved)
    assert sum(e.outcome == "discrepancy" for e in ends) == stuck[index]


# ------------------------------------------------------------------ random data sets

FAST = [  # (name, d, L, data sets, n, optimizer, lr)
    ("d1-L1", 1, 1, 3, 5, "gd", 0.02),
    ("d1-L2", 1, 2, 3, 5, "gd", 0.02),
    ("d1-L2-adam", 1, 2, 2, 5, "adam", 0.01),
    ("d1-L3", 1, 3, 2, 4, "momentum", 0.01),
    ("d2-L2", 2, 2, 2, 4, "gd", 0.02),
]
DEEP = [
    ("deep-d1-L1", 1, 1, 100, None, ("gd", "momentum", "adam"), 0.01),
    ("deep-d1-L2", 1, 2, 100, None, ("gd", "momentum", "adam"), 0.01),
    ("deep-d1-L3", 1, 3, 100, 5, ("gd", "momentum", "adam"), 0.01),
    ("deep-d2-L2", 2, 2, 100, 5, ("gd", "momentum", "adam"), 0.01),
]
SUMMARY: dict[str, Counter] = {}


def _check_shape(name: str, d: int, L: int, sets: int, n, optimizers, lr: float,
                 runs: int, steps: int, base: int) -> None:
    stats = SUMMARY.setdefault(name, Counter())
    failures = []
    for k in range(sets):
        problem = random_problem(base + k, d, L, n=n)
        try:
            ex = exact(problem)
        except DegenerateProblemError:
            stats["degenerate (skipped)"] += 1
            continue
        began = time.perf_counter()
        names = (optimizers,) if isinstance(optimizers, str) else optimizers
        report = train(problem, [Optimizer(o, lr) for o in names],
                       Settings(runs=runs, steps=steps, seed=base + k), exact=ex)
        stats["data sets"] += 1
        stats["seconds"] += time.perf_counter() - began
        for t in report.trainings:
            stats["runs"] += len(t.ends)
            for e in t.ends:
                stats[e.outcome] += 1
            failures += [f"{problem!r} {t.optimizer.label} run {e.run} (seed "
                         f"[{base + k}, {e.run}]): {e.detail}" for e in t.discrepancies]
    assert stats["degenerate (skipped)"] <= max(1, 0.1 * sets)
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("shape", FAST, ids=lambda s: s[0])
def test_random_data_sets_have_no_discrepancy(shape) -> None:
    name, d, L, sets, n, optimizer, lr = shape
    _check_shape(name, d, L, sets, n, optimizer, lr, runs=60, steps=4000, base=1000 * L + d)


def _deep_requested(config: pytest.Config) -> bool:
    return os.environ.get("DEEP") == "1" or "deep" in (config.getoption("markexpr") or "")


@pytest.mark.deep
@pytest.mark.parametrize("shape", DEEP, ids=lambda s: s[0])
def test_random_data_sets_have_no_discrepancy_deep(shape, request: pytest.FixtureRequest) -> None:
    if not _deep_requested(request.config):
        pytest.skip("deep profile: run with -m deep or DEEP=1")
    name, d, L, sets, n, optimizers, lr = shape
    sets = int(os.environ.get("DEEP_EXAMPLES", sets))
    try:
        _check_shape(name, d, L, sets, n, optimizers, lr, runs=200, steps=20000,
                     base=50_000 + 1000 * L + 100 * d)
    finally:
        path = os.environ.get("TRAIN_SUMMARY")
        if path:
            Path(path).write_text(json.dumps({k: dict(v) for k, v in SUMMARY.items()},
                                             indent=1))

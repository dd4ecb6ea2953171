"""The path against the solver at fixed λ: the branches alive at λ are ``solve``'s minima.

On random data sets (d = 1 with 1 and 2 units, d = 2 with 2 units), at 30 λ drawn
log-uniformly in the range and just below and above every event (relative step 1e-7),
``solve`` must return exactly the minima the path predicts: the same number, the same
unit patterns (image by image), and losses equal to 1e-9; and the branch the path calls
the global minimum there must be one of ``solve``'s lowest. A disagreement fails with the
data set printed. λs at which ``solve`` itself stops as degenerate are skipped and
counted (at most 10%). The default profile runs a few small data sets; the ``deep``
profile (``-m deep`` or ``DEEP=1``) many more and larger ones, and the 1-D examples of
``assets/`` (the symmetric V has several neurons changing faces at one λ).
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from solver import path, solve
from solver.errors import DegenerateProblemError
from solver.regpath.evaluate import Evaluator

LAM_MIN, LAM_MAX = Fraction(1, 10000), Fraction(1)


@dataclass(frozen=True)
class Shape:
    name: str
    n: int
    d: int
    units: int
    seeds: tuple[int, ...]


FAST = [Shape("d1-L1", 4, 1, 1, (1,)), Shape("d1-L2", 4, 1, 2, (3,)),
        Shape("d2-L2", 3, 2, 2, (4,))]
DEEP = [Shape("d1-L1", 6, 1, 1, tuple(range(10, 30))),
        Shape("d1-L2", 5, 1, 2, tuple(range(10, 22))),
        Shape("d2-L2", 3, 2, 2, tuple(range(10, 18))),
        Shape("d2-L2-n4", 4, 2, 2, (30, 31, 32))]


def random_data(n: int, d: int, seed: int):
    """Inputs in hundredths of [-1, 1] (distinct, no three collinear for d = 2), targets in
    hundredths of [-3/2, 3/2]."""
    rng = random.Random(seed)
    while True:
        x = [tuple(Fraction(rng.randint(-100, 100), 100) for _ in range(d)) for _ in range(n)]
        if len(set(x)) == n and (d == 1 or not _collinear(x)):
            break
    y = [Fraction(rng.randint(-150, 150), 100) for _ in range(n)]
    return [list(r) for r in x], y


def _collinear(x) -> bool:
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            for k in range(j + 1, len(x)):
                (a, b), (c, d), (e, f) = x[i], x[j], x[k]
                if (c - a) * (f - b) - (d - b) * (e - a) == 0:
                    return True
    return False


def crosscheck(x, y, units: int, seed: int) -> tuple[int, int, list[str]]:
    """Compare the path with ``solve``; (λs checked, λs skipped, disagreements)."""
    p = path(x, y, units, LAM_MIN, LAM_MAX)
    ev = Evaluator(p)
    rng = random.Random(seed)
    lams = [math.exp(rng.uniform(math.log(float(LAM_MIN)), math.log(float(LAM_MAX))))
            for _ in range(30)]
    for e in p.events:
        lams += [e.lam.value * (1 - 1e-7), e.lam.value * (1 + 1e-7)]
    checked, skipped, bad = 0, 0, []
    for value in lams:
        lam = Fraction(value).limit_denominator(10**12)
        if not LAM_MIN < lam < LAM_MAX:
            continue
        try:
            minima = solve(x, y, lam, units).minima
        except DegenerateProblemError:
            skipped += 1
            continue
        checked += 1
        want = sorted((m.pattern, m.loss) for m in minima)
        got = sorted((p.branches[j].segment_at(float(lam)).pattern, ev.value(j, float(lam))[0])
                     for j in p.alive_at(float(lam)))
        same = [w[0] for w in want] == [g[0] for g in got] and all(
            abs(w[1] - g[1]) <= 1e-9 * max(1.0, abs(w[1])) for w, g in zip(want, got))
        if not same:
            bad.append(f"λ = {lam}: solve {want}, path {got}")
        elif minima:  # the branch the path calls global is one of solve's lowest minima
            best = min(m.loss for m in minima)
            lowest = {m.pattern for m in minima if m.loss <= best + 1e-12 * abs(best)}
            j = next((j for a, b, j in p.global_min if a < float(lam) < b), None)
            if j is None or p.branches[j].segment_at(float(lam)).pattern not in lowest:
                bad.append(f"λ = {lam}: global minimum {lowest}, path's branch {j}")
    return checked, skipped, bad


def _run(shape: Shape, seed: int) -> None:
    x, y = random_data(shape.n, shape.d, seed)
    checked, skipped, bad = crosscheck(x, y, shape.units, seed)
    data = f"x = {[[str(v) for v in r] for r in x]}, y = {[str(v) for v in y]}"
    assert not bad, f"{shape.name} seed {seed}, data {data}:\n" + "\n".join(bad)
    assert skipped <= 0.1 * (checked + skipped), f"{skipped} degenerate λs for {data}"


@pytest.mark.slow
@pytest.mark.parametrize("shape, seed", [(s, seed) for s in FAST for seed in s.seeds],
                         ids=lambda v: getattr(v, "name", str(v)))
def test_path_agrees_with_solve(shape, seed):
    _run(shape, seed)


ASSETS = [("v_shape.csv", 2), ("step.csv", 2), ("two_clusters.csv", 2), ("step.csv", 1),
          ("only_dead_units.csv", 2)]


@pytest.mark.deep
@pytest.mark.parametrize("name, units", ASSETS)
def test_path_agrees_with_solve_on_the_examples(name, units, pytestconfig):
    if not _deep(pytestconfig):
        pytest.skip("deep profile: run with -m deep or DEEP=1")
    from solver.data import read_csv

    data = read_csv(Path(__file__).resolve().parents[2] / "assets" / name)
    checked, skipped, bad = crosscheck([list(r) for r in data.x], list(data.y), units, 1)
    assert not bad, f"{name}, {units} units:\n" + "\n".join(bad)
    assert skipped <= 0.1 * (checked + skipped)


def _deep(config) -> bool:
    return os.environ.get("DEEP") == "1" or "deep" in (config.getoption("markexpr") or "")


@pytest.mark.deep
@pytest.mark.parametrize("shape, seed", [(s, seed) for s in DEEP for seed in s.seeds],
                         ids=lambda v: getattr(v, "name", str(v)))
def test_path_agrees_with_solve_deep(shape, seed, pytestconfig):
    if not _deep(pytestconfig):
        pytest.skip("deep profile: run with -m deep or DEEP=1")
    _run(shape, seed)

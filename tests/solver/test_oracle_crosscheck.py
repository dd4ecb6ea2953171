"""The exact solver against the independent numerical oracle (tests/oracle.py).

For random small data sets (Hypothesis, derandomised) the solver, the oracle and the
independent certificate checker (``solver.verify``, which shares no solving code) must
agree; the checker must accept every result (d), and the solver and oracle:

(a) no false minima: every isolated minimum and every sample of every curve the solver
    reports passes the oracle's local check, has the reported loss (to 1e-8), and an
    isolated minimum is not on a split set (no two parallel live units, no dead unit
    beside a live one);
(b) no missed minima: every minimum the oracle finds is a solver isolated minimum (as
    multisets of units ``(b, c, a)``, to 1e-6) or lies on a solver curve (same loss, same
    merged units: parallel units merged into one, dead units dropped);
(c) the solver's isolated minima are closed under unit permutations;
(d) ``verify_result`` accepts the solver's result file: every minimum ok, no file problem.

A :class:`~solver.errors.DegenerateProblemError` skips the data set (recorded, see the
summary); any skipped data set fails the test (issue 13: 0 skipped). The oracle itself
is first checked against a brute-force reference (d = 1, L = 1: a fine angle grid of the
loss minimised over the unit's scale) and against the paper's published curve.

Profiles: the fast one runs by default. The deep one (200 data sets per shape for
d = 1 with L = 1, 2, 3, d = 2 with L = 2, near-ties; 100 for d = 1 with L = 4 and d = 3
with L = 2, n <= 4) runs with ``pytest -m deep`` or
``DEEP=1`` (``DEEP_EXAMPLES=k`` overrides the 200). A summary (data sets, minima checked,
disagreements) is printed at the end of the module and, with
``CROSSCHECK_SUMMARY=path.json``, written there.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from scipy.optimize import minimize_scalar

from solver import DegenerateProblemError, solve
from solver.data import make_dataset
from solver.verify import verify_result
from tests import oracle
from tests.strategies import near_tie_problems, problems

LOSS_TOL = 1e-8
POINT_TOL = 1e-6
SUMMARY: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))


@dataclass(frozen=True)
class Shape:
    """One family of random problems."""

    name: str
    d: int
    units: int
    n_max: int
    examples: int
    near_ties: bool = False

    def strategy(self):
        """The Hypothesis strategy of this shape's data sets."""
        make = near_tie_problems if self.near_ties else problems
        return make(self.d, 3, self.n_max)


FAST = [
    Shape("d1-L1", 1, 1, 6, 12),
    Shape("d1-L2", 1, 2, 6, 12),
    Shape("d1-L2-near-ties", 1, 2, 5, 6, near_ties=True),
    Shape("d1-L3", 1, 3, 4, 3),
    Shape("d2-L2", 2, 2, 3, 3),
]
DEEP = [
    Shape("deep-d1-L1", 1, 1, 6, 200),
    Shape("deep-d1-L2", 1, 2, 6, 200),
    Shape("deep-d1-L2-near-ties", 1, 2, 6, 200, near_ties=True),
    Shape("deep-d1-L3", 1, 3, 5, 200),
    Shape("deep-d2-L2", 2, 2, 5, 200),
    Shape("deep-d2-L2-near-ties", 2, 2, 4, 200, near_ties=True),
    # issue 13: four units, and d = 3 (arrangements of planes in R^4)
    Shape("deep-d1-L4", 1, 4, 4, 100),
    Shape("deep-d1-L4-near-ties", 1, 4, 4, 100, near_ties=True),
    Shape("deep-d3-L2", 3, 2, 4, 100),
    Shape("deep-d3-L2-near-ties", 3, 2, 4, 100, near_ties=True),
]


def _deep_requested(config: pytest.Config) -> bool:
    """``DEEP=1`` in the environment, or a ``-m`` expression naming ``deep``."""
    return os.environ.get("DEEP") == "1" or "deep" in (config.getoption("markexpr") or "")


# --------------------------------------------------------------------------- comparisons


def _rows(B, c, a) -> np.ndarray:
    """Units as rows ``(b_1..b_d, c, a)``."""
    return np.hstack([np.asarray(B, float), np.asarray(c, float)[:, None],
                      np.asarray(a, float)[:, None]])


def _merged(B, c, a, x):
    """The oracle's set invariant of a point (units grouped by their pattern on ``x``)."""
    xs = np.asarray(x, float).reshape(len(x), -1)
    return oracle.merged_units(np.hstack([np.asarray(B, float), np.asarray(c, float)[:, None]]),
                               np.asarray(a, float), np.column_stack([xs, np.ones(len(xs))]))


def _on_split_set(m) -> bool:
    """An isolated solver minimum with two live units on one face (same pattern, or
    positively parallel), or with a dead unit beside a live one: not isolated."""
    p = m.point
    W = np.hstack([np.asarray(p.B, float), np.asarray(p.c, float)[:, None]])
    norms = np.linalg.norm(W, axis=1)
    live = [k for k in range(len(W)) if norms[k] > 1e-12]
    if live and len(live) < len(W):
        return True
    return any(m.pattern[k] == m.pattern[j] or np.linalg.norm(W[k] / norms[k] - W[j] / norms[j])
               < 1e-9 for i, k in enumerate(live) for j in live[i + 1:])


def _close_loss(f1: float, f2: float) -> bool:
    return abs(f1 - f2) <= LOSS_TOL * max(1.0, abs(f1))


def _same_minimum(o: oracle.OracleMinimum, m, x) -> bool:
    """An oracle minimum and a solver minimum are the same point, or lie on the same set."""
    if not _close_loss(o.loss, m.loss):
        return False
    if m.kind == "isolated" and o.kind == "isolated":
        p = m.point
        return oracle.perm_distance(_rows(o.B, o.c, o.a), _rows(p.B, p.c, p.a)) < POINT_TOL
    if m.kind == "curve" and o.kind == "set":
        s = m.samples[0]
        return oracle.same_merged(_merged(o.B, o.c, o.a, x), _merged(s.B, s.c, s.a, x),
                                  POINT_TOL)
    return False


def _describe(kind: str, loss: float, B, c, a) -> str:
    fmt = np.array2string
    return (f"{kind} loss={loss:.12g} B={fmt(np.asarray(B), precision=8)} "
            f"c={fmt(np.asarray(c), precision=8)} a={fmt(np.asarray(a), precision=8)}")


def _permutation_failures(minima) -> list[str]:
    """Isolated minima whose unit-permutation images are not listed (with the same orbit)."""
    out = []
    iso = [m for m in minima if m.kind == "isolated"]
    for m in iso:
        rows = _rows(m.point.B, m.point.c, m.point.a)
        for q in permutations(range(len(rows))):
            image = rows[list(q)]
            if not any(o.orbit == m.orbit and np.max(np.abs(
                    _rows(o.point.B, o.point.c, o.point.a) - image)) < 1e-9 for o in iso):
                out.append(f"permutation {q} of the isolated minimum with loss {m.loss:.12g} "
                           f"(orbit {m.orbit}) is not listed in that orbit")
    return out


def disagreements(x, y, lam: float, minima, found) -> tuple[list[str], int]:
    """Failures of (a), (b), (c) for solver ``minima`` and oracle ``found``; points checked."""
    failures = []
    checked = 0
    for k, m in enumerate(minima):
        points = [m.point] if m.kind == "isolated" else list(m.samples)
        for p in points:
            checked += 1
            f = oracle.loss(x, y, lam, p.B, p.c, p.a)
            if not _close_loss(f, m.loss):
                failures.append(f"#{k} loss {f:.12g} != reported: "
                                f"{_describe(m.kind, m.loss, p.B, p.c, p.a)}")
            chk = oracle.local_check(x, y, lam, p.B, p.c, p.a, seed=k)
            if not chk.ok:
                failures.append(f"#{k} false minimum ({chk.reason}, drop {chk.drop:.3g} at radius "
                                f"{chk.radius:.1g}): {_describe(m.kind, m.loss, p.B, p.c, p.a)}")
        if m.kind == "isolated" and _on_split_set(m):
            failures.append(f"#{k} reported isolated but lies on a split set: "
                            f"{_describe(m.kind, m.loss, m.point.B, m.point.c, m.point.a)}")
    failures += _permutation_failures(minima)
    for o in found:
        if not any(_same_minimum(o, m, x) for m in minima):
            failures.append("missed minimum: "
                            f"{_describe('oracle ' + o.kind, o.loss, o.B, o.c, o.a)} "
                            f"pattern={o.pattern}")
    return failures, checked


def crosscheck(problem, units: int, shape: str) -> None:
    """Solve exactly and with the oracle; assert (a), (b), (c) of the module docstring."""
    stats = SUMMARY[shape]
    x, y, lam = problem.floats()
    started = time.perf_counter()
    try:
        sol = solve(problem.x, problem.y, problem.lam, units, force=True)
    except DegenerateProblemError as exc:
        stats["degenerate (skipped)"] += 1
        DEGENERATE.append(f"{shape}: {problem!r}: {exc}")
        return  # counted; the share of such data sets is asserted after the run
    found = oracle.find_local_minima(x, y, lam, units, seed=0)
    failures, checked = disagreements(x, y, lam, sol.minima, found)
    report = verify_result(sol.to_json(), make_dataset(problem.x, problem.y))
    failures += [f"certificate checker: {line}" for line in report.text().splitlines()
                 if "FAIL" in line or "not supported" in line] if not report.ok else []
    stats["checker verdicts ok"] += sum(v.ok for v in report.verdicts)
    stats["data sets"] += 1
    stats["solver minima"] += len(sol.minima)
    stats["solver points checked"] += checked
    stats["oracle minima"] += len(found)
    stats["disagreements"] += len(failures)
    unseen = [m for m in sol.minima if not any(_same_minimum(o, m, x) for o in found)]
    stats["solver minima not found by the oracle"] += len(unseen)
    NOT_FOUND.extend(f"{shape}: {problem!r}: {m.kind} loss={m.loss:.12g} pattern={m.pattern}"
                     for m in unseen)
    stats["seconds"] += time.perf_counter() - started
    assert not failures, f"{problem!r}, L={units}:\n" + "\n".join(failures)


DEGENERATE: list[str] = []
NOT_FOUND: list[str] = []


def _run(shape: Shape, examples: int) -> None:
    """Run the cross-check over ``examples`` data sets of ``shape``."""

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(shape.strategy())
    def run(problem):
        crosscheck(problem, shape.units, shape.name)

    run()
    stats = SUMMARY[shape.name]
    rejected, ran = stats["degenerate (skipped)"], stats["data sets"]
    assert rejected == 0, (
        f"DegenerateProblemError on {int(rejected)} of {int(ran + rejected)} {shape.name} data "
        f"sets; first: " + next(m for m in DEGENERATE if m.startswith(shape.name + ":")))


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest):
    """Print (and optionally write) the cross-check summary after the module."""
    yield
    if not SUMMARY:
        return
    table = {name: dict(v) for name, v in SUMMARY.items()}
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line("oracle cross-check summary:")
            for name, v in table.items():
                reporter.write_line(f"  {name}: " + ", ".join(
                    f"{k} {int(x) if k != 'seconds' else round(x, 1)}" for k, x in v.items()))
    path = os.environ.get("CROSSCHECK_SUMMARY")
    if path:
        Path(path).write_text(json.dumps({"shapes": table, "degenerate": DEGENERATE,
                                          "not found by the oracle": NOT_FOUND}, indent=1))


@pytest.mark.parametrize("shape", FAST, ids=lambda s: s.name)
def test_solver_agrees_with_oracle(shape: Shape) -> None:
    _run(shape, shape.examples)


@pytest.mark.deep
@pytest.mark.parametrize("shape", DEEP, ids=lambda s: s.name)
def test_solver_agrees_with_oracle_deep(shape: Shape, request: pytest.FixtureRequest) -> None:
    if not _deep_requested(request.config):
        pytest.skip("deep profile: run with -m deep or DEEP=1")
    _run(shape, int(os.environ.get("DEEP_EXAMPLES", shape.examples)))


# --------------------------------------------------------------------------- the oracle itself


def polar_minima(x, y, lam: float, grid: int = 200_000) -> list[tuple[float, np.ndarray, float]]:
    """Brute-force local minima for d = 1, L = 1: ``(loss, (b, c), a)`` each.

    With ``w = rho (cos t, sin t)``, ``s = y . ReLU(X1 u)``, ``q = |ReLU(X1 u)|^2``, the loss
    minimised over ``rho`` and ``a`` is ``|y|^2 - (|s| - lam)_+^2 / q`` at
    ``rho^2 = (|s| - lam) / q``, ``a = sign(s) rho``; local minima with ``w != 0`` are the
    local minima of this function of ``t`` where it is below ``|y|^2``, and ``w = 0`` is one
    iff ``|s| < lam`` for every ``t``.
    """
    X1 = np.column_stack([np.asarray(x, float), np.ones(len(x))])
    yv = np.asarray(y, float)

    def sq(t):
        u = np.stack([np.cos(t), np.sin(t)], axis=-1)
        phi = np.maximum(u @ X1.T, 0.0)
        return phi @ yv, (phi**2).sum(-1)

    def gain(t):
        s, q = sq(np.asarray(t, float))
        ok = (np.abs(s) > lam) & (q > 0)
        return -np.where(ok, (np.abs(s) - lam) ** 2 / np.where(q > 0, q, 1.0), 0.0)

    t = np.linspace(0.0, 2 * np.pi, grid, endpoint=False)
    h = gain(t)
    step = t[1]
    out = []
    if np.max(np.abs(sq(t)[0])) < lam:
        out.append((float(yv @ yv), np.zeros(2), 0.0))
    cand = np.nonzero((h <= np.roll(h, 1)) & (h <= np.roll(h, -1)) & (h < 0))[0]
    angles: list[float] = []
    for k in cand:
        # offsets from the grid point keep scipy's relative x-tolerance tiny
        r = minimize_scalar(lambda dt, tk=t[k]: gain(tk + dt), bounds=(-step, step),
                            method="bounded", options={"xatol": 1e-14, "maxiter": 500})
        th = float(t[k] + r.x) % (2 * np.pi)
        if any(abs((th - a + np.pi) % (2 * np.pi) - np.pi) < 1e-7 for a in angles):
            continue
        angles.append(th)
        s, q = sq(np.array(th))
        rho = np.sqrt((abs(s) - lam) / q)
        out.append((float(yv @ yv + gain(th)), rho * np.array([np.cos(th), np.sin(th)]),
                    float(np.sign(s) * rho)))
    return sorted(out, key=lambda m: m[0])


@settings(max_examples=10, deadline=None, derandomize=True, database=None)
@given(problems(1, 3, 6))
def test_oracle_matches_brute_force_for_one_unit(problem) -> None:
    x, y, lam = problem.floats()
    reference = polar_minima(x, y, lam)
    found = oracle.find_local_minima(x, y, lam, 1, seed=0)
    assert len(found) == len(reference), (problem, reference, found)
    for (f, w, a), o in zip(reference, found, strict=True):
        assert abs(f - o.loss) < 1e-9
        assert np.max(np.abs(np.append(w, a) - np.append(o.W[0], o.a[0]))) < 1e-6, (w, a, o)


def test_oracle_finds_the_papers_curve() -> None:
    """Points of the oracle's split set seeing x1, x2 satisfy the paper's equations."""
    data = json.loads((Path(__file__).parent.parent / "data" / "paper_example.json").read_text())
    exp = data["expected"]
    x = [float(sympy.Rational(v)) for v in data["x"]]
    y = [float(sympy.Rational(v)) for v in data["y"]]
    lam = float(sympy.Rational(data["lam"]))
    found = oracle.find_local_minima(x, y, lam, 2, seed=0)
    on = [m for m in found if m.kind == "set" and m.pattern == ("++---", "++---")]
    assert on, [(m.kind, m.pattern) for m in found]
    subs = {sympy.Symbol(f"R{k}"): sympy.Rational(v) for k, v in exp["R"].items()}
    names = sympy.symbols("b11 b21 c1 c2")
    eqs = [sympy.lambdify(names, sympy.sympify(e).subs(subs)) for e in exp["curve_equations"]]
    for m in on:
        vals = (m.B[0, 0], m.B[1, 0], m.c[0], m.c[1])
        assert all(abs(float(e(*vals))) < 1e-8 for e in eqs), [float(e(*vals)) for e in eqs]


def test_local_check_rejects_perturbed_and_dead_points() -> None:
    """The check has teeth: a minimum moved by 1e-4, and the all-dead point, are rejected."""
    x, y, lam = [-0.17, 0.44, -1.0, -0.4, -0.71], [0.05, 1.02, 0.61, -0.36, -1.32], 0.01
    m = oracle.find_local_minima(x, y, lam, 2, seed=0)[0]
    assert oracle.is_local_min(x, y, lam, m.B, m.c, m.a)
    rng = np.random.default_rng(0)
    for _ in range(5):
        B = m.B + 1e-4 * rng.normal(size=m.B.shape)
        c = m.c + 1e-4 * rng.normal(size=m.c.shape)
        assert not oracle.is_local_min(x, y, lam, B, c)
    assert not oracle.is_local_min(x, y, lam, m.B, m.c, m.a * 1.001)
    assert not oracle.is_local_min(x, y, lam, np.zeros((2, 1)), np.zeros(2))


def test_crosscheck_has_teeth() -> None:
    """A dropped minimum, a moved one, a wrong loss and a split point called isolated fail."""
    x, y, lam = [-0.17, 0.44, -1.0, -0.4, -0.71], [0.05, 1.02, 0.61, -0.36, -1.32], 0.01
    sol = solve(["-0.17", "0.44", "-1.00", "-0.40", "-0.71"],
                ["0.05", "1.02", "0.61", "-0.36", "-1.32"], "1/100", 2)
    found = oracle.find_local_minima(x, y, lam, 2, seed=0)
    minima = list(sol.minima)
    assert disagreements(x, y, lam, minima, found)[0] == []
    k = next(i for i, m in enumerate(minima) if m.kind == "isolated")
    m = minima[k]
    moved = replace(m, point=replace(m.point, c=tuple(v + 1e-4 for v in m.point.c)))
    split = replace(m, point=replace(m.point, B=((0.5,), (1.0,)), c=(0.1, 0.2), a=(0.5, 1.0)))
    cases = {
        "missed minimum": minima[:k] + minima[k + 2:],
        "false minimum": minima[:k] + [moved] + minima[k + 1:],
        "!= reported": minima[:k] + [replace(m, loss=m.loss + 1e-6)] + minima[k + 1:],
        "lies on a split set": minima + [split],
    }
    for expected, listed in cases.items():
        failures = disagreements(x, y, lam, listed, found)[0]
        assert any(expected in f for f in failures), (expected, failures)

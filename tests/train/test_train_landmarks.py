"""Distances to the exact sets and the region minimiser, against independent references.

* The neuron model of a curve (balanced, parallel units sharing one neuron) is the
  solver's curve: every sample lies on the model, and the nearest model point to a
  perturbed sample satisfies the curve's exact equations and strict inequalities.
* The closed-form distance equals a brute-force minimum over a dense parametrisation and
  over unit permutations.
* The region minimiser (:func:`~solver.train.polish.polish`) is never beaten by any
  feasible point of a dense grid of the closed region, and is within the grid's resolution
  of the grid's best (one and two neurons, d = 1).
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pytest
import sympy

from solver.results import CurveMinimum
from solver.train.landmarks import lifted, nearest_on_set, neurons_of_point, set_distance
from solver.train.network import FloatData
from solver.train.polish import RegionNeuron, polish
from tests.train.helpers import exact, paper, random_problem


def _flat(point) -> np.ndarray:
    return np.array([[a, *b, c] for a, b, c in zip(point.a, point.B, point.c)])


def _curves():
    for problem in (paper(), random_problem(3, 1, 2, n=5), random_problem(21, 1, 3, n=4)):
        sol = exact(problem).solution
        for m in sol.minima:
            if isinstance(m, CurveMinimum):
                yield problem, m


def test_curve_samples_lie_on_the_neuron_model() -> None:
    count = 0
    for problem, m in _curves():
        xt = lifted(FloatData.of(problem.x, problem.y, problem.lam).x)
        neurons = neurons_of_point(m.samples[0], m.pattern, xt)
        flat = np.array([_flat(s) for s in m.samples])
        assert set_distance(flat, neurons, problem.d).max() < 1e-9
        count += 1
    assert count >= 3  # the paper's three curves at least


def _curve_residuals(m: CurveMinimum, point: np.ndarray, d: int) -> tuple[float, bool]:
    """The largest relative residual of the curve's equations at ``point`` (units'
    ``a, b.., c`` rows) and whether every strict inequality holds."""
    values = {}
    for l, row in enumerate(point):
        for k in range(d):
            values[f"b{l + 1}{k + 1}" if d == 1 or l < 9 else f"b{l + 1}_{k + 1}"] = row[1 + k]
        values[f"c{l + 1}"] = row[d + 1]
    names = {v: sympy.Symbol(v) for v in m.variables}
    worst = 0.0
    for eq in m.equations:
        expr = sympy.sympify(eq, locals=names).expand()
        terms = [abs(float(t.subs({names[k]: sympy.Float(values[k], 30) for k in names})))
                 for t in sympy.Add.make_args(expr)]
        total = float(expr.subs({names[k]: sympy.Float(values[k], 30) for k in names}))
        worst = max(worst, abs(total) / max(sum(terms), 1e-300))
    ok = all(bool(sympy.sympify(ineq, locals=names).subs(
        {names[k]: sympy.Float(values[k], 30) for k in names})) for ineq in m.inequalities)
    return worst, ok


def test_nearest_point_on_the_model_satisfies_the_curves_exact_equations() -> None:
    rng = np.random.default_rng(0)
    checked = 0
    for problem, m in _curves():
        if any(v.startswith("s") for v in m.variables):
            continue  # equations through the roots s_j of an isolated neuron beside the split
        xt = lifted(FloatData.of(problem.x, problem.y, problem.lam).x)
        neurons = neurons_of_point(m.samples[0], m.pattern, xt)
        for sample in m.samples[::6]:
            start = _flat(sample) + rng.normal(scale=1e-2, size=_flat(sample).shape)
            dist, near = nearest_on_set(start[None], neurons, problem.d)
            # The labelling of the solver's curve: permute the nearest point back to it.
            best = min(permutations(range(problem.units)),
                       key=lambda perm: np.abs(near[0][list(perm)] - _flat(sample)).sum())
            residual, inside = _curve_residuals(m, near[0][list(best)], problem.d)
            assert residual < 1e-9 and inside, (m.pattern, residual)
            assert dist[0] <= np.linalg.norm(start - _flat(sample)) + 1e-12
            checked += 1
    assert checked >= 12


def test_distance_to_a_curve_is_the_brute_force_minimum() -> None:
    """Two units splitting one neuron of the paper's curve: the distance of random points
    to the dense arc (shares sqrt(|w|) (cos t, sin t), t in [0, pi/2], both labellings)."""
    problem = paper()
    m = next(m for m in exact(problem).solution.minima if isinstance(m, CurveMinimum))
    xt = lifted(FloatData.of(problem.x, problem.y, problem.lam).x)
    (nr,) = neurons_of_point(m.samples[0], m.pattern, xt)
    e, sign, size = np.array(nr.e), nr.sign, nr.size
    t = np.linspace(0.0, np.pi / 2, 200_001)
    shares = np.sqrt(size) * np.stack([np.cos(t), np.sin(t)], axis=1)
    arc = np.stack([np.concatenate([sign * shares[:, [l]], shares[:, [l]] * e], axis=1)
                    for l in range(2)], axis=1)                              # (T, 2, 3)
    rng = np.random.default_rng(1)
    for _ in range(20):
        point = _flat(m.samples[rng.integers(len(m.samples))]) + rng.normal(scale=0.3,
                                                                           size=(2, 3))
        brute = min(np.sqrt(((arc - point[list(perm)]) ** 2).sum(axis=(1, 2))).min()
                    for perm in permutations(range(2)))
        ours = set_distance(point[None], [nr], 1)[0]
        assert ours <= brute + 1e-12
        assert ours == pytest.approx(brute, abs=1e-4)


def test_distance_to_an_isolated_minimum_is_over_unit_permutations() -> None:
    problem = paper()
    sol = exact(problem).solution
    xt = lifted(FloatData.of(problem.x, problem.y, problem.lam).x)
    rng = np.random.default_rng(2)
    for m in sol.minima:
        if isinstance(m, CurveMinimum):
            continue
        neurons = neurons_of_point(m.point, m.pattern, xt)
        target = _flat(m.point)
        for _ in range(5):
            point = target + rng.normal(scale=0.5, size=target.shape)
            brute = min(np.linalg.norm(point[list(perm)] - target)
                        for perm in permutations(range(problem.units)))
            assert set_distance(point[None], neurons, 1)[0] == pytest.approx(brute, rel=1e-12)


# ------------------------------------------------------------------ the region minimiser


def _cone_angles(xt: np.ndarray, seen: np.ndarray, sign: int, grid: int) -> np.ndarray:
    """Unit vectors of the closed cone (d = 1) on a dense angle grid, plus its edge rays."""
    phi = np.linspace(0.0, 2 * np.pi, grid, endpoint=False)
    edges = np.arctan2(-xt[:, 0], xt[:, 1])                   # rays where <w, x_i~> = 0
    phi = np.concatenate([phi, edges, edges + np.pi])
    u = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    h = xt * (np.where(seen, 1.0, -1.0) * sign)[:, None]
    return u[(u @ h.T >= -1e-12).all(axis=1)]


def _brute_one(xt, y, lam, seen, sign) -> float:
    """min J over the closed cone: along each ray r* = max(0, (m.y - lam) / |m|^2)."""
    u = _cone_angles(xt, seen, sign, 400_000)
    m = (u @ xt.T) * seen                                       # (K, n) fits per unit ray
    mm = (m * m).sum(axis=1)
    r = np.where(mm > 0, np.clip((m @ y - lam) / np.where(mm > 0, mm, 1), 0, None), 0.0)
    res = y - r[:, None] * m
    return float(((res * res).sum(axis=1) + 2 * lam * r).min())


def _brute_two(xt, y, lam, neurons) -> float:
    """min J over two closed cones: dense ray pairs, radii by the 2-variable
    non-negative problem solved exactly (interior, one radius or none)."""
    u1 = _cone_angles(xt, *neurons[0], 1500)
    u2 = _cone_angles(xt, *neurons[1], 1500)
    m1 = (u1 @ xt.T) * neurons[0][0]
    m2 = (u2 @ xt.T) * neurons[1][0]
    g11 = (m1 * m1).sum(1)[:, None]
    g22 = (m2 * m2).sum(1)[None, :]
    g12 = m1 @ m2.T
    b1 = (m1 @ y - lam)[:, None]
    b2 = (m2 @ y - lam)[None, :]
    best = float(y @ y)
    det = g11 * g22 - g12**2
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = (g22 * b1 - g12 * b2) / det
        r2 = (g11 * b2 - g12 * b1) / det
        val = y @ y - (r1 * b1 + r2 * b2)      # the quadratic's value at its minimiser
    ok = (det > 1e-14) & (r1 >= 0) & (r2 >= 0)
    if ok.any():
        best = min(best, float(val[ok].min()))
    for g, b in ((g11[:, 0], b1[:, 0]), (g22[0], b2[0])):
        r = np.where(g > 0, np.clip(b / np.where(g > 0, g, 1), 0, None), 0)
        best = min(best, float((y @ y - r * b).min()))
    return best


def _j(xt, y, lam, out) -> float:
    fit = np.zeros(len(y))
    pen = 0.0
    for p in out.neurons:
        seen = np.array([ch == "+" for ch in p.pattern])
        fit += seen * (xt @ np.array(p.w))
        pen += np.linalg.norm(p.w)
    r = y - fit
    return float(r @ r + 2 * lam * pen)


def _random_cone_start(rng, xt, seen, sign):
    """A start strictly inside the cone, or None when the cone is empty."""
    u = _cone_angles(xt, seen, sign, 3600)
    h = xt * (np.where(seen, 1.0, -1.0) * sign)[:, None]
    u = u[(u @ h.T > 1e-6).all(axis=1)]
    return None if not len(u) else tuple(u[rng.integers(len(u))] * rng.uniform(0.1, 2))


@pytest.mark.parametrize("seed", range(12))
def test_one_neuron_region_minimiser_is_the_brute_force_minimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(seed, 1, 1, n=int(rng.integers(3, 7)))
    data = FloatData.of(problem.x, problem.y, problem.lam)
    xt = lifted(data.x)
    for _ in range(4):
        seen = rng.random(problem.n) < 0.6
        sign = int(rng.choice([-1, 1]))
        start = _random_cone_start(rng, xt, seen, sign)
        if start is None or not seen.any():
            continue
        region = RegionNeuron(tuple(bool(v) for v in seen), sign, start)
        out = polish(xt, data.y, data.lam, [region])
        assert out.ok
        ours, brute = _j(xt, data.y, data.lam, out), _brute_one(xt, data.y, data.lam, seen,
                                                                  sign)
        assert ours <= brute + 1e-10
        assert ours == pytest.approx(brute, abs=1e-8)


@pytest.mark.parametrize("seed", range(6))
def test_two_neuron_region_minimiser_is_the_brute_force_minimum(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    problem = random_problem(100 + seed, 1, 2, n=5)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    xt = lifted(data.x)
    tried = 0
    while tried < 2:
        spec = [(rng.random(problem.n) < 0.6, int(rng.choice([-1, 1]))) for _ in range(2)]
        starts = [_random_cone_start(rng, xt, s, g) for s, g in spec]
        if any(st is None or not s.any() for st, (s, _) in zip(starts, spec)):
            continue
        if (spec[0][0] == spec[1][0]).all() and spec[0][1] == spec[1][1]:
            continue
        tried += 1
        out = polish(xt, data.y, data.lam, [RegionNeuron(tuple(bool(v) for v in s), g, st)
                                            for (s, g), st in zip(spec, starts)])
        assert out.ok
        ours, brute = _j(xt, data.y, data.lam, out), _brute_two(xt, data.y, data.lam, spec)
        assert ours <= brute + 1e-10
        assert ours == pytest.approx(brute, abs=1e-4)

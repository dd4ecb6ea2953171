"""The training loss and gradient against independent evaluations.

The loss against exact rational arithmetic from the definition and against the solver's
losses at every listed critical point; the gradient against central finite differences
off the kinks, against 0 at smooth certified minima, and by hand on a kink
(``ReLU'(0) = 0``). A run trained alone gives bit for bit what it gives among others.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from solver import critical_points
from solver.results import CurveMinimum
from solver.train.init import initial_params
from solver.train.loop import Optimizer, descend
from solver.train.network import FloatData, Params, gradient, loss
from tests.train.helpers import exact, paper, random_problem

SHAPES = [(1, 1), (1, 2), (1, 3), (2, 2)]


def _point(rng: np.random.Generator, L: int, d: int) -> Params:
    return Params(rng.normal(size=(1, L)), rng.normal(size=(1, L, d)), rng.normal(size=(1, L)))


def _off_kinks(data: FloatData, p: Params, margin: float = 1e-3) -> bool:
    return bool(np.abs(p.preactivations(data.x)).min() > margin)


@pytest.mark.parametrize("d,L", SHAPES)
def test_gradient_matches_central_differences(d: int, L: int) -> None:
    rng = np.random.default_rng(10 * d + L)
    for seed in range(4):
        problem = random_problem(seed, d, L)
        data = FloatData.of(problem.x, problem.y, problem.lam)
        for _ in range(5):
            p = _point(rng, L, d)
            while not _off_kinks(data, p):
                p = _point(rng, L, d)
            g = gradient(data, p)
            flat = np.concatenate([p.a.ravel(), p.B.ravel(), p.c.ravel()])
            exact_g = np.concatenate([g.a.ravel(), g.B.ravel(), g.c.ravel()])
            h = 1e-6
            for k in range(flat.size):
                up, down = flat.copy(), flat.copy()
                up[k] += h
                down[k] -= h
                fd = (loss(data, _unflat(up, L, d))[0] - loss(data, _unflat(down, L, d))[0])
                assert fd / (2 * h) == pytest.approx(exact_g[k], rel=1e-6, abs=1e-7)


def _unflat(flat: np.ndarray, L: int, d: int) -> Params:
    return Params(flat[:L].reshape(1, L), flat[L:L + L * d].reshape(1, L, d),
                  flat[L + L * d:].reshape(1, L))


def _exact_loss(problem, a, B, c) -> Fraction:
    """The loss from its definition, in exact rational arithmetic."""
    total = Fraction(0)
    for xi, yi in zip(problem.x, problem.y):
        f = sum((al * max(Fraction(0), sum(bk * xk for bk, xk in zip(bl, xi)) + cl)
                 for al, bl, cl in zip(a, B, c)), Fraction(0))
        total += (yi - f) ** 2
    penalty = sum(v * v for v in a) + sum(v * v for row in B for v in row) + sum(v * v for v in c)
    return total + problem.lam * penalty


@pytest.mark.parametrize("d,L", SHAPES)
def test_loss_matches_exact_rational_evaluation(d: int, L: int) -> None:
    rng = np.random.default_rng(d + 7 * L)
    for seed in range(5):
        problem = random_problem(seed, d, L)
        data = FloatData.of(problem.x, problem.y, problem.lam)
        for _ in range(5):
            a = [Fraction(int(v), 64) for v in rng.integers(-128, 129, L)]
            B = [[Fraction(int(v), 64) for v in rng.integers(-128, 129, d)] for _ in range(L)]
            c = [Fraction(int(v), 64) for v in rng.integers(-128, 129, L)]
            p = Params(np.array([a], dtype=float), np.array([B], dtype=float),
                       np.array([c], dtype=float))
            assert loss(data, p)[0] == pytest.approx(float(_exact_loss(problem, a, B, c)),
                                                     rel=1e-13, abs=1e-13)


def _as_params(points) -> Params:
    return Params(np.array([pt.a for pt in points]), np.array([pt.B for pt in points]),
                  np.array([pt.c for pt in points]))


@pytest.mark.parametrize("which", ["paper", "random-d1-L2", "random-d2-L2", "random-d1-L3"])
def test_loss_equals_the_solvers_at_every_listed_critical_point(which: str) -> None:
    problem = {"paper": paper(), "random-d1-L2": random_problem(3, 1, 2, n=5),
               "random-d2-L2": random_problem(4, 2, 2, n=4),
               "random-d1-L3": random_problem(5, 1, 3, n=4)}[which]
    data = FloatData.of(problem.x, problem.y, problem.lam)
    points = critical_points(problem.x, problem.y, problem.lam, problem.units)
    ours = loss(data, _as_params([p.point for p in points]))
    np.testing.assert_allclose(ours, [p.loss for p in points], rtol=1e-10, atol=1e-12)
    sol = exact(problem).solution
    for m in sol.minima:
        pts = m.samples if isinstance(m, CurveMinimum) else (m.point,)
        np.testing.assert_allclose(loss(data, _as_params(pts)), m.loss, rtol=1e-10, atol=1e-12)


def test_gradient_vanishes_at_smooth_certified_minima() -> None:
    """Minima with no point on a kink (the paper's curve, its samples) are stationary."""
    checked = 0
    for problem in (paper(), random_problem(3, 1, 2, n=5), random_problem(4, 2, 2, n=4)):
        data = FloatData.of(problem.x, problem.y, problem.lam)
        for m in exact(problem).solution.minima:
            if m.active:
                continue
            pts = m.samples if isinstance(m, CurveMinimum) else (m.point,)
            g = gradient(data, _as_params(pts))
            norms = np.sqrt((g.a**2).sum(1) + (g.B**2).sum((1, 2)) + (g.c**2).sum(1))
            assert norms.max() < 1e-8, (problem, m.pattern)
            checked += len(pts)
    assert checked >= 24  # the paper's curve has 24 samples


def test_relu_derivative_is_zero_on_the_kink() -> None:
    """One unit, x = (0, 1), y = (1, 0), lam = 1/2, at a = 2, b = 1, c = 0: the point
    x = 0 sits on the kink. By hand, with point 1 off (ReLU'(0) = 0): f = (0, 2),
    residual f - y = (-1, 2); dL/da = 2 * (2 * 1) + 2 * 0.5 * 2 = 6;
    dL/db = 2 * 2 * 2 * 1 + 2 * 0.5 * 1 = 9; dL/dc = 2 * 2 * 2 + 0 = 8 (point 1 would add
    2 * (-1) * 2 = -4 to dL/dc if it counted)."""
    data = FloatData.of([[0.0], [1.0]], [1.0, 0.0], 0.5)
    g = gradient(data, Params(np.array([[2.0]]), np.array([[[1.0]]]), np.array([[0.0]])))
    assert (float(g.a[0, 0]), float(g.B[0, 0, 0]), float(g.c[0, 0])) == (6.0, 9.0, 8.0)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_a_run_alone_equals_the_same_run_among_others(optimizer: str) -> None:
    problem = random_problem(8, 2, 2, n=5)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    many = descend(data, initial_params("torch-default", 40, 2, 2, seed=3),
                   Optimizer(optimizer, 0.02), steps=800, tol=1e-9)
    alone = descend(data, initial_params("torch-default", 1, 2, 2, seed=3, first=17),
                    Optimizer(optimizer, 0.02), steps=800, tol=1e-9)
    for field in ("a", "B", "c"):
        assert np.array_equal(getattr(alone.params, field)[0], getattr(many.params, field)[17])
    assert alone.steps[0] == many.steps[17]


def test_inits_follow_their_distributions() -> None:
    """PyTorch's nn.Linear default: hidden weights and biases uniform on ±1/sqrt(d) (fan-in
    d), output weights on ±1/sqrt(L); He: normal with variance 2/d, biases 0; small: sd 0.01.
    Checked by Kolmogorov-Smirnov tests (scipy), not against the code's own numbers."""
    from scipy import stats

    from solver.train.init import initial_params

    d, L, runs = 2, 3, 3000
    p = initial_params("torch-default", runs, L, d, seed=11)
    hb, ob = 1 / np.sqrt(d), 1 / np.sqrt(L)
    for values, bound in ((p.B.ravel(), hb), (p.c.ravel(), hb), (p.a.ravel(), ob)):
        assert np.all(np.abs(values) <= bound)
        assert stats.kstest(values, stats.uniform(-bound, 2 * bound).cdf).pvalue > 1e-3
    he = initial_params("he", runs, L, d, seed=12)
    assert stats.kstest(he.B.ravel(), stats.norm(0, np.sqrt(2 / d)).cdf).pvalue > 1e-3
    assert np.all(he.c == 0)
    small = initial_params("small", runs, L, d, seed=13)
    assert stats.kstest(small.a.ravel(), stats.norm(0, 0.01).cdf).pvalue > 1e-3
    again = initial_params("torch-default", runs, L, d, seed=11)
    assert np.array_equal(again.B, p.B)  # the seed makes runs reproducible


def test_training_never_moves_the_callers_start() -> None:
    """One run (whose runs-last transposes are contiguous views) and many runs alike."""
    data = FloatData.of([[0.0], [0.5], [1.0]], [0.0, 1.0, 0.0], 0.01)
    for runs in (1, 3):
        start = initial_params("torch-default", runs, 2, 1, seed=0)
        before = start.flat().copy()
        out = descend(data, start, Optimizer("gd", 0.05), steps=50, tol=0.0)
        assert np.array_equal(start.flat(), before)
        assert not np.array_equal(out.params.flat(), before)

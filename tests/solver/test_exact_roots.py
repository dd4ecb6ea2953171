"""Exact algebra behind the box-proved points: minimal polynomials on demand, exact zeros.

Minimal polynomials for a point with three coupled neurons (needed by split sets, L >= 4).

The three faces below are rays (one-dimensional faces) of a seeded 5-point data set; their
face set has one interior critical point, located and proved in a box by the enumerator.
``NeuronPoint.exact(always=True)`` must turn its box into exact algebraic numbers: each
coordinate the unique root of an irreducible integer polynomial in an interval inside the
box, and the face system's equations must vanish there (checked independently in balls).
"""

from __future__ import annotations

from fractions import Fraction as F

from flint import arb

from solver.pipeline.divide import unit_faces
from solver.pipeline.face_systems import face_system
from solver.pipeline.locate.eliminate import RealRoot, eval_mpoly, working_precision
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.pipeline.locate.point import NeuronPoint
from solver.problem import Problem

X = ((F(-477, 1000),), (F(-133, 500),), (F(11, 40),), (F(519, 1000),), (F(157, 250),))
Y = (F(19, 25), F(89, 100), F(33, 50), F(7, 20), F(-93, 100))
LAM = F(1, 100)
PROBLEM = Problem(X, Y, LAM, 3)


def test_three_coupled_neurons_get_minimal_polynomials() -> None:
    faces = {f.pattern: f for f in unit_faces(X)}
    chosen = tuple(faces[p] for p in ("++++0", "+++0-", "+0---"))
    enum = NeuronEnumerator(PROBLEM, [f for f in faces.values() if f.dim > 0 and f.positive])
    roots, _ = enum.entry(chosen)
    assert roots is not None and all(r.poly is None for r in roots)  # a proved box
    point = NeuronPoint(PROBLEM, chosen, tuple(enum.data[f.signs] for f in chosen), roots, ())
    assert point.exact() is point  # by default three coupled neurons keep their box
    exact = point.exact(always=True)
    system = face_system(PROBLEM, chosen)
    for box, root in zip(roots, exact.roots):
        assert isinstance(root, RealRoot) and root.poly.degree() >= 1
        assert root.lo <= box.hi and root.hi >= box.lo  # the same number
        assert root.poly(root.lo) * root.poly(root.hi) < 0  # a root in the interval
    with working_precision(512):
        balls = [r.ball(512) for r in exact.roots]
        for eq in system.equations:
            assert eval_mpoly(eq, balls).contains(arb(0))
        for box, ball in zip(roots, balls):
            assert box.ball(512).overlaps(ball)


def test_a_preactivation_exactly_zero_is_decided_exactly() -> None:
    """The V ``y = |x|`` at ``x = -1, -1/2, 0, 1/2, 1``: on faces ``---++`` and ``----+`` the
    critical point has ``r_4 = 0`` exactly (one branch of the first neuron's equation,
    ``r_4 (5 r_4 / 4 + 3 r_5) = 0``), so the first neuron's direction is ``r_5 (1, 1)``,
    orthogonal to ``(x_1, 1) = (-1, 1)``: its pre-activation at ``x_1`` is exactly 0, which
    balls cannot show. The exact test must say so, and the solve must agree with the
    independent oracle."""
    from solver import solve
    from solver.pipeline.locate.in_faces import preactivation_is_zero
    from solver.pipeline.locate.interior import locate
    from tests import oracle

    x = [(F(v),) for v in ("-1", "-1/2", "0", "1/2", "1")]
    y = [F(v) for v in ("1", "1/2", "0", "1/2", "1")]
    problem = Problem(tuple(x), tuple(y), LAM, 2)
    faces = {f.pattern: f for f in unit_faces(x)}
    chosen = (faces["---++"], faces["----+"])
    enum = NeuronEnumerator(problem, [f for f in faces.values() if f.dim > 0 and f.positive])
    roots = locate(problem, tuple(enum.data[f.signs] for f in chosen))
    point = NeuronPoint(problem, chosen, tuple(enum.data[f.signs] for f in chosen), roots, ())
    h = problem.lifted_q
    assert preactivation_is_zero(point, 0, h[0]) is True  # x_1 = -1: exactly on the kink
    assert preactivation_is_zero(point, 0, h[2]) is False  # x_3 = 0: not
    sol = solve(x, y, LAM, 2)
    found = oracle.find_local_minima([float(v[0]) for v in x], [float(v) for v in y],
                                     float(LAM), 2, seed=0)
    assert {round(m.loss, 9) for m in sol.minima} == {round(m.loss, 9) for m in found}

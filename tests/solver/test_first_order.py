"""The first-order signs decided in float intervals (``solver.pipeline.locate.first_order``),
of located sets and of decoupled ones (from their parts' enclosures), and the coarse values
of decoupled points, against ball arithmetic at the proved points.

A sign decided over a coarse box must be the sign of the exact quantity at the interior
solution: here each one is compared with the multipliers recomputed from their
definition (``(H_Z H_Z^T) mu = H_Z nu``, ``nu = 2 dir - 2 sum_P r_i h_i``) in ``arb`` at
256 bits over the fine (128-bit) box that ``arb`` proves on its own.
"""

from __future__ import annotations

from itertools import combinations

from flint import arb, arb_mat

from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.pipeline.numbers import working_precision
from tests.seeded_faces import alive_faces, grid_problem, prepared_sets


def _multipliers(point, prec: int) -> list[tuple[arb, arb]]:
    """``(sigma mu_j, sigma (mu_j - 2 r_i))`` per zero constraint of the point's faces, in
    order, from the definitions, in balls at ``prec`` bits."""
    h = point.problem.lifted_q
    vals = point.values(prec)
    out = []
    with working_precision(prec):
        for a, face in enumerate(point.faces):
            zero = face.zero
            if not zero:
                continue
            m = len(h[0])
            nu = [2 * vals.directions[a][c]
                  - 2 * sum((vals.residual[i] * arb(h[i][c]) for i in face.positive), arb(0))
                  for c in range(m)]
            H = arb_mat([[arb(v) for v in h[i]] for i in zero])
            mu = (H * H.transpose()).solve(H * arb_mat(m, 1, nu))
            sigma = point.signs[a]
            out.extend((sigma * mu[j, 0], sigma * (mu[j, 0] - 2 * vals.residual[i]))
                       for j, i in enumerate(zero))
    return out


def _same_sign(decided: int, ball: arb) -> bool:
    return ball > 0 if decided > 0 else ball < 0


def test_float_first_order_signs_are_the_signs_of_ball_arithmetic() -> None:
    tables = decided = decoupled = 0
    for seed, n, d in ((4, 7, 1), (5, 5, 2), (7, 4, 3)):
        problem = grid_problem(seed, n, d)
        for enumerator, faces in prepared_sets(problem):
            points = enumerator.points(faces)
            table = points[0].coarse_first_order() if points else None
            if table is None:
                continue
            tables += 1
            decoupled += len({id(r.solution) for r in points[0].roots}) > 1
            balls = _multipliers(points[0], 256)
            assert len(balls) == len(table)
            for (off, on), (off_ball, on_ball) in zip(table.tolist(), balls):
                for sign, ball in ((off, off_ball), (on, on_ball)):
                    if sign:
                        assert _same_sign(sign, ball)
                        decided += 1
    assert tables > 100 and decided > 300 and decoupled > 20


def test_a_decoupled_point_has_coarse_values_that_hold_its_values() -> None:
    """The coarse values of a point whose parts were solved apart enclose what the fine
    balls of the same point give (both hold the values at the interior solution)."""
    problem = grid_problem(4, 7, 1)
    alive = alive_faces(problem)
    enumerator = NeuronEnumerator(problem, alive)
    enumerator.prepare([(f,) for f in alive])
    checked = 0
    for pair in combinations(alive, 2):
        points = enumerator.points(pair)
        if not points or len({id(r.solution) for r in points[0].roots}) != 2:
            continue
        point = points[0]
        coarse = point.coarse_values()
        assert coarse is not None
        fine = point.values(256)
        pairs = [*zip(coarse.residual, fine.residual), *zip(coarse.s, fine.s)]
        pairs += [(c, f) for cu, fu in zip(coarse.u, fine.u) for c, f in zip(cu, fu)]
        pairs += [(c, f) for cd, fd in zip(coarse.directions, fine.directions)
                  for c, f in zip(cd, fd)]
        for c, f in pairs:
            assert c.overlaps(f)
        checked += 1
    assert checked > 5

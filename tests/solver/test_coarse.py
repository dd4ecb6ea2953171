"""The float enclosures of ``solver.pipeline.locate.coarse`` against exact arithmetic.

Every interval operation must hold the exact result for every value of its operands
(checked with Fractions at the corners and random points), the enclosed solve the exact
solution of a rational system (python-flint), and a coarse proof the box that ``arb``
proves at 128 bits, with the signs it decides equal to the ones ball arithmetic decides.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
from flint import arb, arb_mat, fmpq, fmpq_mat

from solver.pipeline.locate import coarse
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.pipeline.numbers import working_precision
from tests.seeded_faces import alive_faces, grid_problem, prepared_sets


def _inside(value: Fraction, mid: float, rad: float) -> bool:
    return Fraction(mid) - Fraction(rad) <= value <= Fraction(mid) + Fraction(rad)


def _random_interval(rng: random.Random, shape: tuple[int, ...]) -> coarse.Interval:
    scale = np.array([10.0 ** rng.randint(-8, 8) for _ in range(int(np.prod(shape)))])
    mid = np.array([rng.uniform(-1, 1) for _ in range(scale.size)]) * scale
    rad = np.array([rng.choice([0.0, 1e-17, 1e-9, 0.3]) for _ in range(scale.size)]) * scale
    return mid.reshape(shape), np.abs(rad.reshape(shape))


def _points(rng: random.Random, a: coarse.Interval) -> list[np.ndarray]:
    """Exact values inside ``a`` (Fractions): the midpoints, the corners' extremes, random."""
    out = []
    for pick in ("mid", "low", "high", "random", "random"):
        vals = np.empty(a[0].shape, dtype=object)
        for idx in np.ndindex(a[0].shape):
            m, r = Fraction(a[0][idx]), Fraction(a[1][idx])
            t = {"mid": 0, "low": -1, "high": 1}.get(pick)
            t = Fraction(rng.randint(-1000, 1000), 1000) if t is None else t
            vals[idx] = m + t * r
        out.append(vals)
    return out


def test_interval_operations_hold_every_exact_result() -> None:
    rng = random.Random(1)
    for _ in range(40):
        a, b = _random_interval(rng, (3, 4)), _random_interval(rng, (3, 4))
        c = _random_interval(rng, (4, 2))
        results = {"add": coarse.add(a, b), "sub": coarse.sub(a, b), "mul": coarse.mul(a, b),
                   "matmul": coarse.matmul(a, c), "total": coarse.total(a, 1)}
        for pa, pb, pc in zip(_points(rng, a), _points(rng, b), _points(rng, c)):
            exact = {"add": pa + pb, "sub": pa - pb, "mul": pa * pb,
                     "matmul": pa.dot(pc), "total": pa.sum(axis=1)}
            for name, (mid, rad) in results.items():
                for idx in np.ndindex(mid.shape):
                    assert _inside(exact[name][idx], mid[idx], rad[idx]), name


def test_enclosed_solve_holds_the_exact_solution() -> None:
    rng = random.Random(2)
    proved = 0
    for _ in range(30):
        K = rng.randint(1, 5)
        B = fmpq_mat([[fmpq(rng.randint(-50, 50), rng.randint(1, 30)) + (4 if i == j else 0)
                       for j in range(K)] for i in range(K)])
        z = fmpq_mat([[fmpq(rng.randint(-50, 50), rng.randint(1, 9))] for _ in range(K)])
        if B.det() == 0:
            continue
        exact = B.solve(z)
        Bf = coarse.rounded(coarse.to_floats(B)[None])
        zf = coarse.rounded(coarse.to_floats(z)[None])
        (mid, rad), ok = coarse.solve_enclosed(Bf, zf)
        if not ok[0]:
            continue
        proved += 1
        for i in range(K):
            e = exact[i, 0]
            assert _inside(Fraction(int(e.p), int(e.q)), mid[0, i, 0], rad[0, i, 0])
    assert proved >= 20


def test_coarse_proofs_agree_with_ball_arithmetic() -> None:
    """Each coarse box meets the box ``arb`` proves at 128 bits (each holds the set's only
    zero), and each KKT excess sign it
    decides is the sign ball arithmetic gives at the proved point (256 bits)."""
    boxes = decided = 0
    for seed, n, d in ((4, 7, 1), (5, 5, 2)):
        problem = grid_problem(seed, n, d)
        alive = alive_faces(problem)
        for enumerator, faces in prepared_sets(problem):
            key = tuple(f.signs for f in faces)
            found = enumerator._starts.get(key)  # noqa: SLF001 - the coarse proof itself
            if found is None or found[2] is None:
                enumerator.entry(faces)
                continue
            proof = found[2]
            roots, _ = enumerator.entry(faces)
            solution = roots[0].solution
            for j in range(len(faces)):
                lo, hi = Fraction(int(solution.lo[j].p), int(solution.lo[j].q)), \
                    Fraction(int(solution.hi[j].p), int(solution.hi[j].q))
                mid, rad = Fraction(proof.mid[j]), Fraction(proof.rad[j])
                assert mid - rad <= hi and lo <= mid + rad  # both hold the one zero
            boxes += 1
            if proof.excess is None:
                continue
            with working_precision(256):
                r = enumerator._residual(faces, 256)  # noqa: SLF001
                for face in alive:
                    want = proof.excess[enumerator._floats.column[face.signs]]  # noqa: SLF001
                    if want == 0:
                        continue
                    nd = enumerator.data[face.signs]
                    u = arb_mat(nd.M.transpose()) * r
                    lam = arb(problem.lam_q)
                    q = (u.transpose() * arb_mat(nd.G_inv) * u)[0, 0] - lam * lam
                    assert (q > 0 if want > 0 else q < 0)
                    decided += 1
    assert boxes > 100 and decided > 1000


def test_a_seeded_box_gives_the_signs_of_ball_arithmetic() -> None:
    """A face set solved elsewhere (a scale-out seed) has only its coarse box: the KKT
    excess signs computed from it agree with ball arithmetic at the proved point."""
    problem = grid_problem(6, 6, 1)
    alive = alive_faces(problem)
    enumerator = NeuronEnumerator(problem, alive)
    enumerator.prepare([(f,) for f in alive])
    decided = 0
    lam = arb(problem.lam_q)
    for face in alive:
        roots, _ = enumerator.entry((face,))
        solution = getattr(roots[0], "solution", None) if roots else None
        if solution is None or not solution.pending:
            continue
        table = enumerator._floats.seeded(roots)  # noqa: SLF001
        assert table is not None
        with working_precision(256):
            r = enumerator._residual((face,), 256)  # noqa: SLF001
            for other in alive:
                want = table[enumerator._floats.column[other.signs]]  # noqa: SLF001
                if want == 0:
                    continue
                nd = enumerator.data[other.signs]
                u = arb_mat(nd.M.transpose()) * r
                q = (u.transpose() * arb_mat(nd.G_inv) * u)[0, 0] - lam * lam
                assert (q > 0 if want > 0 else q < 0)
                decided += 1
    assert decided > 100

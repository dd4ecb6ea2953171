"""The batched float stage (``solver.pipeline.locate.minimise.minimise_many``) against the
one-set iteration, and the enumerator's ``prepare`` against solving set by set.

The batched stage must give the one-set minimiser bit for bit (the Krawczyk boxes, and so
the completeness records, start from it); a group it cannot run is handed back as None.
"""

from __future__ import annotations

import random

import numpy as np

from solver.pipeline.face_systems import components
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.pipeline.locate.face_problem import FaceProblem
from solver.pipeline.locate.minimise import minimise, minimise_many
from solver.problem import Problem
from tests.seeded_faces import alive_faces, grid_problem


def _face_problems(problem: Problem, k: int, limit: int) -> list[FaceProblem]:
    """Connected face sets of ``k`` faces (every size mix of the arrangement)."""
    alive = alive_faces(problem)
    enumerator = NeuronEnumerator(problem, alive)
    rng = random.Random(k)
    out = []
    while len(out) < limit:
        faces = rng.sample(alive, k)
        nds = tuple(enumerator.data[f.signs] for f in faces)
        if len(components(nds)) == 1:
            out.append(FaceProblem(problem, nds))
    return out


def test_batched_minimiser_is_the_one_set_minimiser_bit_for_bit() -> None:
    fps = []
    for seed, n, d in ((1, 7, 1), (2, 6, 2)):
        problem = grid_problem(seed, n, d, 3)
        for k in (1, 2, 3):
            fps.extend(_face_problems(problem, k, 25))
    batched = minimise_many(fps)
    assert len({tuple(fp.sizes) for fp in fps}) >= 5  # several groups of block sizes
    assert all(s is not None for s in batched)
    for fp, s in zip(fps, batched, strict=True):
        assert s.tobytes() == minimise(fp).tobytes()


def test_a_group_that_fails_is_handed_back() -> None:
    problem = grid_problem(1, 7, 1, 2)
    good = _face_problems(problem, 1, 2)
    bad = _face_problems(problem, 2, 1)[0]
    # a NaN in the data of one set: its whole group is left to the one-set path
    floats = bad.floats()
    broken = type("Broken", (), {
        "yy": float("nan"), "lam_q": bad.lam_q, "blocks": bad.blocks,
        "sizes": bad.sizes, "K": bad.K, "floats": lambda self: floats,
    })()
    out = minimise_many([good[0], broken, good[1]])
    assert out[1] is None
    assert out[0] is not None and out[0].tobytes() == minimise(good[0]).tobytes()
    assert np.all(out[2] > 0)


def test_prepare_changes_no_entry() -> None:
    problem = grid_problem(3, 6, 1, 2)
    alive = alive_faces(problem)
    plain = NeuronEnumerator(problem, alive, record=True)
    batched = NeuronEnumerator(problem, alive, record=True)
    for k in (1, 2):
        sets = [tuple(alive[i] for i in key) for key in _combinations(len(alive), k)]
        batched.prepare(sets)
        for faces in sets:
            a, b = plain.entry(faces), batched.entry(faces)
            assert a[1] == b[1]
            if a[0] is None:
                assert b[0] is None
            else:
                assert [r.key() for r in a[0]] == [r.key() for r in b[0]]
    assert plain.decisions == batched.decisions
    assert plain.systems_solved == batched.systems_solved > 0


def _combinations(n: int, k: int):
    from itertools import combinations

    return combinations(range(n), k)


def test_coarse_face_signs_agree_with_face_signs() -> None:
    """The enumerator decides a located set's signs from the coarse enclosure where it
    can; ``in_faces.face_signs`` (ball arithmetic at 128 bits and up, exact zeros) must
    agree on every set, inside its faces or not."""
    from solver.pipeline.locate.in_faces import face_signs
    from solver.pipeline.locate.point import NeuronPoint

    checked = inside = 0
    for seed, n, d in ((4, 6, 1), (5, 4, 2)):
        problem = grid_problem(seed, n, d, 2)
        alive = alive_faces(problem)
        enumerator = NeuronEnumerator(problem, alive)
        for k in (1, 2):
            sets = [tuple(alive[i] for i in key) for key in _combinations(len(alive), k)]
            enumerator.prepare(sets)
            for faces in sets:
                roots, signs = enumerator.entry(faces)
                if roots is None or getattr(roots[0], "solution", None) is None:
                    continue
                nds = tuple(enumerator.data[f.signs] for f in faces)
                assert face_signs(NeuronPoint(problem, faces, nds, roots, ())) == signs
                checked += 1
                inside += signs is not None
    assert checked > 50 and 0 < inside < checked

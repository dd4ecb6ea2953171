"""Data the solver used to refuse (docs/degenerate.md): each solves, the checker accepts it.

Every case is cross-checked by an independent method: the numerical oracle
(tests/oracle.py) for the whole solve, a scipy minimisation of ``J_S`` (written here, with
no solver code) for the twins decision, and closed-form face counts for the d = 3
arrangement the checker now builds. The slow cases (the six L = 4 data sets of issue 13,
about two minutes each) run in the ``deep`` profile.

Run: ``pytest tests/solver/test_degenerate.py`` (fast), ``-m deep`` or ``DEEP=1`` (all).
"""

from __future__ import annotations

import copy
import json
import os
import random
from fractions import Fraction
from math import comb
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize

from solver import solve
from solver.data import make_dataset
from solver.pipeline.divide import unit_faces as solver_faces
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.problem import Problem
from solver.verify import verify_result
from solver.verify.arrangement import arrangement_faces
from tests import oracle
from tests.solver.test_oracle_crosscheck import disagreements
from tests.strategies import in_general_position

CASES = json.loads((Path(__file__).parent.parent / "data" / "degenerate" / "cases.json")
                   .read_text())["cases"]
DEEP = os.environ.get("DEEP") == "1"


def _floats(values) -> list:
    return [float(Fraction(v)) if not isinstance(v, list) else [float(Fraction(u)) for u in v]
            for v in values]


def _solve_and_check(x, y, lam: str, units: int) -> None:
    """No refusal; the checker accepts the result with its completeness certificate; the
    oracle finds the same minima (tests/solver/test_oracle_crosscheck.py, (a)-(c))."""
    sol = solve(x, y, lam, units, force=True, completeness=True)
    report = verify_result(sol.to_json(), make_dataset(x, y))
    assert report.ok, report.text()  # every minimum ok (not "not supported"), no gap
    assert report.certificate  # the completeness certificate was re-checked
    xf, yf, lf = _floats(x), _floats(y), float(Fraction(lam))
    found = oracle.find_local_minima(xf, yf, lf, units, seed=0)
    failures, _ = disagreements(xf, yf, lf, sol.minima, found)
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- dead units


NEAR_TIES = [
    # deep d1-L2 near-ties (cases.json): |P_G m_G| = lam exactly on a face that equals a
    # neuron's face up to a point with y_i = 0
    (CASES[6]["x"], CASES[6]["y"], CASES[6]["lam"], CASES[6]["units"]),
    # the deep profile's refusals before this change (d1-L3 and d2-L2 near-ties)
    (["1", "63/100", "37/50"], ["0", "-1", "3/100"], "1/100", 3),
    ([["-9/50", "17/50"], ["-19/100", "7/50"], ["19/25", "-9/50"], ["0", "0"]],
     ["0", "-1/100", "1/50", "0"], "1/100", 2),
]


@pytest.mark.parametrize("x, y, lam, units", [
    NEAR_TIES[0], *(pytest.param(*case, marks=pytest.mark.slow) for case in NEAR_TIES[1:])],
    ids=["d1-L2", "d1-L3", "d2-L2"])
def test_dead_unit_bound_at_equality_is_decided(x, y, lam, units) -> None:
    """Section 5: the face is skipped because the neuron's direction is outside it."""
    _solve_and_check(x, y, lam, units)


# --------------------------------------------------------------------------- exact zeros

# d1-L3 deep profile (refused before): the one neuron on '-+-+' has s = 71/5 and r_1 = 0
# exactly, so '---+' (the same span, without point 1) is tied to it
ZERO_X, ZERO_Y = ["24/25", "1/100", "99/100", "0"], ["-19/20", "71/100", "-63/50", "19/25"]


def test_residual_zero_in_a_number_field_makes_a_tie() -> None:
    """Solved and checked (the record carries the part's minimal polynomial); the oracle
    agrees; a hand check: r_1 = y_1 - s (h_1 . u) with s = 71/5 vanishes exactly."""
    _solve_and_check(ZERO_X, ZERO_Y, "1/20", 3)
    doc = solve(ZERO_X, ZERO_Y, "1/20", 3, force=True, completeness=True).to_json()
    records = doc["completeness"]["sets"]
    j = next(k for k, r in enumerate(records) if r.get("pruned", {}).get("zeros"))
    zero = records[j]["pruned"]["zeros"][0]
    assert zero["point"] == 1 and zero["s"][0]["minpoly"] == "5*s0 - 71"
    # hand check: one neuron seeing points 1, 3 (x = 1/100, 0; P = H H^T), s = 71/5:
    # r = (I + s H H^T)^{-1} y on the seen points
    H = [[Fraction(1, 100), Fraction(1)], [Fraction(0), Fraction(1)]]
    s0, y = Fraction(71, 5), [Fraction(71, 100), Fraction(19, 25)]
    A = [[(i == j) + s0 * sum(H[i][c] * H[j][c] for c in range(2)) for j in range(2)]
         for i in range(2)]
    det = A[0][0] * A[1][1] - A[0][1] * A[1][0]
    assert (A[1][1] * y[0] - A[0][1] * y[1]) / det == 0
    data = make_dataset(ZERO_X, ZERO_Y)
    for field, value in (("point", 0), ("s", [{"name": "s0", "minpoly": "5*s0 - 72",
                                                "interval": ["66/5", "76/5"]}])):
        bad = copy.deepcopy(doc)
        bad["completeness"]["sets"][j]["pruned"]["zeros"][0][field] = value
        gaps = verify_result(bad, data).gaps
        assert any("is not proved zero" in g or "listed as tied" in g for g in gaps), gaps


# --------------------------------------------------------------------------- none records

# d = 1, L = 2 (a random search over data with exact zeros): the sets {++0, +--} and
# {0++, --+} have a KKT multiplier exactly zero and no interior solution ("none" records)
NONE_X, NONE_Y, NONE_LAM = ["-1", "1/2", "1"], ["1/2", "0", "-1"], "1/5"


def _span_matrix(x: list[float], pattern: str) -> np.ndarray:
    """``P = M G^{-1} M^T`` of a d = 1 face (numpy; ``V`` an orthonormal basis of the
    face's span, so ``G = I``)."""
    H = np.column_stack([np.asarray(x), np.ones(len(x))])
    zeros = [H[i] for i, ch in enumerate(pattern) if ch == "0"]
    V = np.eye(2) if not zeros else np.linalg.svd(np.array(zeros))[2][len(zeros):].T
    M = np.diag([1.0 if ch == "+" else 0.0 for ch in pattern]) @ H @ V
    return M @ M.T


def test_none_records_are_checked() -> None:
    """The checker re-derives ``none`` (no root t > 0 of the face equations' eliminant,
    counted exactly) and rejects a tampered one: a set with an interior solution recorded
    as ``none``. Independently, scipy's minimiser of ``J_S`` over ``s >= 0`` (convex: an
    interior solution would be its minimiser) lies on the boundary for the none sets and
    inside for the tampered one."""
    doc = solve(NONE_X, NONE_Y, NONE_LAM, 2, force=True, completeness=True).to_json()
    data = make_dataset(NONE_X, NONE_Y)
    report = verify_result(doc, data)
    assert report.ok and any("none: 2" in line for line in report.certificate)
    records = doc["completeness"]["sets"]
    nones = sorted(r["faces"] for r in records if "none" in r)
    assert nones == [["++0", "+--"], ["0++", "--+"]]
    x, y, lam = _floats(NONE_X), np.array(_floats(NONE_Y)), 0.2

    def interior_minimiser(faces: list[str]) -> bool:
        Ps = [_span_matrix(x, p) for p in faces]

        def J(s):
            A = np.eye(len(y)) + sum(si * P for si, P in zip(s, Ps))
            return float(y @ np.linalg.solve(A, y) + lam**2 * np.sum(s))

        best = min((minimize(J, np.full(len(faces), s0), bounds=[(0, None)] * len(faces),
                             method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12})
                    for s0 in (0.5, 5.0, 50.0)), key=lambda res: res.fun)
        return bool(np.min(best.x) > 1e-3)

    assert not any(interior_minimiser(f) for f in nones)
    j = next(k for k, r in enumerate(records)
             if "solution" in r and len(r["faces"]) in (1, 2) and interior_minimiser(r["faces"]))
    bad = copy.deepcopy(doc)
    rec = bad["completeness"]["sets"][j]
    for key in ("solution", "outside", "minimum", "descent", "closure"):
        rec.pop(key, None)
    rec["none"] = "no interior solution"
    gaps = verify_result(bad, data).gaps
    assert any("none is not re-derived" in g and "positive root" in g for g in gaps), gaps


# --------------------------------------------------------------------------- twins

# A four-neuron set of d = 1, n = 4 data (found by a random search, L = 4): {c', a'} is an
# aligned pair (a' sees the points of c' and point 0), so r_0 = 0 (Lemma 3) and the face
# '--+-' is tied to '+-+-' (they differ at point 0 only): twins, not opposite.
TWIN_X = ["-9/100", "49/100", "-9/20", "29/100"]
TWIN_Y = ["-79/100", "-3/50", "-79/100", "-51/50"]
TWIN_SET = ("++-+", "+-+-", "-+-+", "--+-")


def _face_matrices(x: list[float], pattern: str) -> np.ndarray:
    """``M = D H`` for a full-dimensional d = 1 face (its span is all of R^2, G = I)."""
    H = np.column_stack([np.asarray(x), np.ones(len(x))])
    D = np.diag([1.0 if ch == "+" else 0.0 for ch in pattern])
    return D @ H


def test_twins_decision_matches_an_independent_minimisation() -> None:
    """The enumerator prunes the set with twins; scipy's minimiser of ``J_S`` (no solver
    code) has ``r_0 = 0`` and one direction for the twins, which no vector can put in both
    faces: no interior solution of the set is a critical point of the network."""
    problem = Problem.parse(TWIN_X, TWIN_Y, "1/100", 4)
    faces = {f.pattern: f for f in solver_faces(problem.x)}
    chosen = tuple(faces[p] for p in TWIN_SET)
    enumerator = NeuronEnumerator(problem, [f for f in faces.values()
                                            if f.dim > 0 and f.positive], record=True)
    assert enumerator.entry(chosen) == (None, None)
    decision = enumerator.decisions[tuple(f.signs for f in chosen)]
    assert decision.how == "pruned" and decision.twins
    (b, a), = [(f"{''.join('+' if v > 0 else '-' for v in b)}",
                f"{''.join('+' if v > 0 else '-' for v in a)}") for b, a in decision.twins]
    assert {a, b} == {"--+-", "+-+-"}

    x, y, lam = _floats(TWIN_X), np.array(_floats(TWIN_Y)), 0.01
    Ms = [_face_matrices(x, p) for p in TWIN_SET]
    Ps = [M @ M.T for M in Ms]  # P = M G^{-1} M^T with G = I

    def J(s):
        A = np.eye(len(y)) + sum(si * P for si, P in zip(s, Ps))
        r = np.linalg.solve(A, y)
        return float(y @ r + lam**2 * np.sum(s))

    best = min((minimize(J, np.full(4, s0), bounds=[(0, None)] * 4, method="L-BFGS-B",
                         options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
                for s0 in (1.0, 30.0, 300.0)), key=lambda res: res.fun)
    A = np.eye(len(y)) + sum(si * P for si, P in zip(best.x, Ps))
    r = np.linalg.solve(A, y)
    assert abs(r[0]) < 1e-6  # Lemma 3
    dirs = {p: M.T @ r for p, M in zip(TWIN_SET, Ms)}
    assert np.allclose(dirs[a], dirs[b], atol=1e-6)  # one direction for the twins
    X1 = np.column_stack([x, np.ones(len(x))])
    sign = "".join("+" if v > 0 else "-" for v in X1 @ dirs[a])
    flip = "".join("-" if ch == "+" else "+" for ch in sign)
    assert not ({a, b} <= {sign, flip})  # one vector is never in both faces (up to sign)


@pytest.mark.deep
def test_checker_rejects_false_twins() -> None:
    """A twins record whose pair is not a tie fails the checker."""
    if not DEEP:
        pytest.skip("deep profile: run with DEEP=1")
    doc = _twin_document()
    data = make_dataset(TWIN_X, TWIN_Y)
    assert verify_result(doc, data).ok
    records = doc["completeness"]["sets"]
    j = next(i for i, r in enumerate(records) if "twins" in r.get("pruned", {}))
    bad = copy.deepcopy(doc)
    pair = bad["completeness"]["sets"][j]["pruned"]["twins"][0]
    pair[1] = next(p for p in bad["completeness"]["sets"][j]["pruned"]["by"] if p != pair[1])
    gaps = verify_result(bad, data).gaps
    assert any("twins" in g for g in gaps), gaps


_TWIN_DOC: dict = {}


def _twin_document() -> dict:
    """The result document of the twins data with L = 4 (solved once per session)."""
    if not _TWIN_DOC:
        sol = solve(TWIN_X, TWIN_Y, "1/100", 4, force=True, completeness=True)
        _TWIN_DOC.update(sol.to_json())
    return copy.deepcopy(_TWIN_DOC)


# --------------------------------------------------------------------------- d = 3


def _generic_points(n: int, d: int, seed: int) -> tuple[tuple[Fraction, ...], ...]:
    rng = random.Random(seed)
    return tuple(tuple(Fraction(rng.randint(-100, 100), 100) for _ in range(d)) + (Fraction(1),)
                 for _ in range(n))


@pytest.mark.parametrize("n", [3, 4, 5, pytest.param(6, marks=pytest.mark.slow)])
def test_d3_arrangement_counts(n: int) -> None:
    """The checker's d = 3 faces against closed forms: for ``n`` hyperplanes in general
    position in ``R^k`` (k = 4), the faces of dimension ``k - j`` are the regions cut in
    the ``C(n, j)`` intersections of ``j`` hyperplanes by the other ``n - j``, and ``m``
    central hyperplanes in general position cut ``R^e`` into ``2 sum_{t<e} C(m-1, t)``
    regions (Cover / Zaslavsky); the solver's own enumeration gives the same faces."""
    rows = _generic_points(n, 3, seed=n)
    assert in_general_position(tuple(r[:3] for r in rows))
    faces = arrangement_faces(rows)
    k = 4

    def regions(m: int, e: int) -> int:
        return 1 if m == 0 or e == 0 else 2 * sum(comb(m - 1, t) for t in range(e))

    for j in range(min(n, k) + 1):
        expected = 1 if j == k else comb(n, j) * regions(n - j, k - j)
        assert sum(1 for f in faces if f.dim == k - j) == expected, (n, j)
    assert len(faces) == sum(1 if j == k else comb(n, j) * regions(n - j, k - j)
                             for j in range(min(n, k) + 1))
    solver_patterns = {"".join("+" if s > 0 else "-" if s < 0 else "0" for s in f.signs)
                       for f in solver_faces([r[:3] for r in rows])}
    assert solver_patterns == {f.pattern for f in faces}


@pytest.mark.slow
def test_d3_solve_is_checked() -> None:
    """d = 3: the checker rebuilds the arrangement and accepts the certificate (it said
    "not supported" before); the oracle agrees."""
    x = [["1/2", "0", "-1/4"], ["-1/2", "1/4", "0"], ["0", "-1/2", "1/2"], ["1/4", "1/2", "1/4"]]
    _solve_and_check(x, ["1", "-1/2", "1/4", "3/4"], "1/20", 1)


# the symmetric V y = |x| with 3 units (refused before: an exactly zero multiplier)
V_X, V_Y = ["-1", "-1/2", "0", "1/2", "1"], ["1", "1/2", "0", "1/2", "1"]


def _v_loss(theta: np.ndarray) -> float:
    """The network loss of the symmetric V (numpy only; no solver code)."""
    x, y = np.array([-1, -0.5, 0, 0.5, 1]), np.array([1, 0.5, 0, 0.5, 1])
    a, b, c = theta[:3], theta[3:6], theta[6:]
    f = np.maximum(np.outer(x, b) + c, 0.0) @ a
    return float(np.sum((y - f) ** 2) + 0.01 * np.sum(theta**2))


def test_zero_multiplier_is_decided_at_next_order() -> None:
    """Section 4': the point {++0--, --0++, +++++} (s = 98, 98, 1) has the slope of
    switching x = 0 on exactly zero for both kinked units, the other slopes strict: by
    convexity of the merged loss on each region a local minimum, strict since the face
    Hessian is positive definite: listed, the checker accepts it (next-order note, and the
    completeness certificate), the oracle agrees (the slow test below).

    Hand derivation: with ``W_1 = (-49/50, 0)``, ``W_2 = (49/50, 0)``, ``W_3 = (0, 1/100)``
    the fit is ``49/50 |x| + 1/100``, the residual ``(1, 0, -1, 0, 1)/100``; every
    ``|u_a| = lam`` (face equations); switching x = 0 on for unit 1 changes the slope in
    ``c_1`` by ``-2 a r_3``, which cancels the off-slope ``-2 a (r_1 + r_2)``:
    ``r_1 + r_2 + r_3 = 1/100 + 0 - 1/100 = 0``. Units ``a = sqrt(98/100)``,
    ``(b, c) = (-+a, 0)`` and ``a = 1/10``, ``(b, c) = (0, 1/10)``; loss
    ``3/10^4 + 2 lam^2 (98 + 98 + 1) = 397/10^4``.
    """
    sol = solve(V_X, V_Y, "1/100", 3, force=True, completeness=True)
    iso = [m for m in sol.minima if m.kind == "isolated" and abs(m.loss - 0.0397) < 1e-12]
    assert len(iso) == 6  # one orbit, the 3! unit permutations
    a = np.sqrt(0.98)
    want = sorted([(a, -a, 0.0), (a, a, 0.0), (0.1, 0.0, 0.1)])
    for m in iso:
        got = sorted(zip(m.point.a, [b[0] for b in m.point.B], m.point.c))
        assert np.allclose(got, want, atol=1e-12), got
    report = verify_result(sol.to_json(), make_dataset(V_X, V_Y))
    assert report.ok and report.certificate
    assert sum("next order" in line for line in report.text().splitlines()) == 6
    # brute force (independent of the oracle too): no point of a small sphere around the
    # minimum, in random directions, has a lower loss; the zero-slope direction (c_1 up)
    # rises at second order only
    theta = np.array([a, a, 0.1, -a, a, 0.0, 0.0, 0.0, 0.1])
    base = _v_loss(theta)
    assert abs(base - 0.0397) < 1e-12
    rng = np.random.default_rng(0)
    for radius in (1e-2, 1e-3, 1e-4):
        dirs = rng.normal(size=(4000, 9))
        dirs /= np.linalg.norm(dirs, axis=1)[:, None]
        assert min(_v_loss(theta + radius * d) for d in dirs) > base
    up = np.zeros(9)
    up[6] = 1.0  # c_1: x = 0 switched on for unit 1
    rise = [(_v_loss(theta + t * up) - base) / t**2 for t in (1e-2, 1e-3, 1e-4)]
    assert all(v > 0.1 for v in rise), rise  # second-order growth, no first-order term
    assert abs((_v_loss(theta + 1e-6 * up) - base) / 1e-6) < 1e-4


@pytest.mark.slow
def test_symmetric_v_matches_the_oracle() -> None:
    """The whole 3-unit solve of the symmetric V against the oracle's multistart."""
    _solve_and_check(V_X, V_Y, "1/100", 3)


TRIANGLE = [["0", "0"], ["1", "0"], ["0", "1"]]


def test_identical_face_equations_are_decided() -> None:
    """Three points in the plane, (0, 0), (1, 0), (0, 1), with 2 units: the faces '+0-'
    and '+-0' (each sees point 0 only) have ``P = c e_0 e_0^T`` with one ``c``:
    ``|Pi h_0|^2 = 1 - (h_0 . h_i)^2 / |h_i|^2 = 1/2`` for both (hand computation), so their
    face equations coincide and depend on ``s_a + s_b`` only: the interior solutions are
    the segment ``s_a + s_b = t`` of the one-face solution of '+0-'. On the segment the
    direction of '+0-' is ``r_0 (-1/2, 0, 1/2)`` (the projection of ``h_0 = (0, 0, 1)``
    onto ``h_1^perp``), whose
    pre-activations at points 0 and 2 are both ``r_0 / 2``: '+0-' wants opposite signs
    there, so no point of the segment is a critical point. Once refused; now recorded as a
    ``segment`` the checker re-derives, and the oracle's multistart agrees."""
    y = ["1", "0", "0"]
    _solve_and_check(TRIANGLE, y, "1/100", 2)
    out = solve(TRIANGLE, y, "1/100", 2, force=True, completeness=True).to_json()
    (record,) = [r for r in out["completeness"]["sets"] if "segment" in r]
    assert set(record["faces"]) == {"+0-", "+-0"}
    assert record["segment"]["outside"] in ("+0-", "+-0")


def test_none_records_with_positive_roots_of_both_resultants_are_rederived() -> None:
    """The same triangle with ``y = (0, 1, 1)``: four two-face sets have an exactly zero
    multiplier and no interior solution (``none``). For two of them both resultants of
    the face equations have a positive root, so counting roots does not prove it; the
    checker must exclude every pair of positive roots by evaluating the face equations
    over the pair's box. The oracle's multistart agrees with the solve; the checker
    accepts the whole file, and rejects ``none`` written over a set that has a solution."""
    y = ["0", "1", "1"]
    _solve_and_check(TRIANGLE, y, "1/100", 2)
    out = solve(TRIANGLE, y, "1/100", 2, force=True, completeness=True).to_json()
    sets = out["completeness"]["sets"]
    assert sum("none" in r for r in sets) == 4
    assert verify_result(out, make_dataset(TRIANGLE, y)).ok
    k = next(k for k, r in enumerate(sets) if "solution" in r and len(r["faces"]) == 2)
    forged = copy.deepcopy(out)
    forged["completeness"]["sets"][k] = {"faces": sets[k]["faces"], "none": "forged"}
    report = verify_result(forged, make_dataset(TRIANGLE, y))
    assert not report.ok and "none is not re-derived" in report.text(), report.text()


def test_segment_record_can_fail() -> None:
    """The checker's ``segment`` check has teeth: an outside face left out, or a segment
    claimed for two faces whose ``P`` differ, is a completeness failure."""
    y = ["1", "0", "0"]
    out = solve(TRIANGLE, y, "1/100", 2, force=True, completeness=True).to_json()
    sets = out["completeness"]["sets"]
    j = next(j for j, r in enumerate(sets) if "segment" in r)
    dropped = copy.deepcopy(out)
    del dropped["completeness"]["sets"][j]["segment"]["outside"]
    k = next(k for k, r in enumerate(sets) if len(r["faces"]) == 2 and "+0-" in r["faces"]
             and "segment" not in r)
    p, q = sets[k]["faces"]
    foreign = copy.deepcopy(out)
    foreign["completeness"]["sets"][k] = {"faces": [p, q], "segment": {
        "by": [q], "sum": [p, q], "outside": p}}
    for bad, why in ((dropped, "must be named"), (foreign, "have different P")):
        report = verify_result(bad, make_dataset(TRIANGLE, y))
        assert not report.ok and why in report.text(), report.text()


# --------------------------------------------------------------------------- deep


@pytest.mark.deep
@pytest.mark.parametrize("case", range(6), ids=[f"seed{k + 1}" for k in range(6)])
def test_issue_13_four_unit_data_solve(case: int) -> None:
    """The six L = 4 data sets of issue 13 (all refused before): solved, checked, and the
    oracle agrees."""
    if not DEEP:
        pytest.skip("deep profile: run with DEEP=1")
    c = CASES[case]
    _solve_and_check(c["x"], c["y"], c["lam"], c["units"])


@pytest.mark.deep
def test_twins_data_solve() -> None:
    """The whole L = 4 solve of the twins data: checked, and the oracle agrees."""
    if not DEEP:
        pytest.skip("deep profile: run with DEEP=1")
    _solve_and_check(TWIN_X, TWIN_Y, "1/100", 4)


L4_TIE = (["7/10", "51/100", "16/25", "0"], ["149/100", "69/50", "101/100", "1/100"])


def test_zero_multiplier_through_unseen_points_is_decided() -> None:
    """The deep profile's d1-L4 near-tie, once refused (three coupled neurons 0+++, +++-,
    ---+). At the solution of {+++-} (points 0-2), point 3 (x = 0) is unseen, so
    ``r_3 = y_3 = 1/100`` exactly; ---+ sees point 3 only, with the whole plane as span:
    ``|M^T r|^2 = |h_3|^2 y_3^2 = 1 * (1/100)^2 = lam^2`` (hand computation), a multiplier
    exactly zero. 0+++'s is strictly positive, and ``P r`` of +++- (points 0-2) and of ---+
    (point 3) are independent, so (s, 0, 0) is the only minimiser (Theorem 2): pruned, with
    ---+ tied to itself; the checker re-derives it, and fails without the tie."""
    x, y = L4_TIE
    out = solve(x, y, "1/100", 4, force=True, completeness=True).to_json()
    sets = out["completeness"]["sets"]
    j = next(j for j, r in enumerate(sets) if set(r["faces"]) == {"0+++", "+++-", "---+"})
    assert sets[j]["pruned"] == {"by": ["+++-"], "tied": ["---+"]}
    where = "face set {" + ", ".join(sets[j]["faces"]) + "}"
    report = verify_result(out, make_dataset(x, y))
    # The whole file verifies: once, the endpoints of the two-dimensional set of orbit 1
    # (two split pairs) gave both units of the other pair the whole neuron each.
    assert report.ok and report.certificate, report.text()
    untied = copy.deepcopy(out)
    untied["completeness"]["sets"][j]["pruned"]["tied"] = []
    report = verify_result(untied, make_dataset(x, y))
    assert any("FAIL" in f and where in f for f in report.text().splitlines())


@pytest.mark.slow
def test_zero_multiplier_through_unseen_points_matches_the_oracle() -> None:
    """The same data against the oracle's multistart (minima, losses, patterns)."""
    x, y = L4_TIE
    sol = solve(x, y, "1/100", 4, force=True)
    xf, yf = _floats(x), _floats(y)
    found = oracle.find_local_minima(xf, yf, 0.01, 4, seed=0)
    failures, _ = disagreements(xf, yf, 0.01, sol.minima, found)
    assert not failures, "\n".join(failures)

"""Zero slopes at irrational points beside dead or split units (issue 13's tiny-data sweep).

A neuron that sees one point ``j`` has the direction ``r_j h_j`` (``h = (x, 1)``); when
``h_i . h_j = 0`` for another point ``i`` (``x = (1, -1)``, or ``(-1, 1), (1, 0)`` in the
plane) that direction lies on ``i``'s hyperplane, and the slope of switching ``i`` off is
exactly zero; with ``y_i = 0`` (so ``r_i = y_i = 0``) switching it on is flat too. The
point's ``s`` is irrational (``1 + |h_j|^2 s = |y_j| |h_j| / lam``), and extra units are dead
or split. Both used to be refused; docs/degenerate.md, section 4': the slopes are decided
exactly in the point's number field, and by convexity of the merged loss on every region
a point whose slopes are of the right sign or zero is a local minimum; the face Hessian
and the dead units make it strict up to splits. The set of the neuron with the face
beside it is pruned exactly at the neuron's residual (section 6'').

Hand derivation (one neuron seeing point ``j``, ``q = |h_j|^2``): ``r_j = sign(y_j) lam /
sqrt(q)``, the other points unseen (``r_i = y_i = 0``), so the loss is
``r_j^2 + 2 lam^2 s = 2 lam |y_j| / sqrt(q) - lam^2 / q`` and the fit is ``y_j - r_j`` at
``x_j``, 0 elsewhere. The oracle's multistart (independent) finds only minima of that
loss and fit; the checker accepts every file with its completeness certificate.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import numpy as np
import pytest

from solver import solve
from solver.data import make_dataset
from solver.problem import Problem
from solver.verify import verify_result
from solver.verify.curve import _groups, parse_inequality
from solver.verify.curve_flats import prove_flats
from tests import oracle
from tests.solver.test_degenerate import _solve_and_check

# (x, y, lam, units, the seen point j, q = |h_j|^2): three of the sweep's refusals
CASES = {
    "d1-x=1,-1": (["1", "-1"], ["0", "-1/2"], "1/20", 2, 1, 2),
    "d1-x=-1,1": (["-1", "1"], ["1", "0"], "1/100", 3, 0, 2),
    "plane": ([["-1", "1"], ["1", "0"]], ["1/2", "0"], "1/100", 3, 0, 3),
}


def _floats(v):
    return [[float(Fraction(c)) for c in p] if isinstance(p, list) else float(Fraction(p))
            for p in v]


def _fit(x, B, c, a) -> np.ndarray:
    X = np.asarray(x, float).reshape(len(x), -1)
    return np.maximum(X @ np.asarray(B, float).T + np.asarray(c, float), 0.0) @ np.asarray(a)


def _loss(x, y, lam, B, c, a) -> float:
    r = np.asarray(y, float) - _fit(x, B, c, a)
    return float(r @ r + lam * (np.sum(np.square(a)) + np.sum(np.square(B)) + np.sum(np.square(c))))


@pytest.mark.parametrize("case", list(CASES))
def test_flat_slopes_at_an_irrational_point_beside_dead_units(case: str) -> None:
    x, y, lam, units, j, q = CASES[case]
    lf, yj = float(Fraction(lam)), float(Fraction(y[j]))
    want_loss = 2 * lf * abs(yj) / np.sqrt(q) - lf * lf / q
    want_fit = np.zeros(len(x))
    want_fit[j] = yj - np.sign(yj) * lf / np.sqrt(q)
    sol = solve(x, y, lam, units, force=True, completeness=True)
    (minimum,) = sol.minima  # one split set: the neuron shared by the units
    assert minimum.loss == pytest.approx(want_loss, abs=1e-12)
    sample = minimum.samples[0] if minimum.kind == "curve" else minimum.point
    assert np.allclose(_fit(_floats(x), sample.B, sample.c, sample.a), want_fit, atol=1e-12)
    out = sol.to_json()
    assert any("KKT multiplier exactly zero" in line for line in out["minima"][0]["certificate"])
    report = verify_result(out, make_dataset(x, y))
    assert report.ok and report.certificate, report.text()
    # the set of the neuron with the face beside it: pruned exactly at the neuron's residual
    exact = [r for r in out["completeness"]["sets"] if "exact" in r.get("pruned", {})]
    assert exact, "expected a set pruned exactly near its subset's residual"
    # the oracle (independent multistart): every minimum it finds has this loss and fit
    xf, yf = _floats(x), _floats(y)
    found = oracle.find_local_minima(xf, yf, lf, units, seed=0)
    assert found
    for o in found:
        assert o.loss == pytest.approx(want_loss, rel=1e-8)
        assert np.allclose(_fit(xf, o.B, o.c, o.a), want_fit, atol=1e-6)
    # brute force around the reported point: nothing lower on small spheres
    theta = [np.asarray(sample.B, float), np.asarray(sample.c, float), np.asarray(sample.a)]
    base = _loss(xf, yf, lf, *theta)
    rng = np.random.default_rng(0)
    for radius in (1e-2, 1e-3, 1e-4):
        for _ in range(2000):
            step = [rng.normal(size=t.shape) for t in theta]
            norm = np.sqrt(sum(float(np.sum(s * s)) for s in step))
            moved = [t + radius * s / norm for t, s in zip(theta, step)]
            assert _loss(xf, yf, lf, *moved) >= base - 1e-13


PLANE3 = ([["1", "0"], ["1", "1"], ["-1", "0"]], ["1/2", "1/2", "-1/2"], "1/100", 3)


def test_flat_off_sides_in_the_plane_match_the_oracle() -> None:
    """Points ``(1, 0), (1, 1), (-1, 0)``: the face ``00+`` sees ``(-1, 0)`` only, and its
    span ``{h_0, h_1}^perp`` holds ``h_2`` (``h_0 . h_2 = h_1 . h_2 = 0``): direction
    ``r_2 h_2``, both off-slopes exactly zero, the on-slopes ``2 r_i = 1 > 0`` (``r_i = y_i``).
    By hand that split set has ``1 + 2 s = 50 sqrt(2)`` and loss
    ``1/2 + lam^2 (50 sqrt(2) - 1/2)``. The whole solve: checker and oracle agree."""
    x, y, lam, units = PLANE3
    _solve_and_check(x, y, lam, units)
    out = solve(x, y, lam, units, force=True).to_json()
    (one,) = [m for m in out["minima"] if set(m["pattern"]) == {"00+"}]
    assert one["loss"] == pytest.approx(0.5 + 1e-4 * (50 * np.sqrt(2) - 0.5), abs=1e-12)
    flat = [line for line in one["certificate"] if "exactly zero" in line]
    assert flat and "point 1 on face 00+ (off); point 2 on face 00+ (off)" in flat[0]


@pytest.mark.parametrize("y0, ok", [("1/2", True), ("-1/2", False)])
def test_curve_flats_are_decided_exactly(y0: str, ok: bool) -> None:
    """The checker's exact decision of a curve's multipliers on their bound has teeth: with
    ``y_0 = -1/2`` instead of ``1/2`` the unseen point's residual changes sign, so switching
    it on has slope ``-2 sigma r_0 < 0`` (a descent), while the face equation (point 2
    only) and so the root are unchanged."""
    x, y, lam, units = PLANE3
    out = json.loads(json.dumps(solve(x, y, lam, units, force=True).to_json()))
    (entry,) = [m for m in out["minima"] if m["pattern"] == ["00+"] * 3][:1]
    prob = Problem.parse(x, [y0, *y[1:]], lam, units)
    groups = _groups(entry["pattern"], entry["samples"][0])
    ineqs = [parse_inequality(s) for s in entry["inequalities"]]
    found = prove_flats(entry, prob, groups, {(0, 0), (0, 1)}, ineqs)
    assert (not found.fails) == ok, found.fails
    if not ok:
        assert any("decreases the loss" in f for f in found.fails), found.fails


def test_exact_near_record_can_fail() -> None:
    """A forged exact-near record is rejected: the named face must be outside at the
    subset's exact residual (here the subset's own face is named instead), and the roots
    must be the subset's solution (a shifted minimal polynomial is not)."""
    x, y, lam, units, _, _ = CASES["d1-x=1,-1"]
    out = solve(x, y, lam, units, force=True, completeness=True).to_json()
    data = make_dataset(x, y)
    assert verify_result(out, data).ok
    (k,) = [k for k, r in enumerate(out["completeness"]["sets"]) if "exact" in r.get("pruned", {})]
    claim = out["completeness"]["sets"][k]["pruned"]
    wrong_face = copy.deepcopy(out)
    wrong_face["completeness"]["sets"][k]["pruned"]["near"] = claim["by"][0]
    report = verify_result(wrong_face, data)
    assert not report.ok and "is not outside its face" in report.text()
    wrong_root = copy.deepcopy(out)
    root = wrong_root["completeness"]["sets"][k]["pruned"]["exact"][0]
    root["minpoly"] = root["minpoly"] + " - 1"
    report = verify_result(wrong_root, data)
    assert not report.ok and "face set {0+, ++}" in report.text()


# the sweep's plane refusals whose exact zeros needed one field for coupled neurons
PLANE_FOUR = ([["1", "0"], ["0", "1"], ["1", "-1"], ["-1", "-1"]], ["-1", "0", "0", "-1/2"],
              "1/20", 2)
PLANE_THREE = ([["0", "0"], ["1", "1"], ["0", "-1"]], ["-1/2", "1", "1/2"], "1/10")


def test_coupled_pair_decided_in_the_larger_field() -> None:
    """Four points in the plane, 2 units: at the pair ``{00++, -+0+}`` a pre-activation is
    zero to every precision; ``s0`` has degree 2 and ``s1`` degree 4, so ``s1`` is not in
    ``Q(s0)`` but ``s0`` is in ``Q(s1)``: the field is generated by the coordinate of
    highest degree. Two ``none`` records have face equations with a common factor that is
    positive for ``t > 0`` (``(t1 + 2/3)^2``, ``(3 t0 + 4 t1 + 2)^2``), divided out by the
    checker. Checker (with certificate) and oracle agree."""
    _solve_and_check(*PLANE_FOUR)


def test_three_coupled_neurons_in_one_quadratic_field() -> None:
    """Three points in the plane, 3 units (5 in the sweep): the set ``{++0, 0++, 0+-}``
    (three coupled neurons) has ``s = 8 - 2 sqrt 2``, ``-2 + 5 sqrt 2``,
    ``(-13 + 20 sqrt 2) / 2`` (the roots of ``s^2 - 16 s + 56``, ``s^2 + 4 s - 46``,
    ``4 s^2 + 52 s - 631`` in the intervals given):
    one field ``Q(sqrt 2)``, where the pre-activation of point 1 on ``0++`` is exactly zero.
    The record gives the solution by those minimal polynomials and the checker, in its own
    field, re-derives the zero and accepts the file with its certificate."""
    x, y, lam = PLANE_THREE
    out = solve(x, y, lam, 3, force=True, completeness=True).to_json()
    (record,) = [r for r in out["completeness"]["sets"]
                 if sorted(r["faces"]) == ["++0", "0++", "0+-"]]
    assert record["outside"] == {"face": "0++", "point": 1, "why": "exact zero"}
    closed = {"s0**2 - 16*s0 + 56": 8 - 2 * np.sqrt(2), "s1**2 + 4*s1 - 46": -2 + 5 * np.sqrt(2),
              "4*s2**2 + 52*s2 - 631": (-13 + 20 * np.sqrt(2)) / 2}
    for root in record["solution"]:
        lo, hi = (float(Fraction(v)) for v in root["interval"])
        assert lo - 1e-12 <= closed[root["minpoly"]] <= hi + 1e-12
    report = verify_result(out, make_dataset(x, y))
    assert report.ok and report.certificate, report.text()


@pytest.mark.slow
def test_three_coupled_neurons_match_the_oracle() -> None:
    """The same data with 3 units (refused before: a zero multiplier of ``{0+0, 0++, 0-+}``):
    34 minima; checker and the oracle's multistart agree (0 disagreements, ~150 s)."""
    _solve_and_check(*PLANE_THREE, 3)


def test_root_of_a_quadratic_in_a_quadratic_field() -> None:
    """``_root_in``: ``-2 + 5 sqrt 2`` (a root of ``s^2 + 4 s - 46``) in ``Q(t)``, ``t`` the
    root ``8 - 2 sqrt 2`` of ``t^2 - 16 t + 56``: ``sqrt 2 = (8 - t) / 2``, so the element is
    ``-2 + 5 (8 - t) / 2 = 18 - 5 t / 2``; the other root ``-2 - 5 sqrt 2`` lies outside the
    interval, and a root of ``s^2 - 3`` is not in the field."""
    from flint import fmpq, fmpq_poly, fmpz_poly

    from solver.pipeline.algebraic import RealRoot
    from solver.pipeline.locate.algebraic_point import Field, _root_in

    base = RealRoot(fmpz_poly([56, -16, 1]), fmpq(5), fmpq(6))     # 8 - 2 sqrt 2 = 5.17
    field = Field(fmpq_poly([56, -16, 1]), base)
    got = _root_in(field, RealRoot(fmpz_poly([-46, 4, 1]), fmpq(5), fmpq(6)))  # 5.07
    assert got == fmpq_poly([18, fmpq(-5, 2)])
    assert _root_in(field, RealRoot(fmpz_poly([-3, 0, 1]), fmpq(1), fmpq(2))) is None

"""Tiny data sets in general position that the solver used to refuse (issue 13).

Two points in d = 1 with distinct ``x`` (and two in the plane) are in general position,
yet metric coincidences of the lifted points ``h_i = (x_i, 1)`` made multipliers zero:

* ``x = (-1, 1)``: ``h_0 . h_1 = 0``, so a neuron seeing one point has its direction
  ``r_i h_i`` on the other point's hyperplane and the slope of switching that point *off*
  is exactly zero, while switching it *on* strictly lowers the loss: a descent the
  first-order test used to skip (docs/degenerate.md, section 4').
* ``x = (0, 1)`` (and the plane's ``(0, 1), (1, 0)``): ``|h_1|^2 = 2 h_0 . h_1``, so two
  one-point neurons fix ``|r_0| = 2 |r_1|`` and a third face's multiplier is exactly zero;
  more neurons than points leave the vectors ``P_c r`` dependent. The set is *pruned near*
  the subset's residual (section 6''): a face's direction is outside for every residual
  the projection bound allows.

Expected values come from hand derivations (in the docstrings) and the oracle's
multistart (tests/oracle.py); the checker must accept every file with its completeness
certificate, and rejects forged records.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy.optimize import minimize

from solver import solve
from solver.data import make_dataset
from solver.verify import verify_result
from tests.solver.test_degenerate import _solve_and_check

LAM = "1/100"
SYMMETRIC = (["-1", "1"], ["1", "1"])
UNIT_STEP = (["0", "1"], ["1", "-1/2"])
PLANE = [["0", "1"], ["1", "0"]]


@pytest.mark.parametrize("units", [1, 2, 3])
def test_symmetric_pair_has_the_constant_fit_only(units: int) -> None:
    """``x = (-1, 1)``, ``y = (1, 1)``, ``lam = 1/100`` by hand: a unit seeing both points
    with ``b = 0`` fits ``f = a c``; balanced (``a = c``) the loss is
    ``2 (1 - a^2)^2 + 2 lam a^2``, least at ``a^2 = 1 - lam / 2 = 199/200``, loss
    ``2 lam - lam^2 / 2 = 0.01995``; with more units they split it (``sum c_l^2 = 199/200``,
    ``b_l = 0``). A unit seeing one point has direction ``r_i h_i`` with
    ``h_0 . h_1 = 0``: its slope of switching the other point off is exactly zero, that of
    switching it on is ``-2 r_j < 0`` (``r_j > 0`` there): a descent, not a minimum."""
    x, y = SYMMETRIC
    _solve_and_check(x, y, LAM, units)
    out = solve(x, y, LAM, units, force=True, completeness=True).to_json()
    (minimum,) = out["minima"]
    assert minimum["loss"] == pytest.approx(0.01995, abs=1e-12)
    if units == 1:  # s = a^2 / lam = 199/2 exactly (r = y / (1 + 2 s) = lam / 2)
        assert minimum["B"] == [[0.0]]
        assert minimum["c"][0] == pytest.approx(float(np.sqrt(199 / 200)), abs=1e-12)
        assert minimum["exact"]["s"][0]["minpoly"] == "2*s0 - 199"
    else:
        squares = " + ".join(f"c{k}**2" for k in range(1, units + 1))
        assert f"{squares} - 199/200" in minimum["equations"]
    (one,) = [r for r in out["completeness"]["sets"] if r["faces"] == ["+0"]]
    assert one["descent"]["kind"] == "on" and one["descent"]["point"] == 1


def test_checker_rederives_the_one_sided_descent() -> None:
    """The checker finds the descent of ``{+0}`` on the side it is (switching on) and
    rejects the claim that switching point 1 *off* lowers the loss (that slope is zero)."""
    x, y = SYMMETRIC
    out = solve(x, y, LAM, 2, force=True, completeness=True).to_json()
    assert verify_result(out, make_dataset(x, y)).ok
    forged = copy.deepcopy(out)
    (k,) = [k for k, r in enumerate(out["completeness"]["sets"]) if r["faces"] == ["+0"]]
    forged["completeness"]["sets"][k]["descent"]["kind"] = "off"
    report = verify_result(forged, make_dataset(x, y))
    assert not report.ok and "is not re-derived" in report.text()


@pytest.mark.parametrize("units", [3, pytest.param(4, marks=pytest.mark.slow)])
def test_unit_step_pair_is_pruned_near(units: int) -> None:
    """``x = (0, 1)``, ``y = (1, -1/2)`` by hand: on ``{+0, -+}`` the one-point neurons
    give ``|Pi h_0|^2 r_0^2 = r_0^2 / 2 = lam^2`` and ``|h_1|^2 r_1^2 = 2 r_1^2 = lam^2``,
    so ``r_0 = sqrt(2) lam = -2 r_1``; then ``m_++ = r_0 h_0 + r_1 h_1 = lam (-1, 1) / sqrt 2``
    has length ``lam``: the multiplier of ``++`` is exactly zero, and three neurons on two
    points are dependent. But the direction of ``-+`` is ``r_1 h_1 = r_1 (1, 1)``: it
    sees both points for either sign, so ``-+`` is never in its face, at any residual
    near this one. Solved, checked and cross-checked with the oracle."""
    x, y = UNIT_STEP
    _solve_and_check(x, y, LAM, units)
    out = solve(x, y, LAM, units, force=True, completeness=True).to_json()
    near = [r for r in out["completeness"]["sets"] if "near" in r.get("pruned", {})]
    # each named face sees one point and has the direction r_i h_i, which sees both
    # (h_0 . h_1 = 1 > 0): '-+' near {+0, -+}, '+-' near its mirror {0+, +-}
    assert near and all(r["pruned"]["near"] in ("-+", "+-") for r in near)
    assert any(set(r["pruned"]["by"]) == {"+0", "-+"} for r in near)


@pytest.mark.parametrize("y, units", [
    (["1", "1"], 3), (["1", "-1"], 3), (["1", "0"], 3),
    pytest.param(["1", "-1"], 4, marks=pytest.mark.slow)])
def test_plane_pair_solves(y: list[str], units: int) -> None:
    """Two points ``(0, 1), (1, 0)`` in the plane (``|h_i|^2 = 2 = 2 h_0 . h_1``, the same
    coincidence): no refusal, the checker and the oracle agree."""
    _solve_and_check(PLANE, y, LAM, units)


def test_checker_rejects_a_false_near_record() -> None:
    """A ``near`` record naming another face of the set (one whose direction is not proved
    outside at every residual near the subset's) is rejected."""
    x, y = UNIT_STEP
    out = solve(x, y, LAM, 3, force=True, completeness=True).to_json()
    sets = out["completeness"]["sets"]
    j = next(j for j, r in enumerate(sets) if "near" in r.get("pruned", {}))
    moved = copy.deepcopy(out)
    moved["completeness"]["sets"][j]["pruned"]["near"] = next(
        f for f in sets[j]["faces"] if f != sets[j]["pruned"]["near"])
    report = verify_result(moved, make_dataset(x, y))
    assert not report.ok and "not proved outside" in report.text(), report.text()


def test_residual_is_the_projection_of_y() -> None:
    """Theorem 8 (docs/degenerate.md) against scipy, with no solver code: for random
    positive semidefinite ``P_a`` the residual ``A(s*)^{-1} y`` of the minimiser of
    ``J(s) = y^T A(s)^{-1} y + lam^2 sum s`` over ``s >= 0`` is the projection of ``y`` onto
    ``{r : r^T P_a r <= lam^2}``, and the bound of the near rule holds for a point
    ``r_A`` projected onto fewer constraints."""
    rng = np.random.default_rng(3)
    lam = 0.3
    n, k = 4, 3
    for _ in range(5):
        Ms = [rng.normal(size=(n, 2)) * (rng.random((n, 1)) < 0.8) for _ in range(k)]
        Ps = [M @ M.T for M in Ms]
        y = rng.normal(size=n)

        def residual(s, Ps=Ps, y=y):
            return np.linalg.solve(np.eye(n) + sum(si * P for si, P in zip(s, Ps)), y)

        def J(s, Ps=Ps, y=y):
            return y @ residual(s, Ps, y) + lam**2 * np.sum(s)

        def projection(Ps, y=y):
            cons = [{"type": "ineq", "fun": lambda r, P=P: lam**2 - r @ P @ r} for P in Ps]
            return minimize(lambda r: np.sum((r - y) ** 2), np.zeros(n), constraints=cons,
                            method="SLSQP", options={"ftol": 1e-14, "maxiter": 500}).x

        best = minimize(J, np.ones(k), bounds=[(0, None)] * k, method="L-BFGS-B",
                        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000})
        r_star = residual(best.x)
        assert np.allclose(r_star, projection(Ps), atol=1e-4)
        r_A = projection(Ps[:1])  # fewer constraints: eps from the others
        eps = max(0.0, max(r_A @ P @ r_A - lam**2 for P in Ps[1:]))
        u = eps / (2 * lam**2)
        bound = np.sqrt(u * (2 * abs((y - r_A) @ r_A) + u * r_A @ r_A))
        assert np.linalg.norm(r_star - r_A) <= bound + 1e-6


def test_zero_residual_root_is_compared_at_the_enclosures_precision() -> None:
    """Three points in the plane (a coarse-grid sweep's data set, refused before issue 13's
    near rule): the set ``{++-, -+-}`` is pruned with a residual zero in the number field
    of ``++-`` (``9 s^2 + 6 s - 299``). The checker's enclosure of that solution is proved
    to 266 bits; it must compare the root at a finer interval than its default 200 bits
    (it rejected the file before). The oracle found the same 30 minima (0 disagreements)."""
    x, y = [["0", "-1"], ["1", "1"], ["1", "-1"]], ["0", "1/2", "-1/2"]
    out = solve(x, y, "1/20", 4, force=True, completeness=True).to_json()
    zeros = [r for r in out["completeness"]["sets"] if "zeros" in r.get("pruned", {})]
    assert any(z["s"][0]["minpoly"] == "9*s0**2 + 6*s0 - 299"
               for r in zeros for z in r["pruned"]["zeros"])
    report = verify_result(out, make_dataset(x, y))
    assert report.ok and report.certificate, report.text()

"""The regularisation path against answers derived by hand (docs/path.md, §4).

One unit, ``x = (-1/2, 0, 1/2)``, ``y = (1/4, -1/4, 5/4)``: on the face ``+++`` the
interior solution has ``u(s) = (B / (1 + s/2), C / (1 + 3s))`` with ``B = 1/2``, ``C = 5/4``
(``H^T H = diag(1/2, 3)``), point 1's pre-activation ``-(1/4)/(1 + s/2) + (5/4)/(1 + 3s)``
vanishes at ``s = 8`` where ``lam^2 = |u(8)|^2 = 1/80``: the minimum meets the ray ``0++``
with ``sign(a) r_1 = y_1 > 0`` (switching point 1 off lowers the loss), so it dies there, a
fold at ``lam = sqrt(5)/20``. It exists up to ``lam = |H^T y| = sqrt(29)/4``, where the
neuron shrinks to zero and the branch continues as the all-dead point.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from solver import path, solve

X = ["-1/2", "0", "1/2"]
Y = ["1/4", "-1/4", "5/4"]


@pytest.fixture(scope="module")
def one_unit():
    return path(X, Y, 1, "1/20", "2")


def _event(p, value: float):
    found = [e for e in p.events if abs(e.lam.value - value) < 1e-12]
    assert len(found) == 1, [(e.kind, e.lam.value) for e in p.events]
    return found[0]


def test_the_minimum_on_the_open_face_dies_at_sqrt5_over_20(one_unit):
    fold = _event(one_unit, math.sqrt(5) / 20)
    assert fold.kind == "fold"
    assert fold.lam.minpoly == (-1, 0, 80)                   # 80 lam^2 - 1
    assert 80 * fold.lam.lo**2 < 1 < 80 * fold.lam.hi**2 and fold.lam.lo > 0
    (change,) = [c for c in fold.changes if c.what in ("born", "dies")]
    assert change.what == "born" and change.after == ("+++",)  # as λ increases


def test_the_neuron_dies_into_the_all_dead_point_at_sqrt29_over_4(one_unit):
    death = _event(one_unit, math.sqrt(29) / 4)
    assert death.kind == "neuron death"
    assert death.lam.minpoly == (-29, 0, 16)                  # 16 lam^2 - 29
    (change,) = death.changes
    assert (change.what, change.before, change.after) == ("continues", ("+++",), ("000",))
    branch = one_unit.branches[change.branch]
    assert [s.pattern for s in branch.segments] == [("+++",), ("000",)]
    assert branch.segments[0].lam_min.value == pytest.approx(math.sqrt(5) / 20, rel=1e-15)


@pytest.mark.parametrize("lam, present", [(math.sqrt(5) / 20 * (1 - 1e-6), False),
                                          (math.sqrt(5) / 20 * (1 + 1e-6), True),
                                          (math.sqrt(29) / 4 * (1 - 1e-6), True),
                                          (math.sqrt(29) / 4 * (1 + 1e-6), False)])
def test_solve_agrees_on_both_sides(lam, present):
    q = Fraction(lam).limit_denominator(10**12)
    patterns = [m.pattern for m in solve(X, Y, q, 1).minima]
    assert (("+++",) in patterns) == present

"""Every critical point the divide-enumerate step meets, with its verdict.

:func:`solver.solve` keeps only the certified minima. For teaching, and to compare with
a per-region enumeration such as the paper's, :func:`critical_points` lists *all* the
network critical points behind them: every face set's interior solution whose neuron
directions lie in their faces, with ``units - k`` dead units (``a_l = 0 = w_l``, a
critical point of every region around it), certified or rejected with the reason
(a first-order descent through a constraint, a negative second-order direction, or a
dead unit that can grow). Points whose ``k`` neurons carry fewer than ``units`` units
are the endpoints of split sets: a point of such a set with all units alive is a
minimum exactly when the configuration is (the set's certificate), so the endpoint's
verdict is the dead-unit check.

Examples
--------
>>> pts = critical_points(["0", "1"], ["1", "0"], "1/10", 1)
>>> [(p.pattern, p.minimum) for p in pts]
[(('++',), True), (('+0',), False), (('00',), False)]
>>> pts[1].reason
'descent: switching point 2 on lowers the loss (unit face +0, point 2)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from flint import arb

from solver.minima import Point
from solver.pipeline.certify import certify
from solver.pipeline.divide import unit_faces
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.pipeline.merge import PREC, loss_value, patterns, unit_values
from solver.problem import Problem


@dataclass(frozen=True, slots=True)
class CriticalPoint:
    """One network critical point: per-unit sign patterns (``0...0`` for a dead unit),
    float parameters, loss, and whether it is a certified local minimum (else why not).

    ``split`` marks a point with live units on a common face or dead units next to
    live ones: it lies on (or bounds) a positive-dimensional set of critical points.
    """

    pattern: tuple[str, ...]
    point: Point
    loss: float
    minimum: bool
    reason: str
    split: bool


def critical_points(x: Sequence, y: Sequence, lam: object,
                    units: object) -> tuple[CriticalPoint, ...]:
    """All critical points found on the faces (see the module docstring), sorted by loss.

    Each face set contributes one point, its ``k`` neurons on units ``1..k`` and the
    other units dead; unit permutations are not listed.
    """
    problem = Problem.parse(x, y, lam, units)
    L = problem.units
    faces = unit_faces(problem.x)
    alive = [f for f in faces if f.dim > 0 and f.positive]
    enumerator = NeuronEnumerator(problem, alive)
    out = []
    for k in range(0, L + 1):
        for face_set in combinations(alive, k):
            for point in enumerator.points(face_set):
                verdict = certify(point, faces, need_dead=L > k)
                ok = verdict.dead_ok if k < L else verdict.alive_ok
                labels = list(range(k)) + [None] * (L - k)
                vals = point.values(PREC)
                t = [vals.s[lb] if lb is not None else arb(0) for lb in labels]
                out.append(CriticalPoint(
                    pattern=patterns(point, labels),
                    point=unit_values(point, labels, t),
                    loss=loss_value(point),
                    minimum=ok,
                    reason="" if ok else verdict.reason,
                    split=0 < k < L,
                ))
    return tuple(sorted(out, key=lambda p: (p.loss, p.pattern)))

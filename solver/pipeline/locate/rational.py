"""Points whose coordinates are rational, and their quantities in exact arithmetic.

Structural zeros (a multiplier or a pre-activation that balls cannot sign) come from
special data, and there the face system's solution is often rational (the symmetric V of
docs/degenerate.md: ``s = 98, 98, 1``). :func:`rational_point` proves that: a proved box
holds exactly one solution of its part's face equations, so a rational guess inside the
box at which the equations vanish exactly *is* the solution. Then every quantity of the
network is a rational number (:func:`exact_state`) and every sign is decided exactly.

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.locate.enumerator import NeuronEnumerator
>>> from solver.problem import Problem
>>> problem = Problem.parse([-1, "-1/2", 0, "1/2", 1], [1, "1/2", 0, "1/2", 1], "1/100", 3)
>>> faces = {f.pattern: f for f in unit_faces(problem.x)}
>>> chosen = tuple(faces[p] for p in ("++0--", "--0++", "+++++"))
>>> point, = NeuronEnumerator(problem, list(faces.values())).points(chosen)
>>> state = exact_state(rational_point(point))
>>> [str(s) for s in state.s], [str(v) for v in state.residual]
(['98', '98', '1'], ['1/100', '0', '-1/100', '0', '1/100'])
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import fmpq, fmpq_mat, fmpz_poly

from solver.pipeline.algebraic import RealRoot
from solver.pipeline.face_systems import face_system
from solver.pipeline.locate.point import NeuronPoint


@dataclass(frozen=True, slots=True)
class ExactState:
    """A neuron point with rational ``s``: its residual and directions ``dir_a`` (``m``
    entries each, in ``(b, c)`` coordinates)."""

    s: tuple[fmpq, ...]
    residual: tuple[fmpq, ...]
    directions: tuple[tuple[fmpq, ...], ...]


def rational_point(point: NeuronPoint) -> NeuronPoint | None:
    """The point with every ``s_a`` an exact rational (linear minimal polynomial), or
    None when some ``s_a`` is not rational (then nothing is claimed).

    A coordinate with a minimal polynomial is rational iff it has degree 1. The others are
    proved boxes, one per connected part, each holding exactly one solution of the part's
    face equations: a rational guess (continued fractions of a 256-bit ball) inside the
    box at which every equation of the part vanishes exactly *is* that solution.
    """
    groups: dict[int, list[int]] = {}
    values: dict[int, fmpq] = {}
    for a, root in enumerate(point.roots):
        poly = getattr(root, "poly", None)
        if poly is not None:
            if poly.degree() != 1:
                return None
            values[a] = fmpq(-int(poly[0]), int(poly[1]))
        else:
            groups.setdefault(id(root.solution), []).append(a)
    for members in groups.values():
        guess = []
        for a in members:
            root = point.roots[a]
            mid = Fraction(str(root.ball(256).mid().str(80, radius=False)))
            q = mid.limit_denominator(10**30)
            g = fmpq(q.numerator, q.denominator)
            if not root.lo <= g <= root.hi:
                return None
            guess.append(g)
        part = face_system(point.problem, [point.faces[a] for a in members],
                           [point.neurons[a] for a in members])
        if any(eq(*guess) != 0 for eq in part.equations):
            return None
        values.update(zip(members, guess))
    roots = tuple(RealRoot(fmpz_poly([-int(v.p), int(v.q)]), v - v / 2**20, v + v / 2**20)
                  for v in (values[a] for a in range(point.k)))  # s_a > 0
    return NeuronPoint(point.problem, point.faces, point.neurons, roots, point.signs)


def exact_state(point: NeuronPoint) -> ExactState:
    """The point's quantities in ``Q`` (``point`` with rational roots, as
    :func:`rational_point` makes it)."""
    s = tuple(fmpq(-int(r.poly[0]), int(r.poly[1])) for r in point.roots)
    prob = point.problem
    n, h = prob.n, prob.lifted_q
    m = len(h[0])
    A = fmpq_mat(n, n, [fmpq(int(i == j)) for i in range(n) for j in range(n)])
    for s_a, nd in zip(s, point.neurons):
        A += nd.M * nd.G_inv * nd.M.transpose() * s_a
    r = A.solve(fmpq_mat(n, 1, list(prob.y_q)))
    residual = tuple(r[i, 0] for i in range(n))
    directions = []
    for nd in point.neurons:
        d = nd.V * nd.G_inv * nd.M.transpose() * r
        directions.append(tuple(d[c, 0] for c in range(m)))
    return ExactState(s, residual, tuple(directions))


__all__ = ["ExactState", "exact_state", "rational_point"]

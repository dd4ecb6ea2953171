"""The first-order test decided exactly, at a point with an exactly zero KKT multiplier.

At a neuron point whose face equations hold, a unit on a face with active point ``i`` has
two one-sided slopes: switching ``i`` off (``<h_i, w> < 0``) and on (``> 0``). The
certifier (:mod:`solver.pipeline.certify`) decides them in ball arithmetic; a slope that
balls cannot sign is decided here *exactly*, in the number field of the point's part
(:mod:`solver.pipeline.locate.algebraic_point`; ``Q`` at a rational point):

* a slope of the wrong sign is a descent (switching ``i`` off or on lowers the loss);
* otherwise every slope is of the right sign or exactly zero ("flat"), and the point is a
  local minimum by first order alone (docs/degenerate.md, section 4', Theorem 7): on each
  region around the point the merged loss
  ``Lambda_E(V) = |y - sum_l D_l^E H V_l|^2 + 2 lam sum_l |V_l|`` (one ``V_l = a_l w_l`` per
  unit, split or dead ones included) is *convex*, so a point where its one-sided
  derivatives into the region are ``>= 0`` minimises it over the region. Whether the
  minimum is strict up to splits is what the face Hessian and the dead-unit test of
  :func:`~solver.pipeline.certify.certify` decide next, as for any point.

Anything not decided exactly raises :class:`~solver.errors.DegenerateProblemError` naming
it (a part of more than two coupled neurons at an irrational point; a comparison across
two parts' fields).

Examples
--------
>>> from solver.pipeline.locate.enumerator import NeuronEnumerator
>>> from solver.pipeline.divide import unit_faces
>>> from solver.problem import Problem
>>> problem = Problem.parse([-1, "-1/2", 0, "1/2", 1], [1, "1/2", 0, "1/2", 1], "1/100", 3)
>>> faces = {f.pattern: f for f in unit_faces(problem.x)}
>>> chosen = tuple(faces[p] for p in ("++0--", "--0++", "+++++"))
>>> point, = NeuronEnumerator(problem, list(faces.values())).points(chosen)
>>> checks = []
>>> descent, exact = decide_flat(point, checks)
>>> descent is None, [str(r.poly) for r in exact.roots]
(True, ['x + (-98)', 'x + (-98)', 'x + (-1)'])
>>> checks[0][:40]
'first order: KKT multiplier exactly zero'

At an irrational point (``s = (10 sqrt 2 - 1) / 2``), with a dead unit beside it:

>>> problem = Problem.parse([1, -1], [0, "-1/2"], "1/20", 2)
>>> faces = {f.pattern: f for f in unit_faces(problem.x)}
>>> point, = NeuronEnumerator(problem, list(faces.values())).points((faces["0+"],))
>>> slopes(*field_state(point))      # h_0 . h_1 = 0 and r_0 = y_0 = 0: flat both ways
{(0, 0): (0, 0)}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flint import fmpq, fmpq_mat, fmpq_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.locate.algebraic_point import (
    FieldState,
    combination_sign,
    field_state,
    number_sign,
)
from solver.pipeline.locate.point import NeuronPoint
from solver.results import Descent


@dataclass(frozen=True, slots=True)
class Flat:
    """An active constraint ``point`` of neuron ``neuron`` with a zero slope on
    ``sides`` (a subset of ``("off", "on")``); the other side, if any, strictly rising."""

    neuron: int
    point: int
    sides: tuple[str, ...]


def slopes(point: NeuronPoint, state: FieldState) -> dict[tuple[int, int], tuple[int, int]]:
    """The two slopes (``off``, ``on``, times the neuron's sign: a strict minimum needs
    ``off < 0 < on``) of every active constraint ``(a, i)``, exactly."""
    h = point.problem.lifted_q
    m = len(h[0])
    out = {}
    for a, face in enumerate(point.faces):
        zero = face.zero
        if not zero:
            continue
        field = state.fields[a]
        rows = [h[i] for i in zero]
        nu = [2 * state.directions[a][c] - 2 * sum((state.residual[i][1] * h[i][c]
                                                     for i in face.positive), fmpq_poly([0]))
              for c in range(m)]
        gram_inv = fmpq_mat([[_dot(p, q) for q in rows] for p in rows]).inv()
        proj = [sum((nu[c] * p[c] for c in range(m)), fmpq_poly([0])) for p in rows]
        sigma = point.signs[a]
        for j, i in enumerate(zero):
            mu = sum((gram_inv[j, q] * proj[q] for q in range(len(zero))), fmpq_poly([0]))
            mu_side = (field, sigma * mu)
            on = combination_sign([(fmpq(1), mu_side), (fmpq(-2 * sigma), state.residual[i])])
            out[(a, i)] = (number_sign(mu_side), on)
    return out


def _dot(p: Sequence[fmpq], q: Sequence[fmpq]) -> fmpq:
    return sum((a * b for a, b in zip(p, q)), fmpq(0))


def decide_flat(point: NeuronPoint, checks: list[str]) -> tuple[Descent | None, NeuronPoint]:
    """Decide a point one of whose multipliers balls could not sign (see the module
    docstring): no descent when every slope is of the right sign or exactly zero (a line is
    added to ``checks``), else the descent; with the point in exact form (minimal
    polynomials), to report it exactly. Raises :class:`DegenerateProblemError` when a slope
    cannot be decided exactly."""
    exact, state = field_state(point)
    flats = []
    for (a, i), (off, on) in slopes(exact, state).items():
        pattern = point.faces[a].pattern
        if off > 0:
            return Descent.switch("off", pattern, i), exact
        if on < 0:
            return Descent.switch("on", pattern, i), exact
        sides = [side for side, v in (("off", off), ("on", on)) if v == 0]
        if sides:
            flats.append(f"point {i + 1} on face {pattern} ({'/'.join(sides)})")
    if not flats:  # every slope strict: balls needed more precision than they were given
        raise DegenerateProblemError("degenerate data: a KKT multiplier is nonzero but "
                                     "undecided to 4096 bits")
    checks.append(f"first order: KKT multiplier exactly zero ({'; '.join(flats)}, proved in "
                  "the point's number field), every other slope strict: each region's merged "
                  "loss is convex, so the point is a local minimum (docs/degenerate.md, 4')")
    return None, exact


__all__ = ["decide_flat", "slopes"]

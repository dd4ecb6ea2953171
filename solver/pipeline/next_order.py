"""The next-order test at a certified point with an exactly zero KKT multiplier.

At a neuron point whose face equations hold, a unit on a face with active point ``i`` has
two one-sided slopes: switching ``i`` off (``<h_i, w> < 0``) and on (``> 0``). The
certifier (:mod:`solver.pipeline.certify`) needs both strictly increasing; when one is
*exactly* zero (proved here in exact arithmetic, never by precision) first order does
not decide along that side, and the point is decided by second order on the adjacent
region (docs/degenerate.md, section 4'):

* the merged loss ``Lambda_E(W) = |y - sum_a D_a H W_a|^2 + 2 lam sum_a |W_a|`` of the
  region ``E`` on the flat side is a smooth function of the neurons ``W_a`` in the
  *extended span* (the face's span with the flat constraints dropped), and its gradient
  there is zero (the face equations and the zero slope);
* the critical cone of the point is the extended span cut by the flat sides, so the
  point is a strict local minimum of the network when the Hessian of ``Lambda_E`` is
  positive definite on the extended span, for every region ``E`` a flat constraint can
  choose (a constraint flat on both sides gives two);
* a negative direction of that Hessian lies in the critical cone (up to sign) when at
  most one constraint is one-sided in the region: then the point is not a minimum.

Anything else (a singular Hessian, a negative direction with several one-sided
constraints, a point whose coordinates are not rational, splits or dead units) raises
:class:`~solver.errors.DegenerateProblemError` naming it. Every quantity is exact: the
test runs on points whose ``s`` are rational (the symmetric V of docs/degenerate.md).

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
>>> descent, exact = decide_flat(point, False, checks)
>>> descent is None, [str(r.poly) for r in exact.roots]
(True, ['x + (-98)', 'x + (-98)', 'x + (-1)'])
>>> checks[0][:40]
'next order: KKT multiplier exactly zero '
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from flint import fmpq, fmpq_mat

from solver.errors import DegenerateProblemError
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.locate.rational import ExactState, exact_state, rational_point
from solver.pipeline.numbers import nullspace, sign
from solver.results import Descent


@dataclass(frozen=True, slots=True)
class Flat:
    """An active constraint ``point`` of neuron ``neuron`` with a zero slope on
    ``sides`` (a subset of ``("off", "on")``); the other side, if any, strictly rising."""

    neuron: int
    point: int
    sides: tuple[str, ...]


def slopes(point: NeuronPoint, state: ExactState) -> dict[tuple[int, int], tuple[int, int]]:
    """The two slopes (``off``, ``on``, times the neuron's sign: a strict minimum needs
    ``off < 0 < on``) of every active constraint ``(a, i)``, exactly."""
    h = point.problem.lifted_q
    m = len(h[0])
    out = {}
    for a, face in enumerate(point.faces):
        zero = face.zero
        if not zero:
            continue
        rows = [h[i] for i in zero]
        nu = [2 * state.directions[a][c] - 2 * sum((state.residual[i] * h[i][c]
                                                     for i in face.positive), fmpq(0))
              for c in range(m)]
        gram = fmpq_mat([[_dot(p, q) for q in rows] for p in rows])
        mu = gram.solve(fmpq_mat([[_dot(p, nu)] for p in rows]))
        sigma = point.signs[a]
        for j, i in enumerate(zero):
            out[(a, i)] = (sign(sigma * mu[j, 0]),
                           sign(sigma * (mu[j, 0] - 2 * state.residual[i])))
    return out


def _dot(p: Sequence[fmpq], q: Sequence[fmpq]) -> fmpq:
    return sum((a * b for a, b in zip(p, q)), fmpq(0))


def decide_flat(point: NeuronPoint, dead_or_split: bool, checks: list[str]
           ) -> tuple[Descent | None, NeuronPoint]:
    """Decide a point one of whose multipliers balls could not sign (see the module
    docstring): no descent when it is a strict local minimum (a line is added to
    ``checks``), else the descent; with the point in exact rational form (to report it
    exactly). Raises :class:`DegenerateProblemError` when undecided."""
    exact = rational_point(point)
    if exact is None:
        raise DegenerateProblemError(
            "degenerate data: a KKT multiplier is zero to 4096 bits at a point whose "
            "coordinates are not rational (the exact next-order test needs rational s)")
    state = exact_state(exact)
    flats = []
    for (a, i), (off, on) in slopes(exact, state).items():
        pattern = point.faces[a].pattern
        if off > 0:
            return Descent.switch("off", pattern, i), exact
        if on < 0:
            return Descent.switch("on", pattern, i), exact
        sides = tuple(side for side, v in (("off", off), ("on", on)) if v == 0)
        if sides:
            flats.append(Flat(a, i, sides))
    if not flats:  # every slope strict: balls needed more precision than they were given
        raise DegenerateProblemError("degenerate data: a KKT multiplier is nonzero but "
                                     "undecided to 4096 bits")
    if dead_or_split:
        raise DegenerateProblemError(
            "degenerate data: a KKT multiplier is exactly zero at a point with split or dead "
            "units (the next-order test covers one unit per neuron)")
    return _second_order(exact, state, flats, checks), exact


def region_hessian(point: NeuronPoint, state: ExactState, seen: Sequence[Sequence[int]],
                   bases: Sequence[list[list[fmpq]]]) -> fmpq_mat:
    """Exact Hessian of ``Lambda_E`` (neuron ``a`` seeing the points ``seen[a]``) at the
    point, in the coordinates ``W_a = sum_j c_j bases[a][j]``:
    ``2 B_a^T H^T D_a D_b H B_b + [a = b] 2 B_a^T (I / s_a - dir dir^T / (lam^2 s_a)) B_a``."""
    h, lam = point.problem.lifted_q, point.problem.lam_q
    cols = [(a, v) for a, basis in enumerate(bases) for v in basis]
    K = len(cols)
    H = fmpq_mat(K, K)
    for p, (a, v) in enumerate(cols):
        for q, (b, w) in enumerate(cols):
            val = 2 * sum((_dot(h[i], v) * _dot(h[i], w) for i in set(seen[a]) & set(seen[b])),
                          fmpq(0))
            if a == b:
                d, s_a = state.directions[a], state.s[a]
                val += 2 * (_dot(v, w) / s_a - _dot(d, v) * _dot(d, w) / (lam * lam * s_a))
            H[p, q] = val
    return H


def _second_order(point: NeuronPoint, state: ExactState, flats: list[Flat],
                  checks: list[str]) -> Descent | None:
    h = point.problem.lifted_q
    m = len(h[0])
    flat_at = {(f.neuron, f.point): f for f in flats}
    bases = []
    for a, face in enumerate(point.faces):
        strict = [list(h[i]) for i in face.zero if (a, i) not in flat_at]
        bases.append(nullspace(strict, m))
    both = [f for f in flats if len(f.sides) == 2]
    for choice in product(("off", "on"), repeat=len(both)):
        side = {(f.neuron, f.point): c for f, c in zip(both, choice)}
        side.update({(f.neuron, f.point): f.sides[0] for f in flats if len(f.sides) == 1})
        seen = [list(face.positive) + [i for i in face.zero if side.get((a, i)) == "on"]
                for a, face in enumerate(point.faces)]
        H = region_hessian(point, state, seen, bases)
        minors = [fmpq_mat([[H[i, j] for j in range(k)] for i in range(k)]).det()
                  for k in range(1, H.nrows() + 1)]
        if all(v > 0 for v in minors):
            continue
        where = ", ".join(f"point {i + 1} {c} on face {point.faces[a].pattern}"
                          for (a, i), c in sorted(side.items()))
        if _indefinite(H) and len(side) <= 1:
            return Descent("hessian", "second order: the merged Hessian over the adjacent "
                           f"region ({where}) has a negative direction into it",
                           face=point.faces[next(iter(side))[0]].pattern,
                           point=next(iter(side))[1])
        raise DegenerateProblemError(
            "degenerate data: a KKT multiplier is exactly zero and the merged Hessian over "
            f"the adjacent region ({where}) is not positive definite (singular, or negative "
            "only across several one-sided constraints): decided at higher order")
    names = "; ".join(f"point {f.point + 1} on face {point.faces[f.neuron].pattern} "
                      f"({'/'.join(f.sides)})" for f in flats)
    checks.append(f"next order: KKT multiplier exactly zero ({names}, proved in Q); the merged "
                  "Hessian over every adjacent region on the flat side is positive definite "
                  "on its span")
    return None


def _indefinite(H: fmpq_mat) -> bool:
    """Whether the symmetric rational ``H`` has a negative direction (exact LDL^T with
    symmetric pivoting on the diagonal; a zero diagonal with a nonzero off-diagonal entry
    in its row is indefinite)."""
    k = H.nrows()
    A = [[H[i, j] for j in range(k)] for i in range(k)]
    alive = list(range(k))
    while alive:
        p = next((i for i in alive if A[i][i] != 0), None)
        if p is None:
            return any(A[i][j] != 0 for i in alive for j in alive)
        if A[p][p] < 0:
            return True
        alive.remove(p)
        for i in alive:
            for j in alive:
                A[i][j] -= A[i][p] * A[p][j] / A[p][p]
    return False


__all__ = ["Flat", "decide_flat", "region_hessian", "slopes"]

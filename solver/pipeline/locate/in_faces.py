"""Whether a face set's interior solution lies in its faces: the neurons' signs, or why not.

A neuron's direction must give every point the pre-activation sign its face prescribes,
for one sign of ``a``. :func:`face_test` decides it point by point in ball arithmetic;
a pre-activation that is zero for *any* residual (:func:`structurally_zero`) or exactly
zero at this solution (:func:`preactivation_is_zero`, decided in the roots' number field)
puts the point outside its open face.

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.locate.enumerator import NeuronEnumerator
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 0], "1/10", 1)
>>> face = next(f for f in unit_faces(problem.x) if f.pattern == "+-")
>>> enumerator = NeuronEnumerator(problem, [face])
>>> roots, signs = enumerator.entry((face,))
>>> signs is None  # the interior solution is not a critical point in this face
True
>>> face_test(NeuronPoint(problem, (face,), (enumerator.data[face.signs],), roots, ()))
Outside(face='+-', point=1, why='sign', against=0)
"""

from __future__ import annotations

from collections.abc import Sequence

from flint import arb, fmpq, fmpq_mat, fmpq_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData, components
from solver.pipeline.locate.algebraic_point import field_state
from solver.pipeline.locate.exact_zero import is_zero_at
from solver.pipeline.locate.point import EXACT_NEURONS, NeuronPoint
from solver.pipeline.numbers import sign_of
from solver.results import Outside


def face_test(point: NeuronPoint) -> tuple[int, ...] | Outside:
    """The sign of ``a`` per neuron that puts its direction in its face, or why there is
    none: the first point whose pre-activation is structurally zero or of the wrong sign
    against the face's first decided point. A pre-activation that ball arithmetic cannot
    decide is decided exactly where :func:`preactivation_is_zero` applies; elsewhere it is
    passed over, since a decided wrong sign further on still rules the point out, and
    raises only if none does."""
    h = point.problem.lifted_q
    m = len(h[0])
    signs = []
    undecided: list[tuple[int, int, UnitFace]] = []
    for a, face in enumerate(point.faces):
        sigma, first = 0, None
        for i, want in enumerate(face.signs):
            if want == 0:
                continue
            if structurally_zero(point.neurons[a], h, i):
                return Outside(face.pattern, i, "zero")  # on point i's hyperplane

            def dot(prec: int, i: int = i, a: int = a) -> arb:
                direction = point.values(prec).directions[a]
                return sum((arb(h[i][r]) * direction[r] for r in range(m)), arb(0))

            try:
                this = sign_of(dot, f"a pre-activation on face {face.pattern}") * want
            except DegenerateProblemError:
                zero = preactivation_is_zero(point, a, h[i])
                if zero is True:
                    return Outside(face.pattern, i, "exact zero")  # not in this open face
                if zero is False:
                    raise
                undecided.append((a, i, face))  # no exact test here: a sign may yet decide
                continue
            if sigma == 0:
                sigma, first = this, i
            elif this != sigma:
                return Outside(face.pattern, i, "sign", first)
        signs.append(sigma)
    for _, i, face in undecided[:1]:  # every decided sign fits, and no exact test applies
        raise DegenerateProblemError(
            f"degenerate data: the pre-activation of point {i} on face {face.pattern} is zero "
            "to the working precision, where no exact test applies (coupled neurons whose "
            "coordinates lie in no one number field found)")
    return tuple(signs)


def face_signs(point: NeuronPoint) -> tuple[int, ...] | None:
    """The sign of ``a`` per neuron that puts its direction in its face, or None."""
    found = face_test(point)
    return None if isinstance(found, Outside) else found


def preactivation_is_zero(point: NeuronPoint, a: int, h_i: Sequence[fmpq]) -> bool | None:
    """Exactly decide ``<h_i, dir_a> = 0`` at a point of one or two coupled neurons
    (:mod:`solver.pipeline.locate.exact_zero`), else in the number field of ``a``'s part
    (:mod:`solver.pipeline.locate.algebraic_point`: rational points, parts whose
    coordinates lie in one field); None where no test applies."""
    if 1 <= point.k <= EXACT_NEURONS and len(components(point.neurons)) == 1:
        system = point.system
        exact = point.exact()
        nd, block = system.neurons[a], system.blocks[a]
        coef = _row(h_i, nd.V) * nd.G_inv
        numerator = system.ctx.constant(0)
        for j, idx in enumerate(block):
            numerator += system.numerators[idx] * coef[0, j]
        zero = is_zero_at(numerator, system.equations, system.ctx, exact.roots[0].poly)
        if zero is not None:
            return zero
    try:
        _, state = field_state(point)
    except DegenerateProblemError:
        return None
    field, direction = state.fields[a], state.directions[a]
    return field.sign(sum((c * d for c, d in zip(h_i, direction)), fmpq_poly([0]))) == 0


def structurally_zero(nd: NeuronData, h: Sequence[Sequence[fmpq]], i: int) -> bool:
    """Whether ``<h_i, V G^{-1} V^T sum_j r_j h_j>`` (the pre-activation at point ``i`` of
    the face's direction for *any* residual, ``j`` over the points the face sees) vanishes
    identically: every coefficient
    ``h_i^T V G^{-1} V^T h_j`` is exactly 0. Ball arithmetic can never decide such a
    zero (it shows up with data like ``x = -1, 1``, whose lifted points are orthogonal)."""
    left = _row(h[i], nd.V) * nd.G_inv
    for j in nd.face.positive:
        if (left * _row(h[j], nd.V).transpose())[0, 0] != 0:
            return False
    return True


def _dot(p: Sequence[fmpq], q: Sequence[fmpq]) -> fmpq:
    return sum((a * b for a, b in zip(p, q, strict=True)), fmpq(0))


def _row(hv: Sequence[fmpq], V: fmpq_mat) -> fmpq_mat:
    """``h^T V`` as a 1 x k matrix."""
    return fmpq_mat(1, len(hv), list(hv)) * V

"""A located face set's neuron signs, decided from every pre-activation of a face at once.

:class:`CoarseSigns` gives what :func:`~solver.pipeline.locate.in_faces.face_signs` gives
(the sign of ``a`` per neuron that puts its direction in its face, or None), deciding
each face's pre-activations with one ball matrix product: first at the coarse enclosure
of a pending box solution (:class:`~solver.pipeline.locate.interior.BoxSolution`), then
at 128 bits, and handing over to ``face_signs`` at the first sign neither decides.

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.locate.enumerator import NeuronEnumerator
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 1], "1/10", 1)
>>> face = next(f for f in unit_faces(problem.x) if f.pattern == "++")
>>> NeuronEnumerator(problem, [face]).entry((face,))[1]
(1,)
"""

from __future__ import annotations

from flint import arb, arb_mat

from solver.pipeline.locate.in_faces import face_signs
from solver.pipeline.locate.interior import QUICK_PREC
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import working_precision
from solver.problem import Problem

UNDECIDED = "undecided"  # a sign that balls did not decide


class CoarseSigns:
    """The neuron signs of located face sets of one problem (module docstring)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self._lifted_balls: dict[int, arb_mat] = {}

    def face_signs(self, candidate: NeuronPoint) -> tuple[int, ...] | None:
        """:func:`~solver.pipeline.locate.in_faces.face_signs` of the candidate, from
        every pre-activation of a face at once (one ball matrix product): first at the
        coarse enclosure of a pending box solution, then at 128 bits, then by
        ``face_signs`` itself.

        A pre-activation shown nonzero is not structurally zero (an exact zero is never
        shown nonzero), so up to the first one not decided here ``face_signs`` sees
        exactly the signs seen here, in the same order; from there on it decides.
        """
        solution = getattr(candidate.roots[0], "solution", None)
        if solution is not None and solution.pending:
            _, w, _ = solution.quick_state()
            with working_precision(QUICK_PREC + 32):
                directions = []
                for nd, block in zip(candidate.neurons, solution.face_problem.blocks):
                    direction = arb_mat(nd.V) * arb_mat(len(block), 1, [w[i, 0] for i in block])
                    directions.append([direction[i, 0] for i in range(direction.nrows())])
                found = self._signs_of(candidate.faces, directions, QUICK_PREC + 32)
            if found is not UNDECIDED:
                return found
        prec = 128
        directions = candidate.values(prec).directions
        with working_precision(prec):
            found = self._signs_of(candidate.faces, directions, prec)
        return face_signs(candidate) if found is UNDECIDED else found

    def _signs_of(self, faces, directions, prec: int):
        """The faces' signs of ``a`` from their directions' pre-activations (balls), None
        if a face is violated, ``UNDECIDED`` at the first sign not decided (in order)."""
        lifted = self._lifted(prec)
        signs = []
        for face, direction in zip(faces, directions):
            pre = lifted * arb_mat(len(direction), 1, list(direction))
            sigma = 0
            for i, want in enumerate(face.signs):
                if want == 0:
                    continue
                v = pre[i, 0]
                if v > 0:
                    this = want
                elif v < 0:
                    this = -want
                else:
                    return UNDECIDED
                if sigma == 0:
                    sigma = this
                elif this != sigma:
                    return None
            signs.append(sigma)
        return tuple(signs)

    def _lifted(self, prec: int) -> arb_mat:
        """The lifted points ``h_i = (x_i, 1)`` as rows of a ball matrix at ``prec`` bits
        (exact rationals rounded once)."""
        if prec not in self._lifted_balls:
            self._lifted_balls[prec] = arb_mat([[arb(v) for v in h]
                                                for h in self.problem.lifted_q])
        return self._lifted_balls[prec]

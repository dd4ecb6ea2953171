"""A critical point at the neuron level, evaluated rigorously with ball arithmetic.

A :class:`NeuronPoint` is one solution ``s`` of a face system: ``k`` distinct faces, each
hosting one *neuron* (a group of units sharing the face, with ``sum a_l^2 / lam = s_a``).
Every quantity of the network at that point (residual, directions, loss) is computed
from the exact roots in arb balls at any requested precision, and cached.

Examples
--------
>>> from solver.problem import Problem
>>> point = NeuronPoint(Problem.parse([0, 1], [1, 1], "1/10", 1), (), (), (), ())
>>> point.k, float(point.values(64).loss.mid())
(0, 2.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from flint import arb, arb_mat

from solver.pipeline.algebraic import RealRoot
from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import FaceSystem, NeuronData, face_system
from solver.pipeline.locate.face_problem import FaceProblem
from solver.pipeline.locate.interior import QUICK_PREC, exact_roots
from solver.pipeline.numbers import working_precision
from solver.problem import Problem

# Reported points with at most this many neurons get exact minimal polynomials by
# elimination; larger ones are described by their proved isolating box.
EXACT_NEURONS = 2


@dataclass(frozen=True)
class NeuronValues:
    """Ball values of a neuron point at one precision."""

    s: tuple[arb, ...]
    directions: tuple[tuple[arb, ...], ...]  # dir_a in (b, c) coordinates, m entries
    u: tuple[tuple[arb, ...], ...]  # u_a = M_a^T r (v coordinates)
    residual: tuple[arb, ...]  # r = y - f(x)
    loss: arb


@dataclass(frozen=True, eq=False)
class NeuronPoint:
    """A real solution of the reduced system of ``faces`` (``k = len(faces)``).

    ``signs[a]`` is the sign of ``a_l`` for the units of neuron ``a`` (forced by the face).
    """

    problem: Problem
    faces: tuple[UnitFace, ...]
    neurons: tuple[NeuronData, ...]
    roots: tuple[RealRoot, ...]
    signs: tuple[int, ...]
    # the multipliers' signs over coarse boxes when they are not one solution's (a
    # decoupled set's, computed from its parts': see coarse_first_order), or None
    first_order: np.ndarray | None = None

    @property
    def k(self) -> int:
        """Number of neurons."""
        return len(self.faces)

    @cached_property
    def system(self) -> FaceSystem | None:
        """The face system (built on first use: decoupled sets never need it to solve)."""
        if self.k == 0:
            return None
        return face_system(self.problem, self.faces, self.neurons)

    @cached_property
    def _values(self) -> dict[int, NeuronValues]:
        """:meth:`values` by precision."""
        return {}

    @cached_property
    def _exact_points(self) -> dict[bool, NeuronPoint]:
        """:meth:`exact` by ``always`` (elimination is the costly step)."""
        return {}

    def values(self, prec: int) -> NeuronValues:
        """All network quantities as balls with about ``prec`` bits."""
        if prec not in self._values:
            with working_precision(prec):
                self._values[prec] = self._compute(prec)
        return self._values[prec]

    def _compute(self, prec: int) -> NeuronValues:
        if self.k == 0:
            y = [arb(v) for v in self.problem.y_q]
            loss = sum((v * v for v in y), arb(0))
            return NeuronValues((), (), (), tuple(y), loss)
        s = tuple(r.ball(prec) for r in self.roots)
        return self._assemble(s, *self.face_problem.state(s))

    def coarse_values(self) -> NeuronValues | None:
        """The values over the coarse box of a located solution (see
        :class:`~solver.pipeline.locate.interior.BoxSolution`; ``QUICK_PREC + 32`` bits),
        which decide most signs without the fine proof (or without the values of a
        proved point); None if there is no such box.

        A decoupled point (its parts solved apart, ``M_a^T M_b = 0`` between them) has
        the values over the product of its parts' boxes: each neuron's ``u`` and ``w``
        are its part's, and ``r = y - sum_p M_p T_p u_p = sum_p r_p - (P - 1) y``."""
        solutions = [getattr(r, "solution", None) for r in self.roots]
        if not solutions or any(sol is None or sol.quick is None for sol in solutions):
            return None
        solution = solutions[0]
        with working_precision(QUICK_PREC + 32):
            if all(sol is solution for sol in solutions):
                return self._assemble(tuple(solution.quick), *solution.quick_state())
            parts = {id(sol): sol for sol in solutions}
            K = sum(nd.size for nd in self.neurons)
            u, w = arb_mat(K, 1), arb_mat(K, 1)
            row = 0
            for root, sol in zip(self.roots, solutions):
                u_p, w_p, _ = sol.quick_state()
                for i in sol.face_problem.blocks[root.index]:
                    u[row, 0], w[row, 0] = u_p[i, 0], w_p[i, 0]
                    row += 1
            r = arb_mat([[arb(v)] for v in self.problem.y_q]) * (1 - len(parts))
            for sol in parts.values():
                r += sol.quick_state()[2]
            s = tuple(sol.quick[root.index] for root, sol in zip(self.roots, solutions))
            return self._assemble(s, u, w, r)

    def coarse_first_order(self) -> np.ndarray | None:
        """The signs of the strict KKT multipliers over the coarse box of the point's
        located solution, as :func:`~solver.pipeline.locate.first_order.first_order_signs`
        gives them (one row per zero constraint of the faces, in order), or None."""
        if self.first_order is not None:
            return self.first_order
        solution = self._solution()
        coarse = None if solution is None else solution.coarse
        return None if coarse is None else coarse.first_order

    def _solution(self):
        """The :class:`~solver.pipeline.locate.interior.BoxSolution` that holds every
        coordinate, or None (no neurons, exact roots, or decoupled parts)."""
        solution = getattr(self.roots[0], "solution", None) if self.roots else None
        if solution is None or any(getattr(r, "solution", None) is not solution
                                   for r in self.roots):
            return None
        return solution

    def _assemble(self, s, u, w, r) -> NeuronValues:
        """The values from ``s`` and the state ``u, w, r`` (current precision)."""
        m = self.problem.d + 1
        directions, us = [], []
        for nd, block in zip(self.neurons, self.face_problem.blocks):
            w_a = arb_mat(len(block), 1, [w[i, 0] for i in block])
            direction = arb_mat(nd.V) * w_a
            directions.append(tuple(direction[i, 0] for i in range(m)))
            us.append(tuple(u[i, 0] for i in block))
        residual = tuple(r[i, 0] for i in range(r.nrows()))
        lam = arb(self.problem.lam_q)
        loss = sum((v * v for v in residual), arb(0)) + 2 * lam * lam * sum(s, arb(0))
        return NeuronValues(s, tuple(directions), tuple(us), residual, loss)

    @cached_property
    def face_problem(self) -> FaceProblem:
        """The face set's linear-algebra data (shared with the solution's box when solved)."""
        solution = getattr(self.roots[0], "solution", None)
        same = solution is not None and all(
            getattr(r, "solution", None) is solution for r in self.roots
        )
        return solution.face_problem if same else FaceProblem(self.problem, self.neurons)

    def exact(self, always: bool = False) -> NeuronPoint:
        """This point with its ``s_a`` as exact algebraic numbers (minimal polynomial and
        isolating interval), one connected part at a time. A point of more than
        :data:`EXACT_NEURONS` neurons keeps its proved isolating boxes unless ``always``
        (elimination for three coupled neurons can take a minute, and the independent
        checker would have to join large fields)."""
        if self.k > EXACT_NEURONS and not always:
            return self  # the checker joins fields of small degree only: keep the box
        if always not in self._exact_points:
            self._exact_points[always] = self._exact(always)
        return self._exact_points[always]

    def _exact(self, always: bool) -> NeuronPoint:
        groups: dict[int, list[int]] = {}
        for a, root in enumerate(self.roots):  # decoupled parts are solved separately
            solution = getattr(root, "solution", None)
            if solution is not None:
                groups.setdefault(id(solution), []).append(a)
        roots: list = list(self.roots)
        changed = False
        for members in groups.values():
            if len(members) > EXACT_NEURONS and not always:
                continue
            # kept by the solution: a part is shared by the decoupled points it is in
            boxes = [self.roots[a] for a in members]
            kept = boxes[0].solution.exact
            index = tuple(box.index for box in boxes)
            found = kept.get(index)
            if found is None:
                part = face_system(self.problem, [self.faces[a] for a in members],
                                   [self.neurons[a] for a in members])
                found = kept[index] = exact_roots(boxes, part.equations, part.ctx)
            for a, root in zip(members, found):
                roots[a] = root
            changed = True
        if not changed:
            return self
        return NeuronPoint(self.problem, self.faces, self.neurons, tuple(roots), self.signs)

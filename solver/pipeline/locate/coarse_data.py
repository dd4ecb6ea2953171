"""A problem's float data for the coarse proofs (:mod:`solver.pipeline.locate.coarse`),
kept per face, and the KKT excess table of a face set solved elsewhere (a scale-out seed).

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.face_systems import neuron_data
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 1], "1/10", 1)
>>> faces = [f for f in unit_faces(problem.x) if f.dim > 0 and f.positive]
>>> floats = ProblemFloats(problem, {f.signs: neuron_data(problem, f) for f in faces})
>>> floats.lifted.tolist(), floats.y.tolist()
([[0.0, 1.0], [1.0, 1.0]], [1.0, 1.0])
"""

from __future__ import annotations

import numpy as np

from solver.pipeline.locate.coarse import (
    FaceFloats,
    SetFloats,
    at_box,
    excess_signs,
    face_floats,
    to_floats,
)
from solver.pipeline.locate.intervals import U, rounded, up


class ProblemFloats:
    """A problem's float data for :func:`prove_many`, kept per face: the lifted points and
    ``y``, each set's :class:`SetFloats`, the table of every face (``column``: a face's
    sign vector -> its column) and the KKT excess signs of ``y`` (the empty set)."""

    def __init__(self, problem, data: dict) -> None:
        self.problem, self.data = problem, data
        self.lifted = np.array([[float(v) for v in h] for h in problem.lifted_q])
        self.y = np.array([float(v) for v in problem.y_q])
        self.yy = float(sum(v**2 for v in problem.y_q))  # |y|^2, for the float stage
        self.column = {signs: j for j, signs in enumerate(data)}
        self._faces: dict[tuple, tuple] = {}
        self._dense: dict[tuple[str, int], np.ndarray] = {}  # see stacked
        self._table: FaceFloats | None = None
        self._of_y: np.ndarray | None = None

    def of_set(self, key: tuple) -> SetFloats:
        """The :class:`SetFloats` of the face set of these sign vectors."""
        parts = [self._face(signs) for signs in key]
        return SetFloats(tuple([p[1] for p in parts]), tuple([p[2] for p in parts]),
                         tuple([p[0] for p in parts]), tuple([p[3] for p in parts]), self)

    def _face(self, signs: tuple) -> tuple:
        """A face's float ``M``, ``V``, signs (int8) and column (kept)."""
        found = self._faces.get(signs)
        if found is None:
            nd = self.data[signs]
            found = self._faces[signs] = (to_floats(nd.M), to_floats(nd.V),
                                          np.array(signs, dtype=np.int8), self.column[signs])
        return found

    def stacked(self, field: str, size: int, cols: np.ndarray) -> np.ndarray:
        """The faces' ``field`` (``"M"``, ``"V"`` or ``"wants"``, as in :class:`SetFloats`)
        of the columns ``cols``, all of faces of this size, stacked: gathered from one
        array of every face's (kept; zeros for the faces of other sizes)."""
        key = (field, size if field != "wants" else 0)
        dense = self._dense.get(key)
        if dense is None:
            at = {"M": 0, "V": 1, "wants": 2}[field]
            parts = [self._face(signs)[at] for signs in self.data]
            if field != "wants":
                parts = [p if p.shape[1] == size else np.zeros((p.shape[0], size))
                         for p in parts]
            dense = self._dense[key] = np.stack(parts)
        return dense[cols]

    def table(self) -> FaceFloats:
        """Every face's float data for :func:`excess_signs` (in ``column`` order)."""
        if self._table is None:
            self._table = face_floats(list(self.data.values()), self.problem.lam_q)
        return self._table

    def seeded(self, roots) -> np.ndarray | None:
        """The KKT excess signs of a face set's interior solution given as a pending box
        (solved elsewhere, no table kept), from its coarse box; None if there is none."""
        solution = getattr(roots[0], "solution", None) if roots else None
        if solution is None or not solution.pending or any(
                getattr(r, "solution", None) is not solution for r in roots):
            return None
        mid = np.array([float(b.mid()) for b in solution.quick])
        rad = np.array([float(b.rad()) for b in solution.quick])
        # the ball's midpoint rounded to float (error <= u |mid|), its radius rounded up
        rad = up(rad * (1 + 4 * U) + 2 * U * np.abs(mid), 2)
        key = tuple(nd.face.signs for nd in solution.face_problem.nds)
        _, excess = at_box(solution.face_problem, mid, rad, self.of_set(key), self.lifted,
                           self.y, self.table())
        return excess

    def of_y(self) -> np.ndarray:
        """The KKT excess signs of ``r = y`` against every face."""
        if self._of_y is None:
            with np.errstate(all="ignore"):
                self._of_y = excess_signs(rounded(self.y[None, :]), self.table())[0]
        return self._of_y

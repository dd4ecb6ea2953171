"""Every set of distinct alive faces, decided once: decoupled, pruned or located.

A face set has at most one *interior solution* (convexity of ``J``, see
:mod:`solver.pipeline.locate.interior`); :class:`NeuronEnumerator` finds it or rules it
out from the set's subsets, and keeps it when its neuron directions lie in their faces
(:mod:`solver.pipeline.locate.in_faces`).

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 1], "1/10", 1)
>>> alive = [f for f in unit_faces(problem.x) if f.dim > 0 and f.positive]
>>> enumerator = NeuronEnumerator(problem, alive)
>>> [p.k for p in enumerator.points(())], enumerator.systems_solved
([0], 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from flint import fmpq_mat

from solver.errors import DegenerateProblemError
from solver.pipeline.decision import Decision, Signs
from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData, components, face_system, neuron_data
from solver.pipeline.locate.coarse import UNDECIDED, Coarse, prove_many
from solver.pipeline.locate.coarse_data import ProblemFloats
from solver.pipeline.locate.eliminate import positive_solutions
from solver.pipeline.locate.face_problem import FaceProblem, fill_floats
from solver.pipeline.locate.first_order import decoupled_signs
from solver.pipeline.locate.interior import locate
from solver.pipeline.locate.kkt import KktPruning
from solver.pipeline.locate.minimise import minimise_many
from solver.pipeline.locate.near import pruned_near
from solver.pipeline.locate.point import EXACT_NEURONS, NeuronPoint
from solver.pipeline.locate.pruning import Pruning, Support
from solver.pipeline.locate.signs import CoarseSigns
from solver.pipeline.segments import identical_faces, settle_segment
from solver.problem import Problem

# A face set's interior solution (its roots, or None) and its neurons' signs of ``a``
# (None: the solution is outside its faces).
Entry = tuple[tuple | None, Signs | None]


@lru_cache(maxsize=64)
def _zero(rows: int, cols: int) -> fmpq_mat:
    """The zero matrix of this shape (compared with, never changed)."""
    return fmpq_mat(rows, cols)


_SOLUTION, _DECOUPLED, _PRUNED = Decision("solution"), Decision("decoupled"), Decision("pruned")
_PAIR, _APART = ((0, 1),), ((0,), (1,))  # the parts of a coupled and a decoupled pair


class NeuronEnumerator(KktPruning):
    """Critical points of every set of distinct alive faces, solved once each.

    A face set has at most one *interior solution* (every ``s_a > 0``; convexity, see
    :mod:`solver.pipeline.locate.interior`), found or ruled out from its subsets' solutions:

    * sets whose faces share no data point (``M_a^T M_b = 0``: the system is block
      diagonal) combine the solutions of their connected parts;
    * a connected set is *pruned* when a proper subset's solution satisfies the strict
      KKT conditions for the other faces (no polynomial work at all);
    * otherwise it has exactly one interior solution, located numerically and proved
      in an isolating box (:func:`solver.pipeline.locate.interior.locate`);
      :meth:`NeuronPoint.exact` adds minimal polynomials for the points that are reported.

    The interior solution is then kept when its neuron directions lie in their faces.
    Subsets must be enumerated before the sets containing them (any missing subset is
    solved on demand). With ``record``, :attr:`decisions` notes how every set solved here
    was settled (:class:`Decision`).
    """

    def __init__(self, problem: Problem, alive: Sequence[UnitFace], record: bool = False,
                 data: dict[tuple, NeuronData] | None = None) -> None:
        self.problem = problem
        # the faces' λ-free data (pass it to share it between enumerators at several λ)
        self.data = data if data is not None else {
            f.signs: neuron_data(problem, f) for f in alive}
        self.record = record
        self.decisions: dict[tuple, Decision] = {}  # with ``record``: how each set was settled
        self._solved: dict[tuple, Entry] = {}  # by the faces' sign vectors
        self._signs = CoarseSigns(problem)
        self._couplings: dict[tuple, bool] = {}  # see _coupled
        self._split: dict[tuple, Sequence[Sequence[int]]] = {}  # decoupled: parts (prepare)
        self._products: dict[tuple, object] = {}  # M_a^T M_b and M_a^T y (FaceProblem)
        self._prunings: dict[tuple, Pruning] = {}  # settled ahead by prepare(), and starts
        self._starts: dict[tuple, tuple[FaceProblem, object, Coarse | None]] = {}
        self._floats = ProblemFloats(problem, self.data)  # float data of the coarse proofs
        self._init_kkt()
        self._tables: dict[tuple, np.ndarray] = {}  # decoupled sets' first-order signs
        self.systems_solved = 0

    def prepare(self, sets: Sequence[Sequence[UnitFace]], subsets: bool = True) -> None:
        """Decide the pruning of every set not solved yet, minimise ``J`` for all those
        with an interior solution in one batch
        (:func:`~solver.pipeline.locate.minimise.minimise_many`) and give them their
        coarse proofs in one more (:func:`~solver.pipeline.locate.coarse.prove_many`:
        box, face signs and, with ``subsets`` (the sets will prune larger ones), the KKT
        excess against every face); :meth:`entry` then settles them one by one. Decoupled
        sets get their first-order signs from their parts' (in one more batch). Proper
        subsets must be solvable already. Saves time only: :meth:`entry` gives the same.
        """
        todo: list[tuple[tuple, FaceProblem]] = []
        data, decoupled = self.data, []
        for faces in sets:
            faces = tuple(faces)
            key = tuple([f.signs for f in faces])
            if (not faces or key in self._solved or key in self._prunings
                    or self.known(key) is not None):
                continue
            nds = tuple([data[s] for s in key])
            if len(nds) == 2:  # the parts of a pair, without components()
                parts = _PAIR if self._coupled(*nds) else _APART
            else:
                parts = self._parts(nds)
            if len(parts) > 1:
                self._split[key] = parts
                decoupled.append((key, faces))
                continue
            pruning = self._pruned(faces)
            self._prunings[key] = pruning
            if pruning.support is Support.FULL:
                todo.append((key, FaceProblem(self.problem, nds, self._products, self._floats.yy)))
        problems = [fp for _, fp in todo]
        fill_floats(problems)
        starts = minimise_many(problems)
        coarse = prove_many(problems, starts, [self._floats.of_set(key) for key, _ in todo],
                            self._floats.lifted, self._floats.y,
                            self._floats.table() if subsets else None)
        for (key, fp), start, proof in zip(todo, starts, coarse):
            self._starts[key] = (fp, start, proof)
        self._tables.update(decoupled_signs(decoupled, self.entry, self._floats))

    def points(self, faces: Sequence[UnitFace]) -> list[NeuronPoint]:
        """The neuron point of ``faces`` (in the given order), if it has one in its faces."""
        faces = tuple(faces)
        roots, signs = self.entry(faces)
        if roots is None or signs is None:
            return []
        key = tuple([f.signs for f in faces])
        return [NeuronPoint(self.problem, faces, tuple([self.data[s] for s in key]), roots, signs,
                            self._tables.get(key))]

    def entry(self, faces: tuple[UnitFace, ...]) -> Entry:
        """The set's interior solution (roots, or None) and its neurons' signs (or None:
        outside its faces), solved on first use or taken from :meth:`known`."""
        key = tuple([f.signs for f in faces])
        found = self._solved.get(key)
        if found is None:
            found = self.known(key)
            found = self._solved[key] = found if found is not None else self._solve(faces)
        return found

    def known(self, key: tuple) -> Entry | None:
        """An entry solved elsewhere (scale-out seeds), or None: solve it here."""
        return None

    def _solve(self, faces: tuple[UnitFace, ...]) -> Entry:
        decision, entry = self._settle(faces)
        if self.record:
            self.decisions[tuple(f.signs for f in faces)] = decision
        return entry

    def _settle(self, faces: tuple[UnitFace, ...]) -> tuple[Decision, Entry]:
        """How the set is settled, and its entry (see the class docstring)."""
        if not faces:
            return _SOLUTION, ((), ())
        key = tuple([f.signs for f in faces])
        nds = tuple([self.data[s] for s in key])
        pruning = self._prunings.pop(key, None)  # prepare() found the set connected
        if pruning is None:
            parts = self._split.pop(key, None) or self._parts(nds)
            if len(parts) > 1:
                decision = _DECOUPLED  # with its parts only when recorded
                if self.record:
                    decision = Decision("decoupled", parts=tuple(
                        [tuple([faces[i].signs for i in p]) for p in parts]))
                return decision, self._combine(faces, parts)
            pruning = self._pruned(faces)
        if pruning.support is Support.SUBSET:
            if not self.record:  # (what pruned it is only recorded)
                return _PRUNED, (None, None)
            decision = Decision("pruned", by=tuple(f.signs for f in pruning.by),
                                tied=tuple(f.signs for f in pruning.tied),
                                twins=tuple((b.signs, a.signs) for b, a in pruning.twins),
                                zeros=tuple((i, tuple(f.signs for f in part), point.roots)
                                            for i, part, point in pruning.zeros))
            return decision, (None, None)
        self.systems_solved += 1
        if pruning.support is Support.UNDECIDED and (pair := identical_faces(nds)):
            return settle_segment(self.problem, faces, nds, pair, self.entry,
                                  self._residual), (None, None)  # two faces with one P
        if pruning.support is Support.UNDECIDED:  # a multiplier exactly zero: eliminate
            try:
                roots = self._eliminate(faces, nds)
            except DegenerateProblemError:
                decision = pruned_near(self.problem, faces, pruning.undecided, self.data,
                                       self._residual, self.entry)  # elimination cannot
                if decision is None:
                    raise
                self.systems_solved -= 1
                return decision, (None, None)
            if roots is None:
                return Decision("none"), (None, None)
        else:
            face_problem, start, proof = self._starts.pop(key, (None, None, None))
            roots = locate(self.problem, nds, face_problem=face_problem, start=start,
                           quick=None if proof is None else (proof.mid, proof.rad),
                           coarse=proof)
            if proof is not None:
                if proof.excess is not None:
                    self._excesses[key] = proof.excess
                if proof.signs is not UNDECIDED:  # decided in floats, rigorously
                    return _SOLUTION, (roots, proof.signs)
        candidate = NeuronPoint(self.problem, faces, nds, roots, ())
        return _SOLUTION, (roots, self._signs.face_signs(candidate))

    def _combine(self, faces: tuple[UnitFace, ...], parts: Sequence[Sequence[int]]) -> Entry:
        """The entry of a decoupled set from its parts' entries."""
        roots: list = [None] * len(faces)
        signs: list | None = [0] * len(faces)
        for part in parts:
            r, sg = self.entry(tuple(faces[i] for i in part))
            if r is None:
                return None, None
            for pos, i in enumerate(part):
                roots[i] = r[pos]
                if signs is not None:
                    signs[i] = sg[pos] if sg is not None else 0
            if sg is None:
                signs = None
        return tuple(roots), (tuple(signs) if signs is not None else None)

    def _eliminate(self, faces, nds):
        """The interior solution by exact elimination (None if there is none)."""
        if len(faces) > EXACT_NEURONS:
            raise DegenerateProblemError(
                "degenerate data: a KKT multiplier of a face set is exactly zero "
                f"(faces {', '.join(f.pattern for f in faces)})"
            )
        system = face_system(self.problem, faces, nds)
        found = positive_solutions(system.equations, system.ctx)
        if len(found) > 1:
            raise DegenerateProblemError(
                f"degenerate data: faces {', '.join(f.pattern for f in faces)} have several "
                "critical points where convexity allows one (a positive-dimensional set)"
            )
        return found[0] if found else None

    def _parts(self, nds: tuple[NeuronData, ...]) -> list[list[int]]:
        """:func:`~solver.pipeline.face_systems.components` with the kept couplings."""
        return components(nds, self._coupled)

    def _coupled(self, a: NeuronData, b: NeuronData) -> bool:
        """:func:`~solver.pipeline.face_systems.coupled`, kept per pair of faces (by their
        data objects, which :attr:`data` keeps)."""
        key = (id(a), id(b))
        found = self._couplings.get(key)
        if found is None:
            # from the exact block M_a^T M_b, kept when it is not zero (the located sets'
            # S is assembled from it); zero at once when no point is seen by both faces
            pair, block = (a.face.signs, b.face.signs), None
            if a.seen & b.seen:
                block = self._products.get(pair)
                if block is None:
                    block = a.Mt * b.M
            found = self._couplings[key] = block is not None and block != _zero(a.size, b.size)
            if found:
                self._products[pair] = block
        return found

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

import numpy as np
from flint import arb, arb_mat
from flint import ctx as flint_ctx

from solver.errors import DegenerateProblemError
from solver.pipeline.decision import Decision, Signs
from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData, components, face_system, neuron_data, seen_mask
from solver.pipeline.locate.coarse import UNDECIDED, Coarse, prove_many
from solver.pipeline.locate.coarse_data import ProblemFloats
from solver.pipeline.locate.eliminate import positive_solutions
from solver.pipeline.locate.face_problem import FaceProblem, fill_floats
from solver.pipeline.locate.first_order import decoupled_signs
from solver.pipeline.locate.interior import QUICK_PREC, locate
from solver.pipeline.locate.minimise import minimise_many
from solver.pipeline.locate.near import pruned_near
from solver.pipeline.locate.point import EXACT_NEURONS, NeuronPoint
from solver.pipeline.locate.pruning import Kkt, Pruning, Support, independent, proper_subsets, zeros
from solver.pipeline.locate.signs import CoarseSigns
from solver.pipeline.locate.ties import Ties, twins_not_opposite
from solver.pipeline.numbers import MAX_PREC, working_precision
from solver.pipeline.segments import identical_faces, settle_segment
from solver.problem import Problem

# A face set's interior solution (its roots, or None) and its neurons' signs of ``a``
# (None: the solution is outside its faces).
Entry = tuple[tuple | None, Signs | None]


class NeuronEnumerator:
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
        self._residuals: dict[tuple[tuple, int], arb_mat] = {}
        self._signs = CoarseSigns(problem)
        self._balls: dict[tuple, tuple] = {}  # see _face_balls
        self._couplings: dict[tuple, bool] = {}  # see _coupled
        self._products: dict[tuple, object] = {}  # M_a^T M_b and M_a^T y (FaceProblem)
        self._prunings: dict[tuple, Pruning] = {}  # settled ahead by prepare(), and starts
        self._starts: dict[tuple, tuple[FaceProblem, object, Coarse | None]] = {}
        # float data of the coarse proofs, and each located set's signs of the KKT excess
        self._floats = ProblemFloats(problem, self.data)  # against every face (by column)
        self._excesses: dict[tuple, np.ndarray | None] = {}
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
            if len(self._parts(nds)) > 1:
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
            return Decision("solution"), ((), ())
        nds = tuple(self.data[f.signs] for f in faces)
        key = tuple(f.signs for f in faces)
        pruning = self._prunings.pop(key, None)  # prepare() found the set connected
        if pruning is None:
            parts = self._parts(nds)
            if len(parts) > 1:
                decision = Decision("decoupled",
                                    parts=tuple(tuple(faces[i].signs for i in p) for p in parts))
                return decision, self._combine(faces, parts)
            pruning = self._pruned(faces)
        if pruning.support is Support.SUBSET:
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
                    return Decision("solution"), (roots, proof.signs)
        candidate = NeuronPoint(self.problem, faces, nds, roots, ())
        return Decision("solution"), (roots, self._signs.face_signs(candidate))

    def _combine(self, faces: tuple[UnitFace, ...], parts: list[list[int]]) -> Entry:
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

    def _residual(self, faces: tuple[UnitFace, ...], prec: int) -> arb_mat:
        """``r`` at the interior solution of ``faces`` (balls at ``prec`` bits)."""
        key = (tuple(f.signs for f in faces), prec)
        if key not in self._residuals:
            roots, _ = self.entry(faces)
            with working_precision(prec):
                if faces:
                    nds = tuple(self.data[f.signs] for f in faces)
                    point = NeuronPoint(self.problem, faces, nds, roots, ())
                    r = point.values(prec).residual
                else:
                    r = [arb(v) for v in self.problem.y_q]
                self._residuals[key] = arb_mat(len(r), 1, r)
        return self._residuals[key]

    def _pruned(self, faces: tuple[UnitFace, ...]) -> Pruning:
        """Whether a proper subset's solution meets the strict KKT conditions of the rest
        (then that subset and its tied faces: no interior solution), or no subset does
        (exactly one), or a multiplier is zero to the working precision (undecided, as
        for exact ties in the data)."""
        undecided: list[tuple[UnitFace, ...]] = []
        solved = self._solved
        for keep, rest in proper_subsets(len(faces)):
            sub = tuple([faces[i] for i in keep])
            key = tuple([f.signs for f in sub])
            if sub and (solved.get(key) or self.entry(sub))[0] is None:
                continue
            verdict, tied, twins, zeros = self._kkt(sub, [faces[i] for i in rest], key)
            if verdict is Kkt.HOLDS or verdict is Kkt.TWINS:
                return Pruning(Support.SUBSET, sub, tied, twins, zeros)
            if verdict is Kkt.UNDECIDED:
                undecided.append(sub)
        if undecided:
            return Pruning(Support.UNDECIDED, undecided=tuple(undecided))
        return Pruning(Support.FULL)

    def _kkt(self, sub, others, key: tuple | None = None,
             ) -> tuple[Kkt, tuple[UnitFace, ...], tuple, tuple]:
        """Whether ``(s_sub, 0)`` is the only minimiser of ``J`` (``HOLDS``):
        ``|M_b^T r_sub| < lam`` for every other face ``b``, or ``= lam`` exactly by a tie
        (:class:`~solver.pipeline.locate.ties.Ties`) with the vectors ``P_c r_sub`` of all
        the faces linearly independent; ``TWINS`` when they are not but a tied face is
        the twin of its partner (no interior solution inside the faces); ``FAILS`` if
        some ``|M_b^T r_sub| > lam``; ``UNDECIDED`` otherwise. With the tied faces and
        the twins ``(b, a)`` and the residuals proved zero in a number field.
        """
        ties: Ties | None = None  # made when first asked (the empty set has no ties)
        if key is None:  # the faces' sign vectors
            key = tuple([f.signs for f in sub])
        # no table kept (a seed): from its coarse box
        table = self._excesses.get(key) if sub else self._floats.of_y()
        if sub and key not in self._excesses:
            table = self._excesses[key] = self._floats.seeded(self.entry(sub)[0])
        if table is not None:
            # the common case first, as the loop below decides it: every other face's
            # excess sign decided negative (HOLDS, nothing tied) or the first one not
            # negative decided positive (FAILS, nothing tied yet)
            column = self._floats.column
            for face in others:
                q = table[column[face.signs]]
                if q < 0:
                    continue
                if q > 0:
                    return Kkt.FAILS, (), (), ()
                break
            else:
                return Kkt.HOLDS, (), (), ()
        quick: arb_mat | None | bool = False  # not asked yet
        tied: list[UnitFace] = []
        partners: list[UnitFace] = []
        for face in others:
            if table is not None:
                # the float enclosure decides most faces first: a tie makes the excess
                # exactly zero (Lemma 4), so a sign it decides is not a tie
                q = table[self._floats.column[face.signs]]
                if q < 0:
                    continue
                if q > 0:
                    return Kkt.FAILS, tuple(tied), (), ()
            # a tie through y_i = 0 is seen without arithmetic; one through aligned faces
            # (Lemma 3) needs balls: tried once the sign is undecided at 64 bits
            if ties is None and sub:
                ties = Ties(self.problem, sub, self.data,
                            lambda prec: self._residual(sub, prec), self._point)
            partner = ties.partner(face, aligned=False) if ties is not None else None
            if partner is None and quick is False:
                quick = self._quick_residual(sub)
            if partner is None and quick is not None:
                # the coarse enclosure decides most faces (a sign it decides is not a tie)
                with working_precision(QUICK_PREC + 32):
                    q = self._excess(face, quick)
                if q < 0:
                    continue
                if q > 0:
                    return Kkt.FAILS, tuple(tied), (), ()
            prec = 64
            while partner is None:
                with working_precision(prec):
                    q = self._excess(face, self._residual(sub, prec))
                if q < 0:
                    break
                if q > 0:
                    return Kkt.FAILS, tuple(tied), (), ()
                if prec == 64 and ties is not None:
                    partner = ties.partner(face)
                if prec >= MAX_PREC:
                    return Kkt.UNDECIDED, tuple(tied), (), ()
                prec *= 4
            if partner is not None:
                tied.append(face)
                partners.append(partner)
        # Every minimiser has s_b = 0 where the multiplier is > 0, so only the faces of
        # sub and the tied ones can carry weight; their s is unique if independent.
        if tied and not independent(lambda prec: self._residual(sub, prec),
                                    [self.data[f.signs] for f in (*sub, *tied)]):
            twins = tuple((b, a) for b, a in zip(tied, partners)
                          if twins_not_opposite(a.signs, b.signs))
            verdict = Kkt.TWINS if twins else Kkt.UNDECIDED
            return verdict, tuple(tied), twins[:1], zeros(ties)
        return Kkt.HOLDS, tuple(tied), (), zeros(ties) if tied else ()

    def _point(self, faces: tuple[UnitFace, ...]) -> NeuronPoint | None:
        """The interior solution of ``faces`` as a point, or None."""
        roots, _ = self.entry(faces)
        if roots is None:
            return None
        return NeuronPoint(self.problem, faces, tuple(self.data[f.signs] for f in faces),
                           roots, ())

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
            if seen_mask(pair[0]) & seen_mask(pair[1]):
                block = self._products.get(pair)
                if block is None:
                    block = a.M.transpose() * b.M
            found = self._couplings[key] = block is not None and any(block.entries())
            if found:
                self._products[pair] = block
        return found

    def _excess(self, face: UnitFace, r: arb_mat) -> arb:
        """``|M_b^T r|^2_{G_b^{-1}} - lam^2`` of face ``b`` (balls at the current
        precision)."""
        Mt, G_inv, lam2 = self._face_balls(face)
        u = Mt * r
        return (u.transpose() * G_inv * u)[0, 0] - lam2

    def _face_balls(self, face: UnitFace) -> tuple[arb_mat, arb_mat, arb]:
        """``M^T``, ``G^{-1}`` and ``lam^2`` as balls at the current precision (kept)."""
        key = (face.signs, flint_ctx.prec)
        found = self._balls.get(key)
        if found is None:
            nd = self.data[face.signs]
            lam = arb(self.problem.lam_q)
            found = self._balls[key] = (arb_mat(nd.M.transpose()), arb_mat(nd.G_inv),
                                        lam * lam)
        return found

    def _quick_residual(self, faces: tuple[UnitFace, ...]) -> arb_mat | None:
        """``r`` at the coarse enclosure of a pending box solution of ``faces`` (at
        ``QUICK_PREC + 32`` bits), or None (no such solution: use :meth:`_residual`)."""
        roots, _ = self.entry(faces) if faces else (None, None)
        solution = getattr(roots[0], "solution", None) if roots else None
        if solution is None or not solution.pending or any(
                getattr(r, "solution", None) is not solution for r in roots):
            return None
        return solution.quick_state()[2]

"""The KKT pruning test of a face set against its subsets' interior solutions.

A connected face set has no interior solution when a proper subset's solution meets
the strict KKT conditions of the other faces (see
:mod:`solver.pipeline.locate.interior`); :class:`KktPruning` runs that test for
:class:`~solver.pipeline.locate.enumerator.NeuronEnumerator` (which mixes it in): first
from the float KKT excess tables of the coarse proofs, then in ``arb`` balls at rising
precision, with exact ties (:mod:`solver.pipeline.locate.ties`) where a multiplier is
zero.

Examples
--------
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.locate.enumerator import NeuronEnumerator
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, -1], "1/10", 2)
>>> alive = [f for f in unit_faces(problem.x) if f.dim > 0 and f.positive]
>>> enumerator = NeuronEnumerator(problem, alive)
>>> # y = (1, -1) at h = (0, 1), (1, 1): |M_b^T y|_{G_b^{-1}} >= 1/sqrt(2) > lam for every
>>> # face b, so the empty set's solution r = y fails the KKT test of every single face
>>> {enumerator._pruned((f,)).support.value for f in alive}
{'full'}
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from flint import arb, arb_mat
from flint import ctx as flint_ctx

from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData
from solver.pipeline.locate.coarse_data import ProblemFloats
from solver.pipeline.locate.interior import QUICK_PREC
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.locate.pruning import Kkt, Pruning, Support, independent, proper_subsets, zeros
from solver.pipeline.locate.ties import Ties, twins_not_opposite
from solver.pipeline.numbers import MAX_PREC, working_precision
from solver.problem import Problem

_FULL = Pruning(Support.FULL)


class KktPruning:
    """The pruning test of :class:`~solver.pipeline.locate.enumerator.NeuronEnumerator`
    (mixed in; ``entry`` gives a subset's interior solution)."""

    problem: Problem
    data: dict[tuple, NeuronData]
    _solved: dict
    _floats: ProblemFloats
    entry: Callable[[tuple[UnitFace, ...]], tuple]  # the enumerator's: a set's entry

    def _init_kkt(self) -> None:
        self._residuals: dict[tuple[tuple, int], arb_mat] = {}
        self._balls: dict[tuple, tuple] = {}  # see _face_balls
        # each located set's signs of the KKT excess against every face (by column)
        self._excesses: dict[tuple, np.ndarray | None] = {}

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
        found = self._pruned_by_tables(faces)
        if found is not None:
            return found
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

    def _pruned_by_tables(self, faces: tuple[UnitFace, ...]) -> Pruning | None:
        """:meth:`_pruned` when the float excess tables of the subsets decide it alone (the
        common case: each test's signs read up to the first one not negative, as
        :meth:`_kkt` reads them first), or None (a subset not solved yet, without a table,
        or a sign the table leaves open: ask :meth:`_kkt`)."""
        solved, tables, column = self._solved, self._excesses, self._floats.column
        signs = [f.signs for f in faces]
        for keep, rest in proper_subsets(len(faces)):
            if keep:
                key = tuple([signs[i] for i in keep])
                found = solved.get(key)
                if found is None:
                    return None
                if found[0] is None:
                    continue
                table = tables.get(key)
            else:
                table = self._floats.of_y()
            if table is None:
                return None
            for i in rest:
                q = table[column[signs[i]]]
                if q < 0:
                    continue
                if q > 0:
                    break  # FAILS: the next subset
                return None
            else:  # HOLDS, nothing tied
                return Pruning(Support.SUBSET, tuple([faces[i] for i in keep]))
        return _FULL

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

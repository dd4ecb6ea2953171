"""A face set's verdict at one λ, decided by the solver's own machinery.

Between two consecutive breakpoints (:mod:`solver.regpath.breakpoints`) a face set's verdict
is constant, so it is decided once per interval, at a rational λ inside it, exactly as
:func:`solver.solve` decides it: the interior solution by KKT pruning or a proved box
(:class:`~solver.pipeline.locate.enumerator.NeuronEnumerator`), its faces, and the
certificate (:func:`~solver.pipeline.certify.certify`). The enumerators of the sampled λs
are kept, so that the subsets of one face set solved at a λ serve every other set sampled
there.



Examples
--------
>>> from fractions import Fraction as F
>>> from solver.pipeline.divide import unit_faces
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),)); y = (F(1, 4), F(-1, 4), F(5, 4))
>>> judge = Judge(x, y, 1)
>>> face = [f for f in judge.alive if f.pattern == "+++"][0]
>>> judge.status((face,), F(1, 2)), judge.status((face,), F(1, 10))
(SetVerdict(minimum=True, ends=False), SetVerdict(minimum=False, ends=False))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from solver.pipeline.certify import certify
from solver.pipeline.divide import UnitFace, unit_faces
from solver.pipeline.face_systems import neuron_data
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.problem import Problem


@dataclass(frozen=True, slots=True)
class SetVerdict:
    """A face set's verdict: ``minimum`` — its point (with every unit alive, split over
    its neurons when units outnumber them) is a certified minimum (for the empty set:
    the all-dead point is); ``ends`` — with fewer neurons than units, the configurations
    with dead units (the split sets' endpoints) are minima too."""

    minimum: bool
    ends: bool


NONE = SetVerdict(False, False)


class Judge:
    """Verdicts of face sets at rational λs for one data set and number of units."""

    def __init__(self, x, y, units: int) -> None:
        self.x = tuple(tuple(r) for r in x)
        self.y = tuple(y)
        self.units = units
        self.faces = unit_faces(self.x)
        self.alive = tuple(f for f in self.faces if f.dim > 0 and f.positive)
        self.problem = Problem(self.x, self.y, Fraction(1), units)
        self.data = {f.signs: neuron_data(self.problem, f) for f in self.alive}
        self._enumerators: dict[Fraction, NeuronEnumerator] = {}

    @property
    def lams(self) -> int:
        """How many λs verdicts were decided at."""
        return len(self._enumerators)

    def enumerator(self, lam: Fraction) -> NeuronEnumerator:
        """The (cached) enumerator at ``lam``."""
        found = self._enumerators.get(lam)
        if found is None:
            found = self._enumerators[lam] = NeuronEnumerator(
                self.problem.with_lam(lam), self.alive, data=self.data)
        return found

    def status(self, faces: Sequence[UnitFace], lam: Fraction) -> SetVerdict:
        """The verdict of ``faces`` (distinct alive faces) at ``lam``."""
        points = self.enumerator(lam).points(tuple(faces))
        if not points:
            return NONE
        verdict = certify(points[0], self.faces, need_dead=self.units > len(faces))
        if not faces:
            return SetVerdict(verdict.dead_ok, verdict.dead_ok)
        return SetVerdict(verdict.alive_ok, verdict.alive_ok and verdict.dead_ok)

"""The outcomes of the KKT pruning test of a face set (see
:class:`~solver.pipeline.locate.enumerator.NeuronEnumerator`).

Examples
--------
>>> Pruning(Support.FULL).by
()
>>> Kkt("twins") is Kkt.TWINS
True
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from solver.pipeline.divide import UnitFace


class Support(Enum):
    """Where a face set's minimiser of ``J`` has its support, by its subsets' KKT tests."""

    SUBSET = "subset"  # a proper subset's solution is the minimiser: no interior solution
    FULL = "full"  # every minimiser has full support: exactly one interior solution
    UNDECIDED = "undecided"  # a multiplier is zero to the working precision: eliminate


class Kkt(Enum):
    """The strict KKT test of a subset's solution against the other faces."""

    HOLDS = "holds"
    TWINS = "twins"  # minimisers of J exist beside (s_sub, 0), none inside the faces
    FAILS = "fails"
    UNDECIDED = "undecided"


@dataclass(frozen=True, slots=True)
class Pruning:
    """The outcome of the pruning test; for ``SUBSET``, the pruning subset ``by``, its
    tied faces and (when the tied faces may carry weight) the twins ``(b, a)`` that keep
    every interior solution out of its faces (:mod:`solver.pipeline.locate.ties`)."""

    support: Support
    by: tuple[UnitFace, ...] = ()
    tied: tuple[UnitFace, ...] = ()
    twins: tuple[tuple[UnitFace, UnitFace], ...] = ()
    zeros: tuple = ()  # (point, part, exact point): residuals proved zero in a number field

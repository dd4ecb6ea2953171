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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from itertools import combinations

from flint import arb_mat

from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData
from solver.pipeline.numbers import MAX_PREC, working_precision


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
    every interior solution out of its faces (:mod:`solver.pipeline.locate.ties`), or the
    face ``near`` that is outside at every residual near ``by``'s
    (:mod:`solver.pipeline.locate.near`)."""

    support: Support
    by: tuple[UnitFace, ...] = ()
    tied: tuple[UnitFace, ...] = ()
    twins: tuple[tuple[UnitFace, UnitFace], ...] = ()
    zeros: tuple = ()  # (point, part, exact point): residuals proved zero in a number field
    near: UnitFace | None = None  # SUBSET: the face outside near by's residual (near.py)
    undecided: tuple[tuple[UnitFace, ...], ...] = ()  # UNDECIDED: the subsets whose test was


@cache
def proper_subsets(k: int) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """The proper subsets of ``range(k)`` by decreasing size (each size in the order of
    :func:`itertools.combinations`), each with the indices not in it.

    >>> proper_subsets(2)
    (((0,), (1,)), ((1,), (0,)), ((), (0, 1)))
    """
    return tuple((keep, tuple(i for i in range(k) if i not in keep))
                 for size in range(k - 1, -1, -1) for keep in combinations(range(k), size))


def independent(residual: Callable[[int], arb_mat], nds: Sequence[NeuronData]) -> bool:
    """Whether the vectors ``P_c r`` (``c`` the faces of ``nds``, ``r = residual(prec)``)
    are shown linearly independent (their Gram determinant is > 0); False if that cannot
    be decided."""
    prec = 128
    while prec <= MAX_PREC:
        with working_precision(prec):
            r = residual(prec)
            cols = [arb_mat(nd.M * nd.G_inv * nd.M.transpose()) * r for nd in nds]
            n = r.nrows()
            Phi = arb_mat(n, len(cols))
            for c, col in enumerate(cols):
                for i in range(n):
                    Phi[i, c] = col[i, 0]
            det = (Phi.transpose() * Phi).det()
        if det > 0:
            return True
        prec *= 4
    return False


def zeros(ties) -> tuple:
    """The residuals that ``ties`` (:class:`~solver.pipeline.locate.ties.Ties`) proved
    zero in a number field, by point: ``(point, part, exact point)``, as
    :attr:`Pruning.zeros` holds them."""
    return tuple((i, part, point) for i, (part, point) in sorted(ties.exact.items()))

"""One problem: exact data, λ and the number of units, parsed once and passed down.

Every layer (the solving pipeline, scale-out, the checker, the dashboard) takes a
:class:`Problem` instead of loose ``(x, y, lam, units)``. Its exact forms for python-flint
are cached on first use (:func:`to_fmpq`, the one conversion both programs use); the cache
is dropped when a problem is pickled (python-flint's types mostly do not pickle), so the
object travels as plain fractions.

Examples
--------
>>> p = Problem.parse(["-0.17", "0.44"], ["0.05", "1.02"], "0.01", 2)
>>> p.n, p.d, p.units, p.lam
(2, 1, 2, Fraction(1, 100))
>>> p.lam_q
1/100
>>> p.lifted[0]
(Fraction(-17, 100), Fraction(1, 1))
>>> import pickle
>>> pickle.loads(pickle.dumps(p)) == p
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import flint

from solver.data import Dataset, DataShape, make_dataset, parse_lam, parse_units


def to_fmpq(v: Fraction) -> flint.fmpq:
    """A Python Fraction as a python-flint rational.

    >>> to_fmpq(Fraction(-3, 4))
    -3/4
    """
    return flint.fmpq(v.numerator, v.denominator)


@dataclass(frozen=True)
class Problem(DataShape):
    """The data ``x`` (n rows of d rationals), ``y`` (n rationals), ``lam > 0`` and ``units``.

    Build it with :meth:`parse` from user input (every check of :mod:`solver.data`), or
    directly from values already exact and valid.
    """

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    lam: Fraction
    units: int

    @classmethod
    def parse(cls, x: Iterable[object], y: Iterable[object], lam: object,
              units: object) -> Problem:
        """Parse user input exactly; bad input raises :class:`~solver.errors.SolverInputError`.

        >>> Problem.parse([0, 1], [1, 0], "1/10", 1).x
        ((Fraction(0, 1),), (Fraction(1, 1),))
        """
        return cls.of(make_dataset(x, y), parse_lam(lam), parse_units(units))

    @classmethod
    def of(cls, data: Dataset, lam: Fraction, units: int) -> Problem:
        """The problem of an already parsed data set."""
        return cls(data.x, data.y, lam, units)

    @property
    def dataset(self) -> Dataset:
        """The data alone."""
        return Dataset(self.x, self.y)

    def with_lam(self, lam: Fraction) -> Problem:
        """The same data and units at another λ (exact)."""
        return Problem(self.x, self.y, lam, self.units)

    @cached_property
    def lifted(self) -> tuple[tuple[Fraction, ...], ...]:
        """``(x_i, 1)``: the rows whose hyperplanes ``<(x_i, 1), (b, c)> = 0`` divide."""
        return tuple((*row, Fraction(1)) for row in self.x)

    @cached_property
    def lam_q(self) -> flint.fmpq:
        """λ as a python-flint rational."""
        return to_fmpq(self.lam)

    @cached_property
    def y_q(self) -> tuple[flint.fmpq, ...]:
        """``y`` as python-flint rationals."""
        return tuple(to_fmpq(v) for v in self.y)

    @cached_property
    def lifted_q(self) -> tuple[tuple[flint.fmpq, ...], ...]:
        """``(x_i, 1)`` as python-flint rationals."""
        return tuple(tuple(to_fmpq(v) for v in row) for row in self.lifted)

    @cached_property
    def lifted_mat(self) -> flint.fmpq_mat:
        """``H``: the rows ``(x_i, 1)`` as one python-flint matrix (shared: never mutate it).

        >>> Problem.parse([0, 1], [1, 0], "1/10", 1).lifted_mat.ncols()
        2
        """
        return flint.fmpq_mat([list(h) for h in self.lifted_q])

    def __reduce__(self) -> tuple:
        """Pickle the exact fields only (the cached python-flint forms are rebuilt)."""
        return (type(self), (self.x, self.y, self.lam, self.units))

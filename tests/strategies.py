"""Hypothesis strategies for small exact data sets (shared by the property tests).

Values are exact rationals with two decimals (``Fraction(-17, 100)``), so the exact solver
sees exactly what the float oracle sees up to rounding. Inputs are pairwise distinct;
``general_position`` (the default for d = 2) also rules out three collinear inputs,
which make split faces degenerate for the exact method.

Examples
--------
>>> from hypothesis import find
>>> p = find(problems(d=1, n_min=3, n_max=3), lambda p: True)
>>> p.n, p.d, len(set(p.x))
(3, 1, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from flint import fmpq, fmpq_mat
from hypothesis import strategies as st

LAMS = (Fraction(1, 100), Fraction(1, 20), Fraction(1, 5), Fraction(1, 2))


@dataclass(frozen=True)
class Problem:
    """One data set: ``x`` (n numbers for d = 1, else n rows), ``y``, ``lam``, all exact."""

    x: tuple
    y: tuple[Fraction, ...]
    lam: Fraction

    @property
    def n(self) -> int:
        """Number of points."""
        return len(self.y)

    @property
    def d(self) -> int:
        """Input dimension."""
        return len(self.x[0]) if isinstance(self.x[0], tuple) else 1

    @property
    def rows(self) -> tuple[tuple[Fraction, ...], ...]:
        """Inputs as rows of length d."""
        return tuple(r if isinstance(r, tuple) else (r,) for r in self.x)

    def floats(self) -> tuple[list, list[float], float]:
        """``(x, y, lam)`` as floats for the numerical oracle."""
        x = [float(v) for v in self.x] if self.d == 1 else [[float(v) for v in r]
                                                            for r in self.x]
        return x, [float(v) for v in self.y], float(self.lam)

    def __repr__(self) -> str:
        """Short exact form, readable in Hypothesis reports."""
        xs = [str(v) for v in self.x] if self.d == 1 else [[str(v) for v in r] for r in self.x]
        return f"Problem(x={xs}, y={[str(v) for v in self.y]}, lam={self.lam})"


def two_decimals(lo: Fraction | int, hi: Fraction | int) -> st.SearchStrategy[Fraction]:
    """Exact numbers ``k/100`` in ``[lo, hi]``.

    >>> from hypothesis import find
    >>> find(two_decimals(-1, 1), lambda v: v > Fraction(1, 2))
    Fraction(51, 100)
    """
    return st.integers(int(lo * 100), int(hi * 100)).map(lambda k: Fraction(k, 100))


def lams() -> st.SearchStrategy[Fraction]:
    """The ridge parameters used by the cross-checks."""
    return st.sampled_from(LAMS)


def _collinear(p: tuple[Fraction, ...], q: tuple[Fraction, ...], r: tuple[Fraction, ...]) -> bool:
    """Three points of the plane on one line (exactly)."""
    return (q[0] - p[0]) * (r[1] - p[1]) == (q[1] - p[1]) * (r[0] - p[0])


def in_general_position(rows: tuple[tuple[Fraction, ...], ...]) -> bool:
    """Distinct rows, for d = 2 no three on one line, for d >= 3 no ``d + 1`` on one
    hyperplane (nor fewer on a lower flat)."""
    if len(set(rows)) != len(rows):
        return False
    d = len(rows[0])
    if d == 1:
        return True
    if d == 2:
        return not any(_collinear(*t) for t in combinations(rows, 3))
    size = min(len(rows), d + 1)
    return all(fmpq_mat([[fmpq(v.numerator, v.denominator) for v in r] + [fmpq(1)]
                         for r in t]).rank() == size
               for t in combinations(rows, size))


@st.composite
def problems(draw, d: int, n_min: int, n_max: int, general_position: bool = True,
             x_range: int = 1, y_range: Fraction = Fraction(3, 2)) -> Problem:
    """Random data sets: n in ``[n_min, n_max]`` distinct inputs in ``[-x_range, x_range]^d``,
    targets in ``[-y_range, y_range]``, ``lam`` from :data:`LAMS`."""
    n = draw(st.integers(n_min, n_max))
    coord = two_decimals(-x_range, x_range)
    if d == 1:
        xs = draw(st.lists(coord, min_size=n, max_size=n, unique=True))
        x: tuple = tuple(xs)
    else:
        rows = st.tuples(*[coord] * d)
        x = tuple(draw(st.lists(rows, min_size=n, max_size=n, unique=True)
                       .filter(lambda r: not general_position or in_general_position(tuple(r)))))
    y = tuple(draw(st.lists(two_decimals(-y_range, y_range), min_size=n, max_size=n)))
    return Problem(x, y, draw(lams()))


@st.composite
def near_tie_problems(draw, d: int, n_min: int, n_max: int) -> Problem:
    """Data sets with near-ties: inputs 0.01 apart, equal or near-equal targets, zeros.

    Starts from :func:`problems` and moves some inputs next to another one (one coordinate
    off by +-0.01; for d = 2 only if no three inputs become collinear) and some targets
    onto or next to another target, or to 0.
    """
    base = draw(problems(d, n_min, n_max))
    rows = list(base.rows)
    y = list(base.y)
    n = len(rows)
    step = Fraction(1, 100)
    for i in draw(st.lists(st.integers(1, n - 1), max_size=n - 1, unique=True)):
        j = draw(st.integers(0, i - 1))
        k = draw(st.integers(0, d - 1))
        moved = list(rows[j])
        moved[k] += draw(st.sampled_from((-step, step)))
        if tuple(moved) not in rows:
            rows[i] = tuple(moved)
    for i in draw(st.lists(st.integers(0, n - 1), max_size=n, unique=True)):
        j = draw(st.integers(0, n - 1))
        y[i] = draw(st.sampled_from((y[j], y[j] + step, y[j] - step, Fraction(0))))
    if not in_general_position(tuple(rows)):
        rows = list(base.rows)
    x = tuple(r[0] for r in rows) if d == 1 else tuple(rows)
    return Problem(x, tuple(y), base.lam)


@st.composite
def grid_inputs(draw, d: int, n_min: int, n_max: int) -> tuple[tuple[Fraction, ...], ...]:
    """Distinct inputs (rows of ``d`` coordinates) on the half-integer grid of ``[-1, 1]^d``.

    Degenerate arrangements on purpose: inputs at 0 (the hyperplane ``c = 0``), mirrored
    pairs and, for d = 2, many collinear triples.

    >>> from hypothesis import find
    >>> rows = find(grid_inputs(2, 3, 3), lambda rows: True)
    >>> len(set(rows)), all(2 * v in (-2, -1, 0, 1, 2) for r in rows for v in r)
    (3, True)
    """
    coord = st.integers(-2, 2).map(lambda k: Fraction(k, 2))
    n = draw(st.integers(n_min, n_max))
    rows = draw(st.lists(st.tuples(*[coord] * d), min_size=n, max_size=n, unique=True))
    return tuple(rows)

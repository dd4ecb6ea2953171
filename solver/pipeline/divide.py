"""Divide: the faces of one unit's hyperplane arrangement.

For unit ``l`` the activation of data point ``i`` changes sign on the hyperplane
``<h_i, w> = 0`` of ``w = (b_l, c_l)``-space, ``h_i = (x_i, 1)``. All hyperplanes pass
through the origin, so the realisable sign vectors are the *covectors* of a central
arrangement: every covector is a composition of cocircuits (the sign vectors of the
arrangement's rays). We enumerate exactly that closure, never all ``3^n`` sign vectors.

Examples
--------
>>> from fractions import Fraction as F
>>> faces = unit_faces(((F(-1),), (F(1),)))
>>> len(faces), sum(f.dim == 2 for f in faces)
(9, 4)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import combinations

from flint import fmpq

from solver.pipeline.numbers import nullspace, rank, sign


@dataclass(frozen=True, slots=True)
class UnitFace:
    """One face of a unit's arrangement.

    ``signs[i]`` is +1, -1 or 0: the sign of ``<h_i, w>`` on the face. ``basis`` is a
    rational basis (columns, as tuples of rows) of the face's linear span; ``dim`` its
    dimension. The origin face has ``dim == 0``.
    """

    signs: tuple[int, ...]
    basis: tuple[tuple[Fraction, ...], ...]
    dim: int

    @property
    def positive(self) -> tuple[int, ...]:
        """Indices of the points the unit sees (strictly positive pre-activation)."""
        return tuple(i for i, s in enumerate(self.signs) if s > 0)

    @property
    def zero(self) -> tuple[int, ...]:
        """Indices of the active constraints (pre-activation exactly zero)."""
        return tuple(i for i, s in enumerate(self.signs) if s == 0)

    @property
    def pattern(self) -> str:
        """The sign vector as a string of ``+``, ``-`` and ``0``."""
        return _pattern(self.signs)


def pattern_of(signs: Sequence[int]) -> str:
    """A sign vector as a string of ``+``, ``-`` and ``0``.

    >>> pattern_of((1, 0, -1))
    '+0-'
    """
    return "".join("+" if s > 0 else "-" if s < 0 else "0" for s in signs)


@lru_cache(maxsize=1 << 16)
def _pattern(signs: tuple[int, ...]) -> str:
    """:func:`pattern_of` of a face's signs, kept (certification names faces often)."""
    return pattern_of(signs)


def lifted_points(x: Sequence[Sequence[Fraction]]) -> list[list[fmpq]]:
    """The hyperplane normals ``h_i = (x_i, 1)`` as flint rationals."""
    return [[fmpq(v.numerator, v.denominator) for v in row] + [fmpq(1)] for row in x]


def _compose(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Covector composition: ``a`` where it is non-zero, else ``b``."""
    return tuple(ai if ai else bi for ai, bi in zip(a, b))


def _cocircuits(h: list[list[fmpq]]) -> set[tuple[int, ...]]:
    """Sign vectors of the minimal non-zero faces (rays modulo the lineality space)."""
    n, m = len(h), len(h[0])
    r = rank(h)
    if r == 0:
        return set()
    lineality = nullspace(h, m)
    out: set[tuple[int, ...]] = set()
    seen_flats: set[frozenset[int]] = set()
    for subset in combinations(range(n), r - 1):
        rows = [h[i] for i in subset]
        if rank(rows) != r - 1:
            continue
        flat = nullspace(rows, m)
        # a vector of the flat outside the lineality space: project out lineality
        vec = _outside(flat, lineality, m)
        signs = tuple(sign(sum((hi[k] * vec[k] for k in range(m)), fmpq(0))) for hi in h)
        zero_set = frozenset(i for i, s in enumerate(signs) if s == 0)
        if zero_set in seen_flats:
            continue
        seen_flats.add(zero_set)
        out.add(signs)
        out.add(tuple(-s for s in signs))
    return out


def _outside(flat: list[list[fmpq]], lineality: list[list[fmpq]], m: int) -> list[fmpq]:
    """A vector of ``flat`` not in the span of ``lineality`` (exists by rank)."""
    base = rank(lineality) if lineality else 0
    for vec in flat:
        if rank(lineality + [vec]) > base:
            return vec
    raise AssertionError("flat lies inside the lineality space")


def unit_faces(x: Sequence[Sequence[Fraction]]) -> tuple[UnitFace, ...]:
    """All faces of one unit's arrangement, in canonical order.

    Parameters
    ----------
    x : rows of exact data coordinates (n rows of d values).

    Returns
    -------
    The faces sorted by dimension, then by sign vector (descending, ``+`` first).
    Includes the origin (``dim == 0``).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> [f.pattern for f in unit_faces(((F(0),), (F(1),))) if f.dim == 1]
    ['+0', '0+', '0-', '-0']
    """
    h = lifted_points(x)
    n, m = len(h), len(h[0])
    cocircuits = _cocircuits(h)
    covectors: set[tuple[int, ...]] = {tuple([0] * n)} | cocircuits
    frontier = set(covectors)
    while frontier:
        new = {_compose(a, b) for a in frontier for b in cocircuits} - covectors
        covectors |= new
        frontier = new
    faces = [_make_face(signs, h, m) for signs in covectors]
    faces.sort(key=lambda f: (f.dim, tuple(-s for s in f.signs)))
    return tuple(faces)


def _make_face(signs: tuple[int, ...], h: list[list[fmpq]], m: int) -> UnitFace:
    """A face with its span ``{w : <h_i, w> = 0 for the zero signs}``."""
    zero_rows = [h[i] for i, s in enumerate(signs) if s == 0]
    span = nullspace(zero_rows, m)
    basis = tuple(
        tuple(Fraction(int(span[j][i].p), int(span[j][i].q)) for j in range(len(span)))
        for i in range(m)
    )
    return UnitFace(signs=signs, basis=basis, dim=len(span))


def count_generic_faces(n: int, d: int) -> int:
    """Number of faces of a central arrangement of ``n`` generic hyperplanes in ``R^(d+1)``.

    Used for time estimates; exact for data in general position.

    >>> count_generic_faces(5, 1)
    21
    """
    from math import comb

    m = d + 1
    total = 1  # the origin
    for j in range(1, m + 1):
        # j-dimensional faces lie in flats cut out by m - j hyperplanes
        on_flat = n - (m - j)
        if on_flat < 0:
            continue
        regions = 2 * sum(comb(on_flat - 1, i) for i in range(j)) if on_flat > 0 else 2
        total += comb(n, m - j) * regions
    return total

"""Exact and ball arithmetic shared by the pipeline's stages (python-flint).

The conversion back from python-flint's rationals (``to_fmpq``, the way there, is
:func:`solver.problem.to_fmpq`), the working precision of
ball (``arb``) arithmetic and the rigorous sign of a quantity computed at rising
precision, exact linear algebra (rank, nullspace, stacking), ball evaluation of
polynomials, and the Krawczyk test that proves a box holds exactly one zero.

Examples
--------
>>> from fractions import Fraction
>>> fraction(fmpq(3, 4))
Fraction(3, 4)
>>> sign_of(lambda prec: arb(2).sqrt() - 1, "sqrt(2) - 1")
1
>>> nullspace([[fmpq(1), fmpq(-1)]], 2)
[[1, 1]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction

from flint import arb, arb_mat, fmpq, fmpq_mat, fmpq_mpoly
from flint import ctx as flint_ctx

from solver.errors import DegenerateProblemError

# The highest working precision (bits) before a sign is declared undecidable.
MAX_PREC = 4096


def fraction(q: fmpq) -> Fraction:
    """A flint rational as a Python Fraction."""
    return Fraction(int(q.p), int(q.q))


def exact_mid(b: arb) -> fmpq:
    """The exact midpoint of a ball as a rational (``b.lower()`` gives a lower bound)."""
    man, exp = b.mid().man_exp()
    man, exp = int(man), int(exp)
    return fmpq(man * 2**exp) if exp >= 0 else fmpq(man, 2 ** (-exp))


def as_float(v: arb) -> float:
    """A ball's midpoint as a float (``-0.0`` as ``0.0``), for display."""
    return float(v.mid()) + 0.0


def sign(v: fmpq) -> int:
    """The sign of an exact rational: 1, -1 or 0."""
    return (v > 0) - (v < 0)


@contextmanager
def working_precision(prec: int) -> Iterator[None]:
    """Temporarily set flint's arb working precision (bits)."""
    old = flint_ctx.prec
    flint_ctx.prec = prec
    try:
        yield
    finally:
        flint_ctx.prec = old


def sign_of(value_at: Callable[[int], arb], what: str) -> int:
    """Sign of a quantity computed by ``value_at(prec)``, refining the precision.

    Raises :class:`DegenerateProblemError` when the sign is undecided at
    :data:`MAX_PREC` bits (the quantity is then almost surely exactly zero).
    """
    prec = 128
    while prec <= MAX_PREC:
        with working_precision(prec):
            v = value_at(prec)
        if v > 0:
            return 1
        if v < 0:
            return -1
        prec *= 4
    raise DegenerateProblemError(f"degenerate data: {what} is zero to {MAX_PREC} bits")


def rank(rows: list[list[fmpq]]) -> int:
    """The rank of a list of rational rows (0 for none)."""
    return fmpq_mat(rows).rank() if rows else 0


def nullspace(rows: list[list[fmpq]], m: int) -> list[list[fmpq]]:
    """A rational basis (list of vectors) of ``{w in Q^m : rows @ w = 0}``."""
    if not rows:
        return [[fmpq(int(i == j)) for i in range(m)] for j in range(m)]
    reduced, found = fmpq_mat(rows).rref()
    pivots: list[int] = []
    for r in range(found):
        pivots.append(next(c for c in range(m) if reduced[r, c] != 0))
    basis = []
    for free in (c for c in range(m) if c not in pivots):
        vec = [fmpq(0)] * m
        vec[free] = fmpq(1)
        for r, p in enumerate(pivots):
            vec[p] = -reduced[r, free]
        basis.append(vec)
    return basis


def hstack(mats: Sequence[fmpq_mat]) -> fmpq_mat:
    """Rational matrices with the same number of rows, side by side."""
    rows = mats[0].nrows()
    cols = sum(m.ncols() for m in mats)
    out = fmpq_mat(rows, cols)
    start = 0
    for m in mats:
        for i in range(rows):
            for j in range(m.ncols()):
                out[i, start + j] = m[i, j]
        start += m.ncols()
    return out


def eval_mpoly(f: fmpq_mpoly, point: Sequence[arb]) -> arb:
    """Evaluate a rational multivariate polynomial at balls (current precision)."""
    acc = arb(0)
    for exps, c in f.to_dict().items():
        term = arb(c)
        for x, e in zip(point, exps):
            for _ in range(e):  # not x**e: arb powers of a ball around 0 give nan
                term *= x
        acc += term
    return acc


def krawczyk(mids: Sequence[arb], step: arb_mat, Y: arb_mat, J_box: arb_mat,
             box: Sequence[arb]) -> list[arb] | None:
    """The Krawczyk image ``K = mids - step + (I - Y J_box)(box - mids)`` of a box, if it
    lies strictly inside the box (then the box holds exactly one zero of ``F``, and so
    does ``K``), else None.

    ``step = Y F(mids)`` with ``Y`` a midpoint approximation of the inverse Jacobian,
    ``J_box`` the Jacobian over the box (current precision).

    >>> box = [arb(1, 0.5)]   # F(s) = s - 1 on [0.5, 1.5]
    >>> krawczyk([arb(1)], arb_mat([[0]]), arb_mat([[1]]), arb_mat([[1]]), box)
    [1.00000000000000]
    """
    k = len(mids)
    eye = arb_mat([[arb(int(i == j)) for j in range(k)] for i in range(k)])
    delta = arb_mat(k, 1, [b - m for b, m in zip(box, mids)])
    K = arb_mat(k, 1, list(mids)) - step + (eye - Y * J_box) * delta
    if all(K[j, 0].lower() > box[j].lower() and K[j, 0].upper() < box[j].upper()
           for j in range(k)):
        return [K[j, 0] for j in range(k)]
    return None

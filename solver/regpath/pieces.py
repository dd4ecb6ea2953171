"""Per face set: the λ-intervals on which it is a minimum (its *pieces*).

A face set's breakpoints (:mod:`solver.regpath.breakpoints`) cut ``[lam_min, lam_max]``
into intervals on which its verdict is constant; the verdict of each is decided at one
rational λ inside it (:mod:`solver.regpath.status`). Consecutive intervals where the set is
a minimum form one :class:`SetPiece`; the breakpoints between them where only the
dead-unit verdict changes (a split set gaining or losing its endpoints) are kept as
``flips``.

Breakpoints of one set at the same λ (found from different conditions) are one
:class:`Cut`: equality of two exact λs is decided exactly (:func:`same_number`).

Examples
--------
>>> from fractions import Fraction as F
>>> simple_between(F(1, 3), F(1, 2))
Fraction(2, 5)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from flint import arb, fmpz_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import RealRoot, isolate_roots
from solver.pipeline.numbers import exact_mid, fraction, working_precision
from solver.regpath.breakpoints import Breakpoint, Condition
from solver.regpath.status import Judge, SetVerdict


@lru_cache(maxsize=4096)
def _isolated(coeffs: tuple[int, ...]) -> tuple[RealRoot, ...]:
    return tuple(isolate_roots([fmpz_poly(list(coeffs))]))


def root_index(root: RealRoot) -> tuple[tuple[int, ...], int]:
    """An exact identity of a real algebraic number: its minimal polynomial and the index
    of its root among the polynomial's real roots (increasing)."""
    coeffs = tuple(int(c) for c in root.poly.coeffs())
    roots = _isolated(coeffs)
    prec = 128
    while prec <= 8192:
        with working_precision(prec):
            b = root.ball(prec)
            hits = [i for i, r in enumerate(roots)
                    if not (arb(r.hi) < b.lower() or arb(r.lo) > b.upper())]
        if len(hits) == 1:
            return coeffs, hits[0]
        prec *= 2
    raise DegenerateProblemError("degenerate data: a root could not be identified")


def same_number(a: RealRoot, b: RealRoot) -> bool:
    """Whether two exact real algebraic numbers are equal."""
    if tuple(a.poly.coeffs()) != tuple(b.poly.coeffs()):
        return False
    return root_index(a) == root_index(b)


@dataclass(frozen=True, eq=False)
class Cut:
    """One λ where breakpoints of a face set meet (all conditions vanishing there)."""

    points: tuple[Breakpoint, ...]

    @property
    def lam(self) -> RealRoot:
        """λ exactly."""
        return self.points[0].lam

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The conditions vanishing at this λ."""
        return tuple(b.condition for b in self.points)

    def ball(self, prec: int = 128) -> arb:
        """λ enclosed."""
        return self.points[0].ball(prec)

    def bounds(self) -> tuple[Fraction, Fraction]:
        """Rational bounds of the λ enclosure."""
        return ball_bounds(self.ball())


def ball_bounds(b: arb) -> tuple[Fraction, Fraction]:
    """A ball's lower and upper ends as exact Fractions."""
    return fraction(exact_mid(b.lower())), fraction(exact_mid(b.upper()))


def cuts(points: Sequence[Breakpoint]) -> list[Cut]:
    """Group breakpoints (sorted by λ) into cuts of equal λ."""
    out: list[list[Breakpoint]] = []
    for b in points:
        if out:
            last = out[-1][0]
            lb, bb = last.ball(), b.ball()
            if not (lb.upper() < bb.lower()) and same_number(last.lam, b.lam):
                out[-1].append(b)
                continue
        out.append([b])
    return [Cut(tuple(group)) for group in out]


@dataclass(frozen=True, eq=False)
class SetPiece:
    """A maximal λ-interval on which face set ``key`` is a minimum.

    ``lo``/``hi`` are the cuts at its ends (None: the range's end); ``flips`` the inner
    cuts where ``ends`` (the dead-unit verdict) changes, with ``ends`` the verdict on each
    of the ``len(flips) + 1`` sub-intervals; ``samples`` the λs where it was decided.
    """

    key: tuple[int, ...]
    lo: Cut | None
    hi: Cut | None
    ends: tuple[bool, ...]
    flips: tuple[Cut, ...]
    samples: tuple[Fraction, ...]


def simple_between(a: Fraction, b: Fraction) -> Fraction:
    """A short decimal strictly between ``0 < a < b`` near their geometric mean."""
    mid = math.sqrt(float(a) * float(b)) if a > 0 else float(b) / 2
    for digits in range(1, 18):
        q = Fraction(f"{mid:.{digits}g}")
        if a < q < b:
            return q
    return (a + b) / 2


def set_pieces(judge: Judge, key: tuple[int, ...], points: Sequence[Breakpoint],
               lam_min: Fraction, lam_max: Fraction) -> list[SetPiece]:
    """The pieces of face set ``key`` (indices into ``judge.alive``)."""
    faces = tuple(judge.alive[i] for i in key)
    found = cuts(points)
    bounds = [(lam_min, lam_min)] + [c.bounds() for c in found] + [(lam_max, lam_max)]
    statuses: list[SetVerdict] = []
    samples: list[Fraction] = []
    for j in range(len(found) + 1):
        lo, hi = bounds[j][1], bounds[j + 1][0]
        lam, status = _decide(judge, faces, lo, hi)
        statuses.append(status)
        samples.append(lam)
    pieces = []
    j = 0
    while j < len(statuses):
        if not statuses[j].minimum:
            j += 1
            continue
        start = j
        while j + 1 < len(statuses) and statuses[j + 1].minimum:
            j += 1
        run = range(start, j + 1)
        ends = [statuses[start].ends]
        flips = []
        for q in run[1:]:
            if statuses[q].ends != ends[-1]:
                ends.append(statuses[q].ends)
                flips.append(found[q - 1])
        pieces.append(SetPiece(
            key,
            found[start - 1] if start > 0 else None,
            found[j] if j < len(found) else None,
            tuple(ends), tuple(flips), tuple(samples[q] for q in run),
        ))
        j += 1
    return pieces


def _decide(judge: Judge, faces, lo: Fraction, hi: Fraction) -> tuple[Fraction, SetVerdict]:
    """The verdict on ``(lo, hi)``, at a short decimal inside (another point if the
    solver meets an exact tie there)."""
    if not lo < hi:
        raise DegenerateProblemError("degenerate data: two path events could not be separated")
    tries = [simple_between(lo, hi), lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3]
    error: Exception | None = None
    for lam in tries:
        try:
            return lam, judge.status(faces, lam)
        except DegenerateProblemError as exc:
            error = exc
    assert error is not None
    raise error

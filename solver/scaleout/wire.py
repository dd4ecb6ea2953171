"""What a chunk sends back, as bytes: packed on the worker, unpacked on the client.

A chunk's result (its minima as :class:`~solver.pipeline.merge.Found` entries: points,
samples, exact forms, certificates) and its sets' interior solutions travel as bytes made
by :func:`pack`, so that

* the garbage collector is paused while they are made and read (a reply of d = 1, L = 4,
  n = 6 is some 250,000 objects; with the collector running, reading all of its replies
  took 0.25-0.35 s of the client's CPU, paused 0.09-0.10 s, load 12);
* the client never rebuilds the interior solutions: it forwards each chunk's bytes to
  the workers as the next level's seed, and only the workers read them;
* a reply's size is known without pickling it again (:mod:`solver.scaleout.ledger`).

:func:`pack` is ``pickle`` with constructor-argument reductions for the minima's small
frozen classes and for ``Fraction`` (numerator and denominator, not a string parsed
again), and one object per distinct string (the equations of a curve's labelings repeat:
1,222 distinct of 7,241 for d = 1, L = 4, n = 6), which cut the bytes and the CPU time of
both sides (see the README's Scale-out section for the figures).

Examples
--------
>>> from fractions import Fraction
>>> from solver.minima import Point
>>> value = (Point(((1.5,),), (0.25,), (-2.0,)), Fraction(1, 3), ("x > 0", "x > 0"))
>>> unpack(pack(value)) == value
True
"""

from __future__ import annotations

import copyreg
import io
import pickle
from fractions import Fraction
from typing import Any

from solver.minima import AlgebraicRoot, Certificate, ExactPoint, ExactUnit, Point
from solver.pipeline.collector import paused_gc
from solver.pipeline.merge import Found


def _reductions() -> dict[type, Any]:
    """Constructor-argument reductions: pickle's default for a slotted dataclass calls a
    Python ``__getstate__`` and ``__setstate__`` per object, and ``Fraction`` pickles as
    a string that is parsed again."""
    table = dict(copyreg.dispatch_table)
    table[Fraction] = lambda q: (Fraction, (q.numerator, q.denominator))
    table[Point] = lambda p: (Point, (p.B, p.c, p.a))
    table[AlgebraicRoot] = lambda r: (AlgebraicRoot, (r.name, r.minpoly, r.lo, r.hi))
    return table


_TABLE = _reductions()


class _Pickler(pickle.Pickler):
    """``pickle`` with :func:`_reductions`, and equal values of the minima's fields sent
    once (pickle's memo shares one object, not equal ones): strings (equations,
    inequalities, variables, checks, exact units; a point's labelings repeat them) and
    the exact roots of an isolated minimum's labelings."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        seen: dict[Any, Any] = {}

        def shared(value: Any) -> Any:
            if type(value) is str:
                return seen.setdefault(value, value)
            if type(value) is tuple and value and type(value[0]) is str:
                return tuple([seen.setdefault(s, s) for s in value])
            return value

        table = dict(_TABLE)
        table[Found] = lambda f: (Found, (f.orbit, f.tiebreak, f.form,
                                          {k: shared(v) for k, v in f.fields.items()}))
        table[Certificate] = lambda c: (Certificate, (shared(c.checks),))
        table[ExactUnit] = lambda u: (ExactUnit, (u.sign, shared(u.t), shared(u.b),
                                                  shared(u.c)))
        table[ExactPoint] = lambda e: (ExactPoint, (seen.setdefault(e.roots, e.roots),
                                                    e.units))
        self.dispatch_table = table


def pack(value: object) -> bytes:
    """``value`` (a chunk's result or its sets' interior solutions) as bytes, the
    collector paused."""
    with paused_gc():
        out = io.BytesIO()
        _Pickler(out).dump(value)
        return out.getvalue()


def unpack(data: bytes) -> Any:
    """The value :func:`pack` made, the collector paused."""
    with paused_gc():
        return pickle.loads(data)


__all__ = ["pack", "unpack"]

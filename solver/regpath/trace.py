"""Trace every local minimum over λ: breakpoints, pieces, branches and event groups.

:func:`trace` runs the stages of docs/path.md for one data set and number of units:
every face set of at most ``units`` distinct alive faces gets its exact breakpoints in
``(lam_min, lam_max)`` and its pieces (the intervals where it is a minimum, decided by the
solver's own certification between breakpoints); the pieces' images are joined into
branches and the λs where anything changes are grouped. The result is plain data for
:mod:`solver.regpath.build`, which samples the branches and writes the public result.

Examples
--------
>>> from fractions import Fraction as F
>>> x = ((F(-1, 2),), (F(0),), (F(1, 2),)); y = (F(1, 4), F(-1, 4), F(5, 4))
>>> t = trace(x, y, 1, F(1, 20), F(1, 2))
>>> [[p.units for p in chain] for chain in t.chains]
[[((1, 0, -1),)], [((-1, 0, 1),), ((-1, 1, 1),)], [((1, 1, 1),)]]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from solver.regpath.branches import EventGroup, NetPiece, chains, link, net_pieces
from solver.regpath.breakpoints import Breakpoint, set_breakpoints
from solver.regpath.pieces import set_pieces
from solver.regpath.status import Judge

Progress = Callable[[int, int], None]


@dataclass(frozen=True, eq=False)
class Trace:
    """The traced path: the judge (faces, data), every face set's breakpoints, the
    branches as chains of network pieces, and the event groups in increasing λ."""

    judge: Judge
    lam_min: Fraction
    lam_max: Fraction
    breakpoints: dict[tuple[int, ...], list[Breakpoint]]
    chains: list[list[NetPiece]]
    groups: list[EventGroup]


def face_sets(judge: Judge) -> list[tuple[int, ...]]:
    """Every set of at most ``units`` distinct alive faces (indices), smallest first."""
    n = len(judge.alive)
    return [key for k in range(min(judge.units, n) + 1) for key in combinations(range(n), k)]


def trace(x, y, units: int, lam_min: Fraction, lam_max: Fraction,
          progress: Progress | None = None) -> Trace:
    """Trace the path of exact data ``x`` (rows), ``y`` for ``units`` on
    ``[lam_min, lam_max]`` (see the module docstring); ``progress(done, total)`` is
    called after every face set (two passes: breakpoints, then verdicts)."""
    judge = Judge(x, y, units)
    keys = face_sets(judge)
    total = 2 * len(keys)
    found: dict[tuple[int, ...], list[Breakpoint]] = {}
    for done, key in enumerate(keys, start=1):
        faces = tuple(judge.alive[i] for i in key)
        found[key] = set_breakpoints(judge.x, judge.y, faces, judge.alive, units,
                                     lam_min, lam_max, judge.data)
        if progress is not None:
            progress(done, total)
    pieces: list[NetPiece] = []
    for done, key in enumerate(keys, start=len(keys) + 1):
        faces = tuple(judge.alive[i] for i in key)
        for piece in set_pieces(judge, key, found[key], lam_min, lam_max):
            pieces.extend(net_pieces(piece, faces, units))
        if progress is not None:
            progress(done, total)
    groups = link(pieces)
    return Trace(judge, lam_min, lam_max, found, chains(pieces), groups)

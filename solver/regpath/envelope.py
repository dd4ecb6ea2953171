"""The global minimum along λ (the lowest branch) and the events where it jumps.

Between two consecutive events (every kind, loss crossings included) the lowest branch
does not change, so it is decided once per interval, at the interval's geometric middle,
among the branches alive there (one per orbit: the first). An event across which it
changes is marked ``global`` and gets the changes ``"stops being global"`` and
``"becomes global"``.

Examples
--------
>>> from solver.regpath import path
>>> p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
>>> [(round(a, 4), round(b, 4), j) for a, b, j in p.global_min]
[(0.05, 0.2932, 0), (0.2932, 0.5, 2)]
"""

from __future__ import annotations

import math
from dataclasses import replace

from solver.regpath.build import describe
from solver.regpath.evaluate import Evaluator
from solver.regpath.jumps import Crossing, lowest_at
from solver.regpath.results import Branch, Change, LamValue, Path, PathEvent, Witness


def jump_event(c: Crossing, branches: tuple[Branch, ...], ev: Evaluator) -> PathEvent:
    """The ``"jump"`` event of a loss crossing (an uncertified one says why, and where)."""
    lam = LamValue(c.value, c.lo, c.hi, None, certified=c.certified)
    changes = [Change(c.before, "stops being global", _pattern_at(branches[c.before], c.value),
                      None),
               Change(c.after, "becomes global", None, _pattern_at(branches[c.after], c.value))]
    (faces_a, s_a), (faces_b, s_b) = (_set_at(ev, j, c.value) for j in (c.before, c.after))
    witness = Witness(faces_a, "loss", other=faces_b, s=s_a, other_s=s_b)
    text = describe("jump", lam, changes)
    if c.reason is not None:
        head, tail = text.rsplit(": ", 1)
        text = (f"{head} (not certified: {c.reason}; the change lies in "
                f"[{float(c.lo):.15g}, {float(c.hi):.15g}]): {tail}")
    return PathEvent("jump", lam, (c.lo, c.hi), (c.before, c.after), tuple(changes), text,
                     (witness,), global_jump=True, uncertified=c.reason)


def _pattern_at(b: Branch, lam: float) -> tuple[str, ...]:
    seg = b.segment_at(lam)
    return seg.pattern if seg is not None else ()


def _set_at(ev: Evaluator, j: int, lam: float) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Branch ``j``'s face set at ``lam`` (alive faces in order) and its ``s`` (floats)."""
    seg = ev.path.branches[j].segment_at(lam)
    key, labels = ev.labels(seg.pattern)
    faces = tuple(ev.judge.alive[i].pattern for i in key)
    _, point = ev.value(j, lam)
    s = [0.0] * len(key)
    for a_l, lb in zip(point.a, labels):
        if lb is not None:
            s[lb] += a_l * a_l / lam
    return faces, tuple(s)


def envelope(p: Path, ev: Evaluator) -> tuple[tuple[float, float, int], ...]:
    """The global minimum as ``(lam_from, lam_to, branch)`` runs over the range."""
    cuts = [float(p.lam_min)] + [e.lam.value for e in p.events] + [float(p.lam_max)]
    runs: list[list] = []
    for a, b in zip(cuts, cuts[1:]):
        if not a < b:
            continue
        j = lowest_at(p, ev, math.sqrt(a * b))
        if j is None:
            continue
        if runs and runs[-1][2] == j and runs[-1][1] == a:
            runs[-1][1] = b
        else:
            runs.append([a, b, j])
    return tuple((a, b, j) for a, b, j in runs)


def mark_global(e: PathEvent, runs: tuple[tuple[float, float, int], ...]) -> PathEvent:
    """The event with ``global_jump`` set when the lowest branch differs on its two sides
    (a jump event is global by construction)."""
    if e.kind == "jump":
        return e
    below = next((j for a, b, j in runs if b == e.lam.value), None)
    above = next((j for a, b, j in runs if a == e.lam.value), None)
    if below is None or above is None or below == above:
        return e
    changes = [c for c in e.changes] + [Change(below, "stops being global", None, None),
                                        Change(above, "becomes global", None, None)]
    changes.sort(key=lambda c: (c.branch, c.what))
    return replace(e, changes=tuple(changes), global_jump=True,
                   branches=tuple(sorted(set(e.branches) | {below, above})),
                   description=describe(e.kind, e.lam, changes))

"""A branch at any λ of its range: loss and parameters, continued from its samples.

Examples
--------
>>> from solver.regpath import path
>>> p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
>>> j = p.alive_at(0.3)[0]
>>> ev = Evaluator(p)
>>> round(ev.value(j, 0.3)[0], 9) == round(ev.value(j, 0.3)[0], 9)
True
"""

from __future__ import annotations

import math

import numpy as np

from solver.minima import Point
from solver.regpath.results import Path
from solver.regpath.sampling import FloatSet
from solver.regpath.status import Judge


class Evaluator:
    """Evaluates the branches of one :class:`Path` at arbitrary λ (floats)."""

    def __init__(self, p: Path) -> None:
        self.path = p
        self.judge = Judge(p.x, p.y, p.units)
        self.index = {f.pattern: i for i, f in enumerate(self.judge.alive)}
        self._sets: dict[tuple[int, ...], FloatSet] = {}
        # per branch: its last solution (segment, λ, s), a warm start for the next λ near it
        self._last: dict[int, tuple[object, float, np.ndarray]] = {}

    def labels(self, pattern: tuple[str, ...]) -> tuple[tuple[int, ...], tuple]:
        """The face set (sorted alive indices) and unit labels of a unit-pattern tuple."""
        faces = sorted({self.index[q] for q in pattern if q in self.index})
        return tuple(faces), tuple(faces.index(self.index[q]) if q in self.index else None
                                   for q in pattern)

    def value(self, j: int, lam: float) -> tuple[float, Point] | None:
        """Loss and parameters of branch ``j`` at ``lam`` (None outside it)."""
        branch = self.path.branches[j]
        seg = branch.segment_at(lam)
        if seg is None:
            return None
        key, labels = self.labels(seg.pattern)
        if key not in self._sets:
            self._sets[key] = FloatSet(self.judge, key)
        fs = self._sets[key]
        if fs.k == 0:
            return fs.values(np.zeros(0), lam, labels)
        inside = [s for s in branch.samples if seg.lam_min.value <= s.lam <= seg.lam_max.value]
        near = min(inside, key=lambda s: abs(math.log(s.lam / lam)))
        from_lam, s = near.lam, self._s_of(near, labels, fs.k)
        last = self._last.get(j)
        if last is not None and last[0] is seg and (
                abs(math.log(lam / last[1])) < abs(math.log(lam / from_lam))):
            from_lam, s = last[1], last[2]
        steps = max(1, int(abs(math.log(lam / from_lam)) / 0.05))
        for q in range(1, steps + 1):
            at = from_lam * (lam / from_lam) ** (q / steps)
            s = fs.solve(at, s)
            if s is None:
                return None
        self._last[j] = (seg, lam, s)
        return fs.values(s, lam, labels)

    @staticmethod
    def _s_of(sample, labels, k: int) -> np.ndarray:
        """``s_a = sum of a_l^2 / lam`` over the units of neuron ``a``."""
        s = np.zeros(k)
        for a_l, lb in zip(sample.point.a, labels):
            if lb is not None:
                s[lb] += a_l * a_l / sample.lam
        return s

"""The exact results a training run is compared with, as neurons, and distances to them.

Every critical set of the network is determined by its *neurons*: for each face it uses,
the face pattern (``+`` seen, ``-`` not, ``0`` on the kink), the vector
``w = sum a_l (b_l, c_l)`` over the units on that face, and how many units carry it; the
other units are dead (0). In parameters the set is every assignment of the units to the
neurons with those counts, each neuron's units balanced and parallel:
``(a_l, b_l, c_l) = (sign s_l, s_l e)`` with ``e`` the neuron's unit direction (in its
face), ``sign`` the sign of its ``a`` and ``sum s_l^2 = |w|``, ``s_l > 0``. A neuron carried by
one unit is a point; carried by ``k >= 2`` units it is the solver's curve (its samples and
exact equations describe exactly this set: :mod:`tests` checks it). Unit permutations are
the assignments.

The **distance** of a network to such a set is exact, in closed form: for one neuron with
units ``U``, ``min_s sum_(l in U) |theta_l - (sign s_l, s_l e)|^2 = sum |theta_l|^2 + 2|w| -
2 sqrt(|w|) max_s (q . s / |s|)`` over ``s >= 0``, ``q_l = sign a_l + <e, (b_l, c_l)>``, whose
maximiser is ``q``'s positive part (:func:`set_distance` builds that nearest point and
measures the difference itself, so small distances keep their precision). It is the
distance to the set's closure (a curve's ends included); dead units add
``|theta_l|^2``; the minimum over assignments takes care of permutations.

Examples
--------
>>> import numpy as np
>>> xt = np.array([[0.0, 1.0], [1.0, 1.0]])
>>> nr = Neuron.of("++", (0.0, -2.0), 1, xt)     # a = -sqrt(2), (b, c) = (0, sqrt(2))
>>> nr.sign, nr.e, nr.size
(-1, (-0.0, 1.0), 2.0)
>>> point = np.array([[[-np.sqrt(2), 0.0, np.sqrt(2)]]])
>>> float(set_distance(point, [nr], 1)[0]) < 1e-12
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations, product

import numpy as np

from solver.results import CurveMinimum, Point, Solution

MATCH_TOL = 1e-7


@dataclass(frozen=True)
class Neuron:
    """One neuron of a critical set: face ``pattern``, ``w``, the number of units
    ``carriers``, and derived: ``sign`` of ``a``, unit direction ``e``, ``size = |w|``."""

    pattern: str
    w: tuple[float, ...]
    carriers: int
    sign: int
    e: tuple[float, ...]
    size: float

    @classmethod
    def of(cls, pattern: str, w: Sequence[float], carriers: int, xt: np.ndarray) -> Neuron:
        """The neuron with this pattern and ``w``; ``sign`` from a point it sees."""
        wv = np.asarray(w, dtype=float)
        seen = pattern.index("+")
        sign = 1 if float(xt[seen] @ wv) > 0 else -1
        size = float(np.linalg.norm(wv))
        return cls(pattern, tuple(float(v) for v in wv), carriers, sign,
                   tuple(float(v) for v in sign * wv / size), size)


@dataclass(frozen=True)
class Landmark:
    """A certified minimum (one orbit) or a listed critical point that is not a minimum.

    ``index``: the first entry of the orbit in ``Solution.minima`` (0-based), or the
    critical point's position in :func:`solver.critical_points`' list; ``kinks``:
    ``(neuron, point)`` pairs exactly on a kink (0-based); ``reason``: why a critical point
    is not a minimum (empty for minima); ``also``: other carrier counts (one per neuron,
    in order) that belong to the minimum — a curve's boundary, where units died, when its
    listed endpoints are minima.
    """

    kind: str
    index: int
    orbit: int | None
    loss: float
    curve: bool
    neurons: tuple[Neuron, ...]
    units: int
    reason: str = ""
    also: tuple[tuple[int, ...], ...] = ()

    @property
    def dead(self) -> int:
        """Units carrying no neuron."""
        return self.units - sum(nr.carriers for nr in self.neurons)

    def kink_text(self) -> str:
        """``x5 (neuron +0+++)``-style list of the kinks, 1-based points as in the tables."""
        parts = []
        for nr in self.neurons:
            pts = [f"x{i + 1}" for i, ch in enumerate(nr.pattern) if ch == "0"]
            if pts:
                parts.append(f"{', '.join(pts)} of neuron {nr.pattern}")
        return "; ".join(parts)


def lifted(x: np.ndarray) -> np.ndarray:
    """``(x_i, 1)`` rows."""
    return np.hstack([x, np.ones((x.shape[0], 1))])


def neurons_of_point(point: Point, patterns: Sequence[str], xt: np.ndarray) -> tuple[Neuron, ...]:
    """The neurons of a network given unit by unit (units with equal patterns merge)."""
    groups: dict[str, list[int]] = {}
    for l, pat in enumerate(patterns):
        if "+" in pat:
            groups.setdefault(pat, []).append(l)
    out = []
    for pat, units in groups.items():
        w = sum(point.a[l] * np.array([*point.B[l], point.c[l]]) for l in units)
        out.append(Neuron.of(pat, w, len(units), xt))
    return tuple(sorted(out, key=lambda nr: nr.pattern))


def minimum_landmarks(sol: Solution, xt: np.ndarray) -> tuple[Landmark, ...]:
    """One landmark per orbit of certified minima, in the solution's order."""
    seen: set[int] = set()
    out = []
    for idx, m in enumerate(sol.minima):
        if m.orbit in seen:
            continue
        seen.add(m.orbit)
        curve = isinstance(m, CurveMinimum)
        point = m.samples[0] if curve else m.point
        neurons = neurons_of_point(point, m.pattern, xt)
        also: tuple[tuple[int, ...], ...] = ()
        if curve and m.endpoints:
            # The listed endpoints are minima: units of a split neuron died there. Whether
            # a dead unit can grow depends only on the residual, the same all along the set,
            # so every configuration with some of the split units dead (at least one unit
            # left per neuron) is a minimum too: the set's boundary (points, or curves of a
            # two-dimensional set).
            full = [nr.carriers for nr in neurons]
            also = tuple(c for c in product(*(range(1, k + 1) for k in full))
                         if list(c) != full)
        out.append(Landmark("minimum", idx, m.orbit, m.loss, curve, neurons, sol.units,
                            also=also))
    return tuple(out)


def critical_landmarks(points: Sequence, units: int, xt: np.ndarray) -> tuple[Landmark, ...]:
    """Landmarks of the listed critical points that are not minima (each is its own
    entry; their unit permutations are covered by the distance)."""
    return tuple(
        Landmark("critical", idx, None, p.loss, False,
                 neurons_of_point(p.point, p.pattern, xt), units, p.reason)
        for idx, p in enumerate(points) if not p.minimum
    )


def same_neurons(a: Sequence[Neuron], b: Sequence[Neuron],
                 carriers: Sequence[tuple[int, ...]] | None) -> bool:
    """Equal face patterns, ``w`` within :data:`MATCH_TOL` (relative), neuron by neuron in
    pattern order, and ``a``'s carrier counts among ``carriers`` (unless None)."""
    if len(a) != len(b):
        return False
    if carriers is not None and tuple(v.carriers for v in a) not in carriers:
        return False
    for na, nb in zip(a, b):
        if na.pattern != nb.pattern:
            return False
        if np.linalg.norm(np.subtract(na.w, nb.w)) > MATCH_TOL * (1.0 + na.size):
            return False
    return True


def _assignments(counts: Sequence[int], units: int) -> list[tuple[int, ...]]:
    """Every map of the units to neurons (``-1``: dead) with the given carrier counts."""
    labels = [f for f, k in enumerate(counts) for _ in range(k)]
    labels += [-1] * (units - len(labels))
    return sorted(set(permutations(labels)))


def set_distance(flat: np.ndarray, neurons: Sequence[Neuron], d: int) -> np.ndarray:
    """Distance of each network to the critical set of ``neurons`` (see the module
    docstring), minimised over unit assignments.

    Parameters
    ----------
    flat : (R, L, d + 2) array
        Per run and unit ``a_l, b_l (d values), c_l``.
    neurons : sequence of Neuron
    d : int

    Returns
    -------
    (R,) array

    Examples
    --------
    >>> xt = np.array([[0.0, 1.0], [1.0, 1.0]])
    >>> nr = Neuron.of("++", (1.0, 1.0), 2, xt)          # split over two units: a curve
    >>> s = np.sqrt(np.sqrt(2) / 2)                       # equal shares s1 = s2
    >>> on = np.array([[[s, s * 2**-0.5, s * 2**-0.5]] * 2])
    >>> float(set_distance(on, [nr], 1)[0]) < 1e-12
    True
    """
    return nearest_on_set(flat, neurons, d)[0]


def nearest_on_set(flat: np.ndarray, neurons: Sequence[Neuron],
                   d: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`set_distance` and the nearest point of the set's closure, ``(R, L, d + 2)``.

    >>> xt = np.array([[0.0, 1.0], [1.0, 1.0]])
    >>> nr = Neuron.of("++", (0.0, 4.0), 1, xt)                  # a = 2, (b, c) = (0, 2)
    >>> dist, near = nearest_on_set(np.zeros((1, 2, 3)), [nr], 1)  # a tie: the first assignment
    >>> float(dist[0]), near[0].tolist()
    (2.8284271247461903, [[0.0, 0.0, 0.0], [2.0, 0.0, 2.0]])
    """
    R, L, _ = flat.shape
    best = np.full(R, np.inf)
    nearest = np.zeros_like(flat)
    for assign in _assignments([nr.carriers for nr in neurons], L):
        target = np.zeros_like(flat)
        for f, nr in enumerate(neurons):
            units = [l for l, g in enumerate(assign) if g == f]
            e = np.array(nr.e)
            q = np.stack([nr.sign * flat[:, l, 0] + flat[:, l, 1:] @ e for l in units], axis=1)
            # The nearest shares: q's positive part scaled to |s| = sqrt(|w|) (or the best
            # single unit when q has no positive entry).
            pos = np.clip(q, 0.0, None)
            norm = np.linalg.norm(pos, axis=1, keepdims=True)
            vertex = np.eye(len(units))[q.argmax(axis=1)]
            shares = np.where(norm > 0, pos / np.where(norm > 0, norm, 1.0), vertex)
            shares *= np.sqrt(nr.size)
            for j, l in enumerate(units):
                target[:, l, 0] = nr.sign * shares[:, j]
                target[:, l, 1:] = shares[:, j, None] * e
        diff = flat - target
        total = (diff * diff).sum(axis=(1, 2))
        better = total < best
        best = np.where(better, total, best)
        nearest[better] = target[better]
    return np.sqrt(best), nearest

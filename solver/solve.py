"""The divide-enumerate-merge pipeline: ``solve(x, y, lam, units)``.

Examples
--------
>>> sol = solve(["0", "1"], ["1", "0"], "1/10", 1)
>>> [m.kind for m in sol.minima]
['isolated']
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from itertools import combinations

from solver.arrangement import count_generic_faces, unit_faces
from solver.certify import certify
from solver.data import make_dataset, parse_lam, parse_units
from solver.errors import ProblemTooLargeError
from solver.merge import canonical, network_minima
from solver.neurons import NeuronEnumerator
from solver.results import Solution, SolveStats

Progress = Callable[[int, int], None]

# Seconds per set of k faces (solved, pruned or decoupled) at small n, measured on the
# 2-core reference machine by benchmarks/bench_solver.py; the linear algebra of a set
# grows with n, and d >= 2 faces are larger, hence the factors.
_SECONDS_PER_SYSTEM = {0: 1e-4, 1: 1e-3, 2: 1e-3, 3: 1.5e-3}
# Seconds per (face, cocircuit, point) step of the face enumeration's composition closure.
_SECONDS_PER_COMPOSITION = 5e-8


def estimate_seconds(n: int, d: int, units: int) -> float:
    """Rough run time of :func:`solve` for ``n`` points in dimension ``d``.

    The face enumeration grows like ``faces * cocircuits * n`` and the face systems like
    ``C(faces, k)`` for ``k <= units`` neurons, each costing more with ``n`` and ``d``.

    >>> estimate_seconds(5, 1, 2) < 5
    True
    >>> estimate_seconds(10_000, 1, 1) > 3600
    True
    """
    alive = count_generic_faces(n, d)
    cocircuits = 2 * math.comb(n, d)
    total = _SECONDS_PER_COMPOSITION * alive * cocircuits * n
    growth = (1 + n / 40) * (1 + (d - 1) / 2)
    for k in range(0, min(units, alive) + 1):
        per = _SECONDS_PER_SYSTEM.get(k, _SECONDS_PER_SYSTEM[3] * 3 ** (k - 3))
        per *= growth
        log_count = math.lgamma(alive + 1) - math.lgamma(k + 1) - math.lgamma(alive - k + 1)
        if log_count + math.log(per) > 700:
            return math.inf
        total += math.exp(log_count) * per
    return total


def solve(
    x: Sequence,
    y: Sequence,
    lam: object,
    units: object,
    *,
    progress: Progress | None = None,
    max_seconds: float = 60.0,
    force: bool = False,
) -> Solution:
    """All certified local minima of the ridge-regularised loss of a ReLU network.

    Parameters
    ----------
    x : data inputs, numbers (d = 1) or rows of numbers; parsed exactly.
    y : data targets.
    lam : regularisation strength > 0 (``"1/100"``, ``"0.01"``, ...).
    units : number of hidden units L >= 1.
    progress : optional ``callback(done, total)``; raise
        :class:`~solver.errors.SolveCancelled` inside it to stop.
    max_seconds : refuse (``ProblemTooLargeError``) when the estimate is larger.
    force : solve even when the estimate exceeds ``max_seconds``.

    Returns
    -------
    Solution
        Isolated minima and positive-dimensional sets, each certified, canonical order.
    """
    data = make_dataset(x, y)
    lam_q = parse_lam(lam)
    L = parse_units(units)
    estimate = estimate_seconds(data.n, data.d, L)
    if estimate > max_seconds and not force:
        shown = "more than a lifetime" if math.isinf(estimate) else f"about {estimate:,.0f} s"
        raise ProblemTooLargeError(
            f"problem too large: n={data.n}, d={data.d}, units={L} would take {shown} "
            f"(limit {max_seconds:g} s)",
            estimate,
        )
    start = time.perf_counter()
    faces = unit_faces(data.x)
    alive = [f for f in faces if f.dim > 0 and f.positive]
    enumerator = NeuronEnumerator(data.x, data.y, lam_q, alive)
    face_sets = [fs for k in range(0, L + 1) for fs in combinations(alive, k)]
    entries = []
    candidates = 0
    for done, fs in enumerate(face_sets, start=1):
        points = enumerator.points(fs)
        candidates += len(points)
        for point in points:
            verdict = certify(point, faces, need_dead=L > point.k)
            if verdict.alive_ok:
                point = point.exact()
            entries.extend(network_minima(point, verdict, L))
        if progress is not None:
            progress(done, len(face_sets))
    minima = canonical(entries)
    stats = SolveStats(
        faces=math.comb(len(faces) + L - 1, L),
        systems=enumerator.systems_solved,
        candidates=candidates,
        seconds=round(time.perf_counter() - start, 3),
    )
    return Solution(data.x, data.y, lam_q, L, minima, stats)

"""The solver's entry point: ``solve(x, y, lam, units)``, in-process or on a cluster.

Examples
--------
>>> sol = solve(["0", "1"], ["1", "0"], "1/10", 1)
>>> [m.kind for m in sol.minima]
['isolated']
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from solver.errors import ProblemTooLargeError, SolverInputError
from solver.pipeline.collector import paused_gc
from solver.pipeline.completeness import collect, numbered
from solver.pipeline.divide import count_generic_faces
from solver.pipeline.merge import canonical, orbit_numbers
from solver.pipeline.run import make_work, merge_results, run_levels, total_sets
from solver.problem import Problem
from solver.results import Solution, SolveStats

Progress = Callable[[int, int], None]

# Seconds of CPU per set of k faces (solved, pruned or decoupled), fitted to measured solves
# (benchmarks/bench_estimate.py, the worst of a few seeded data sets per shape; the README
# has the ratios) and rounded up: a set costs about the same for every n and d (the batched
# coarse proofs). Sets of k >= 4 faces: see _large_set_seconds.
_SECONDS_PER_SYSTEM = {0: 1e-4, 1: 1e-3, 2: 4e-4, 3: 2e-4}
# Sets of 4 and of 5 faces, with at most 3 points and with 4 or more (bench_estimate, 3 to
# 12 seeded data sets per shape, the worst; refitted after the exact elimination of the
# points of curves of minima got 10-17 times faster): with 4 or more points a 4-set costs
# up to 7.9e-4 s (d = 1, n = 4 to 6: 1.45, 4.7 and 7.0 s for 2380, 5985 and 12,650 sets;
# before: 18.4, 42.6 and 74 s), with at most 3 points 3.4e-4 s (d = 1, n = 3: 0.25 s) and
# up to 6.2e-4 s in the plane (n = 3: 0.4-1.1 s, but one of 8 data sets 10.8 s: exact
# zero tests of residuals in a number field), so 7e-4 keeps 3 points in the plane out of
# the dashboard's 15 s; 5-sets with at most 3 points add at most 3e-4 s, with 4 points up
# to 6e-2 s (one of 5 data sets with n = 4 was stopped after 361 s).
_SECONDS_PER_LARGE_SET = {(4, True): 1.1e-3, (5, True): 1e-1,
                          (4, False): 7e-4, (5, False): 5e-4}
# d >= 2 faces are larger systems (measured 1.0-1.7 times d = 1 per set at d = 3).
_SECONDS_PER_DIMENSION = 0.25
# Seconds per (face, cocircuit, point) step of the face enumeration's composition closure.
_SECONDS_PER_COMPOSITION = 5e-8


def estimate_seconds(n: int, d: int, units: int) -> float:
    """Rough CPU time of :func:`solve` in one process for ``n`` points in dimension ``d``.

    The face enumeration grows like ``faces * cocircuits * n`` and the face systems like
    ``C(faces, k)`` for ``k <= units`` neurons. Fitted so that the measured time is
    between about 0.15 and 0.9 of the estimate on the reference machine (cautious: a
    refusal of a problem that would have fitted is better than a solve that runs far past
    the limit).

    >>> 0.05 < estimate_seconds(5, 1, 2) < 0.5  # the paper's example: 0.06 s measured
    True
    >>> estimate_seconds(40, 1, 3) > 60  # 682,640 sets of 3 faces
    True
    >>> estimate_seconds(10_000, 1, 1) > 3600
    True
    """
    alive = count_generic_faces(n, d)
    cocircuits = 2 * math.comb(n, d)
    total = _SECONDS_PER_COMPOSITION * alive * cocircuits * n
    growth = 1 + _SECONDS_PER_DIMENSION * (d - 1)
    for k in range(0, min(units, alive) + 1):
        per = (_SECONDS_PER_SYSTEM[k] if k < 4  # (6 or more: not measured, cautious)
               else _SECONDS_PER_LARGE_SET.get((k, n >= 4), 1e-2))
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
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    completeness: bool = False,
) -> Solution:
    """All certified local minima of the ridge-regularised loss of a ReLU network.

    Parameters
    ----------
    x : data inputs, numbers (d = 1) or rows of numbers; parsed exactly.
    y : data targets.
    lam : regularisation strength > 0 (``"1/100"``, ``"0.01"``, ...).
    units : number of hidden units L >= 1.
    progress : optional ``callback(done, total)`` (face sets); raise
        :class:`~solver.errors.SolveCancelled` inside it to stop. In-process it is called
        after every face set; on a cluster once with ``done = 0`` when the cluster is
        ready, then as chunks finish (their tasks are cancelled if it raises).
    max_seconds : refuse (``ProblemTooLargeError``) when the estimate is larger (the
        estimate is for one process, whatever runs the solve).
    force : solve even when the estimate exceeds ``max_seconds``; with ``workers``, start
        the local cluster even for a small problem.
    workers : solve on a new local Dask cluster of this many worker processes (one
        thread each), shut down afterwards. A problem estimated below
        :data:`~solver.scaleout.cluster.LOCAL_MIN_SECONDS` in-process is solved
        in-process instead, with an :class:`~solver.scaleout.cluster.InProcessFallback`
        warning saying so (unless ``force``).
    scheduler : solve on the existing Dask cluster whose scheduler is at this address
        (``"tcp://host:8786"``); its workers need this package installed.
    client : solve on the cluster of this ``distributed.Client`` (left open).
    completeness : also record how every face set was settled
        (:attr:`Solution.completeness`, the JSON key ``completeness``; see
        :mod:`solver.pipeline.completeness`), for the checker's completeness proof.

    At most one of ``workers``, ``scheduler`` and ``client`` may be given; without any,
    the solve runs in this process and never imports Dask. Dask is the optional extra
    ``relu-minima[dask]``: without it ``workers``/``scheduler`` raise
    :class:`~solver.errors.SolverInputError`. The result is identical either way
    (``stats.seconds`` apart, which counts from the moment the cluster is ready).

    Returns
    -------
    Solution
        Isolated minima and positive-dimensional sets, each certified, canonical order.
    """
    return solve_problem(Problem.parse(x, y, lam, units), progress=progress,
                         max_seconds=max_seconds, force=force, workers=workers,
                         scheduler=scheduler, client=client, completeness=completeness)


def solve_problem(
    problem: Problem,
    *,
    progress: Progress | None = None,
    max_seconds: float = 60.0,
    force: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    completeness: bool = False,
) -> Solution:
    """:func:`solve` for a problem already parsed (a :class:`~solver.problem.Problem`),
    with the same options.

    >>> sol = solve_problem(Problem.parse(["0", "1"], ["1", "0"], "1/10", 1))
    >>> len(sol.minima)
    1
    """
    n, d, L = problem.n, problem.d, problem.units
    _check_parallel(workers, scheduler, client)
    estimate = estimate_seconds(n, d, L)
    if estimate > max_seconds and not force:
        shown = "more than a lifetime" if math.isinf(estimate) else f"about {estimate:,.0f} s"
        raise ProblemTooLargeError(
            f"problem too large: n={n}, d={d}, units={L} would take {shown} "
            f"(limit {max_seconds:g} s)",
            estimate,
        )
    if workers is not None and not force:
        from solver.scaleout.cluster import InProcessFallback, fallback_note

        note = fallback_note(estimate, workers)
        if note is not None:
            warnings.warn(note, InProcessFallback, stacklevel=3)
            workers = None
    if workers is None and scheduler is None and client is None:
        start = time.perf_counter()
        with paused_gc():
            work = make_work(problem, completeness=completeness)
            results = run_levels(work, _counter(total_sets(work), progress))
        seconds = time.perf_counter() - start
    else:
        from solver.scaleout.cluster import open_client, prepare, run_on_client

        opened = nullcontext(client) if client is not None else open_client(workers, scheduler)
        with opened as active:
            prepare(active, workers)
            start = time.perf_counter()
            work = make_work(problem, completeness=completeness)
            results = run_on_client(active, work, total_sets(work), progress)
            seconds = time.perf_counter() - start
    entries, candidates, systems = merge_results(results)
    numbers = orbit_numbers(entries)
    minima = canonical(entries, numbers)
    record = None
    if completeness:
        record = numbered(collect(work.alive, [r for res in results for r in res.records]),
                          numbers)
    stats = SolveStats(
        faces=math.comb(len(work.faces) + L - 1, L),
        systems=systems,
        candidates=candidates,
        seconds=round(seconds, 3),
    )
    return Solution(problem.x, problem.y, problem.lam, L, minima, stats, record)


def _counter(total: int, progress: Progress | None) -> Callable[[], None]:
    """The run loop's ``on_set``: counts the face sets done and reports them."""
    done = 0

    def on_set() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    return on_set


def _check_parallel(workers: object, scheduler: object, client: object) -> None:
    """Refuse contradictory or malformed parallel options, and Dask being absent."""
    given = [name for name, v in (("workers", workers), ("scheduler", scheduler),
                                  ("client", client)) if v is not None]
    if len(given) > 1:
        raise SolverInputError(f"give at most one of workers, scheduler and client, got {given}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise SolverInputError(f"workers must be a whole number >= 1, got {workers!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise SolverInputError(
            f"scheduler must be an address like tcp://127.0.0.1:8786, got {scheduler!r}"
        )
    if workers is not None or scheduler is not None:
        from solver.scaleout.cluster import import_distributed

        import_distributed()

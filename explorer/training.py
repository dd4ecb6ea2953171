"""Training runs for the dashboard, off the event loop: the job a worker process runs and
the runner that sends it there.

Training is CPU-bound numpy and the classification solves the problem exactly, so it runs
in a spawned process like the solves do: :func:`get_training_runner` is a
:class:`~explorer.runner.SolveRunner` (process pool, cache, cancel, progress) whose job is
:func:`train_job` and whose keys are :class:`TrainRequest` s. A request is either *many*
runs (a basin table and a sample of trajectories) or *one* run recorded step by step for
the animation. Nothing here imports Panel: a worker imports only the solver and this module.

Examples
--------
>>> from solver.problem import Problem
>>> request = TrainRequest(Problem.parse([0, 1, 2], [0, 1, 0], "1/10", 1), "gd", 0.05,
...                        "torch-default", runs=20, steps=2000, seed=0)
>>> outcome = train_job(1, request, 15.0)
>>> outcome.kind, sum(b.runs for b in outcome.solution.basins)
('ok', 20)
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from explorer.runner import SolveRunner
from explorer.worker import Outcome
from solver.problem import Problem

SAMPLE_RUNS = 24        # trajectories kept for drawing
SAMPLE_POINTS = 200     # points per sampled trajectory
MAX_FRAMES = 1500       # recorded states of the animated run
REPORT_EVERY = 0.1      # seconds between progress reports (and cancel checks)


@dataclass(frozen=True)
class TrainRequest:
    """What to train: the problem, optimiser, learning rate, init, number of runs, step
    budget and seed. ``one`` makes it one run recorded for the animation: from ``start``
    (``a``, ``b_1 .. b_d``, ``c`` per unit, flattened) or else run ``first`` of the seed's init."""

    problem: Problem
    optimizer: str
    lr: float
    init: str
    runs: int
    steps: int
    seed: int
    start: tuple[float, ...] | None = None
    one: bool = False
    first: int = 0


@dataclass(frozen=True)
class Sample:
    """Recorded states of a few runs: ``steps`` ``(T,)``; ``a``, ``b`` (the first input
    weight), ``c`` ``(T, k, L)``; ``loss`` ``(T, k)``; per run its outcome and the index (in
    the solution's ``minima``) of the minimum it reached, or -1; ``b2``, the second input
    weight ``(T, k, L)`` for d = 2 (None for d = 1)."""

    steps: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    loss: np.ndarray
    outcome: tuple[str, ...]
    minimum: tuple[int, ...]
    b2: np.ndarray | None = None


@dataclass(frozen=True)
class TrainResult:
    """A finished request: the basin table (many runs) or the recorded run (one run), the
    share that reached a global minimum, a sentence saying so, and the times."""

    request: TrainRequest
    basins: tuple
    global_runs: int
    global_share: float
    global_ci: tuple[float, float]
    sentence: str
    sample: Sample
    discrepancies: tuple[str, ...]
    seconds: float


_EXACT: dict[Problem, Any] = {}  # per worker process: the exact landscape of each problem


def _landscape(problem: Problem, max_seconds: float) -> Any:
    """The problem's exact landscape, computed once per worker process."""
    from solver.train import landscape

    if problem not in _EXACT:
        if len(_EXACT) > 16:
            _EXACT.clear()
        _EXACT[problem] = landscape(problem, max_seconds=max_seconds)
    return _EXACT[problem]


def _reporter(job_id: int, queue: Any,
              cancelled: MutableMapping[int, bool] | None) -> Callable[[int, int], None]:
    """``progress(done, total)``: report at most every 0.1 s, and stop when cancelled."""
    from solver.errors import SolveCancelled

    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < REPORT_EVERY and done < total:
            return
        last[0] = now
        if cancelled is not None and job_id in cancelled:
            raise SolveCancelled(f"training {job_id} was superseded")
        if queue is not None:
            queue.put((job_id, done, total))

    return report


def train_job(job_id: int, key: TrainRequest, max_seconds: float, queue: Any = None,
              cancelled: MutableMapping[int, bool] | None = None) -> Outcome:
    """Run one request in this process (a :class:`~explorer.runner.SolveRunner` job).

    Returns an :class:`~explorer.worker.Outcome` whose ``solution`` is a
    :class:`TrainResult`; a refused problem, a cancel or a failure is an outcome too.
    """
    from solver.errors import SolveCancelled, SolverError

    began = time.perf_counter()
    try:
        exact = _landscape(key.problem, max_seconds)
        report = _reporter(job_id, queue, cancelled)
        result = _one(key, exact, report) if key.one else _many(key, exact, report)
    except SolveCancelled:
        return Outcome("cancelled", seconds=time.perf_counter() - began)
    except (SolverError, ValueError) as exc:
        return Outcome("refused", message=str(exc).splitlines()[0],
                       seconds=time.perf_counter() - began)
    except Exception as exc:  # noqa: BLE001 - the dashboard shows it instead of dying
        return Outcome("failed", message=f"{type(exc).__name__}: {exc}",
                       seconds=time.perf_counter() - began)
    seconds = time.perf_counter() - began
    return Outcome("ok", solution=TrainResult(**{**result, "seconds": seconds}),
                   seconds=seconds)


def _sample(trajectory: Any, ends: tuple) -> Sample:
    """The recorded runs as a :class:`Sample` (their outcome and minimum from ``ends``)."""
    picked = [ends[int(r)] for r in trajectory.runs]
    return Sample(
        steps=trajectory.steps,
        a=trajectory.a,
        b=trajectory.B[..., 0],
        c=trajectory.c,
        loss=trajectory.loss,
        outcome=tuple(e.outcome for e in picked),
        minimum=tuple(e.target.landmark.index if e.outcome in ("converged", "kink")
                      and e.target.landmark is not None else -1 for e in picked),
        b2=trajectory.B[..., 1] if trajectory.B.shape[-1] > 1 else None,
    )


def _many(key: TrainRequest, exact: Any, report: Callable[[int, int], None]) -> dict:
    """Many runs: the basin table, a sentence, a sample of trajectories."""
    from solver.train import FloatData, Optimizer, descend, initial_params
    from solver.train.basins import basin_table, global_share
    from solver.train.classify import classify

    problem = key.problem
    data = FloatData.of(problem.x, problem.y, problem.lam)
    start = initial_params(key.init, key.runs, problem.units, problem.d, key.seed)
    every = max(1, key.steps // SAMPLE_POINTS)
    sample_runs = np.arange(min(SAMPLE_RUNS, key.runs))
    out = descend(data, start, Optimizer(key.optimizer, key.lr), key.steps, 1e-4,
                  record=(sample_runs, every), progress=report)
    ends = classify(data, out.params, out.steps, out.crossings, 1e-4, exact.minima,
                    exact.critical, diverged=out.diverged)
    best = exact.solution.global_loss
    k, share, ci = global_share(ends, best)
    basins = basin_table(ends, best)
    return {
        "request": key, "basins": basins, "global_runs": k, "global_share": share,
        "global_ci": ci, "sentence": _sentence(basins, k, share, ci, len(ends)),
        "sample": _sample(out.trajectory, ends),
        "discrepancies": tuple(f"run {e.run}: {e.detail}" for e in ends
                               if e.outcome == "discrepancy"),
    }


def _one(key: TrainRequest, exact: Any, report: Callable[[int, int], None]) -> dict:
    """One run from ``key.start`` (or from the init), recorded for the animation."""
    from solver.train import FloatData, Optimizer, Params, descend, initial_params
    from solver.train.classify import classify

    problem = key.problem
    L = problem.units
    data = FloatData.of(problem.x, problem.y, problem.lam)
    if key.start is not None:
        flat = np.asarray(key.start, dtype=float).reshape(L, problem.d + 2)
        start = Params(flat[None, :, 0].copy(), flat[None, :, 1:-1].copy(),
                       flat[None, :, -1].copy())
    else:
        start = initial_params(key.init, 1, L, problem.d, key.seed, first=key.first)
    every = max(1, key.steps // MAX_FRAMES)
    out = descend(data, start, Optimizer(key.optimizer, key.lr), key.steps, 1e-4,
                  record=(np.arange(1), every), progress=report)
    ends = classify(data, out.params, out.steps, out.crossings, 1e-4, exact.minima,
                    exact.critical, diverged=out.diverged)
    e = ends[0]
    text = f"This run: {e.outcome} — {e.detail} (loss {e.loss:.6g} after {e.steps} steps)."
    return {
        "request": key, "basins": (), "global_runs": 0, "global_share": 0.0,
        "global_ci": (0.0, 1.0), "sentence": text,
        "sample": _sample(out.trajectory, ends),
        "discrepancies": (f"run from the clicked point: {e.detail}",)
        if e.outcome == "discrepancy" else (),
    }


def _sentence(basins: tuple, k: int, share: float, ci: tuple[float, float], n: int) -> str:
    """The basin table in words: the global share, then the most common other ends."""
    words = (f"**{k} of {n} runs ({100 * share:.0f}%, 95% CI {100 * ci[0]:.0f}–"
             f"{100 * ci[1]:.0f}%) reached the global minimum.**")
    others = sorted((b for b in basins if not b.is_global), key=lambda b: -b.runs)[:3]
    parts = []
    for b in others:
        if b.outcome == "minimum" and b.landmark is not None:
            what = f"minimum #{b.landmark.index + 1} (loss {b.loss:.4g})"
        elif b.outcome == "stuck" and b.landmark is not None:
            lm = b.landmark
            what = ("the all-dead network" if not lm.neurons else
                    f"critical point {lm.index + 1} with {lm.dead} dead unit"
                    f"{'s' if lm.dead != 1 else ''}") + " (not a minimum)"
        else:
            what = b.outcome
        parts.append(f"{b.runs} ({100 * b.share:.0f}%) {what}")
    if parts:
        words += " Next: " + "; ".join(parts) + "."
    return words


_RUNNERS: dict[bool, SolveRunner] = {}


def get_training_runner(processes: bool = True) -> SolveRunner:
    """The process-wide training runner shared by all sessions: one worker process (the
    training loop is numpy on one core, and solves keep the other), or (``processes=False``)
    this process."""
    if processes not in _RUNNERS:
        _RUNNERS[processes] = SolveRunner(max_workers=1, max_seconds=15.0, cache_size=32,
                                          job=train_job, processes=processes)
    return _RUNNERS[processes]


def shutdown_training_runner() -> None:
    """Shut the shared training runners down (server exit)."""
    while _RUNNERS:
        _RUNNERS.popitem()[1].shutdown()

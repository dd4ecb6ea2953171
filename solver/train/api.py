"""Train many networks on a problem and classify every run against the exact results.

Examples
--------
>>> from solver.problem import Problem
>>> problem = Problem.parse(["0", "1", "2"], ["0", "1", "0"], "1/10", 1)
>>> report = train(problem, [Optimizer("gd", 0.05)], Settings(runs=20, steps=3000))
>>> t = report.trainings[0]
>>> sum(b.runs for b in t.basins), len(t.discrepancies)
(20, 0)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from solver.problem import Problem
from solver.results import Solution
from solver.train.basins import Basin, basin_table, global_share
from solver.train.classify import RunEnd, classify
from solver.train.init import INITS, initial_params
from solver.train.landmarks import Landmark, critical_landmarks, lifted, minimum_landmarks
from solver.train.loop import Optimizer, RunEnds, descend
from solver.train.network import FloatData, Params


@dataclass(frozen=True)
class Settings:
    """What every training of a report shares: the number of runs, the step budget, the
    gradient-norm tolerance, the initialisation, the seed and the index of the first run
    (run ``i`` starts from ``default_rng([seed, i])``)."""

    runs: int = 1000
    steps: int = 20000
    tol: float = 1e-4
    init: str = "torch-default"
    seed: int = 0
    first: int = 0

    def __post_init__(self) -> None:
        if self.runs < 1:
            raise ValueError(f"runs must be at least 1, got {self.runs}")
        if self.steps < 1:
            raise ValueError(f"steps must be at least 1, got {self.steps}")
        if not (self.tol > 0 and np.isfinite(self.tol)):
            raise ValueError(f"tol must be positive, got {self.tol}")
        if self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r}: one of {', '.join(INITS)}")
        if self.seed < 0 or self.first < 0:
            raise ValueError("seed and the first run's index must be >= 0")


@dataclass(frozen=True)
class Landscape:
    """The exact side, computed once per problem: the certified minima (one landmark per
    orbit) and the listed critical points that are not minima."""

    solution: Solution
    minima: tuple[Landmark, ...]
    critical: tuple[Landmark, ...]
    critical_count: int


def landscape(problem: Problem, *, solution: Solution | None = None,
              max_seconds: float | None = None, force: bool = False) -> Landscape:
    """Solve the problem exactly and list its critical points.

    ``solution`` reuses a solve already done; ``max_seconds``/``force`` are passed to
    :func:`solver.solve`.
    """
    from solver import critical_points, solve

    if solution is None:
        kwargs: dict = {"force": force}
        if max_seconds is not None:
            kwargs["max_seconds"] = max_seconds
        solution = solve(problem.x, problem.y, problem.lam, problem.units, **kwargs)
    points = critical_points(problem.x, problem.y, problem.lam, problem.units)
    xt = lifted(FloatData.of(problem.x, problem.y, problem.lam).x)
    return Landscape(solution, minimum_landmarks(solution, xt),
                     critical_landmarks(points, problem.units, xt), len(points))


@dataclass(frozen=True)
class Training:
    """One optimiser and learning rate: every run's end, the basin table, the runs that
    reached a global minimum, and the wall time of the training and of the classification."""

    optimizer: Optimizer
    descent: RunEnds
    ends: tuple[RunEnd, ...]
    basins: tuple[Basin, ...]
    global_runs: int
    global_share: float
    global_ci: tuple[float, float]
    seconds: float
    classify_seconds: float

    @property
    def discrepancies(self) -> tuple[RunEnd, ...]:
        """Runs at rest where the exact results list nothing (should be none)."""
        return tuple(e for e in self.ends if e.outcome == "discrepancy")


@dataclass(frozen=True)
class TrainReport:
    """Trainings of one problem, one per optimiser and learning rate (as text and JSON:
    :func:`solver.train.report.report_text` and :func:`~solver.train.report.report_json`)."""

    problem: Problem
    settings: Settings
    landscape: Landscape
    trainings: tuple[Training, ...]
    start: Params


def train(problem: Problem, optimizers: Sequence[Optimizer], settings: Settings = Settings(),
          *, exact: Landscape | None = None, start: Params | None = None,
          progress: Callable[[int, int], None] | None = None) -> TrainReport:
    """Train ``settings.runs`` networks with each optimiser and classify every run.

    Parameters
    ----------
    problem : Problem
    optimizers : sequence of Optimizer
        One training per entry, all from the same initial points.
    settings : Settings
    exact : Landscape, optional
        The exact results (computed with :func:`landscape` when not given).
    start : Params, optional
        Initial points instead of ``settings.init`` (their number replaces ``runs``).
    progress : callable, optional
        ``progress(done, total)`` in steps summed over the trainings; raising in it stops.

    Returns
    -------
    TrainReport
    """
    if not optimizers:
        raise ValueError("at least one optimizer is needed")
    exact = exact if exact is not None else landscape(problem)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    if start is None:
        start = initial_params(settings.init, settings.runs, problem.units, problem.d,
                               settings.seed, settings.first)
    total = settings.steps * len(optimizers)
    out = []
    for k, opt in enumerate(optimizers):
        inner = None
        if progress is not None:
            def inner(done: int, _steps: int, offset: int = k * settings.steps) -> None:
                progress(offset + done, total)
        began = time.perf_counter()
        descent = descend(data, start, opt, settings.steps, settings.tol, progress=inner)
        trained = time.perf_counter()
        ends = classify(data, descent.params, descent.steps, descent.crossings, settings.tol,
                        exact.minima, exact.critical, first=settings.first,
                        diverged=descent.diverged)
        gk, gs, gci = global_share(ends, exact.solution.global_loss)
        out.append(Training(opt, descent, ends, basin_table(ends, exact.solution.global_loss),
                            gk, gs, gci, trained - began, time.perf_counter() - trained))
    return TrainReport(problem, settings, exact, tuple(out), start)

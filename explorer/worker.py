"""What runs inside a pool process: one solve, reported as a picklable :class:`Outcome`.

Kept separate from :mod:`explorer.runner` so a spawned worker imports only the solver
and this module, never Panel.

Examples
--------
>>> key = SolveKey.parse([0, 1], [1, 0], 1, 1)
>>> key.units, key.x
(1, ((Fraction(0, 1),), (Fraction(1, 1),)))
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

from solver.problem import Problem

OutcomeKind = Literal["ok", "refused", "cancelled", "failed"]

# How often (seconds) a worker reports progress and looks for a cancel request.
_PROGRESS_EVERY = 0.1


# One problem, exactly: the cache key and what a worker solves (the solver's Problem,
# parsed once by the dashboard and solved as it is).
SolveKey = Problem


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one solve request.

    ``kind`` is ``"ok"`` (``solution`` set), ``"refused"`` (bad input or too large:
    ``message`` is the solver's one-line reason), ``"cancelled"`` (superseded) or
    ``"failed"`` (anything unexpected, ``message`` names it). ``seconds`` is the solve's
    wall time in the worker, ``cpu_seconds`` its CPU time there (their difference: waiting
    for a core, ``benchmarks.bench_worker``).
    """

    kind: OutcomeKind
    solution: Any = None
    message: str = ""
    seconds: float = 0.0
    cached: bool = False
    cpu_seconds: float = 0.0


def solve_key(
    job_id: int,
    key: SolveKey,
    max_seconds: float,
    queue: Any = None,
    cancelled: MutableMapping[int, bool] | None = None,
) -> Outcome:
    """Solve one problem in this process and describe what happened.

    Exceptions are turned into an :class:`Outcome` here because solver exceptions with
    extra constructor arguments (``ProblemTooLargeError``) do not survive pickling.

    Parameters
    ----------
    job_id : the runner's id of this request (tags progress messages).
    key : the problem.
    max_seconds : refuse problems whose estimated time exceeds this.
    queue : optional queue receiving ``(job_id, done, total)`` progress tuples.
    cancelled : optional shared mapping; ``job_id in cancelled`` stops the solve.
    """
    from solver import solve_problem
    from solver.errors import SolveCancelled, SolverError

    start, cpu = time.perf_counter(), time.process_time()
    report = progress_callback(job_id, queue, cancelled)

    def outcome(kind: OutcomeKind, **fields: Any) -> Outcome:
        return Outcome(kind, seconds=time.perf_counter() - start,
                       cpu_seconds=time.process_time() - cpu, **fields)

    try:
        solution = solve_problem(key, progress=report, max_seconds=max_seconds)
    except SolveCancelled:
        return outcome("cancelled")
    except SolverError as exc:
        return outcome("refused", message=_one_line(exc))
    except Exception as exc:  # noqa: BLE001 - the dashboard shows it instead of dying
        return outcome("failed", message=f"{type(exc).__name__}: {_one_line(exc)}")
    return outcome("ok", solution=solution)


def warm_up() -> bool:
    """Import the solver in a fresh worker so the first real solve starts fast."""
    from solver import solve  # noqa: F401 - loads the solving pipeline (lazy in ``solver``)

    return True


def progress_callback(
    job_id: int, queue: Any, cancelled: MutableMapping[int, bool] | None
) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` that reports and honours cancel, at most every 0.1 s."""
    from solver.errors import SolveCancelled

    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < _PROGRESS_EVERY and done < total:
            return
        last[0] = now
        if cancelled is not None and job_id in cancelled:
            raise SolveCancelled(f"request {job_id} was superseded")
        if queue is not None:
            queue.put((job_id, done, total))

    return report


def _one_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]

"""Run solves off the server's event loop: a spawn process pool, a cache, cancel, progress.

The solver is CPU-bound Python, so a thread would hold the GIL and freeze every session.
:class:`SolveRunner` sends each request to a ``ProcessPoolExecutor`` (spawn context) and
hands back a :class:`SolveJob` whose ``future`` resolves to an :class:`~explorer.worker.Outcome`.

- **Cache**: finished solutions are kept (LRU) by their exact problem, so returning to an
  earlier λ or data set is instant (:meth:`SolveRunner.lookup`).
- **Cancel**: a queued job is dropped; a running one sees a flag in a ``Manager`` dict at its
  next progress call and stops; if it is still running ``grace`` seconds later, the pool's
  processes are terminated and a fresh pool takes over (other jobs are resubmitted).
- **Progress**: workers put ``(job_id, done, total)`` on a ``Manager`` queue;
  :meth:`SolveRunner.drain` (called from a periodic callback) collects them.

One runner per server process is shared by all sessions (:func:`get_runner`); the app
hooks warm it at start-up and shut it down at exit.

Examples
--------
>>> from fractions import Fraction
>>> runner = SolveRunner(processes=False)
>>> runner.lookup(SolveKey(x=(), y=(), lam=Fraction(1), units=1)) is None
True
"""

from __future__ import annotations

import itertools
import multiprocessing
import queue as queue_module
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.worker import Outcome, SolveKey, solve_key, warm_up

__all__ = ["Outcome", "SolveJob", "SolveKey", "SolveRunner", "get_runner", "shutdown_runner"]


@dataclass(eq=False)
class SolveJob:
    """One submitted request; ``future`` resolves to its :class:`Outcome`."""

    id: int
    key: SolveKey
    future: Future = field(default_factory=Future)
    cancel_requested: bool = False
    attempts: int = 0
    _inner: Future | None = None


class SolveRunner:
    """Solve problems in worker processes, with a cache, cancellation and progress.

    Parameters
    ----------
    max_workers : pool size (the machine has 2 cores).
    max_seconds : problems estimated to take longer are refused by the solver.
    cache_size : number of solutions kept.
    grace : seconds a cancelled running job may take to notice before the pool is killed.
    processes : ``False`` solves synchronously in this process (tests, notebooks).
    job : the function a worker runs (module level, picklable); tests may swap it.
    """

    def __init__(
        self,
        max_workers: int = 2,
        max_seconds: float = 15.0,
        cache_size: int = 128,
        grace: float = 2.0,
        processes: bool = True,
        job: Callable[..., Outcome] = solve_key,
    ) -> None:
        self.max_workers = max_workers
        self.max_seconds = max_seconds
        self.cache_size = cache_size
        self.grace = grace
        self.processes = processes
        self.job = job
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._cache: OrderedDict[SolveKey, Outcome] = OrderedDict()
        self._progress: dict[int, tuple[int, int]] = {}
        self._pending: set[int] = set()  # ids of jobs not finished yet
        self._executor: ProcessPoolExecutor | None = None
        self._manager: Any = None
        self._queue: Any = None
        self._cancelled: Any = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> list[Future]:
        """Start the pool and its manager and import the solver in every worker."""
        if not self.processes:
            return []
        with self._lock:
            if self._executor is not None:
                return []
            ctx = multiprocessing.get_context("spawn")
            self._manager = ctx.Manager()
            self._queue = self._manager.Queue()
            self._cancelled = self._manager.dict()
            return self._new_pool()

    def _new_pool(self) -> list[Future]:
        """A fresh spawned pool (caller holds the lock), each worker warmed at once."""
        ctx = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(self.max_workers, mp_context=ctx)
        return [self._executor.submit(warm_up) for _ in range(self.max_workers)]

    def shutdown(self) -> None:
        """Stop the workers (terminating running solves) and the manager."""
        with self._lock:
            executor, manager = self._executor, self._manager
            self._executor = self._manager = self._queue = self._cancelled = None
        if executor is not None:
            _kill_pool(executor)
        if manager is not None:
            manager.shutdown()

    # ------------------------------------------------------------------- solving
    def lookup(self, key: SolveKey) -> Outcome | None:
        """The cached outcome of ``key`` (marked ``cached``), or ``None``."""
        with self._lock:
            outcome = self._cache.get(key)
            if outcome is None:
                return None
            self._cache.move_to_end(key)
            return replace(outcome, cached=True)

    def submit(self, key: SolveKey) -> SolveJob:
        """Start solving ``key``; the returned job's ``future`` gives the outcome."""
        job = SolveJob(next(self._ids), key)
        with self._lock:
            self._pending.add(job.id)
        if not self.processes:
            self._finish(job, self.job(job.id, key, self.max_seconds))
            return job
        self.start()
        self._launch(job)
        return job

    def cancel(self, job: SolveJob) -> None:
        """Supersede ``job``: drop it if queued, ask it to stop if running."""
        if job.future.done():
            return
        job.cancel_requested = True
        inner = job._inner
        if inner is not None and inner.cancel():
            return
        with self._lock:
            if self._cancelled is not None:
                self._cancelled[job.id] = True
        timer = threading.Timer(self.grace, self._terminate_if_running, args=(job,))
        timer.daemon = True
        timer.start()

    # ------------------------------------------------------------------ progress
    def drain(self) -> None:
        """Collect the progress messages the workers have sent so far."""
        q = self._queue
        if q is None:
            return
        while True:
            try:
                job_id, done, total = q.get_nowait()
            except queue_module.Empty:
                return
            except (OSError, EOFError):  # manager gone during shutdown
                return
            with self._lock:
                if job_id in self._pending:  # a late message of a finished job is dropped
                    self._progress[job_id] = (done, total)

    def progress(self, job: SolveJob) -> tuple[int, int] | None:
        """The last ``(done, total)`` reported by ``job``, if any."""
        with self._lock:
            return self._progress.get(job.id)

    # ------------------------------------------------------------------ internals
    def _launch(self, job: SolveJob) -> None:
        """Submit ``job`` to the current pool."""
        with self._lock:
            executor = self._executor
            args = (job.id, job.key, self.max_seconds, self._queue, self._cancelled)
        if executor is None:
            self._finish(job, Outcome("failed", message="the solver pool is shut down"))
            return
        job.attempts += 1
        try:
            inner = executor.submit(self.job, *args)
        except (RuntimeError, BrokenProcessPool) as exc:
            self._finish(job, Outcome("failed", message=f"cannot start a solve: {exc}"))
            return
        job._inner = inner
        inner.add_done_callback(lambda fut: self._inner_done(job, fut))

    def _inner_done(self, job: SolveJob, inner: Future) -> None:
        """Pool future finished: resubmit after a pool restart, or finish the job."""
        if job.cancel_requested:
            self._finish(job, Outcome("cancelled"))
            return
        # A pool replaced under a running job cancels or breaks its futures: resubmit.
        exc = None if inner.cancelled() else inner.exception()
        if (inner.cancelled() or isinstance(exc, BrokenProcessPool)) and job.attempts < 3:
            self._launch(job)
            return
        if inner.cancelled():
            self._finish(job, Outcome("failed", message="the solver pool was restarted"))
            return
        if exc is not None:
            self._finish(job, Outcome("failed", message=f"{type(exc).__name__}: {exc}"))
            return
        self._finish(job, inner.result())

    def _finish(self, job: SolveJob, outcome: Outcome) -> None:
        """Record ``outcome`` (cache successes) and resolve the job's future."""
        with self._lock:
            if outcome.kind == "ok":
                self._cache[job.key] = outcome
                self._cache.move_to_end(job.key)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            self._progress.pop(job.id, None)
            self._pending.discard(job.id)
            cancelled = self._cancelled
        if cancelled is not None:
            try:
                cancelled.pop(job.id, None)
            except (OSError, EOFError):
                pass
        if not job.future.done():
            job.future.set_result(outcome)

    def _terminate_if_running(self, job: SolveJob) -> None:
        """A cancelled job ignored its flag: replace the pool, killing its processes."""
        if job.future.done():
            return
        with self._lock:
            old = self._executor
            if old is None:
                return
            self._new_pool()  # warmed now, not on the next edit
        _kill_pool(old)


def _kill_pool(executor: ProcessPoolExecutor) -> None:
    """Terminate an executor's processes; its pending futures fail with BrokenProcessPool."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)


_RUNNER: SolveRunner | None = None


def get_runner() -> SolveRunner:
    """The process-wide runner shared by all dashboard sessions."""
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = SolveRunner()
    return _RUNNER


def shutdown_runner() -> None:
    """Shut the shared runner down (server exit)."""
    global _RUNNER
    if _RUNNER is not None:
        _RUNNER.shutdown()
        _RUNNER = None


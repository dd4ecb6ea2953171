"""Run solves off the server's event loop: a spawn process pool, a cache, cancel, progress.

The solver is CPU-bound Python, so a thread would hold the GIL and freeze every session.
:class:`SolveRunner` sends each request to a ``ProcessPoolExecutor`` (spawn context) and
hands back a :class:`SolveJob` whose ``future`` resolves to an :class:`~explorer.worker.Outcome`.

- **Cache**: finished solutions are kept (LRU) by their exact problem, so returning to an
  earlier λ or data set is instant (:meth:`SolveRunner.lookup`).
- **Shared requests**: a request for a problem already being solved waits for that job
  (thirty students opening the same example start one solve); the job counts its
  waiters, and :meth:`SolveRunner.cancel` stops it only when every waiter has cancelled.
- **Cancel**: a cancelled job sees a flag in a ``Manager`` dict at its next progress call
  (a queued one at its first) and stops; if it is still running ``grace`` seconds later,
  the pool's processes are terminated and a fresh pool takes over: every other live job of
  the old pool is submitted again to the new one by the runner itself (the old pool's
  futures are abandoned, never trusted to report).
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
    """One solve under way; ``future`` resolves to its :class:`Outcome`.

    ``waiters`` counts the :meth:`SolveRunner.submit` calls it answers (each is ended by
    the outcome or by one :meth:`SolveRunner.cancel`).
    """

    id: int
    key: SolveKey
    future: Future = field(default_factory=Future)
    waiters: int = 1
    cancel_requested: bool = False
    attempts: int = 0
    _inner: Future | None = None
    _pool: ProcessPoolExecutor | None = None  # the pool ``_inner`` was submitted to


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
        self._pending: dict[int, SolveJob] = {}  # jobs not finished yet, by id
        self._inflight: dict[SolveKey, SolveJob] = {}  # the job that new waiters join
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
        """Start solving ``key``; the returned job's ``future`` gives the outcome.

        If ``key`` is being solved already (and not cancelled), that job is returned with
        one waiter more instead of starting a second solve of the same problem.
        """
        with self._lock:
            running = self._inflight.get(key)
            if running is not None and not running.future.done():
                running.waiters += 1
                return running
            job = SolveJob(next(self._ids), key)
            self._pending[job.id] = job
            if self.processes:
                self._inflight[key] = job
        if not self.processes:
            self._finish(job, self.job(job.id, key, self.max_seconds))
            return job
        self.start()
        self._launch(job)
        return job

    def cancel(self, job: SolveJob) -> None:
        """One waiter of ``job`` no longer wants it; when none is left, the job stops at its
        next progress call (a queued one at its first), and one still running ``grace``
        seconds later has its pool replaced.

        >>> runner = SolveRunner(processes=False)
        >>> job = SolveJob(1, SolveKey(x=(), y=(), lam=1, units=1), waiters=2)
        >>> runner.cancel(job); job.waiters, job.cancel_requested
        (1, False)
        """
        with self._lock:
            if job.future.done() or job.cancel_requested:
                return
            job.waiters -= 1
            if job.waiters > 0:
                return
            job.cancel_requested = True
            if self._inflight.get(job.key) is job:
                del self._inflight[job.key]  # a new request for it starts afresh
        # The pool's future is never cancelled: Python 3.11's pool, when a process dies,
        # sets an exception on every pending future and stops at the first cancelled one
        # (InvalidStateError), leaving the others unresolved for ever. A queued job sees
        # the flag at its first progress call instead.
        with self._lock:
            if self._cancelled is not None:
                try:
                    self._cancelled[job.id] = True
                except (OSError, EOFError):  # manager gone during shutdown
                    pass
        self._arm(job)

    def _arm(self, job: SolveJob) -> None:
        """Check ``grace`` seconds from now that the cancelled ``job`` has stopped."""
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
    def _launch(self, job: SolveJob, count: bool = True) -> None:
        """Submit ``job`` to the current pool (``count``: a new attempt of the job itself,
        not a resubmission after the runner replaced the pool)."""
        if count:
            job.attempts += 1
        failed = Outcome("failed", message="the solver pool is shut down")
        for _ in range(2):  # a pool found broken at submit time is replaced once
            with self._lock:
                executor = self._executor
                if executor is None:
                    break
                args = (job.id, job.key, self.max_seconds, self._queue, self._cancelled)
                try:
                    inner = executor.submit(self.job, *args)
                except BrokenProcessPool:
                    moved = self._replace_pool(executor)
                except RuntimeError as exc:
                    failed = Outcome("failed", message=f"cannot start a solve: {exc}")
                    break
                else:
                    job._inner, job._pool = inner, executor
                    moved = None
            if moved is None:
                inner.add_done_callback(lambda fut: self._inner_done(job, fut))
                return
            self._resubmit(moved)
        self._finish(job, failed)

    def _inner_done(self, job: SolveJob, inner: Future) -> None:
        """Pool future finished: finish the job, or try again after a worker crashed."""
        with self._lock:
            if inner is not job._inner:  # abandoned: the runner resubmitted the job itself
                return
            job._inner = None
        if job.cancel_requested:
            self._finish(job, Outcome("cancelled"))
            return
        exc = None if inner.cancelled() else inner.exception()
        if inner.cancelled() or isinstance(exc, BrokenProcessPool):
            # a worker died by itself (the runner's own kills abandon the futures first)
            with self._lock:
                moved = self._replace_pool(job._pool)
            self._resubmit(moved)
            if job.attempts < 3:
                self._launch(job)
            else:
                self._finish(job, Outcome("failed", message="a solver process died 3 times"))
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
            self._pending.pop(job.id, None)
            if self._inflight.get(job.key) is job:
                del self._inflight[job.key]
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
        self.drain()
        with self._lock:
            # A job has started once it has reported progress (it checks its flag first):
            # one still waiting in the pool stops at its first call, killing is not needed.
            queued = job._inner is not None and job.id not in self._progress
            moved = [] if queued else self._replace_pool(job._pool)
        if queued:
            self._arm(job)
            return
        self._resubmit(moved)
        self._finish(job, Outcome("cancelled"))

    def _replace_pool(self, old: ProcessPoolExecutor | None) -> list[SolveJob]:
        """Kill ``old`` if it is still the current pool and start a fresh one; the live jobs
        of ``old`` are detached from it and returned, for :meth:`_resubmit` (caller holds
        the lock)."""
        if old is None or old is not self._executor:
            return []  # already replaced, or shut down
        self._new_pool()  # warmed now, not on the next edit
        # the jobs whose future is still out in ``old`` (ids grow, so in submission order)
        moved = [j for j in self._pending.values() if j._pool is old and j._inner is not None]
        for j in moved:
            j._inner = j._pool = None  # the old futures are abandoned
            self._progress.pop(j.id, None)  # it starts again from the queue
        _kill_pool(old)
        return moved

    def _resubmit(self, moved: list[SolveJob]) -> None:
        """Start again on the current pool the jobs a replaced pool was running."""
        for j in moved:
            if j.cancel_requested:
                self._finish(j, Outcome("cancelled"))
            else:
                self._launch(j, count=False)


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


"""The client's side of scale-out: the run loop's chunks on a Dask cluster.

Level by level (``k`` = number of distinct faces), the client scatters the problem
(once) and each level's new interior solutions (once, when the next level starts, as the
bytes the chunks sent, unread; a worker keeps what it has taken) to every worker, hands
out the level in chunks of decreasing size (:class:`~solver.scaleout.pieces.Pieces`:
large chunks first, for the batched hot path, small ones last, to balance the workers),
and collects the results as they finish, reporting progress per chunk. The garbage
collector is paused meanwhile, as in an in-process solve. Nothing here is imported on
the in-process path: Dask is the optional extra ``relu-minima[dask]``.

Examples
--------
>>> fallback_note(60.0, 2) is None
True
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from solver.errors import SolverError, SolverInputError
from solver.pipeline.collector import paused_gc
from solver.pipeline.run import ChunkResult, FaceWork, level_size, levels
from solver.scaleout.chunks import Seed, forget, remote_chunk
from solver.scaleout.ledger import Meter
from solver.scaleout.pieces import Pieces
from solver.scaleout.wire import unpack

# Seconds to wait for a scheduler, for the workers to join it, and for a local
# cluster to close.
CONNECT_TIMEOUT = 30
WORKER_TIMEOUT = 60
CLOSE_TIMEOUT = 10

# A local cluster started for one solve (``workers=N``) pays off from about this many
# seconds of estimated in-process time: below it the solve runs in-process (with a note)
# unless forced. The estimate is cautious (measured 0.15-0.9 of it), so this keeps
# problems of up to a few seconds in-process, where the cluster's start-up, per-level
# round trips and the workers' re-proving of each other's solutions cost more than the
# second core gains.
LOCAL_MIN_SECONDS = 5.0

# The clients of local clusters of one worker started here (by id, while open): that
# worker solves every face set, so no chunk sends its solutions back.
_SOLO: set[int] = set()

MISSING = (
    "parallel solving needs dask.distributed, which is not installed "
    "(pip install 'relu-minima[dask]')"
)


class InProcessFallback(UserWarning):
    """Issued when ``workers=N`` was asked for a problem too small for a local cluster,
    which is then solved in-process (the result is the same)."""


def fallback_note(estimate: float, workers: int) -> str | None:
    """Why a problem estimated at ``estimate`` s in-process is solved in-process instead of
    on a new local cluster of ``workers`` workers, or None when the cluster is worth it.

    >>> fallback_note(60.0, 2) is None
    True
    >>> note = fallback_note(0.11, 2)
    >>> note.startswith("estimated 0.11 s in-process, under the 5 s")
    True
    >>> "solving in-process instead of on 2 local workers" in note
    True
    """
    if estimate >= LOCAL_MIN_SECONDS:
        return None
    plural = "s" if workers != 1 else ""
    return (f"estimated {estimate:.2g} s in-process, under the {LOCAL_MIN_SECONDS:g} s from "
            f"which a local cluster pays off: solving in-process instead of on {workers} "
            f"local worker{plural} (force=True or --force starts them anyway)")


def import_distributed() -> Any:
    """The ``distributed`` module, or a one-line :class:`SolverInputError` without it."""
    try:
        import distributed
    except ImportError as exc:
        raise SolverInputError(MISSING) from exc
    return distributed


@contextmanager
def open_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: of a new local cluster of ``workers`` processes (one thread
    each, no dashboard, quiet logs), or connected to the scheduler at ``scheduler``.
    Everything started here is shut down on exit."""
    distributed = import_distributed()
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise SolverInputError(
                f"cannot connect to the dask scheduler at {scheduler}: {reason}"
            ) from exc
        with client:
            yield client
        return
    cluster = _start_local_cluster(distributed, workers or 1)
    try:  # not ``with cluster``: its __enter__ waits for the workers (same problem)
        # by address: Client(cluster) would wait for the workers, and a Ctrl-C there
        # leaves the cluster hard to close; prepare() waits instead
        client = distributed.Client(cluster.scheduler_address)
        if (workers or 1) == 1:
            _SOLO.add(id(client))
        try:
            yield client
        finally:
            _SOLO.discard(id(client))
            client.close()
    finally:
        _close(cluster)


def _close(cluster: Any) -> None:
    """Close a local cluster, even one whose start-up was interrupted (Ctrl-C).

    Interrupting a blocking Dask call cancels its coroutine, and closing the cluster then
    fails on the cancelled start-up (``UnboundLocalError`` inside Dask) or stalls; the
    second attempt is bounded. Worker processes left over are daemons: they end with
    this process.
    """
    try:
        cluster.close(timeout=CLOSE_TIMEOUT)
    except Exception:  # noqa: BLE001 - see the docstring
        try:
            cluster.close(timeout=CLOSE_TIMEOUT)
        except Exception:  # noqa: BLE001
            pass


def _start_local_cluster(distributed: Any, workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` processes whose workers ignore Ctrl-C.

    Ctrl-C in a terminal reaches the whole process group. Only this process should handle
    it (cancel, shut the cluster down, exit 130), not each worker with a traceback. A
    Python handler does not survive the workers' ``exec``, an ignored signal does: so
    the signal is ignored here only while the worker processes are created (moments,
    not the seconds they take to start up; :func:`dask_setup` covers restarted ones).
    """
    with _start_method():
        cluster = distributed.LocalCluster(**local_cluster_options(0))  # scheduler only
        try:
            before = _child_pids()
            restore = _ignore_sigint()
            try:
                cluster.scale(workers)
                _wait_until_spawned(cluster, workers, before)
            finally:
                restore()
        except BaseException:
            _close(cluster)
            raise
    return cluster


def _start_method() -> Any:
    """Dask's configuration while the local cluster is created: workers started by
    ``fork`` on Linux (Dask's default, ``spawn``, elsewhere), without the profiler, and
    the periodic housekeeping of every server (scheduler, nannies, workers) slowed down.

    A spawned worker imports Python, ``distributed``, numpy, python-flint and the solver
    again: 2-4 s of wall time on an idle 2-core machine and 5-9 s under load (measured:
    spawn 7-12 s from cluster to ready and closed at load 8, fork 0.4-0.9 s). A forked
    worker has them already. The solving process forks them before it starts any
    computation of its own (its other thread is Dask's event loop, which does the
    forking). A worker restarted later by its nanny uses Dask's default again.
    """
    import dask

    # no statistical profiler in the workers: it samples the chunk's Python stack every
    # 10 ms (d = 2, L = 2, n = 8 with 2 workers: solve 1.74-1.75 s without, 1.79-1.92 s
    # with, at load 2.6-2.8)
    options: dict[str, Any] = {"distributed.worker.profile.enabled": False}
    # the event loop's blocked-loop check (every 20 ms), the system monitor (500 ms) and
    # the memory monitor (100 ms) are diagnostics for long-lived clusters; at their
    # defaults an idle local cluster of 2 workers took 3.2 % of a core in this process
    # and 1.3 % in each worker, competing with the chunks; at 1 s / 5 s / 1 s: 0.6 % and
    # 0.2 % (load 8, psutil CPU times over 5 s)
    options.update({"distributed.admin.tick.interval": "1s",
                    "distributed.admin.system-monitor.interval": "5s",
                    "distributed.worker.memory.monitor-interval": "1s"})
    if sys.platform.startswith("linux"):
        options["distributed.worker.multiprocessing-method"] = "fork"
    return dask.config.set(options)


def _ignore_sigint() -> Callable[[], None]:
    """Ignore Ctrl-C (main thread only); returns the function that restores the handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    return lambda: signal.signal(signal.SIGINT, old)


def _wait_until_spawned(cluster: Any, workers: int, before: set[int]) -> None:
    """Until ``workers`` new child processes exist (``before``: the pids there were), or
    failing that the workers have joined the scheduler, at most :data:`WORKER_TIMEOUT` s."""
    deadline = time.monotonic() + WORKER_TIMEOUT
    while time.monotonic() < deadline:
        if len(_child_pids() - before) >= workers:
            return
        if len(cluster.scheduler_info.get("workers", {})) >= workers:
            return
        time.sleep(0.01)


def _child_pids() -> set[int]:
    """The pids of this process's live ``multiprocessing`` children."""
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def prepare(client: Any, workers: int | None = None) -> None:
    """Wait for ``workers`` workers (at least one) and import the solver in every worker
    (so that the solve's time does not include the imports)."""
    try:
        client.wait_for_workers(workers or 1, timeout=WORKER_TIMEOUT)
    except TimeoutError as exc:
        raise SolverInputError(
            f"no dask worker joined the scheduler within {WORKER_TIMEOUT} s"
        ) from exc
    client.run(_warm_up)


def _warm_up() -> bool:
    """Import the solver's modules in a worker process."""
    import solver.scaleout.chunks  # noqa: F401

    return True


def local_cluster_options(workers: int) -> dict[str, Any]:
    """``LocalCluster`` options: ``workers`` processes of one thread, on this host only, no
    dashboard (the scheduler's small health-check HTTP server takes any free port, so
    several clusters never clash or warn), quiet logs (the solve reports failures)."""
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
        "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
        "silence_logs": logging.CRITICAL,  # failures are reported by the solve itself
        "preload": ["solver.scaleout.cluster"],  # runs dask_setup in each worker process
    }


def dask_setup(worker: Any) -> None:
    """Preload of the local cluster's worker processes: ignore Ctrl-C.

    They share the terminal's process group, so Ctrl-C reaches them too; the solving
    process alone handles it (cancels, shuts the cluster down, exits with code 130)
    instead of every worker printing a traceback.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_on_client(
    client: Any, work: FaceWork, total: int, progress: Callable[[int, int], None] | None
) -> list[ChunkResult]:
    """Every level's chunks on ``client``'s cluster; ``progress(done, total)`` per chunk.

    Raising in ``progress`` (e.g. :class:`~solver.errors.SolveCancelled`), an error in a chunk, or
    Ctrl-C cancels the outstanding tasks and re-raises. Inside
    :func:`solver.scaleout.ledger.accounting` the solve's CPU time is decomposed.
    """
    distributed = import_distributed()
    work = _with_token(work)
    try:
        with paused_gc():  # as in process; the replies are many small objects
            results = _run_levels(client, distributed, work, total, progress)
    except _cluster_failures(distributed) as exc:  # nothing left to tidy up on the workers
        raise SolverError(f"the dask cluster failed: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        _forget_everywhere(client, work.token)
        raise
    _forget_everywhere(client, work.token)
    return results


def _run_levels(client: Any, distributed: Any, work: FaceWork, total: int,
                progress: Callable[[int, int], None] | None) -> list[ChunkResult]:
    """:func:`run_on_client`'s loop over the levels."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    # a local cluster of one worker keeps every solution where it is needed
    share = workers > 1 or id(client) not in _SOLO
    meter = Meter.start(client, work)
    work_future = client.scatter(work, broadcast=True, hash=False)
    seed_futures: list = []  # one per level: the level below's new solutions, sent once
    solved: list[bytes] = []  # the level's chunks' solutions, packed: forwarded unread
    results: list[ChunkResult] = []
    done = 0
    if progress is not None:
        progress(0, total)
    for level in levels(work):
        seed = Seed(packed=tuple(solved))
        if meter is not None:
            meter.between_levels(seed)
        seed_futures.append(client.scatter(seed, broadcast=True, hash=False))
        solved = []
        pieces = Pieces(level_size(work, level), workers)
        seeds = list(seed_futures)

        def submit(piece: tuple[int, int], level: int = level, seeds: list = seeds) -> Any:
            start, stop = piece
            return client.submit(
                remote_chunk, work_future, seeds, level, start, stop, share,
                key=f"relu-minima-{work.token}-{level}-{start}-{stop}", pure=False,
            )

        # two chunks in flight per worker (none waits for the next), the next one
        # handed out as one finishes: its size depends on what is left
        first = [submit(p) for p in (pieces.next() for _ in range(2 * workers)) if p]
        if meter is not None:
            meter.level_started()
        running = distributed.as_completed(first)
        try:
            for future in running:
                reply = future.result()
                piece = pieces.next()
                if piece is not None:
                    running.add(submit(piece))
                unpacking = time.process_time()
                result = unpack(reply.result)
                if meter is not None:
                    meter.chunk(level, reply, result.sets, time.process_time() - unpacking)
                results.append(result)
                if reply.solved:
                    solved.append(reply.solved)
                done += result.sets
                if progress is not None:
                    progress(done, total)
        except BaseException:
            _cancel(client, list(running.futures) + first)
            raise
        del first, running
    if meter is not None:
        meter.finish(client)
    return results


def _cancel(client: Any, futures: list) -> None:
    """Cancel the outstanding tasks (best effort: the connection may be what failed)."""
    try:
        client.cancel(futures, force=True)
    except Exception:  # noqa: BLE001 - nothing more can be done for them
        pass


def _cluster_failures(distributed: Any) -> tuple[type[BaseException], ...]:
    """Exceptions of the cluster itself (a worker died, the scheduler went away)."""
    found = (
        getattr(distributed, "KilledWorker", None),
        getattr(getattr(distributed, "comm", None), "CommClosedError", None),
        getattr(getattr(distributed, "client", None), "FutureCancelledError", None),
    )
    return tuple(c for c in found if isinstance(c, type) and issubclass(c, BaseException))


def _with_token(work: FaceWork) -> FaceWork:
    """``work`` named by a fresh token (worker state is kept per solve)."""
    return replace(work, token=uuid.uuid4().hex)


def _forget_everywhere(client: Any, token: str) -> None:
    """Best effort: free the solve's state on every worker."""
    try:
        client.run(forget, token)
    except Exception:  # noqa: BLE001 - a lost worker has nothing left to free
        pass


__all__ = [
    "LOCAL_MIN_SECONDS",
    "InProcessFallback",
    "Pieces",
    "fallback_note",
    "import_distributed",
    "local_cluster_options",
    "open_client",
    "prepare",
    "run_on_client",
]

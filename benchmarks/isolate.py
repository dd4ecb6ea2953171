"""Run one measurement in a fresh process with a wall-clock limit.

A benchmark problem that is slow, crashes or raises must not stop the others: each runs in
its own ``spawn``-ed process, its result comes back through a pipe, and a process still
running at the limit is terminated (by its own handle, nothing else is touched). A
measured function may call :func:`report_progress`; a run stopped at its limit then says
how far it got.

Examples
--------
>>> run_limited(abs, (-3,), limit=60).value
3
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["ok", "error", "timeout"]


@dataclass(frozen=True, slots=True)
class Limited:
    """What a limited run gave: ``value`` when ``ok``, else ``message``; ``wall`` seconds
    include starting the process and importing."""

    kind: Kind
    value: Any = None
    message: str = ""
    wall: float = 0.0


_progress: Any = None  # the shared (done, total) of the running child, set in _child


def report_progress(done: int, total: int) -> None:
    """Record how far the measured work is (a ``solve(progress=...)`` callback)."""
    if _progress is not None:
        _progress[0], _progress[1] = done, total


def _child(conn: Any, progress: Any, func: Callable[..., Any], args: tuple) -> None:
    """Run ``func(*args)`` and send ``("ok", value)`` or ``("error", text)``."""
    global _progress
    _progress = progress
    try:
        conn.send(("ok", func(*args)))
    except BaseException as exc:  # noqa: BLE001 - reported in the table, not raised
        first = (str(exc).strip().splitlines() or [""])[0]
        conn.send(("error", f"{type(exc).__name__}: {first}" if first else type(exc).__name__))
    finally:
        conn.close()


def run_limited(func: Callable[..., Any], args: tuple, limit: float) -> Limited:
    """Run ``func(*args)`` in a new process; give up after ``limit`` seconds.

    ``func`` must be importable by name (a module-level function) and its result picklable.
    """
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    progress = ctx.Array("d", 2, lock=False)
    process = ctx.Process(target=_child, args=(child, progress, func, args), daemon=True)
    start = time.perf_counter()
    process.start()
    child.close()
    try:
        if not parent.poll(limit):
            message = f"> {limit:g} s"
            done, total = int(progress[0]), int(progress[1])
            if total:
                message += f" ({done}/{total} done)"
            return Limited("timeout", message=message, wall=time.perf_counter() - start)
        try:
            kind, payload = parent.recv()
        except EOFError:
            process.join(5)
            return Limited(
                "error",
                message=f"worker died (exit code {process.exitcode})",
                wall=time.perf_counter() - start,
            )
        wall = time.perf_counter() - start
        if kind == "ok":
            return Limited("ok", value=payload, wall=wall)
        return Limited("error", message=payload, wall=wall)
    finally:
        parent.close()
        _stop(process)


def _stop(process: Any) -> None:
    """End ``process`` if it is still running: terminate, then kill."""
    process.join(1)
    if process.is_alive():
        process.terminate()
        process.join(5)
    if process.is_alive():
        process.kill()
        process.join(5)

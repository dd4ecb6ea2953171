"""CPU-time accounting of a cluster solve: where the time goes, measured so that load on
the machine distorts it little (CPU seconds, not wall seconds), and the speed-up it
predicts for an idle machine.

Inside :func:`accounting`, a cluster solve (:func:`solver.scaleout.cluster.run_on_client`)
records every chunk's CPU time on its worker (``time.process_time`` around the chunk,
packing its reply included), the part spent packing it and the part spent here unpacking
it (:mod:`solver.scaleout.wire`), the bytes of every reply and seed, the worker processes'
whole CPU time (chunks plus Dask's own work there), the coordinator's CPU time (this
process: Dask's scheduler and client threads and the run loop) and its serial part, the
CPU time between one level's last reply and the next level's first task, when no worker
has anything to do. The model:

* a worker is busy for its chunks' CPU time; each level waits for its busiest worker, so
  the *critical path* is the sum over levels of the busiest worker's CPU time, plus the
  coordinator's serial part;
* the cores must also fit every process's CPU time: the solve takes at least the total
  CPU time over the cores;
* predicted seconds on an idle machine: the larger of the two; predicted speed-up: the
  in-process CPU time over that.

Examples
--------
>>> cost = Decomposition(chunks=(ChunkCost(1, 10, 7, 1.0, 100), ChunkCost(1, 10, 8, 2.0, 80),
...                              ChunkCost(2, 30, 7, 3.0, 50)),
...                      seed_bytes=(40,), work_bytes=1000, worker_cpu=((7, 4.5), (8, 2.5)),
...                      coordinator_cpu=0.5, serial_cpu=0.25)
>>> cost.busiest(), cost.critical_path(), cost.predicted_seconds(2)
((2.0, 3.0), 5.25, 5.25)
>>> round(cost.predicted_speed_up(7.0, 2), 2), cost.bytes_sent()
(1.33, 2310)
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.pipeline.run import FaceWork


@dataclass(frozen=True, slots=True)
class ChunkCost:
    """One chunk: its level, number of face sets, worker (process id), CPU seconds there
    and the bytes of its reply; of its CPU seconds, those its worker spent packing the
    reply, and the coordinator's seconds unpacking it."""

    level: int
    sets: int
    pid: int
    cpu: float
    reply_bytes: int
    pack_cpu: float = 0.0
    unpack_cpu: float = 0.0


@dataclass(frozen=True, slots=True)
class Decomposition:
    """Where a cluster solve's CPU time went (see the module docstring).

    ``worker_cpu``: each worker process's whole CPU time during the solve (pid,
    seconds); ``coordinator_cpu``: this process's; ``serial_cpu``: the part of it spent
    between levels, when the workers wait; ``seed_bytes``: per level, the seed sent to
    every worker; ``work_bytes``: the problem, sent once to every worker; ``serial_wall``:
    the wall seconds of the serial part (round trips included; load distorts it).
    """

    chunks: tuple[ChunkCost, ...]
    seed_bytes: tuple[int, ...]
    work_bytes: int
    worker_cpu: tuple[tuple[int, float], ...]
    coordinator_cpu: float
    serial_cpu: float
    serial_wall: float = 0.0

    def per_worker(self) -> dict[int, float]:
        """Each worker's chunk CPU seconds (by process id)."""
        found: dict[int, float] = {pid: 0.0 for pid, _ in self.worker_cpu}
        for chunk in self.chunks:
            found[chunk.pid] = found.get(chunk.pid, 0.0) + chunk.cpu
        return found

    def busiest(self) -> tuple[float, ...]:
        """Per level, the busiest worker's chunk CPU seconds."""
        levels: dict[int, dict[int, float]] = {}
        for chunk in self.chunks:
            busy = levels.setdefault(chunk.level, {})
            busy[chunk.pid] = busy.get(chunk.pid, 0.0) + chunk.cpu
        return tuple(max(busy.values()) for _, busy in sorted(levels.items()))

    def critical_path(self) -> float:
        """CPU seconds of the longest chain: each level's busiest worker, plus the
        coordinator's serial part."""
        return sum(self.busiest()) + self.serial_cpu

    def total_cpu(self) -> float:
        """CPU seconds of every process: the workers (chunks and Dask) and the coordinator."""
        return sum(cpu for _, cpu in self.worker_cpu) + self.coordinator_cpu

    def predicted_seconds(self, cores: int) -> float:
        """The solve's seconds on an idle machine of ``cores`` cores."""
        return max(self.critical_path(), self.total_cpu() / max(1, cores))

    def predicted_speed_up(self, in_process_cpu: float, cores: int) -> float:
        """The in-process solve's CPU seconds over :meth:`predicted_seconds`."""
        return in_process_cpu / self.predicted_seconds(cores)

    def with_overhead_of(self, real: Decomposition) -> Decomposition:
        """This (simulated) decomposition with a real cluster run's overhead: each worker
        process's CPU beyond its chunks (on average), the coordinator's CPU and its serial
        part (see :func:`simulate`)."""
        extra = (sum(cpu for _, cpu in real.worker_cpu) - sum(c.cpu for c in real.chunks)) \
            / max(1, len(real.worker_cpu))
        workers = tuple((pid, cpu + extra) for pid, cpu in self.per_worker().items())
        return Decomposition(self.chunks, self.seed_bytes, self.work_bytes, workers,
                             real.coordinator_cpu, real.serial_cpu, real.serial_wall)

    def serialisation(self) -> tuple[float, float]:
        """CPU seconds packing the replies (the workers, part of their chunks' time) and
        unpacking them (the coordinator)."""
        return (sum(c.pack_cpu for c in self.chunks), sum(c.unpack_cpu for c in self.chunks))

    def bytes_sent(self) -> int:
        """Bytes over the wire: the problem and each seed to every worker, every reply."""
        workers = max(1, len(self.worker_cpu))
        return (workers * (self.work_bytes + sum(self.seed_bytes))
                + sum(c.reply_bytes for c in self.chunks))


@dataclass(slots=True)
class Ledger:
    """What :func:`accounting` collects during a cluster solve (filled in by
    :func:`solver.scaleout.cluster.run_on_client`); :attr:`result` is the last solve's
    :class:`Decomposition`."""

    chunks: list[ChunkCost] = field(default_factory=list)
    seed_bytes: list[int] = field(default_factory=list)
    work_bytes: int = 0
    own: float = 0.0  # CPU seconds of the accounting itself (left out of the coordinator's)
    result: Decomposition | None = None

    def size(self, value: object) -> int:
        """The pickled size of ``value`` (its CPU time left out of the coordinator's)."""
        start = time.process_time()
        size = len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        self.own += time.process_time() - start
        return size


class Meter:
    """Fills the active :class:`Ledger` during one cluster solve (see
    :func:`solver.scaleout.cluster.run_on_client`): :meth:`between_levels` when a level's
    last reply is in (or the solve starts), :meth:`level_started` once the next level's
    first tasks are submitted, :meth:`chunk` per reply, :meth:`finish` at the end."""

    def __init__(self, ledger: Ledger, client: Any, work: object) -> None:
        self.ledger = ledger
        self.pids: dict[str, int] = client.run(os.getpid)
        self.cpu: dict[str, float] = client.run(time.process_time)
        ledger.work_bytes = ledger.size(work)
        self.begun = time.process_time()
        self.own = ledger.own
        self.serial = self.serial_wall = 0.0
        self.mark: tuple[float, float, float] | None = None

    @classmethod
    def start(cls, client: Any, work: object) -> Meter | None:
        """A meter when :func:`accounting` is active, else None."""
        ledger = active()
        return None if ledger is None else cls(ledger, client, work)

    def between_levels(self, seed: Any) -> None:
        """The serial part starts (the seed of the next level, a
        :class:`~solver.scaleout.chunks.Seed` of packed bytes, is sent)."""
        if self.mark is None:
            self.mark = (time.process_time(), time.perf_counter(), self.ledger.own)
        self.ledger.seed_bytes.append(sum(map(len, seed.packed)))

    def level_started(self) -> None:
        """The serial part ends (the level's first tasks are submitted)."""
        if self.mark is not None:
            cpu, wall, own = self.mark
            self.serial += time.process_time() - cpu - (self.ledger.own - own)
            self.serial_wall += time.perf_counter() - wall
        self.mark = None

    def chunk(self, level: int, reply: Any, sets: int, unpack_cpu: float) -> None:
        """A chunk's reply (a :class:`~solver.scaleout.chunks.PackedReply` of ``sets``
        face sets) arrived and was unpacked in ``unpack_cpu`` seconds."""
        self.ledger.chunks.append(ChunkCost(level, sets, reply.pid, reply.cpu, reply.size,
                                            reply.pack_cpu, unpack_cpu))

    def finish(self, client: Any) -> None:
        """The solve's last reply is in: the decomposition is :attr:`Ledger.result`."""
        coordinator = time.process_time() - self.begun - (self.ledger.own - self.own)
        after = client.run(time.process_time)
        ledger = self.ledger
        ledger.result = Decomposition(
            tuple(ledger.chunks), tuple(ledger.seed_bytes), ledger.work_bytes,
            tuple((self.pids[a], after[a] - self.cpu[a]) for a in after if a in self.cpu),
            coordinator, self.serial, self.serial_wall,
        )
        ledger.chunks.clear()
        ledger.seed_bytes.clear()


def simulate(work: FaceWork, workers: int) -> tuple[Decomposition, float]:
    """A cluster solve's chunks run one after the other in this process, and the
    in-process solve's CPU seconds measured just before: the same work in the same minute,
    so load on the machine distorts their ratio less than that of two separate runs.

    Each level is cut as on the cluster (:class:`~solver.scaleout.pieces.Pieces`), its
    next chunk given to the simulated worker with the least CPU time in the level so far
    (the cluster hands it to the worker that finishes first); each worker keeps its own
    :class:`~solver.scaleout.chunks.SeededEnumerator`, and the replies are packed and
    unpacked as on the cluster (:mod:`solver.scaleout.wire`). No Dask: the workers' and the
    coordinator's own overhead comes from a real run (:meth:`Decomposition.with_overhead_of`).
    """
    from solver.pipeline.collector import paused_gc
    from solver.pipeline.run import level_size, levels, run_levels
    from solver.scaleout.chunks import PackedReply, Seed, SeededEnumerator, run_seeded_chunk
    from solver.scaleout.pieces import Pieces
    from solver.scaleout.wire import unpack

    start = time.process_time()
    run_levels(work)
    in_process = time.process_time() - start
    enumerators = [SeededEnumerator(work) for _ in range(workers)]
    seeds: list = []
    chunks: list[ChunkCost] = []
    seed_bytes: list[int] = []
    for level in levels(work):
        busy, solved = [0.0] * workers, []
        export = workers > 1 and level < levels(work)[-1]
        for first, stop in Pieces(level_size(work, level), workers):
            w = busy.index(min(busy))
            with paused_gc():  # as remote_chunk
                start = time.process_time()
                enumerators[w].take_seeds(tuple(seeds))
                reply = PackedReply.of(run_seeded_chunk(work, enumerators[w], level, first,
                                                        stop, export=export), start)
                busy[w] += reply.cpu
                unpacking = time.process_time()
                sets = unpack(reply.result).sets
            chunks.append(ChunkCost(level, sets, w, reply.cpu, reply.size, reply.pack_cpu,
                                    time.process_time() - unpacking))
            if reply.solved:
                solved.append(reply.solved)
        seed = Seed(packed=tuple(solved))
        seed_bytes.append(sum(map(len, seed.packed)))
        seeds.append(seed)
    cost = Decomposition(tuple(chunks), tuple(seed_bytes), len(pickle.dumps(work)), (), 0.0, 0.0)
    sums = tuple(cost.per_worker().items())
    return Decomposition(cost.chunks, cost.seed_bytes, cost.work_bytes, sums, 0.0, 0.0), in_process


_ACTIVE: list[Ledger] = []


@contextmanager
def accounting() -> Iterator[Ledger]:
    """Record the CPU-time decomposition of the cluster solves run inside (benchmarks).

    >>> with accounting() as ledger:
    ...     active() is ledger
    True
    >>> active() is None
    True
    """
    ledger = Ledger()
    _ACTIVE.append(ledger)
    try:
        yield ledger
    finally:
        _ACTIVE.remove(ledger)


def active() -> Ledger | None:
    """The innermost :func:`accounting` ledger, or None (the usual case: nothing recorded)."""
    return _ACTIVE[-1] if _ACTIVE else None


__all__ = ["ChunkCost", "Decomposition", "Ledger", "Meter", "accounting", "active", "simulate"]

"""Chunks on cluster workers: the seed and results as exact picklable data.

A cluster worker (:func:`remote_chunk`) runs a chunk of the run loop
(:func:`solver.pipeline.run.run_chunk`) with a :class:`SeededEnumerator` holding the
lower levels' interior solutions, sent as exact data (:class:`BoxCoordinate`,
:class:`PolyCoordinate`: Fractions and integers; most python-flint types do not pickle)
and re-proved on the worker at any precision. It answers with a :class:`PackedReply`:
the chunk's result and its sets' solutions as bytes (:mod:`solver.scaleout.wire`).
Verdicts are decided rigorously and the reported values come from the exact boxes and
polynomials, so the result does not depend on where a set was solved.

Examples
--------
>>> from solver.pipeline.run import make_work
>>> from solver.problem import Problem
>>> work = make_work(Problem.parse([0, 1], [1, 0], "1/10", 1))
>>> reply = run_seeded_chunk(work, SeededEnumerator(work), 0, 0, 1, export=True)
>>> reply.result.sets, reply.solved
(1, {(): ((), (), None)})
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from flint import arb, fmpz_poly

from solver.pipeline.algebraic import RealRoot
from solver.pipeline.collector import paused_gc
from solver.pipeline.locate.enumerator import Entry, NeuronEnumerator
from solver.pipeline.locate.face_problem import FaceProblem
from solver.pipeline.locate.interior import QUICK_PREC, BoxRoot, BoxSolution
from solver.pipeline.numbers import fraction, working_precision
from solver.pipeline.run import ChunkResult, FaceWork, Key, chunk_keys, levels, run_chunk
from solver.problem import to_fmpq
from solver.scaleout.wire import pack, unpack


@dataclass(frozen=True, slots=True)
class BoxCoordinate:
    """Coordinate ``index`` of the interior solution of face set ``part``, proved unique
    in the rational box ``[lo, hi]`` (a :class:`~solver.pipeline.locate.interior.BoxRoot`)."""

    part: Key
    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    index: int

    def __reduce__(self) -> tuple:  # the constructor, not a Python __setstate__
        return BoxCoordinate, (self.part, self.lo, self.hi, self.index)


@dataclass(frozen=True, slots=True)
class PolyCoordinate:
    """The real root of the integer polynomial ``coeffs`` (degree 0 up) in ``[lo, hi]``
    (a :class:`~solver.pipeline.locate.eliminate.RealRoot`)."""

    coeffs: tuple[int, ...]
    lo: Fraction
    hi: Fraction

    def __reduce__(self) -> tuple:
        return PolyCoordinate, (self.coeffs, self.lo, self.hi)


@dataclass(frozen=True, slots=True)
class PendingCoordinate:
    """Coordinate ``index`` of the interior solution of face set ``part`` whose fine box
    is not proved yet: the float minimiser ``start`` (exact) it is proved from on
    demand, and its coarse proved box ``[lo, hi]`` (a pending
    :class:`~solver.pipeline.locate.interior.BoxSolution`)."""

    part: Key
    start: tuple[Fraction, ...]
    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    index: int

    def __reduce__(self) -> tuple:
        return PendingCoordinate, (self.part, self.start, self.lo, self.hi, self.index)


Coordinate = BoxCoordinate | PolyCoordinate | PendingCoordinate
# An enumerator entry as data: interior solution (or None), the face signs (or None) and
# the signs of its KKT excess against every alive face (:func:`pack_signs`, or None).
Encoded = tuple[tuple[Coordinate, ...] | None, tuple[int, ...] | None, bytes | None]


def pack_signs(table: np.ndarray) -> bytes:
    """A table of signs (-1, 0, 1; int8) as two bit planes, 4 per byte: the KKT excess
    table a worker proved for a face set, sent with it so that no other worker proves
    it again.

    >>> table = np.array([-1, 0, 1, 1, -1], dtype=np.int8)
    >>> unpack_signs(pack_signs(table), 5).tolist()
    [-1, 0, 1, 1, -1]
    """
    return np.packbits(np.concatenate([table != 0, table > 0])).tobytes()


def unpack_signs(packed: bytes, count: int) -> np.ndarray:
    """The table of ``count`` signs packed by :func:`pack_signs`."""
    bits = np.unpackbits(np.frombuffer(packed, dtype=np.uint8), count=2 * count)
    nonzero, positive = bits[:count].astype(bool), bits[count:].astype(bool)
    return np.where(nonzero, np.where(positive, 1, -1), 0).astype(np.int8)


@dataclass(frozen=True, slots=True)
class Seed:
    """Interior solutions of lower levels: on a cluster, one level's new solutions (the
    client sends each level's once; a worker keeps the ones it has taken), as the
    chunks' :attr:`PackedReply.solved` bytes (``packed``; the client forwards them
    unread) or as ``entries``."""

    entries: Mapping[Key, Encoded] = field(default_factory=dict)
    packed: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class ChunkReply:
    """A chunk's answer: its result and, when higher levels follow, its sets' interior
    solutions (``solved``) for the next seed (on a cluster it travels packed:
    :class:`PackedReply`)."""

    result: ChunkResult
    solved: dict[Key, Encoded]


@dataclass(frozen=True, slots=True)
class PackedReply:
    """A :class:`ChunkReply` as it travels (:func:`solver.scaleout.wire.pack`): the result
    and the solutions as bytes (``solved`` empty when no level follows), the chunk's CPU
    seconds on its worker (``time.process_time``, packing included), the part spent
    packing, and the worker's process id."""

    result: bytes
    solved: bytes
    cpu: float
    pack_cpu: float
    pid: int

    @classmethod
    def of(cls, reply: ChunkReply, started: float) -> PackedReply:
        """``reply`` packed; ``started``: the chunk's ``time.process_time`` at its start."""
        packing = time.process_time()
        result, solved = pack(reply.result), pack(reply.solved) if reply.solved else b""
        done = time.process_time()
        return cls(result, solved, done - started, done - packing, os.getpid())

    @property
    def size(self) -> int:
        """Bytes sent."""
        return len(self.result) + len(self.solved)


class SeededEnumerator(NeuronEnumerator):
    """The run loop's enumerator taking subsets' interior solutions from a :class:`Seed`
    (decoded when first needed) instead of solving them again."""

    def __init__(self, work: FaceWork, seed: Seed | None = None) -> None:
        super().__init__(work.problem, work.alive, record=work.completeness)
        self.work = work
        self.index = {f.signs: i for i, f in enumerate(work.alive)}
        # the seeds' entries by their faces' sign vectors (the enumerator's own keys)
        self.seed: dict[tuple, Encoded] = {}
        self.taken = 0  # how many of a solve's seeds (one per level) are in self.seed
        self._boxes: dict[tuple, BoxSolution] = {}
        if seed is not None:
            self.take_seeds((seed,))

    def take_seeds(self, seeds: tuple[Seed, ...]) -> None:
        """Add the interior solutions of the seeds not taken yet (``seeds`` holds every
        level's so far, in order; each is sent to the workers once, and a worker that
        missed a level takes it here). A set no seed covers is solved here."""
        alive = self.work.alive
        for seed in seeds[self.taken:]:
            for entries in (seed.entries, *map(unpack, seed.packed)):
                self.seed.update({tuple([alive[i].signs for i in key]): encoded
                                  for key, encoded in entries.items()})
        self.taken = max(self.taken, len(seeds))

    def known(self, key: tuple) -> Entry | None:
        """The seed's entry of the face set with these sign vectors, decoded (with its
        KKT excess table, when the worker that solved it sent one)."""
        encoded = self.seed.get(key)
        if encoded is None:
            return None
        if encoded[2] is not None and key not in self._excesses:
            self._excesses[key] = unpack_signs(encoded[2], len(self.index))
        return self._decode(encoded)

    def encoded(self, key: Key) -> Encoded:
        """The entry of face set ``key`` as exact picklable data."""
        faces = tuple(self.work.alive[i] for i in key)
        roots, signs = self.entry(faces)
        table = self._excesses.get(tuple([f.signs for f in faces]))
        return ((None if roots is None else tuple(self._encode(r) for r in roots)), signs,
                None if table is None else pack_signs(table))

    def _encode(self, root) -> Coordinate:
        if isinstance(root, RealRoot):
            return PolyCoordinate(
                tuple(int(c) for c in root.poly.coeffs()), fraction(root.lo), fraction(root.hi)
            )
        solution = root.solution
        part = tuple(self.index[nd.face.signs] for nd in solution.face_problem.nds)
        if solution.pending:  # sent as it is: the fine proof only where it is needed
            lo, hi = solution.quick_box()
            return PendingCoordinate(
                part, tuple(fraction(v) for v in solution.start),
                tuple(fraction(v) for v in lo), tuple(fraction(v) for v in hi), root.index,
            )
        return BoxCoordinate(
            part,
            tuple(fraction(v) for v in solution.lo),
            tuple(fraction(v) for v in solution.hi),
            root.index,
        )

    def _decode(self, encoded: Encoded):
        coords, signs, _ = encoded
        if coords is None:
            return None, signs
        return tuple(self._root(c) for c in coords), signs

    def _root(self, coord: Coordinate):
        if isinstance(coord, PolyCoordinate):
            return RealRoot(fmpz_poly(list(coord.coeffs)), to_fmpq(coord.lo), to_fmpq(coord.hi))
        pending = isinstance(coord, PendingCoordinate)
        ident = (pending, coord.part, coord.lo, coord.hi)
        solution = self._boxes.get(ident)
        if solution is None:  # one object per solution: its coordinates share the proof
            nds = [self.data[self.work.alive[i].signs] for i in coord.part]
            lo, hi = [to_fmpq(v) for v in coord.lo], [to_fmpq(v) for v in coord.hi]
            if pending:
                with working_precision(QUICK_PREC + 32):
                    quick = [arb((a + b) / 2, (b - a) / 2) for a, b in zip(lo, hi)]
                solution = BoxSolution(FaceProblem(self.problem, nds), None, None,
                                       start=[to_fmpq(v) for v in coord.start], quick=quick)
            else:
                solution = BoxSolution(FaceProblem(self.problem, nds), lo, hi)
            self._boxes[ident] = solution
        return BoxRoot(solution, coord.index)


def run_seeded_chunk(work: FaceWork, enumerator: SeededEnumerator, level: int, start: int,
                     stop: int, *, export: bool) -> ChunkReply:
    """Run the chunk of the level's sets ``start`` to ``stop`` (excluded); with ``export``,
    also return its sets' interior solutions. The cyclic garbage collector is paused
    meanwhile, as for a solve in process (:func:`~solver.pipeline.collector.paused_gc`)."""
    with paused_gc():
        result = run_chunk(work, enumerator, level, start, 1, stop=stop)
        solved = ({key: enumerator.encoded(key)
                   for key in chunk_keys(work, level, start, 1, stop)} if export else {})
    return ChunkReply(result, solved)


# --- on a worker ----------------------------------------------------------------------

# Per worker process: the enumerators of the latest solves, by token. Their solutions
# (and proofs at each precision) are reused by the process's later chunks of that solve.
_ENUMERATORS: OrderedDict[str, SeededEnumerator] = OrderedDict()
_KEEP = 2
# flint's working precision is process-global: chunks in threads of one process must
# not interleave (a worker started with --nthreads > 1 still computes one at a time).
_LOCK = threading.Lock()


def remote_chunk(work: FaceWork, seeds: tuple[Seed, ...], level: int, start: int,
                 stop: int, share: bool = True) -> PackedReply:
    """Run one chunk in a cluster worker process (the task sent by
    :mod:`solver.scaleout.cluster`); ``seeds`` are the lower levels' new solutions, one
    :class:`Seed` per level, already on the worker. Without ``share`` (a cluster of one
    worker, which keeps its own solutions) the chunk's solutions are not sent back. The
    collector is paused throughout (the seeds read, the chunk run, the reply packed)."""
    with _LOCK, paused_gc():
        cpu = time.process_time()
        enumerator = _ENUMERATORS.get(work.token)
        if enumerator is None:
            enumerator = _ENUMERATORS[work.token] = SeededEnumerator(work)
            while len(_ENUMERATORS) > _KEEP:
                _ENUMERATORS.popitem(last=False)
        _ENUMERATORS.move_to_end(work.token)
        enumerator.take_seeds(tuple(seeds))
        export = share and level < levels(work)[-1]
        reply = run_seeded_chunk(work, enumerator, level, start, stop, export=export)
        return PackedReply.of(reply, cpu)


def forget(token: str) -> bool:
    """Drop a finished solve's state from this worker process.

    Without the lock: a cancelled chunk may still be running (it keeps its own reference),
    and waiting for it would block the worker's event loop, where this runs.
    """
    return _ENUMERATORS.pop(token, None) is not None

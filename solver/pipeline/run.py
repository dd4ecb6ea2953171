"""The run loop: every face set of a problem, level by level, solved, certified and merged.

The face sets of ``k`` distinct alive faces form *level* ``k``. A set's verdict needs the
interior solutions of its proper subsets only (KKT pruning and decoupled parts, see
:class:`~solver.pipeline.locate.enumerator.NeuronEnumerator`), so the sets of one level
are independent once the levels below are known. A *chunk* is every ``stride``-th set of
a level from ``start`` on (combinations of alive-face indices, in order);
:func:`run_chunk` solves, certifies and merges it and returns a :class:`ChunkResult`.

The in-process solve runs each whole level as one chunk with one enumerator
(:func:`run_levels`); scale-out (:mod:`solver.scaleout`) runs the chunks of a level on
cluster workers.

Examples
--------
>>> from solver.problem import Problem
>>> work = make_work(Problem.parse([0, 1], [1, 0], "1/10", 1))
>>> [level_size(work, k) for k in levels(work)]
[1, 5]
>>> result = run_chunk(work, NeuronEnumerator(work.problem, work.alive), 1, 0, 1)
>>> result.sets, result.systems
(5, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations, islice
from math import comb

from solver.errors import SolverError
from solver.pipeline.certify import Certification, certify
from solver.pipeline.completeness import set_record
from solver.pipeline.divide import UnitFace, unit_faces
from solver.pipeline.locate.enumerator import NeuronEnumerator
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.merge import Found, network_minima
from solver.problem import Problem
from solver.results import SetRecord

Key = tuple[int, ...]  # a face set: increasing indices into FaceWork.alive
# Face sets located together (one batched float stage); progress is reported per set
# after each batch.
BATCH = 2048


@dataclass(frozen=True, slots=True)
class FaceWork:
    """Everything a worker needs to solve face sets of one problem (picklable).

    ``faces`` are all faces of a unit's arrangement (certification checks them all),
    ``alive`` the ones a neuron may sit on; ``token`` names the solve, so a worker keeps
    its state per solve.
    """

    problem: Problem
    faces: tuple[UnitFace, ...]
    alive: tuple[UnitFace, ...]
    token: str = ""
    completeness: bool = False


def make_work(problem: Problem, token: str = "", completeness: bool = False) -> FaceWork:
    """The :class:`FaceWork` of a problem; ``completeness`` asks every chunk for its sets'
    records (:mod:`solver.pipeline.completeness`)."""
    faces = unit_faces(problem.x)
    alive = tuple(f for f in faces if f.dim > 0 and f.positive)
    return FaceWork(problem, faces, alive, token, completeness)


def levels(work: FaceWork) -> range:
    """The levels ``k = 0 .. min(units, alive faces)`` that hold face sets."""
    return range(0, min(work.problem.units, len(work.alive)) + 1)


def level_size(work: FaceWork, k: int) -> int:
    """Number of face sets of level ``k``."""
    return comb(len(work.alive), k)


def total_sets(work: FaceWork) -> int:
    """Number of face sets over all levels (the progress total)."""
    return sum(level_size(work, k) for k in levels(work))


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one chunk found.

    ``entries`` are the chunk's network minima before their orbits are numbered (plain
    Python data, for :func:`solver.pipeline.merge.canonical`); ``records`` its sets'
    completeness records (only when the work asks for them).
    """

    sets: int
    entries: tuple[Found, ...]
    candidates: int
    systems: int
    records: tuple[SetRecord, ...] = ()


def chunk_keys(work: FaceWork, level: int, start: int, stride: int, stop: int | None = None):
    """The face sets of a chunk: every ``stride``-th set of ``level`` from ``start`` (to
    ``stop``, excluded)."""
    return islice(combinations(range(len(work.alive)), level), start, stop, stride)


def run_chunk(
    work: FaceWork,
    enumerator: NeuronEnumerator,
    level: int,
    start: int,
    stride: int,
    *,
    on_set: Callable[[], None] | None = None,
    stop: int | None = None,
) -> ChunkResult:
    """Solve, certify and merge one chunk (see the module docstring; ``stop`` ends it
    before that set of the level).

    ``on_set()`` is called after every set (in-process progress and cancellation).
    """
    systems = enumerator.systems_solved
    entries: list[Found] = []
    records: list[SetRecord] = []
    candidates = count = 0
    keys = chunk_keys(work, level, start, stride, stop)
    for key, faces in _prepared(work, enumerator, keys, level < levels(work)[-1]):
        points = enumerator.points(faces)
        candidates += len(points)
        verdict = None
        found: list[Found] = []
        for point in points:
            verdict = certify(point, work.faces, need_dead=work.problem.units > point.k)
            if verdict.alive_ok:
                point = verdict.exact or point.exact()
            found.extend(network_minima(point, verdict, work.problem.units))
        entries.extend(found)
        if work.completeness:
            records.append(_record(enumerator, work, key, faces, verdict,
                                   [f.orbit for f in found]))
        count += 1
        if on_set is not None:
            on_set()
    return ChunkResult(
        count, tuple(entries), candidates, enumerator.systems_solved - systems, tuple(records),
    )


def _prepared(work: FaceWork, enumerator: NeuronEnumerator, keys: Iterator[Key],
              subsets: bool):
    """The keys with their faces, each slice of :data:`BATCH` sets located together by
    :meth:`NeuronEnumerator.prepare` before it is handed out (``subsets``: they will
    prune the next level)."""
    alive = work.alive
    while True:
        batch = [(key, tuple([alive[i] for i in key])) for key in islice(keys, BATCH)]
        if not batch:
            return
        enumerator.prepare([faces for _, faces in batch], subsets)
        yield from batch


def run_levels(work: FaceWork, on_set: Callable[[], None] | None = None) -> list[ChunkResult]:
    """Every level as one chunk, with one enumerator: the sequential loop."""
    enumerator = NeuronEnumerator(work.problem, work.alive, record=work.completeness)
    return [run_chunk(work, enumerator, k, 0, 1, on_set=on_set) for k in levels(work)]


def _record(enumerator: NeuronEnumerator, work: FaceWork, key: Key,
            faces: tuple[UnitFace, ...], verdict: Certification | None,
            orbits: list[tuple]) -> SetRecord:
    """The completeness record of one set of the chunk (its entry was just solved)."""
    signs_key = tuple(f.signs for f in faces)
    found = enumerator.decisions.get(signs_key)
    if found is None:
        raise SolverError(f"completeness: face set {key} was not solved by this chunk")
    roots, signs = enumerator.entry(faces)
    candidate = None
    if roots is not None and signs is None:
        nds = tuple(enumerator.data[s] for s in signs_key)
        candidate = NeuronPoint(enumerator.problem, faces, nds, roots, ())
    return set_record(key, faces, found, roots, signs, candidate, verdict, orbits,
                      work.problem.units)


def merge_results(results: Sequence[ChunkResult]) -> tuple[list[Found], int, int]:
    """All entries, candidates and systems of a solve's chunks."""
    entries = [e for r in results for e in r.entries]
    return entries, sum(r.candidates for r in results), sum(r.systems for r in results)

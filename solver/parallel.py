"""Scale-out, part 1: the per-face work in independent chunks, with picklable exact results.

The face sets of ``k`` distinct alive faces form *level* ``k``. A set's verdict needs the
interior solutions of its proper subsets only (KKT pruning and decoupled parts, see
:class:`~solver.neurons.NeuronEnumerator`), so the sets of one level are independent once
the levels below are known. A *chunk* is every ``stride``-th set of a level from
``start`` on (combinations of alive-face indices, in order); :func:`run_chunk` solves,
certifies and merges it and returns a :class:`ChunkResult`.

The in-process solve runs each whole level as one chunk with one enumerator (exactly the
sequential loop). A cluster worker (:func:`remote_chunk`) runs a chunk with a
:class:`SeededEnumerator` holding the lower levels' interior solutions, sent as exact
data (:class:`BoxCoordinate`, :class:`PolyCoordinate`: Fractions and integers; most
python-flint types do not pickle) and re-proved on the worker at any precision. Verdicts
are decided rigorously and the reported values come from the exact boxes and
polynomials, so the result does not depend on where a set was solved.

Examples
--------
>>> from fractions import Fraction as F
>>> work = make_work(((F(0),), (F(1),)), (F(1), F(0)), F(1, 10), 1)
>>> [level_size(work, k) for k in levels(work)]
[1, 5]
>>> result = run_chunk(work, SeededEnumerator(work), 1, 0, 1)
>>> result.sets, result.systems
(5, 3)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations, islice
from math import comb

from flint import fmpz_poly

from solver.arrangement import UnitFace, unit_faces
from solver.certify import certify
from solver.completeness import Decision, SetRecord, decision, set_record
from solver.errors import SolverError
from solver.interior import BoxRoot, BoxSolution, FaceProblem
from solver.merge import network_minima
from solver.neurons import NeuronEnumerator, NeuronPoint, _components
from solver.results import Minimum
from solver.roots import RealRoot, fraction
from solver.systems import to_fmpq

Key = tuple[int, ...]  # a face set: increasing indices into FaceWork.alive


@dataclass(frozen=True, slots=True)
class FaceWork:
    """Everything a worker needs to solve face sets of one problem (picklable).

    ``faces`` are all faces of a unit's arrangement (certification checks them all),
    ``alive`` the ones a neuron may sit on; ``token`` names the solve, so a worker keeps
    its state per solve.
    """

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    lam: Fraction
    units: int
    faces: tuple[UnitFace, ...]
    alive: tuple[UnitFace, ...]
    token: str = ""
    completeness: bool = False


def make_work(x, y, lam: Fraction, units: int, token: str = "",
              completeness: bool = False) -> FaceWork:
    """The :class:`FaceWork` of exact data ``x`` (rows), ``y``, ``lam`` and ``units``;
    ``completeness`` asks every chunk for its sets' records
    (:mod:`solver.completeness`)."""
    x = tuple(tuple(row) for row in x)
    faces = unit_faces(x)
    alive = tuple(f for f in faces if f.dim > 0 and f.positive)
    return FaceWork(x, tuple(y), lam, units, faces, alive, token, completeness)


def levels(work: FaceWork) -> range:
    """The levels ``k = 0 .. min(units, alive faces)`` that hold face sets."""
    return range(0, min(work.units, len(work.alive)) + 1)


def level_size(work: FaceWork, k: int) -> int:
    """Number of face sets of level ``k``."""
    return comb(len(work.alive), k)


def total_sets(work: FaceWork) -> int:
    """Number of face sets over all levels (the progress total)."""
    return sum(level_size(work, k) for k in levels(work))


@dataclass(frozen=True, slots=True)
class BoxCoordinate:
    """Coordinate ``index`` of the interior solution of face set ``part``, proved unique
    in the rational box ``[lo, hi]`` (a :class:`~solver.interior.BoxRoot`)."""

    part: Key
    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    index: int


@dataclass(frozen=True, slots=True)
class PolyCoordinate:
    """The real root of the integer polynomial ``coeffs`` (degree 0 up) in ``[lo, hi]``
    (a :class:`~solver.roots.RealRoot`)."""

    coeffs: tuple[int, ...]
    lo: Fraction
    hi: Fraction


Coordinate = BoxCoordinate | PolyCoordinate
# An enumerator entry as data: interior solution (or None) and the face signs (or None).
Encoded = tuple[tuple[Coordinate, ...] | None, tuple[int, ...] | None]


@dataclass(frozen=True, slots=True)
class Seed:
    """The interior solutions of the levels below the one being solved."""

    entries: Mapping[Key, Encoded] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one chunk found.

    ``entries`` are the chunk's network minima with their sort keys (plain Python data,
    for :func:`solver.merge.canonical`); ``solved`` its sets' interior solutions for the
    next levels (empty on the last level); ``records`` its sets' completeness records
    (only when the work asks for them).
    """

    sets: int
    entries: tuple[tuple[tuple, Minimum], ...]
    candidates: int
    systems: int
    solved: dict[Key, Encoded]
    records: tuple[SetRecord, ...] = ()


class SeededEnumerator(NeuronEnumerator):
    """A :class:`~solver.neurons.NeuronEnumerator` that takes subsets' interior solutions
    from a :class:`Seed` (decoded when first needed) instead of solving them again.

    When ``work.completeness`` is set it also notes how it settled every set it solves
    (``decisions``: decoupled parts, the pruning subset and its tied faces), for the
    completeness records; the verdicts themselves are the enumerator's.
    """

    def __init__(self, work: FaceWork, seed: Seed | None = None) -> None:
        super().__init__(work.x, work.y, work.lam, work.alive)
        self.work = work
        self.index = {f.signs: i for i, f in enumerate(work.alive)}
        self.seed: Mapping[Key, Encoded] = seed.entries if seed is not None else {}
        self._boxes: dict[tuple, BoxSolution] = {}
        self.decisions: dict[tuple, Decision] = {}
        self._prunes: dict[tuple, tuple] = {}  # set -> (pruning subset, its tied faces)

    def _solve(self, faces: tuple[UnitFace, ...]):
        if not self.work.completeness:
            return super()._solve(faces)
        roots, signs = super()._solve(faces)
        key = tuple(f.signs for f in faces)
        parts = _components([self.data[s] for s in key]) if faces else []
        self.decisions[key] = decision(faces, parts, self._prunes.pop(key, None), roots)
        return roots, signs

    def _pruned(self, faces: tuple[UnitFace, ...]):
        found = super()._pruned(faces)
        if found and self.work.completeness:
            self._prunes[tuple(f.signs for f in faces)] = found
        return found

    def use_seed(self, seed: Seed) -> None:
        """Take the interior solutions of ``seed`` (it covers every lower level)."""
        self.seed = seed.entries

    def _entry(self, faces: tuple[UnitFace, ...]):
        key = tuple(f.signs for f in faces)
        if key not in self._solved:
            encoded = self.seed.get(tuple(self.index[s] for s in key))
            if encoded is not None:
                self._solved[key] = self._decode(encoded)
        return super()._entry(faces)

    def encoded(self, key: Key) -> Encoded:
        """The entry of face set ``key`` as exact picklable data."""
        roots, signs = self._entry(tuple(self.work.alive[i] for i in key))
        return (None if roots is None else tuple(self._encode(r) for r in roots)), signs

    def _encode(self, root) -> Coordinate:
        if isinstance(root, RealRoot):
            return PolyCoordinate(
                tuple(int(c) for c in root.poly.coeffs()), fraction(root.lo), fraction(root.hi)
            )
        solution = root.solution
        part = tuple(self.index[nd.face.signs] for nd in solution.problem.nds)
        return BoxCoordinate(
            part,
            tuple(fraction(v) for v in solution.lo),
            tuple(fraction(v) for v in solution.hi),
            root.index,
        )

    def _decode(self, encoded: Encoded):
        coords, signs = encoded
        if coords is None:
            return None, signs
        return tuple(self._root(c) for c in coords), signs

    def _root(self, coord: Coordinate):
        if isinstance(coord, PolyCoordinate):
            return RealRoot(fmpz_poly(list(coord.coeffs)), to_fmpq(coord.lo), to_fmpq(coord.hi))
        ident = (coord.part, coord.lo, coord.hi)
        solution = self._boxes.get(ident)
        if solution is None:  # one object per solution: its coordinates share the proof
            nds = [self.data[self.work.alive[i].signs] for i in coord.part]
            problem = FaceProblem(self.y, self.lam, nds)
            solution = BoxSolution(problem, [to_fmpq(v) for v in coord.lo],
                                   [to_fmpq(v) for v in coord.hi])
            self._boxes[ident] = solution
        return BoxRoot(solution, coord.index)


def chunk_keys(work: FaceWork, level: int, start: int, stride: int):
    """The face sets of a chunk: every ``stride``-th set of ``level`` from ``start``."""
    return islice(combinations(range(len(work.alive)), level), start, None, stride)


def run_chunk(
    work: FaceWork,
    enumerator: SeededEnumerator,
    level: int,
    start: int,
    stride: int,
    *,
    export: bool = False,
    on_set: Callable[[], None] | None = None,
) -> ChunkResult:
    """Solve, certify and merge one chunk (see the module docstring).

    ``export`` returns the sets' interior solutions (needed when higher levels follow);
    ``on_set()`` is called after every set (in-process progress and cancellation).
    """
    systems = enumerator.systems_solved
    entries: list[tuple[tuple, Minimum]] = []
    solved: dict[Key, Encoded] = {}
    records: list[SetRecord] = []
    candidates = count = 0
    for key in chunk_keys(work, level, start, stride):
        faces = tuple(work.alive[i] for i in key)
        points = enumerator.points(faces)
        candidates += len(points)
        verdict = None
        found: list[tuple[tuple, Minimum]] = []
        for point in points:
            verdict = certify(point, work.faces, need_dead=work.units > point.k)
            if verdict.alive_ok:
                point = point.exact()
            found.extend(network_minima(point, verdict, work.units))
        entries.extend(found)
        if work.completeness:
            records.append(_record(enumerator, key, faces, verdict, [k[0] for k, _ in found]))
        if export:
            solved[key] = enumerator.encoded(key)
        count += 1
        if on_set is not None:
            on_set()
    return ChunkResult(
        count, tuple(entries), candidates, enumerator.systems_solved - systems, solved,
        tuple(records),
    )


def _record(enumerator: SeededEnumerator, key: Key, faces: tuple[UnitFace, ...],
            verdict, orbits: list[tuple]) -> SetRecord:
    """The completeness record of one set of the chunk (its entry was just solved)."""
    signs_key = tuple(f.signs for f in faces)
    found = enumerator.decisions.get(signs_key)
    if found is None:
        raise SolverError(f"completeness: face set {key} was not solved by this chunk")
    roots, signs = enumerator._entry(faces)
    candidate = None
    if roots is not None and signs is None:
        nds = tuple(enumerator.data[s] for s in signs_key)
        candidate = NeuronPoint(enumerator.x, enumerator.y, enumerator.lam, faces, nds, roots,
                                ())
    return set_record(key, faces, found, roots, signs, candidate, verdict, orbits,
                      enumerator.work.units)


# --- on a worker ----------------------------------------------------------------------

# Per worker process: the enumerators of the latest solves, by token. Their solutions
# (and proofs at each precision) are reused by the process's later chunks of that solve.
_ENUMERATORS: OrderedDict[str, SeededEnumerator] = OrderedDict()
_KEEP = 2
# flint's working precision is process-global: chunks in threads of one process must
# not interleave (a worker started with --nthreads > 1 still computes one at a time).
_LOCK = threading.Lock()


def remote_chunk(work: FaceWork, seed: Seed, level: int, start: int, stride: int) -> ChunkResult:
    """Run one chunk in a cluster worker process (the task sent by :mod:`solver.cluster`)."""
    with _LOCK:
        enumerator = _ENUMERATORS.get(work.token)
        if enumerator is None:
            enumerator = _ENUMERATORS[work.token] = SeededEnumerator(work)
            while len(_ENUMERATORS) > _KEEP:
                _ENUMERATORS.popitem(last=False)
        _ENUMERATORS.move_to_end(work.token)
        enumerator.use_seed(seed)
        export = level < levels(work)[-1]
        return run_chunk(work, enumerator, level, start, stride, export=export)


def forget(token: str) -> bool:
    """Drop a finished solve's state from this worker process.

    Without the lock: a cancelled chunk may still be running (it keeps its own reference),
    and waiting for it would block the worker's event loop, where this runs.
    """
    return _ENUMERATORS.pop(token, None) is not None


def merge_results(results: Sequence[ChunkResult]) -> tuple[list[tuple[tuple, Minimum]], int, int]:
    """All entries, candidates and systems of a solve's chunks."""
    entries = [e for r in results for e in r.entries]
    return entries, sum(r.candidates for r in results), sum(r.systems for r in results)

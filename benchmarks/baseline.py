"""The straightforward divide-enumerate-merge, kept as the solver's performance baseline.

It finds the same certified minima as :func:`solver.solve`, but without its shortcuts:

* **divide**: every one of the ``3^n`` sign vectors (each point ``+``, ``-`` or ``0``) is
  tested for realisability by exact Fourier-Motzkin elimination (instead of composing the
  arrangement's cocircuits);
* **enumerate**: every multiset of ``L`` unit faces (one face per unit, up to permuting
  the units) has its face system built and solved, with no reuse of decoupled parts and
  no skipping of repeated face sets, by :func:`solver.pipeline.face_systems.face_system` and
  :func:`solver.pipeline.locate.eliminate.positive_solutions`;
* **merge**: the solver's own certification and merge (:func:`solver.pipeline.certify.certify`,
  :func:`solver.pipeline.merge.network_minima`, :func:`solver.pipeline.merge.canonical`).
  A face set met again in a later multiset gives the same critical points, which are merged into the
  first copy (and checked to agree).

``positive_solutions`` is the solver's exact elimination; it refuses (with
:class:`~solver.errors.DegenerateProblemError`) face systems that have a
positive-dimensional component with positive coordinates, such as the spurious
``det = 0 = adj z`` curve that clearing denominators adds for three or more coupled
neurons. The solver avoids that path for such sets (it locates their single interior
solution numerically and proves it); the baseline then reports the error, so in practice
it covers L <= 2.

Examples
--------
>>> from fractions import Fraction as F
>>> faces = realisable_faces(((F(-1),), (F(1),)))
>>> len(faces), sum(f.dim == 2 for f in faces)
(9, 4)
>>> result = baseline_solve(((F(0),), (F(1),)), (F(1), F(0)), F(1, 10), 1)
>>> [m.kind for m in result.solution.minima]
['isolated']
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations_with_replacement, product

from flint import arb, fmpq

from solver.pipeline.certify import certify
from solver.pipeline.divide import UnitFace, lifted_points
from solver.pipeline.face_systems import face_system, neuron_data
from solver.pipeline.locate.eliminate import positive_solutions
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.merge import canonical, network_minima
from solver.pipeline.numbers import nullspace, sign_of
from solver.problem import Problem
from solver.results import Solution, SolveStats

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 4096


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """The baseline's minima (as a :class:`~solver.results.Solution`) and its work counts.

    ``sign_vectors`` were tested, ``unit_faces`` of them realisable; the solution's
    ``stats.faces`` counts the multisets of ``L`` faces, ``stats.systems`` the face
    systems solved (repeats included).
    """

    solution: Solution
    sign_vectors: int
    unit_faces: int


# ------------------------------------------------------------------------------ divide
def realisable_faces(
    x: Sequence[Sequence[Fraction]], progress: Progress | None = None
) -> tuple[UnitFace, ...]:
    """All faces of one unit's arrangement, found by testing every sign vector.

    Same faces, order and bases as :func:`solver.pipeline.divide.unit_faces`: sorted by
    dimension, then by sign vector (``+`` first); the origin included. ``progress`` is
    called every :data:`PROGRESS_EVERY` sign vectors with ``(tested, 3^n)``.
    """
    h = lifted_points(x)
    m = len(h[0])
    total = 3 ** len(h)
    faces = []
    for tested, signs in enumerate(product((1, -1, 0), repeat=len(h))):
        if progress is not None and tested % PROGRESS_EVERY == 0:
            progress(tested, total)
        span = nullspace([h[i] for i, s in enumerate(signs) if s == 0], m)
        if _strictly_feasible(signs, h, span):
            faces.append(_face(signs, span, m))
    faces.sort(key=lambda f: (f.dim, tuple(-s for s in f.signs)))
    return tuple(faces)


def _strictly_feasible(
    signs: Sequence[int], h: list[list[fmpq]], span: list[list[fmpq]]
) -> bool:
    """Is there ``w = V v`` in the span with ``sign(<h_i, w>) = signs[i]`` for the non-zero
    signs? Exact Fourier-Motzkin elimination of ``v`` from ``signs[i] <h_i, V v> > 0``."""
    k = len(span)
    rows = [
        [s * sum((hi[r] * vec[r] for r in range(len(hi))), fmpq(0)) for vec in span]
        for hi, s in zip(h, signs, strict=True)
        if s != 0
    ]
    for var in range(k - 1, -1, -1):
        pos = [r for r in rows if r[var] > 0]
        neg = [r for r in rows if r[var] < 0]
        kept = [r[:var] for r in rows if r[var] == 0]
        # p[var] * q - q[var] * p eliminates v_var with positive weights (strict stays strict)
        kept += [[p[var] * q[j] - q[var] * p[j] for j in range(var)] for p in pos for q in neg]
        rows = kept
    return not rows  # with no variable left, any constraint reads 0 > 0


def _face(signs: tuple[int, ...], span: list[list[fmpq]], m: int) -> UnitFace:
    """A :class:`UnitFace` with the span's basis as columns."""
    basis = tuple(
        tuple(Fraction(int(vec[i].p), int(vec[i].q)) for vec in span) for i in range(m)
    )
    return UnitFace(signs=signs, basis=basis, dim=len(span))


# --------------------------------------------------------------------------- enumerate
def _critical_points(x, y, lam: Fraction, faces: tuple[UnitFace, ...]) -> list[NeuronPoint]:
    """Critical points of one set of distinct alive faces, from its full face system."""
    problem = Problem(tuple(map(tuple, x)), tuple(y), lam, max(len(faces), 1))
    if not faces:
        return [NeuronPoint(problem, (), (), (), ())]
    neurons = tuple(neuron_data(problem, f) for f in faces)
    system = face_system(problem, faces, neurons)
    out = []
    for roots in positive_solutions(system.equations, system.ctx):
        candidate = NeuronPoint(problem, faces, neurons, roots, ())
        signs = _face_signs(candidate)
        if signs is not None:
            out.append(NeuronPoint(problem, faces, neurons, roots, signs))
    return out


def _face_signs(point: NeuronPoint) -> tuple[int, ...] | None:
    """Per neuron, the sign of ``a`` that puts its direction inside its face, or None."""
    h = point.problem.lifted_q
    signs = []
    for a, face in enumerate(point.faces):
        seen = set()
        for i, want in enumerate(face.signs):
            if want == 0:
                continue

            def pre_activation(prec: int, i: int = i, a: int = a) -> arb:
                direction = point.values(prec).directions[a]
                return sum((arb(c) * v for c, v in zip(h[i], direction, strict=True)), arb(0))

            seen.add(sign_of(pre_activation, f"a pre-activation on face {face.pattern}") * want)
        if len(seen) != 1:
            return None
        signs.append(seen.pop())
    return tuple(signs)


def _same_points(first: list[NeuronPoint], again: list[NeuronPoint]) -> bool:
    """Two solves of one face set found the same roots and signs."""
    def ident(p: NeuronPoint) -> tuple:
        return (tuple(r.key() for r in p.roots), p.signs)

    return sorted(map(ident, first)) == sorted(map(ident, again))


# ------------------------------------------------------------------------------- solve
def baseline_solve(
    x, y, lam: Fraction, units: int, progress: Progress | None = None
) -> BaselineResult:
    """All certified local minima, the straightforward way (see the module docstring).

    Parameters
    ----------
    x : n rows of d exact coordinates.
    y : n exact targets.
    lam : exact regularisation strength > 0.
    units : number of hidden units L.
    progress : optional ``callback(done, total)``: over the ``3^n`` sign vectors while
        dividing, then over the multisets of faces.
    """
    start = time.perf_counter()
    faces = realisable_faces(x, progress)
    points: dict[tuple, list[NeuronPoint]] = {}
    multisets = systems = candidates = 0
    total = math.comb(len(faces) + units - 1, units)
    for chosen in combinations_with_replacement(faces, units):
        multisets += 1
        if progress is not None:
            progress(multisets - 1, total)
        alive = tuple(dict.fromkeys(f for f in chosen if f.dim > 0 and f.positive))
        found = _critical_points(x, y, lam, alive)
        systems += bool(alive)
        key = tuple(f.signs for f in alive)
        if key in points:
            if not _same_points(points[key], found):
                raise AssertionError(f"two solves of faces {key} disagree")
            continue
        points[key] = found
    entries = []
    for found in points.values():
        candidates += len(found)
        for point in found:
            verdict = certify(point, faces, need_dead=units > point.k)
            if verdict.alive_ok:
                point = point.exact()  # a no-op here: the roots are already exact
            entries.extend(network_minima(point, verdict, units))
    stats = SolveStats(
        faces=multisets,
        systems=systems,
        candidates=candidates,
        seconds=round(time.perf_counter() - start, 3),
    )
    x_rows = tuple(map(tuple, x))
    solution = Solution(x_rows, tuple(y), lam, units, canonical(entries), stats)
    return BaselineResult(solution, 3 ** len(x_rows), len(faces))

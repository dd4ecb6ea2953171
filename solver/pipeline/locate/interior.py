"""Enumerate, part 3: a face set has at most one critical point, by convexity.

For neuron faces ``F_1 .. F_k`` the reduced equations (:mod:`solver.pipeline.face_systems`) are the
gradient of

    J(s) = y^T A(s)^{-1} y + lam^2 * sum_a s_a,     A(s) = I + sum_a s_a P_a,

with ``P_a = M_a G_a^{-1} M_a^T``: ``dJ/ds_a = lam^2 - |M_a^T r|^2_{G_a^{-1}}`` with
``r = A(s)^{-1} y``. ``J`` is convex on the closed orthant (``X -> y^T X^{-1} y`` is
convex on positive definite matrices and ``A`` is affine) and coercive
(``J >= lam^2 sum s``), so it has minimisers there, and

* its critical points with every ``s_a > 0`` (the face set's *interior solutions*) are
  exactly its minimisers with full support. They form a convex set, so an interior
  solution at which the Jacobian of the equations is non-singular is the only one.
* **Pruning.** If a proper subset ``A`` of the faces has an interior solution ``s_A``
  with ``|M_b^T r_A|_{G_b^{-1}} < lam`` for every face ``b`` not in ``A`` (strict KKT),
  then ``(s_A, 0)`` is a minimiser whose gradient is positive off ``A``; any minimiser
  with some ``s_b > 0`` would make ``J`` constant on a segment along which its
  derivative at ``(s_A, 0)`` is positive. So the face set has no interior solution.
* **Existence.** Otherwise the support ``A`` of a minimiser is the whole set: were it a
  proper subset, its restriction would be ``A``'s interior solution with KKT
  multipliers ``>= 0``, which the pruning test found strictly positive or reported as
  degenerate (exactly zero).

So no elimination is needed to *decide* whether a face set has a critical point, and
none to *find* it: :func:`locate` minimises ``J`` numerically (damped Newton) and
proves the minimiser with the Krawczyk test on the rational form of the equations.
The result is an exact algebraic point described by an isolating box
(:class:`BoxRoot` coordinates), refined to any precision on demand.

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.pipeline.divide import unit_faces
>>> from solver.pipeline.face_systems import neuron_data
>>> from solver.problem import Problem
>>> problem = Problem.parse([0, 1], [1, 1], "1/10", 1)
>>> face = [f for f in unit_faces(problem.x) if f.pattern == "++"][0]
>>> box = locate(problem, (neuron_data(problem, face),))
>>> round(float(box[0].ball(64).mid()), 6)
9.130127
"""

from __future__ import annotations

from collections.abc import Sequence
from math import inf, isfinite

import numpy as np
from flint import arb, arb_mat, fmpq

from solver.errors import DegenerateProblemError
from solver.pipeline.face_systems import NeuronData
from solver.pipeline.locate.eliminate import exact_roots_in_box
from solver.pipeline.locate.face_problem import FaceProblem
from solver.pipeline.locate.minimise import minimise
from solver.pipeline.numbers import MAX_PREC, exact_mid, krawczyk, working_precision
from solver.problem import Problem

# The coarse proof of a located solution (bits): enough to show most solutions outside
# their faces without the fine proof.
QUICK_PREC = 96


class BoxSolution:
    """The unique interior solution of a face set inside a rational box (see module doc).

    Either proved when made (``lo``, ``hi``), or *pending*: made from the float minimiser
    ``start`` with a coarse proved enclosure ``quick`` (a Krawczyk box at 64 bits), the
    box ``lo``, ``hi`` being proved from ``start`` on first use, exactly as :func:`locate`
    proves it. Most face sets' solutions lie outside their faces, which ``quick``
    usually shows: their fine proof is never needed (only a completeness record asks).
    ``start`` and ``quick`` may be given as ``floats``, the float minimiser and the
    box's float midpoint and radius, converted exactly when first read.
    """

    __slots__ = ("face_problem", "coarse", "_lo", "_hi", "_start", "_quick", "_given",
                 "_quick_state", "_balls", "exact")

    def __init__(self, face_problem: FaceProblem, lo: list[fmpq] | None,
                 hi: list[fmpq] | None, balls: dict[int, list[arb]] | None = None, *,
                 start: list[fmpq] | None = None, quick: list[arb] | None = None,
                 floats: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 coarse=None) -> None:
        self.face_problem = face_problem
        # the float coarse proof (solver.pipeline.locate.coarse.Coarse: certify reads its
        # multipliers' signs, a decoupled set its parts' enclosures), or None
        self.coarse = coarse
        self._lo, self._hi = lo, hi
        self._start = start  # the float minimiser, exact (a pending solution's)
        self._quick = quick
        self._given = floats
        self._quick_state: tuple | None = None
        self._balls: dict[int, list[arb]] = dict(balls or {})
        # the coordinates' minimal polynomials by coordinates (NeuronPoint.exact), kept
        self.exact: dict[tuple[int, ...], tuple] = {}

    @property
    def start(self) -> list[fmpq] | None:
        """The float minimiser, exact (a pending solution's)."""
        if self._start is None and self._given is not None:
            self._start = _exact_floats(self._given[0])
        return self._start

    @property
    def quick(self) -> list[arb] | None:
        """The coarse enclosure (balls at ``QUICK_PREC + 32`` bits)."""
        if self._quick is None and self._given is not None:
            self._quick = _quick_balls(self._given[1], self._given[2])
        return self._quick

    @property
    def lo(self) -> list[fmpq]:
        """Lower corner of the proved box."""
        self._prove_pending()
        return self._lo

    @property
    def hi(self) -> list[fmpq]:
        """Upper corner of the proved box."""
        self._prove_pending()
        return self._hi

    def quick_box(self) -> tuple[list[fmpq], list[fmpq]]:
        """The coarse enclosure as a rational box (lower and upper corners)."""
        return ([exact_mid(b.lower()) for b in self.quick],
                [exact_mid(b.upper()) for b in self.quick])

    def quick_state(self) -> tuple[arb_mat, arb_mat, arb_mat]:
        """:meth:`FaceProblem.state` at ``quick`` (``QUICK_PREC + 32`` bits, kept)."""
        if self._quick_state is None:
            with working_precision(QUICK_PREC + 32):
                self._quick_state = self.face_problem.state(self.quick)
        return self._quick_state

    @property
    def pending(self) -> bool:
        """Whether the box is still to be proved (only ``quick`` is known)."""
        return self._lo is None

    def _prove_pending(self) -> None:
        if self._lo is None:
            self._lo, self._hi, balls = _prove_box(self.face_problem, self.start)
            self._balls.update(balls)

    def balls(self, prec: int) -> list[arb]:
        """Enclosures of every coordinate with about ``prec`` bits."""
        self._prove_pending()
        if prec not in self._balls:
            with working_precision(prec + 32):
                box = [arb((a + b) / 2, (b - a) / 2) for a, b in zip(self.lo, self.hi)]
                mids = [arb(b.mid()) for b in box]
                self._balls[prec] = _prove(self.face_problem, mids, prec, box)
        return self._balls[prec]


class BoxRoot:
    """One coordinate of a :class:`BoxSolution`: exact, given by its box, any precision.

    Stands in for :class:`~solver.pipeline.locate.eliminate.RealRoot` (``ball``, ``key``,
    ``lo``, ``hi``); ``poly`` is None: the coordinate's minimal polynomial is not computed.
    """

    poly = None
    __slots__ = ("solution", "index")

    def __init__(self, solution: BoxSolution, index: int) -> None:
        self.solution, self.index = solution, index

    @property
    def lo(self) -> fmpq:
        """Lower end of the coordinate's interval."""
        return self.solution.lo[self.index]

    @property
    def hi(self) -> fmpq:
        """Upper end of the coordinate's interval."""
        return self.solution.hi[self.index]

    def ball(self, prec: int) -> arb:
        """An arb enclosure with about ``prec`` bits."""
        return self.solution.balls(prec)[self.index]

    def key(self) -> tuple:
        """A hashable identity: the box."""
        return ("box", self.index, tuple(self.solution.lo), tuple(self.solution.hi))


def exact_roots(boxes: Sequence[BoxRoot], polys, ctx) -> tuple:
    """The :class:`~solver.pipeline.locate.eliminate.RealRoot` (minimal polynomial) of every
    coordinate of a proved box solution of the polynomial system ``polys`` (see
    :func:`solver.pipeline.locate.eliminate.exact_roots_in_box`)."""
    solution = boxes[0].solution
    return exact_roots_in_box(polys, ctx, list(zip(solution.lo, solution.hi)))


def locate(problem: Problem, nds: Sequence[NeuronData], *,
           face_problem: FaceProblem | None = None,
           start: np.ndarray | None = None,
           quick: tuple[np.ndarray, np.ndarray] | None = None,
           coarse=None) -> tuple[BoxRoot, ...]:
    """The interior solution of a face set known to have one (module docstring).

    Minimises ``J`` in floating point, then proves a unique zero of the equations in a
    small box around it (Krawczyk). Raises :class:`DegenerateProblemError` when no box
    can be proved (a singular Jacobian: a positive-dimensional solution set), or when the
    float stage fails on values of very different sizes. ``start`` is the float
    minimiser when it is known already (:func:`~solver.pipeline.locate.minimise.minimise_many`,
    of ``face_problem``), ``quick`` its coarse box ``mid +- rad`` when proved already (in
    floats, :func:`~solver.pipeline.locate.coarse.prove_many`) and ``coarse`` that proof
    (:class:`~solver.pipeline.locate.coarse.Coarse`), kept by the solution.
    """
    if face_problem is None:
        face_problem = FaceProblem(problem, nds)
    try:
        s0 = minimise(face_problem) if start is None else start
        if quick is not None and _surely_positive(*quick) and all(
                [isfinite(v) for v in s0.tolist()]):
            # the balls of quick are all > 0: pending, its exact data made when read
            solution = BoxSolution(face_problem, None, None, floats=(s0, *quick),
                                   coarse=coarse)
            return tuple([BoxRoot(solution, j) for j in range(len(nds))])
        starts = _exact_floats(s0)
    except (np.linalg.LinAlgError, ArithmeticError, ValueError):
        # Values far apart in size (within the parser's limits) can defeat the float
        # stage (a singular or overflowing float system): refuse rather than guess.
        raise DegenerateProblemError(
            "degenerate data: a face set's critical point could not be located in floating "
            "point (values of very different sizes; data and lambda nearer 1 help)"
        ) from None
    if quick is not None:
        quick = _quick_balls(*quick)
    else:
        quick = _quick_box(face_problem, starts)
    if quick is not None and all(b > 0 for b in quick):
        solution = BoxSolution(face_problem, None, None, start=starts, quick=quick,
                               coarse=coarse)
    else:  # prove now (and refuse now if it cannot be)
        lo, hi, balls = _prove_box(face_problem, starts)
        solution = BoxSolution(face_problem, lo, hi, balls, coarse=coarse)
    return tuple(BoxRoot(solution, j) for j in range(len(nds)))


def _exact_floats(values: np.ndarray) -> list[fmpq]:
    """Floats as the rationals they are."""
    return [fmpq(*float(v).as_integer_ratio()) for v in values]


def _quick_balls(mid: np.ndarray, rad: np.ndarray) -> list[arb]:
    """The balls ``mid +- rad`` (at ``QUICK_PREC + 32`` bits)."""
    with working_precision(QUICK_PREC + 32):
        return [arb(float(m), float(r)) for m, r in zip(mid, rad)]


def _surely_positive(mid: np.ndarray, rad: np.ndarray) -> bool:
    """Whether every ball ``arb(mid, rad)`` is surely > 0, decided in floats: ``arb``
    keeps ``mid`` exactly and rounds ``rad`` up by less than ``2^-29`` of it (a 30-bit
    radius), so ``mid > rad (1 + 2^-20)`` (rounding included) implies ``mid - rad > 0``
    for the ball (a radius below ``2^-1044`` has at most 30 bits and is kept exactly);
    False (ask the balls) otherwise, NaN, infinities and negative radii included.

    >>> _surely_positive(np.array([1.0, 2.0]), np.array([0.5, 0.0]))
    True
    >>> one = np.array([1.0])
    >>> _surely_positive(one, one), _surely_positive(one, -2 * one)
    (False, False)
    """
    # plain floats (the same IEEE double arithmetic as numpy's): a few per set
    return all(0 <= r and m < inf and m > r * (1 + 2.0**-20)
               for m, r in zip(mid.tolist(), rad.tolist()))


def _quick_box(face_problem: FaceProblem, starts: list[fmpq]) -> list[arb] | None:
    """A coarse Krawczyk box (:data:`QUICK_PREC` bits) around the float minimiser, or
    around one Newton step from it (ill-conditioned sets), or None."""
    with working_precision(QUICK_PREC + 32):
        mids = [arb(v) for v in starts]
        box = _proved_box(face_problem, mids, QUICK_PREC)
        if box is not None:
            return box
        try:
            step = face_problem.jacobian(mids).solve(
                arb_mat(len(mids), 1, face_problem.equations(mids)))
        except ZeroDivisionError:
            return None
        return _proved_box(face_problem, [arb((p - step[j, 0]).mid()) for j, p in enumerate(mids)],
                         QUICK_PREC)


def _prove_box(face_problem: FaceProblem, starts: list[fmpq]):
    """The proved box (``lo``, ``hi``) around the float minimiser ``starts``, and its
    balls by precision; :class:`DegenerateProblemError` if it touches ``s = 0``."""
    prec = 128
    with working_precision(prec + 32):
        mids = [arb(v) for v in starts]
        balls = _prove(face_problem, mids, prec, None)
        lo = [exact_mid(b.lower()) for b in balls]
        hi = [exact_mid(b.upper()) for b in balls]
    if any(v <= 0 for v in lo):
        raise DegenerateProblemError("degenerate data: an interior solution touches s = 0")
    return lo, hi, {prec: balls}


def _prove(problem: FaceProblem, mids: list[arb], prec: int, within: list[arb] | None) -> list[arb]:
    """Newton steps from ``mids`` at rising precision, then a Krawczyk box (balls)."""
    work = prec
    while work <= MAX_PREC:
        with working_precision(work + 32):
            point = list(mids)
            tiny = arb(2) ** (-work)
            for _ in range(8 + work // 64):
                try:
                    step = problem.jacobian(point).solve(
                        arb_mat(len(point), 1, problem.equations(point))
                    )
                except ZeroDivisionError:
                    break
                point = [arb((p - step[j, 0]).mid()) for j, p in enumerate(point)]
                if all(abs(step[j, 0].mid()) <= tiny * abs(p) for j, p in enumerate(point)):
                    break
            box = _proved_box(problem, point, work)
            if box is not None:
                if within is not None:
                    box = [b.intersection(w) for b, w in zip(box, within)]
                if all(b.rel_accuracy_bits() >= prec for b in box) or work >= MAX_PREC:
                    return box
        work *= 2
    raise DegenerateProblemError(
        "degenerate data: a face set's critical point could not be isolated (singular Jacobian)"
    )


def _proved_box(problem: FaceProblem, mids: list[arb], prec: int) -> list[arb] | None:
    """A box around ``mids`` proved to hold exactly one zero, or None."""
    k = len(mids)
    try:  # the system's matrix may be singular to this precision at the start point
        F = problem.equations(mids)
        Y = problem.jacobian(mids).inv()
    except ZeroDivisionError:
        return None
    Y = arb_mat([[arb(Y[i, j].mid()) for j in range(k)] for i in range(k)])
    Fm = arb_mat(k, 1, F)
    step = Y * Fm
    for scale in (4, 64, 2**12):
        rad = [max(abs(step[j, 0]).upper() * scale, abs(mids[j]).upper() * arb(2) ** (-prec // 2))
               for j in range(k)]
        box = [arb(m, r) for m, r in zip(mids, rad)]
        try:
            Jb = problem.jacobian(box)
        except ZeroDivisionError:
            return None
        found = krawczyk(mids, step, Y, Jb, box)
        if found is not None:
            return found
    return None

"""Critical points at the neuron level, evaluated rigorously with ball arithmetic.

A :class:`NeuronPoint` is one solution ``s`` of a face system: ``k`` distinct faces, each
hosting one *neuron* (a group of units sharing the face, with ``sum a_l^2 / lam = s_a``).
Every quantity of the network at that point (residual, directions, loss) is computed
from the exact roots in arb balls at any requested precision.

Examples
--------
>>> from fractions import Fraction as F
>>> pts = neuron_points(((F(0),), (F(1),)), (F(1), F(1)), F(1, 10), ())
>>> len(pts), pts[0].k
(1, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from flint import arb, arb_mat, fmpq, fmpq_mat

from solver.errors import DegenerateProblemError
from solver.pipeline.divide import UnitFace, lifted_points
from solver.pipeline.face_systems import FaceSystem, NeuronData, face_system, neuron_data, to_fmpq
from solver.pipeline.locate.eliminate import (
    MAX_PREC,
    RealRoot,
    positive_solutions,
    sign_of,
    working_precision,
)
from solver.pipeline.locate.exact_zero import is_zero_at
from solver.pipeline.locate.interior import FaceProblem, exact_roots, locate

# Reported points with at most this many neurons get exact minimal polynomials by
# elimination; larger ones are described by their proved isolating box.
EXACT_NEURONS = 2


@dataclass(frozen=True)
class NeuronValues:
    """Ball values of a neuron point at one precision."""

    s: tuple[arb, ...]
    directions: tuple[tuple[arb, ...], ...]  # dir_a in (b, c) coordinates, m entries
    u: tuple[tuple[arb, ...], ...]  # u_a = M_a^T r (v coordinates)
    residual: tuple[arb, ...]  # r = y - f(x)
    loss: arb


@dataclass(frozen=True, eq=False)
class NeuronPoint:
    """A real solution of the reduced system of ``faces`` (``k = len(faces)``).

    ``signs[a]`` is the sign of ``a_l`` for the units of neuron ``a`` (forced by the face).
    """

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    lam: Fraction
    faces: tuple[UnitFace, ...]
    neurons: tuple[NeuronData, ...]
    roots: tuple[RealRoot, ...]
    signs: tuple[int, ...]

    @property
    def k(self) -> int:
        """Number of neurons."""
        return len(self.faces)

    @property
    def system(self) -> FaceSystem | None:
        """The face system (built on first use: decoupled sets never need it to solve)."""
        if self.k == 0:
            return None
        if "_system" not in self.__dict__:
            self.__dict__["_system"] = face_system(self.x, self.y, self.lam, self.faces,
                                                   self.neurons)
        return self.__dict__["_system"]

    def values(self, prec: int) -> NeuronValues:
        """All network quantities as balls with about ``prec`` bits."""
        cache = self.__dict__.setdefault("_values", {})
        if prec not in cache:
            with working_precision(prec):
                cache[prec] = self._compute(prec)
        return cache[prec]

    def _compute(self, prec: int) -> NeuronValues:
        m = len(self.x[0]) + 1
        if self.k == 0:
            y = [arb(to_fmpq(v)) for v in self.y]
            loss = sum((v * v for v in y), arb(0))
            return NeuronValues((), (), (), tuple(y), loss)
        s = tuple(r.ball(prec) for r in self.roots)
        problem = self.problem
        u, w, r = problem.state(s)
        directions, us = [], []
        for nd, block in zip(self.neurons, problem.blocks):
            w_a = arb_mat(len(block), 1, [w[i, 0] for i in block])
            direction = arb_mat(nd.V) * w_a
            directions.append(tuple(direction[i, 0] for i in range(m)))
            us.append(tuple(u[i, 0] for i in block))
        residual = tuple(r[i, 0] for i in range(r.nrows()))
        lam = arb(to_fmpq(self.lam))
        loss = sum((v * v for v in residual), arb(0)) + 2 * lam * lam * sum(s, arb(0))
        return NeuronValues(s, tuple(directions), tuple(us), residual, loss)

    @property
    def problem(self) -> FaceProblem:
        """The face set's linear-algebra data (shared with the solution's box when solved)."""
        if "_problem" not in self.__dict__:
            solution = getattr(self.roots[0], "solution", None)
            same = solution is not None and all(
                getattr(r, "solution", None) is solution for r in self.roots
            )
            self.__dict__["_problem"] = (
                solution.problem if same else FaceProblem(self.y, self.lam, self.neurons)
            )
        return self.__dict__["_problem"]

    def exact(self, always: bool = False) -> NeuronPoint:
        """This point with its ``s_a`` as exact algebraic numbers (minimal polynomial and
        isolating interval), one connected part at a time. A point of more than
        :data:`EXACT_NEURONS` neurons keeps its proved isolating boxes unless ``always``
        (elimination for three coupled neurons can take a minute, and the independent
        checker would have to join large fields)."""
        if self.k > EXACT_NEURONS and not always:
            return self  # the checker joins fields of small degree only: keep the box
        cache = self.__dict__.setdefault("_exact_points", {})  # elimination is the costly step
        if always not in cache:
            cache[always] = self._exact(always)
        return cache[always]

    def _exact(self, always: bool) -> NeuronPoint:
        groups: dict[int, list[int]] = {}
        for a, root in enumerate(self.roots):  # decoupled parts are solved separately
            solution = getattr(root, "solution", None)
            if solution is not None:
                groups.setdefault(id(solution), []).append(a)
        roots: list = list(self.roots)
        changed = False
        for members in groups.values():
            if len(members) > EXACT_NEURONS and not always:
                continue
            part = face_system(self.x, self.y, self.lam, [self.faces[a] for a in members],
                               [self.neurons[a] for a in members])
            found = exact_roots([self.roots[a] for a in members], part.equations, part.ctx)
            for a, root in zip(members, found):
                roots[a] = root
            changed = True
        if not changed:
            return self
        return NeuronPoint(self.x, self.y, self.lam, self.faces, self.neurons, tuple(roots),
                           self.signs)

    def residual_balls(self, prec: int) -> tuple[arb, ...]:
        """The residual ``r = y - f(x)`` as balls with about ``prec`` bits."""
        return self.values(prec).residual


class NeuronEnumerator:
    """Critical points of every set of distinct alive faces, solved once each.

    A face set has at most one *interior solution* (every ``s_a > 0``; convexity, see
    :mod:`solver.pipeline.locate.interior`), found or ruled out from its subsets' solutions:

    * sets whose faces share no data point (``M_a^T M_b = 0``: the system is block
      diagonal) combine the solutions of their connected parts;
    * a connected set is *pruned* when a proper subset's solution satisfies the strict
      KKT conditions for the other faces (no polynomial work at all);
    * otherwise it has exactly one interior solution, located numerically and proved
      in an isolating box (:func:`solver.pipeline.locate.interior.locate`);
      :meth:`NeuronPoint.exact` adds minimal polynomials for the points that are reported.

    The interior solution is then kept when its neuron directions lie in their faces.
    Subsets must be enumerated before the sets containing them (any missing subset is
    solved on demand).
    """

    def __init__(self, x, y, lam: Fraction, alive: Sequence[UnitFace]) -> None:
        self.x, self.y, self.lam = tuple(map(tuple, x)), tuple(y), lam
        self.data = {f.signs: neuron_data(self.x, f) for f in alive}
        # key -> (interior roots or None, face signs or None)
        self._solved: dict[tuple, tuple[tuple | None, tuple[int, ...] | None]] = {}
        self._residuals: dict[tuple[tuple, int], arb_mat] = {}
        self.systems_solved = 0
        self.pruned = 0

    def points(self, faces: Sequence[UnitFace]) -> list[NeuronPoint]:
        """The neuron point of ``faces`` (in the given order), if it has one in its faces."""
        faces = tuple(faces)
        roots, signs = self.entry(faces)
        if roots is None or signs is None:
            return []
        nds = tuple(self.data[f.signs] for f in faces)
        return [NeuronPoint(self.x, self.y, self.lam, faces, nds, roots, signs)]

    def entry(self, faces: tuple[UnitFace, ...]):
        """The set's interior solution (roots, or None) and its neurons' signs (or None:
        outside its faces), solved on first use or taken from :meth:`known`."""
        key = tuple(f.signs for f in faces)
        if key not in self._solved:
            found = self.known(key)
            self._solved[key] = found if found is not None else self._solve(faces)
        return self._solved[key]

    def known(self, key: tuple) -> tuple | None:
        """An entry solved elsewhere (scale-out seeds), or None: solve it here."""
        return None

    def _solve(self, faces: tuple[UnitFace, ...]):
        if not faces:
            return (), ()
        nds = tuple(self.data[f.signs] for f in faces)
        parts = _components(nds)
        if len(parts) > 1:
            roots: list = [None] * len(faces)
            signs: list | None = [0] * len(faces)
            for part in parts:
                r, sg = self.entry(tuple(faces[i] for i in part))
                if r is None:
                    return None, None
                for pos, i in enumerate(part):
                    roots[i] = r[pos]
                    if signs is not None:
                        signs[i] = sg[pos] if sg is not None else 0
                if sg is None:
                    signs = None
            return tuple(roots), (tuple(signs) if signs is not None else None)
        pruned = self._pruned(faces)
        if pruned:
            self.pruned += 1
            return None, None
        self.systems_solved += 1
        if pruned is None:  # a multiplier exactly zero: decide by exact elimination
            roots = self._eliminate(faces, nds)
            if roots is None:
                return None, None
        else:
            roots = locate(self.x, self.y, self.lam, nds)
        candidate = NeuronPoint(self.x, self.y, self.lam, faces, nds, roots, ())
        return roots, _face_signs(candidate)

    def _eliminate(self, faces, nds):
        """The interior solution by exact elimination (None if there is none)."""
        if len(faces) > EXACT_NEURONS:
            raise DegenerateProblemError(
                "degenerate data: a KKT multiplier of a face set is exactly zero "
                f"(faces {', '.join(f.pattern for f in faces)})"
            )
        system = face_system(self.x, self.y, self.lam, faces, nds)
        found = positive_solutions(system.equations, system.ctx)
        if len(found) > 1:
            raise DegenerateProblemError(
                f"degenerate data: faces {', '.join(f.pattern for f in faces)} have several "
                "critical points where convexity allows one (a positive-dimensional set)"
            )
        return found[0] if found else None

    def _residual(self, faces: tuple[UnitFace, ...], prec: int) -> arb_mat:
        """``r`` at the interior solution of ``faces`` (balls at ``prec`` bits)."""
        key = (tuple(f.signs for f in faces), prec)
        if key not in self._residuals:
            roots, _ = self.entry(faces)
            with working_precision(prec):
                if faces:
                    nds = tuple(self.data[f.signs] for f in faces)
                    point = NeuronPoint(self.x, self.y, self.lam, faces, nds, roots, ())
                    r = point.residual_balls(prec)
                else:
                    r = [arb(to_fmpq(v)) for v in self.y]
                self._residuals[key] = arb_mat(len(r), 1, r)
        return self._residuals[key]

    def _pruned(self, faces: tuple[UnitFace, ...]
                ) -> tuple[tuple[UnitFace, ...], tuple[UnitFace, ...]] | bool | None:
        """Whether a proper subset's solution meets the strict KKT conditions of the rest:
        that subset and its tied faces (no interior solution; the pair is truthy), False
        (exactly one), None (undecided: a multiplier is zero to the working precision, as
        for exact ties in the data)."""
        k = len(faces)
        undecided = False
        for size in range(k - 1, -1, -1):
            for keep in combinations(range(k), size):
                sub = tuple(faces[i] for i in keep)
                if sub and self.entry(sub)[0] is None:
                    continue
                others = [faces[i] for i in range(k) if i not in keep]
                verdict, tied = self._kkt(sub, others)
                if verdict is True:
                    return sub, tied
                undecided = undecided or verdict is None
        return None if undecided else False

    def _kkt(self, sub, others) -> tuple[bool | None, tuple[UnitFace, ...]]:
        """True if ``(s_sub, 0)`` is the only minimiser of ``J``: ``|M_b^T r_sub| < lam``
        for every other face ``b``, or ``= lam`` exactly by a tie (below) with the vectors
        ``P_c r_sub`` of all the faces linearly independent. False if some
        ``|M_b^T r_sub| > lam``; None if undecidable. With the tied faces found.

        A *tie*: ``b`` has the span of a face ``a`` of ``sub`` and sees the same points
        apart from some whose residual is exactly zero (``y_i = 0``, seen by no face of
        ``sub``); then ``M_b^T r_sub = M_a^T r_sub``, whose norm is ``lam``.
        """
        lam = to_fmpq(self.lam)
        quiet = frozenset(i for i, v in enumerate(self.y)
                          if v == 0 and all(f.signs[i] <= 0 for f in sub))
        tied: list[UnitFace] = []
        for face in others:
            if any(a.zero == face.zero and set(a.positive) - quiet == set(face.positive) - quiet
                   for a in sub):
                tied.append(face)
                continue
            nd = self.data[face.signs]
            prec = 64
            while True:
                with working_precision(prec):
                    r = self._residual(sub, prec)
                    u = arb_mat(nd.M.transpose()) * r
                    q = (u.transpose() * arb_mat(nd.G_inv) * u)[0, 0] - arb(lam) * arb(lam)
                if q < 0:
                    break
                if q > 0:
                    return False, tuple(tied)
                if prec >= MAX_PREC:
                    return None, tuple(tied)
                prec *= 4
        # Every minimiser has s_b = 0 where the multiplier is > 0, so only the faces of
        # sub and the tied ones can carry weight; their s is unique if independent.
        verdict = True if not tied else self._independent(sub, tuple(sub) + tuple(tied))
        return verdict, tuple(tied)

    def _independent(self, sub, faces) -> bool | None:
        """Whether the vectors ``P_c r_sub`` (``c`` in ``faces``) are linearly independent
        (their Gram determinant is > 0), None if that cannot be decided."""
        prec = 128
        while prec <= MAX_PREC:
            with working_precision(prec):
                r = self._residual(sub, prec)
                cols = []
                for face in faces:
                    nd = self.data[face.signs]
                    cols.append(arb_mat(nd.M * nd.G_inv * nd.M.transpose()) * r)
                n = r.nrows()
                Phi = arb_mat(n, len(cols))
                for c, col in enumerate(cols):
                    for i in range(n):
                        Phi[i, c] = col[i, 0]
                det = (Phi.transpose() * Phi).det()
            if det > 0:
                return True
            prec *= 4
        return None


def _components(nds: Sequence[NeuronData]) -> list[list[int]]:
    """Connected parts of the coupling graph ``a ~ b iff M_a^T M_b != 0``, in order."""
    k = len(nds)
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a in range(k):
        for b in range(a + 1, k):
            prod = nds[a].M.transpose() * nds[b].M
            if any(v != 0 for v in prod.entries()):
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(k):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values())


def neuron_points(x, y, lam: Fraction, faces: Sequence[UnitFace]) -> list[NeuronPoint]:
    """All critical points of the neuron-level problem in the relative interior of ``faces``.

    Solves the face system exactly and keeps the solutions whose neuron directions lie
    in their faces (with one consistent sign per neuron).
    """
    enum = NeuronEnumerator(x, y, lam, faces)
    for k in range(1, len(faces)):
        for sub in combinations(faces, k):
            enum.points(sub)
    return enum.points(faces)


@dataclass(frozen=True, slots=True)
class Outside:
    """Why an interior solution is not a critical point inside its faces: on ``face``,
    the pre-activation of point ``point`` is structurally zero (``why == "zero"``),
    exactly zero at this solution (``"exact zero"``: decided in ``Q(s0)``, the record then
    gives the solution by minimal polynomials), or its sign times the face's sign differs
    from that of point ``against`` (``"sign"``: no sign of ``a`` puts the direction in the
    face)."""

    face: str
    point: int
    why: str
    against: int | None = None

    def to_json(self) -> dict:
        """JSON form (0-based points)."""
        out: dict = {"face": self.face, "point": self.point, "why": self.why}
        if self.against is not None:
            out["against"] = self.against
        return out


def face_test(point: NeuronPoint) -> tuple[int, ...] | Outside:
    """The sign of ``a`` per neuron that puts its direction in its face, or why there is
    none: the first point whose pre-activation is structurally zero, exactly zero (when
    ball arithmetic cannot decide it: :func:`_preactivation_is_zero`), or of the wrong
    sign against the face's first nonzero point."""
    h = lifted_points(point.x)
    m = len(h[0])
    signs = []
    for a, face in enumerate(point.faces):
        sigma, first = 0, None
        for i, want in enumerate(face.signs):
            if want == 0:
                continue
            if structurally_zero(point.neurons[a], h, i):
                return Outside(face.pattern, i, "zero")  # on point i's hyperplane

            def dot(prec: int, i: int = i) -> arb:
                direction = point.values(prec).directions[a]
                return sum((arb(h[i][r]) * direction[r] for r in range(m)), arb(0))

            try:
                this = sign_of(dot, f"a pre-activation on face {face.pattern}") * want
            except DegenerateProblemError:
                if _preactivation_is_zero(point, a, h[i]) is not True:
                    raise
                return Outside(face.pattern, i, "exact zero")  # not in this open face
            if sigma == 0:
                sigma, first = this, i
            elif this != sigma:
                return Outside(face.pattern, i, "sign", first)
        signs.append(sigma)
    return tuple(signs)


def _face_signs(point: NeuronPoint) -> tuple[int, ...] | None:
    """The sign of ``a`` per neuron that puts its direction in its face, or None."""
    found = face_test(point)
    return None if isinstance(found, Outside) else found


def _preactivation_is_zero(point: NeuronPoint, a: int, h_i: Sequence[fmpq]) -> bool | None:
    """Exactly decide ``<h_i, dir_a> = 0`` at a point of one or two coupled neurons
    (:mod:`solver.pipeline.locate.exact_zero`); None where that test does not apply."""
    if not 1 <= point.k <= EXACT_NEURONS or len(_components(point.neurons)) > 1:
        return None
    system = point.system
    exact = point.exact()
    nd, block = system.neurons[a], system.blocks[a]
    coef = _row(h_i, nd.V) * nd.G_inv
    numerator = system.ctx.constant(0)
    for j, idx in enumerate(block):
        numerator += system.numerators[idx] * coef[0, j]
    return is_zero_at(numerator, system.equations, system.ctx, exact.roots[0].poly)


def structurally_zero(nd: NeuronData, h: Sequence[Sequence[fmpq]], i: int) -> bool:
    """Whether ``<h_i, V G^{-1} V^T sum_j r_j h_j>`` (the pre-activation at point ``i`` of
    the face's direction for *any* residual, ``j`` over the points the face sees) vanishes
    identically: every coefficient
    ``h_i^T V G^{-1} V^T h_j`` is exactly 0. Ball arithmetic can never decide such a
    zero (it shows up with data like ``x = -1, 1``, whose lifted points are orthogonal)."""
    left = _row(h[i], nd.V) * nd.G_inv
    for j in nd.face.positive:
        if (left * _row(h[j], nd.V).transpose())[0, 0] != 0:
            return False
    return True


def _row(hv: Sequence[fmpq], V: fmpq_mat) -> fmpq_mat:
    """``h^T V`` as a 1 x k matrix."""
    return fmpq_mat(1, len(hv), list(hv)) * V


def fmpq_vec(values: Sequence[Fraction]) -> list[fmpq]:
    """Fractions as flint rationals."""
    return [to_fmpq(v) for v in values]


def ball_matrix(rows: Sequence[Sequence[arb]]) -> arb_mat:
    """An arb matrix from nested sequences."""
    return arb_mat([list(r) for r in rows])

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
from itertools import combinations, product

from flint import arb, arb_mat, fmpq

from solver.arrangement import UnitFace, lifted_points
from solver.roots import RealRoot, eval_mpoly, positive_solutions, sign_of, working_precision
from solver.systems import FaceSystem, NeuronData, face_system, neuron_data, to_fmpq


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
            self.__dict__["_system"] = face_system(self.x, self.y, self.lam, self.faces, self.neurons)
        return self.__dict__["_system"]

    def values(self, prec: int) -> NeuronValues:
        """All network quantities as balls with about ``prec`` bits."""
        cache = self.__dict__.setdefault("_values", {})
        if prec not in cache:
            with working_precision(prec):
                cache[prec] = self._compute(prec)
        return cache[prec]

    def _compute(self, prec: int) -> NeuronValues:
        h = lifted_points(self.x)
        n, m = len(h), len(h[0])
        y = [arb(to_fmpq(v)) for v in self.y]
        if self.k == 0:
            loss = sum((v * v for v in y), arb(0))
            return NeuronValues((), (), (), tuple(y), loss)
        s = tuple(r.ball(prec) for r in self.roots)
        sys = self.system
        det = eval_mpoly(sys.det, s)
        nums = [eval_mpoly(f, s) / det for f in sys.numerators]
        directions, us = [], []
        fitted = [arb(0)] * n
        for a, (nd, block) in enumerate(zip(sys.neurons, sys.blocks)):
            u_a = [nums[i] for i in block]
            g_u = [sum((arb(nd.G_inv[i, j]) * u_a[j] for j in range(nd.size)), arb(0))
                   for i in range(nd.size)]
            direction = tuple(
                sum((arb(nd.V[r, j]) * g_u[j] for j in range(nd.size)), arb(0)) for r in range(m)
            )
            for i in range(n):
                if nd.face.signs[i] > 0:
                    hd = sum((arb(h[i][r]) * direction[r] for r in range(m)), arb(0))
                    fitted[i] += s[a] * hd
            directions.append(direction)
            us.append(tuple(u_a))
        residual = tuple(y[i] - fitted[i] for i in range(n))
        lam = arb(to_fmpq(self.lam))
        loss = sum((r * r for r in residual), arb(0)) + 2 * lam * lam * sum(s, arb(0))
        return NeuronValues(s, tuple(directions), tuple(us), residual, loss)


class NeuronEnumerator:
    """Critical points of every set of distinct alive faces, solved once each.

    Sets whose faces share no data point (``M_a^T M_b = 0``: the system is block
    diagonal) are not solved again: their solutions are products of the solutions of
    their connected parts, which are smaller sets enumerated earlier.
    """

    def __init__(self, x, y, lam: Fraction, alive: Sequence[UnitFace]) -> None:
        self.x, self.y, self.lam = tuple(map(tuple, x)), tuple(y), lam
        self.data = {f.signs: neuron_data(self.x, f) for f in alive}
        self._solved: dict[tuple, list[tuple[tuple[RealRoot, ...], tuple[int, ...]]]] = {}
        self.systems_solved = 0

    def points(self, faces: Sequence[UnitFace]) -> list[NeuronPoint]:
        """All neuron points of ``faces`` (in the given order)."""
        faces = tuple(faces)
        key = tuple(f.signs for f in faces)
        nds = tuple(self.data[s] for s in key)
        if key not in self._solved:
            self._solved[key] = self._solve(faces, nds)
        return [
            NeuronPoint(self.x, self.y, self.lam, faces, nds, roots, signs)
            for roots, signs in self._solved[key]
        ]

    def _solve(self, faces, nds):
        if not faces:
            return [((), ())]
        parts = _components(nds)
        if len(parts) > 1:
            pieces = [self._solved[tuple(faces[i].signs for i in part)] for part in parts]
            out = []
            for combo in product(*pieces):
                roots: list = [None] * len(faces)
                signs: list = [0] * len(faces)
                for part, (r, s) in zip(parts, combo):
                    for pos, i in enumerate(part):
                        roots[i], signs[i] = r[pos], s[pos]
                out.append((tuple(roots), tuple(signs)))
            return out
        self.systems_solved += 1
        system = face_system(self.x, self.y, self.lam, faces, nds)
        out = []
        for roots in positive_solutions(system.equations, system.ctx):
            candidate = NeuronPoint(self.x, self.y, self.lam, faces, nds, roots, ())
            candidate.__dict__["_system"] = system
            signs = _face_signs(candidate)
            if signs is not None:
                out.append((roots, signs))
        return out


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


def _face_signs(point: NeuronPoint) -> tuple[int, ...] | None:
    """The sign of ``a`` per neuron that puts its direction in its face, or None."""
    h = lifted_points(point.x)
    m = len(h[0])
    signs = []
    for a, face in enumerate(point.faces):
        sigma = 0
        for i, want in enumerate(face.signs):
            if want == 0:
                continue

            def dot(prec: int, i: int = i) -> arb:
                direction = point.values(prec).directions[a]
                return sum((arb(h[i][r]) * direction[r] for r in range(m)), arb(0))

            got = sign_of(dot, f"a pre-activation on face {face.pattern}")
            this = got * want
            if sigma == 0:
                sigma = this
            elif this != sigma:
                return None
        signs.append(sigma)
    return tuple(signs)


def fmpq_vec(values: Sequence[Fraction]) -> list[fmpq]:
    """Fractions as flint rationals."""
    return [to_fmpq(v) for v in values]


def ball_matrix(rows: Sequence[Sequence[arb]]) -> arb_mat:
    """An arb matrix from nested sequences."""
    return arb_mat([list(r) for r in rows])

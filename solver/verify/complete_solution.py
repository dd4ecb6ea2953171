"""Completeness: the alive faces and the face sets' proved solutions, shared by its checks.

A face set's solution (:class:`Solved`) is the Krawczyk-proved zero of the face system of
its faces (:class:`~solver.verify.face_system.PatternSystem`, one unit per face), enclosed
in balls and refined on demand (:data:`BITS`) until a sign is decided. :class:`State`
holds what the checks of the sets so far established (see
:mod:`solver.verify.completeness`).

Examples
--------
>>> name(["+0-", "++-"]), name([])
('{+0-, ++-}', '{} (all units dead)')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from flint import arb, arb_mat, ctx

from solver.problem import Problem
from solver.verify.arithmetic import Balls, ball_sign
from solver.verify.face_system import PatternSystem
from solver.verify.krawczyk import refine
from solver.verify.minimality import preactivations

BITS = (0, 512, 2048)  # refinements of a proved solution before a sign is given up


class AliveFace:
    """An alive face's data for the face systems (from the checker's own rebuild)."""

    def __init__(self, prob: Problem, pattern: str) -> None:
        self.system = one = PatternSystem(prob, [pattern], [0])
        self.pattern = pattern
        self.P = one.P[0]
        # points of nonzero sign whose pre-activation vanishes for every residual:
        # x~_i^T Pi x~_m = 0 for every seen m (an exact zero no ball can decide)
        self.structural = frozenset(
            i for i, ch in enumerate(pattern) if ch != "0" and all(
                quad(one.proj[0], prob.lifted[i], prob.lifted[m]) == 0 for m in one.plus[0]))


def quad(proj: list[list[Fraction]], u: tuple, v: tuple) -> Fraction:
    """``u^T Pi v`` for a projector ``Pi`` (exact)."""
    return sum((u[a] * proj[a][b] * v[b] for a in range(len(u)) for b in range(len(v))),
               Fraction(0))


class Solved:
    """A set's proved interior solution: enclosures of ``t`` per face, refined on demand."""

    def __init__(self, prob: Problem, faces: list[AliveFace], Z: list[arb] | None, prec: int,
                 parts: list[Solved] | None = None, system: PatternSystem | None = None) -> None:
        self.prob, self.faces, self.prec = prob, faces, prec
        self.patterns = [f.pattern for f in faces]
        self.system = system if system is not None else PatternSystem.from_faces(
            prob, [f.system for f in faces])
        self.parts = parts
        self._Z: dict[int, list[arb]] = {0: Z} if Z is not None else {}
        self._r: dict[int, list[arb]] = {}
        self._values: dict[int, tuple] = {}

    def t(self, bits: int = 0) -> dict[str, arb]:
        """``t`` of every face (pattern), enclosed to about ``bits`` bits (0: as proved)."""
        if self.parts is not None:
            return {p: v for part in self.parts for p, v in part.t(bits).items()}
        if bits not in self._Z:
            self._Z[bits] = refine(self.system, self.system.alive, {}, self._Z[0],
                                   max(bits, self.prec))
        return dict(zip(self.patterns, self._Z[bits], strict=True))

    def work(self, bits: int = 0) -> int:
        """The working precision for quantities at this solution."""
        return max(bits, self.prec, 128) + 64

    def balls(self, bits: int = 0) -> dict[int, arb]:
        """``t`` by unit index of :attr:`system`."""
        t = self.t(bits)
        return {j: t[p] for j, p in enumerate(self.patterns)}

    def residual(self, bits: int = 0) -> list[arb]:
        """``r = A(t)^{-1} y`` as balls (``y`` itself for the empty set)."""
        if bits not in self._r:
            with ctx.workprec(self.work(bits)):
                if not self.faces:
                    self._r[bits] = [arb(v) for v in self.prob.y_q]
                else:
                    _, r = self.system.residual(self.balls(bits))
                    # a point no face sees has the row of I in A: r_i = y_i, exactly
                    self._r[bits] = [r[i, 0] if any(p[i] == "+" for p in self.patterns)
                                     else arb(self.prob.y_q[i]) for i in range(self.prob.n)]
        return self._r[bits]

    def values(self, bits: int = 0
               ) -> tuple[list[arb], dict[int, list[arb]], dict[int, list[arb]]]:
        """Residual, directions ``u_j`` and pre-activations ``<u_j, x~_i>`` (cached)."""
        if bits not in self._values:
            r = self.residual(bits)
            with ctx.workprec(self.work(bits)):
                u = self.system.directions(arb_mat(self.prob.n, 1, r)) if self.faces else {}
                self._values[bits] = (r, u, preactivations(Balls(), self.prob, u))
        return self._values[bits]

    def sign_at(self, j: int, i: int) -> int | None:
        """The sign of ``<u_j, x~_i>``, refining the solution (None: undecided)."""
        for bits in BITS:
            got = ball_sign(self.values(bits)[2][j][i])
            if got is not None:
                return got
        return None


def decide(value_at) -> tuple[arb, int | None]:
    """The sign of ``value_at(bits)``, refining the solution it depends on."""
    value = arb(0)
    for bits in BITS:
        value = value_at(bits)
        got = ball_sign(value)
        if got is not None:
            return value, got
    return value, None


def name(faces) -> str:
    """A face set as ``{+0-, ++-}``, or the all-dead point."""
    return "{" + ", ".join(faces) + "}" + (" (all units dead)" if not faces else "")


@dataclass
class State:
    """What the checks of the sets so far established."""

    prob: Problem
    order: dict[str, int]                   # the alive faces, numbered in canonical order
    orbits: dict[int, list[tuple[int, dict]]]
    ok: set[int]
    faces: dict[str, AliveFace] = field(default_factory=dict)
    solved: dict[frozenset, Solved | None] = field(default_factory=dict)  # None: no solution
    bad: set[frozenset] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    claims: dict[int, list[frozenset]] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def name(self, faces) -> str:
        """A face set by :func:`name`, its faces in canonical order."""
        return name(sorted(faces, key=self.order.get))

    def names(self, sets, limit: int = 12) -> str:
        """Several face sets, at most ``limit`` of them."""
        shown = [self.name(s) for s in sets[:limit]]
        more = f" and {len(sets) - limit} more" if len(sets) > limit else ""
        return ", ".join(shown) + more

    def depends(self, S: frozenset, A: frozenset, where: str, fails: list[str]) -> bool:
        """Whether subset ``A`` of ``S`` has a usable record (else a failure naming it)."""
        if not A < S:
            fails.append(f"{where}: {self.name(A)} is not a proper subset")
        elif A in self.bad:
            fails.append(f"{where}: relies on {self.name(A)}, whose record failed")
        elif A not in self.solved:
            fails.append(f"{where}: relies on {self.name(A)}, which is not listed")
        else:
            return True
        return False

    def subset_solution(self, S: frozenset, by: list[str], where: str, fails: list[str],
                        claim: str | None = None) -> tuple[bool, Solved | None]:
        """``(usable, solution)`` of the subset ``by`` that ``S``'s record relies on:
        not usable (a failure added) when :meth:`depends` says so or, with ``claim``
        (``"pruned by"``...), when the subset has no interior solution."""
        if not self.depends(S, frozenset(by), where, fails):
            return False, None
        sol = self.solved[frozenset(by)]
        if sol is None and claim is not None:
            fails.append(f"{where}: {claim} {name(by)}, which has no interior solution")
            return False, None
        return True, sol


__all__ = ["BITS", "AliveFace", "Solved", "State", "decide", "name", "quad"]

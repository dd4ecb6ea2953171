"""The result of a solve and its stable JSON form: minima, statistics, completeness record.

The JSON layout is documented in the README ("JSON output") and kept stable. One minimum
is a class of :mod:`solver.minima` (re-exported here); the completeness record
(``solve(..., completeness=True)``) says how every face set was settled, with the
solver's reasons as typed data (:class:`Descent`, :class:`Outside`).

Examples
--------
>>> Descent.dead("+0").to_json()
{'kind': 'dead', 'face': '+0', 'reason': 'descent: a dead unit grows along face +0'}
>>> Descent.switch("on", "+0", 1).reason
'descent: switching point 2 on lowers the loss (unit face +0, point 2)'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from solver.data import DataShape
from solver.minima import (
    AlgebraicRoot,
    Certificate,
    CurveMinimum,
    ExactPoint,
    ExactUnit,
    IsolatedMinimum,
    Minimum,
    Point,
    exact_text,
)
from solver.report import solution_latex, solution_table

__all__ = [
    "AlgebraicRoot", "Certificate", "Completeness", "CurveMinimum", "Descent", "ExactPoint",
    "ExactUnit", "IsolatedMinimum", "Minimum", "Outside", "Point", "SetRecord", "Solution",
    "SolveStats",
]


@dataclass(frozen=True, slots=True)
class Descent:
    """Why a critical point is not a local minimum, as the certifier found it.

    ``kind``: ``"off"`` or ``"on"`` (switching point ``point`` (0-based) off or on, for a
    unit on face ``face``, lowers the loss: a first-order multiplier of the wrong sign),
    ``"hessian"`` (leading minor ``minor`` of the merged Hessian is negative) or
    ``"dead"`` (a dead unit grows along face ``face``); ``reason`` is the sentence for
    people.
    """

    kind: str
    reason: str
    face: str | None = None
    point: int | None = None
    minor: int | None = None

    @classmethod
    def switch(cls, kind: str, face: str, point: int) -> Descent:
        """Switching ``point`` (0-based) ``"off"`` or ``"on"`` on ``face`` lowers the loss."""
        where = f"unit face {face}, point {point + 1}"
        reason = f"descent: switching point {point + 1} {kind} lowers the loss ({where})"
        return cls(kind, reason, face=face, point=point)

    @classmethod
    def hessian(cls, minor: int) -> Descent:
        """The merged Hessian's leading minor ``minor`` is negative."""
        reason = f"second order: the merged Hessian is not positive definite (minor {minor})"
        return cls("hessian", reason, minor=minor)

    @classmethod
    def dead(cls, face: str) -> Descent:
        """A dead unit grows along ``face``."""
        return cls("dead", f"descent: a dead unit grows along face {face}", face=face)

    def to_json(self) -> dict:
        """JSON form: the kind, its face, point or minor where it has one, the reason."""
        out: dict = {"kind": self.kind}
        if self.face is not None:
            out["face"] = self.face
        if self.point is not None:
            out["point"] = self.point
        if self.minor is not None:
            out["minor"] = self.minor
        out["reason"] = self.reason
        return out


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


@dataclass(frozen=True, slots=True)
class SetRecord:
    """The completeness record of one face set (see the module docstring).

    ``key`` (indices into the alive faces) orders the records; ``minimum`` holds orbit
    identities inside a solve and orbit numbers in the output
    (:func:`solver.pipeline.completeness.numbered`).
    """

    key: tuple[int, ...]
    faces: tuple[str, ...]
    how: str
    parts: tuple[tuple[str, ...], ...] = ()
    by: tuple[str, ...] = ()
    tied: tuple[str, ...] = ()
    twins: tuple[tuple[str, str], ...] = ()  # pruned: (tied face, its partner) not opposite
    zeros: tuple = ()  # pruned: (point, part, exact s of the part) where r_i = 0 exactly
    segment: tuple = ()  # segment: (b, a, face outside or None), P_a = P_b
    near: str | None = None  # pruned: the face outside at every residual near by's
    near_exact: tuple = ()  # pruned near: by's exact s, when its residual is every minimiser's
    roots: tuple[AlgebraicRoot, ...] = ()
    outside: Outside | None = None
    minimum: tuple | None = None
    descent: Descent | None = None
    closure: str | Descent | None = None

    def to_json(self) -> dict:
        """JSON entry of ``completeness.sets``."""
        out: dict = {"faces": list(self.faces)}
        if self.how == "decoupled":
            out["decoupled"] = [list(p) for p in self.parts]
        elif self.how == "pruned":
            out["pruned"] = {"by": list(self.by), "tied": list(self.tied)}
            if self.twins:
                out["pruned"]["twins"] = [list(t) for t in self.twins]
            if self.near is not None:
                out["pruned"]["near"] = self.near
            if self.near_exact:
                out["pruned"]["exact"] = [r.to_json() for r in self.near_exact]
            if self.zeros:
                out["pruned"]["zeros"] = [{"point": i, "faces": list(part),
                                           "s": [r.to_json() for r in roots]}
                                          for i, part, roots in self.zeros]
        elif self.how == "solution":
            out["solution"] = [r.to_json() for r in self.roots]
        elif self.how == "segment":
            b, a, c = self.segment
            out["segment"] = {"by": list(self.by), "sum": [b, a]}
            if c is not None:
                out["segment"]["outside"] = c
        else:
            out["none"] = "a KKT multiplier is exactly zero; exact elimination found no " \
                          "interior solution"
        if self.outside is not None:
            out["outside"] = self.outside.to_json()
            if self.how == "decoupled" and self.roots:  # an exact zero: the solution, exactly
                out["outside"]["s"] = [r.to_json() for r in self.roots]
        if self.minimum is not None:
            out["minimum"] = list(self.minimum)
        if self.descent is not None:
            out["descent"] = self.descent.to_json()
        if self.closure is not None:
            closure = self.closure
            out["closure"] = closure if isinstance(closure, str) else closure.to_json()
        return out


@dataclass(frozen=True, slots=True)
class Completeness:
    """Every face set's record, in canonical order (levels, then face order)."""

    alive: tuple[str, ...]
    records: tuple[SetRecord, ...]

    DESCRIPTION: ClassVar[str] = (
        "every set of k <= L distinct alive unit faces (patterns), k = 0 being the all-dead "
        "point: decoupled (parts sharing no seen point, each listed), pruned (by a proper "
        "subset whose solution meets the strict KKT conditions |M_b^T r|_(G_b^-1) < lam for "
        "the other faces, or = lam for the tied ones with the P_c r independent), solution "
        "(the face set's unique interior solution s: box or minimal polynomials, as in "
        "exact.s) or none; a set with a solution has outside (a point whose pre-activation "
        "has the wrong sign or is structurally zero; 0-based) or its certification: minimum "
        "(orbit numbers of the minima it became; for 0 < k < L with closure: minima, or the "
        "dead-unit descent, for the split sets' endpoints) or descent (the solver's reason)"
    )

    def to_json(self) -> dict:
        """The ``completeness`` key of the result document."""
        return {
            "description": self.DESCRIPTION,
            "alive": len(self.alive),
            "sets": [r.to_json() for r in self.records],
        }


@dataclass(frozen=True, slots=True)
class SolveStats:
    """Work done by a solve."""

    faces: int
    systems: int
    candidates: int
    seconds: float

    def to_json(self) -> dict:
        """JSON form of ``stats``."""
        return {
            "faces": self.faces,
            "systems": self.systems,
            "candidates": self.candidates,
            "seconds": self.seconds,
        }


@dataclass(frozen=True, slots=True)
class Solution(DataShape):
    """All certified local minima of one problem, in canonical order.

    ``completeness`` (only when asked for: ``solve(..., completeness=True)``) records how
    every face set was settled (:class:`Completeness`).
    """

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    lam: Fraction
    units: int
    minima: tuple[Minimum, ...]
    stats: SolveStats
    completeness: Completeness | None = None

    @property
    def global_loss(self) -> float:
        """The smallest loss among all minima."""
        return min(m.loss for m in self.minima)

    def to_json(self) -> dict:
        """The stable JSON document (see the README)."""
        return {
            "lam": exact_text(self.lam),
            "d": self.d,
            "n": self.n,
            "units": self.units,
            "x": [[exact_text(v) for v in row] for row in self.x],
            "y": [exact_text(v) for v in self.y],
            "minima": [m.to_json() for m in self.minima],
            "stats": self.stats.to_json(),
        } | ({} if self.completeness is None else {"completeness": self.completeness.to_json()})

    def to_latex(self) -> str:
        """A LaTeX fragment: the minima table and the exact equations of every set."""
        return solution_latex(self)

    def to_table(self) -> str:
        """A readable plain-text table of the minima."""
        return solution_table(self)

"""From a traced path to the public :class:`~solver.regpath.results.Path`.

Branches get float samples (:mod:`solver.regpath.sampling`), a canonical order (by where
they start, then loss, then patterns) and orbit numbers (unit permutations of one
another share one); every event group becomes a :class:`PathEvent` with its exact λ, a
tight certified interval, the changes it makes and the witnesses (face set and
condition) that prove it; loss crossings of the global minimum are added as ``"jump"``
events (:mod:`solver.regpath.jumps`).
"""

from __future__ import annotations

import math
from fractions import Fraction

from flint import arb

from solver.pipeline.algebraic import RealRoot
from solver.pipeline.numbers import working_precision
from solver.regpath.branches import EventGroup, NetPiece
from solver.regpath.pieces import Cut, ball_bounds, root_index
from solver.regpath.results import (
    Change,
    LamValue,
    PathEvent,
    PathSample,
    Witness,
)
from solver.regpath.sampling import FloatSet, grid
from solver.regpath.trace import Trace

SAMPLES = 60  # common sample λs over the range (every piece adds its ends)
END = 1e-6  # the first and last sample of a piece, relatively inside its ends
PRIORITY = ("neuron death", "fold", "dead-unit bound", "face change", "jump")


def lam_value(root: RealRoot) -> LamValue:
    """The exact :class:`LamValue` of a real algebraic λ."""
    with working_precision(128):
        value = float(root.ball(128).mid())
    if root.poly.degree() == 1:
        return LamValue.rational(Fraction(-int(root.poly[0]), int(root.poly[1])))
    return LamValue(value, _fraction(root.lo), _fraction(root.hi),
                    tuple(int(c) for c in root.poly.coeffs()))


def _fraction(q) -> Fraction:
    return Fraction(int(q.p), int(q.q))


def tight(root: RealRoot, bits: int = 64) -> tuple[Fraction, Fraction]:
    """A rational interval around the root of relative width about ``2^-bits``."""
    with working_precision(bits + 32):
        b = root.ball(bits + 32)
        lo, hi = ball_bounds(b)
    if lo == hi:  # a rational λ: an interval around it
        lo, hi = lo * (1 - Fraction(1, 2**bits)), hi * (1 + Fraction(1, 2**bits))
    return lo, hi


class Builder:
    """Builds the branches and events of one :class:`Trace`."""

    def __init__(self, t: Trace) -> None:
        self.t = t
        self.judge = t.judge
        self.floats: dict[tuple[int, ...], FloatSet] = {}

    def float_set(self, key: tuple[int, ...]) -> FloatSet:
        """The (cached) float data of a face set."""
        if key not in self.floats:
            self.floats[key] = FloatSet(self.judge, key)
        return self.floats[key]

    def pattern(self, p: NetPiece) -> tuple[str, ...]:
        """The units' sign patterns of a network piece."""
        n = len(self.judge.y)
        return tuple("0" * n if f is None else "".join(
            "+" if s > 0 else "-" if s < 0 else "0" for s in f) for f in p.units)

    def bound(self, cut: Cut | None, end: Fraction, event_of: dict
              ) -> tuple[LamValue, int | None]:
        """A segment end: the range's end or an event (its index in ``event_of``, keyed by
        the exact λ's :func:`root_index`; None while events are not numbered)."""
        if cut is None:
            return LamValue.rational(end), None
        return lam_value(cut.lam), event_of.get(root_index(cut.lam))

    # --- samples ------------------------------------------------------------------
    def grid(self) -> list[float]:
        """The common sample λs: :data:`SAMPLES` log-spaced points inside the range."""
        return grid(float(self.t.lam_min), float(self.t.lam_max), SAMPLES)[1:-1]

    def piece_lams(self, lo: float, hi: float) -> list[float]:
        """A piece's sample λs: the common grid inside it, points next to both ends, and
        at least three inside."""
        inside = [g for g in self.grid() if lo * (1 + 1e-3) < g < hi * (1 - 1e-3)]
        if len(inside) < 3:
            inside = sorted(set(inside) | set(grid(lo, hi, 3)[1:-1]))
        return [lo * (1 + END)] + inside + [hi * (1 - END)]

    def samples(self, chain: list[NetPiece]) -> list[PathSample]:
        """Float samples along a chain of pieces (:meth:`piece_lams` per piece)."""
        lo_all, hi_all = float(self.t.lam_min), float(self.t.lam_max)
        out: list[PathSample] = []
        for p in chain:
            lo = float(p.piece.lo.ball().mid()) if p.piece.lo else lo_all
            hi = float(p.piece.hi.ball().mid()) if p.piece.hi else hi_all
            fs = self.float_set(p.piece.key)
            sample = p.piece.samples[len(p.piece.samples) // 2]
            start = fs.start(sample) if fs.k else None
            lams = self.piece_lams(lo, hi)
            mid = min(range(len(lams)), key=lambda j: abs(math.log(lams[j] / float(sample))))
            found: dict[int, PathSample] = {}
            for order in (range(mid, len(lams)), range(mid - 1, -1, -1)):
                s = start
                for j in order:
                    s_new = fs.solve(lams[j], s) if fs.k else None
                    if fs.k and s_new is None:
                        continue
                    s = s_new
                    loss, point = fs.values(s, lams[j], p.labels)
                    found[j] = PathSample(lams[j], loss, point)
            out.extend(found[j] for j in sorted(found))
        return out

    # --- events -------------------------------------------------------------------
    def events(self, groups: list[EventGroup], branch_of: dict[int, int]) -> list[PathEvent]:
        """Every event group as a :class:`PathEvent` (branch numbers from ``branch_of``,
        keyed by ``id`` of a network piece)."""
        out = []
        for group in groups:
            changes, kinds, witnesses = [], [], []
            for p, q, how in group.joins:
                changes.append(Change(branch_of[id(p)], "continues", self.pattern(p),
                                      self.pattern(q)))
                kinds.append(how)
                witnesses.extend(self.witnesses(p, p.piece.hi, how))
                witnesses.extend(self.witnesses(q, q.piece.lo, how))
            for p in group.ends:
                if p.after is None:
                    changes.append(Change(branch_of[id(p)], "dies", self.pattern(p), None))
                    kinds.append(self.kind(p.piece.hi))
                    witnesses.extend(self.witnesses(p, p.piece.hi, kinds[-1]))
            for p in group.starts:
                if p.before is None:
                    changes.append(Change(branch_of[id(p)], "born", None, self.pattern(p)))
                    kinds.append(self.kind(p.piece.lo))
                    witnesses.extend(self.witnesses(p, p.piece.lo, kinds[-1]))
            for p, cut, ends in group.flips:
                changes.append(Change(branch_of[id(p)], "gains ends" if ends else "loses ends",
                                      self.pattern(p), self.pattern(p)))
                kinds.append("dead-unit bound")
                witnesses.extend(self.witnesses(p, cut, "dead-unit bound"))
            kind = min(kinds, key=PRIORITY.index)
            lam = lam_value(group.cut.lam)
            changes.sort(key=lambda c: (c.branch, c.what))
            unique = list(dict.fromkeys(witnesses))
            out.append(PathEvent(
                kind, lam, tight(group.cut.lam), tuple(sorted({c.branch for c in changes})),
                tuple(changes), describe(kind, lam, changes), tuple(unique)))
        return out

    def kind(self, cut: Cut) -> str:
        """The kind of a birth or death at ``cut`` from the conditions vanishing there."""
        kinds = {c.kind for c in cut.conditions}
        if "exists" in kinds:
            return "neuron death"
        if kinds & {"preactivation", "multiplier-off", "multiplier-on"}:
            return "fold"
        return "dead-unit bound"

    def witnesses(self, p: NetPiece, cut: Cut, kind: str) -> list[Witness]:
        """The face set of ``p`` and each condition of the event's ``kind`` vanishing at
        ``cut`` (others may touch zero there without changing sign), with the set's
        interior solution there as a float hint. A neuron reaching ``s = 0`` is stated on
        the smaller set, as its dead-unit bound on the dying neuron's face (the smaller set
        has its solution on both sides of the event)."""
        faces = tuple(self.judge.alive[i].pattern for i in p.piece.key)
        out = []
        for b in cut.points:
            c = b.condition
            if c.kind not in RELEVANT[kind]:
                continue
            s = None
            if b.zero is not None:
                with working_precision(64):
                    s = tuple(float(v.mid()) for v in b.zero.s_balls(64))
            if c.kind == "exists":
                keep = tuple(q for a, q in enumerate(faces) if a != c.neuron)
                rest = None if s is None else tuple(v for a, v in enumerate(s) if a != c.neuron)
                out.append(Witness(keep, "dead-unit", face=faces[c.neuron], s=rest or None))
            else:
                out.append(Witness(faces, c.kind, c.neuron, c.point, c.face, s=s))
        return out


RELEVANT = {
    "face change": {"preactivation", "multiplier-off", "multiplier-on"},
    "fold": {"preactivation", "multiplier-off", "multiplier-on"},
    "neuron death": {"exists", "dead-unit"},
    "dead-unit bound": {"dead-unit"},
}
WHAT = {"born": "is born", "dies": "dies", "continues": "continues",
        "gains ends": "gains its ends", "loses ends": "loses its ends",
        "becomes global": "becomes the global minimum",
        "stops being global": "stops being the global minimum"}


def describe(kind: str, lam: LamValue, changes: list[Change]) -> str:
    """One line for people, e.g. ``"branch 3 dies: fold at λ = 0.03712…"``; a change of
    the global minimum is said last (``"the global minimum jumps from branch 1 to branch
    7"``; it *passes* when the lowest branch merges into another at a neuron death)."""
    parts = []
    for c in changes:
        if c.what in ("becomes global", "stops being global"):
            continue
        text = f"branch {c.branch + 1} {WHAT[c.what]}"
        if c.what == "continues":
            text += f" from {' '.join(c.before)} to {' '.join(c.after)}"
        parts.append(text)
    old = [c.branch for c in changes if c.what == "stops being global"]
    new = [c.branch for c in changes if c.what == "becomes global"]
    if old and new:  # continuous when a branch merges into another, else a jump
        verb = "passes" if kind in ("neuron death", "dead-unit bound", "face change") else "jumps"
        parts.append(f"the global minimum {verb} from branch {old[0] + 1} to branch "
                     f"{new[0] + 1}")
    return f"{'; '.join(parts)}: {kind} at λ {'=' if lam.is_proved else '≈'} {lam.text()}"


def ball_value(lam: LamValue) -> arb:
    """A λ as a ball (for ordering)."""
    return arb(lam.value)

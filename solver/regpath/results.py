"""The regularisation path's result classes and their stable JSON form.

The JSON layout is documented in the README ("JSON output of path") and kept stable.

Examples
--------
>>> from fractions import Fraction as F
>>> lam = LamValue.rational(F(1, 8))
>>> lam.to_json(), lam.text()
({'value': '1/8'}, '1/8')
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from solver.data import DataShape
from solver.minima import Point, poly_str


@dataclass(frozen=True, slots=True)
class LamValue:
    """A λ exactly: a rational, or the real root of the irreducible integer polynomial
    ``minpoly`` (coefficients from degree 0 up) in ``[lo, hi]``; or, when ``minpoly`` is
    None and ``certified``, only a certified interval ``[lo, hi]`` holding it; or, when
    neither (``lo < hi``), an interval where it was seen but nothing is proved."""

    value: float
    lo: Fraction
    hi: Fraction
    minpoly: tuple[int, ...] | None = None
    certified: bool = False

    @classmethod
    def rational(cls, q: Fraction) -> LamValue:
        """An exact rational λ."""
        return cls(float(q), q, q)

    @property
    def is_rational(self) -> bool:
        """Whether the value is the rational ``lo == hi``."""
        return self.lo == self.hi and not self.certified

    @property
    def is_proved(self) -> bool:
        """Whether the value is exact or certified (not merely seen in floats)."""
        return self.lo == self.hi or self.minpoly is not None or self.certified

    def to_json(self) -> dict:
        """``{"value": "p/q"}``, ``{"minpoly": ..., "interval": [lo, hi]}``,
        ``{"certified": [lo, hi]}`` or ``{"uncertified": [lo, hi]}``."""
        if self.is_rational:
            return {"value": str(self.lo)}
        if self.minpoly is not None:
            return {"minpoly": poly_str(tuple(Fraction(c) for c in self.minpoly), "lam"),
                    "interval": [str(self.lo), str(self.hi)]}
        if not self.certified:
            return {"uncertified": [str(self.lo), str(self.hi)]}
        return {"certified": [str(self.lo), str(self.hi)]}

    def text(self, digits: int = 7) -> str:
        """For people: the fraction, or the decimal value with an ellipsis."""
        if self.is_rational:
            return str(self.lo)
        return f"{self.value:.{digits}g}…"


@dataclass(frozen=True, slots=True)
class PathSample:
    """A branch at one λ: the loss and the parameters (curves: units of a neuron split its
    weight equally)."""

    lam: float
    loss: float
    point: Point

    def to_json(self) -> dict:
        """``{"lam", "loss", "B", "c", "a"}``."""
        return {"lam": self.lam, "loss": self.loss, **self.point.to_json()}


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a branch on one face set: the units' sign patterns, its λ-interval
    (``lam_min``/``lam_max``: the range's ends or events, by index) and, for curves, the
    λ-intervals on which the curve's endpoints (units dying) are minima too."""

    pattern: tuple[str, ...]
    lam_min: LamValue
    lam_max: LamValue
    lam_min_event: int | None
    lam_max_event: int | None
    ends: tuple[tuple[float, float], ...] = ()

    def to_json(self) -> dict:
        """JSON entry of ``segments``."""
        out = {"pattern": list(self.pattern),
               "lam_min_float": _f15(self.lam_min.value),
               "lam_max_float": _f15(self.lam_max.value),
               "lam_min_event": self.lam_min_event,
               "lam_max_event": self.lam_max_event}
        if self.ends:
            out["ends"] = [[_f15(a), _f15(b)] for a, b in self.ends]
        return out


def _f15(v: float) -> float:
    """A float to 15 significant digits."""
    return float(f"{v:.15g}")


@dataclass(frozen=True, slots=True)
class Branch:
    """A continuous family of minima over ``[lam_min, lam_max]``: one image (unit
    labelling) of one minimum followed through its face changes.

    ``orbit`` is shared by branches that are unit permutations of each other.
    """

    kind: str
    orbit: int
    segments: tuple[Segment, ...]
    samples: tuple[PathSample, ...]

    @property
    def lam_min(self) -> LamValue:
        """Where the branch starts."""
        return self.segments[0].lam_min

    @property
    def lam_max(self) -> LamValue:
        """Where the branch ends."""
        return self.segments[-1].lam_max

    def segment_at(self, lam: float) -> Segment | None:
        """The segment alive at ``lam`` (None outside the branch; events excluded)."""
        for seg in self.segments:
            if seg.lam_min.value < lam < seg.lam_max.value:
                return seg
        return None

    def to_json(self) -> dict:
        """JSON entry of ``branches``."""
        return {
            "kind": self.kind,
            "orbit": self.orbit,
            "lam_min": self.lam_min.to_json(),
            "lam_max": self.lam_max.to_json(),
            "lam_min_float": _f15(self.lam_min.value),
            "lam_max_float": _f15(self.lam_max.value),
            "lam_min_event": self.segments[0].lam_min_event,
            "lam_max_event": self.segments[-1].lam_max_event,
            "segments": [s.to_json() for s in self.segments],
            "samples": [s.to_json() for s in self.samples],
        }


@dataclass(frozen=True, slots=True)
class Change:
    """What happens to one branch at an event (λ increasing): ``"born"``, ``"dies"``,
    ``"continues"`` (from one face set to another), ``"gains ends"``, ``"loses ends"``,
    ``"becomes global"``, ``"stops being global"`` (the global minimum jumps)."""

    branch: int
    what: str
    before: tuple[str, ...] | None
    after: tuple[str, ...] | None

    def to_json(self) -> dict:
        """JSON entry of an event's ``changes``."""
        return {"branch": self.branch, "what": self.what,
                "before": None if self.before is None else list(self.before),
                "after": None if self.after is None else list(self.after)}


@dataclass(frozen=True, slots=True)
class Witness:
    """A face set and the condition on its curve that vanishes at the event: the
    checker rebuilds that function of λ and proves its sign change."""

    faces: tuple[str, ...]
    condition: str
    neuron: int | None = None
    point: int | None = None
    face: str | None = None
    other: tuple[str, ...] | None = None
    s: tuple[float, ...] | None = None
    other_s: tuple[float, ...] | None = None

    def to_json(self) -> dict:
        """JSON entry of an event's ``witnesses`` (0-based neuron and point; ``other``:
        the second face set of a loss crossing; ``s``: the set's interior solution at the
        event, a float hint for the checker's Newton start)."""
        out: dict = {"faces": list(self.faces), "condition": self.condition}
        for key in ("neuron", "point", "face"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.other is not None:
            out["other"] = list(self.other)
        if self.s is not None:
            out["s"] = list(self.s)
        if self.other_s is not None:
            out["other_s"] = list(self.other_s)
        return out


@dataclass(frozen=True, slots=True)
class PathEvent:
    """One λ where the set of minima changes: its kind, λ exactly (or certified), the
    branches involved and how, and the witnesses that prove it. ``uncertified``: why no
    proof was found (a loss crossing seen in floats only; ``lam`` then is an interval
    holding it, unproved): reported, never dropped."""

    kind: str
    lam: LamValue
    interval: tuple[Fraction, Fraction]
    branches: tuple[int, ...]
    changes: tuple[Change, ...]
    description: str
    witnesses: tuple[Witness, ...]
    global_jump: bool = False
    uncertified: str | None = None

    KINDS: ClassVar[tuple[str, ...]] = (
        "face change", "fold", "neuron death", "dead-unit bound", "jump")

    def to_json(self) -> dict:
        """JSON entry of ``events`` (``uncertified``, the reason, only when unproved)."""
        out = {
            "kind": self.kind,
            "lam_float": _f15(self.lam.value),
            "lam": self.lam.to_json(),
            "exact": self.lam.minpoly is not None or self.lam.is_rational,
            "interval": [str(self.interval[0]), str(self.interval[1])],
            "branches": list(self.branches),
            "changes": [c.to_json() for c in self.changes],
            "global": self.global_jump,
            "description": self.description,
            "witnesses": [w.to_json() for w in self.witnesses],
        }
        if self.uncertified is not None:
            out["uncertified"] = self.uncertified
        return out


@dataclass(frozen=True, slots=True)
class PathStats:
    """Work done: face sets, their breakpoints, verdicts decided, wall time."""

    face_sets: int
    breakpoints: int
    verdicts: int
    seconds: float

    def to_json(self) -> dict:
        """JSON form of ``stats``."""
        return {"face_sets": self.face_sets, "breakpoints": self.breakpoints,
                "verdicts": self.verdicts, "seconds": self.seconds}


@dataclass(frozen=True, slots=True)
class Path(DataShape):
    """The regularisation path of every local minimum on ``[lam_min, lam_max]``."""

    x: tuple[tuple[Fraction, ...], ...]
    y: tuple[Fraction, ...]
    units: int
    lam_min: Fraction
    lam_max: Fraction
    branches: tuple[Branch, ...]
    events: tuple[PathEvent, ...]
    stats: PathStats
    global_min: tuple[tuple[float, float, int], ...] = ()

    def alive_at(self, lam: float) -> list[int]:
        """Indices of the branches alive at ``lam`` (not at an event)."""
        return [j for j, b in enumerate(self.branches) if b.segment_at(lam) is not None]

    def to_json(self) -> dict:
        """The stable JSON document (see the README)."""
        return {
            "kind": "path",
            "lam_min": str(self.lam_min),
            "lam_max": str(self.lam_max),
            "d": self.d,
            "n": self.n,
            "units": self.units,
            "x": [[str(v) for v in row] for row in self.x],
            "y": [str(v) for v in self.y],
            "branches": [b.to_json() for b in self.branches],
            "events": [e.to_json() for e in self.events],
            "global_min": [{"lam_min_float": _f15(a), "lam_max_float": _f15(b), "branch": j}
                           for a, b, j in self.global_min],
            "stats": self.stats.to_json(),
        }

    def to_table(self) -> str:
        """A readable plain-text report: branches and events."""
        from solver.regpath.report import path_table

        return path_table(self)

    def to_latex(self) -> str:
        """A LaTeX fragment: the events table with exact λs."""
        from solver.regpath.report import path_latex

        return path_latex(self)

"""Check a regularisation path file: ``python -m solver verify PATH.json DATA.csv``.

A path document (``"kind": "path"``, written by ``python -m solver path ... --json``) is
re-checked without trusting the code that produced it:

1. the data match the CSV, and the document has the path layout;
2. every event is re-proved (:mod:`solver.verify.path_events`): each witness's condition
   changes sign across the event's interval, an exact λ is the one root of its
   irreducible minimal polynomial there, a loss crossing is unique in its interval;
3. the branches are consistent with the events: a branch starts at ``lam_min`` or at an
   event where it is born, ends at ``lam_max`` or where it dies, and passes from one
   segment to the next exactly at an event that says it continues between those face
   sets; every change an event lists is such a start, end or passage (so an event moved,
   dropped or added is caught);
4. every sample of every branch lies in one of its segments and, unless it is within a
   relative ``1e-4`` of an event (where the event's proof speaks), is re-checked there as a
   local minimum in floating point, like a curve's samples (signs against the segment's
   pattern, balanced units, loss, stationarity and strict multipliers, the Hessian on the
   span, dead units: :func:`solver.verify.curve.check_point_sample`); every segment has
   samples next to both its ends (a branch cannot claim λs it was not sampled at);
5. the global minimum's runs (``global_min``) change exactly at the events marked global,
   and the run's branch is not above any other branch sampled at the same λ
   (:func:`solver.verify.path_global.check_global`): a dropped jump is caught.

Examples
--------
>>> from solver.data import make_dataset
>>> verify_path({"kind": "path"}, make_dataset([0, 1], [1, 0]))
Traceback (most recent call last):
...
solver.errors.SolverInputError: path file: missing key 'lam_min'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from solver.data import Dataset, parse_lam
from solver.errors import SolverInputError
from solver.problem import Problem
from solver.verify.curve import check_point_sample
from solver.verify.path_events import check_event
from solver.verify.path_global import TIE_BITS, check_global, check_jump
from solver.verify.schema import data_problems

_KEYS = {"lam_min": str, "lam_max": str, "d": int, "n": int, "units": int, "x": list,
         "y": list, "branches": list, "events": list, "global_min": list}
_EVENT = {"kind": str, "lam_float": (int, float), "lam": dict, "interval": list,
          "branches": list, "changes": list, "witnesses": list}
_BRANCH = {"kind": str, "orbit": int, "segments": list, "samples": list}
_SEGMENT = {"pattern": list, "lam_min_float": (int, float), "lam_max_float": (int, float)}


@dataclass(frozen=True, slots=True)
class PathReport:
    """Lines per event and branch, every failure (``problems``) and the events the path
    itself reports as uncertified (``unproved``: not failures, not proved either)."""

    lines: tuple[str, ...]
    problems: tuple[str, ...]
    unproved: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    @property
    def exit_code(self) -> int:
        """1 when something failed; 3 when nothing failed but some events are not proved
        (the path marks them uncertified); 0 when everything is proved."""
        if not self.ok:
            return 1
        return 3 if self.unproved else 0

    def text(self) -> str:
        """The report as printed by the CLI."""
        out = list(self.lines) + [f"FAIL: {p}" for p in self.problems]
        extra = (f", {len(self.unproved)} uncertified events not proved"
                 if self.unproved else "")
        verdict = "NOT VERIFIED" if not self.ok else "OK, NOT ALL PROVED" if extra else "OK"
        out.append(f"summary: {len(self.problems)} problems{extra} -> {verdict}")
        return "\n".join(out) + "\n"


def _schema(doc: dict) -> list[str]:
    """Layout problems (missing keys, wrong types), as one-line messages."""
    out = []
    for key, kind in _KEYS.items():
        if key not in doc:
            return [f"path file: missing key {key!r}"]
        if not isinstance(doc[key], kind):
            return [f"path file: {key!r} has the wrong type"]
    if not all(isinstance(e, dict) for e in doc["events"] + doc["branches"]):
        return ["path file: events and branches must be objects"]
    for j, e in enumerate(doc["events"]):
        out += [f"path file: event {j + 1}: missing key {k!r}" for k in _EVENT if k not in e]
    for j, b in enumerate(doc["branches"]):
        out += [f"path file: branch {j + 1}: missing key {k!r}" for k in _BRANCH if k not in b]
        for q, seg in enumerate(b.get("segments", [])):
            out += [f"path file: branch {j + 1} segment {q + 1}: missing key {k!r}"
                    for k in _SEGMENT if k not in seg]
    return out


def verify_path(doc: dict, dataset: Dataset) -> PathReport:
    """Check a path document (parsed JSON) against the data set (see the module doc).

    Raises :class:`~solver.errors.SolverInputError` (the CLI's exit code 2) when the
    document does not have the path layout."""
    problems = _schema(doc)
    if problems:
        raise SolverInputError(problems[0])
    problems = data_problems(doc, dataset)
    if problems:
        return PathReport((), tuple(problems))
    try:
        lam_min, lam_max = parse_lam(doc["lam_min"]), parse_lam(doc["lam_max"])
    except SolverInputError as exc:
        return PathReport((), (f"path file: {exc}",))
    x = dataset.x
    lines = [f"path: n = {dataset.n}, d = {dataset.d}, L = {doc['units']}, λ from {lam_min} "
             f"to {lam_max}: {len(doc['branches'])} branches, {len(doc['events'])} events"]
    unproved = []
    for j, event in enumerate(doc["events"], start=1):
        tied: tuple[int, ...] = ()
        try:
            fails = check_event(event, x, dataset.y)
            if event["kind"] == "jump":
                jump = check_jump(event, doc, x, dataset.y)
                fails, tied = fails + list(jump.fails), jump.tied
        except (ValueError, KeyError, TypeError, ZeroDivisionError) as exc:
            fails = [f"unreadable ({exc.__class__.__name__}: {exc})"]
        head = f"event {j} ({event['kind']}, λ = {event['lam_float']:.15g})"
        exact = "exact" if ("minpoly" in event["lam"] or "value" in event["lam"]) else "certified"
        if fails:
            lines.append(f"{head}: FAIL")
        elif "uncertified" in event:
            lines.append(f"{head}: NOT PROVED (uncertified in the path: "
                         f"{event['uncertified']}; in [{', '.join(event['interval'])}])")
            unproved.append(head)
        else:
            lines.append(f"{head}: ok ({exact}, {len(event['witnesses'])} witnesses re-proved"
                         + (", no other branch lower" if event["kind"] == "jump" else "")
                         + (f"; branches {', '.join(str(t + 1) for t in tied)} tie with the "
                            f"crossing (equal losses to {TIE_BITS} bits)" if tied else "")
                         + ")")
        problems += [f"{head}: {f}" for f in fails]
    problems += _consistency(doc, lam_min, lam_max)
    try:
        problems += check_global(doc)
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"global_min: unreadable ({exc.__class__.__name__}: {exc})")
    for j, branch in enumerate(doc["branches"], start=1):
        fails = _samples(branch, j, x, dataset.y, doc["units"])
        lines.append(f"branch {j} ({branch['kind']}, {len(branch['segments'])} segments, "
                     f"{len(branch['samples'])} samples): " + ("ok" if not fails else "FAIL"))
        problems += fails
    return PathReport(tuple(lines), tuple(problems), tuple(unproved))


def _consistency(doc: dict, lam_min: Fraction, lam_max: Fraction) -> list[str]:
    """Branches against events (module doc, step 3)."""
    events, out = doc["events"], []
    claimed: set[tuple[int, int, str]] = set()
    for e_index, e in enumerate(events):
        for c in e["changes"]:
            claimed.add((e_index, c["branch"], c["what"]))
    used: set[tuple[int, int, str]] = set()
    n_events = len(events)

    def event_at(index, where: str) -> dict | None:
        if not isinstance(index, int) or not 0 <= index < n_events:
            out.append(f"{where}: refers to event {index!r}, which does not exist")
            return None
        return events[index]

    for j, b in enumerate(doc["branches"]):
        segs = b["segments"]
        if not segs:
            out.append(f"branch {j + 1}: no segments")
            continue
        first, last = segs[0], segs[-1]
        for end, seg, what, bound in (("start", first, "born", lam_min),
                                      ("end", last, "dies", lam_max)):
            index = seg.get("lam_min_event" if end == "start" else "lam_max_event")
            value = seg["lam_min_float" if end == "start" else "lam_max_float"]
            if index is None:
                if abs(value - float(bound)) > 1e-12 * float(bound):
                    out.append(f"branch {j + 1}: its {end} λ = {value:.15g} is neither the "
                               "range's end nor an event")
                continue
            e = event_at(index, f"branch {j + 1} {end}")
            if e is None:
                continue
            if (index, j, what) not in claimed:
                verb = "is born" if what == "born" else "dies"
                out.append(f"branch {j + 1}: event {index + 1} does not say it {verb} there")
            used.add((index, j, what))
            if abs(e["lam_float"] - value) > 1e-12 * abs(value):
                out.append(f"branch {j + 1}: its {end} λ = {value:.15g} differs from event "
                           f"{index + 1}'s λ = {e['lam_float']:.15g}")
        for q in range(len(segs) - 1):
            a, b2 = segs[q].get("lam_max_event"), segs[q + 1].get("lam_min_event")
            if a is None or a != b2:
                out.append(f"branch {j + 1}: segments {q + 1} and {q + 2} do not meet at an event")
                continue
            e = event_at(a, f"branch {j + 1}")
            if e is None:
                continue
            match = [c for c in e["changes"] if c["branch"] == j and c["what"] == "continues"
                     and c["before"] == segs[q]["pattern"] and c["after"] == segs[q + 1]["pattern"]]
            if not match:
                out.append(f"branch {j + 1}: event {a + 1} does not say it continues from "
                           f"{' '.join(segs[q]['pattern'])} to {' '.join(segs[q + 1]['pattern'])}")
            used.add((a, j, "continues"))
    for e_index, branch, what in sorted(claimed - used):
        if what in ("born", "dies", "continues"):
            out.append(f"event {e_index + 1}: says branch {branch + 1} {what} there, but the "
                       "branch does not start, end or change faces there")
    return out


NEAR = 1e-4  # samples this close (relatively) to an event are left to the event's proof


def _samples(branch: dict, j: int, x, y, units: int) -> list[str]:
    """Every sample inside a segment and, away from events, a local minimum there; every
    segment has samples next to both its ends (relatively within ``1e-3``)."""
    out = []
    lams = [s["lam"] for s in branch["samples"]]
    for q, seg in enumerate(branch["segments"]):
        for end in ("min", "max"):
            v = seg[f"lam_{end}_float"]
            if not any(abs(lam - v) <= 1e-3 * v for lam in lams):
                out.append(f"branch {j}: segment {q + 1} has no sample next to its end "
                           f"λ = {v:.15g}")
    for k, sample in enumerate(branch["samples"]):
        lam = sample["lam"]
        seg = next((s for s in branch["segments"]
                    if s["lam_min_float"] <= lam <= s["lam_max_float"]), None)
        label = f"branch {j} sample {k} (λ = {lam:.6g})"
        if seg is None:
            out.append(f"{label}: outside every segment of the branch")
            continue
        near = [seg[f"lam_{end}_float"] for end in ("min", "max")
                if seg.get(f"lam_{end}_event") is not None]
        if any(abs(lam - v) <= NEAR * v for v in near):
            continue
        prob = Problem(tuple(x), tuple(y), Fraction(lam), units)
        try:
            out += check_point_sample(sample, seg["pattern"], sample["loss"], prob, label)
        except (KeyError, ValueError, TypeError) as exc:
            out.append(f"{label}: unreadable ({exc.__class__.__name__})")
    return out

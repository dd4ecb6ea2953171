"""The global minimum of a path file, re-checked: its jumps proved, its runs and samples.

A path document says which branch is lowest over each run of λ (``global_min``) and marks
the events where that changes (``"global": true``; a ``jump`` when two branches' losses
cross). Three checks, trusting nothing the path computed:

1. **every jump is proved** (:func:`check_jump`): the branch that *stops being global*
   (``A``) and the one that *becomes global* (``B``) are alive at the event, the witness's
   two face sets are theirs there (``faces`` A's, ``other`` B's), the loss difference
   ``loss_A - loss_B`` goes from negative to positive across the interval
   (:func:`~solver.verify.path_events.check_event`), and every other branch alive there
   is above both on the whole interval: its face set is A's or B's (the same interior
   solution, the same loss), or its proved loss at the interval's start exceeds both
   crossing losses at its end. Each branch's loss is non-decreasing in λ (its derivative
   is ``2 lam sum s >= 0``, docs/path.md §3.5), so that one comparison covers the
   interval. A branch whose loss equals A's or B's at both ends of the interval to
   :data:`TIE_BITS` bits (a mirror image of it on symmetric data) is reported as *tied*:
   another global minimum, not a lower one, though equality is not proved. An uncertified
   jump (``"uncertified"``, the path's reason) is not re-proved: the checker lists it as
   unproved.
2. **runs and events agree** (:func:`check_global`): the runs cover the range end to end;
   wherever the lowest branch changes there is an event marked global that says which
   branch stops and which becomes global, and every event marked global (every jump) is
   such a change. A jump dropped or moved no longer matches the runs.
3. **samples agree with runs**: at every λ where the run's branch and another branch were
   both sampled (the common sample grid), away from events (relatively ``1e-4``), the
   run's branch is not above the other (relatively ``1e-9``): runs merged over a dropped
   jump are caught here. The samples' losses are re-checked in floats by
   :mod:`solver.verify.path`.

Examples
--------
>>> face_set(["++0-", "--++", "----", "++0-"])
('++0-', '--++')
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import arb

from solver.data import parse_rational
from solver.verify.path_events import face_loss

NEAR = 1e-4  # samples this close (relatively) to an event are left to the event's proof
TIE_BITS = 150  # losses this close (relatively, in bits) at both ends are reported tied
LOSS_TOL = 1e-9  # relative: a run's branch may be this much above another (float samples)


def face_set(pattern: list[str]) -> tuple[str, ...]:
    """The distinct faces of a segment's unit patterns that see a point (dead units left
    out), sorted."""
    return tuple(sorted({q for q in pattern if "+" in q}))


def segment_at(branch: dict, lam: float) -> dict | None:
    """The branch's segment whose open λ-interval holds ``lam``."""
    return next((s for s in branch["segments"]
                 if s["lam_min_float"] < lam < s["lam_max_float"]), None)


def _hint(branch: dict, seg: dict, faces: tuple[str, ...], lam: float) -> list[float]:
    """``s`` of ``faces`` from the branch's sample nearest ``lam`` (Newton's start)."""
    samples = branch["samples"] or [{"lam": lam, "a": [1.0] * len(seg["pattern"])}]
    near = min(samples, key=lambda s: abs(s["lam"] - lam))
    s = [0.0] * len(faces)
    for q, a in zip(seg["pattern"], near["a"], strict=False):
        if q in faces:
            s[faces.index(q)] += float(a) ** 2 / near["lam"]
    return [v if v > 0 else 1.0 for v in s]


def _global_changes(event: dict) -> tuple[list[int], list[int]]:
    """The branches an event says stop being and become global."""
    stops = [c["branch"] for c in event["changes"] if c["what"] == "stops being global"]
    becomes = [c["branch"] for c in event["changes"] if c["what"] == "becomes global"]
    return stops, becomes


@dataclass(frozen=True, slots=True)
class JumpCheck:
    """A jump's branch claims checked: ``fails`` (empty: proved) and the other branches
    ``tied`` with a crossing branch (0-based; equal losses, not proved lower or higher)."""

    fails: tuple[str, ...]
    tied: tuple[int, ...] = ()


def check_jump(event: dict, doc: dict, x, y) -> JumpCheck:
    """A jump's branch claims checked (module doc, step 1)."""
    fails, tied = _jump(event, doc, x, y)
    return JumpCheck(tuple(fails), tuple(tied))


def _tie(c: tuple[arb, arb], others: list[tuple[arb, arb]]) -> bool:
    """Whether ``c`` (losses at both ends) equals one of ``others`` to TIE_BITS bits."""
    def close(u: arb, v: arb) -> bool:
        d = u - v
        return d.contains(0) and abs(d.mid()) + d.rad() <= abs(v.mid()) * arb(2) ** -TIE_BITS

    return any(close(c[0], o[0]) and close(c[1], o[1]) for o in others)


def _jump(event: dict, doc: dict, x, y) -> tuple[list[str], list[int]]:
    stops, becomes = _global_changes(event)
    if len(stops) != 1 or len(becomes) != 1 or stops == becomes:
        return ["a jump must say which one branch stops being global and which other "
                "becomes global"], []
    a, b = stops[0], becomes[0]
    branches, lam = doc["branches"], event["lam_float"]
    if not all(isinstance(j, int) and 0 <= j < len(branches) for j in (a, b)):
        return [f"a jump names branch {a!r} or {b!r}, which does not exist"], []
    segs = {j: segment_at(branches[j], lam) for j in range(len(branches))}
    alive = {j: seg for j, seg in segs.items() if seg is not None}
    out = [f"branch {j + 1} is not alive at the jump" for j in (a, b) if j not in alive]
    if out:
        return out, []
    loss_witnesses = [w for w in event["witnesses"] if w["condition"] == "loss"]
    if len(loss_witnesses) != 1:
        return ["a jump needs one loss witness"], []
    w = loss_witnesses[0]
    sets = {j: face_set(alive[j]["pattern"]) for j in alive}
    if face_set(w["faces"]) != sets[a] or face_set(w.get("other") or []) != sets[b]:
        return [f"its witness's face sets are not those of branch {a + 1} (stops being "
                f"global) and branch {b + 1} (becomes global) at the jump"], []
    if "uncertified" in event:
        return [], []
    ends = tuple(parse_rational(v, "event interval") for v in event["interval"])
    losses: dict[int, tuple[arb, arb]] = {}

    def loss(j: int) -> tuple[arb, arb] | None:
        """Branch ``j``'s proved loss at both ends of the interval."""
        if j not in losses:
            pair = [face_loss(x, y, lam, list(sets[j]),
                              _hint(branches[j], alive[j], sets[j], float(lam)))
                    for lam in ends]
            if None in pair:
                return None
            losses[j] = (pair[0][0], pair[1][0])
        return losses[j]

    crossing = [loss(a), loss(b)]
    if None in crossing:
        return ["no proved interior solution of a crossing branch at the interval's ends"], []
    tied = []
    for j in sorted(alive):
        if j in (a, b) or sets[j] in (sets[a], sets[b]):
            continue
        value = loss(j)
        if value is None:
            out.append(f"branch {j + 1} (alive at the jump): no proved interior solution at "
                       "the interval's ends")
        elif value[0] > crossing[0][1] and value[0] > crossing[1][1]:
            continue
        elif _tie(value, crossing):
            tied.append(j)
        else:
            out.append(f"branch {j + 1} (alive at the jump) is not proved above branches "
                       f"{a + 1} and {b + 1} there: the global minimum may be another branch")
    return out, tied


def check_global(doc: dict) -> list[str]:
    """The failures of the runs against the events and the samples (module doc, 2-3)."""
    runs, events = doc["global_min"], doc["events"]
    lam_min, lam_max = (float(parse_rational(doc[k], k)) for k in ("lam_min", "lam_max"))
    if not runs:
        return ["global_min: no runs"]
    out = []

    def same(u: float, v: float) -> bool:
        return abs(u - v) <= 1e-12 * abs(v)

    if not same(runs[0]["lam_min_float"], lam_min) or not same(runs[-1]["lam_max_float"],
                                                                lam_max):
        out.append("global_min: the runs do not cover the λ range")
    marked = {k for k, e in enumerate(events) if e.get("global")}
    for k, e in enumerate(events):
        if e["kind"] == "jump" and k not in marked:
            out.append(f"event {k + 1}: a jump not marked global")
    for r, (u, v) in enumerate(zip(runs, runs[1:]), start=1):
        at = u["lam_max_float"]
        if not same(v["lam_min_float"], at):
            out.append(f"global_min: runs {r} and {r + 1} do not meet")
            continue
        if u["branch"] == v["branch"]:
            continue
        here = [k for k in marked if same(events[k]["lam_float"], at)]
        if not any(_global_changes(events[k]) == ([u["branch"]], [v["branch"]])
                   for k in here):
            out.append(f"global_min: the global minimum changes from branch {u['branch'] + 1} "
                       f"to branch {v['branch'] + 1} at λ = {at:.15g}, but no event there "
                       "says so (a jump dropped or moved?)")
        marked -= set(here)
    out += [f"event {k + 1}: marked global, but the global minimum does not change there"
            for k in sorted(marked)]
    return out + _samples_below(doc)


def _samples_below(doc: dict) -> list[str]:
    """Samples of another branch below the run's branch at the same λ (module doc, 3)."""
    at: dict[float, dict[int, float]] = {}
    for j, b in enumerate(doc["branches"]):
        for s in b["samples"]:
            at.setdefault(s["lam"], {})[j] = s["loss"]
    cuts = [e["lam_float"] for e in doc["events"]]
    out = []
    for run in doc["global_min"]:
        g = run["branch"]
        for lam in sorted(at):
            losses = at[lam]
            if not run["lam_min_float"] < lam < run["lam_max_float"] or g not in losses or any(
                    abs(lam - c) <= NEAR * c for c in cuts):
                continue
            for j, loss in sorted(losses.items()):
                if losses[g] > loss + LOSS_TOL * abs(loss) + 1e-15:
                    out.append(f"global_min: at λ = {lam:.6g} branch {j + 1}'s sample (loss "
                               f"{loss:.12g}) is below the global branch {g + 1}'s "
                               f"({losses[g]:.12g})")
                    break
    return out

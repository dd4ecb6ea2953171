"""The λ-path plot's data, from a :class:`~solver.regpath.results.Path` (no Panel here).

Every branch is a line of loss against log λ (isolated minima solid blue, curves of minima
dashed orange), the global minimum's envelope is a wide pale band under them, face changes are
small vertical ticks on the branch, births and deaths are triangles and crosses (and the
all-dead point's or a curve's ends changing, diamonds; loss crossings of the global
minimum, stars; grey when the crossing is not certified, the hover text then saying why),
each with the event's description as hover text.

Examples
--------
>>> from solver import path
>>> p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
>>> frame = event_frame(p)
>>> sorted(set(frame["what"]))
['becomes global', 'born', 'continues', 'dies', 'stops being global']
>>> branch_at(p, 0.45, 1.3)  # only the branch on +++ is alive there
2
>>> sorted(path_columns(p))
['band', 'curve', 'events', 'isolated']
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

MARKERS = {"born": ("triangle", "#2a9d8f", 11), "dies": ("x", "#d1495b", 11),
           "continues": ("dash", "#555555", 9), "gains ends": ("diamond", "#e07b00", 9),
           "loses ends": ("diamond", "#e07b00", 9), "becomes global": ("star", "#d1495b", 13),
           "stops being global": ("star", "#d1495b", 13)}

UNCERTIFIED = "#8a8a8a"  # the markers of an event whose λ is not certified


def branch_lines(p: Any) -> list[dict]:
    """One dict per branch for ``hv.Path`` (columns ``lam``, ``loss``; values ``branch``,
    ``kind``, ``orbit``, ``patterns``)."""
    out = []
    for j, b in enumerate(p.branches):
        lams = np.array([s.lam for s in b.samples])
        losses = np.array([s.loss for s in b.samples])
        patterns = " → ".join(" ".join(seg.pattern) for seg in b.segments)
        out.append({"lam": lams, "loss": losses, "branch": j + 1, "kind": b.kind,
                    "orbit": b.orbit, "patterns": patterns})
    return out


def envelope_lines(p: Any) -> list[dict]:
    """The global minimum: the lowest branch's samples over each of its runs."""
    out = []
    for lo, hi, j in p.global_min:
        pts = [(s.lam, s.loss) for s in p.branches[j].samples if lo <= s.lam <= hi]
        if len(pts) >= 2:
            lam, loss = zip(*pts, strict=True)
            out.append({"lam": np.array(lam), "loss": np.array(loss), "branch": j + 1})
    return out


def loss_near(p: Any, j: int, lam: float) -> float | None:
    """Branch ``j``'s loss at ``lam`` from its samples (linear in log λ), None outside."""
    samples = p.branches[j].samples
    if not samples or not samples[0].lam <= lam <= samples[-1].lam:
        return None
    xs = np.log([s.lam for s in samples])
    ys = np.array([s.loss for s in samples])
    return float(np.interp(math.log(lam), xs, ys))


def event_frame(p: Any) -> pd.DataFrame:
    """One row per change of every event: where to draw it and what to say."""
    rows = []
    for e in p.events:
        for c in e.changes:
            loss = _event_loss(p, c.branch, e.lam.value)
            if loss is None:
                continue
            marker, color, size = MARKERS[c.what]
            if e.uncertified is not None:
                color = UNCERTIFIED
            rows.append({"lam": e.lam.value, "loss": loss, "what": c.what, "kind": e.kind,
                         "branch": c.branch + 1, "text": e.description, "marker": marker,
                         "color": color, "size": size,
                         "angle": math.pi / 2 if c.what == "continues" else 0.0})
    columns = ["lam", "loss", "what", "kind", "branch", "text", "marker", "color", "size",
               "angle"]
    return pd.DataFrame(rows, columns=columns)


def _event_loss(p: Any, j: int, lam: float) -> float | None:
    """The branch's loss at an event: its sample nearest the event (within 1e-3)."""
    samples = p.branches[j].samples
    if not samples:
        return None
    best = min(samples, key=lambda s: abs(math.log(s.lam / lam)))
    return best.loss if abs(best.lam - lam) <= 1e-3 * lam else loss_near(p, j, lam)


def branch_at(p: Any, lam: float, loss: float) -> int | None:
    """The branch alive at ``lam`` whose loss there is nearest ``loss`` (0-based)."""
    best: tuple[float, int] | None = None
    for j in p.alive_at(lam):
        value = loss_near(p, j, lam)
        if value is None:
            continue
        gap = abs(value - loss)
        if best is None or gap < best[0]:
            best = (gap, j)
    return None if best is None else best[1]


def path_columns(p: Any) -> dict[str, dict[str, list]]:
    """The columns of the view's Bokeh sources: ``band`` (the global minimum), ``isolated``
    and ``curve`` (one line per branch: ``xs``, ``ys``, ``branch``, ``kind``, ``patterns``)
    and ``events`` (markers)."""
    lines = branch_lines(p) if p is not None else []
    out: dict[str, dict[str, list]] = {}
    for kind in ("isolated", "curve"):
        mine = [b for b in lines if b["kind"] == kind]
        out[kind] = {"xs": [list(b["lam"]) for b in mine], "ys": [list(b["loss"]) for b in mine],
                     "branch": [b["branch"] for b in mine], "kind": [kind] * len(mine),
                     "patterns": [b["patterns"] for b in mine]}
    band = envelope_lines(p) if p is not None else []
    out["band"] = {"xs": [list(b["lam"]) for b in band], "ys": [list(b["loss"]) for b in band]}
    frame = event_frame(p) if p is not None else None
    names = ["lam", "loss", "text", "marker", "color", "size", "angle"]
    out["events"] = {n: ([] if frame is None else list(frame[n])) for n in names}
    return out


def short_decimal(lam: float) -> str:
    """A λ clicked on the plot as a short exact decimal (3 significant digits).

    >>> short_decimal(0.0123456)
    '0.0123'
    """
    text = f"{lam:.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        places = max(0, -int(exponent) + len(mantissa.replace(".", "").lstrip("-")) - 1)
        text = f"{lam:.{places}f}"
    return text

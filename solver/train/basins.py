"""The basin table: how many runs ended where, with 95% confidence intervals.

One row per certified minimum reached (converged to it or hovering at its kink), per
non-minimal critical point runs got stuck at, then "not converged" and "discrepancy". The
shares sum to 1; each share has a 95% Clopper-Pearson interval
(:meth:`scipy.stats.binomtest(...).proportion_ci <scipy.stats.binomtest>`, exact: it
never covers less than 95%).

Examples
--------
>>> tuple(round(v, 4) for v in share_interval(0, 10))   # 1 - 0.025 ** (1/10)
(0.0, 0.3085)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from solver.train.classify import RunEnd
from solver.train.landmarks import Landmark

CONFIDENCE = 0.95
GLOBAL_RTOL = 1e-9


def share_interval(k: int, n: int) -> tuple[float, float]:
    """95% Clopper-Pearson interval of the share ``k / n``."""
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class Basin:
    """One row of the table.

    ``outcome``: ``"minimum"``, ``"stuck"``, ``"not converged"``, ``"diverged"`` or
    ``"discrepancy"``;
    ``landmark``: the minimum (``kind == "minimum"``) or critical point, if any;
    ``converged``/``hovering``: how the runs of a minimum's row arrived;
    ``why``: for a stuck row, what holds the runs there.
    """

    outcome: str
    landmark: Landmark | None
    split: bool
    loss: float | None
    runs: int
    share: float
    ci95: tuple[float, float]
    median_steps: float
    converged: int
    hovering: int
    is_global: bool
    why: str

    @property
    def label(self) -> str:
        """``minimum 1 (global)``, ``stuck: critical point 46``, ``not converged``."""
        lm = self.landmark
        if self.outcome == "minimum" and lm is not None:
            kind = "curve" if lm.curve else "point"
            return f"minimum {lm.index + 1} ({kind}{', global' if self.is_global else ''})"
        if self.outcome == "stuck" and lm is not None:
            return f"stuck: critical point {lm.index + 1}{' (split)' if self.split else ''}"
        return self.outcome

    def to_json(self) -> dict:
        """JSON entry of ``basins``."""
        lm = self.landmark
        out: dict = {"outcome": self.outcome}
        if self.outcome == "minimum" and lm is not None:
            out |= {"minimum": lm.index, "orbit": lm.orbit, "kind": "curve" if lm.curve
                    else "isolated", "global": self.is_global}
        if self.outcome == "stuck" and lm is not None:
            out |= {"critical_point": lm.index, "split": self.split, "reason": lm.reason,
                    "why": self.why}
        return out | {
            "loss": self.loss,
            "runs": self.runs,
            "share": self.share,
            "ci95": list(self.ci95),
            "median_steps": self.median_steps,
            "converged": self.converged,
            "hovering": self.hovering,
        }


def _global(lm: Landmark | None, global_loss: float) -> bool:
    """Whether a minimum's loss is the global one."""
    return (lm is not None and lm.kind == "minimum"
            and abs(lm.loss - global_loss) <= GLOBAL_RTOL * (1 + abs(global_loss)))


def _why(ends: Sequence[RunEnd]) -> str:
    """What holds stuck runs, counted: ``unit 2 dead: 114, unit 1 dead: 116``."""
    counts: dict[str, int] = {}
    for e in ends:
        reason = e.detail.split(": ", 1)[-1]
        counts[reason] = counts.get(reason, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def basin_table(ends: Sequence[RunEnd], global_loss: float) -> tuple[Basin, ...]:
    """The rows, in order: minima by landmark order, stuck points by loss, then the rest.

    Examples
    --------
    >>> basin_table([], 1.0)
    ()
    """
    total = len(ends)
    if not total:
        return ()
    groups: dict[tuple, list[RunEnd]] = {}
    for e in ends:
        lm = e.target.landmark
        if e.outcome in ("converged", "kink") and lm is not None:
            key: tuple = (0, lm.index, False, "minimum")
        elif e.outcome == "stuck" and lm is not None:
            key = (1, lm.loss, lm.index, e.target.split, "stuck")
        else:
            key = ({"not converged": 2, "diverged": 3}.get(e.outcome, 4), e.outcome)
        groups.setdefault(key, []).append(e)
    rows = []
    for key in sorted(groups):  # groups of different kinds differ in the first entry
        members = groups[key]
        first = members[0]
        outcome = key[-1]
        lm = first.target.landmark if outcome in ("minimum", "stuck") else None
        k = len(members)
        rows.append(Basin(
            outcome=outcome,
            landmark=lm,
            split=first.target.split if outcome == "stuck" else False,
            loss=None if lm is None else lm.loss,
            runs=k,
            share=k / total,
            ci95=share_interval(k, total),
            median_steps=float(np.median([e.steps for e in members])),
            converged=sum(e.outcome == "converged" for e in members),
            hovering=sum(e.outcome == "kink" for e in members),
            is_global=_global(lm, global_loss),
            why=_why(members) if outcome == "stuck" else "",
        ))
    return tuple(rows)


def global_share(ends: Sequence[RunEnd], global_loss: float) -> tuple[int, float,
                                                                      tuple[float, float]]:
    """Runs that reached a global minimum (converged or hovering), their share and its
    95% interval.

    >>> global_share([], 1.0)
    (0, 0.0, (0.0, 1.0))
    """
    k = sum(e.outcome in ("converged", "kink") and _global(e.target.landmark, global_loss)
            for e in ends)
    n = len(ends)
    return k, (k / n if n else 0.0), (share_interval(k, n) if n else (0.0, 1.0))


def format_table(rows: Sequence[Basin]) -> list[str]:
    """The rows as aligned text lines (shares and intervals in percent)."""
    head = ("outcome", "loss", "runs", "share", "95% CI", "median steps", "how")
    body = []
    for b in rows:
        how = (f"converged {b.converged}, hovering at a kink {b.hovering}"
               if b.outcome == "minimum" else b.why)
        body.append((b.label, "-" if b.loss is None else f"{b.loss:.10g}", str(b.runs),
                     f"{100 * b.share:.1f}%", f"{100 * b.ci95[0]:.1f}-{100 * b.ci95[1]:.1f}%",
                     f"{b.median_steps:g}", how))
    widths = [max(len(r[j]) for r in [head, *body]) for j in range(len(head))]
    right = {1, 2, 3, 4, 5}

    def fmt(r: Sequence[str]) -> str:
        cells = [r[j].rjust(widths[j]) if j in right else r[j].ljust(widths[j])
                 for j in range(len(r))]
        return "  ".join(cells).rstrip()

    return [fmt(head), fmt(["-" * w for w in widths]), *(fmt(r) for r in body)]

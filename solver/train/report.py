"""A training report as text (basin tables) and as JSON (README, "Training").

Examples
--------
>>> print(json_lines({"a": 1, "runs": [{"run": 0}, {"run": 1}]}, "runs"))
{
  "a": 1,
  "runs": [
    {"run":0},
    {"run":1}
  ]
}
<BLANKLINE>
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from solver.train.basins import format_table
from solver.train.classify import RunEnd

if TYPE_CHECKING:
    from solver.train.api import Training, TrainReport


def _num(v: float) -> float | None:
    """A float for JSON (``None`` for NaN and infinities)."""
    return float(v) if math.isfinite(v) else None


def run_json(e: RunEnd) -> dict:
    """One entry of ``runs``."""
    lm = e.target.landmark
    return {
        "run": e.run,
        "outcome": e.outcome,
        "detail": e.detail,
        "minimum": lm.index if lm is not None and lm.kind == "minimum" else None,
        "critical_point": lm.index if lm is not None and lm.kind == "critical" else None,
        "distance": _num(e.distance),
        "nearest_minimum": e.nearest_minimum if e.nearest_minimum >= 0 else None,
        "nearest_distance": _num(e.nearest_distance),
        "loss": _num(e.loss),
        "grad_norm": _num(e.grad_norm),
        "steps": e.steps,
    }


def _end_point(training: Training, e: RunEnd, first: int) -> dict:
    """The end point of run ``e`` as ``{"B", "c", "a"}``."""
    p = training.descent.params
    j = e.run - first
    return {"B": p.B[j].tolist(), "c": p.c[j].tolist(), "a": p.a[j].tolist()}


def rerun_hint(report: TrainReport, training: Training, e: RunEnd) -> str:
    """The command line that re-runs run ``e`` alone."""
    s = report.settings
    return (f"--runs 1 --first-run {e.run} --seed {s.seed} --init {s.init} --steps {s.steps} "
            f"--tol {s.tol:g} --optimizer {training.optimizer.name} "
            f"--lr {training.optimizer.lr:g}")


def training_json(report: TrainReport, t: Training) -> dict:
    """One entry of ``trainings``."""
    first = report.settings.first
    return {
        "optimizer": t.optimizer.name,
        "lr": t.optimizer.lr,
        "seconds": {"training": t.seconds, "classification": t.classify_seconds},
        "basins": [b.to_json() for b in t.basins],
        "global": {"runs": t.global_runs, "share": t.global_share, "ci95": list(t.global_ci)},
        "discrepancies": {
            "count": len(t.discrepancies),
            "runs": [{"run": e.run, "seed": [report.settings.seed, e.run], "why": e.detail,
                      "end": _end_point(t, e, first), "loss": e.loss,
                      "grad_norm": e.grad_norm, "steps": e.steps,
                      "rerun": rerun_hint(report, t, e)} for e in t.discrepancies],
        },
        "runs": [run_json(e) for e in t.ends],
    }


def report_json(report: TrainReport) -> dict:
    """The whole document."""
    p, s, ex = report.problem, report.settings, report.landscape
    return {
        "lam": str(p.lam),
        "d": p.d,
        "n": p.n,
        "units": p.units,
        "settings": {"runs": len(report.start.a), "steps": s.steps, "tol": s.tol,
                     "init": s.init, "seed": s.seed, "first_run": s.first},
        "exact": {"minima": len(ex.solution.minima), "orbits": len(ex.minima),
                  "critical_points": ex.critical_count,
                  "global_loss": ex.solution.global_loss},
        "trainings": [training_json(report, t) for t in report.trainings],
    }


def json_lines(doc: dict, key: str) -> str:
    """Indented JSON with the (long) list under ``key`` one compact entry per line, at any
    depth."""
    marker = "@@json-lines@@"
    stash: list[list] = []

    def strip(obj: object) -> object:
        if isinstance(obj, dict):
            out = {}
            for k, v in obj.items():
                if k == key and isinstance(v, list) and v:
                    stash.append(v)
                    out[k] = f"{marker}{len(stash) - 1}"
                else:
                    out[k] = strip(v)
            return out
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    text = json.dumps(strip(doc), indent=2, allow_nan=False)
    lines = text.split("\n")
    out = []
    for line in lines:
        if marker in line:
            idx = int(line.split(marker)[1].split('"')[0])
            indent = line[: len(line) - len(line.lstrip())]
            head = line.split('"' + marker)[0]
            tail = "," if line.rstrip().endswith(",") else ""
            out.append(head + "[")
            out.append(",\n".join(indent + "  " + json.dumps(v, separators=(",", ":"),
                                                             allow_nan=False)
                                  for v in stash[idx]))
            out.append(indent + "]" + tail)
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def report_text(report: TrainReport) -> str:
    """Basin tables, one per training, with the share that reached the global minimum."""
    p, s, ex = report.problem, report.settings, report.landscape
    runs = len(report.start.a)
    lines = [
        f"Training against the exact minima: n = {p.n}, d = {p.d}, L = {p.units}, "
        f"lam = {p.lam}",
        f"exact: {len(ex.solution.minima)} minima in {len(ex.minima)} orbits, global loss "
        f"{ex.solution.global_loss:.10g}; {ex.critical_count} critical points listed",
        f"{runs} runs from init {s.init} (seed {s.seed}"
        + (f", runs {s.first}..{s.first + runs - 1}" if s.first else "")
        + f"), at most {s.steps} steps, stop at gradient norm <= {s.tol:g}; ReLU'(0) = 0",
    ]
    for t in report.trainings:
        lines += ["", f"{t.optimizer.label}: {t.seconds:.2f} s training, "
                      f"{t.classify_seconds:.2f} s classification"]
        lines += format_table(t.basins)
        for b in t.basins:
            if b.outcome == "stuck" and b.landmark is not None:
                lm = b.landmark
                faces = ", ".join(nr.pattern for nr in lm.neurons) or "no live neuron"
                lines.append(f"  critical point {lm.index + 1}: {faces}, {lm.dead} unit"
                             f"{'s' if lm.dead != 1 else ''} dead; not a minimum: {lm.reason}")
        lo, hi = t.global_ci
        lines.append(f"P(global minimum) = {100 * t.global_share:.1f}% "
                     f"(95% CI {100 * lo:.1f}-{100 * hi:.1f}%), {t.global_runs} of {runs} runs")
        lines.append(f"discrepancies: {len(t.discrepancies)}")
        for e in t.discrepancies:
            lines.append(f"  DISCREPANCY run {e.run} (seed [{s.seed}, {e.run}]): {e.detail}; "
                         f"loss {e.loss:.10g}; re-run alone: {rerun_hint(report, t, e)}")
    lines += ["", "minimum k: entry k of `solve` (its orbit); critical point k: entry k of "
                  "solver.critical_points; hovering: the run keeps stepping across "
                  "the minimum's kink (see the README, Training)"]
    return "\n".join(lines) + "\n"

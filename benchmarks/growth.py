"""Growth with n: solve time and face counts for d = 1, L = 2 and L = 3.

For each L, the data sets are prefixes of one seeded data set
(:func:`benchmarks.problems.growth_problem`), solved in a fresh process each with a time
limit; a series stops at its first timeout. The numbers go to JSON and a PNG plot
(matplotlib, from the ``bench`` extra: ``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from benchmarks.isolate import run_limited
from benchmarks.measure import measure_solver
from benchmarks.problems import GROWTH_MAX_N, growth_problem
from benchmarks.report import header_lines, machine, markdown_table, seconds_text, solver_revision
from solver.pipeline.divide import unit_faces

UNITS = (2, 3)
SIZES = tuple(range(3, 13)) + tuple(range(14, 21, 2)) + tuple(range(24, GROWTH_MAX_N + 1, 4))
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "growth.json"


def run_series(units: int, limit: float) -> list[dict[str, Any]]:
    """Measure the sizes of :data:`SIZES` for ``units`` until the first timeout."""
    points = []
    for n in SIZES:
        problem = growth_problem(n, units)
        faces = len(unit_faces(problem.x))
        print(f"... L={units} n={n}", file=sys.stderr, flush=True)
        result = run_limited(measure_solver, (problem,), limit)
        point: dict[str, Any] = {
            "n": n, "units": units, "kind": result.kind, "unit_faces": faces,
            # the solver's own count, SolveStats.faces: multisets of L unit faces
            "faces": math.comb(faces + units - 1, units), "wall": round(result.wall, 3),
        }
        if result.kind == "ok":
            value = result.value
            point.update(seconds=value["seconds"], cpu=value["cpu"], runs=value["runs"],
                         minima=value["minima"],
                         systems=value["stats"]["systems"], faces=value["stats"]["faces"])
        else:
            point["message"] = result.message
        points.append(point)
        if result.kind == "timeout":
            break
    return points


def growth_table(points: list[dict[str, Any]]) -> str:
    """The series as a Markdown table."""
    rows = []
    for p in points:
        cpu = seconds_text(p["cpu"]) if p["kind"] == "ok" else "—"
        if p["kind"] == "ok":
            seconds = seconds_text(p["seconds"])
        elif p["kind"] == "timeout":
            seconds = p["message"]
        else:
            seconds = f"error: {p['message']}"
        rows.append([str(p["units"]), str(p["n"]), str(p["unit_faces"]), str(p["faces"]),
                     str(p.get("systems", "—")), str(p.get("minima", "—")), cpu, seconds])
    headers = ["L", "n", "unit faces", "faces", "systems", "minima", "cpu s", "seconds"]
    return markdown_table(headers, rows)


def plot_growth(points: list[dict[str, Any]], path: Path, limit: float, caption: str) -> None:
    """Draw seconds and face counts against n, one line per L, to ``path`` (PNG);
    ``caption`` says what was measured on what."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for units, colour in zip(UNITS, ("tab:blue", "tab:orange"), strict=True):
        series = [p for p in points if p["units"] == units]
        ok = [p for p in series if p["kind"] == "ok"]
        left.plot([p["n"] for p in ok], [p["cpu"] for p in ok], "o-", color=colour,
                  label=f"L = {units}: CPU time")
        left.plot([p["n"] for p in ok], [p["seconds"] for p in ok], ":", color=colour,
                  alpha=0.6, label=f"L = {units}: wall time")
        failed = [p for p in series if p["kind"] == "error"]
        if failed:
            left.plot([p["n"] for p in failed], [p["wall"] for p in failed], "x", color=colour,
                      markersize=8, label=f"L = {units}: error (time to fail, incl. start-up)")
        late = [p for p in series if p["kind"] == "timeout"]
        if late:
            left.plot([p["n"] for p in late], [limit] * len(late), "^", color=colour,
                      markersize=9, label=f"L = {units}: over {limit:g} s")
        right.plot([p["n"] for p in series], [p["faces"] for p in series], "o-", color=colour,
                   label=f"faces, L = {units}")
        solved = [p for p in series if "systems" in p]
        right.plot([p["n"] for p in solved], [p["systems"] for p in solved], "s--",
                   color=colour, alpha=0.7, label=f"systems solved, L = {units}")
    left.axhline(limit, color="grey", linewidth=0.8, linestyle=":")
    for ax, title, ylabel in (
        (left, "solve time (best of up to 5 runs when under 1 s)", "seconds"),
        (right, "faces (multisets of L unit faces) and systems solved", "count"),
    ):
        ax.set_yscale("log")
        ax.set_xlabel("n (data points, d = 1)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"relu-minima: growth with n ({caption})", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main_growth(limit: float, plot: Path, out: Path | None) -> int:
    """Run both series, print their table, write the JSON and the plot."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('error: --growth draws with matplotlib: pip install -e ".[bench]"',
              file=sys.stderr)
        return 2
    points = [p for units in UNITS for p in run_series(units, limit)]
    out = out or DEFAULT_JSON
    out.parent.mkdir(parents=True, exist_ok=True)
    info, load = machine(), os.getloadavg()[0]
    doc = {"machine": info, "solver": solver_revision(), "load_average_1min": load,
           "limit": limit, "points": points}
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    commit = doc["solver"].split()[0]
    caption = f"{info['cpu']}, {info['cores']} cores, load {load:.1f}; solver {commit}"
    plot_growth(points, plot, limit, caption)
    print("\n".join(header_lines()))
    print()
    print(growth_table(points))
    print(f"\nwrote {out} and {plot}")
    return 0

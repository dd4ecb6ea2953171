"""What a benchmark process measures: one problem solved by the solver or the baseline.

Both functions run inside a fresh process (:func:`benchmarks.isolate.run_limited`), import
everything before the clock starts, and return plain picklable dicts.

Examples
--------
>>> from benchmarks.problems import random_problem
>>> result = measure_solver(random_problem("tiny", n=3, d=1, units=1, seed=3))
>>> result["runs"] >= 1 and result["minima"] == len(result["summary"])
True
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from typing import Any

from benchmarks.isolate import report_progress
from benchmarks.problems import Problem

# Runs shorter than this are repeated (best of MAX_REPEATS), longer ones are timed once.
REPEAT_BELOW = 1.0
MAX_REPEATS = 5


def measure_solver(problem: Problem) -> dict[str, Any]:
    """Time ``solver.solve(x, y, lam, units, force=True)`` in this process.

    ``seconds`` is wall-clock time, ``cpu`` this process's CPU time (less sensitive to
    other work on the shared cores). Short solves are repeated and the best of each
    kept; the last run's solution gives the counts (every run solves the same problem,
    deterministically). Progress goes to :func:`benchmarks.isolate.report_progress`
    (face sets done out of all).
    """
    from solver import solve
    from solver.pipeline.divide import unit_faces

    walls: list[float] = []
    cpus: list[float] = []
    while True:
        start, cpu = time.perf_counter(), time.process_time()
        sol = solve(
            problem.x, problem.y, problem.lam, problem.units, force=True,
            progress=report_progress,
        )
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        if walls[0] >= REPEAT_BELOW or len(walls) >= MAX_REPEATS:
            break
    result = _describe(sol.to_json())
    result.update(
        seconds=min(walls), cpu=min(cpus), runs=len(walls),
        unit_faces=len(unit_faces(problem.x)),
    )
    return result


def measure_baseline(problem: Problem) -> dict[str, Any]:
    """Time :func:`benchmarks.baseline.baseline_solve` once in this process."""
    from benchmarks.baseline import baseline_solve

    start, cpu = time.perf_counter(), time.process_time()
    outcome = baseline_solve(
        problem.x, problem.y, problem.lam, problem.units, progress=report_progress
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = _describe(outcome.solution.to_json())
    result.update(
        seconds=seconds,
        cpu=cpu,
        runs=1,
        unit_faces=outcome.unit_faces,
        sign_vectors=outcome.sign_vectors,
    )
    return result


def _describe(doc: dict[str, Any]) -> dict[str, Any]:
    """Counts and a comparable summary of a solution's JSON document; ``digest`` is a hash
    of the whole ``minima`` list (exact descriptions and certificates included)."""
    minima = doc["minima"]
    text = json.dumps(minima, sort_keys=True)
    return {
        "digest": hashlib.sha256(text.encode()).hexdigest(),
        "stats": doc["stats"],
        "minima": len(minima),
        "curves": sum(m["kind"] == "curve" for m in minima),
        "isolated": sum(m["kind"] == "isolated" for m in minima),
        "orbits": len({m["orbit"] for m in minima}),
        "summary": [(m["kind"], m["loss"], m["orbit"], tuple(m["pattern"])) for m in minima],
    }


def same_minima(a: list, b: list) -> bool:
    """Two summaries list the same minima: kinds, orbits and patterns equal, losses equal
    to rounding (both come from 256-bit balls, so they agree far below this tolerance).

    >>> same_minima([("curve", 1.0, 0, ("+-",))], [("curve", 1.0 + 1e-15, 0, ("+-",))])
    True
    """
    if len(a) != len(b):
        return False
    return all(
        ka == kb and oa == ob and tuple(pa) == tuple(pb) and math.isclose(la, lb, rel_tol=1e-12)
        for (ka, la, oa, pa), (kb, lb, ob, pb) in zip(a, b, strict=True)
    )

"""Refusal rate on tiny data: issue 13's seeded sweep of 30 data sets on coarse grids.

``n = 2..4`` points, ``x`` in ``{-1, -1/2, 0, 1/2, 1}`` (d = 1) or the 3 x 3 grid of the
plane with no three points on a line (d = 2), ``y`` in ``{-1, -1/2, 0, 1/2, 1}``, units
2-5 (not 5 with 4 points in the plane), ``lam`` in ``{1/100, 1/20, 1/10}``; seed 13. Each
set is solved in its own process (``--cap`` seconds at most) and the line says ``ok`` with
the number of minima, or the ``DegenerateProblemError`` message; CPU seconds and the load
average beside it.

    python -m benchmarks.sweep_tiny            # all 30
    python -m benchmarks.sweep_tiny --only 3 8 # some of them

>>> sets = sweep_sets()
>>> len(sets), sets[16]
(30, {'x': ['1', '-1'], 'y': ['0', '-1/2'], 'lam': '1/20', 'units': 2, 'd': 1})
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from fractions import Fraction
from itertools import combinations

GRID1 = ["-1", "-1/2", "0", "1/2", "1"]
GRID2 = [[a, b] for a in ("-1", "0", "1") for b in ("-1", "0", "1")]
LAMS = ["1/100", "1/20", "1/10"]

_ONE = """
import json, sys, time
from solver import solve, DegenerateProblemError
c = json.loads(sys.argv[1]); t = time.process_time()
try:
    sol = solve(c["x"], c["y"], c["lam"], c["units"], force=True)
    print(json.dumps({"out": "ok", "minima": len(sol.minima), "cpu": time.process_time() - t}))
except DegenerateProblemError as e:
    print(json.dumps({"out": "refused", "why": str(e), "cpu": time.process_time() - t}))
"""


def _collinear(p, q, r) -> bool:
    p, q, r = ([Fraction(v) for v in u] for u in (p, q, r))
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]) == 0


def sweep_sets(seed: int = 13, count: int = 30) -> list[dict]:
    """The sweep's data sets (the module docstring), in order."""
    rng = random.Random(seed)
    out: list[dict] = []
    while len(out) < count:
        d, n, units = rng.choice([1, 2]), rng.randint(2, 4), rng.randint(2, 5)
        if n == 4 and units == 5 and d == 2:
            continue
        x = rng.sample(GRID1 if d == 1 else GRID2, n)
        if d == 2 and any(_collinear(*t) for t in combinations(x, 3)):
            continue
        out.append({"x": x, "y": [rng.choice(GRID1) for _ in range(n)],
                    "lam": rng.choice(LAMS), "units": units, "d": d})
    return out


def run_one(case: dict, cap: float) -> dict:
    """Solve one set in a fresh process: ``{"out": "ok" | "refused" | "error" | "timeout",
    ...}``."""
    try:
        done = subprocess.run([sys.executable, "-c", _ONE, json.dumps(case)],
                              capture_output=True, text=True, timeout=cap)
    except subprocess.TimeoutExpired:
        return {"out": "timeout"}
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {"out": "error", "why": done.stderr[-300:]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", type=int, nargs="*", help="set numbers (0-based)")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds per set")
    args = parser.parse_args(argv)
    sets = sweep_sets()
    refused = 0
    for k in args.only if args.only else range(len(sets)):
        res = run_one(sets[k], args.cap)
        refused += res["out"] != "ok"
        what = (f"ok, {res['minima']} minima" if res["out"] == "ok" else
                f"{res['out']}: {res.get('why', '')}")
        print(f"{k:2d} {json.dumps(sets[k])}: {what} ({res.get('cpu', 0):.2f} s CPU, "
              f"load {os.getloadavg()[0]:.1f})", flush=True)
    print(f"refused: {refused} of {len(args.only) if args.only else len(sets)}")


if __name__ == "__main__":
    main()

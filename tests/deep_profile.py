"""Run the deep cross-check profile one data set at a time, logging each outcome.

The pytest deep profile (``tests/solver/test_oracle_crosscheck.py``) stops at the first
failure and writes its summary only at the end. This driver runs derandomised data sets of
a shape's Hypothesis strategy (the same ones on every run of the driver), never stops at
a failure, appends one JSON line per data set to ``--out`` (ok / disagreement / degenerate /
timeout, with the data and the figures), and stops starting new data sets at ``--until``
(UTC, ``HH:MM``), so a time-boxed run reports honestly how far it got.

Run: ``nice -n 19 python -m tests.deep_profile deep-d1-L4 --until 10:30 --out d1l4.jsonl``
(``--skip K`` resumes after the first K data sets of an earlier run);
``python -m tests.deep_profile --summary d1l4.jsonl ...`` prints the table rows.
"""

from __future__ import annotations

import argparse
import json
import signal
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from solver import DegenerateProblemError
from tests.solver import test_oracle_crosscheck as cc


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Timeout


def _past(until: str) -> bool:
    now = datetime.now(UTC)
    h, m = (int(v) for v in until.split(":"))
    return (now.hour, now.minute) >= (h, m)


def run(shape_name: str, until: str, out: Path, limit: int, per_set: int,
        skip: int = 0) -> None:
    """Log every data set of ``shape_name`` (at most ``limit``, the first ``skip`` not run)
    to ``out``."""
    shape = next(s for s in cc.DEEP + cc.FAST if s.name == shape_name)
    signal.signal(signal.SIGALRM, _alarm)
    index = [0]

    @settings(max_examples=limit, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(shape.strategy())
    def each(problem):
        k = index[0]
        index[0] += 1
        if k < skip or _past(until):
            return
        before = dict(cc.SUMMARY[shape.name])
        started = time.perf_counter()
        row = {"shape": shape.name, "k": k, "problem": repr(problem)}
        signal.alarm(per_set)
        try:
            cc.crosscheck(problem, shape.units, shape.name)
            row["outcome"] = "ok"
        except DegenerateProblemError as exc:  # crosscheck records these itself
            row.update(outcome="degenerate", reason=str(exc))
        except AssertionError as exc:
            row.update(outcome="disagreement", reason=str(exc)[:4000])
        except _Timeout:
            row.update(outcome="timeout", reason=f"over {per_set} s")
        except Exception as exc:  # noqa: BLE001 - every other failure is a bug to log
            row.update(outcome="error", reason=f"{type(exc).__name__}: {exc}"[:4000])
        finally:
            signal.alarm(0)
        after = cc.SUMMARY[shape.name]
        if row["outcome"] == "ok" and after.get("degenerate (skipped)", 0) > before.get(
                "degenerate (skipped)", 0):
            row.update(outcome="degenerate", reason=cc.DEGENERATE[-1])
        row.update({key: after.get(key, 0) - before.get(key, 0) for key in (
            "solver minima", "solver points checked", "oracle minima",
            "checker verdicts ok", "disagreements")})
        row["seconds"] = round(time.perf_counter() - started, 1)
        with out.open("a") as fh:
            fh.write(json.dumps(row) + "\n")

    each()


def summary(paths: list[Path]) -> None:
    """One table row per shape from the logs."""
    rows: dict[str, list[dict]] = {}
    for p in paths:
        for line in p.read_text().splitlines():
            r = json.loads(line)
            rows.setdefault(r["shape"], []).append(r)
    for shape, rs in rows.items():
        outcomes = Counter(r["outcome"] for r in rs)
        tot = {k: int(sum(r.get(k, 0) for r in rs)) for k in (
            "solver minima", "solver points checked", "checker verdicts ok", "oracle minima")}
        print(f"| `{shape}` | {len(rs)} | {dict(outcomes)} | {tot['solver minima']:,} | "
              f"{tot['solver points checked']:,} | {tot['checker verdicts ok']:,} | "
              f"{tot['oracle minima']:,} | {outcomes['disagreement']} | "
              f"{round(sum(r['seconds'] for r in rs))} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shapes", nargs="*")
    ap.add_argument("--until", default="23:59", help="UTC HH:MM after which no set starts")
    ap.add_argument("--out", type=Path, default=Path("deep_profile.jsonl"))
    ap.add_argument("--limit", type=int, default=0, help="data sets per shape (default: "
                    "the shape's own count)")
    ap.add_argument("--per-set", type=int, default=1800, help="seconds per data set")
    ap.add_argument("--skip", type=int, default=0, help="resume: the first K data sets "
                    "(already logged by an earlier run) are generated but not run")
    ap.add_argument("--summary", type=Path, nargs="*")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary)
        return
    for name in args.shapes:
        shape = next(s for s in cc.DEEP + cc.FAST if s.name == name)
        run(name, args.until, args.out, args.limit or shape.examples, args.per_set,
            args.skip)


if __name__ == "__main__":
    main()

"""The training deep profile in round-robin order, with a time budget.

Runs the same data sets, seeds and settings as
``tests/train/test_train_classify.py::test_random_data_sets_have_no_discrepancy_deep``
(200 runs x 20,000 steps, gd/momentum/adam at lr 0.01, torch-default init), but one data set
of each shape in turn, so that a profile cut short by its budget still covers every shape
evenly. The summary (the README's verification table) is rewritten after every data set.

``python -m tests.train.deep_round_robin --seconds 4800 --out summary.json``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from tests.train import test_train_classify as profile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    began = time.monotonic()
    problems: list[str] = []
    done = 0
    for k in range(args.sets):
        for name, d, L, _, n, optimizers, lr in profile.DEEP:
            if time.monotonic() - began > args.seconds:
                break
            try:
                profile._check_shape(name, d, L, 1, n, optimizers, lr, runs=200, steps=20000,
                                     base=50_000 + 1000 * L + 100 * d + k)
            except AssertionError as err:  # a discrepancy (or too many degenerate sets)
                problems.append(f"{name} set {k}: {err}")
            done += 1
            args.out.write_text(json.dumps(
                {"sets_done": done, "elapsed": time.monotonic() - began,
                 "summary": {s: dict(v) for s, v in profile.SUMMARY.items()},
                 "problems": problems}, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

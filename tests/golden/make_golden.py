"""Golden outputs of the command line, stored before a refactor and compared after it.

``python -m tests.golden.make_golden`` writes, for every input in ``inputs`` (the CSVs of
``assets/`` and a fixed set of random d = 1 and d = 2 data sets, all committed as CSV) and
every unit count listed for it, the command line's outputs with timings removed:

- ``<name>-L<units>.json.gz``: ``solve --completeness --json`` (``stats.seconds`` removed;
  gzip without a time stamp, so the file is a function of its content),
- ``<name>-L<units>.txt``: the table of ``solve`` (its timing line without the seconds),
  the LaTeX fragment of ``--latex``, and the report of ``verify`` on the JSON.

``tests/golden/test_golden.py`` runs the same commands and compares byte for byte. The
expected values are what the code produced at the commit that stored them: this is a
no-change check for moves and speed-ups, not a correctness test (the independent oracle
and the checker's tests are).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
import re
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
INPUTS = HERE / "inputs"
OUTPUTS = HERE / "outputs"
LAM = "1/100"

# Every asset with 1, 2 and 3 units; the random sets with the units given.
ASSET_UNITS = (1, 2, 3)
_TIMING = re.compile(r", [0-9.]+ s$", re.MULTILINE)  # the table's and the LaTeX's stats line


def cases() -> list[tuple[str, int]]:
    """Every (input name, units) pair with stored outputs, in a fixed order."""
    out = []
    for csv in sorted(INPUTS.glob("*.csv")):
        name = csv.stem
        if name.startswith("asset-"):
            units = ASSET_UNITS
        else:
            units = tuple(int(u) for u in name.split("-units")[1].split("_"))
        out.extend((name, u) for u in units)
    return out


def run_cli(argv: list[str]) -> tuple[int, str]:
    """Run ``python -m solver`` in-process; its exit code and stdout."""
    from solver.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    return code, out.getvalue()


def outputs(name: str, units: int) -> tuple[str, str]:
    """The JSON text and the text outputs (table, LaTeX, verify report) of one case."""
    csv = str(INPUTS / f"{name}.csv")
    common = [csv, "--lam", LAM, "--units", str(units), "--force"]
    with tempfile.TemporaryDirectory() as tmp:
        result, latex = Path(tmp, "r.json"), Path(tmp, "r.tex")
        code, _ = run_cli(["solve", *common, "--completeness", "--json", str(result)])
        assert code == 0, (name, units, code)
        code, table = run_cli(["solve", *common, "--latex", str(latex)])
        assert code == 0, (name, units, code)
        vcode, report = run_cli(["verify", str(result), csv])
        doc = json.loads(result.read_text())
        del doc["stats"]["seconds"]
        text = "\n".join([
            "== table", _TIMING.sub(", <seconds>", table),
            "== latex", _TIMING.sub(", <seconds>", latex.read_text()),
            f"== verify (exit {vcode})", report,
        ])
    return json.dumps(doc, indent=1, sort_keys=True) + "\n", text


def _random_inputs() -> None:
    """Write the fixed random data sets (drawn once; the CSVs are what is compared)."""
    specs = [  # (d, n, units, seed, near_ties)
        (1, 4, "1_2_3", 1, False), (1, 5, "1_2_3", 2, False), (1, 6, "1_2", 3, False),
        (1, 5, "1_2_3", 4, True), (1, 7, "2", 5, False),
        (2, 4, "1_2", 6, False), (2, 5, "1_2", 7, False), (2, 5, "2", 10, True),
        (2, 4, "2", 9, False),
    ]
    for d, n, units, seed, ties in specs:
        rng = random.Random(seed)
        rows: list[tuple[Fraction, ...]] = []
        while len(rows) < n:
            x = tuple(Fraction(rng.randint(-100, 100), 100) for _ in range(d))
            if ties and rows and rng.random() < 0.4:
                x = tuple(v + Fraction(1, 100) for v in rows[-1][:d])
            if any(r[:d] == x for r in rows):
                continue
            tie = ties and rng.random() < 0.3
            y = Fraction(0) if tie else Fraction(rng.randint(-150, 150), 100)
            rows.append((*x, y))
        header = "x,y" if d == 1 else ",".join(f"x{j + 1}" for j in range(d)) + ",y"
        lines = [header] + [",".join(str(v) for v in r) for r in rows]
        kind = "ties" if ties else "random"
        (INPUTS / f"d{d}-n{n}-{kind}{seed}-units{units}.csv").write_text("\n".join(lines) + "\n")


def main() -> None:
    INPUTS.mkdir(exist_ok=True)
    OUTPUTS.mkdir(exist_ok=True)
    if "--inputs" in sys.argv:
        for csv in sorted((REPO / "assets").glob("*.csv")):
            (INPUTS / f"asset-{csv.stem}.csv").write_text(csv.read_text())
        _random_inputs()
    for name, units in cases():
        start = time.perf_counter()
        doc, text = outputs(name, units)
        (OUTPUTS / f"{name}-L{units}.json.gz").write_bytes(gzip.compress(doc.encode(), mtime=0))
        (OUTPUTS / f"{name}-L{units}.txt").write_text(text)
        print(name, units, len(doc), f"{time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()

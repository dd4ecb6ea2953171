"""Check a whole result file: ``python -m solver verify RESULT.json DATA.csv``.

Isolated minima are rebuilt from their ``exact`` field and checked exactly in ``Q(z)``
(:mod:`solver.verify.isolated`), or, when coordinates are given by a box (three or more
neurons), as the Krawczyk-proved zero of the face system the checker rebuilds, in ball
arithmetic (:mod:`solver.verify.box`); curves are checked at their float samples
(:mod:`solver.verify.curve`); the face count of the arrangement is recomputed
(:mod:`solver.verify.arrangement`), and a ``completeness`` certificate, when the result
has one, is re-checked set by set (:mod:`solver.verify.completeness`). Exit code 0 when
every minimum is ok, 1 when any fails (or cannot be checked), 2 when the input is
unusable.

Examples
--------
>>> report = verify_result({"lam": "1"}, None)
Traceback (most recent call last):
...
solver.errors.SolverInputError: result file: missing key 'd'
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from solver.data import Dataset, parse_lam, read_csv
from solver.errors import SolverInputError
from solver.problem import Problem
from solver.verify.arrangement import face_count_lines
from solver.verify.box import check_box, has_box
from solver.verify.completeness import check_completeness
from solver.verify.curve import check_curve
from solver.verify.findings import Findings, NotSupported
from solver.verify.isolated import check_isolated
from solver.verify.report import MinimumVerdict, VerifyReport
from solver.verify.schema import check_schema, data_problems


def _orbit_problems(minima: list[dict], units: int) -> list[str]:
    """Every unit permutation of a listed minimum must be listed, in the same orbit."""
    if units > 4:
        return []
    seen = {(m["kind"], m["orbit"], tuple(m["pattern"])) for m in minima}
    out = []
    for number, m in enumerate(minima, start=1):
        for perm in itertools.permutations(range(units)):
            image = tuple(m["pattern"][p] for p in perm)
            if (m["kind"], m["orbit"], image) not in seen:
                out.append(f"minimum {number}: its image under the unit permutation {perm} "
                           f"(pattern {list(image)}) is not listed in orbit {m['orbit']}")
                break
    return out


def _all_dead(result: dict, prob: Problem) -> tuple[list[str], str]:
    """Cross-check one candidate independently: the point where every unit is dead.

    Its checks are exact and cheap (``r = y``); it is a strict local minimum iff
    ``max |sum_i y_i ReLU(<w, x~_i>)| < lam`` over unit ``w``. If it is one, it must be listed.
    """
    n, units = prob.n, prob.units
    dead = {"sign": 0, "t": "0", "b": ["0"] * (prob.d), "c": "0"}
    entry = {"B": [[0.0] * (prob.d)] * units, "c": [0.0] * units, "a": [0.0] * units,
             "loss": float(sum(v * v for v in prob.y)), "pattern": ["0" * n] * units,
             "active": [[i, ell] for ell in range(units) for i in range(n)],
             "exact": {"s": [], "units": [dead] * units}}
    found = check_isolated(entry, prob)
    is_min = not found.fails and not found.unsupported
    listed = any(m["kind"] == "isolated" and all(set(p) == {"0"} for p in m["pattern"])
                 for m in result["minima"])
    line = ("the all-dead point (a = 0, B = 0, c = 0) was checked here independently: "
            + ("a strict local minimum" if is_min else "not a certified minimum")
            + (", listed" if listed else ", not listed"))
    problems = [] if listed or not is_min else [
        "missing minimum: the point with every unit dead is a strict local minimum "
        "(max_w |sum_i y_i ReLU(<w, x~_i>)| < lam |w|) but the result does not list it"]
    return problems, line


def verify_result(result: dict, dataset: Dataset | None) -> VerifyReport:
    """Check a result document (already parsed JSON) against the data set.

    Raises :class:`SolverInputError` when the document does not have the result layout
    (the CLI turns that into exit code 2).

    >>> from solver.data import make_dataset
    >>> doc = {"lam": "1", "d": 1, "n": 2, "units": 1, "x": [["0"], ["1"]],
    ...        "y": ["1/10", "-1/10"], "stats": {"faces": 5},
    ...        "minima": [{"kind": "isolated", "loss": 0.02, "orbit": 1, "pattern": ["00"],
    ...                    "active": [[0, 0], [1, 0]], "B": [[0.0]], "c": [0.0], "a": [0.0],
    ...                    "exact": {"z": {"minpoly": "z", "interval": ["-1", "1"]},
    ...                              "units": [{"sign": 0, "t": "0", "b": ["0"], "c": "0"}]}}]}
    >>> verify_result(doc, make_dataset([0, 1], ["1/10", "-1/10"])).verdicts[0].line()
    'minimum 1 (isolated, orbit 1): ok'
    """
    check_schema(result)
    if dataset is None:
        raise SolverInputError("no data set given")
    problems = data_problems(result, dataset)
    lam = parse_lam(result["lam"])
    verdicts: list[MinimumVerdict] = []
    completeness: list[str] = []
    certificate: list[str] = []
    gaps: list[str] = []
    if not problems or not problems[0].startswith("data mismatch: the result has n="):
        prob = Problem.of(dataset, lam, result["units"])
        for number, entry in enumerate(result["minima"], start=1):
            verdicts.append(_verdict(number, entry, prob))
        problems += _orbit_problems(result["minima"], result["units"])
        try:
            missing, dead_line = _all_dead(result, prob)
        except NotSupported as exc:
            missing, dead_line = [], f"all-dead point not checked: {exc}"
        problems += missing
        faces = result["stats"].get("faces")
        try:
            completeness = face_count_lines(prob.lifted, prob.units,
                                            faces if type(faces) is int else None)
        except NotSupported as exc:
            completeness = [f"face count not supported: {exc}"]
        completeness.append(dead_line)
        if "completeness" in result:
            ok = {v.number for v in verdicts if v.ok}
            try:
                found = check_completeness(result["completeness"], prob, result["minima"], ok)
                certificate, gaps = found.notes, found.fails
            except NotSupported as exc:
                gaps = [f"the completeness certificate cannot be checked: {exc}"]
    return VerifyReport(tuple(verdicts), tuple(problems), tuple(completeness),
                        tuple(certificate), tuple(gaps))


def _verdict(number: int, entry: dict, prob: Problem) -> MinimumVerdict:
    """Run the checks of one entry and turn the findings into a verdict."""
    try:
        if entry["kind"] == "curve":
            found = check_curve(entry, prob)
        else:
            found = check_box(entry, prob) if has_box(entry) else check_isolated(entry, prob)
    except NotSupported as exc:
        found = Findings(unsupported=[f"not supported: {exc}"])
    reasons = tuple(found.fails or found.unsupported)
    return MinimumVerdict(number, entry["kind"], entry["orbit"], found.status, reasons,
                          tuple(dict.fromkeys(found.notes)))


def is_path(doc: object) -> bool:
    """Whether a parsed document is a regularisation path (``"kind": "path"``)."""
    return isinstance(doc, dict) and doc.get("kind") == "path"


def main(argv: list[str] | None = None) -> int:
    """CLI entry: ``verify RESULT.json DATA.csv``; prints the report, returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print("usage: python -m solver verify RESULT.json DATA.csv\n"
              "RESULT.json: the JSON of 'solve' or of 'path' (detected by its \"kind\")")
        return 0
    if len(args) != 2:
        print("error: usage: python -m solver verify RESULT.json DATA.csv", file=sys.stderr)
        return 2
    try:
        try:
            doc = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SolverInputError(f"{args[0]}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SolverInputError(f"{args[0]}: cannot read ({exc.__class__.__name__})") from None
        except json.JSONDecodeError as exc:
            raise SolverInputError(f"{args[0]}: not JSON ({exc.msg} at line {exc.lineno})"
                                   ) from None
        data = read_csv(args[1])
        if is_path(doc):
            from solver.verify.path import verify_path  # a regularisation path file

            report = verify_path(doc, data)
        else:
            report = verify_result(doc, data)
    except SolverInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(report.text())
    return report.exit_code


__all__ = ["main", "verify_result"]

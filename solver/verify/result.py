"""Independent certificate checker: ``python -m solver verify RESULT.json DATA.csv``.

Re-checks a result file against the data without trusting the code that produced it
(it imports only :mod:`solver.data`, :mod:`solver.errors`, python-flint and numpy, plus
its own helpers in :mod:`solver.verify`). Isolated minima are rebuilt from their ``exact`` field
and checked exactly in ``Q(z)`` (:mod:`solver.verify.isolated`), or, when coordinates are
given by a box (three or more neurons), as the Krawczyk-proved zero of the face system
the checker rebuilds, in ball arithmetic (:mod:`solver.verify.box`); curves are checked at
their float samples (:mod:`solver.verify.curve`); the face count of the arrangement is
recomputed (:mod:`solver.verify.arrangement`), and a ``completeness`` certificate, when
the result has one, is re-checked set by set (:mod:`solver.verify.completeness`). Exit code 0
when every minimum is ok, 1 when any fails (or cannot be checked), 2 when the input is
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
from dataclasses import dataclass
from pathlib import Path

from solver.data import Dataset, parse_lam, parse_rational, read_csv
from solver.errors import SolverInputError
from solver.verify.arrangement import Problem, face_count_lines
from solver.verify.box import check_box, has_box
from solver.verify.completeness import check_completeness
from solver.verify.curve import check_curve
from solver.verify.isolated import Findings, check_isolated

_KEYS = {"lam": str, "d": int, "n": int, "units": int, "x": list, "y": list,
         "minima": list, "stats": dict}
_COMMON = {"kind": str, "loss": (int, float), "orbit": int, "pattern": list, "active": list}
_ISOLATED = {"B": list, "c": list, "a": list, "exact": dict}
_CURVE = {"dimension": int, "variables": list, "equations": list, "inequalities": list,
          "samples": list, "endpoints": list}


@dataclass(frozen=True, slots=True)
class MinimumVerdict:
    """The verdict on one listed minimum (numbered from 1 in file order)."""

    number: int
    kind: str
    orbit: int
    status: str                  # "ok", "FAIL" or "not supported"
    reasons: tuple[str, ...]     # why it failed / what is unsupported
    notes: tuple[str, ...]       # remarks that do not make it fail

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return self.status == "ok"

    def line(self) -> str:
        """One readable line, e.g. ``minimum 3 (isolated, orbit 2): ok``."""
        head = f"minimum {self.number} ({self.kind}, orbit {self.orbit}): "
        body = self.status if self.ok else f"{self.status}: " + "; ".join(self.reasons)
        return head + body + "".join(f" [note: {n}]" for n in self.notes)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """All verdicts, file-level problems and the completeness lines.

    ``certificate`` holds the lines of the completeness certificate's re-check and
    ``gaps`` its failures (both empty when the result has no ``completeness`` key).
    """

    verdicts: tuple[MinimumVerdict, ...]
    problems: tuple[str, ...]
    completeness: tuple[str, ...]
    certificate: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every minimum is ok and the file has no problem."""
        return not self.problems and not self.gaps and all(v.ok for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        """0 when ok, else 1."""
        return 0 if self.ok else 1

    def text(self) -> str:
        """The full report as printed by the CLI."""
        lines = [v.line() for v in self.verdicts]
        lines += [f"FAIL: {p}" for p in self.problems]
        if self.certificate or self.gaps:
            lines += ["completeness (the certificate: every face set re-checked):"]
            lines += [f"  {c}" for c in self.certificate]
            lines += [f"  FAIL: {g}" for g in self.gaps]
            lines += [f"  {c}" for c in self.completeness]
        else:
            lines += ["completeness (counts only; the result lists no faces):"]
            lines += [f"  {c}" for c in self.completeness]
        bad = sum(v.status == "FAIL" for v in self.verdicts)
        unsupported = sum(v.status == "not supported" for v in self.verdicts)
        gaps = f", {len(self.gaps)} completeness failures" if self.certificate or self.gaps else ""
        lines.append(f"summary: {len(self.verdicts)} minima, "
                     f"{len(self.verdicts) - bad - unsupported} ok, {bad} FAIL, "
                     f"{unsupported} not supported, {len(self.problems)} file problems{gaps} -> "
                     f"{'OK' if self.ok else 'NOT VERIFIED'}")
        return "\n".join(lines) + "\n"


def _need(obj: object, key: str, kind: type | tuple, where: str) -> object:
    """Fetch ``obj[key]`` of the expected JSON type or raise a one-line schema error."""
    if not isinstance(obj, dict) or key not in obj:
        raise SolverInputError(f"{where}: missing key {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise SolverInputError(f"{where}.{key}: wrong type {type(value).__name__}")
    return value


def _numbers(value: object, shape: tuple[int, ...], where: str) -> None:
    """Check a nested list of JSON numbers of the given shape."""
    if not shape:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SolverInputError(f"{where}: expected a number")
        return
    if not isinstance(value, list) or len(value) != shape[0]:
        raise SolverInputError(f"{where}: expected a list of length {shape[0]}")
    for k, item in enumerate(value):
        _numbers(item, shape[1:], f"{where}[{k}]")


def check_schema(doc: object) -> None:
    """Raise :class:`SolverInputError` (one line) unless ``doc`` has the result layout."""
    if not isinstance(doc, dict):
        raise SolverInputError("result file: expected a JSON object")
    for key, kind in _KEYS.items():
        _need(doc, key, kind, "result file")
    units, n, d = doc["units"], doc["n"], doc["d"]
    if units < 1 or n < 1 or d < 1:
        raise SolverInputError("result file: n, d and units must be positive")
    point = {"B": (units, d), "c": (units,), "a": (units,)}
    for m, entry in enumerate(doc["minima"]):
        where = f"minima[{m}]"
        for key, kind in _COMMON.items():
            _need(entry, key, kind, where)
        extra = {"isolated": _ISOLATED, "curve": _CURVE}.get(entry["kind"])
        if extra is None:
            raise SolverInputError(f"{where}.kind: must be 'isolated' or 'curve'")
        for key, kind in extra.items():
            _need(entry, key, kind, where)
        pattern = entry["pattern"]
        if len(pattern) != units or any(not isinstance(p, str) or len(p) != n
                                        or set(p) - set("+-0") for p in pattern):
            raise SolverInputError(f"{where}.pattern: expected {units} strings of {n} '+-0'")
        if any(not isinstance(p, list) or len(p) != 2 or not all(type(v) is int for v in p)
               or not (0 <= p[0] < n and 0 <= p[1] < units) for p in entry["active"]):
            raise SolverInputError(f"{where}.active: expected [point, unit] index pairs")
        points = [("", entry)] if entry["kind"] == "isolated" else [
            (f".samples[{k}]", s) for k, s in enumerate(entry["samples"])]
        if entry["kind"] == "curve" and not entry["samples"]:
            raise SolverInputError(f"{where}.samples: empty")
        for suffix, pt in points:
            for key, shape in point.items():
                _numbers(_need(pt, key, list, where + suffix), shape, f"{where}{suffix}.{key}")
        if entry["kind"] == "isolated":
            _check_exact_schema(entry["exact"], units, d, f"{where}.exact")
        elif not all(isinstance(s, str) for s in entry["equations"] + entry["inequalities"]):
            raise SolverInputError(f"{where}: equations and inequalities must be strings")
    if "completeness" in doc:
        sets = _need(doc, "completeness", dict, "result file").get("sets")
        if not isinstance(sets, list) or not all(isinstance(s, dict) for s in sets):
            raise SolverInputError("result file: completeness.sets must be a list of objects")


def _check_exact_schema(exact: dict, units: int, d: int, where: str) -> None:
    """Layout of an isolated minimum's ``exact`` field."""
    roots = [dict(_need(exact, "z", dict, where), name="z")] if "z" in exact else _need(
        exact, "s", list, where)
    for j, root in enumerate(roots):
        _need(root, "name", str, f"{where}.s[{j}]")
        _need(root, "minpoly", (str, type(None)), f"{where}.s[{j}]")
        interval = _need(root, "interval", list, f"{where}.s[{j}]")
        if len(interval) != 2 or not all(isinstance(v, str) for v in interval):
            raise SolverInputError(f"{where}.s[{j}].interval: expected two strings")
    us = _need(exact, "units", list, where)
    if len(us) != units:
        raise SolverInputError(f"{where}.units: expected {units} entries")
    for ell, unit in enumerate(us):
        sign = _need(unit, "sign", int, f"{where}.units[{ell}]")
        if sign not in (-1, 0, 1):
            raise SolverInputError(f"{where}.units[{ell}].sign: must be -1, 0 or 1")
        _need(unit, "t", str, f"{where}.units[{ell}]")
        _need(unit, "c", str, f"{where}.units[{ell}]")
        b = _need(unit, "b", list, f"{where}.units[{ell}]")
        if len(b) != d or not all(isinstance(v, str) for v in b):
            raise SolverInputError(f"{where}.units[{ell}].b: expected {d} strings")


def _data_problems(doc: dict, data: Dataset) -> list[str]:
    """Differences between the data recorded in the result and the CSV."""
    if (doc["n"], doc["d"]) != (data.n, data.d) or len(doc["x"]) != data.n or len(
            doc["y"]) != data.n:
        return [f"data mismatch: the result has n={doc['n']}, d={doc['d']}, the CSV has "
                f"n={data.n}, d={data.d}"]
    out = []
    for i, (row, yv) in enumerate(zip(doc["x"], doc["y"], strict=True)):
        row = row if isinstance(row, list) else [row]
        xs = tuple(parse_rational(v, f"result x[{i}]") for v in row)
        if xs != data.x[i]:
            out.append(f"data mismatch: x of point {i} is {[str(v) for v in data.x[i]]} in the "
                       f"CSV but {[str(v) for v in xs]} in the result")
        if parse_rational(yv, f"result y[{i}]") != data.y[i]:
            out.append(f"data mismatch: y of point {i} is {data.y[i]} in the CSV but {yv} in "
                       "the result")
    return out


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
    dead = {"sign": 0, "t": "0", "b": ["0"] * (prob.k - 1), "c": "0"}
    entry = {"B": [[0.0] * (prob.k - 1)] * units, "c": [0.0] * units, "a": [0.0] * units,
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
    problems = _data_problems(result, dataset)
    lam = parse_lam(result["lam"])
    verdicts: list[MinimumVerdict] = []
    completeness: list[str] = []
    certificate: list[str] = []
    gaps: list[str] = []
    if not problems or not problems[0].startswith("data mismatch: the result has n="):
        prob = Problem(tuple((*x, parse_rational(1)) for x in dataset.x), dataset.y, lam,
                       result["units"])
        for number, entry in enumerate(result["minima"], start=1):
            verdicts.append(_verdict(number, entry, prob))
        problems += _orbit_problems(result["minima"], result["units"])
        try:
            missing, dead_line = _all_dead(result, prob)
        except NotImplementedError as exc:
            missing, dead_line = [], f"all-dead point not checked: {exc}"
        problems += missing
        faces = result["stats"].get("faces")
        try:
            completeness = face_count_lines(prob.xt, prob.units,
                                            faces if type(faces) is int else None)
        except NotImplementedError as exc:
            completeness = [f"face count not supported: {exc}"]
        completeness.append(dead_line)
        if "completeness" in result:
            ok = {v.number for v in verdicts if v.ok}
            try:
                found = check_completeness(result["completeness"], prob, result["minima"], ok)
                certificate, gaps = found.lines, found.fails
            except NotImplementedError as exc:
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
    except NotImplementedError as exc:
        found = Findings(unsupported=[f"not supported: {exc}"])
    status = "FAIL" if found.fails else "not supported" if found.unsupported else "ok"
    reasons = tuple(found.fails or found.unsupported)
    return MinimumVerdict(number, entry["kind"], entry["orbit"], status, reasons,
                          tuple(dict.fromkeys(found.notes)))


def main(argv: list[str] | None = None) -> int:
    """CLI entry: ``verify RESULT.json DATA.csv``; prints the report, returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print("usage: python -m solver verify RESULT.json DATA.csv")
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
        report = verify_result(doc, read_csv(args[1]))
    except SolverInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(report.text())
    return report.exit_code

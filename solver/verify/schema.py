"""The layout of a result file: every key the checker reads, of the type it expects.

:func:`check_schema` raises :class:`~solver.errors.SolverInputError` (one line, the CLI's
exit code 2) unless a parsed JSON document has the result layout (README, "JSON output");
the checks after it rely on that layout.

Examples
--------
>>> check_schema({"lam": "1"})
Traceback (most recent call last):
...
solver.errors.SolverInputError: result file: missing key 'd'
"""

from __future__ import annotations

from solver.data import Dataset, parse_rational
from solver.errors import SolverInputError

_KEYS = {"lam": str, "d": int, "n": int, "units": int, "x": list, "y": list,
         "minima": list, "stats": dict}
_COMMON = {"kind": str, "loss": (int, float), "orbit": int, "pattern": list, "active": list}
_ISOLATED = {"B": list, "c": list, "a": list, "exact": dict}
_CURVE = {"dimension": int, "variables": list, "equations": list, "inequalities": list,
          "samples": list, "endpoints": list}


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


__all__ = ["check_schema"]


def data_problems(doc: dict, data: Dataset) -> list[str]:
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

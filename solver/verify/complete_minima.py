"""Completeness, step (f) for a set whose solution lies in its faces: its listed minima.

The listed orbits are this set's minima (isolated when ``k = L`` or ``k = 0``, split
sets when ``0 < k < L``), their units on exactly the set's faces, with ``sum a_l^2 / lam
= t_F`` per face and ``sign(a_l) = sigma_F``, every image listed and, for ``k < L``, every
split (one orbit per way of giving each face at least one unit); the split sets'
endpoints follow the record's ``closure`` (see :mod:`solver.verify.complete_point`).

Examples
--------
>>> from fractions import Fraction as F
>>> from solver.problem import Problem
>>> prob = Problem(((F(0),), (F(1),)), (F(1), F(0)), F(1, 10), 1)
>>> same_point({"a": [-1.0]}, ["+0"], {"+0": 10.0}, {"+0": 1}, prob)
'unit 0 has a = -1.0, of the wrong sign for face +0'
"""

from __future__ import annotations

import itertools
from collections import Counter

from flint import ctx

from solver.problem import Problem
from solver.verify.arithmetic import Balls
from solver.verify.complete_solution import BITS
from solver.verify.findings import REL_TOL, Findings
from solver.verify.minimality import dead_growth, dead_units


def check_minimum(numbers: list, sol, sigmas: list[int], prob: Problem, orbits: dict, ok: set[int],
             where: str) -> tuple[str, list[str]]:
    """Step (f), minima: the listed orbits are this set's, at its solution, all of them."""
    k, L, n = len(sol.faces), prob.units, prob.n
    if not numbers:
        return "", [f"{where}: minimum lists no orbit"]
    dead = "0" * n
    with ctx.workprec(sol.work()):
        t = {p: float(v.mid()) for p, v in sol.t().items()}
    sign_of = dict(zip(sol.patterns, sigmas, strict=True))
    splits = []
    for o in numbers:
        members = orbits.get(o)
        if not members:
            return "", [f"{where}: certified a minimum (orbit {o}), but minima lists no orbit "
                        f"{o}"]
        kind = "isolated" if k in (0, L) else "curve"
        first = members[0][1]["pattern"]
        for number, entry in members:
            pattern = entry["pattern"]
            faces_ok = (set(pattern) == {dead} if k == 0 else
                        set(pattern) == set(sol.patterns) and dead not in pattern)
            if entry["kind"] != kind or not faces_ok:
                return "", [f"{where}: minimum {number} (orbit {o}) is a {entry['kind']} on "
                            f"the faces {pattern}, not a{'n' if kind == 'isolated' else ''} "
                            f"{kind} of this set"]
            if number not in ok:
                return "", [f"{where}: minimum {number} (orbit {o}) did not pass its own checks "
                            "(see its line above)"]
            points = [entry] if kind == "isolated" else entry["samples"]
            for point in points:
                bad = same_point(point, pattern, t, sign_of, prob)
                if bad:
                    return "", [f"{where}: minimum {number} (orbit {o}) is not at the set's "
                                f"solution: {bad}"]
        images = {tuple(e["pattern"]) for _, e in members}
        every = set(itertools.permutations(first))
        if images != every:
            missing = sorted(every - images)
            return "", [f"{where}: certified a minimum (orbit {o}), but minima lists "
                        f"{len(images)} of its {len(every)} images (missing "
                        f"{[list(m) for m in missing[:3]]})"]
        splits.append(tuple(Counter(first)[p] for p in sol.patterns))
    # one orbit per split: the number of units on each face (each face at least one)
    compositions = {c for c in itertools.product(range(1, L + 1), repeat=k) if sum(c) == L}
    if k > 0 and (len(splits) != len(set(splits)) or set(splits) != compositions):
        missing = sorted(compositions - set(splits))
        return "", [f"{where}: certified a minimum, but minima lists {len(set(splits))} of its "
                    f"{len(compositions)} orbits, one per way of giving each face at least one "
                    f"unit (missing units per face: {missing[:3]})"]
    return "minimum", []


def check_closure(record: dict, sol, sigmas: list[int], prob: Problem, orbits: dict, where: str
             ) -> list[str]:
    """The split sets' endpoints (``0 < k < L``): listed at the solution when the
    dead-unit condition holds there, absent when a dead unit grows (re-derived)."""
    k, L = len(sol.faces), prob.units
    closure = record.get("closure")
    if not 0 < k < L:
        return [f"{where}: records a closure, but it has no split sets"] if closure else []
    entries = [e for o in record["minimum"] for _, e in orbits[o]]
    if closure == "minima":
        dead = list(range(k, L))
        for bits in BITS:
            out = Findings()
            with ctx.workprec(sol.work(bits)):
                dead_units(Balls(), dead, dict(enumerate(sol.patterns)), sol.residual(bits), prob,
                           out)
            if out.fails or not out.undecided:
                break
        if out.fails or out.undecided:
            return [f"{where}: closure: the endpoints with dying units are claimed minima, but "
                    f"{(out.fails or out.undecided)[0]}"]
        with ctx.workprec(sol.work()):
            t = {p: float(v.mid()) for p, v in sol.t().items()}
        sign_of = dict(zip(sol.patterns, sigmas, strict=True))
        for entry in entries:
            if not entry["endpoints"]:
                return [f"{where}: closure: the endpoints are minima, but a split set of orbit "
                        f"{entry['orbit']} lists none"]
            for point in entry["endpoints"]:
                bad = same_point(point, entry["pattern"], t, sign_of, prob, dying=True)
                if bad:
                    return [f"{where}: closure: an endpoint of orbit {entry['orbit']} is not at "
                            f"the set's solution: {bad}"]
        return []
    if not isinstance(closure, dict) or closure.get("kind") != "dead":
        return [f"{where}: a minimum with split sets needs its closure: minima or a dead-unit "
                "descent"]
    for bits in BITS:
        with ctx.workprec(sol.work(bits)):
            got = dead_growth(Balls(), closure["face"], sol.residual(bits), prob)
        if got is not None:
            break
    if not got:
        return [f"{where}: closure: the solver's reason {closure.get('reason', 'dead')!r} is not "
                f"re-derived: along face {closure['face']} a dead unit gains at most lam |w| (or "
                "the maximiser is not inside the face)"]
    listed = [e["orbit"] for e in entries if e["endpoints"]]
    if listed:
        return [f"{where}: closure: a dead unit grows, yet orbit {listed[0]} lists endpoints"]
    return []


def same_point(point: dict, pattern: list[str], t: dict[str, float], sign_of: dict,
                prob: Problem, dying: bool = False) -> str:
    """'' when ``sum a_l^2 / lam`` per face is its ``t`` and ``sign(a_l)`` its sigma
    (``dying``: units with ``a_l = 0`` are dead, as at a split set's endpoints)."""
    lam = float(prob.lam)
    total: dict[str, float] = {p: 0.0 for p in set(pattern) if p in t}
    for ell, face in enumerate(pattern):
        a = point["a"][ell]
        if face not in t or (dying and a == 0):
            continue
        if a == 0 or (a > 0) != (sign_of[face] > 0):
            return f"unit {ell} has a = {a!r}, of the wrong sign for face {face}"
        total[face] = total.get(face, 0.0) + a * a / lam
    for face, value in total.items():
        if abs(value - t[face]) > REL_TOL * max(abs(t[face]), 1.0):
            return f"sum a_l^2 / lam on face {face} is {value!r}, the solution has {t[face]!r}"
    return ""


__all__ = ["check_closure", "check_minimum", "same_point"]

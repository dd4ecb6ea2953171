"""Exact proof of the multipliers that a curve's float samples find on their bounds.

A curve of minima (a split set: units of one face share its neuron) has one neuron point
under all its samples, so one residual and one multiplier per face and active point.
Floats cannot tell a multiplier exactly on its bound from one just outside it; where a
sample finds one within tolerance of a bound, the neuron point is rebuilt exactly and
the multiplier decided in its number field: the curve's auxiliary roots ``s0, s1, ...``
(each isolated by its own equation and bounds) are matched to the faces by the samples'
``t = sum a_l^2 / lam``, joined in one field (:mod:`solver.verify.number_field`), the
residual and directions computed there (:func:`~solver.verify.face_system.exact_directions`)
and the checker's exact first-order test run on one unit per face
(:func:`~solver.verify.minimality.first_order`, which re-checks the face equations too).
No flagged multiplier may have a side of the wrong sign; those exactly on their bound
make the point a local minimum because each region's merged loss is convex
(docs/degenerate.md, section 4', Theorem 7), the others are strict after all.

Examples
--------
>>> aux_roots({"variables": ["c1", "s0"], "equations": ["s0**2 - 2"], "pattern": ["+"]},
...           [("s0", ">", "1"), ("s0", "<", "2")])
{'s0': ('s0**2 - 2', Fraction(1, 1), Fraction(2, 1))}
"""

from __future__ import annotations

import re
from fractions import Fraction

from flint import ctx

from solver.problem import Problem
from solver.verify.arithmetic import Exact
from solver.verify.face_system import (
    PatternSystem,
    exact_directions,
    face_numerators,
    face_relations,
)
from solver.verify.findings import Findings
from solver.verify.formula import evaluate_formula, free_names
from solver.verify.minimality import first_order, preactivations
from solver.verify.number_field import build_field

MATCH = 1e-6  # relative distance of a sample's t to the root it is matched with


def aux_roots(entry: dict, ineqs: list[tuple[str, str, str]]
              ) -> dict[str, tuple[str, Fraction, Fraction]]:
    """The auxiliary variables (``s0, s1, ...``): each one's equation in it alone and the
    interval its own inequalities give (raises ``ValueError`` when one is missing)."""
    units = len(entry["pattern"])
    own = {f"{kind}{ell}" for ell in range(1, units + 1) for kind in "ca"}
    own |= {v for v in entry["variables"] if re.fullmatch(r"b\d+_?\d+", v)}
    out = {}
    for name in entry["variables"]:
        if name in own:
            continue
        polys = [e for e in entry["equations"] if free_names(e) == {name}]
        bounds = [(op, evaluate_formula(rhs, {})) for lhs, op, rhs in ineqs
                  if lhs.replace(" ", "") == name and not free_names(rhs)]
        lo = max((v for op, v in bounds if op in (">", ">=")), default=None)
        hi = min((v for op, v in bounds if op in ("<", "<=")), default=None)
        if not polys or lo is None or hi is None:
            raise ValueError(f"auxiliary variable {name} has no equation in {name} alone "
                             "with bounds on both sides")
        out[name] = (polys[0], lo, hi)
    return out


def _own_root(prob: Problem, pattern: list[str], ell: int, t: float
              ) -> dict[str, tuple[str, Fraction, Fraction]]:
    """A one-neuron curve names no auxiliary root: its ``t`` is the root of the face
    equation (:func:`~solver.verify.face_system.face_numerators`, rebuilt from the data)
    within ``MATCH`` of the samples' ``t``."""
    poly = face_numerators(PatternSystem(prob, pattern, [ell]), {ell: "s0"})[ell]
    text = " + ".join(f"({c})*s0**{e[0]}" for e, c in poly.to_dict().items())
    half = Fraction(MATCH / 4) * max(abs(Fraction(t)), Fraction(1))
    return {"s0": (text, Fraction(t) - half, Fraction(t) + half)}


def prove_flats(entry: dict, prob: Problem, groups: list[list[int]],
                flats: set[tuple[int, int]], ineqs: list[tuple[str, str, str]]) -> Findings:
    """Decide exactly every multiplier of the curve's faces, prompted by ``flats`` (the
    ``(unit, point)`` pairs the samples found on a bound): a failure for a side of the
    wrong sign, else a note."""
    out = Findings()
    sample, lam = entry["samples"][0], float(prob.lam)
    ts_float = {g[0]: sum(sample["a"][ell] ** 2 for ell in g) / lam for g in groups}
    try:
        roots = (_own_root(prob, entry["pattern"], groups[0][0], ts_float[groups[0][0]])
                 if len(groups) == 1 else aux_roots(entry, ineqs))
    except ValueError as exc:
        out.fails.append(f"multipliers on their bound: {exc}")
        return out
    names: dict[int, str] = {}
    for g in groups:
        t = ts_float[g[0]]
        near = [nm for nm, (_, lo, hi) in roots.items()
                if abs(float((lo + hi) / 2) - t) <= MATCH * max(abs(t), 1.0)]
        if len(near) != 1:
            out.fails.append(f"multipliers on their bound: face {entry['pattern'][g[0]]} "
                             f"(t = {t:.6g}) matches {len(near)} auxiliary roots, not one")
            return out
        names[g[0]] = near[0]
    system = PatternSystem(prob, entry["pattern"], sorted(names))
    used = sorted(set(names.values()))
    relations = face_relations(system, names) if len(used) >= 2 else ()
    K, images = build_field([(nm, *roots[nm]) for nm in used], relations)
    ts = {ell: images[nm] for ell, nm in names.items()}
    r_exact, us_exact = exact_directions(prob, system, ts, K)
    r = [e.p for e in r_exact]
    A, found, exact = Exact(K), Findings(), []
    with ctx.workprec(256):
        xi = preactivations(A, prob, {ell: [e.p for e in u] for ell, u in us_exact.items()})
        for ell, u in us_exact.items():
            sigma = 1 if sample["a"][ell] > 0 else -1
            first_order(A, ell, sigma, [e.p for e in u], xi[ell], r, entry["pattern"][ell],
                        prob, found, flats=exact)
    proved = {(ell, i) for ell, i, _, _ in exact}  # the others are strict, exactly
    out.fails += [f"multipliers on their bound (exact, in the field of {', '.join(used)}): "
                  f"{f}" for f in found.fails + found.unsupported]
    if not out.fails:
        out.notes.append("next order: multiplier(s) exactly on the bound ("
                         + ", ".join(f"face {entry['pattern'][ell]} point {i}"
                                     for ell, i in sorted(proved))
                         + f"; exact in the field of {', '.join(used)}; {len(flats)} "
                         "flagged by the float samples), none of the wrong "
                         "sign: each region's merged loss is convex, a local minimum")
    return out


__all__ = ["aux_roots", "prove_flats"]

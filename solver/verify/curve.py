"""Re-check a positive-dimensional set of minima ("curve") at its float samples.

Samples are floats, so these checks use tolerances, not exact arithmetic: each sample
must satisfy the set's equations (read exactly at the float values, residual relative to
the size of the terms; auxiliary variables such as the neurons' ``s0, s1`` of a set with
several neurons take the root their own equation and bounds isolate), its strict
inequalities (exactly at the float values), the sign
pattern, the split structure (units on one face are parallel, ``|a_l| = |w_l|``), the loss,
the first-order conditions of its face, and the second order with exactly the split
directions flat.

Examples
--------
>>> parse_inequality("c1 - 17*b11/100 > 0")
('c1 - 17*b11/100', '>', '0')
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

import numpy as np
from flint import arb, ctx, fmpq_mpoly, fmpq_mpoly_ctx

from solver.problem import Problem, to_fmpq
from solver.verify.arrangement import face_projectors
from solver.verify.curve_flats import aux_roots, prove_flats
from solver.verify.field import RootField
from solver.verify.findings import REL_TOL, Findings
from solver.verify.formula import (
    ParseError,
    evaluate_formula,
    formula_ball,
    parse_poly,
)
from solver.verify.linalg import kernel_basis

EQ_TOL = 1e-8      # equation residual relative to the sum of |terms|
ZERO_TOL = 1e-8    # first-order quantities relative to their scale
EIG_TOL = 1e-7     # Hessian eigenvalues relative to the largest
_INEQ = re.compile(r"^(.*?)(>=|<=|>|<)(.*)$", re.S)


def parse_inequality(text: str) -> tuple[str, str, str]:
    """Split ``"lhs > rhs"`` into its parts (operators ``> < >= <=``)."""
    match = _INEQ.match(text) if isinstance(text, str) else None
    if not match:
        raise ParseError(f"not an inequality: {str(text)[:60]!r}")
    return match.group(1).strip(), match.group(2), match.group(3).strip()


def _names(sample: dict) -> dict[str, Fraction]:
    """Variable names of a sample: ``b{l}{j}``, ``c{l}``, ``a{l}`` (1-based), exact floats."""
    names = {}
    rows = zip(sample["B"], sample["c"], sample["a"], strict=True)
    for ell, (row, c, a) in enumerate(rows, start=1):
        names.update({f"b{ell}{j}": Fraction(v) for j, v in enumerate(row, start=1)})
        names[f"c{ell}"] = Fraction(c)
        names[f"a{ell}"] = Fraction(a)
    return names


def _auxiliary(entry: dict, ineqs: list[tuple[str, str, str]]) -> dict[str, Fraction]:
    """Values of the auxiliary variables (``s0, s1, ...``: the neurons' ``t`` when a set
    has several neurons), each the unique root of its one-variable equation in the
    interval its own inequalities give, as a rational within ``2^-80`` of the root."""
    out = {}
    for name, (poly, lo, hi) in aux_roots(entry, ineqs).items():
        try:
            root = RootField(parse_poly(poly, name), lo, hi)
        except ValueError as exc:
            raise ValueError(f"auxiliary variable {name}: {exc}") from None
        a, b = root.interval(80)
        out[name] = Fraction(int(((a + b) / 2).p), int(((a + b) / 2).q))
    return out


def check_curve(entry: dict, prob: Problem) -> Findings:
    """Check every sample of a curve entry; failures name the sample (0-based)."""
    out = Findings()
    listed = {tuple(p) for p in entry["active"]}
    zeros = {(i, ell) for ell, row in enumerate(entry["pattern"]) for i, ch in enumerate(row)
             if ch == "0"}
    if listed != zeros:
        out.fails.append(f"active {sorted(listed)} differs from the zeros of pattern")
    try:
        ineqs = [parse_inequality(s) for s in entry["inequalities"]]
        aux = _auxiliary(entry, ineqs)
        for k, sample in enumerate(entry["samples"]):
            _check_formulas(k, entry["equations"], ineqs, {**_names(sample), **aux}, out)
    except (ParseError, ValueError, ZeroDivisionError) as exc:
        out.fails.append(f"equations/inequalities: {exc}")
    groups = _groups(entry["pattern"], entry["samples"][0])
    split_dim = sum(len(g) - 1 for g in groups)
    if split_dim != entry["dimension"]:
        out.fails.append(f"dimension is {entry['dimension']} but the split units give "
                         f"{split_dim}")
    per_sample, flats = Findings(), set()
    for k, sample in enumerate(entry["samples"]):
        _check_sample(k, sample, entry, groups, prob, per_sample, flats)
    out.fails += _grouped(per_sample.fails)
    if flats and not out.fails:  # multipliers on a bound in floats: decided exactly
        proof = prove_flats(entry, prob, groups, flats, ineqs)
        out.fails += proof.fails
        out.notes += proof.notes
    if not out.fails:
        out.notes.append("flat direction along the set (checked in floating point at "
                         f"{len(entry['samples'])} samples)")
    return out


def _grouped(fails: list[str]) -> list[str]:
    """Merge ``sample k: <reason>`` lines that repeat over samples into one line each."""
    groups: dict[str, list[str]] = {}
    for line in fails:
        key = re.sub(r"-?\d+\.\d+(e[-+]?\d+)?", "#", line.partition(": ")[2])
        groups.setdefault(key, []).append(line)
    return [lines[0] + (f" (and {len(lines) - 1} more samples)" if len(lines) > 1 else "")
            for lines in groups.values()]


def _check_formulas(k: int, equations: list[str], ineqs: list, names: dict, out: Findings) -> None:
    """Equations to a relative residual, strict inequalities exactly, at one sample.

    Each equation is read once as a polynomial and evaluated exactly (``size`` is the sum
    of its terms' absolute values); inequalities are decided on 256-bit balls, in exact
    rationals when a ball holds 0.
    """
    order = tuple(sorted(names))
    point = [to_fmpq(names[name]) for name in order]
    for j, eq in enumerate(equations):
        poly, absolute = _polynomial(eq, order)
        value = abs(poly(*point))  # exact: huge terms would overflow a float
        size = absolute(*[abs(v) for v in point])
        if value > to_fmpq(Fraction(EQ_TOL)) * size:
            out.fails.append(f"sample {k}: equation {j} not satisfied (relative residual "
                             f"{float(value / size):.2g})")
    with ctx.workprec(256):
        balls = {name: arb(to_fmpq(v)) for name, v in names.items()}
        diffs = [formula_ball(lhs, balls) - formula_ball(rhs, balls) for lhs, _, rhs in ineqs]
    for j, ((lhs, op, rhs), ball) in enumerate(zip(ineqs, diffs, strict=True)):
        if ball > 0 or ball < 0:
            diff = Fraction(1 if ball > 0 else -1)
        else:
            diff = evaluate_formula(lhs, names) - evaluate_formula(rhs, names)
        ok = {">": diff > 0, "<": diff < 0, ">=": diff >= 0, "<=": diff <= 0}[op]
        if not ok:
            out.fails.append(f"sample {k}: inequality {j} ({lhs} {op} {rhs}) violated")


@lru_cache(maxsize=256)
def _polynomial(text: str, order: tuple[str, ...]) -> tuple[fmpq_mpoly, fmpq_mpoly]:
    """An equation as a polynomial in ``order``, and the same with absolute coefficients."""
    ring = fmpq_mpoly_ctx.get(order, "lex")
    poly = evaluate_formula(text, dict(zip(order, ring.gens(), strict=True)),
                    lift=lambda q: ring.constant(to_fmpq(q)))
    if isinstance(poly, Fraction):
        poly = ring.constant(to_fmpq(poly))
    return poly, ring.from_dict({m: abs(c) for m, c in poly.to_dict().items()})


def _groups(pattern: list[str], sample: dict) -> list[list[int]]:
    """Alive units grouped by their face (units sharing a face split one neuron)."""
    groups: dict[str, list[int]] = {}
    for ell, row in enumerate(pattern):
        if "+" in row or "-" in row or sample["a"][ell] != 0:
            groups.setdefault(row, []).append(ell)
    return list(groups.values())


def check_point_sample(sample: dict, pattern: list[str], loss: float, prob: Problem,
                       label: str) -> list[str]:
    """The float checks of :func:`check_curve`'s samples at one point (signs against
    ``pattern``, balance, split structure, ``loss``, first and second order, dead units),
    for any minimum (units on one face split a neuron); failures start with ``label``."""
    found = Findings()
    _check_sample(0, sample, {"pattern": pattern, "loss": loss},
                  _groups(pattern, sample), prob, found)
    return [line.replace("sample 0", label, 1) for line in found.fails]


def _check_sample(k: int, sample: dict, entry: dict, groups: list[list[int]], prob: Problem,
                  out: Findings, flats: set[tuple[int, int]] | None = None) -> None:
    """Signs, split structure, loss, first and second order at one sample (floats); with
    ``flats``, a multiplier within tolerance of a bound (none of the wrong sign) is added
    there as ``(unit, point)`` for an exact decision instead of failing."""
    xt = np.array([[float(v) for v in x] for x in prob.lifted])
    y = np.array([float(v) for v in prob.y])
    lam = float(prob.lam)
    w = np.hstack([np.array(sample["B"], dtype=float), np.array(sample["c"], dtype=float)[:, None]])
    a = np.array(sample["a"], dtype=float)
    xi = xt @ w.T                                           # n x L
    scale = np.abs(xt).sum(axis=1)[:, None] * np.abs(w).sum(axis=1)[None, :] + 1e-300
    for ell, row in enumerate(entry["pattern"]):
        for i, ch in enumerate(row):
            got = "0" if abs(xi[i, ell]) <= ZERO_TOL * scale[i, ell] else "+-"[int(xi[i, ell] < 0)]
            if got != ch:
                out.fails.append(f"sample {k}: sign of <b_l,x_i>+c_l at ({i}, {ell}) is '{got}', "
                                 f"pattern says '{ch}'")
    alive = [ell for g in groups for ell in g]
    size = max(np.abs(w).max(), np.abs(a).max(), 1e-300)
    for ell in range(prob.units):
        if ell in alive and abs(abs(a[ell]) - np.linalg.norm(w[ell])) > REL_TOL * size:
            out.fails.append(f"sample {k}: unit {ell} is not balanced (|a_l| != |w_l|)")
        if ell not in alive and max(abs(a[ell]), np.abs(w[ell]).max()) > REL_TOL * size:
            out.fails.append(f"sample {k}: unit {ell} has pattern of a dead unit but is not 0")
    for g in groups:
        for ell in g[1:]:
            gap = w[ell] / np.linalg.norm(w[ell]) - w[g[0]] / np.linalg.norm(w[g[0]])
            if np.linalg.norm(gap) > 1e-7:
                out.fails.append(f"sample {k}: units {g[0]} and {ell} share a face but are not "
                                 "parallel (split structure)")
    r = y - np.maximum(xi, 0) @ a
    loss = float(r @ r + lam * (a @ a + (w * w).sum()))
    if abs(loss - entry["loss"]) > REL_TOL * max(abs(loss), 1e-300):
        out.fails.append(f"sample {k}: loss is {loss!r}, the entry says {entry['loss']!r}")
    if out.fails:
        return
    bases = {}
    for ell in alive:
        bases[ell] = _first_order_float(k, ell, a[ell], w[ell], xt, r, entry["pattern"][ell],
                                        lam, out, flats)
    dead = [ell for ell in range(prob.units) if ell not in alive]
    if dead:
        _dead_float(k, dead, r, xt, w, a, alive, lam, prob, out)
    if not out.fails and alive:
        _second_order_float(k, alive, bases, groups, a, w, xt, r, entry["pattern"], lam, out)


def _first_order_float(k: int, ell: int, a: float, w: np.ndarray, xt: np.ndarray, r: np.ndarray,
                       row: str, lam: float, out: Findings,
                       flats: set[tuple[int, int]] | None = None) -> np.ndarray:
    """Stationarity and strict multiplier signs for an alive unit (``flats``: see
    :func:`_check_sample`); returns its face basis."""
    plus = np.array([ch == "+" for ch in row])
    zero = [i for i, ch in enumerate(row) if ch == "0"]
    xi = xt @ w
    ga = -2 * (r * xi)[plus].sum() + 2 * lam * a
    if abs(ga) > ZERO_TOL * (2 * np.abs(r * xi)[plus].sum() + 2 * lam * abs(a)):
        out.fails.append(f"sample {k}: unit {ell}: d loss / d a_l = {ga:.3g} is not 0")
    g0 = -2 * a * (r[plus, None] * xt[plus]).sum(axis=0) + 2 * lam * w
    gscale = 2 * abs(a) * (np.abs(r[plus, None] * xt[plus])).sum() + 2 * lam * np.abs(w).sum()
    mu = np.linalg.lstsq(xt[zero].T, g0, rcond=None)[0] if zero else np.zeros(0)
    left = g0 - (xt[zero].T @ mu if zero else 0)
    if np.abs(left).max() > ZERO_TOL * gscale:
        out.fails.append(f"sample {k}: unit {ell}: gradient within the face is not 0")
    for m, i in zip(mu, zero, strict=True):
        tol, low = ZERO_TOL * gscale, 2 * a * r[i]
        if flats is not None and low - tol <= m <= tol and min(abs(m), abs(m - low)) <= tol:
            flats.add((ell, i))
            continue
        if not (low + tol < m < -tol):
            out.fails.append(f"sample {k}: unit {ell}, point {i}: multiplier {m:.3g} not strictly "
                             f"inside (2 a_l r_i, 0) = ({2 * a * r[i]:.3g}, 0)")
    rows = [tuple(Fraction(v) for v in xt[i]) for i in zero]
    basis = kernel_basis(rows, xt.shape[1]) if zero else [
        tuple(Fraction(int(i == j)) for j in range(xt.shape[1])) for i in range(xt.shape[1])]
    q = np.array([[float(v) for v in b] for b in basis]).T
    return np.linalg.qr(q)[0] if q.size else q


def _dead_float(k: int, dead: list[int], r: np.ndarray, xt: np.ndarray, w: np.ndarray,
                a: np.ndarray, alive: list[int], lam: float, prob: Problem, out: Findings) -> None:
    """``max |sum r_i ReLU(<w, x~_i>)| <= lam`` on the unit sphere, face by face (floats)."""
    for face, proj in face_projectors(prob.lifted):
        plus = [i for i, ch in enumerate(face.pattern) if ch == "+"]
        if not plus:
            continue
        p = np.array([[float(v) for v in row] for row in proj]) @ (r[plus, None] * xt[plus]).sum(0)
        dots = xt @ p
        tol = ZERO_TOL * np.linalg.norm(p) * np.abs(xt).sum(axis=1)
        signs = "".join("0" if abs(v) <= t else "+-"[int(v < 0)]
                        for v, t in zip(dots, tol, strict=True))
        if face.pattern not in (signs, signs.translate(str.maketrans("+-", "-+"))):
            continue
        value = np.linalg.norm(p)
        if value > lam * (1 + EIG_TOL):
            out.fails.append(f"sample {k}: dead unit {dead[0]}: growing it along {p.round(6)} "
                             "decreases the loss (|sum r_i ReLU| > lam)")
        elif value > lam * (1 - EIG_TOL):
            sigma = 1 if signs == face.pattern else -1
            if not any(np.linalg.norm(sigma * p / value - np.sign(a[ell]) * w[ell] / np.linalg.norm(
                    w[ell])) < 1e-6 for ell in alive):
                out.fails.append(f"sample {k}: dead unit {dead[0]}: |sum r_i ReLU| = lam in a "
                                 "direction of no alive unit (degenerate)")


def _second_order_float(k: int, alive: list[int], bases: dict, groups: list[list[int]],
                        a: np.ndarray, w: np.ndarray, xt: np.ndarray, r: np.ndarray,
                        pattern: list[str], lam: float, out: Findings) -> None:
    """Face Hessian: PD except exactly the split directions (flat along the set)."""
    cols = [(ell, None) for ell in alive]
    cols += [(ell, j) for ell in alive for j in range(bases[ell].shape[1])]
    n = xt.shape[0]
    jac = np.zeros((n, len(cols)))
    cross = np.zeros((len(cols), len(cols)))
    for c, (ell, j) in enumerate(cols):
        seen = np.array([ch == "+" for ch in pattern[ell]])
        if j is None:
            jac[seen, c] = (xt @ w[ell])[seen]
        else:
            jac[seen, c] = a[ell] * (xt @ bases[ell][:, j])[seen]
            c0 = cols.index((ell, None))
            cross[c, c0] = cross[c0, c] = -2 * (r[seen] * (xt @ bases[ell][:, j])[seen]).sum()
    hess = 2 * jac.T @ jac + cross + 2 * lam * np.eye(len(cols))
    vals, vecs = np.linalg.eigh(hess)
    top = max(np.abs(vals).max(), 1e-300)
    if vals.min() < -EIG_TOL * top:
        out.fails.append(f"sample {k}: the face Hessian has a negative eigenvalue "
                         f"({vals.min():.3g}): not a minimum")
        return
    flat = vecs[:, np.abs(vals) <= EIG_TOL * top]
    expected = sum(len(g) - 1 for g in groups)
    radial = np.zeros((len(cols), len(alive)))
    for m, ell in enumerate(alive):  # growing unit l along itself: (da, dw) = (a_l, w_l)
        radial[cols.index((ell, None)), m] = a[ell]
        for j in range(bases[ell].shape[1]):
            radial[cols.index((ell, j)), m] = bases[ell][:, j] @ w[ell]
    if flat.shape[1] != expected:
        out.fails.append(f"sample {k}: the face Hessian has {flat.shape[1]} flat directions, "
                         f"the split structure explains {expected}")
    elif flat.size:
        coef = np.linalg.lstsq(radial, flat, rcond=None)[0]
        if np.abs(radial @ coef - flat).max() > 1e-5:
            out.fails.append(f"sample {k}: a flat direction of the Hessian is not a split")

"""Human-readable reports of a :class:`~solver.regpath.results.Path`: a text table and LaTeX.

Floats are rounded for display; every event's exact λ (minimal polynomial and isolating
interval) is in the JSON form and in the LaTeX fragment. sympy typesets the minimal
polynomials in LaTeX, and is used only here.

Examples
--------
>>> from solver.regpath import path
>>> p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
>>> print(path_table(p).splitlines()[0])
Regularisation path: n = 3 points, d = 1, L = 1 unit, lam from 1/20 to 1/2
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from math import isqrt
from typing import Any

from solver.report import aligned, num, tex_num, tex_pattern


def lam_text(lam: Any) -> str:
    """λ for a table: a fraction, ``sqrt(p/q)``-style for a square root of a rational,
    else its decimal value with an ellipsis.

    >>> from solver.regpath.results import LamValue
    >>> lam_text(LamValue(0.0, Fraction(0), Fraction(1), (-29, 0, 16)))
    'sqrt(29)/4'
    """
    root = square_root_form(lam)
    return root if root is not None else lam.text(10)


def square_root_form(lam: Any) -> str | None:
    """``sqrt(a)/b`` when the minimal polynomial is ``q lam^2 - p``, else None."""
    m = lam.minpoly
    if m is None or len(m) != 3 or m[1] != 0 or m[0] >= 0:
        return None
    p, q = -m[0], m[2]  # lam = sqrt(p/q) = sqrt(p q) / q
    radicand, denominator = p * q, q
    out, inner = 1, radicand
    f = 2
    while f * f <= inner:
        while inner % (f * f) == 0:
            inner //= f * f
            out *= f
        f += 1
    g = Fraction(out, denominator)
    lead = "" if g.numerator == 1 else f"{g.numerator}*"
    tail = "" if g.denominator == 1 else f"/{g.denominator}"
    if isqrt(inner) ** 2 == inner:
        return None
    return f"{lead}sqrt({inner}){tail}"


def _exact_column(lam: Any) -> str:
    if lam.is_rational:
        return "rational"
    if square_root_form(lam) is not None:
        return "degree 2"
    if lam.minpoly is not None:
        return f"degree {len(lam.minpoly) - 1}"
    return "certified" if lam.certified else "NOT CERTIFIED"


def _header(p: Any) -> list[str]:
    plural = "unit" if p.units == 1 else "units"
    curves = sum(1 for b in p.branches if b.kind == "curve")
    kinds = Counter(e.kind for e in p.events)
    kind_text = ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds))
    return [
        f"Regularisation path: n = {p.n} points, d = {p.d}, L = {p.units} {plural}, "
        f"lam from {p.lam_min} to {p.lam_max}",
        f"{len(p.branches)} branches ({curves} curves, {len(p.branches) - curves} isolated) "
        f"in {len({b.orbit for b in p.branches})} orbits of unit permutations; "
        f"{len(p.events)} events" + (f" ({kind_text})" if kind_text else "")
        + "".join(f", {k} NOT CERTIFIED (see below)" for k in
                  [sum(e.uncertified is not None for e in p.events)] if k)
        + f"; {p.stats.face_sets} face sets, {p.stats.breakpoints} breakpoints, "
        f"{p.stats.seconds:.3g} s",
    ]


def path_table(p: Any) -> str:
    """Plain text: a header, the branches (one row per segment) and the events.

    Parameters
    ----------
    p : Path

    Returns
    -------
    str
        The report, ending with a newline; deterministic for a given ``p``.
    """
    lines = _header(p) + [
        "", "Branches (λ increasing; one row per face set a branch passes through)"]
    rows = []
    for j, b in enumerate(p.branches, start=1):
        for q, seg in enumerate(b.segments):
            first = q == 0
            loss = [s.loss for s in b.samples if seg.lam_min.value <= s.lam <= seg.lam_max.value]
            rows.append([
                str(j) if first else "",
                b.kind if first else "",
                str(b.orbit) if first else "",
                lam_text(seg.lam_min),
                lam_text(seg.lam_max),
                num(loss[0], 8) if loss else "",
                num(loss[-1], 8) if loss else "",
                " ".join(seg.pattern),
            ])
    lines += aligned(["#", "kind", "orbit", "lam from", "lam to", "loss from", "loss to",
                      "patterns (unit 1, unit 2, ...)"], rows,
                     {"#", "orbit", "loss from", "loss to"})
    lines += ["", "Events (what happens as λ increases; exact λ in the JSON and LaTeX)"]
    rows = []
    for j, e in enumerate(p.events, start=1):
        rows.append([str(j), lam_text(e.lam), _exact_column(e.lam), e.kind,
                     e.description.rsplit(": ", 1)[0]])
    lines += aligned(["#", "lam", "exact", "kind", "what happens"], rows, {"#"})
    return "\n".join(lines) + "\n"


def path_latex(p: Any) -> str:
    """A LaTeX fragment: the events with their exact λ (minimal polynomials), as a
    ``longtable``-free ``tabular``."""
    import sympy

    lam = sympy.Symbol("lambda")
    out = [r"% regularisation path: " + _header(p)[0],
           r"\begin{tabular}{rlll}", r"\# & $\lambda$ & kind & exact \\ \hline"]
    for j, e in enumerate(p.events, start=1):
        if e.lam.is_rational:
            exact = f"${sympy.latex(sympy.Rational(e.lam.lo))}$"
        elif e.lam.minpoly is not None:
            poly = sum(c * lam**i for i, c in enumerate(e.lam.minpoly))
            exact = (f"root of ${sympy.latex(sympy.expand(poly))} = 0$ in "
                     f"$[{tex_num(float(e.lam.lo), 12)}, {tex_num(float(e.lam.hi), 12)}]$")
        else:
            exact = (f"{'certified' if e.lam.certified else 'not certified, seen'} in "
                     f"$[{tex_num(float(e.interval[0]), 15)}, "
                     f"{tex_num(float(e.interval[1]), 15)}]$")
        out.append(f"{j} & ${tex_num(e.lam.value, 10)}$ & {e.kind} & {exact} \\\\")
    out.append(r"\end{tabular}")
    out.append("")
    out.append(r"\begin{tabular}{rlll}")
    out.append(r"\# & kind & $\lambda$ range & patterns \\ \hline")
    for j, b in enumerate(p.branches, start=1):
        for q, seg in enumerate(b.segments):
            pats = ", ".join(tex_pattern(s) for s in seg.pattern)
            out.append(f"{j if q == 0 else ''} & {b.kind if q == 0 else ''} & "
                       f"$[{tex_num(seg.lam_min.value, 6)}, {tex_num(seg.lam_max.value, 6)}]$ "
                       f"& {pats} \\\\")
    out.append(r"\end{tabular}")
    return "\n".join(out) + "\n"

"""Exact positive real solutions of small square polynomial systems, by elimination.

Every variable ``s_j`` of a solution is an isolated real root of an eliminant
``E_j(s_j)`` (a resultant chain with ``s_j`` kept to the end), so each coordinate is an
exact algebraic number: an irreducible integer polynomial and a rational isolating
interval. The chain eliminates the variable of least degree first (the eliminants stay
far smaller) and its last resultant, in two variables, by evaluation and interpolation
(:mod:`~solver.pipeline.locate.resultant`); the last eliminant is factored once.
Candidate tuples of roots are filtered with ball arithmetic along the triangular chain,
and each surviving tuple is *proved* to be a solution by the Krawczyk interval-Newton
test in a box inside the isolating intervals; since the intervals isolate single roots,
the solution found is exactly that tuple.

Examples
--------
>>> from flint import fmpq_mpoly_ctx
>>> ctx = fmpq_mpoly_ctx.get(("s", 2), "lex")
>>> s0, s1 = ctx.gens()
>>> sols = positive_solutions([s0 * s0 - 2, s1 - s0 - 1], ctx)
>>> [round(float(r.ball(64).mid()), 6) for r in sols[0]]
[1.414214, 2.414214]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from math import lcm

from flint import arb, arb_mat, fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpz_poly

from solver.errors import DegenerateProblemError
from solver.pipeline.algebraic import RealRoot, isolate_roots
from solver.pipeline.locate.resultant import resultant
from solver.pipeline.numbers import (
    MAX_PREC,
    eval_mpoly,
    krawczyk,
    sign,
    sign_of,
    working_precision,
)


def _no_positive_zero(g: fmpq_mpoly) -> bool:
    """All coefficients of one sign: ``g`` has no zero with every variable > 0."""
    signs = {(c > 0) - (c < 0) for c in g.to_dict().values()}
    return len(signs) == 1


def _strip(f: fmpq_mpoly) -> fmpq_mpoly:
    """Square-free part of ``f`` without factors that cannot vanish on the open orthant."""
    if f.is_zero() or f.is_constant():
        return f
    _, factors = f.factor()
    out = f.context().constant(1)
    for g, _ in factors:
        if not _no_positive_zero(g):
            out = out * g
    return out


def _sign_changes(p: fmpz_poly) -> int:
    """Descartes: an upper bound on the number of positive roots."""
    signs = [c > 0 for c in p.coeffs() if c != 0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def _univariate_factors(f: fmpq_mpoly, var: int) -> list[fmpz_poly]:
    """Irreducible integer factors of a polynomial in ``var`` that may have positive roots."""
    coeffs: dict[int, fmpq] = {}
    for exps, c in f.to_dict().items():
        coeffs[exps[var]] = c
    top = max(coeffs)
    dense = [coeffs.get(i, fmpq(0)) for i in range(top + 1)]
    den = lcm(*(int(c.q) for c in dense))
    poly = fmpz_poly([int(c * den) for c in dense])
    if _sign_changes(poly) == 0:
        return []
    _, factors = poly.factor()
    return [p for p, _ in factors if p.degree() >= 1 and _sign_changes(p) > 0]


def _eliminant(
    polys: list[fmpq_mpoly], ctx: fmpq_mpoly_ctx, keep: int, at: Sequence[arb] | None = None
) -> list[list[fmpq_mpoly]]:
    """Resultant chain eliminating every variable but ``keep``.

    Level ``j`` of the result holds polynomials in the variables not yet eliminated;
    each vanishes on the projection of every solution. A factor common to a whole level
    is the shadow of a positive-dimensional component of the cleared system (typically
    the spurious curve ``det = 0 = adj z`` that clearing the denominator adds for three
    or more neurons; ``det > 0`` on the orthant). Without ``at`` it raises
    :class:`DegenerateProblemError` unless the factor has no positive zero; with ``at``
    (balls around the one solution wanted) the factor is divided out after checking
    that it does not vanish there, so the chain still vanishes at that solution.
    """
    remaining = [v for v in range(ctx.nvars()) if v != keep]
    levels = [list(polys)]
    current = list(polys)
    while remaining:
        var = _next_variable(current, remaining)
        remaining.remove(var)
        having = [f for f in current if f.degrees()[var] > 0]
        nxt = [f for f in current if f.degrees()[var] == 0]  # nothing to eliminate there
        if having:
            base = having[0]
            for other in having[1:]:
                r = resultant(base, other, var)
                if r.is_zero():
                    raise DegenerateProblemError(_vanished(base, other))
                # the last level is factored once, by _univariate_factors
                nxt.append(_strip(r) if remaining else r)
        common = _common_factor(nxt)
        if common is not None and not _no_positive_zero(common):
            if at is None:
                raise DegenerateProblemError(
                    "degenerate data: a face system has a positive-dimensional component"
                )
            with working_precision(256):
                if eval_mpoly(common, at).contains(0):
                    raise DegenerateProblemError(
                        "degenerate data: a solution lies over a positive-dimensional component"
                    )
            nxt = [f / common for f in nxt]
        current = nxt
        levels.append(current)
    return levels


def _next_variable(polys: list[fmpq_mpoly], remaining: list[int]) -> int:
    """The variable to eliminate next: the one of least degree (the resultants' degrees
    grow with it: eliminating a degree-2 variable first takes the 3-neuron eliminants
    from degree 224 to 88), the last one among equals."""
    return min(reversed(remaining), key=lambda v: max(f.degrees()[v] for f in polys))


def _vanished(f: fmpq_mpoly, g: fmpq_mpoly) -> str:
    """The reason an elimination vanished: the two equations share a factor. When they are
    proportional (two faces whose ``P`` coincide, e.g. each sees one point and the
    projections of its lifted point onto their spans have one length: the three points
    (0, 0), (1, 0), (0, 1)), the face system depends on ``s_a + s_b`` only and its
    interior solutions form a segment (docs/degenerate.md, Theorem 2)."""
    if (f * g.leading_coefficient() - g * f.leading_coefficient()).is_zero():
        return ("degenerate data: an elimination vanished (two faces have identical face "
                "equations: their interior solutions form a segment)")
    return "degenerate data: an elimination vanished (the face equations share a factor)"


def _common_factor(polys: list[fmpq_mpoly]) -> fmpq_mpoly | None:
    """The gcd of several polynomials when it is not constant (and there are several)."""
    if len(polys) < 2:
        return None
    g = polys[0]
    for f in polys[1:]:
        g = g.gcd(f)
        if g.is_constant():
            return None
    return g


def positive_solutions(
    polys: Sequence[fmpq_mpoly], ctx: fmpq_mpoly_ctx
) -> list[tuple[RealRoot, ...]]:
    """All real solutions with every coordinate > 0 of ``k`` equations in ``k`` unknowns.

    Returns tuples of exact :class:`RealRoot` coordinates, sorted. Raises
    :class:`DegenerateProblemError` for positive-dimensional components or solutions
    that cannot be separated (multiple roots).
    """
    k = ctx.nvars()
    polys = [_strip(f) for f in polys]
    if any(f.is_constant() and not f.is_zero() for f in polys):
        return []
    chain0 = _eliminant(polys, ctx, 0)
    candidates: list[list[RealRoot]] = []
    for var in range(k):
        chain = chain0 if var == 0 else _eliminant(polys, ctx, var)
        roots = [
            r
            for r in isolate_roots(_univariate_factors(chain[-1][0], var))
            if r.lo > 0 or (r.hi > 0 and _positive(r))
        ]
        if not roots:
            return []
        candidates.append(roots)
    if k == 1:  # the eliminant is the equation itself: every root solves it
        return [(r,) for r in candidates[0]]
    out = []
    for combo in product(*candidates):
        if _is_solution(polys, combo):
            out.append(tuple(combo))
    return out


def _positive(root: RealRoot) -> bool:
    return sign_of(lambda prec: root.ball(prec), "a root's sign") > 0


def _is_solution(polys: list[fmpq_mpoly], combo: Sequence[RealRoot]) -> bool:
    """Rigorously decide whether a tuple of isolated roots solves the system."""
    prec = 128
    while prec <= MAX_PREC:
        with working_precision(prec):
            point = [r.ball(prec) for r in combo]
            values = [eval_mpoly(f, point) for f in polys]
            if any(not v.contains(0) for v in values):
                return False
            if _unique_zero_in_intervals(polys, combo, prec):
                return True
        prec *= 4
    raise DegenerateProblemError("degenerate data: a multiple or unresolved critical point")


def _unique_zero_in_intervals(polys: list[fmpq_mpoly], combo: Sequence[RealRoot],
                              prec: int) -> bool:
    """Prove a unique zero in a box within the isolating intervals (Krawczyk test)."""
    k = len(combo)
    mids = [r.ball(prec).mid() for r in combo]
    rad = [max(r.ball(prec).rad() * 4, arb(2) ** (-prec // 2)) for r in combo]
    box = [arb(m, rr) for m, rr in zip(mids, rad)]
    for b, r in zip(box, combo):
        if not (b > arb(r.lo) and b < arb(r.hi)):
            return False
    jac_polys = [[f.derivative(j) for j in range(k)] for f in polys]
    J_mid = arb_mat([[eval_mpoly(d, mids).mid() for d in row] for row in jac_polys])
    try:
        Y = arb_mat([[J_mid[i, j].mid() for j in range(k)] for i in range(k)]).inv()
    except ZeroDivisionError:
        return False
    Y = arb_mat([[Y[i, j].mid() for j in range(k)] for i in range(k)])
    F_mid = arb_mat([[eval_mpoly(f, mids)] for f in polys])
    J_box = arb_mat([[eval_mpoly(d, box) for d in row] for row in jac_polys])
    return krawczyk(mids, Y * F_mid, Y, J_box, box) is not None


def exact_roots_in_box(
    polys: Sequence[fmpq_mpoly], ctx: fmpq_mpoly_ctx, box: Sequence[tuple[fmpq, fmpq]]
) -> tuple[RealRoot, ...]:
    """Minimal polynomials of the coordinates of the unique solution inside ``box``.

    ``box`` must be proved to hold exactly one solution of ``polys`` (e.g. by a
    Krawczyk test). Coordinate ``j`` is a root of the eliminant ``E_j``; the irreducible
    factor of ``E_j`` with a root in ``[lo_j, hi_j]`` (exactly one, checked) is its
    minimal polynomial, returned with a canonical isolating interval. Raises
    :class:`DegenerateProblemError` when no factor or several have a root there.
    """
    polys = [_strip(f) for f in polys]
    with working_precision(256):
        at = [arb((lo + hi) / 2, (hi - lo) / 2) for lo, hi in box]
    out = []
    for var, (lo, hi) in enumerate(box):
        chain = _eliminant(polys, ctx, var, at)
        hits = [p for p in _univariate_factors(chain[-1][0], var) if _has_root_in(p, lo, hi)]
        if len(hits) != 1:
            raise DegenerateProblemError(
                f"degenerate data: {len(hits)} eliminant factors have a root in a solution's box"
            )
        mine = [r for r in isolate_roots(hits) if r.hi >= lo and r.lo <= hi]
        if len(mine) != 1:
            raise DegenerateProblemError("degenerate data: a box holds several roots")
        out.append(mine[0])
    return tuple(out)


def _has_root_in(p: fmpz_poly, lo: fmpq, hi: fmpq) -> bool:
    """Whether ``p`` has a root in ``[lo, hi]``: a sign change (or a root at an end),
    with ``p'`` of one sign on the interval so that an even count is impossible."""
    a, b = sign(p(lo)), sign(p(hi))
    if a == 0 or b == 0 or a != b:
        return True
    with working_precision(128):
        slope = p.derivative()(arb((lo + hi) / 2, (hi - lo) / 2))
    if slope > 0 or slope < 0:
        return False
    return any(r.hi >= lo and r.lo <= hi for r in isolate_roots([p]))

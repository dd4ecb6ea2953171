"""Completeness, check (b'): a face set's ``none`` record (no interior solution).

The solver writes ``none`` when a KKT multiplier of the set was exactly zero and exact
elimination found no solution with every ``t > 0``. The checker re-derives that from its
own face system (:func:`solver.verify.face_system.face_numerators`): the numerators
``N_l(t)`` vanish at every interior solution (``F_l = N_l / det^2`` with
``det = det(I + sum t_m P_m) > 0`` for ``t >= 0``), so

* one face: ``N_0`` has no root ``t0 > 0``;
* two faces: the resultant ``R_0 = res_{t1}(N_0, N_1)`` vanishes at the ``t0`` of every
  common zero, and ``R_1 = res_{t0}(N_0, N_1)`` at its ``t1``; if either is not
  identically zero and has no positive root, there is no interior solution;
* a common factor of ``N_0, N_1`` in one variable with no positive root is divided out
  first (it does not vanish where ``t > 0``);
* two faces whose resultants both have positive roots: every common zero with
  ``t > 0`` is then a pair ``(alpha, beta)`` of a positive root of ``R_0`` and one of
  ``R_1``. Each root is isolated in a rational interval by Sturm bisection, and for each
  pair ``N_0`` and ``N_1`` are evaluated in ball arithmetic over the product of the two
  intervals, refined until one of them excludes 0: then no common zero lies there. A pair
  no refinement separates (a true common zero, or a tangency) leaves the record
  unproved.

Positive roots are counted exactly by a Sturm sequence over ``Q``; the exclusions are
rigorous ball arithmetic over rational boxes. Anything else (more faces, identically zero
resultants, a pair not separated) is a failure: the record is not re-derived.

Examples
--------
>>> from flint import fmpq_poly
>>> count_positive_roots(fmpq_poly([-2, 0, 1])), count_positive_roots(fmpq_poly([2, 3, 1]))
(1, 0)
>>> count_positive_roots(fmpq_poly([0, 0, -1, 1]))   # t^2 (t - 1): the root 0 is not positive
1
"""

from __future__ import annotations

from flint import arb, ctx, fmpq, fmpq_mpoly, fmpq_poly

from solver.verify.complete_solution import State
from solver.verify.face_system import PatternSystem, face_numerators
from solver.verify.field import count_roots


def check_none(S: frozenset, faces: list[str], record: object, state: State, where: str,
               fails: list[str]) -> None:
    """Check (b'): the set has no interior solution (see the module docstring)."""
    if not isinstance(record, str):
        fails.append(f"{where}: none must be a sentence")
        return
    if not 1 <= len(faces) <= 2:
        fails.append(f"{where}: none: not supported for {len(faces)} faces (the checker "
                     "re-derives it for one or two)")
        return
    system = PatternSystem.from_faces(state.prob, [state.faces[p].system for p in faces])
    names = {ell: f"t{j}" for j, ell in enumerate(system.alive)}
    N = [face_numerators(system, names)[ell] for ell in system.alive]
    if len(N) == 2:
        N = _without_common_factor(N[0], N[1])
    if len(N) == 1:
        eliminants = [_univariate(N[0], 0)]
    else:
        eliminants = [_univariate(N[0].resultant(N[1], "t1"), 0),
                      _univariate(N[0].resultant(N[1], "t0"), 1)]
    for R in eliminants:
        if R != 0 and count_positive_roots(R) == 0:
            state.solved[S] = None  # proved: no interior solution
            return
    if len(N) == 2 and all(R != 0 for R in eliminants) and no_common_positive_zero(
            N[0], N[1], eliminants[0], eliminants[1]):
        state.solved[S] = None  # proved: no pair of positive roots is a common zero
        return
    fails.append(f"{where}: none is not re-derived: the face equations' eliminant "
                 + ("vanishes identically" if all(R == 0 for R in eliminants)
                    else "has a positive root") + " (an interior solution may exist)")


def _without_common_factor(f: fmpq_mpoly, g: fmpq_mpoly) -> list[fmpq_mpoly]:
    """``f, g`` divided by their gcd when it has no zero with ``t > 0`` (proved: all its
    coefficients of one sign, or one variable and no positive root): the common zeros
    there are those of the cofactors; else ``f, g``.

    >>> from flint import fmpq_mpoly_ctx
    >>> t0, t1 = fmpq_mpoly_ctx.get(("t0", "t1"), "lex").gens()
    >>> [str(h) for h in _without_common_factor((t1 + 1) * (t0 - 1), (t1 + 1) * (t0 - 2))]
    ['t0 - 1', 't0 - 2']
    >>> len(_without_common_factor((t1 - 1) * t0, (t1 - 1) * (t0 + 1)))  # t1 = 1 is kept
    2
    """
    common = f.gcd(g)
    degrees = common.degrees()
    if sum(degrees) == 0:
        return [f, g]
    signs = {c > 0 for c in common.to_dict().values()}
    if len(signs) == 1:  # every monomial of one sign: nonzero for t > 0
        return [f / common, g / common]
    if min(degrees) > 0 or count_positive_roots(_univariate(common, 0 if degrees[0] else 1)):
        return [f, g]
    return [f / common, g / common]


def no_common_positive_zero(f: fmpq_mpoly, g: fmpq_mpoly, r0: fmpq_poly, r1: fmpq_poly,
                            halvings: int = 80) -> bool:
    """Whether ``f(t0, t1) = g(t0, t1) = 0`` has no solution with ``t0, t1 > 0``, given
    nonzero ``r0`` vanishing at the ``t0`` and ``r1`` at the ``t1`` of every common zero
    (their resultants): every pair of positive roots is excluded by a ball evaluation of
    ``f`` or ``g`` over the pair's isolating box. ``False`` means not proved.

    >>> from flint import fmpq_mpoly_ctx
    >>> R = fmpq_mpoly_ctx.get(("t0", "t1"), "lex")
    >>> t0, t1 = R.gens()
    >>> f, g = t0 * t1 - 2, t0 + t1 - 4     # common zeros (2 -+ sqrt 2, 2 +- sqrt 2)
    >>> r = fmpq_poly([-2, 4, -1])           # res_t1 = res_t0: 4 t - t^2 - 2
    >>> no_common_positive_zero(f, g, r, r)
    False
    >>> f, g = t0 * t1 + 2, t0 + t1 - 1     # common zeros (2, -1) and (-1, 2) only
    >>> r = fmpq_poly([2, 1, -1])            # 2 + t - t^2: the positive root 2 of each
    >>> no_common_positive_zero(f, g, r, r)  # the pair (2, 2): f = 6
    True
    """
    terms = [[(exps, fmpq(c)) for exps, c in h.to_dict().items()] for h in (f, g)]
    for lo0, hi0 in positive_root_intervals(r0):
        for lo1, hi1 in positive_root_intervals(r1):
            if not _separated(terms, r0, (lo0, hi0), r1, (lo1, hi1), halvings):
                return False
    return True


def positive_root_intervals(p: fmpq_poly) -> list[tuple[fmpq, fmpq]]:
    """Disjoint intervals ``(lo, hi]`` with ``lo >= 0``, each holding exactly one distinct
    positive root of the nonzero ``p``, in increasing order (Sturm bisection).

    >>> positive_root_intervals(fmpq_poly([2, -3, 1]))      # (t - 1)(t - 2)
    [(0, 1), (1, 2)]
    """
    if p.degree() <= 0:
        return []
    bound = 1 + max(abs(p[k] / p[p.degree()]) for k in range(p.degree()))
    out: list[tuple[fmpq, fmpq]] = []
    todo = [(fmpq(0), fmpq(bound))]
    while todo:
        lo, hi = todo.pop()
        count = count_roots(p, lo, hi)
        if count == 1:
            out.append((lo, hi))
        elif count > 1:
            mid = (lo + hi) / 2
            todo += [(mid, hi), (lo, mid)]
    return sorted(out)


def _separated(terms: list[list[tuple[tuple[int, ...], fmpq]]], r0: fmpq_poly,
               box0: tuple[fmpq, fmpq], r1: fmpq_poly, box1: tuple[fmpq, fmpq],
               halvings: int) -> bool:
    """Whether one of the polynomials (``terms``) excludes 0 on the box, after halving
    each root's interval (keeping its root) up to ``halvings`` times."""
    with ctx.workprec(max(ctx.prec, 128) + 2 * halvings):
        for _ in range(halvings + 1):
            t = [arb((lo + hi) / 2, (hi - lo) / 2) for lo, hi in (box0, box1)]
            for poly in terms:
                value = sum((c * t[0] ** e[0] * t[1] ** e[1] for e, c in poly), arb(0))
                if not value.contains(0):
                    return True
            box0, box1 = _halve(r0, box0), _halve(r1, box1)
    return False


def _halve(p: fmpq_poly, box: tuple[fmpq, fmpq]) -> tuple[fmpq, fmpq]:
    """The half of ``(lo, hi]`` that holds the root of ``p`` in it."""
    lo, hi = box
    mid = (lo + hi) / 2
    return (lo, mid) if count_roots(p, lo, mid) == 1 else (mid, hi)


def _univariate(f: fmpq_mpoly, var: int) -> fmpq_poly:
    """A polynomial in the one variable ``var`` as an ``fmpq_poly``."""
    coeffs: dict[int, fmpq] = {}
    for exps, c in f.to_dict().items():
        if any(e for j, e in enumerate(exps) if j != var):
            raise ValueError("not univariate")
        coeffs[exps[var]] = fmpq(c)
    top = max(coeffs, default=-1)
    return fmpq_poly([coeffs.get(d, fmpq(0)) for d in range(top + 1)])


def count_positive_roots(p: fmpq_poly) -> int:
    """The number of distinct roots ``t > 0`` of a nonzero ``p``, exactly (Sturm)."""
    x = fmpq_poly([0, 1])
    while p.degree() > 0 and p[0] == 0:  # roots at 0 are not positive
        p = p // x
    if p.degree() <= 0:
        return 0
    p = p // p.gcd(p.derivative())  # squarefree: the same distinct roots
    chain = [p, p.derivative()]
    while chain[-1].degree() > 0:
        chain.append(-(chain[-2] % chain[-1]))
    chain = [q for q in chain if q != 0]

    def changes(signs: list[int]) -> int:
        nz = [s for s in signs if s != 0]
        return sum(1 for a, b in zip(nz, nz[1:]) if a != b)

    at_zero = changes([_sign(q[0]) for q in chain])
    at_inf = changes([_sign(q[q.degree()]) for q in chain])
    return at_zero - at_inf


def _sign(v: fmpq) -> int:
    return (v > 0) - (v < 0)


__all__ = ["check_none", "count_positive_roots", "no_common_positive_zero",
           "positive_root_intervals"]

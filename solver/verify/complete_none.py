"""Completeness, check (b'): a face set's ``none`` record (no interior solution).

The solver writes ``none`` when a KKT multiplier of the set was exactly zero and exact
elimination found no solution with every ``t > 0``. The checker re-derives that from its
own face system (:func:`solver.verify.face_system.face_numerators`): the numerators
``N_l(t)`` vanish at every interior solution (``F_l = N_l / det^2`` with
``det = det(I + sum t_m P_m) > 0`` for ``t >= 0``), so

* one face: ``N_0`` has no root ``t0 > 0``;
* two faces: the resultant ``res_{t_j}(N_0, N_1)``, a polynomial in the other variable,
  vanishes at the ``t`` of every common zero; if it is not identically zero and has no
  positive root (for either choice of ``j``), there is no interior solution.

Positive roots are counted exactly by a Sturm sequence over ``Q`` (no floating point).
Anything else (more faces, an identically zero resultant, positive roots of both
resultants) is a failure: the record is not re-derived.

Examples
--------
>>> from flint import fmpq_poly
>>> count_positive_roots(fmpq_poly([-2, 0, 1])), count_positive_roots(fmpq_poly([2, 3, 1]))
(1, 0)
>>> count_positive_roots(fmpq_poly([0, 0, -1, 1]))   # t^2 (t - 1): the root 0 is not positive
1
"""

from __future__ import annotations

from flint import fmpq, fmpq_mpoly, fmpq_poly

from solver.verify.complete_solution import State
from solver.verify.face_system import PatternSystem, face_numerators


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
    if len(N) == 1:
        eliminants = [_univariate(N[0], 0)]
    else:
        eliminants = [_univariate(N[0].resultant(N[1], "t1"), 0),
                      _univariate(N[0].resultant(N[1], "t0"), 1)]
    for R in eliminants:
        if R != 0 and count_positive_roots(R) == 0:
            state.solved[S] = None  # proved: no interior solution
            return
    fails.append(f"{where}: none is not re-derived: the face equations' eliminant "
                 + ("vanishes identically" if all(R == 0 for R in eliminants)
                    else "has a positive root") + " (an interior solution may exist)")


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


__all__ = ["check_none", "count_positive_roots"]

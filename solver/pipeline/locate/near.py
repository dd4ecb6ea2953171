"""Face sets settled near a subset's residual, whatever the zero multipliers are.

Every minimiser of ``J_S`` over ``s >= 0`` has the residual ``r_S = proj_{C_S}(y)``, the
projection of ``y`` onto the convex set ``C_S = {r : |M_c^T r|_{G_c^{-1}} <= lam, c in S}``
(docs/degenerate.md, Theorem 8), and so has the interior solution ``r_A`` of a subset
``A``: ``r_A = proj_{C_A}(y)``. When every other face ``b`` has ``|M_b^T r_A|^2 <= lam^2 + eps``,
``t r_A`` (``t = lam / sqrt(lam^2 + eps)``) lies in ``C_S``, and the projection inequality
gives ``|r_S - r_A|^2 <= |y - t r_A|^2 - |y - r_A|^2``: with ``u = eps / (2 lam^2)``,

    |r_S - r_A|^2 <= u (2 |<y - r_A, r_A>| + u |r_A|^2) =: delta^2.

A multiplier that balls cannot sign (zero, or too small to tell) has ``eps`` below the
balls' radius, so ``delta`` is tiny. Each neuron direction of an interior solution of
``S`` is ``dir_c = Pi_c m_c(r_S)``, linear in ``r_S``: a pre-activation of face ``c`` whose
sign is decided at ``r_A`` widened by ``delta`` has that sign at every interior solution.
If no sign of ``c``'s units puts ``dir_c`` in its face, ``S`` has no critical point: it is
*pruned near* ``A`` (the record ``pruned`` with ``near``; the checker re-derives it in
``solver/verify/complete_near.py``).

Widening cannot decide a pre-activation that is exactly zero at ``r_A``. Then
:func:`exact_near` tries ``eps = 0`` exactly: with every ``|M_b^T r_A|^2 <= lam^2`` proved in
the number field of ``A``'s point (:mod:`solver.pipeline.locate.algebraic_point`),
``(s_A, 0)`` satisfies the KKT conditions of ``J_S``, so it is a minimiser and every
minimiser has the residual ``r_A`` itself (docs/degenerate.md, Theorem 1): the
pre-activations of the directions are decided exactly there, an exact zero where the face
wants a sign being outside. The record then carries ``A``'s exact roots (``exact``).

Examples
--------
>>> outside_for_both((1, -1, 0), [1, 1, None]), outside_for_both((1, -1, 0), [1, -1, None])
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb, arb_mat

from solver.errors import DegenerateProblemError
from solver.pipeline.decision import Decision
from solver.pipeline.divide import UnitFace
from solver.pipeline.face_systems import NeuronData, direction_map
from solver.pipeline.locate.algebraic_point import combination_sign, field_state, quadratic_sign
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import MAX_PREC, working_precision
from solver.problem import Problem

# precisions tried, in bits (the residual at MAX_PREC is usually kept by then)
_PRECISIONS = (256, MAX_PREC)


def outside_for_both(signs: Sequence[int], got: Sequence[int | None]) -> bool:
    """Whether no unit sign ``sigma`` gives every decided pre-activation sign ``got[i]``
    the face's sign ``signs[i]`` (None: undecided, fits either; 0 fits neither)."""
    for sigma in (1, -1):
        if all(g is None or g == sigma * want for want, g in zip(signs, got) if want != 0):
            return False
    return True


def residual_radius(problem: Problem, r: arb_mat, others: Sequence[NeuronData]) -> arb:
    """An upper bound of ``|r_S - r_A|`` (the module docstring), ``r = r_A`` in balls and
    ``others`` the faces of ``S`` outside ``A``."""
    lam2 = arb(problem.lam_q) ** 2
    eps = arb(0)
    for nd in others:
        u = arb_mat(nd.M.transpose()) * r
        excess = (u.transpose() * arb_mat(nd.G_inv) * u)[0, 0] - lam2
        top = excess.upper()
        if not top < 0:  # every excess that may be >= 0: the sum bounds the largest
            eps += abs(top)
    step = eps / (2 * lam2)
    n = r.nrows()
    inner = sum(((arb(problem.y_q[i]) - r[i, 0]) * r[i, 0] for i in range(n)), arb(0))
    size = sum((r[i, 0] * r[i, 0] for i in range(n)), arb(0))
    bound = (step * (2 * abs(inner) + step * size)).upper()
    return bound.sqrt().upper() if bound > 0 else arb(0)


def near_signs(problem: Problem, nd: NeuronData, r: arb_mat) -> list[int | None]:
    """The signs of ``<h_i, dir_c>`` at the residuals of the balls ``r`` (0 where the row of
    ``H V G^{-1} M^T`` is exactly zero, None where undecided or on the face's zero set)."""
    K = direction_map(problem, nd)
    pre = arb_mat(K) * r
    out: list[int | None] = []
    for i, want in enumerate(nd.face.signs):
        if want == 0:
            out.append(None)
        elif all(K[i, j] == 0 for j in range(K.ncols())):
            out.append(0)
        else:
            v = pre[i, 0]
            out.append(1 if v > 0 else -1 if v < 0 else None)
    return out


def outside_near(problem: Problem, sub: Sequence[UnitFace], faces: Sequence[UnitFace],
                 data: dict[tuple, NeuronData], residual: Callable[[int], arb_mat]
                 ) -> UnitFace | None:
    """A face of ``faces`` (the set ``S``, with its subset ``sub`` = ``A`` that has an
    interior solution, residual ``residual(prec)``) whose direction is outside its face at
    every residual within the bound of :func:`residual_radius`, or None."""
    chosen = {f.signs for f in sub}
    others = [data[f.signs] for f in faces if f.signs not in chosen]
    for prec in _PRECISIONS:
        with working_precision(prec):
            r = residual(prec)
            delta = residual_radius(problem, r, others)
            wide = arb_mat(r.nrows(), 1, [arb(r[i, 0].mid(), r[i, 0].rad() + delta)
                                          for i in range(r.nrows())])
            for face in faces:
                got = near_signs(problem, data[face.signs], wide)
                if outside_for_both(face.signs, got):
                    return face
    return None


def exact_near(problem: Problem, sub: Sequence[UnitFace], faces: Sequence[UnitFace],
               data: dict[tuple, NeuronData], roots: tuple) -> tuple[UnitFace, tuple] | None:
    """A face of ``faces`` whose direction at ``r_A`` itself (``A = sub``, its interior
    solution ``roots``) is outside its face, decided exactly, when ``r_A`` is proved to be
    every minimiser's residual (the module docstring); with ``A``'s exact roots. None when
    either is not proved."""
    point = NeuronPoint(problem, tuple(sub), tuple(data[f.signs] for f in sub), roots, ())
    try:
        exact, state = field_state(point)
        chosen = {f.signs for f in sub}
        for face in faces:
            nd = data[face.signs]
            if face.signs not in chosen and quadratic_sign(
                    nd.M * nd.G_inv * nd.M.transpose(), state.residual, problem.lam_q ** 2) > 0:
                return None  # r_A is not in C_S
        for face in faces:
            nd = data[face.signs]
            K = direction_map(problem, nd)
            got = [None if want == 0 else combination_sign(
                [(K[i, j], state.residual[j]) for j in range(K.ncols())])
                for i, want in enumerate(face.signs)]
            if outside_for_both(face.signs, got):
                return face, exact.roots
    except DegenerateProblemError:  # not decided exactly (two parts' fields)
        return None
    return None


def pruned_near(problem: Problem, faces: Sequence[UnitFace],
                undecided: Sequence[Sequence[UnitFace]], data: dict[tuple, NeuronData],
                residual: Callable[[tuple[UnitFace, ...], int], arb_mat],
                entry: Callable | None = None) -> Decision | None:
    """The set ``faces`` pruned near one of its ``undecided`` subsets (whose KKT test a
    multiplier zero to the working precision left open; ``residual(sub, prec)`` its
    residual, ``entry(sub)`` its solution's roots first), or None: no face of the set is
    outside near any of them, in balls or exactly."""
    for sub in undecided:
        face = outside_near(problem, sub, faces, data,
                            lambda prec, sub=tuple(sub): residual(sub, prec))
        if face is not None:
            return Decision("pruned", by=tuple(f.signs for f in sub), near=face.signs)
    for sub in undecided if entry is not None else ():
        roots = entry(tuple(sub))[0]
        found = None if roots is None else exact_near(problem, sub, faces, data, roots)
        if found is not None:
            return Decision("pruned", by=tuple(f.signs for f in sub), near=found[0].signs,
                            exact=found[1])
    return None


__all__ = ["exact_near", "outside_near", "pruned_near", "near_signs", "residual_radius",
           "outside_for_both"]

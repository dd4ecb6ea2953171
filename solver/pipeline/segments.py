"""Face sets with two identical face equations: a segment of interior solutions, or none.

Two faces ``a, b`` of a set with ``P_a = P_b`` (e.g. each sees one point ``i`` and the
projections of its lifted point onto their spans have one length: the triangle
``(0, 0), (1, 0), (0, 1)``) enter ``A(s) = I + sum_c s_c P_c`` only through ``s_a + s_b``:
every face equation is a function of ``s_a + s_b``, the equations of ``a`` and ``b``
coincide, and elimination vanishes identically. The interior solutions of the set are the
points with ``s_a + s_b = t_a`` and the other coordinates of the interior solution of the
set *without* ``b`` (docs/degenerate.md, Theorem 2): none when that set has none, else a
segment on which the residual is that set's and so is every neuron's direction
``dir_c = V_c G_c^{-1} M_c^T r``. One face test at that residual decides the whole segment.

Examples
--------
>>> from flint import fmpq_mat
>>> from types import SimpleNamespace as NS
>>> one = NS(M=fmpq_mat([[1], [0]]), G_inv=fmpq_mat([[1]]))
>>> two = NS(M=fmpq_mat([[0], [1]]), G_inv=fmpq_mat([[1]]))
>>> identical_faces([one, two, one])
(2, 0)
>>> identical_faces([one, two]) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flint import arb, arb_mat

from solver.errors import DegenerateProblemError
from solver.pipeline.decision import Decision
from solver.pipeline.face_systems import direction_map
from solver.pipeline.numbers import MAX_PREC, working_precision
from solver.problem import Problem


def identical_faces(neurons: Sequence) -> tuple[int, int] | None:
    """The first ``(b, a)``, ``a < b``, whose ``P = M G^{-1} M^T`` are equal (exactly), or
    None."""
    P = [nd.M * nd.G_inv * nd.M.transpose() for nd in neurons]
    for b in range(len(P)):
        for a in range(b):
            if P[a] == P[b]:
                return b, a
    return None


def _outside(pattern_signs: Sequence[int], pre: Sequence[arb]) -> bool | None:
    """True when no sign of ``a`` gives every nonzero-sign point its face's sign (proved),
    False when one does (proved), None when a ball does not decide."""
    verdicts = []
    for sigma in (1, -1):
        bad, unknown = False, False
        for want, v in zip(pattern_signs, pre):
            if want == 0:
                continue
            if (v > 0 and sigma * want < 0) or (v < 0 and sigma * want > 0):
                bad = True
            elif not (v > 0 or v < 0):
                unknown = True
        verdicts.append(True if bad else None if unknown else False)
    if all(v is True for v in verdicts):
        return True
    if any(v is False for v in verdicts):
        return False
    return None


def outside_face(problem: Problem, faces: Sequence, neurons: Sequence, residual: arb_mat
                 ) -> int | None:
    """The index of a face whose direction at ``residual`` is proved outside its face for
    either sign of its units' ``a``; ``-1`` when every direction is proved inside its face
    (a segment of critical points); None when a ball does not decide."""
    undecided = False
    for c, (face, nd) in enumerate(zip(faces, neurons)):
        Q = direction_map(problem, nd)  # pre-activations of dir_c = Q r
        if any(want and all(Q[i, m] == 0 for m in range(Q.ncols()))
               for i, want in enumerate(face.signs)):
            return c  # structurally zero where the face wants a sign: outside, exactly
        pre = arb_mat(Q) * residual
        got = _outside(face.signs, [pre[i, 0] for i in range(pre.nrows())])
        if got:
            return c
        undecided = undecided or got is None
    return None if undecided else -1


def settle_segment(problem: Problem, faces: Sequence, neurons: Sequence,
                   pair: tuple[int, int], entry: Callable, residual: Callable
                   ) -> Decision:
    """The set's :class:`Decision` ``"segment"``: ``by`` the sign vectors of the set
    without ``b``, ``segment = (b, a, c)`` with ``c`` the face proved outside at that set's
    residual, or None when that set has no interior solution (then neither has this one).
    ``entry`` and ``residual`` are the enumerator's (a set's roots; its residual at a
    precision). Raises :class:`DegenerateProblemError` for a segment of critical points
    (every direction inside its face) or a sign no precision decides."""
    b, a = pair
    rest = tuple(faces[:b]) + tuple(faces[b + 1:])
    outside = None
    if entry(rest)[0] is not None:
        found = None
        for prec in (128, 512, MAX_PREC):
            with working_precision(prec):
                found = outside_face(problem, faces, neurons, residual(rest, prec))
            if found is not None:
                break
        if found is None or found < 0:
            raise DegenerateProblemError(
                f"degenerate data: faces {', '.join(f.pattern for f in faces)} have a segment "
                "of interior solutions (two faces with identical face equations) " + (
                    "whose directions no precision places" if found is None else
                    "inside their faces: a segment of critical points, not reported yet")
                + " (docs/degenerate.md)")
        outside = faces[found].signs
    return Decision("segment", by=tuple(f.signs for f in rest),
                    segment=(faces[b].signs, faces[a].signs, outside))


__all__ = ["identical_faces", "outside_face", "settle_segment"]

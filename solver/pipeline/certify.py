"""Merge and verify, part 1: certify neuron-level critical points as local minima.

Let ``theta`` be a point whose alive units sit in the relative interiors of faces and
whose other units are dead (``a_l = 0 = w_l``). Its loss is piecewise polynomial and
the regions around it are polyhedral cones, so it is a local minimum iff it is one of
every adjacent region's polynomial over that cone. We check, region by region:

1. **Multipliers** (first order). For an alive unit on the constraints ``Z`` (vectors
   ``h_i``, linearly independent), the gradient with every active point switched off is
   ``a_l * nu`` with ``nu = -2 sum_{i in P} r_i h_i + 2 dir`` and ``nu = sum mu_i h_i``.
   Turning point ``i`` on adds ``-2 a_l r_i h_i``, so every adjacent region is
   first-order non-decreasing iff ``sign(a) * mu_i <= 0`` and
   ``sign(a) * (mu_i - 2 r_i) >= 0``. We require both strictly: then the critical cone of
   every region is the face's span.
2. **Second order on the span.** With ``W_a = sum_l a_l v_l`` per neuron,
   ``loss = Lambda(W) + lam * sum_l (|a_l| - |w_l|)^2`` where
   ``Lambda(W) = |y - sum_a M_a W_a|^2 + 2 lam sum_a |W_a|_G``. So the point (and every
   point of its split set) is a local minimum on the span iff ``W`` is one of
   ``Lambda``; we require the Hessian of ``Lambda`` positive definite (exact entries:
   ``|W_a|_G = lam s_a``).
3. **Dead units** (needed only where some unit is dead). A dead unit changes the loss by
   ``-2 a phi(w) + lam (a^2 + |w|^2)`` to second order with
   ``phi(w) = sum_i r_i ReLU(<h_i, w>)``, and is decoupled from the others; it is a
   local minimum iff ``|phi| <= lam`` on the unit sphere, with equality only in the
   direction of a neuron (where the dead unit joins that neuron's split set). The
   maximum of ``|phi|`` is attained at the normalised projection of ``m_G`` onto the span
   of some face ``G`` of the arrangement; we check every face.

Every sign is decided rigorously in ball arithmetic with increasing precision; an
undecidable sign (an exact zero: a degenerate point) raises
:class:`~solver.errors.DegenerateProblemError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flint import arb, arb_mat, fmpq_mat

from solver.errors import DegenerateProblemError
from solver.pipeline import next_order
from solver.pipeline.divide import UnitFace
from solver.pipeline.locate.algebraic_point import FieldState, combination_sign, field_state
from solver.pipeline.locate.interior import QUICK_PREC
from solver.pipeline.locate.point import NeuronPoint
from solver.pipeline.numbers import sign_of, working_precision
from solver.problem import to_fmpq
from solver.results import Descent


@dataclass(frozen=True, slots=True)
class Certification:
    """Result of certifying one neuron point.

    ``alive_ok``: the alive configuration (and every split of it) is a local minimum.
    ``dead_ok``: configurations with extra dead units are local minima too.
    ``checks`` lists what was verified; ``descent`` says why not, when not (the first
    failed condition: first order, second order, or the dead units'). ``exact`` is the
    point with exact rational coordinates when an exactly zero multiplier needed them
    (the next-order test, :mod:`solver.pipeline.next_order`): report that one.
    """

    alive_ok: bool
    dead_ok: bool
    checks: tuple[str, ...]
    descent: Descent | None = None
    exact: NeuronPoint | None = None  # the point in exact form, when the test needed it

    @property
    def reason(self) -> str:
        """The descent's sentence for people, or ``""``."""
        return "" if self.descent is None else self.descent.reason


def certify(point: NeuronPoint, unit_faces: Sequence[UnitFace], need_dead: bool
            ) -> Certification:
    """Certify a neuron point (see the module docstring for the conditions).

    ``need_dead`` asks for the dead-unit condition (configurations with dead units).
    """
    checks: list[str] = []
    exact: list[NeuronPoint] = []
    descent = _multipliers(point, checks, exact) or _hessian(point, checks)
    if descent is not None:
        return Certification(False, False, tuple(checks), descent)
    if not need_dead:
        return Certification(True, False, tuple(checks), exact=exact[0] if exact else None)
    descent = _dead_units(point, unit_faces, checks)
    return Certification(True, descent is None, tuple(checks), descent)


def _dot(h: Sequence, v: Sequence[arb]) -> arb:
    return sum((arb(hi) * vi for hi, vi in zip(h, v)), arb(0))


def _multipliers(point: NeuronPoint, checks: list[str], exact: list[NeuronPoint]
                 ) -> Descent | None:
    """The first-order test, in the order of the faces and their constraints: first over
    the coarse box of a pending solution (no fine proof) while every sign decides there,
    then at rising precision (each sign decided coarsely is the exact sign, so both give
    the same verdict and checks)."""
    signs = point.coarse_first_order()
    if signs is not None:  # decided in float intervals over the coarse box
        found = []
        descent = _first_order_signs(point, found, signs)
        if descent is not _UNDECIDED:
            checks.extend(found)
            return descent
    coarse = point.coarse_values()
    if coarse is not None:
        found: list[str] = []
        with working_precision(QUICK_PREC + 32):
            descent = _first_order(point, found, lambda prec: coarse, coarse_only=True)
        if descent is not _UNDECIDED:
            checks.extend(found)
            return descent
    undecided: list[bool] = []
    descent = _first_order(point, checks, point.values, undecided=undecided)
    # an exactly zero multiplier: the next-order test (docs/degenerate.md, section 4')
    if descent is not None or not undecided:
        return descent
    descent, exact_point = next_order.decide_flat(point, checks)
    exact.append(exact_point)
    return descent


_UNDECIDED = object()  # a coarse sign that did not decide


def _first_order_signs(point: NeuronPoint, checks: list[str], signs):
    """:func:`_first_order` over the coarse box from the multipliers' signs decided
    there (:meth:`NeuronPoint.coarse_first_order`: a row ``(sign of sigma mu_j, sign of
    sigma (mu_j - 2 r_i))`` per zero constraint, in order; ``0`` not decided): the same
    checks and descent, or :data:`_UNDECIDED` at the first sign it does not decide."""
    h = point.problem.lifted_q
    row = 0
    for face in point.faces:
        zero = face.zero
        if not zero:
            continue
        _independent(h, zero)
        for i in zero:
            off, on = signs[row]
            row += 1
            if off == 0 or on == 0:
                return _UNDECIDED
            if (descent := _switch(face, i, off, on)) is not None:
                return descent
        checks.append(_strict(face))
    return None


def _independent(h, zero: Sequence[int]) -> None:
    """Raise :class:`DegenerateProblemError` unless the rows ``h_i`` of ``zero`` are
    linearly independent."""
    rows = [h[i] for i in zero]
    if fmpq_mat(rows).rank() < len(rows):
        raise DegenerateProblemError(
            "degenerate data: more than d+1 data points on one hyperplane "
            "(points not in general position)"
        )


def _strict(face: UnitFace) -> str:
    """The check of a face whose multipliers are strict."""
    return (f"first order: strict KKT multipliers on face {face.pattern} "
            f"({len(face.zero)} constraint(s))")


def _first_order(point: NeuronPoint, checks: list[str], values, coarse_only: bool = False,
                 undecided: list[bool] | None = None):
    """The strict multipliers with ``values(prec)``: the first descent, or None (an
    exactly zero multiplier is noted in ``undecided`` and passed over); with
    ``coarse_only``, one evaluation and :data:`_UNDECIDED` at the first sign it does not
    decide."""
    h = point.problem.lifted_q
    m = len(h[0])
    for a, face in enumerate(point.faces):
        zero = face.zero
        if not zero:
            continue
        rows = [h[i] for i in zero]
        _independent(h, zero)
        sigma = point.signs[a]

        def mus(prec: int) -> list[arb]:
            vals = values(prec)
            nu = [
                2 * vals.directions[a][c]
                - 2 * sum((vals.residual[i] * arb(h[i][c]) for i in face.positive), arb(0))
                for c in range(m)
            ]
            gram = arb_mat([[_dot(hi, hj) for hj in rows] for hi in rows])
            rhs = arb_mat([[_dot(hi, nu)] for hi in rows])
            sol = gram.solve(rhs)
            return [sol[j, 0] for j in range(len(rows))]

        coarse = mus(0) if coarse_only else None
        flat = False  # a constraint passed over (decided exactly later)
        for j, i in enumerate(zero):
            if coarse is not None:
                off_v, on_v = sigma * coarse[j], sigma * (coarse[j] - 2 * values(0).residual[i])
                if not ((off_v > 0 or off_v < 0) and (on_v > 0 or on_v < 0)):
                    return _UNDECIDED
                off, on = (1 if off_v > 0 else -1), (1 if on_v > 0 else -1)
            else:
                # each side on its own: a wrong sign on one side is a descent even when the
                # other is flat (zero to 4096 bits: decided exactly later, if no descent)
                off = _side(lambda p, j=j: sigma * mus(p)[j])
                on = _side(lambda p, j=j, i=i: sigma * (mus(p)[j] - 2 * values(p).residual[i]))
                if off is None or on is None:
                    if (off or -1) < 0 < (on or 1):  # no decided wrong sign
                        if undecided is not None:
                            undecided.append(True)
                        flat = True
                        continue
                    off, on = off or -1, on or 1  # the decided side is the descent
            if (descent := _switch(face, i, off, on)) is not None:
                return descent
        if not flat:
            checks.append(_strict(face))
    return None


def _switch(face: UnitFace, i: int, off: int, on: int) -> Descent | None:
    """The descent that the decided signs ``off`` (``sigma mu_j``) and ``on``
    (``sigma (mu_j - 2 r_i)``) of constraint ``i`` of ``face`` show, or None."""
    if off > 0:
        return Descent.switch("off", face.pattern, i)
    if on < 0:
        return Descent.switch("on", face.pattern, i)
    return None


def _side(value_at) -> int | None:
    """The sign of a one-sided slope, or None when it is zero to 4096 bits."""
    try:
        return sign_of(value_at, "a KKT multiplier")
    except DegenerateProblemError:
        return None


def hessian_lambda(point: NeuronPoint, prec: int) -> arb_mat:
    """Hessian of the merged loss ``Lambda`` in the neurons' span coordinates."""
    neurons = point.neurons
    vals = point.values(prec)
    lam = arb(point.problem.lam_q)
    blocks = point.face_problem.blocks  # the neurons' blocks (no polynomial system)
    K = sum(nd.size for nd in neurons)
    H = [[arb(0)] * K for _ in range(K)]
    # 2 S
    for a, nda in enumerate(neurons):
        for b, ndb in enumerate(neurons):
            S_ab = nda.M.transpose() * ndb.M
            for i, bi in enumerate(blocks[a]):
                for j, bj in enumerate(blocks[b]):
                    H[bi][bj] += 2 * arb(S_ab[i, j])
    for a, nd in enumerate(neurons):
        G = nd.V.transpose() * nd.V
        s = vals.s[a]
        rho = lam * s
        # omega = s G^{-1} u ; G omega = s u
        g_omega = [s * vals.u[a][i] for i in range(nd.size)]
        for i, bi in enumerate(blocks[a]):
            for j, bj in enumerate(blocks[a]):
                H[bi][bj] += 2 * lam * (arb(G[i, j]) / rho - g_omega[i] * g_omega[j] / rho**3)
    return arb_mat(H)


def _hessian(point: NeuronPoint, checks: list[str]) -> Descent | None:
    if point.k == 0:
        return None
    K = sum(nd.size for nd in point.neurons)
    kept: dict[int, arb_mat] = {}  # the Hessian by precision, for every minor

    for size in range(1, K + 1):

        def minor(prec: int, size: int = size) -> arb:
            H = kept.get(prec)
            if H is None:
                H = kept[prec] = hessian_lambda(point, prec)
            return arb_mat([[H[i, j] for j in range(size)] for i in range(size)]).det()

        if sign_of(minor, "a Hessian minor") < 0:
            return Descent.hessian(size)
    checks.append(f"second order: merged Hessian positive definite ({K}x{K}, "
                  "all leading minors > 0)")
    return None


def _dead_units(point: NeuronPoint, faces: Sequence[UnitFace], checks: list[str]
                ) -> Descent | None:
    h = point.problem.lifted_q
    m = len(h[0])
    lam = arb(point.problem.lam_q)
    neuron_faces = {f.signs for f in point.faces}
    state: list[FieldState] = []  # the point's exact quantities, once a sign needs them
    for face in faces:
        if face.dim == 0 or face.signs in neuron_faces or not face.positive:
            continue
        V = [[to_fmpq(face.basis[r][j]) for j in range(face.dim)] for r in range(m)]
        Vm = fmpq_mat(V)
        G_inv = (Vm.transpose() * Vm).inv()

        def projection(prec: int) -> list[arb]:
            r = point.values(prec).residual
            mvec = [sum((r[i] * arb(h[i][c]) for i in face.positive), arb(0)) for c in range(m)]
            vt_m = [sum((arb(V[c][j]) * mvec[c] for c in range(m)), arb(0))
                    for j in range(face.dim)]
            coef = [sum((arb(G_inv[j, q]) * vt_m[q] for q in range(face.dim)), arb(0))
                    for j in range(face.dim)]
            return [sum((arb(V[c][j]) * coef[j] for j in range(face.dim)), arb(0))
                    for c in range(m)]

        def exact(i: int, Vm=Vm, G_inv=G_inv, face=face) -> int:
            """The exact sign of ``<h_i, P_G m_G>``, a combination of residuals."""
            if not state:
                state.append(field_state(point)[1])
            left = fmpq_mat([list(h[i])]) * Vm * G_inv
            return combination_sign([((left * Vm.transpose() * fmpq_mat(m, 1, list(h[j])))[0, 0],
                                      state[0].residual[j]) for j in face.positive])

        def excess(prec: int) -> arb:
            u = projection(prec)
            return sum((v * v for v in u), arb(0)) - lam * lam

        try:
            if sign_of(excess, "a dead-unit bound") < 0:
                continue
        except DegenerateProblemError:
            # |P_G m_G| = lam exactly: the face matters only if +-u_G lies in it
            # (docs/degenerate.md, section 5); a tie with a neuron's face up to points of
            # zero residual puts u_G, the neuron's direction, outside G
            if not any(_inside(h, face, projection, sgn, exact) for sgn in (1, -1)):
                continue
            raise DegenerateProblemError(
                f"degenerate data: a dead unit at exact equality |phi| = lam in a direction "
                f"inside face {face.pattern}, which is no neuron's (decided at third order)"
            ) from None
        # the bound is reached only if +-u lies in the face
        for sgn in (1, -1):
            if _inside(h, face, projection, sgn, exact):
                return Descent.dead(face.pattern)
    checks.append(
        "dead units: |sum_i r_i ReLU(<h_i,w>)| < lam on the unit sphere except at the neurons' "
        f"directions ({len(faces) - 1} faces checked)"
    )
    return None


def _inside(h, face: UnitFace, projection, sgn: int, exact) -> bool:
    """Whether ``sgn * u`` (``projection(prec)`` in balls) lies in the relative interior of
    ``face``: False as soon as one pre-activation has a wrong sign, decided in balls or,
    where they cannot, exactly (``exact(i)``; an exactly zero one where the face wants a
    sign puts ``u`` on the face's boundary, in a lower face that is checked on its own)."""
    undecided = []
    for i, want in enumerate(face.signs):
        if want == 0:
            continue
        try:
            got = sign_of(lambda p, i=i: sgn * _dot(h[i], projection(p)),
                          "a dead-unit direction")
        except DegenerateProblemError:
            undecided.append((i, want))  # a decided wrong sign further on may settle it
            continue
        if got != want:
            return False
    return all(sgn * exact(i) == want for i, want in undecided)

"""The face system of a box-described point, rebuilt from the data, and its Krawczyk proof.

A point with coordinates ``s_j`` whose ``"minpoly"`` is null is, together, the unique
solution in the box of their intervals of their units' face equations
(:mod:`solver.verify.box`). The checker rebuilds that system from the data and the
point's pattern, independently of the solver's form of it. For alive unit ``l``
with zeros ``Z_l`` and seen points ``P_l``: ``Pi_l`` projects onto ``{w : <w, x~_i> = 0,
i in Z_l}``, ``X_l`` has the rows ``x~_i`` for ``i in P_l`` (others 0), ``P_l = X_l Pi_l
X_l^T``, and with ``t_l = a_l^2 / lam``

    F_l(t) = r^T P_l r - lam^2 = 0,   (I + sum_m t_m P_m) r = y,
    dF_l/dt_m = -2 (P_l r)^T (I + sum t P)^{-1} (P_m r).

The Krawczyk test (``arb`` balls, :func:`prove_box`) proves that the box holds exactly one
zero (or none), and :func:`refine` shrinks the enclosure of that zero. At the zero,
``u_l = Pi_l X_l^T r`` is unit ``l``'s direction: the point is critical by construction.

Examples
--------
One unit seeing the point ``x = 0`` (``x~ = (0, 1)``) with ``y = 1``, ``lam = 1/2``: the
equation ``r^2 = 1/4`` with ``r = 1/(1 + t)`` has the zero ``t = 1``.

>>> from fractions import Fraction as F
>>> prob = Problem(((F(0), F(1)),), (F(1),), F(1, 2), 1)
>>> system = FaceSystem(prob, ["+"], [0])
>>> prove_box(system, [0], {}, [(F(9, 10), F(11, 10))], 128)[0]
'unique'
>>> prove_box(system, [0], {}, [(F(2), F(3))], 128)[0]
'none'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from flint import arb, arb_mat, ctx, fmpq_mat, fmpq_mpoly, fmpq_mpoly_ctx

from solver.verify.arrangement import Problem, projector
from solver.verify.field import to_fmpq


def hull(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing the rational interval ``[lo, hi]``."""
    return arb(to_fmpq(lo)).union(arb(to_fmpq(hi)))


def sign(ball: arb) -> int | None:
    """The sign of a ball, or None when it contains 0 (and is not exactly 0)."""
    if ball > 0:
        return 1
    if ball < 0:
        return -1
    return 0 if ball.is_zero() else None


class FaceSystem:
    """The face equations of the alive units, rebuilt from the data and the pattern."""

    def __init__(self, prob: Problem, pattern: list[str], alive: list[int]) -> None:
        self.prob, self.alive = prob, list(alive)
        n, k = prob.n, prob.k
        self.zero = {ell: [i for i in range(n) if pattern[ell][i] == "0"] for ell in alive}
        self.plus = {ell: [i for i in range(n) if pattern[ell][i] == "+"] for ell in alive}
        self.proj: dict[int, list[list[Fraction]]] = {}
        self.XPi: dict[int, fmpq_mat] = {}   # n x k: u_l = XPi_l^T r (Pi_l is symmetric)
        self.P: dict[int, fmpq_mat] = {}
        for ell in alive:
            proj = projector([prob.xt[i] for i in self.zero[ell]], k)
            seen = set(self.plus[ell])
            X = fmpq_mat(n, k, [to_fmpq(prob.xt[i][j]) if i in seen else 0
                                for i in range(n) for j in range(k)])
            Pi = fmpq_mat(k, k, [to_fmpq(v) for row in proj for v in row])
            self.proj[ell], self.XPi[ell] = proj, X * Pi
            self.P[ell] = self.XPi[ell] * X.transpose()
        self.y = fmpq_mat(n, 1, [to_fmpq(v) for v in prob.y])
        self._balls: tuple[int, dict[int, arb_mat], arb_mat, arb_mat] | None = None

    def _mats(self) -> tuple[dict[int, arb_mat], arb_mat, arb_mat]:
        """``P_l``, ``y`` and ``I`` as balls at the current precision (cached)."""
        if self._balls is None or self._balls[0] != ctx.prec:
            n = self.prob.n
            eye = arb_mat(n, n)
            for i in range(n):
                eye[i, i] = arb(1)
            self._balls = (ctx.prec, {ell: arb_mat(p) for ell, p in self.P.items()},
                           arb_mat(self.y), eye)
        return self._balls[1], self._balls[2], self._balls[3]

    def residual(self, t: dict[int, arb]) -> tuple[arb_mat, arb_mat]:
        """``A = I + sum t_l P_l`` and ``r = A^{-1} y`` (``ZeroDivisionError`` if not proved
        invertible)."""
        P, y, eye = self._mats()
        A = eye
        for ell, value in t.items():
            A = A + P[ell] * value
        return A, A.solve(y)

    def equations(self, t: dict[int, arb], rows: list[int]) -> list[arb]:
        """``F_l`` for the units ``rows``."""
        P, _, _ = self._mats()
        _, r = self.residual(t)
        lam = arb(to_fmpq(self.prob.lam))
        return [(r.transpose() * P[ell] * r)[0, 0] - lam * lam for ell in rows]

    def jacobian(self, t: dict[int, arb], rows: list[int]) -> arb_mat:
        """``dF_l/dt_m`` for ``l, m`` in ``rows`` (symmetric)."""
        P, _, _ = self._mats()
        A, r = self.residual(t)
        Q = arb_mat(self.prob.n, len(rows))
        for c, ell in enumerate(rows):
            q = P[ell] * r
            for i in range(self.prob.n):
                Q[i, c] = q[i, 0]
        return (Q.transpose() * A.solve(Q)) * arb(-2)

    def directions(self, r: arb_mat) -> dict[int, list[arb]]:
        """``u_l = Pi_l X_l^T r`` per alive unit."""
        out = {}
        for ell in self.alive:
            u = arb_mat(self.XPi[ell]).transpose() * r
            out[ell] = [u[j, 0] for j in range(self.prob.k)]
        return out


def face_relations(system: FaceSystem, variables: dict[int, str]) -> tuple:
    """The face equations' numerators (:func:`face_numerators`) as relation hints for
    :func:`~solver.verify.number_field.build_field`: ``(variable order, sorted terms)`` each."""
    order = tuple(variables.values())
    return tuple((order, tuple(sorted(p.to_dict().items())))
                 for p in face_numerators(system, variables).values())


def face_numerators(system: FaceSystem, variables: dict[int, str]) -> dict[int, fmpq_mpoly]:
    """The numerators ``N_l`` of the face equations ``F_l`` as exact polynomials.

    ``variables`` names the ``t`` of every alive unit. With ``A = I + sum t_m P_m``,
    ``w = adj(A) y`` (fraction-free elimination) and ``D = det A``:
    ``N_l = w^T P_l w - lam^2 D^2``.
    """
    order = tuple(variables[ell] for ell in system.alive)
    ring = fmpq_mpoly_ctx.get(order, "lex")
    gens = dict(zip(system.alive, ring.gens(), strict=True))
    n = system.prob.n
    M = [[ring.constant(int(i == j)) for j in range(n)] + [ring.constant(system.y[i, 0])]
         for i in range(n)]
    for ell in system.alive:
        for i in range(n):
            for j in range(n):
                if system.P[ell][i, j] != 0:
                    M[i][j] += gens[ell] * system.P[ell][i, j]
    prev = ring.constant(1)
    for k in range(n - 1):  # Bareiss: the pivots are leading minors of A, never 0
        for i in range(k + 1, n):
            for j in range(k + 1, n + 1):
                M[i][j] = (M[k][k] * M[i][j] - M[i][k] * M[k][j]) / prev
        prev = M[k][k]
    det = M[n - 1][n - 1]
    w = [ring.constant(0)] * n
    for i in range(n - 1, -1, -1):
        acc = det * M[i][n] - sum((M[i][j] * w[j] for j in range(i + 1, n)), ring.constant(0))
        w[i] = acc / M[i][i]
    lam2 = to_fmpq(system.prob.lam) ** 2
    out = {}
    for ell in system.alive:
        P = system.P[ell]
        quad = sum((w[i] * P[i, j] * w[j] for i in range(n) for j in range(n) if P[i, j] != 0),
                   ring.constant(0))
        out[ell] = quad - det * det * lam2
    return out


def _step(system: FaceSystem, rows: list[int], fixed: dict[int, arb], X: list[arb]
          ) -> list[arb]:
    """The Krawczyk image ``K(X) = m - Y F(m) + (I - Y J(X)) (X - m)``.

    Every zero of the equations in ``X`` lies in ``K(X)``; ``K(X)`` inside the interior of
    ``X`` proves exactly one. Raises ``ZeroDivisionError`` when a matrix is not invertible.
    """
    k = len(rows)
    mid = [arb(x.mid()) for x in X]
    at = lambda s: {**fixed, **dict(zip(rows, s, strict=True))}  # noqa: E731
    Fm = arb_mat(k, 1, system.equations(at(mid), rows))
    Yb = system.jacobian(at(mid), rows).inv()
    Y = arb_mat([[arb(Yb[i, j].mid()) for j in range(k)] for i in range(k)])
    JX = system.jacobian(at(X), rows)
    eye = arb_mat([[arb(int(i == j)) for j in range(k)] for i in range(k)])
    delta = arb_mat(k, 1, [x - m for x, m in zip(X, mid, strict=True)])
    K = arb_mat(k, 1, mid) - Y * Fm + (eye - Y * JX) * delta
    return [K[j, 0] for j in range(k)]


MAX_PREC = 8192  # working precision cap for the Krawczyk proof


def start_precision(box: Sequence[tuple[Fraction, Fraction]]) -> int:
    """Enough bits to resolve the box: its relative width, plus a margin.

    A box of relative width ``2^-300`` needs ``300 + 64`` bits; a wide one the floor, 128:

    >>> start_precision([(Fraction(1), 1 + Fraction(1, 2**300))])
    364
    >>> start_precision([(Fraction(1), Fraction(2))])
    128
    """
    bits = 0
    for lo, hi in box:
        mid, width = abs(lo + hi) / 2, hi - lo
        size = (mid.numerator.bit_length() - mid.denominator.bit_length()) if mid else 0
        bits = max(bits, size - (width.numerator.bit_length() - width.denominator.bit_length()))
    return min(max(128, bits + 64), MAX_PREC)


def prove_doubling(system: FaceSystem, rows: list[int], fixed: Callable[[int], dict[int, arb]],
                   box: list[tuple[Fraction, Fraction]], prec0: int) -> tuple[str, object, int]:
    """:func:`prove_box` from ``prec0`` bits, doubling while undecided up to ``4 prec0``
    (at most :data:`MAX_PREC`); ``fixed(prec)`` gives the fixed units' balls. Returns the
    status, its information and the precision it was decided at."""
    prec = prec0
    while True:
        status, info = prove_box(system, rows, fixed(prec), box, prec)
        if status != "unknown" or prec >= min(4 * prec0, MAX_PREC):
            return status, info, prec
        prec *= 2


def prove_box(system: FaceSystem, rows: list[int], fixed: dict[int, arb],
              box: list[tuple[Fraction, Fraction]], prec: int, rounds: int = 40
              ) -> tuple[str, object]:
    """Decide whether the rational ``box`` holds exactly one zero of ``F_rows``.

    ``rows[j]`` is the unit whose ``t`` is coordinate ``j`` of the box; ``fixed`` gives the
    other alive units' ``t`` (balls). Iterates ``X <- K(X) & X`` (all zeros stay inside):
    returns ``("unique", enclosure)`` once ``K(X)`` is inside the interior of ``X``,
    ``("none", j)`` when ``K(X)`` misses ``X`` in coordinate ``j`` (no zero in the box),
    and ``("unknown", reason)`` otherwise.
    """
    with ctx.workprec(prec):
        X = [hull(lo, hi) for lo, hi in box]
        for _ in range(rounds):
            try:
                K = _step(system, rows, fixed, X)
            except ZeroDivisionError:
                return "unknown", "a Jacobian or I + sum t_l P_l is not invertible on the box"
            if all(k.lower() > x.lower() and k.upper() < x.upper()
                   for k, x in zip(K, X, strict=True)):
                return "unique", K
            new = []
            for j, (k, x) in enumerate(zip(K, X, strict=True)):
                lo, hi = max(k.lower(), x.lower()), min(k.upper(), x.upper())
                if lo > hi:
                    return "none", j
                new.append(lo.union(hi))
            if all(nx.rad() >= 0.99 * x.rad() for nx, x in zip(new, X, strict=True)):
                return "unknown", "the Krawczyk operator does not contract the box"
            X = new
    return "unknown", f"no proof after {rounds} Krawczyk steps"


def refine(system: FaceSystem, rows: list[int], fixed: dict[int, arb], Z: list[arb],
           prec: int) -> list[arb]:
    """Shrink a proved enclosure ``Z`` of the unique zero to about ``prec`` bits."""
    with ctx.workprec(prec + 32):
        for _ in range(12 + prec // 32):
            if all(z.rel_accuracy_bits() >= prec for z in Z):
                break
            try:
                K = _step(system, rows, fixed, Z)
            except ZeroDivisionError:
                break
            new = []
            for k, z in zip(K, Z, strict=True):
                lo, hi = max(k.lower(), z.lower()), min(k.upper(), z.upper())
                new.append(lo.union(hi) if lo <= hi else z)  # (cannot happen: Z holds the zero)
            if all(n.rad() >= z.rad() for n, z in zip(new, Z, strict=True)):
                break
            Z = new
    return Z

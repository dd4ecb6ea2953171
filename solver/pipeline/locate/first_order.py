"""The first-order (KKT multiplier) signs of many located face sets at once, in float64
intervals over their coarse boxes.

Certification (:func:`solver.pipeline.certify.certify`) first tests the strict KKT
multipliers of a point in its faces: for neuron ``a`` on the constraints ``Z`` (rows
``h_i``, ``i`` in the face's zero set), ``nu = 2 dir_a - 2 sum_{i in P} r_i h_i``, the
multipliers ``mu`` solve ``(H_Z H_Z^T) mu = H_Z nu``, and constraint ``j`` (point ``i``)
needs ``sigma mu_j < 0`` (switching ``i`` off does not descend) and
``sigma (mu_j - 2 r_i) > 0`` (nor switching it on). Most located sets fail this test,
so it decides most certifications. :func:`first_order_signs` encloses both quantities
for a whole group of face sets (same block sizes) over their proved coarse boxes, with
the rigorous interval arithmetic of :mod:`solver.pipeline.locate.coarse`: a sign it
decides is the exact sign at the interior solution (the box holds it), as the ``arb``
balls over the same box would decide it, and ``0`` where it does not decide (then
certification asks the balls as before). So the verdict and the checks are unchanged.

Examples
--------
>>> import numpy as np
>>> from solver.pipeline.locate.intervals import exact
>>> lifted = exact(np.array([[0.0, 1.0], [1.0, 1.0]]))   # h_0 = (0, 1), h_1 = (1, 1)
>>> w = exact(np.array([[[0.5]]]))                        # one set, one neuron, w = 1/2
>>> V = [exact(np.array([[[1.0], [1.0]]]))]               # its direction (1/2, 1/2)
>>> r = exact(np.array([[[0.1], [0.25]]]))                # the residual at the point
>>> wants = [np.array([[0, 1]], dtype=np.int8)]           # zero at point 0, sees point 1
>>> sigmas = np.array([[1]])
>>> # nu = 2 (1/2, 1/2) - 2 (1/4) (1, 1) = (1/2, 1/2); mu = <h_0, nu> / |h_0|^2 = 1/2 > 0,
>>> # mu - 2 r_0 = 3/10 > 0: switching point 0 off descends
>>> first_order_signs(w, V, wants, sigmas, r, lifted, np.array([True])).tolist()
[[[1, 1]]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.pipeline.locate.intervals import (
    Interval,
    add,
    exact,
    matmul,
    mul,
    rounded,
    solve_enclosed,
    sub,
)


def first_order_signs(w: Interval, V: Sequence[Interval], wants: Sequence[np.ndarray],
                      sigmas: np.ndarray, r: Interval, lifted: Interval,
                      ok: np.ndarray) -> np.ndarray:
    """The decided signs of ``sigma mu_j`` and ``sigma (mu_j - 2 r_i)`` (module docstring)
    for ``N`` face sets with ``k`` neurons: an ``(N, Z, 2)`` int8 array, ``Z`` the number
    of zero constraints of every set's faces (rows in the order of the faces, then of the
    face's zero points), ``0`` where not decided (or where ``ok`` is False).

    ``w`` is ``G^{-1} u`` over the boxes (``(N, K, 1)``), ``V[a]`` the neurons' ``V_a``
    (``(N, m, k_a)``), ``wants[a]`` their faces' sign vectors (``(N, n)``), ``sigmas`` the
    neurons' signs of ``a`` (``(N, k)``, decided), ``r`` the residual (``(N, n, 1)``),
    ``lifted`` the points ``(x_i, 1)`` (``(n, m)``); the sets of one call have the same
    number of zero points per neuron.
    """
    N = len(sigmas)
    lifted_t = (lifted[0].T, lifted[1].T)
    out = []
    start = 0
    for a, want in enumerate(wants):
        size = V[a][0].shape[-1]
        blk = slice(start, start + size)
        start += size
        zero = want == 0
        nz = int(zero[0].sum()) if N else 0
        if nz == 0:
            continue
        zidx = np.nonzero(zero)[1].reshape(N, nz)  # each row in increasing order
        direction = matmul(V[a], (w[0][:, blk], w[1][:, blk]))  # (N, m, 1)
        seen = (want > 0).astype(float)[:, :, None]
        hr = matmul(lifted_t, mul(r, (seen, np.zeros_like(seen))))  # sum_P r_i h_i
        nu = sub(direction, hr)
        nu = (2 * nu[0], 2 * nu[1])  # exact doubling
        rows = (lifted[0][zidx], lifted[1][zidx])  # (N, nz, m)
        rows_t = (rows[0].transpose(0, 2, 1), rows[1].transpose(0, 2, 1))
        mu, proved = solve_enclosed(matmul(rows, rows_t), matmul(rows, nu))  # (N, nz, 1)
        r_z = (np.take_along_axis(r[0][:, :, 0], zidx, 1)[:, :, None],
               np.take_along_axis(r[1][:, :, 0], zidx, 1)[:, :, None])
        on = sub(mu, (2 * r_z[0], 2 * r_z[1]))
        sigma = sigmas[:, a][:, None]
        good = (ok & proved)[:, None]
        out.append(np.stack([_sign(sigma * mu[0][:, :, 0], mu[1][:, :, 0], good),
                             _sign(sigma * on[0][:, :, 0], on[1][:, :, 0], good)], axis=2))
    if not out:
        return np.zeros((N, 0, 2), dtype=np.int8)
    return np.concatenate(out, axis=1)


def group_signs(w: Interval, Vs: Sequence[Interval], wants: Sequence[np.ndarray],
                sigmas: np.ndarray, r: Interval, lifted: Interval, ok: np.ndarray,
                signs: Sequence) -> list[np.ndarray | None]:
    """:func:`first_order_signs` of every set of a group whose face signs ``signs`` are
    decided (a tuple; None for the others), the sets with the same zero counts per neuron
    together."""
    out: list[np.ndarray | None] = [None] * len(sigmas)
    decided = [j for j, sg in enumerate(signs) if isinstance(sg, tuple)]
    if not decided:
        return out
    counts = np.stack([np.sum(want == 0, axis=1) for want in wants], axis=1)
    by_counts: dict[tuple, list[int]] = {}
    for j in decided:
        by_counts.setdefault(tuple(counts[j].tolist()), []).append(j)
    for members in by_counts.values():
        idx = np.array(members)
        found = first_order_signs((w[0][idx], w[1][idx]), [(V[0][idx], V[1][idx]) for V in Vs],
                                  [want[idx] for want in wants], sigmas[idx],
                                  (r[0][idx], r[1][idx]), lifted, ok[idx])
        for j, row in zip(members, found):
            out[j] = row
    return out


def _sign(mid: np.ndarray, rad: np.ndarray, good: np.ndarray) -> np.ndarray:
    """``1`` / ``-1`` where the interval ``mid +- rad`` is surely positive / negative and
    ``good``, else ``0`` (NaN decides nothing)."""
    return np.where(good & (mid > rad), 1, np.where(good & (mid < -rad), -1, 0)).astype(np.int8)


def decoupled_signs(sets: Sequence[tuple], entry, floats) -> dict[tuple, np.ndarray]:
    """:func:`first_order_signs` of decoupled face sets (``(key, faces)``, their parts
    solved apart, ``M_a^T M_b = 0`` between them) whose points lie in their faces, by key:
    each neuron's ``w`` is its part's over the part's coarse box, and
    ``r = y - sum_p M_p T_p u_p = sum_p r_p - (P - 1) y``; ``entry`` gives a set's entry
    (:meth:`~solver.pipeline.locate.enumerator.NeuronEnumerator.entry`), ``floats`` is the
    problem's :class:`~solver.pipeline.locate.coarse_data.ProblemFloats`. A set some of
    whose parts have no enclosures is left out."""
    groups: dict[tuple, list] = {}
    for key, faces in sets:
        roots, signs = entry(faces)
        if roots is None or signs is None:
            continue
        sols = [getattr(root, "solution", None) for root in roots]
        coarse = [getattr(sol, "coarse", None) for sol in sols]
        if any(c is None or c.state is None for c in coarse):
            continue
        w = [(c.state[0][_block(sol, root)], c.state[1][_block(sol, root)])
             for root, sol, c in zip(roots, sols, coarse)]
        parts = list({id(sol): c.state for sol, c in zip(sols, coarse)}.values())
        set_floats = floats.of_set(key)
        shape = (tuple(V.shape[1] for V in set_floats.V),
                 tuple(int(np.sum(want == 0)) for want in set_floats.wants), len(parts))
        groups.setdefault(shape, []).append((key, w, parts, signs, set_floats))
    lifted, y = rounded(floats.lifted), rounded(floats.y)
    out = {}
    for (_, _, P), members in groups.items():
        w = tuple(np.concatenate([np.concatenate([b[i] for b in m[1]])[None, :, None]
                                  for m in members]) for i in (0, 1))
        r = mul(exact(np.array(1.0 - P)), y)  # - (P - 1) y, then + every part's r
        for p in range(P):
            r = add(r, (np.stack([m[2][p][2] for m in members]),
                        np.stack([m[2][p][3] for m in members])))
        k = len(members[0][3])
        cols = np.array([m[4].cols for m in members], dtype=np.int64).reshape(-1, k)
        sizes = [V.shape[1] for V in members[0][4].V]
        V = [rounded(floats.stacked("V", sizes[a], cols[:, a])) for a in range(k)]
        wants = [floats.stacked("wants", sizes[a], cols[:, a]) for a in range(k)]
        found = first_order_signs(w, V, wants, np.array([m[3] for m in members]),
                                  (r[0][:, :, None], r[1][:, :, None]), lifted,
                                  np.ones(len(members), dtype=bool))
        out.update(zip([m[0] for m in members], found))
    return out


def _block(solution, root) -> slice:
    """The rows of ``w`` of one coordinate of a located solution."""
    block = solution.face_problem.blocks[root.index]
    return slice(block.start, block.stop)

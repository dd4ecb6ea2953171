"""The float64 data of many face sets at once, gathered by index from kept blocks.

The float stage (:mod:`solver.pipeline.locate.minimise`) and the coarse proofs
(:mod:`solver.pipeline.locate.coarse`) read a face set's ``S = M^T M``, ``z = M^T y`` and
block-diagonal ``G^{-1}`` in float64, each entry its exact value rounded once.
:class:`FloatBlocks` keeps those of each face (``M_a^T y``, ``G_a^{-1}``) and of each pair
of faces (``M_a^T M_b``, the exact block kept in ``products`` as
:func:`~solver.pipeline.face_systems.stacked_products` keeps it), and assembles the
arrays of a whole group of sets with equal block sizes by NumPy indexing: each face gets
a *column*, each pair's block a row of a pool, and a group is a few gathers.

Examples
--------
>>> from flint import fmpq_mat
>>> from types import SimpleNamespace as NS
>>> a = NS(size=1, M=fmpq_mat([[1], [0]]), Mt=fmpq_mat([[1, 0]]), G_inv=fmpq_mat([[1]]),
...        face=NS(signs=(1, 0)))
>>> b = NS(size=1, M=fmpq_mat([[1], [1]]), Mt=fmpq_mat([[1, 1]]), G_inv=fmpq_mat([[3]]),
...        face=NS(signs=(1, 1)))
>>> blocks = FloatBlocks({}, fmpq_mat([[2], [3]]))
>>> S, z, G = blocks.gather([[a, b], [b, a]], (1, 1))
>>> S.tolist()           # M_a^T M_a = 1, M_a^T M_b = 1, M_b^T M_b = 2
[[[1.0, 1.0], [1.0, 2.0]], [[2.0, 1.0], [1.0, 1.0]]]
>>> z.tolist()           # M_a^T y = 2, M_b^T y = 5
[[2.0, 5.0], [5.0, 2.0]]
>>> G[1].tolist()        # blockdiag(G_b^{-1}, G_a^{-1})
[[3.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np
from flint import fmpq_mat


class FloatBlocks:
    """Float blocks of the faces (by the data objects' ids) and of their pairs, kept for
    every face set of one problem (module docstring); ``products`` holds the exact
    blocks, shared with the sets' exact ``S`` and ``z``."""

    def __init__(self, products: dict, y: fmpq_mat) -> None:
        self.products, self.y = products, y
        self._column: dict[int, int] = {}
        self._nds: list = []  # by column (keeps every face's data, so its id, alive)
        self._own: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # size -> z, G by column
        self._slot = np.full((0, 0), -1, dtype=np.int64)  # pair -> row of its size pool
        self._pools: dict[tuple[int, int], tuple[np.ndarray, int]] = {}  # (array, used)

    def gather(self, sets: Sequence[Sequence], sizes: Sequence[int],
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``S`` (``N x K x K``), ``z`` (``N x K``) and ``G^{-1}`` (``N x K x K``) of the
        face sets ``sets`` (each a sequence of neuron data with these block ``sizes``)."""
        cols = np.array([[self._col(nd) for nd in nds] for nds in sets], dtype=np.int64)
        cols = cols.reshape(len(sets), len(sizes))
        starts = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        N, K = len(sets), starts[-1]
        S, z, G = np.empty((N, K, K)), np.empty((N, K)), np.zeros((N, K, K))
        for a, sa in enumerate(sizes):
            rows = slice(starts[a], starts[a + 1])
            own_z, own_G = self._own[sa]
            z[:, rows] = own_z[cols[:, a]]
            G[:, rows, rows] = own_G[cols[:, a]]
            for b, sb in enumerate(sizes):
                S[:, rows, starts[b]:starts[b + 1]] = self._pairs(cols[:, a], cols[:, b], sa, sb)
        return S, z, G

    def _col(self, nd) -> int:
        """The column of a face (its own blocks made when first seen)."""
        found = self._column.get(id(nd))
        if found is None:
            found = self._column[id(nd)] = len(self._nds)
            self._nds.append(nd)
            size = nd.size
            own_z, own_G = self._own.get(size, (np.empty((0, size)), np.empty((0, size, size))))
            if len(own_z) <= found:
                grow = max(2 * len(own_z), found + 16)
                own_z = np.concatenate([own_z, np.empty((grow - len(own_z), size))])
                own_G = np.concatenate([own_G, np.empty((grow - len(own_G), size, size))])
                self._own[size] = own_z, own_G
            key = (nd.face.signs,)  # M_a^T y, exact, as stacked_products keeps it
            zy = self.products.get(key)
            if zy is None:
                zy = self.products[key] = nd.Mt * self.y
            own_z[found] = to_floats(zy)[:, 0]
            own_G[found] = to_floats(nd.G_inv)
        return found

    def _pairs(self, ca: np.ndarray, cb: np.ndarray, sa: int, sb: int) -> np.ndarray:
        """The blocks ``M_a^T M_b`` (``len(ca) x sa x sb``) of the face pairs of columns
        ``(ca, cb)``, the missing ones made first (the transpose of a kept block, entry
        for entry, or every exact entry rounded, all in one conversion)."""
        if len(self._slot) < len(self._nds):
            grown = np.full((2 * len(self._nds),) * 2, -1, dtype=np.int64)
            grown[:len(self._slot), :len(self._slot)] = self._slot
            self._slot = grown
        slot = self._slot
        rows = slot[ca, cb]
        missing = rows < 0
        if missing.any():
            pairs = sorted(set(zip(ca[missing].tolist(), cb[missing].tolist())))
            made, exact = [], []
            for i, j in pairs:
                if slot[j, i] >= 0:
                    made.append(self._pools[(sb, sa)][0][slot[j, i]].T)
                else:
                    made.append(None)
                    exact.append((len(made) - 1, self._product(self._nds[i], self._nds[j])))
            if exact:
                flat = np.fromiter(map(float, chain.from_iterable(m.entries() for _, m in exact)),
                                   float, len(exact) * sa * sb).reshape(len(exact), sa, sb)
                for (pos, _), block in zip(exact, flat):
                    made[pos] = block
            pool, used = self._pools.get((sa, sb), (np.empty((0, sa, sb)), 0))
            if used + len(made) > len(pool):
                pool = np.concatenate([pool[:used],
                                       np.empty((max(used, 64) + len(made), sa, sb))])
            pool[used:used + len(made)] = np.array(made).reshape(len(made), sa, sb)
            for row, (i, j) in enumerate(pairs, start=used):
                slot[i, j] = row
            self._pools[(sa, sb)] = pool, used + len(made)
            rows = slot[ca, cb]
        return self._pools[(sa, sb)][0][rows]

    def _product(self, a, b) -> fmpq_mat:
        """``M_a^T M_b`` (kept in ``products`` as :func:`stacked_products` keeps it)."""
        key = (a.face.signs, b.face.signs)
        found = self.products.get(key)
        if found is None:
            found = self.products[key] = a.Mt * b.M
        return found


def stacked_floats(problems: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The problems' ``floats()`` stacked (``N x K x K``, ``N x K``, ``N x K x K``):
    the arrays :func:`~solver.pipeline.locate.face_problem.fill_floats` assembled when
    the problems all come from one of its groups (the same values, not copied when they
    are the whole group in order), else stacked here."""
    stack = getattr(problems[0], "_stack", None)
    if stack is not None:
        arrays = stack[0]
        index = [p._stack[1] if getattr(p, "_stack", None) is not None  # noqa: SLF001
                 and p._stack[0] is arrays else -1 for p in problems]  # noqa: SLF001
        if -1 not in index:
            if index == list(range(len(arrays[0]))):
                return arrays
            return arrays[0][index], arrays[1][index], arrays[2][index]
    floats = [p.floats() for p in problems]
    return (np.stack([f[0] for f in floats]), np.stack([f[1] for f in floats]),
            np.stack([f[2] for f in floats]))


def to_floats(m: fmpq_mat) -> np.ndarray:
    """A rational matrix rounded entry by entry to float64 (each to nearest)."""
    return np.fromiter(map(float, m.entries()), float, m.nrows() * m.ncols()).reshape(
        m.nrows(), m.ncols())

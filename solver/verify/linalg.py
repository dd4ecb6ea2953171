"""Exact rational linear algebra for the checker: small vectors and matrices of Fractions.

Examples
--------
>>> from fractions import Fraction as F
>>> [[str(v) for v in w] for w in kernel_basis([(F(1), F(1), F(0))], 3)]
[['-1', '1', '0'], ['0', '0', '1']]
>>> matrix_rank([(F(1), F(2)), (F(2), F(4))], 2)
1
"""

from __future__ import annotations

from fractions import Fraction

Vec = tuple[Fraction, ...]


def dot(u: Vec, v: Vec) -> Fraction:
    """Exact dot product."""
    return sum((a * b for a, b in zip(u, v, strict=True)), Fraction(0))


def kernel_basis(rows: list[Vec], k: int) -> list[Vec]:
    """A basis of ``{w in Q^k : <row, w> = 0 for every row}`` (Gaussian elimination)."""
    mat = [list(r) for r in rows]
    pivots: list[int] = []
    r = 0
    for col in range(k):
        piv = next((i for i in range(r, len(mat)) if mat[i][col] != 0), None)
        if piv is None:
            continue
        mat[r], mat[piv] = mat[piv], mat[r]
        mat[r] = [v / mat[r][col] for v in mat[r]]
        for i in range(len(mat)):
            if i != r and mat[i][col] != 0:
                f = mat[i][col]
                mat[i] = [a - f * b for a, b in zip(mat[i], mat[r], strict=True)]
        pivots.append(col)
        r += 1
    basis = []
    for free in (c for c in range(k) if c not in pivots):
        w = [Fraction(0)] * k
        w[free] = Fraction(1)
        for row, col in zip(mat, pivots, strict=False):
            w[col] = -row[free]
        basis.append(tuple(w))
    return basis


def matrix_rank(rows: list[Vec], k: int) -> int:
    """Rank of a list of rational vectors in Q^k."""
    return k - len(kernel_basis(rows, k))


def matrix_inverse(mat: list[list[Fraction]]) -> list[list[Fraction]]:
    """Inverse of a small invertible rational matrix (Gauss-Jordan)."""
    n = len(mat)
    aug = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(mat)]
    for col in range(n):
        piv = next(i for i in range(col, n) if aug[i][col] != 0)
        aug[col], aug[piv] = aug[piv], aug[col]
        aug[col] = [v / aug[col][col] for v in aug[col]]
        for i in range(n):
            if i != col and aug[i][col] != 0:
                f = aug[i][col]
                aug[i] = [a - f * b for a, b in zip(aug[i], aug[col], strict=True)]
    return [row[n:] for row in aug]


def projector(normals: list[Vec], k: int) -> list[list[Fraction]]:
    """Orthogonal projector onto ``{w : <w, v> = 0 for v in normals}``."""
    basis = kernel_basis(normals, k)
    if not basis:
        return [[Fraction(0)] * k for _ in range(k)]
    gram_inv = matrix_inverse([[dot(u, v) for v in basis] for u in basis])
    return [[sum((basis[a][i] * gram_inv[a][b] * basis[b][j]
                  for a in range(len(basis)) for b in range(len(basis))), Fraction(0))
             for j in range(k)] for i in range(k)]

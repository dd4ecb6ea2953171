"""Faces of one unit's central hyperplane arrangement, for the certificate checker.

Independent of the solver's enumeration: for unit ``l`` the hyperplanes
``{w : <w, (x_i, 1)> = 0}`` cut ``R^(d+1)`` into relatively open cones ("faces") of every
dimension, each labelled by its sign string over the points. Supported for ``d <= 2``
(``R^2`` or ``R^3``): rays are found in every hyperplane, the 2-dimensional faces by sorting
the rays inside each plane by angle, and the regions by lifting a 2-face's zero to ``+``
and ``-`` (every region has a facet); for ``d > 2`` the same idea by recursion on the
hyperplanes (:func:`_face_points`). Exact rational arithmetic throughout.

Examples
--------
>>> from fractions import Fraction as F
>>> faces = arrangement_faces(((F(0), F(1)), (F(1), F(1))))      # d = 1, two points
>>> len(faces), sorted(f.pattern for f in faces if f.dim == 2)
(9, ['++', '+-', '-+', '--'])
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key, lru_cache

from solver.verify.linalg import Vec, dot, kernel_basis, matrix_rank, projector


@dataclass(frozen=True, slots=True)
class Face:
    """A face: its sign string over the points and its dimension."""

    pattern: str
    dim: int

    @property
    def zeros(self) -> tuple[int, ...]:
        """Points whose hyperplane contains the face."""
        return tuple(i for i, s in enumerate(self.pattern) if s == "0")


def sign_string(w: Vec, xt: tuple[Vec, ...]) -> str:
    """Sign of ``<w, x~_i>`` for every point, as ``'+-0'`` characters."""
    return "".join("+" if (s := dot(w, x)) > 0 else "-" if s < 0 else "0" for x in xt)


def _angle_cmp(u: tuple[Fraction, Fraction], v: tuple[Fraction, Fraction]) -> int:
    """Compare two nonzero plane vectors by polar angle in [0, 2 pi)."""
    hu = 0 if u[1] > 0 or (u[1] == 0 and u[0] > 0) else 1
    hv = 0 if v[1] > 0 or (v[1] == 0 and v[0] > 0) else 1
    if hu != hv:
        return hu - hv
    cross = u[0] * v[1] - u[1] * v[0]
    return -1 if cross > 0 else (1 if cross < 0 else 0)


def _sector_points(rays: list[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, Fraction]]:
    """One interior point per open sector between consecutive rays of a plane."""
    rays = sorted(set(rays), key=cmp_to_key(_angle_cmp))
    if len(rays) == 2:  # one line: two half-planes
        p, q = rays[0]
        return [(-q, p), (q, -p)]
    return [(a[0] + b[0], a[1] + b[1]) for a, b in zip(rays, rays[1:] + rays[:1], strict=True)]


def _primitive(u: tuple[Fraction, Fraction]) -> tuple[Fraction, Fraction]:
    """Scale a plane vector so parallel same-direction vectors coincide."""
    s = max(abs(u[0]), abs(u[1]))
    return (u[0] / s, u[1] / s)


def arrangement_faces(xt: tuple[Vec, ...]) -> tuple[Face, ...]:
    """All faces (every dimension, the origin included) for points ``xt = (x_i, 1)``.

    For ``d > 2``, :func:`_face_points` (one point in every face, by recursion on the
    hyperplanes).

    >>> from fractions import Fraction as F
    >>> pts = tuple((F(a), F(b), F(1)) for a, b in [(0, 0), (1, 0), (0, 1)])
    >>> len(arrangement_faces(pts))      # 1 + 6 rays + 12 two-faces + 8 regions
    27
    """
    k = len(xt[0])
    faces: dict[str, int] = {"0" * len(xt): 0}
    two_faces: list[str] = []
    if k == 2:
        rays = [_primitive((s * x[1], -s * x[0])) for x in xt for s in (1, -1)]
        for ray in rays:
            faces[sign_string(ray, xt)] = 1
        for point in _sector_points(rays):
            faces[sign_string(point, xt)] = 2
    elif k == 3:
        for i, xi in enumerate(xt):
            # Coordinates in H_i: the first two (x~_i has last entry 1, so this is 1-1).
            def lift(p: tuple[Fraction, Fraction], xi: Vec = xi) -> Vec:
                return (p[0], p[1], -(p[0] * xi[0] + p[1] * xi[1]))

            rays = []
            for j, xj in enumerate(xt):
                cross = _cross(xi, xj)
                if j != i and any(cross):
                    rays += [_primitive((cross[0], cross[1])), _primitive((-cross[0], -cross[1]))]
            for ray in rays:
                faces[sign_string(lift(ray), xt)] = 1
            for point in _sector_points(rays):
                pattern = sign_string(lift(point), xt)
                faces[pattern] = 2
                two_faces.append(pattern)
        for pattern in two_faces:
            for s in "+-":
                faces[pattern.replace("0", s)] = 3
    else:
        for w in _face_points(xt, k):
            faces[sign_string(w, xt)] = 0  # dimensions from the zero sets, below
    # The sign string determines the face; its dimension is that of its zero set's span.
    out = [Face(p, k - matrix_rank([xt[i] for i, s in enumerate(p) if s == "0"], k)) for p in faces]
    return tuple(sorted(out, key=lambda f: (f.dim, f.pattern)))


def _face_points(vs: tuple[Vec, ...], k: int) -> list[Vec]:
    """A point in every face but the smallest of the central arrangement ``<w, v> = 0``
    (``v`` in ``vs``) in ``R^k``, any ``k``.

    The faces inside a hyperplane ``H = v^perp`` are the faces of the arrangement that the
    others cut in ``H`` (recursion, in a rational basis of ``H``); every region has a
    facet ``q`` in some ``H``, and ``q + e v`` for both signs of ``e`` with
    ``|e <v, v_j>| < |<q, v_j>|`` wherever ``<q, v_j> != 0`` keeps ``q``'s other signs and
    so lies in the regions on both sides of the facet.

    >>> from fractions import Fraction as F
    >>> len({sign_string(w, ((F(1),), (F(-1),))) for w in _face_points(((F(1),), (F(-1),)), 1)})
    2
    """
    nonzero = [v for v in vs if any(v)]
    if not nonzero:
        return [tuple(Fraction(int(j == 0)) for j in range(k))]  # the whole space, one face
    if k == 1:
        return [(Fraction(1),), (Fraction(-1),)]
    out: list[Vec] = []
    seen: set[Vec] = set()
    for v in nonzero:
        scale = next(c for c in v if c != 0)
        key = tuple(c / scale for c in v)
        if key in seen:  # one hyperplane per direction
            continue
        seen.add(key)
        basis = kernel_basis([v], k)  # k - 1 rational vectors spanning v^perp
        inner = tuple(tuple(dot(b, u) for b in basis) for u in vs)
        for p in _face_points(inner, k - 1):
            q = tuple(sum((p[j] * basis[j][c] for j in range(len(basis))), Fraction(0))
                      for c in range(k))
            out.append(q)
            bounds = [abs(dot(q, u)) / abs(dot(v, u)) for u in nonzero
                      if dot(q, u) != 0 and dot(v, u) != 0]
            e = min(bounds, default=Fraction(1)) / 2
            out += [tuple(a + e * b for a, b in zip(q, v, strict=True)),
                    tuple(a - e * b for a, b in zip(q, v, strict=True))]
    return out


def _cross(u: Vec, v: Vec) -> Vec:
    """Cross product in R^3."""
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def face_count_lines(xt: tuple[Vec, ...], units: int, reported: int | None) -> list[str]:
    """The completeness argument as far as counting goes, one line each."""
    from math import comb

    faces = arrangement_faces(xt)
    by_dim = [sum(1 for f in faces if f.dim == k) for k in range(len(xt[0]) + 1)]
    blind = sum(1 for f in faces if f.dim > 0 and "+" not in f.pattern)
    useful = len(faces) - blind
    counts = {
        "ordered tuples of unit faces": len(faces) ** units,
        "unordered (multisets of unit faces)": comb(len(faces) + units - 1, units),
        "ordered, after dropping blind units": useful ** units,
        "unordered, after dropping blind units": comb(useful + units - 1, units),
    }
    lines = [
        f"each unit's arrangement has {len(faces)} faces (by dimension 0..{len(by_dim) - 1}: "
        f"{', '.join(map(str, by_dim))}), computed independently",
        f"{blind} of them are non-origin faces where the unit sees no point strictly (P_l "
        "empty): there d loss/d a_l = 2 lam a_l, so a_l = 0, then w_l = 0 - no critical point "
        "off the origin",
    ]
    lines += [f"{name}: {value}" for name, value in counts.items()]
    if reported is not None:
        match = [name for name, value in counts.items() if value == reported]
        lines.append(f"stats.faces = {reported}: "
                     + (f"equals the count of {match[0]}" if match
                        else "matches none of these counts (informational, not a failure)"))
    return lines


@lru_cache(maxsize=8)
def face_projectors(xt: tuple[Vec, ...]) -> tuple[tuple[Face, list[list[Fraction]]], ...]:
    """Every face of positive dimension with the projector onto its linear span."""
    k = len(xt[0])
    return tuple((f, projector([xt[i] for i in f.zeros], k))
                 for f in arrangement_faces(xt) if f.dim > 0)

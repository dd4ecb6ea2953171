"""One number field for several algebraic numbers (primitive element), for the checker.

A result describes an isolated point with roots ``s0, s1, ...`` (each the unique real
root of its polynomial in its interval) and rational expressions in them. To decide
signs and zeros exactly, :func:`build_field` finds a primitive element ``w`` (a multiple
of ``s0 + k s1 + ...``): its minimal polynomial is the irreducible factor, vanishing at
``w``, of ``C(T) = prod (T - w_ab)`` over all pairs of conjugates (from integer power
sums), and ``s_j = G(w) / C'(w)`` (a rational univariate representation, ``G`` from
traces). Every ``s_j`` becomes a polynomial in ``w``, and the checker works in ``Q(w)``
with :class:`~solver.verify.field.RootField`. The polynomial ``C`` has degree
``deg s0 * deg s1`` and factoring it is slow for large degrees; when the caller passes two
relations vanishing at ``(s0, s_j)`` (the face equations, for a point with two neurons),
``s_j`` is found in ``Q(s0)`` from their first subresultant instead, and certified the same
way (a root of its polynomial, inside its interval).

Examples
--------
>>> from fractions import Fraction as F
>>> K, images = build_field([("s0", "s0**2 - 2", F(1), F(2)), ("s1", "s1**2 - 8", F(2), F(3))])
>>> K.sign(images["s1"] - 2 * images["s0"]), K.m.degree()     # s1 = 2 s0: one field
(0, 2)
>>> from solver.verify.field import parse_in_field
>>> K.sign(parse_in_field("1/(s0 - 1) - s0 - 1", K, images))  # 1/(sqrt2 - 1) = sqrt2 + 1
0
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import factorial

from flint import arb, ctx, fmpq, fmpq_mat, fmpq_poly, fmpz, fmpz_poly

from solver.verify.field import Elem, RootField, count_roots
from solver.verify.findings import NotSupported
from solver.verify.formula import parse_poly

MAX_JOIN = 200  # largest primitive-element polynomial built (its factoring is the cost)


def _monic_integral(p: fmpq_poly) -> tuple[list[fmpz], fmpz]:
    """Monic integer polynomial whose roots are ``lc * r`` over the roots ``r`` of ``p``."""
    num = p.numer()
    n, lc = num.degree(), num[num.degree()]
    return [num[i] * lc ** (n - 1 - i) for i in range(n)] + [fmpz(1)], lc


def _power_sums(c: list[fmpz], count: int) -> list[fmpz]:
    """Power sums ``P_0 .. P_{count-1}`` of the roots of a monic integer polynomial."""
    n = len(c) - 1
    sums = [fmpz(n)]
    for k in range(1, count):
        acc = k * c[n - k] if k <= n else fmpz(0)
        for i in range(1, min(k - 1, n) + 1):
            acc += c[n - i] * sums[k - i]
        sums.append(-acc)
    return sums


def _from_power_sums(sums: list[fmpz], n: int) -> fmpz_poly:
    """The monic integer polynomial of degree ``n`` with these root power sums."""
    e = [fmpz(1)]
    for k in range(1, n + 1):
        acc = fmpz(0)
        for i in range(1, k + 1):
            acc += e[k - i] * sums[i] if i % 2 else -e[k - i] * sums[i]
        e.append(acc // k)
    return fmpz_poly([e[n - j] if (n - j) % 2 == 0 else -e[n - j] for j in range(n + 1)])


def _horner(p: fmpz_poly | fmpq_poly, x: arb) -> arb:
    """Evaluate a polynomial on a ball."""
    acc = arb(0)
    for coeff in reversed(p.coeffs()):
        acc = acc * x + arb(coeff)
    return acc


def _factor_at(p: fmpz_poly, point: Callable[[int], arb]) -> fmpz_poly:
    """The irreducible factor of squarefree ``p`` vanishing at ``point`` (a root of ``p``).

    Exactly one factor vanishes there, so the others' balls exclude 0 at some precision.
    """
    factors = [f for f, _ in p.factor()[1]]
    for prec in (64, 128, 256, 512, 1024, 2048, 4096, 8192, 32768, 131072):
        with ctx.workprec(prec):
            ball = point(prec)
            hits = [f for f in factors if _horner(f, ball).contains(0)]
        if len(hits) == 1:
            return hits[0]
    raise ValueError("cannot single out the factor of a minimal polynomial")


def _root(minpoly: fmpq_poly, lo: Fraction, hi: Fraction) -> RootField:
    """Field of one root, with ``minpoly`` replaced by its irreducible factor there."""
    first = RootField(minpoly, lo, hi)
    factor = _factor_at(minpoly.numer() // minpoly.numer().content(), first.ball_of_root)
    return RootField(fmpq_poly(factor), lo, hi)


def _combine(K: RootField, images: dict[str, fmpq_poly], name: str,
             S: RootField) -> tuple[RootField, dict[str, fmpq_poly]]:
    """Adjoin the root ``s`` of ``S`` to ``K = Q(z)``: primitive element ``W = A Z + B S``.

    ``Z = lz z`` and ``S = ls s`` are algebraic integers (``lz``, ``ls`` leading
    coefficients), ``A = ls``, ``B = k lz``, so ``W = lz ls (z + k s)``. Over all root pairs,
    ``C(T) = prod (T - W_ab)`` and ``G(T) = sum S_b C(T) / (T - W_ab)`` come from integer
    power sums; when ``C`` is squarefree, ``S = G(W) / C'(W)`` (a rational univariate
    representation).
    """
    (cz, lz), (cs, ls) = _monic_integral(K.m), _monic_integral(S.m)
    n = (len(cz) - 1) * (len(cs) - 1)
    if n > MAX_JOIN:
        raise NotSupported(f"joining {name} (degree {len(cs) - 1}) to a field of degree "
                                  f"{len(cz) - 1} needs a polynomial of degree {n}, above "
                                  f"{MAX_JOIN}")
    pz, ps = _power_sums(cz, n + 1), _power_sums(cs, n + 2)
    fact = [fmpz(factorial(j)) for j in range(n + 2)]
    for k in range(1, 40):
        a, b = ls, k * lz
        zpart = fmpq_poly([fmpq(a ** j * pz[j], fact[j]) for j in range(n + 1)])
        cw = _from_power_sums(_pair_sums(zpart, b, ps, fact, 0, n + 1), n)
        if cw.gcd(cw.derivative()).degree() > 0:
            continue  # W does not separate the root pairs
        tr = _pair_sums(zpart, b, ps, fact, 1, n)  # Tr(S W^j)
        # g_i = sum_{j > i} cw_j tr_{j-i-1}: a correlation, read off one product.
        corr = fmpz_poly([cw[n - j] for j in range(n + 1)]) * fmpz_poly(tr)
        g = fmpq_poly([corr[n - 1 - i] for i in range(n)])
        scale = lz * ls
        factor = fmpq_poly(_factor_at(cw, lambda prec, scale=scale, k=k: arb(scale) * (
            K.ball_of_root(prec) + k * S.ball_of_root(prec))))
        F = _isolate(factor, K, S, k, scale)
        big_s = (Elem(g, factor) / Elem(fmpq_poly(cw.derivative()), factor)).p
        s_of_w = big_s / ls
        z_of_w = (fmpq_poly([0, 1]) - b * big_s) / (a * lz)
        if not (S.m(s_of_w) % factor).is_zero() or not (K.m(z_of_w) % factor).is_zero():
            raise ValueError(f"primitive element check failed for {name}")
        new = {key: p(z_of_w) % factor for key, p in images.items()}
        new[name] = s_of_w
        return F, new
    raise ValueError(f"no primitive element found for {name}")


def _pair_sums(zpart: fmpq_poly, b: fmpz, ps: list[fmpz], fact: list[fmpz], shift: int,
               top: int) -> list[fmpz]:
    """``sum_{a,b} (A Z_a + B S_b)^j S_b^shift`` for ``j < top``.

    By the binomial theorem this is ``sum_i binom(j, i) A^(j-i) PZ_(j-i) B^i PS_(i+shift)``, a
    binomial convolution: one product of exponential generating polynomials.
    """
    n = len(fact) - 2
    spart = fmpq_poly([fmpq(b ** i * ps[i + shift], fact[i]) for i in range(n + 1)])
    prod = zpart * spart
    return [(prod[j] * fact[j]).p for j in range(top)]


def _isolate(factor: fmpq_poly, K: RootField, S: RootField, k: int, scale: fmpz) -> RootField:
    """The root ``scale (z + k s)`` of ``factor`` with a rational isolating interval."""
    for bits in (16, 32, 64, 128, 256, 512, 1024, 2048, 8192, 32768):
        (ka, kb), (sa, sb) = K.interval(bits), S.interval(bits)
        ends = sorted([fmpq(scale) * (ka + k * sa), fmpq(scale) * (kb + k * sb)])
        lo, hi = ends[0] - fmpq(1, 2 ** bits), ends[1] + fmpq(1, 2 ** bits)
        if factor(lo) != 0 and factor(hi) != 0 and count_roots(factor, lo, hi) == 1:
            return RootField(factor, Fraction(int(lo.p), int(lo.q)),
                             Fraction(int(hi.p), int(hi.q)))
    raise ValueError("cannot isolate the primitive element")


Relation = tuple[tuple[str, ...], tuple[tuple[tuple[int, ...], fmpq], ...]]


def build_field(roots: list[tuple[str, str, Fraction, Fraction]],
                relations: tuple[Relation, ...] = ()) -> tuple[RootField, dict[str, fmpq_poly]]:
    """``Q(s0, s1, ...)`` as one :class:`RootField` and each ``s_j`` as a polynomial in it.

    ``roots`` holds ``(name, minpoly text in name, lo, hi)``. ``relations`` are optional
    hints: polynomials (variable names, terms ``(exponents, coefficient)``) in ``s0`` and
    another root that vanish at the roots; when the gcd of two of them over ``Q(s0)`` at
    ``s0`` is linear, its root is that root in ``Q(s0)`` (certified like every image),
    which avoids the primitive element's large polynomial. Raises ``ValueError`` or
    :class:`~solver.verify.field.ParseError` with a one-line reason.
    """
    key = tuple(roots)
    if key not in _FIELDS:  # the entries of one orbit share their roots
        if len(_FIELDS) >= 32:
            _FIELDS.pop(next(iter(_FIELDS)))
        _FIELDS[key] = _build(key, tuple(relations))
    return _FIELDS[key]


_FIELDS: dict[tuple, tuple[RootField, dict[str, fmpq_poly]]] = {}


def _in_x(terms: Relation, base: str, name: str, m: fmpq_poly) -> list[fmpq_poly]:
    """A relation in ``(base, name)`` as a polynomial in ``name`` with coefficients in
    ``Q[base]``, leading coefficients that vanish at the base root (mod ``m``) dropped."""
    variables, items = terms
    ib, ij = variables.index(base), variables.index(name)
    coeffs: dict[int, fmpq_poly] = {}
    for exps, c in items:
        coeffs[exps[ij]] = coeffs.get(exps[ij], fmpq_poly()) + fmpq_poly([0] * exps[ib] + [c])
    out = [coeffs.get(e, fmpq_poly()) for e in range(max(coeffs, default=-1) + 1)]
    while out and (out[-1] % m).is_zero():
        out.pop()
    return out


def _det(rows: list[list[fmpq_poly]]) -> fmpq_poly:
    """Determinant over ``Q[x]`` (fraction-free Bareiss, exact divisions, row pivoting)."""
    a, n, sign, prev = [r[:] for r in rows], len(rows), 1, fmpq_poly([1])
    for k in range(n - 1):
        piv = next((i for i in range(k, n) if not a[i][k].is_zero()), None)
        if piv is None:
            return fmpq_poly()
        if piv != k:
            a[k], a[piv], sign = a[piv], a[k], -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                a[i][j] = (a[k][k] * a[i][j] - a[i][k] * a[k][j]) // prev
        prev = a[k][k]
    return a[n - 1][n - 1] * sign


def _first_subresultant(P: list[fmpq_poly], Q: list[fmpq_poly]) -> tuple[fmpq_poly, fmpq_poly]:
    """Coefficients ``(S0, S1)`` of the first subresultant ``S1 X + S0`` of ``P`` and
    ``Q`` in ``X`` (coefficients from degree 0 up, in ``Q[x]``): a multiple of their gcd
    when that is linear."""
    p, q = len(P) - 1, len(Q) - 1
    width = p + q - 1  # the powers X^(p+q-2) .. X^0
    rows = []
    for poly, deg, copies in ((P, p, q - 1), (Q, q, p - 1)):
        for shift in range(copies - 1, -1, -1):
            row = [fmpq_poly()] * width
            for e in range(deg + 1):
                row[width - 1 - (e + shift)] = poly[e]
            rows.append(row)
    keep = [r[: width - 2] for r in rows]
    return (_det([k + [r[width - 1]] for k, r in zip(keep, rows, strict=True)]),
            _det([k + [r[width - 2]] for k, r in zip(keep, rows, strict=True)]))


def _by_gcd(K: RootField, base: str, name: str, S: RootField,
            relations: tuple[Relation, ...]) -> fmpq_poly | None:
    """``name``'s root as a polynomial in ``base``'s (``K``), from two relations: the root
    of their gcd over ``Q(base)``, through the first subresultant (no growth of
    coefficients as in Euclid's algorithm). Certified here, else None."""
    polys = [_in_x(r, base, name, K.m) for r in relations if set(r[0]) == {base, name}]
    polys = [p for p in polys if len(p) >= 2]
    for P, Q in zip(polys, polys[1:], strict=False):
        s0, s1 = (K.red(c) for c in _first_subresultant(P, Q))
        if s1.is_zero():
            continue
        image = (Elem(-s0, K.m) / Elem(s1, K.m)).p
        try:
            _certify(K, {name: image}, {name: S})
        except ValueError:
            continue
        return image
    return None


def _build(roots: tuple[tuple[str, str, Fraction, Fraction], ...],
           relations: tuple[Relation, ...] = ()) -> tuple[RootField, dict[str, fmpq_poly]]:
    """:func:`build_field` without its cache."""
    if not roots:
        return RootField(fmpq_poly([0, 1]), Fraction(-1), Fraction(1)), {}
    fields = {name: _root(parse_poly(text, name), lo, hi) for name, text, lo, hi in roots}
    names = list(fields)
    K, images = fields[names[0]], {names[0]: fmpq_poly([0, 1])}
    certified = set()  # images found (and certified) by _by_gcd
    for name in names[1:]:
        image = _by_gcd(K, names[0], name, fields[name], relations) if (
            K is fields[names[0]]) else None
        if image is not None:
            images[name] = image
            certified.add(name)
            continue
        certified.clear()
        K, images = _combine(K, images, name, fields[name])
    if len(names) > 1 and K is not fields[names[0]]:
        # Prefer a given root as the generator (smaller numbers) when it generates the field.
        for name in names:
            if fields[name].m.degree() == K.m.degree():
                K, images = fields[name], _rebase(images, name, K.m, fields[name].m)
                break
    _certify(K, {k: v for k, v in images.items() if k not in certified}, fields)
    return K, images


def _certify(K: RootField, images: dict[str, fmpq_poly], fields: dict[str, RootField]) -> None:
    """Prove ``images[name](z) == s_name``, whatever the construction did.

    ``p_name(image(z)) = 0`` exactly, and ``image(z)`` lies inside the interval that
    isolates ``s_name`` among the roots of ``p_name``: so it is ``s_name``.
    """
    for name, image in images.items():
        root = fields[name]
        value = fmpq_poly()
        for coeff in reversed(root.m.coeffs()):  # Horner, reduced as it goes
            value = (value * image + coeff) % K.m
        if not value.is_zero():
            raise ValueError(f"internal: the image of {name} is not a root of its polynomial")
        for prec in (64, 256, 1024, 4096, 16384):
            with ctx.workprec(prec):  # (the endpoints as balls at the same precision)
                ball = K.ball(image, prec)
                if ball > arb(root.lo) and ball < arb(root.hi):
                    break
        else:
            raise ValueError(f"internal: the image of {name} is not the root in its interval")


def _rebase(images: dict[str, fmpq_poly], name: str, m: fmpq_poly, new_m: fmpq_poly
            ) -> dict[str, fmpq_poly]:
    """Rewrite ``images`` (polynomials in ``w`` mod ``m``) in terms of the root ``name``.

    ``Q(w) = Q(s)`` when the degrees agree, so ``w = chi(s)``: solve for ``chi`` in the basis
    ``1, s, s^2, ...`` of the field, then verify exactly.
    """
    deg = m.degree()
    s, cols, power = images[name], [], fmpq_poly([1])
    for _ in range(deg):
        cols.append([power[i] for i in range(deg)])
        power = (power * s) % m
    basis = fmpq_mat(deg, deg, [cols[j][i] for i in range(deg) for j in range(deg)])
    w = fmpq_poly([0, 1]) % m  # (a constant when deg == 1)
    target = fmpq_mat(deg, 1, [w[i] for i in range(deg)])
    chi = fmpq_poly([basis.solve(target)[i, 0] for i in range(deg)])
    if not (m(chi) % new_m).is_zero():
        raise ValueError(f"change of generator to {name} failed")
    return {key: p(chi) % new_m for key, p in images.items()}

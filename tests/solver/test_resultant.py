"""Resultants by evaluation and interpolation, and the elimination that uses them.

``bivariate_resultant`` is checked against FLINT's multivariate resultant (an independent
algorithm: a subresultant sequence over ``Z[s0]``) on seeded random polynomials, including
leading coefficients that vanish at the first evaluation points, and against resultants
worked out by hand. ``exact_roots_in_box`` is checked on a three-variable system whose
solution and minimal polynomials are known by hand.
"""

from __future__ import annotations

import random

import pytest
from flint import fmpq, fmpq_mpoly_ctx, fmpq_poly, fmpz_poly

from solver.pipeline.locate.eliminate import exact_roots_in_box
from solver.pipeline.locate.resultant import bivariate_resultant, resultant

CTX2 = fmpq_mpoly_ctx.get(("s", 2), "lex")
CTX3 = fmpq_mpoly_ctx.get(("s", 3), "lex")


def _proportional(p: fmpz_poly, q) -> bool:
    """Whether integer polynomial ``p`` is a nonzero rational multiple of ``q`` (an
    fmpq_mpoly in the first variable only)."""
    terms = q.to_dict()
    dense = fmpq_poly([terms.get((i,) + (0,) * (len(next(iter(terms))) - 1), 0)
                       for i in range(q.degrees()[0] + 1)])
    return (fmpq_poly(p) * dense.leading_coefficient()
            - dense * fmpq_poly(p).leading_coefficient()).is_zero()


def _random_poly(rng: random.Random, ctx, degrees: tuple[int, ...], terms: int):
    out = ctx.constant(0)
    for _ in range(terms):
        exps = tuple(rng.randint(0, d) for d in degrees)
        out += ctx.from_dict({exps: fmpq(rng.randint(-30, 30), rng.randint(1, 7))})
    return out


def test_by_hand() -> None:
    s0, s1 = CTX2.gens()
    # s1 = s0 + 1 substituted in s1^2 - s0: (s0 + 1)^2 - s0
    assert bivariate_resultant(s1 * s1 - s0, s1 - s0 - 1, 1, 0) == fmpz_poly([1, 1, 1])
    # Res_s1(s0 s1 - 1, s1 - 2) = s0 * 2 - 1 up to sign; Res_s0(s0 s1 - 1, s1 - 2) = s1 - 2
    assert bivariate_resultant(s0 * s1 - 1, s1 - 2, 1, 0) in (fmpz_poly([-1, 2]),
                                                              fmpz_poly([1, -2]))
    # a common factor: the resultant vanishes identically
    assert bivariate_resultant((s0 - s1) * (s1 + 3), (s0 - s1) * s0, 1, 0).is_zero()
    # denominators are cleared: (s1/2 - s0/3) against s1 - 1 gives 1/2 - s0/3, times 6
    assert bivariate_resultant(s1 / 2 - s0 / 3, s1 - 1, 1, 0) in (fmpz_poly([3, -2]),
                                                                 fmpz_poly([-3, 2]))


@pytest.mark.parametrize("seed", range(12))
def test_matches_flint(seed: int) -> None:
    rng = random.Random(seed)
    s0, _ = CTX2.gens()
    f = _random_poly(rng, CTX2, (4, 5), 12)
    g = _random_poly(rng, CTX2, (5, 4), 12)
    if seed % 3 == 0:  # leading coefficients in s1 that vanish at s0 = 0, 1, -1
        f = f + s0 * (s0 - 1) * (s0 + 1) * CTX2.gens()[1] ** 6
    if f.degrees()[1] == 0 or g.degrees()[1] == 0:
        pytest.skip("a polynomial free of s1")
    ours = bivariate_resultant(f, g, 1, 0)
    theirs = f.resultant(g, "s1")
    assert _proportional(ours, theirs)
    assert _proportional(bivariate_resultant(g, f, 1, 0), theirs)
    # the other variable eliminated, through the dispatcher
    r = resultant(f, g, 0)
    assert r.degrees()[0] == 0 and (r * f.resultant(g, "s0").leading_coefficient()
                                    - f.resultant(g, "s0") * r.leading_coefficient()).is_zero()


def test_large_degree_bounds_go_to_flint(monkeypatch: pytest.MonkeyPatch) -> None:
    import solver.pipeline.locate.resultant as module

    rng = random.Random(5)
    f = _random_poly(rng, CTX2, (4, 5), 12)
    g = _random_poly(rng, CTX2, (5, 4), 12)
    interpolated = resultant(f, g, 1)
    monkeypatch.setattr(module, "MAX_INTERPOLATED", 0)
    assert resultant(f, g, 1) == f.resultant(g, "s1")
    assert (interpolated * f.resultant(g, "s1").leading_coefficient()
            - f.resultant(g, "s1") * interpolated.leading_coefficient()).is_zero()


def test_three_variables_go_to_flint() -> None:
    s0, s1, s2 = CTX3.gens()
    f, g = s0 * s2 + s1, s2 * s2 - s0 - s1
    assert resultant(f, g, 2) == f.resultant(g, "s2")


def test_minimal_polynomials_of_a_three_variable_system() -> None:
    """``s0 = sqrt(2)``, ``s1 = s0 + 1 = 1 + sqrt(2)``, ``s2^2 = s1`` (``s2 > 0``): by hand
    the minimal polynomials are ``x^2 - 2``, ``x^2 - 2x - 1`` and ``x^4 - 2x^2 - 1`` (the
    last: ``s2^2 = 1 + sqrt(2)``, so ``(s2^2 - 1)^2 = 2``; irreducible: its roots
    ``+-sqrt(1 +- sqrt(2))`` pair up in no rational quadratic). The equations mix the
    variables so that each eliminant needs two resultants, with ``s0`` of the least degree.
    """
    s0, s1, s2 = CTX3.gens()
    eqs = [s0 * s0 - 2 + (s1 - s0 - 1) * s2 ** 3,
           (s1 - s0 - 1) * (s2 ** 4 + s1 ** 3 + 1) + (s2 * s2 - s1) * s0,
           s2 * s2 - s1 + (s1 - s0 - 1) * (s0 + s2 ** 2)]
    values = [2 ** 0.5, 1 + 2 ** 0.5, (1 + 2 ** 0.5) ** 0.5]
    box = [(fmpq(int(v * 10**6) - 1, 10**6), fmpq(int(v * 10**6) + 1, 10**6)) for v in values]
    roots = exact_roots_in_box(eqs, CTX3, box)
    assert [r.poly for r in roots] == [fmpz_poly([-2, 0, 1]), fmpz_poly([-1, -2, 1]),
                                       fmpz_poly([-1, 0, -2, 0, 1])]
    for root, v in zip(roots, values):
        assert abs(float(root.ball(64).mid()) - v) < 1e-12

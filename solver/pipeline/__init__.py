"""The solving pipeline, its modules in the order of the README's "How the solver works".

1. :mod:`~solver.pipeline.divide` — the faces of one unit's hyperplane arrangement.
2. :mod:`~solver.pipeline.face_systems` — the reduced critical-point equations of a set
   of faces.
3. :mod:`~solver.pipeline.locate` — every face set's one interior solution, or why it
   has none: decoupled parts, KKT pruning, a Krawczyk-proved box (convexity of ``J``),
   exact elimination where a multiplier is exactly zero; the points whose neuron
   directions lie in their faces.
4. :mod:`~solver.pipeline.certify` — first-order, second-order and dead-unit checks.
5. :mod:`~solver.pipeline.merge` — certified neuron points to the network's minima,
   orbits and canonical order.
6. :mod:`~solver.pipeline.curves` — exact equations and inequalities of the split sets.
7. :mod:`~solver.pipeline.exact_forms` — exact descriptions of isolated points.
8. :mod:`~solver.pipeline.completeness` — the record of how every face set was settled.
9. :mod:`~solver.pipeline.run` — the run loop: every face set, level by level.
10. :mod:`~solver.pipeline.critical` — every critical point met, with its verdict.

:mod:`~solver.pipeline.solve` is the entry point (``solver.solve``). The stages share their
exact and ball arithmetic: :mod:`~solver.pipeline.numbers` (conversions, working
precision, rigorous signs, exact linear algebra, the Krawczyk test) and
:mod:`~solver.pipeline.algebraic` (real algebraic numbers and root isolation).
"""

"""Locate: the interior solution of every face set, and whether it lies in its faces.

- :mod:`~solver.pipeline.locate.enumerator` — every set of distinct alive faces, decided
  from its subsets (decoupled parts, KKT pruning) or located;
- :mod:`~solver.pipeline.locate.interior` — the convex function ``J``, damped Newton and
  the Krawczyk-proved box of a set's one interior solution;
- :mod:`~solver.pipeline.locate.eliminate` — exact positive solutions by resultants, and
  the minimal polynomials of a proved box's coordinates;
- :mod:`~solver.pipeline.locate.resultant` — resultants in two variables by evaluation and
  exact interpolation (the last, largest elimination);
- :mod:`~solver.pipeline.locate.point` — a located point, every network quantity at it in
  ball arithmetic at any precision;
- :mod:`~solver.pipeline.locate.in_faces` — whether the point's neuron directions lie in
  their faces (the neurons' signs), or why not;
- :mod:`~solver.pipeline.locate.exact_zero` — exact zero tests where ball arithmetic
  cannot decide a sign.
"""

"""Geometry of two-dimensional data for the dashboard: pure functions, no Panel.

- :mod:`~explorer.geometry2d.convex`: convex polygons cut by a line (exact with Fractions).
- :mod:`~explorer.geometry2d.sphere`: the arrangement of the data points' great circles on
  the sphere of directions of a unit's ``(b1, b2, c)``, its cells, and the two-hemisphere
  projection the dashboard draws.
- :mod:`~explorer.geometry2d.inputplane`: a unit's kink line ``<b, x> + c = 0`` across the
  input plane and its active side.
- :mod:`~explorer.geometry2d.slices`: loss-surface slices for d = 2 (one unit's direction
  with its norm at the optimum; one unit's ``(b1, b2)`` at a fixed ``c``).
"""

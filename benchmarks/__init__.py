"""Benchmarks of the solver and the dashboard (run from the repository root, see README.md).

Performance is measured here, by scripts that print times and problem sizes; the tests
never time anything.
"""

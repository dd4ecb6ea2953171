"""The regularisation path: every local minimum followed over a λ range, exact events.

See docs/path.md for the mathematics and :func:`solver.path.api.path` for the API.
"""

from solver.path.api import path
from solver.path.results import Branch, Path, PathEvent

__all__ = ["path", "Path", "Branch", "PathEvent"]

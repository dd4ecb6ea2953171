"""The regularisation path: every local minimum followed over a λ range, exact events.

See docs/path.md for the mathematics and :func:`solver.regpath.api.path` for the API.
"""

from solver.regpath.api import path
from solver.regpath.results import Branch, Path, PathEvent

__all__ = ["path", "Path", "Branch", "PathEvent"]

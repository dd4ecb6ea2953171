"""Exceptions raised by the solver.

Every error a user can trigger with bad input derives from :class:`SolverInputError`,
whose message is one readable line (the CLI prints it and exits with code 2).
"""

from __future__ import annotations


class SolverError(Exception):
    """Base class of all solver errors."""


class SolverInputError(SolverError, ValueError):
    """Bad input: malformed data, duplicate points, lambda <= 0, units < 1, ..."""


class ProblemTooLargeError(SolverInputError):
    """The problem would take too long; carries the estimate in seconds."""

    def __init__(self, message: str, estimate_seconds: float) -> None:
        super().__init__(message)
        self.estimate_seconds = estimate_seconds


class DegenerateProblemError(SolverError):
    """A critical point or solution set is degenerate in a way the certifier cannot decide.

    Raised instead of silently dropping or guessing: the data are not in general
    position for the exact method (for example an exactly singular Hessian that is not
    explained by a unit splitting, or a multiplier that is exactly zero).
    """


class SolveCancelled(SolverError):
    """The solve was cancelled through its progress callback."""

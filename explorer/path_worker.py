"""What a pool process runs for the λ-path view: one regularisation path, as an Outcome.

Kept apart from the view so a spawned worker imports only the solver and this module
(and :mod:`explorer.worker` for the shared :class:`~explorer.worker.Outcome`), never Panel.

Examples
--------
>>> from fractions import Fraction as F
>>> key = PathKey(((F(-1, 2),), (F(0),), (F(1, 2),)), (F(1, 4), F(-1, 4), F(5, 4)), 1)
>>> outcome = path_key(1, key, 60)
>>> outcome.kind, [e.kind for e in outcome.solution.events]
('ok', ['fold', 'neuron death', 'jump', 'fold'])
"""

from __future__ import annotations

import os
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from explorer.worker import Outcome, progress_callback

# The dashboard's λ range: the slider's, 10^-4 to 1.
LAM_MIN = Fraction(1, 10000)
LAM_MAX = Fraction(1)


@dataclass(frozen=True, slots=True)
class PathKey:
    """One path, exactly: the data (``x`` rows), the units and the λ range (the cache key)."""

    x: tuple
    y: tuple[Fraction, ...]
    units: int
    lam_min: Fraction = LAM_MIN
    lam_max: Fraction = LAM_MAX


def path_key(job_id: int, key: PathKey, max_seconds: float, queue: Any = None,
             cancelled: MutableMapping[int, bool] | None = None) -> Outcome:
    """Compute one path in this process (see :func:`explorer.worker.solve_key`)."""
    from solver import path
    from solver.errors import SolveCancelled, SolverError

    if queue is not None:  # a worker process: the current-λ solves come first
        _lower_priority()
    start = time.perf_counter()
    report = progress_callback(job_id, queue, cancelled)
    try:
        result = path(list(key.x), list(key.y), key.units, key.lam_min, key.lam_max,
                      progress=report, max_seconds=max_seconds)
    except SolveCancelled:
        return Outcome("cancelled", seconds=time.perf_counter() - start)
    except SolverError as exc:
        return Outcome("refused", message=str(exc).splitlines()[0],
                       seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - the dashboard shows it instead of dying
        return Outcome("failed", message=f"{type(exc).__name__}: {exc}".splitlines()[0],
                       seconds=time.perf_counter() - start)
    return Outcome("ok", solution=result, seconds=time.perf_counter() - start)


_NICE = 5  # how much lower the path worker's CPU priority is than the server's


def _lower_priority() -> None:
    """Lower this process's CPU priority once (on systems that have ``os.nice``)."""
    global _NICE
    if _NICE and hasattr(os, "nice"):
        os.nice(_NICE)
    _NICE = 0


def warm_up() -> bool:
    """Import the path code in a fresh worker."""
    from solver.regpath.api import path  # noqa: F401 - loads the pipeline and the path

    return True

"""Training meets the exact landscape: gradient-descent runs classified against the
certified minima.

Many networks are trained at once (numpy, full batch, on exactly the solver's loss:
:mod:`solver.train.network`), and the end of every run is classified against the exact
results of :func:`solver.solve` and :func:`solver.critical_points`
(:mod:`solver.train.classify`): converged to a certified minimum, hovering at its kink,
stuck at a critical point that is not a minimum (a dead network, dead units, a saddle), not
converged, or a **discrepancy** between the two methods. The solving pipeline never imports
this package.

Examples
--------
>>> from solver.problem import Problem
>>> from solver.train import Optimizer, Settings, train
>>> problem = Problem.parse(["0", "1", "2"], ["0", "1", "0"], "1/10", 1)
>>> report = train(problem, [Optimizer("gd", 0.05)], Settings(runs=10, steps=2000))
>>> round(sum(b.share for b in report.trainings[0].basins), 12)
1.0
"""

from __future__ import annotations

import importlib

# Public name -> the module defining it, imported when the name is first used (PEP 562):
# the command line imports ``solver.cli.train`` at start-up and must not load the training
# loop or scipy's statistics before ``train`` runs.
_LAZY = {
    "train": "solver.train.api",
    "landscape": "solver.train.api",
    "Settings": "solver.train.api",
    "Landscape": "solver.train.api",
    "Training": "solver.train.api",
    "TrainReport": "solver.train.api",
    "Basin": "solver.train.basins",
    "RunEnd": "solver.train.classify",
    "initial_params": "solver.train.init",
    "INITS": "solver.train.init",
    "OPTIMIZERS": "solver.train.loop",
    "RunEnds": "solver.train.loop",
    "Optimizer": "solver.train.loop",
    "descend": "solver.train.loop",
    "FloatData": "solver.train.network",
    "Params": "solver.train.network",
    "loss": "solver.train.network",
    "gradient": "solver.train.network",
    "report_text": "solver.train.report",
    "report_json": "solver.train.report",
}

__all__ = [
    "train",
    "landscape",
    "Settings",
    "Landscape",
    "Training",
    "TrainReport",
    "Basin",
    "RunEnd",
    "initial_params",
    "INITS",
    "OPTIMIZERS",
    "RunEnds",
    "Optimizer",
    "descend",
    "FloatData",
    "Params",
    "loss",
    "gradient",
    "report_text",
    "report_json",
]


def __getattr__(name: str) -> object:
    """Load a public name's module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'solver.train' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy ones included."""
    return sorted(set(globals()) | set(__all__))

"""Training meets the exact landscape: gradient-descent runs classified against the
certified minima.

Many networks are trained at once (numpy, full batch, on exactly the solver's loss:
:mod:`solver.train.network`), and the end of every run is classified against the exact
results of :func:`solver.solve` and :func:`solver.critical.critical_points`
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

from solver.train.api import Landscape, Settings, Training, TrainReport, landscape, train
from solver.train.basins import Basin
from solver.train.classify import RunEnd
from solver.train.init import INITS, initial_params
from solver.train.loop import OPTIMIZERS, Descent, Optimizer, descend
from solver.train.network import FloatData, Params, gradient, loss

__all__ = [
    "train",
    "landscape",
    "Settings",
    "Optimizer",
    "Landscape",
    "Training",
    "TrainReport",
    "Basin",
    "RunEnd",
    "Descent",
    "descend",
    "initial_params",
    "INITS",
    "OPTIMIZERS",
    "FloatData",
    "Params",
    "loss",
    "gradient",
]

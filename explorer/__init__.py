"""Panel explorer for the certified local minima of a small ridge ReLU network.

Run ``panel serve explorer`` from the repository root. The app is a state object
(:mod:`explorer.state`), views that take it (:mod:`explorer.views`), a process-pool
solve runner (:mod:`explorer.runner`) and a thin ``main.py``. In a notebook,
``from explorer import Explorer; Explorer(x, y, lam="1/100", units=2)`` shows the
dashboard on your data (:mod:`explorer.notebook`).

``Explorer`` is imported on first use: the solver's worker processes import
:mod:`explorer.worker` and must not pay for Panel.
"""

from typing import Any

__all__ = ["Explorer"]


def __getattr__(name: str) -> Any:
    if name == "Explorer":
        from explorer.notebook import Explorer

        return Explorer
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")

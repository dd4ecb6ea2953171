"""Panel explorer for the certified local minima of a small ridge ReLU network.

Run ``panel serve explorer`` from the repository root. The app is a state object
(:mod:`explorer.state`), views that take it (:mod:`explorer.views`), a process-pool
solve runner (:mod:`explorer.runner`) and a thin ``main.py``.
"""

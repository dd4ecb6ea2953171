"""Initial points of training runs: the usual schemes, one seed per run.

Run ``i`` of a training with seed ``s`` draws its initial point from numpy's default
generator seeded with ``[s, i]`` (:func:`numpy.random.default_rng`), so any run can be
re-run alone from ``(s, i)`` and gives the same numbers as among all the others.

Schemes (``d`` inputs, ``L`` hidden units; "fan-in" is ``d`` for the hidden layer, ``L`` for
the output weights):

``torch-default``
    PyTorch's default for ``nn.Linear`` (output layer without bias): ``B`` and ``c``
    uniform on ``[-1/sqrt(d), 1/sqrt(d)]``, ``a`` uniform on ``[-1/sqrt(L), 1/sqrt(L)]``.
``he``
    He (Kaiming) normal: ``B`` normal with variance ``2/d``, ``a`` normal with variance
    ``2/L``, biases ``c = 0``.
``xavier``
    Glorot (Xavier) uniform: ``B`` uniform on ``±sqrt(6/(d + L))``, ``a`` uniform on
    ``±sqrt(6/(L + 1))``, biases ``c = 0``.
``small``
    Every parameter normal with standard deviation ``0.01``: a start next to the all-zero
    network, a critical point that is never a minimum here.

Examples
--------
>>> p = initial_params("torch-default", runs=3, units=2, d=1, seed=0)
>>> p.a.shape, p.B.shape, p.c.shape
((3, 2), (3, 2, 1), (3, 2))
>>> bool((abs(p.B) <= 1).all() and (abs(p.a) <= 2 ** -0.5).all())
True
>>> alone = initial_params("torch-default", runs=1, units=2, d=1, seed=0, first=2)
>>> bool((alone.a[0] == p.a[2]).all())
True
"""

from __future__ import annotations

import numpy as np

from solver.train.network import Params

INITS = ("torch-default", "he", "xavier", "small")
SMALL_STD = 0.01


def _one(scheme: str, rng: np.random.Generator, L: int, d: int) -> tuple:
    """``(a, B, c)`` of one network."""
    if scheme == "torch-default":
        hb, ob = 1.0 / np.sqrt(d), 1.0 / np.sqrt(L)
        B = rng.uniform(-hb, hb, (L, d))
        c = rng.uniform(-hb, hb, L)
        a = rng.uniform(-ob, ob, L)
    elif scheme == "he":
        B = rng.normal(0.0, np.sqrt(2.0 / d), (L, d))
        c = np.zeros(L)
        a = rng.normal(0.0, np.sqrt(2.0 / L), L)
    elif scheme == "xavier":
        hb, ob = np.sqrt(6.0 / (d + L)), np.sqrt(6.0 / (L + 1))
        B = rng.uniform(-hb, hb, (L, d))
        c = np.zeros(L)
        a = rng.uniform(-ob, ob, L)
    elif scheme == "small":
        B = rng.normal(0.0, SMALL_STD, (L, d))
        c = rng.normal(0.0, SMALL_STD, L)
        a = rng.normal(0.0, SMALL_STD, L)
    else:
        raise ValueError(f"unknown init {scheme!r}: one of {', '.join(INITS)}")
    return a, B, c


def initial_params(scheme: str, runs: int, units: int, d: int, seed: int,
                   first: int = 0) -> Params:
    """Initial points of runs ``first .. first + runs - 1`` of a training with ``seed``.

    Parameters
    ----------
    scheme : str
        One of :data:`INITS`.
    runs, units, d : int
        Number of runs, hidden units ``L`` and input dimension.
    seed : int
        The training's seed (``>= 0``); run ``i`` uses ``default_rng([seed, i])``.
    first : int
        Index of the first run (to re-run one run alone).

    Returns
    -------
    Params
        ``a`` ``(runs, L)``, ``B`` ``(runs, L, d)``, ``c`` ``(runs, L)``.

    Examples
    --------
    >>> float(initial_params("he", 1, 1, 1, seed=5).c[0, 0])
    0.0
    """
    a = np.empty((runs, units))
    B = np.empty((runs, units, d))
    c = np.empty((runs, units))
    for j in range(runs):
        rng = np.random.default_rng([seed, first + j])
        a[j], B[j], c[j] = _one(scheme, rng, units, d)
    return Params(a, B, c)

"""Full-batch training of many runs at once: gradient descent, momentum, Adam.

All runs advance together as arrays. At every step the gradient of every run is computed
(:class:`~solver.train.network.Workspace`); a run whose gradient norm is at most ``tol``
stops there (its parameters are frozen and its step count recorded), the others take one
step of the optimiser:

``gd``
    ``theta -= lr * g``
``momentum``
    heavy ball as in PyTorch's SGD: ``v = 0.9 v + g``, ``theta -= lr * v``
``adam``
    Adam with PyTorch's defaults ``beta1 = 0.9``, ``beta2 = 0.999``, ``eps = 1e-8`` and bias
    correction.

A run whose gradient overflows (a learning rate too large for the data) stops and is
marked diverged.

Examples
--------
>>> from solver.train.network import FloatData
>>> from solver.train.init import initial_params
>>> data = FloatData.of([[0.0], [1.0]], [0.0, 1.0], 0.01)
>>> start = initial_params("torch-default", 4, 1, 1, seed=0)
>>> out = descend(data, start, Optimizer("gd", 0.05), steps=2000, tol=1e-6)
>>> out.params.runs, out.steps.shape
(4, (4,))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.train.network import FloatArray, FloatData, Internal, Params, Workspace

OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM = 0.9
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
PROGRESS_EVERY = 250


@dataclass(frozen=True)
class Optimizer:
    """An optimiser (one of :data:`OPTIMIZERS`) and its learning rate."""

    name: str
    lr: float

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.name!r}: one of {', '.join(OPTIMIZERS)}")
        if not (self.lr > 0 and np.isfinite(self.lr)):
            raise ValueError(f"the learning rate must be positive, got {self.lr}")

    @property
    def label(self) -> str:
        """``gd lr=0.01``."""
        return f"{self.name} lr={self.lr:g}"


@dataclass(frozen=True)
class Trajectory:
    """Recorded states of some runs: ``steps`` ``(T,)`` and their ``params`` (runs first,
    ``(T, k, ...)``) and ``loss`` ``(T, k)``, for the runs ``runs`` ``(k,)``."""

    runs: np.ndarray
    steps: np.ndarray
    a: FloatArray
    B: FloatArray
    c: FloatArray
    loss: FloatArray


@dataclass(frozen=True)
class RunEnds:
    """Where the runs ended.

    ``params``: the end points; ``steps``: steps taken (``< budget`` when stopped on the
    gradient norm); ``stopped``: the gradient norm reached ``tol``; ``diverged``: the
    gradient overflowed (the run stopped there, its parameters may be infinite or NaN);
    ``grad_norm`` and
    ``loss`` at the end point; ``last_move``: length of the last step taken (0 for a run
    that stopped before the budget ran out); ``crossings`` ``(R, L, n)``: how often unit
    ``l``'s pre-activation at point ``i`` changed sign during the last ``window`` steps
    (a run hovering across a kink keeps crossing it).
    """

    params: Params
    steps: np.ndarray
    stopped: np.ndarray
    diverged: np.ndarray
    grad_norm: FloatArray
    loss: FloatArray
    last_move: FloatArray
    crossings: np.ndarray
    window: int
    trajectory: Trajectory | None = None


def crossing_window(steps: int) -> int:
    """The final steps in which kink crossings are counted: a tenth of the budget, at
    most 1000.

    >>> crossing_window(20000), crossing_window(50)
    (1000, 5)
    """
    return max(1, min(1000, steps // 10))


class _State:
    """The optimiser's own state (momentum buffers, Adam moments)."""

    def __init__(self, opt: Optimizer, p: Internal) -> None:
        self.opt = opt
        self.t = 0
        zeros = [np.zeros_like(arr) for arr in (p.a, p.B, p.c)]
        self.m = zeros
        self.v = [np.zeros_like(arr) for arr in zeros] if opt.name == "adam" else []

    def step(self, p: Internal, grads: list[FloatArray], active: FloatArray) -> None:
        """Update ``p`` in place; runs with ``active == 0`` do not move."""
        self.t += 1
        lr = self.opt.lr
        for k, (theta, g) in enumerate(zip((p.a, p.B, p.c), grads)):
            if self.opt.name == "gd":
                update = lr * g
            elif self.opt.name == "momentum":
                self.m[k] *= MOMENTUM
                self.m[k] += g
                update = lr * self.m[k]
            else:
                self.m[k] *= BETA1
                self.m[k] += (1 - BETA1) * g
                self.v[k] *= BETA2
                self.v[k] += (1 - BETA2) * (g * g)
                mhat = self.m[k] / (1 - BETA1**self.t)
                vhat = self.v[k] / (1 - BETA2**self.t)
                update = lr * mhat / (np.sqrt(vhat) + EPS)
            update *= active
            theta -= update


def descend(data: FloatData, start: Params, opt: Optimizer, steps: int, tol: float,
            record: tuple[np.ndarray, int] | None = None,
            progress: Callable[[int, int], None] | None = None) -> RunEnds:
    """Train every network of ``start`` for at most ``steps`` steps.

    Parameters
    ----------
    data : FloatData
    start : Params
        Initial points (runs first).
    opt : Optimizer
    steps : int
        The step budget.
    tol : float
        A run stops when its gradient norm is at most ``tol``.
    record : (runs, every), optional
        Record the state of these runs every ``every`` steps (and the last).
    progress : callable, optional
        ``progress(done, steps)`` every few hundred steps; an exception raised in it stops
        the training (and propagates).

    Returns
    -------
    RunEnds
    """
    p = start.to_internal()
    R = start.runs
    work = Workspace(data, start.units, R)
    state = _State(opt, p)
    active = np.ones(R)
    diverged = np.zeros(R, dtype=bool)
    taken = np.full(R, steps, dtype=np.int64)
    recorder = _Recorder(record, work) if record is not None else None
    previous = None
    window = crossing_window(steps)
    crossings = np.zeros((start.units, data.n, R), dtype=np.int64)
    seen = None
    with np.errstate(over="ignore", invalid="ignore"):  # overflow marks a run diverged
        for t in range(steps + 1):
            work.gradient(p)
            if t >= steps - window:
                now = work.pre > 0
                if seen is not None:
                    crossings += now != seen
                seen = now
            norm = work.grad_norm()
            newly = (norm <= tol) & (active > 0)
            blown = ~np.isfinite(norm) & (active > 0)
            if blown.any():  # overflowed: stop the run where it is (it is "diverged")
                newly |= blown
                diverged |= blown
            if newly.any():
                taken[newly] = t
                active[newly] = 0.0
            last = t == steps or not active.any()
            if recorder is not None:
                recorder.maybe(t, p, last)
            if last:
                break
            if t == steps - 1:
                previous = p.copy()
            state.step(p, [work.ga, work.gB, work.gc], active)
            if progress is not None and t % PROGRESS_EVERY == 0:
                progress(t, steps)
    with np.errstate(over="ignore", invalid="ignore"):
        end_loss = work.rss + work.penalty(p)
        if previous is None:
            last_move = np.zeros(R)
        else:
            last_move = np.sqrt(((p.a - previous.a) ** 2).sum(0)
                                + ((p.c - previous.c) ** 2).sum(0)
                                + ((p.B - previous.B) ** 2).sum((0, 1)))
    if progress is not None:
        progress(steps, steps)
    return RunEnds(
        params=p.to_params(),
        steps=taken,
        stopped=(active == 0.0) & ~diverged,
        diverged=diverged,
        grad_norm=norm,
        loss=end_loss,
        last_move=last_move,
        crossings=crossings.transpose(2, 0, 1).copy(),
        window=window,
        trajectory=None if recorder is None else recorder.result(),
    )


class _Recorder:
    """Keeps every ``every``-th state of a few runs."""

    def __init__(self, record: tuple[np.ndarray, int], work: Workspace) -> None:
        self.runs = np.asarray(record[0], dtype=np.int64)
        self.every = max(1, int(record[1]))
        self.work = work
        self.steps: list[int] = []
        self.states: list[tuple] = []
        self.losses: list[FloatArray] = []

    def maybe(self, t: int, p: Internal, last: bool) -> None:
        """Record step ``t`` if it is due (the gradient of ``p`` was just computed)."""
        if t % self.every and not last:
            return
        idx = self.runs
        self.steps.append(t)
        self.states.append((p.a[:, idx].T.copy(), p.B[:, :, idx].transpose(2, 0, 1).copy(),
                            p.c[:, idx].T.copy()))
        self.losses.append(self.work.rss[idx] + self.work.penalty(p)[idx])

    def result(self) -> Trajectory:
        """The recorded states as arrays."""
        return Trajectory(
            runs=self.runs,
            steps=np.array(self.steps),
            a=np.stack([s[0] for s in self.states]),
            B=np.stack([s[1] for s in self.states]),
            c=np.stack([s[2] for s in self.states]),
            loss=np.stack(self.losses),
        )

"""Where did each run end? Classified against the certified minima and critical points.

For every run (see :mod:`solver.train.polish` and :mod:`solver.train.landmarks`):

1. **Its region and the region's minimiser.** Units seeing no point are dead (with
   ``ReLU'(0) = 0`` they only decay to 0 and cannot come back under gradient descent), and
   so are units at the origin (every parameter below ``1e-4 (1 + max |y|)``: the saddle
   where a unit is born or dies);
   the live units' patterns fix a closed region, and :func:`~solver.train.polish.polish`
   finds the unique minimiser of the loss over it — the critical point the run is heading
   to (on a kink when the run hovers across one). It is computed once per region.
2. **Matching.** That point is compared, neuron by neuron, with the certified minima (one
   per orbit; a neuron carried by several units is the solver's curve) and then with the
   non-minimal critical points of :func:`solver.critical_points` (or a split of
   one: the same neurons, carried by more units).
3. **Has the run arrived?** A run is *at rest* when
   * its live gradient norm (dead units left out: they are only decaying) is at most
     ``tol`` and it is within ``0.05 (1 + |theta|)`` of the region's minimiser — **converged**
     (a small gradient farther away is a unit slowly leaving the origin, a saddle);
   * or the region's minimiser lies on a kink and, during the last steps of the training
     (a tenth of the budget, at most 1000), the run crossed kinks, and only kinks of that
     minimiser (unit ``l`` at point ``i`` where the minimiser's neuron of unit ``l`` has
     ``0``): it steps back and forth across them and with this step size it comes no
     closer — **hovering at a kink** (plain gradient descent never converges onto a
     kink: the gradient jumps there, and the run settles into a cycle around it);
   * or every unit is dead.
4. **Outcome.** At rest and matched with minimum ``k``: ``converged`` or ``kink`` (hovering
   near ``k``). At rest and matched with a non-minimal critical point: ``stuck`` (with why:
   dead units, a kink, a saddle). Not at rest: ``not converged`` (with where it was heading).
   At rest and matched with nothing, or a region whose minimiser could not be certified by
   its KKT conditions: a **discrepancy** — the exact solver and the training disagree.

Every run also gets its parameter distance to its landmark's set (up to unit permutation;
to the curve for a split neuron) and to the nearest certified minimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.train.landmarks import (
    Landmark,
    Neuron,
    lifted,
    same_neurons,
    set_distance,
)
from solver.train.network import FloatData, Params, gradient, loss
from solver.train.polish import Polished, RegionNeuron, polish

VANISHED = 1e-4
FAR = 0.05
OUTCOMES = ("converged", "kink", "stuck", "not converged", "diverged", "discrepancy")


@dataclass(frozen=True)
class Target:
    """What a region's minimiser matched: a landmark (``None``: nothing), whether as a
    split of it (more units on its neurons than listed), the minimiser's loss ``J*``, and
    the neurons with this region's carriers."""

    landmark: Landmark | None
    split: bool
    value: float
    neurons: tuple[Neuron, ...]
    polished: Polished

    def kinks(self, groups: list[list[int]]) -> set[tuple[int, int]]:
        """``(unit, point)`` pairs on the minimiser's kinks, for a run whose region
        neurons are carried by the units ``groups``."""
        return {(l, i) for p in self.polished.neurons for l in groups[p.source]
                for i, ch in enumerate(p.pattern) if ch == "0"}


@dataclass(frozen=True)
class RunEnd:
    """The classified end of one run (``run`` is its index, seeds ``[seed, run]``)."""

    run: int
    outcome: str
    target: Target
    distance: float
    nearest_minimum: int
    nearest_distance: float
    loss: float
    grad_norm: float
    steps: int
    detail: str


# The target of a diverged run (no region: its parameters overflowed).
_NOWHERE = Target(None, False, float("nan"), (), Polished((), False, float("inf"), 0))


def _region(a: np.ndarray, pre: np.ndarray,
            dead: np.ndarray) -> tuple[tuple, list[list[int]]]:
    """The region key (sorted ``(pattern, sign, count)`` of the live neurons) and the units
    of each neuron, for one run (``a`` ``(L,)``, ``pre`` ``(L, n)``, ``dead`` ``(L,)``)."""
    groups: dict[tuple[str, int], list[int]] = {}
    for l in range(a.shape[0]):
        seen = pre[l] > 0
        if dead[l]:
            continue
        pattern = "".join("+" if s else "-" for s in seen)
        groups.setdefault((pattern, 1 if a[l] >= 0 else -1), []).append(l)
    keys = sorted(groups)
    return tuple((p, s, len(groups[(p, s)])) for p, s in keys), [groups[k] for k in keys]


def _match(polished: Polished, carriers: list[int], minima: tuple[Landmark, ...],
           critical: tuple[Landmark, ...], xt: np.ndarray) -> tuple[Landmark | None, bool,
                                                                    tuple[Neuron, ...]]:
    """The landmark the region's minimiser is, and whether as a split of it."""
    merged: dict[str, tuple[np.ndarray, int]] = {}
    for p in polished.neurons:  # region neurons that met on one face are one neuron there
        w, k = merged.get(p.pattern, (np.zeros(len(p.w)), 0))
        merged[p.pattern] = (w + np.array(p.w), k + carriers[p.source])
    neurons = tuple(Neuron.of(pat, w, k, xt) for pat, (w, k) in sorted(merged.items()))
    for lm in minima:
        accepted = (tuple(nr.carriers for nr in lm.neurons), *lm.also)
        if same_neurons(neurons, lm.neurons, carriers=accepted):
            return lm, False, neurons
    for lm in critical:
        if same_neurons(neurons, lm.neurons, carriers=None):
            split = any(a.carriers != b.carriers for a, b in zip(neurons, lm.neurons))
            return lm, split, neurons
    return None, False, neurons


def _targets(data: FloatData, end: Params, minima: tuple[Landmark, ...],
             critical: tuple[Landmark, ...],
             diverged: np.ndarray) -> tuple[list[Target], list, np.ndarray]:
    """The target of every run (one polish per region), each run's units per region
    neuron, and the dead-unit mask ``(R, L)``."""
    xt = lifted(data.x)
    pre = end.preactivations(data.x)
    vb = np.concatenate([end.B, end.c[..., None]], axis=2)
    # Dead: sees no point, or sits at the origin (every parameter below VANISHED times the
    # data's scale: a unit there is at the saddle where it is born or dies, not a neuron).
    size = np.sqrt(end.a**2 + (vb**2).sum(axis=2))
    dead = ~(pre > 0).any(axis=2) | (size <= VANISHED * (1.0 + np.abs(data.y).max()))
    cache: dict[tuple, Target] = {}
    out, all_groups = [], []
    for r in range(end.runs):
        if diverged[r]:
            out.append(_NOWHERE)
            all_groups.append([])
            continue
        key, groups = _region(end.a[r], pre[r], dead[r])
        all_groups.append(groups)
        target = cache.get(key)
        if target is None:
            # Start from the balanced form of the run's units (|a_l| = |(b_l, c_l)|):
            # the same region, and inside it even when some a_l is 0.
            start = [RegionNeuron(tuple(bool(v) for v in pre[r, units[0]] > 0),
                                  key[f][1],
                                  tuple(float(v) for v in sum(
                                      key[f][1] * np.linalg.norm(vb[r, l]) * vb[r, l]
                                      for l in units)))
                     for f, units in enumerate(groups)]
            polished = polish(xt, data.y, data.lam, start)
            carriers = [len(units) for units in groups]
            lm, split, neurons = _match(polished, carriers, minima, critical, xt)
            value = _value(xt, data, polished)
            target = Target(lm, split, value, neurons, polished)
            cache[key] = target
        out.append(target)
    return out, all_groups, dead


def _value(xt: np.ndarray, data: FloatData, polished: Polished) -> float:
    """``J`` at the region's minimiser (the loss of the balanced network there)."""
    fit = np.zeros(data.n)
    pen = 0.0
    for p in polished.neurons:
        seen = np.array([ch == "+" for ch in p.pattern])
        fit += seen * (xt @ np.array(p.w))
        pen += float(np.linalg.norm(p.w))
    r = data.y - fit
    return float(r @ r + 2 * data.lam * pen)


def classify(data: FloatData, end: Params, steps: np.ndarray, crossings: np.ndarray,
             tol: float, minima: tuple[Landmark, ...], critical: tuple[Landmark, ...],
             first: int = 0, diverged: np.ndarray | None = None) -> tuple[RunEnd, ...]:
    """Classify the end of every run (see the module docstring).

    Parameters
    ----------
    data : FloatData
    end : Params
        The runs' end points.
    steps : (R,) array
        Steps taken (from the training loop).
    crossings : (R, L, n) array
        Kink crossings of each unit at each point in the loop's last steps.
    tol : float
        The gradient-norm tolerance of the training.
    minima, critical : tuple of Landmark
        From :func:`~solver.train.landmarks.minimum_landmarks` and
        :func:`~solver.train.landmarks.critical_landmarks`.
    first : int
        Index of the first run (runs are numbered ``first, first + 1, ...``).
    diverged : (R,) bool array, optional
        Runs whose parameters overflowed (outcome ``diverged``).

    Returns
    -------
    tuple of RunEnd
    """
    R, L, d = end.runs, end.units, data.d
    diverged = np.zeros(R, dtype=bool) if diverged is None else np.asarray(diverged, bool)
    safe = Params(*(np.where(diverged.reshape((R,) + (1,) * (v.ndim - 1)), 0.0, v)
                    for v in (end.a, end.B, end.c)))
    targets, groups, dead = _targets(data, safe, minima, critical, diverged)
    end = safe
    g = gradient(data, end)
    gsq = g.a**2 + (g.B**2).sum(axis=2) + g.c**2                   # (R, L)
    grad_live = np.sqrt(np.where(dead, 0.0, gsq).sum(axis=1))
    grad_all = np.sqrt(gsq.sum(axis=1))
    end_loss = loss(data, end)
    flat = end.flat().reshape(R, L, d + 2)
    # The loss without the dead units (they are 0 in the limit): never below J* of the
    # live units' closed region.
    live = ~dead
    live_loss = loss(data, Params(end.a * live, end.B * live[..., None], end.c * live))
    # Distances: to every certified minimum (the nearest is reported) and to each target.
    if minima:
        to_minima = np.stack([set_distance(flat, lm.neurons, d) for lm in minima], axis=1)
        nearest = to_minima.argmin(axis=1)
        nearest_d = to_minima[np.arange(R), nearest]
    else:
        nearest, nearest_d = np.full(R, -1), np.full(R, np.nan)
    distance = np.full(R, np.nan)
    by_target: dict[int, list[int]] = {}
    for r, t in enumerate(targets):
        by_target.setdefault(id(t), []).append(r)
    for rows in by_target.values():
        t = targets[rows[0]]
        if t.polished.ok:
            idx = np.array(rows)
            distance[idx] = set_distance(flat[idx], t.neurons, d)
    out = []
    for r, t in enumerate(targets):
        excess = live_loss[r] - t.value
        crossed = {(int(l), int(i)) for l, i in zip(*np.nonzero(crossings[r]))}
        hover = (t.polished.ok and bool(crossed) and crossed <= t.kinks(groups[r]))
        all_dead = bool(dead[r].all())
        # A small gradient far from the region's minimiser is the slow start of an escape
        # from a saddle (a unit leaving the origin), not an arrival.
        settled = grad_live[r] <= tol and not (
            distance[r] > FAR * (1.0 + np.linalg.norm(flat[r])) and not hover)
        at_rest = settled or hover or all_dead
        if diverged[r]:
            outcome, detail = "diverged", "the gradient overflowed: the learning rate is too large"
        else:
            outcome, detail = _outcome(t, at_rest, settled, dead[r], excess)
            if grad_live[r] <= tol and not at_rest:
                detail += " (at rest next to a saddle, far from it)"
        nan = diverged[r] or not minima
        out.append(RunEnd(
            run=first + r, outcome=outcome, target=t, distance=float(distance[r]),
            nearest_minimum=-1 if nan else int(minima[nearest[r]].index),
            nearest_distance=float("nan") if nan else float(nearest_d[r]),
            loss=float("inf") if diverged[r] else float(end_loss[r]),
            grad_norm=float("inf") if diverged[r] else float(grad_all[r]),
            steps=int(steps[r]), detail=detail,
        ))
    return tuple(out)


def _outcome(t: Target, at_rest: bool, converged: bool, dead: np.ndarray,
             excess: float) -> tuple[str, str]:
    """The outcome name and a one-line detail."""
    lm = t.landmark
    dead_units = [l + 1 for l in np.flatnonzero(dead)]
    if not t.polished.ok:
        if at_rest:
            return "discrepancy", (f"the region's minimiser failed its KKT check "
                                   f"(violation {t.polished.kkt:.2e})")
        return "not converged", "its region's minimiser was not found"
    if excess < -1e-9 * (1 + abs(t.value)):
        return "discrepancy", f"loss {excess:.2e} below its region's minimum"
    if lm is None:
        faces = ", ".join(nr.pattern for nr in t.neurons) or "every unit dead"
        if at_rest:
            return "discrepancy", f"at rest at a critical point the solver does not list ({faces})"
        return "not converged", f"heading to an unlisted point ({faces})"
    where = (f"minimum {lm.index + 1}" if lm.kind == "minimum"
             else f"critical point {lm.index + 1}" + (" (split)" if t.split else ""))
    if not at_rest:
        return "not converged", f"heading to {where}"
    if lm.kind == "minimum":
        if converged:
            return "converged", where
        return "kink", f"hovering at the kink ({lm.kink_text()}) of {where}"
    if not t.neurons:
        why = "dead network: every unit dead"
    elif dead_units:
        why = f"unit{'s' if len(dead_units) > 1 else ''} {', '.join(map(str, dead_units))} dead"
    elif converged:
        why = "gradient 0 at a saddle"
    else:
        why = f"hovering at a kink ({lm.kink_text()})"
    return "stuck", f"{where}: {why}"

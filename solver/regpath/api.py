"""``solver.path(x, y, units, lam_min, lam_max)``: the regularisation path of every minimum.

Examples
--------
>>> p = path(["-1/2", "0", "1/2"], ["1/4", "-1/4", "5/4"], 1, "1/20", "1/2")
>>> [(e.kind, e.lam.text()) for e in p.events]
[('fold', '0.1118034…'), ('neuron death', '1/8'), ('jump', '0.2932096…'), ('fold', '0.3913119…')]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from fractions import Fraction

from solver.data import make_dataset, parse_lam, parse_units
from solver.errors import ProblemTooLargeError, SolverInputError
from solver.pipeline.divide import count_generic_faces
from solver.regpath.build import Builder, lam_value
from solver.regpath.envelope import envelope, jump_event, mark_global
from solver.regpath.evaluate import Evaluator
from solver.regpath.jumps import crossings
from solver.regpath.pieces import root_index
from solver.regpath.results import Branch, Path, PathStats, Segment
from solver.regpath.trace import trace

Progress = Callable[[int, int], None]


def parse_range(lam_min: object, lam_max: object) -> tuple[Fraction, Fraction]:
    """The λ range, exactly: both positive, ``lam_min < lam_max``.

    >>> parse_range("1/10000", "1")
    (Fraction(1, 10000), Fraction(1, 1))
    """
    lo, hi = parse_lam(lam_min), parse_lam(lam_max)
    if not lo < hi:
        raise SolverInputError(f"lam_min must be below lam_max, got {lo} and {hi}")
    return lo, hi


# CPU seconds per face set at n = 5, d = 1 on the 2-core reference machine
# (benchmarks/bench_path.py); a set's polynomials grow with n and d.
_SECONDS_PER_SET = 0.007


def estimate_path_seconds(n: int, d: int, units: int) -> float:
    """Rough run time of :func:`path` for ``n`` points in dimension ``d``.

    >>> estimate_path_seconds(5, 1, 2) < 5
    True
    >>> estimate_path_seconds(40, 2, 2) > 60
    True
    """
    alive = count_generic_faces(n, d) - 1
    sets = sum(math.comb(alive, k) for k in range(min(units, alive) + 1))
    return _SECONDS_PER_SET * sets * (1 + n / 5) * (1 + 2 * (d - 1))


def path(x: Sequence, y: Sequence, units: object, lam_min: object, lam_max: object, *,
         progress: Progress | None = None, max_seconds: float = 60.0,
         force: bool = False) -> Path:
    """Every local minimum followed over ``lam_min <= lam <= lam_max``, with exact events.

    Parameters
    ----------
    x, y : the data (as for :func:`solver.solve`), parsed exactly.
    units : number of hidden units (1 or 2: events are exact for every face set of at
        most two neurons).
    lam_min, lam_max : the λ range, exact (``"1/10000"``, ``"1"``).
    progress : optional ``callback(done, total)`` over the face sets (two passes); raise
        :class:`~solver.errors.SolveCancelled` inside it to stop.
    max_seconds, force : refuse (:class:`~solver.errors.ProblemTooLargeError`) when the
        estimated time exceeds ``max_seconds``, unless ``force``.

    Returns
    -------
    Path
        ``branches`` (one per minimum of :func:`solver.solve` at every λ of the range,
        followed through its face changes) and ``events`` (the λs where minima are born,
        die or change faces), in increasing λ.
    """
    data = make_dataset(x, y)
    L = parse_units(units)
    if L > 2:
        raise SolverInputError(
            f"path supports up to 2 units (every event exact), got {L}")
    lo, hi = parse_range(lam_min, lam_max)
    estimate = estimate_path_seconds(data.n, data.d, L)
    if estimate > max_seconds and not force:
        raise ProblemTooLargeError(
            f"path too large: n={data.n}, d={data.d}, units={L} would take about "
            f"{estimate:,.0f} s (limit {max_seconds:g} s)", estimate)
    start = time.perf_counter()
    t = trace(data.x, data.y, L, lo, hi, progress)
    b = Builder(t)
    sampled = [(chain, b.samples(chain)) for chain in t.chains]
    sampled.sort(key=lambda cs: _order(b, cs))
    branch_of = {id(p): j for j, (chain, _) in enumerate(sampled) for p in chain}
    orbits = _orbits([chain for chain, _ in sampled])
    group_events = b.events(t.groups, branch_of)
    # provisional branches (segments without event indices) for the jump search
    plain = tuple(Branch(chain[0].kind, orbits[j], tuple(_segments(b, chain, lo, hi, {})),
                         tuple(samples)) for j, (chain, samples) in enumerate(sampled))
    draft = Path(data.x, data.y, L, lo, hi, plain, tuple(group_events),
                 PathStats(0, 0, 0, 0.0))
    ev = Evaluator(draft)
    jumps = [jump_event(c, plain, ev) for c in crossings(ev, b.judge, b.grid())]
    events = sorted(group_events + jumps, key=lambda e: e.lam.value)
    index = {id(e): k for k, e in enumerate(events)}
    event_of = {root_index(g.cut.lam): index[id(e)] for g, e in zip(t.groups, group_events)}
    branches = tuple(
        Branch(chain[0].kind, orbits[j], tuple(_segments(b, chain, lo, hi, event_of)),
               tuple(samples)) for j, (chain, samples) in enumerate(sampled))
    draft = replace(draft, branches=branches, events=tuple(events))
    ev = Evaluator(draft)
    runs = envelope(draft, ev)
    events = [mark_global(e, runs) for e in events]
    stats = PathStats(
        face_sets=len(t.breakpoints),
        breakpoints=sum(len(v) for v in t.breakpoints.values()),
        verdicts=b.judge.lams,
        seconds=round(time.perf_counter() - start, 3),
    )
    return Path(data.x, data.y, L, lo, hi, branches, tuple(events), stats, runs)


def _segments(b: Builder, chain, lo: Fraction, hi: Fraction, event_of: dict) -> list[Segment]:
    """A chain's segments; ``event_of`` maps an exact λ's identity to its event index."""
    out = []
    for p in chain:
        lo_v, lo_e = b.bound(p.piece.lo, lo, event_of)
        hi_v, hi_e = b.bound(p.piece.hi, hi, event_of)
        out.append(Segment(b.pattern(p), lo_v, hi_v, lo_e, hi_e,
                           _ends(p, lo_v.value, hi_v.value)))
    return out


def _order(b: Builder, chain_samples) -> tuple:
    chain, samples = chain_samples
    first = chain[0].piece.lo
    start = float(first.ball().mid()) if first is not None else 0.0
    loss = samples[0].loss if samples else 0.0
    return (start, round(loss, 12), b.pattern(chain[0]))


def _orbits(chains) -> list[int]:
    """Orbit numbers: chains made of images of the same face-set pieces share one."""
    seen: dict[tuple, int] = {}
    out = []
    for chain in chains:
        ident = tuple((id(p.piece), tuple(sorted(p.labels.count(a) for a in set(p.labels)
                                                 if a is not None))) for p in chain)
        ident = tuple(sorted(ident))
        if ident not in seen:
            seen[ident] = len(seen)
        out.append(seen[ident])
    return out


def _ends(p, lo: float, hi: float) -> tuple[tuple[float, float], ...]:
    """The sub-intervals of a curve piece where its endpoints are minima."""
    if p.kind != "curve":
        return ()
    cuts = [lo] + [float(c.ball().mid()) for c in p.piece.flips] + [hi]
    return tuple((cuts[j], cuts[j + 1]) for j, e in enumerate(p.piece.ends) if e)


__all__ = ["path", "parse_range", "lam_value"]

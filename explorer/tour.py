"""The guided tour: the README's ten-minute teaching demo as steps inside the dashboard.

Each :class:`TourStep` names the problem it loads (an example from ``assets/``, λ, units),
which minimum it selects and which loss-surface slice it shows, all as functions of the
solver's :class:`~solver.results.Solution`, and says in plain words what to look at. Every
number in a step's text (counts, losses, patterns, rows) is read from the solution at run
time, never written down here; ``tests/test_tour.py`` checks the claims against the solver.

:mod:`explorer.views.tour` shows the steps and drives the dashboard's state.

Examples
--------
>>> len(STEPS) >= 7
True
>>> STEPS[0].example, STEPS[0].lam, STEPS[0].units
('paper_example', '1/100', 2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explorer.views.geometry import active_label
from solver.results import Solution

Minimum = Any


def count_phrase(solution: Solution) -> str:
    """``"9 minima (3 curves, 6 isolated)"``: the count the status line shows.

    >>> from types import SimpleNamespace as N
    >>> count_phrase(N(minima=(N(kind="curve"), N(kind="isolated"))))
    '2 minima (1 curve, 1 isolated)'
    """
    curves = sum(1 for m in solution.minima if m.kind == "curve")
    count = len(solution.minima)
    isolated = count - curves
    word = "minimum" if count == 1 else "minima"
    return f"{count} {word} ({curves} curve{'s' * (curves != 1)}, {isolated} isolated)"


def global_index(solution: Solution) -> int:
    """Index of the first minimum of lowest loss (what the dashboard selects by default)."""
    best = min(m.loss for m in solution.minima)
    return next(i for i, m in enumerate(solution.minima) if m.loss == best)


def first_boundary_isolated(solution: Solution) -> int:
    """The first isolated minimum with a unit's kink exactly on a data point (-1: none)."""
    return next((i for i, m in enumerate(solution.minima)
                 if m.kind == "isolated" and m.active), -1)


def first_interior_curve(solution: Solution) -> int:
    """The first curve of minima with no ``0`` in its pattern (-1: none)."""
    return next((i for i, m in enumerate(solution.minima)
                 if m.kind == "curve" and not any("0" in p for p in m.pattern)), -1)


def is_dead(minimum: Minimum) -> bool:
    """Whether a minimum is the dead network ``a = B = c = 0``."""
    if minimum.kind != "isolated":
        return False
    p = minimum.point
    return not any(p.a) and not any(any(row) for row in p.B) and not any(p.c)


def shared_pattern_curves(solution: Solution) -> list[int]:
    """Curves whose units all have one pattern (one neuron split over every unit)."""
    return [i for i, m in enumerate(solution.minima)
            if m.kind == "curve" and len(set(m.pattern)) == 1]


def orbit_count(solution: Solution) -> int:
    """How many different minima there are up to swapping units."""
    return len({m.orbit for m in solution.minima})


def active_phrases(minimum: Minimum) -> list[str]:
    """``"unit 2 has its kink at x3, so its marker lies on the line x3"`` per active pair."""
    return [f"unit {l + 1} has its kink exactly at x{i + 1}, so its marker lies on the line "
            f"labelled x{i + 1}" for i, l in sorted(minimum.active, key=lambda p: (p[1], p[0]))]


def _loss(minimum: Minimum) -> str:
    return f"{minimum.loss:.6g}"


def _patterns(minimum: Minimum) -> str:
    return " ".join(f"`{p}`" for p in minimum.pattern)


# ------------------------------------------------------------------------ the steps
@dataclass(frozen=True)
class TourStep:
    """One step: the problem it loads, what it selects and shows, and what it says.

    ``pick(solution)`` is the index of the minimum to select (-1: the global one),
    ``surface(solution, index)`` the loss-surface slice to show (None: leave it), and
    ``say(solution, index)`` the step's text for the selected ``index``.
    """

    title: str
    example: str
    lam: str
    units: int
    say: Callable[[Solution, int], str]
    pick: Callable[[Solution], int] = lambda solution: -1
    surface: Callable[[Solution, int], str | None] = lambda solution, index: None

    def index(self, solution: Solution) -> int:
        """The index of the minimum this step selects in ``solution``."""
        k = self.pick(solution)
        return k if 0 <= k < len(solution.minima) else global_index(solution)

    def text(self, solution: Solution) -> str:
        """What the step says about ``solution`` (Markdown)."""
        return self.say(solution, self.index(solution))

    def settings(self) -> str:
        """``"Example: paper example · λ = 1/100 · 2 units"``."""
        units = f"{self.units} unit{'s' * (self.units != 1)}"
        return f"Example: {self.example.replace('_', ' ')} · λ = {self.lam} · {units}"


def _say_open(s: Solution, k: int) -> str:
    m = s.minima[k]
    return (
        f"The paper's {s.n} data points, λ = {s.lam} and {s.units} hidden units. The solver "
        f"found **{count_phrase(s)}**, as the status line in the sidebar says. Each row of "
        "the minima table (card 4) is one certified local minimum. Rows with the same orbit "
        "number are one minimum with its units swapped, so there are "
        f"{orbit_count(s)} different minima here. The global minimum (row {k + 1}, loss "
        f"{_loss(m)}) is selected: its network function f(x) is the red line over the data "
        "in card 1, and its units are the ★ markers in the (b, c) plane (card 2)."
    )


def _say_boundary(s: Solution, k: int) -> str:
    m = s.minima[k]
    where = "; ".join(active_phrases(m))
    return (
        f"Row {k + 1} is selected: pattern {_patterns(m)}, active "
        f"`{active_label(m.active)}`. A `0` in a pattern means a unit's kink is exactly at "
        f"that data point: {where}. In the "
        "(b, c) plane (card 2) the selected minimum's markers are ringed in red. Such a "
        "minimum sits on the boundary between two regions, where the loss is not smooth, "
        "which is why an exact solver is needed to find it. Hover a marker to read its "
        "pattern and loss; tap another marker to select its minimum."
    )


def _say_curve(s: Solution, k: int) -> str:
    m = s.minima[k]
    who = "both units have" if s.units == 2 else f"all {s.units} units have"
    pattern = m.pattern[0] if len(set(m.pattern)) == 1 else None
    split = (f"{who} the pattern `{pattern}`: they split one neuron between them, and every "
             "way of sharing it gives the same loss" if pattern else "its loss is the same "
             "all along it")
    return (
        f"Row {k + 1} is a curve of minima: {split}, {_loss(m)}. The loss surface (card 3) "
        f"shows the slice (c1, c2) through curve #{k + 1}: the thick orange arc is the curve, "
        "a flat valley floor. Below the table the curve is written exactly, "
        f"{len(m.equations)} equation{'s' * (len(m.equations) != 1)} and "
        f"{len(m.inequalities)} inequalities; f(x) in card 1 is the same wherever you are on "
        "it. Darker basins elsewhere in the slice are not minima: the loss keeps falling there "
        "in directions the slice holds fixed. Pick the slice 'unit 1: (b1, c1)' to see the "
        "kinks of the loss along the dashed lines b·xᵢ + c = 0."
    )


def _say_big_lam(s: Solution, k: int) -> str:
    return (
        f"λ is now {s.lam} (the slider and the λ box in the sidebar): **{count_phrase(s)}** "
        "remain. A larger λ pulls every weight towards zero, so minima move, merge and "
        "disappear. Press Previous: the result for λ = 1/100 comes back at once, from the "
        "cache (the status line says 'from cache'). Drag the slider to watch the minima move."
    )


def _say_dead(s: Solution, k: int) -> str:
    m = s.minima[k]
    if len(s.minima) == 1 and is_dead(m):
        what = (f"the only minimum is the dead network a = B = c = 0 (pattern "
                f"{_patterns(m)}): at λ = {s.lam} fitting these tiny targets costs more "
                "penalty than it saves. The data view shows f(x) = 0, a flat line")
    else:
        what = f"the solver found **{count_phrase(s)}**"
    return f"This data set's targets are tiny, and {what}."


def _say_small_lam(s: Solution, k: int) -> str:
    m = s.minima[k]
    dead = any(is_dead(x) for x in s.minima)
    status = ("the dead network is still one of them" if dead
              else "the dead network is no longer a minimum")
    return (
        f"The same data at λ = {s.lam}: the penalty is small enough to fit the points. "
        f"Now **{count_phrase(s)}**, and {status}. The selected best one (loss {_loss(m)}) "
        f"has pattern {_patterns(m)}. Slide λ between 10⁻³ and 10⁻² to watch minima appear."
    )


def _say_edit(s: Solution, k: int) -> str:
    return (
        "Your turn. Drag a point up or down in card 1 and watch the table, the plane and the "
        "surface follow; tap empty space to add a point; tap a point and press Backspace to "
        "delete it; or type exact values (-0.17, 1/3) in the data table. Bad edits are "
        "refused with a message and the last good state stays: type abc in a cell, give a "
        f"point another point's x, or delete all but one of the {s.n} points. The next step "
        "loads another example."
    )


def _say_one_unit(s: Solution, k: int) -> str:
    m = s.minima[k]
    if set(m.pattern[0]) == {"+"}:
        shape = "is on at every point, so f is one straight line through the data"
    else:
        shape = f"is on where its pattern has a + (`{m.pattern[0]}`)"
    return (
        f"A V, y = |x|, {s.n} points, with one unit: **{count_phrase(s)}**. One ramp cannot "
        f"draw a V: the best (row {k + 1}, loss {_loss(m)}, pattern {_patterns(m)}) {shape}. "
        "Select the other rows to see a ramp along one arm."
    )


def _say_two_units(s: Solution, k: int) -> str:
    m = s.minima[k]
    rows = [i + 1 for i, x in enumerate(s.minima) if x.orbit == m.orbit]
    curves = shared_pattern_curves(s)
    listed = ", ".join(f"row {i + 1} (`{s.minima[i].pattern[0]}`, loss "
                       f"{_loss(s.minima[i])})" for i in curves)
    return (
        f"With two units: **{count_phrase(s)}**. The best fit (loss {_loss(m)}, rows "
        f"{' and '.join(map(str, rows))}, one orbit) gives the units the patterns "
        f"{_patterns(m)}: one ramp per arm. The {len(curves)} curve"
        f"{'s' * (len(curves) != 1)} where both units share one pattern, {listed}, are the "
        "one-unit minima of the previous step with their neuron split between two units: "
        "same patterns, same losses."
    )


def _say_share(s: Solution, k: int) -> str:
    return (
        f"λ = {s.lam}, {s.units} unit{'s' * (s.units != 1)}, minimum {k + 1} of "
        f"{len(s.minima)} selected. The address bar now holds the data, λ, the units and the "
        "selection: copy it and open it in another tab to get this same view. That is the "
        "end of the tour; the glossary below explains every word the dashboard uses."
    )


def _slice_through(s: Solution, k: int) -> str | None:
    return f"(c1, c2) through curve #{k + 1}" if s.minima[k].kind == "curve" else None


STEPS: tuple[TourStep, ...] = (
    TourStep("The paper's example", "paper_example", "1/100", 2, _say_open),
    TourStep("Boundary minima sit on their lines", "paper_example", "1/100", 2,
             _say_boundary, pick=first_boundary_isolated),
    TourStep("A curve of minima is a valley floor", "paper_example", "1/100", 2, _say_curve,
             pick=first_interior_curve, surface=_slice_through),
    TourStep("Move λ", "paper_example", "1/3", 2, _say_big_lam),
    TourStep("Too much penalty: only dead units", "only_dead_units", "1/100", 2, _say_dead),
    TourStep("Less penalty: minima appear", "only_dead_units", "1/1000", 2, _say_small_lam),
    TourStep("Edit the data", "paper_example", "1/100", 2, _say_edit),
    TourStep("One unit", "v_shape", "1/100", 1, _say_one_unit),
    TourStep("Two units", "v_shape", "1/100", 2, _say_two_units),
    TourStep("Share the view", "paper_example", "1/20", 1, _say_share, pick=lambda s: 1),
)

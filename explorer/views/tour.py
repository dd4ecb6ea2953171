"""The guided tour's panel: Start / Previous / Next and the current step's text.

Going to a step edits the session's state to the step's problem (example, λ, units); when
the solution of that problem is shown (at once if cached, else when the solve finishes) the
step selects its minimum, sets its loss-surface slice and writes its text, computed from that
solution (:mod:`explorer.tour`). The user may edit anything in between; the next step loads
its own problem again.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> from explorer.state import ExplorerState
>>> tour = TourView(ExplorerState(runner=SolveRunner(processes=False)))
>>> tour.go(1); tour.state.selected.active
((2, 1), (4, 0))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn
import param
from panel.io.state import set_curdoc

from explorer.problem import ASSETS, make_key, read_example
from explorer.state import ExplorerState
from explorer.tour import STEPS, TourStep
from solver.errors import SolverInputError
from solver.results import Solution

_INTRO = (
    "New here? The tour shows the dashboard in {n} short steps, on the example data sets: "
    "each step sets the data, λ, the units and the selected minimum, and says what to look "
    "at. About ten minutes."
)


def step_data(step: TourStep) -> str:
    """The data text of a step's example."""
    return read_example(ASSETS / f"{step.example}.csv")


def shows(solution: Solution | None, step: TourStep) -> bool:
    """Whether ``solution`` is the solution of ``step``'s problem."""
    if solution is None:
        return False
    key = make_key(step_data(step), step.lam, step.units)
    return (solution.x, solution.y, solution.lam, solution.units) == (key.x, key.y, key.lam,
                                                                      key.units)


class TourView(pn.viewable.Viewer):
    """The tour: buttons and the text of the current step.

    Parameters
    ----------
    state : the session's state, which the steps change.
    set_slice : called with a loss-surface slice name when a step shows one.
    """

    step = param.Integer(default=-1, bounds=(-1, len(STEPS) - 1), doc="Current step; -1: none.")
    text = param.String(default="", doc="What the current step says (Markdown).")

    def __init__(self, state: ExplorerState, set_slice: Callable[[str], None] | None = None,
                 **params: Any) -> None:
        super().__init__(**params)
        self.state = state
        self.set_slice = set_slice
        self._pending: int | None = None
        # The session's document: a solve finishes in an asynchronous callback, where Panel
        # has no current document and would give new models stylesheets from its CDN.
        self._doc = pn.state.curdoc
        self.text = _INTRO.format(n=len(STEPS))
        self.previous = pn.widgets.Button(label="◀ Previous", width=95, disabled=True,
                                          description="The previous step of the tour.")
        self.next = pn.widgets.Button(label="Start the tour ▶", color="primary",
                                      width=140, description="The next step of the tour.")
        self.previous.on_click(lambda _: self.go(self.step - 1))
        self.next.on_click(lambda _: self.go(self.step + 1 if self.step + 1 < len(STEPS) else 0))
        self.body = pn.pane.Markdown(self.text, styles={"font-size": "13px"},
                                     sizing_mode="stretch_width", margin=(0, 10))
        self.param.watch(self._show, ["text", "step"])
        state.param.watch(self._on_result, "result")

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.body, pn.Row(self.previous, self.next),
                         sizing_mode="stretch_width")

    def go(self, index: int) -> None:
        """Go to step ``index``: load its problem, then select and explain when it is shown."""
        if not 0 <= index < len(STEPS):
            return
        step = STEPS[index]
        self._pending = index
        self.param.update(step=index, text=f"**{self._heading(index)}**\n\n{step.settings()} · "
                          "solving…")
        try:
            changed = self.state.edit(data=step_data(step), lam=step.lam, units=step.units)
        except SolverInputError as exc:  # an example that no longer loads
            changed = False
            self.state.message = f"The tour cannot load {step.example}: {exc}"
        if not changed:
            self._pending = None
            self.text = f"**{self._heading(index)}**\n\nThis step could not be loaded."
            return
        self._on_result()

    def _on_result(self, *events: Any) -> None:
        """The state shows a new solution: finish the pending step if it is this one's."""
        index = self._pending
        if index is None or not shows(self.state.result, STEPS[index]):
            return
        self._pending = None
        step, solution = STEPS[index], self.state.result
        picked = step.index(solution)
        with set_curdoc(self._doc or pn.state.curdoc):
            self.state.select(step.pick(solution))
            view = step.surface(solution, picked)
            if view is not None and self.set_slice is not None:
                self.set_slice(view)
            self.text = (f"**{self._heading(index)}**\n\n*{step.settings()}*\n\n"
                         f"{step.say(solution, picked)}")

    def _heading(self, index: int) -> str:
        return f"Step {index + 1} of {len(STEPS)} · {STEPS[index].title}"

    def _show(self, *events: Any) -> None:
        """Text and buttons for the current step."""
        self.body.object = self.text
        self.previous.disabled = self.step <= 0
        last = self.step == len(STEPS) - 1
        self.next.label = ("Start the tour ▶" if self.step < 0
                           else "Start again ▶" if last else "Next ▶")

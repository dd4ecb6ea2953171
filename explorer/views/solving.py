"""When a running solve is shown as running: only once it has run :data:`SHOW_AFTER` seconds.

A quick solve (the paper's example: about 0.1 s) then goes from one result to the next
without the page laying out a progress bar and a "Solving…" line that the result takes
away again at once (each a document patch, a layout of the sidebar, and CPU taken from the
solve on a 2-core machine). A long solve shows its bar, its estimate and its ETA as before,
0.3 s late.

Examples
--------
>>> shown = []
>>> display = SolvingDisplay(lambda: shown.append("refresh"), delay=0.3,
...                          schedule=lambda seconds, callback: True)
>>> display.update(solving=True), display.update(solving=False)
(False, False)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import panel as pn

SHOW_AFTER = 0.3


def later(seconds: float, callback: Callable[[], None]) -> bool:
    """Run ``callback`` in ``seconds`` on the session's document (under its lock); ``False``
    (nothing scheduled) outside a server session."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        return False
    doc.add_timeout_callback(callback, int(1000 * seconds))
    return True


class SolvingDisplay:
    """Whether the running solve is to be shown as running: from ``delay`` seconds after
    it was first seen (at once when nothing can be scheduled: a notebook, a test).

    Parameters
    ----------
    refresh : called when the delay has passed and the solve still runs.
    schedule : ``schedule(seconds, callback)`` runs ``callback`` later, or returns False.
    clock : seconds (monotonic).
    """

    def __init__(self, refresh: Callable[[], None], delay: float = SHOW_AFTER,
                 schedule: Callable[[float, Callable[[], None]], bool] = later,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.refresh, self.delay, self.schedule, self.clock = refresh, delay, schedule, clock
        self._since: float | None = None  # when the running solve was first seen
        self._shown = False
        self._solve = 0  # counts the solves seen (a late check of an earlier one is void)

    def update(self, solving: bool) -> bool:
        """Whether to show the solve as running now (``solving``: the state says it runs)."""
        if not solving:
            self._since, self._shown = None, False
            return False
        if self._since is None:
            self._since, self._solve = self.clock(), self._solve + 1
            solve = self._solve
            waiting = self.delay > 0 and self.schedule(self.delay, lambda: self._due(solve))
            self._shown = not waiting  # nothing can wait: shown at once
        if not self._shown and self.clock() - self._since >= self.delay:
            self._shown = True
        return self._shown

    def _due(self, solve: int) -> None:
        if solve == self._solve and self._since is not None:  # the same solve still runs
            self._shown = True
            self.refresh()

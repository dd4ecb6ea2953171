"""Controls: λ (logarithmic slider and exact text), units, status, progress and messages.

The slider moves ``log10 λ`` from -4 to 0; on release its value becomes an exact λ through a
3-significant-digit decimal (``10**-1.5`` gives ``0.0316`` = 79/2500), which is shown and sent
to the solver. Any exact λ (``1/100``) can also be typed; a typed λ outside 10⁻⁴..1 widens
the slider's range to reach it. While a solve runs, the progress bar and the command line's
progress line (faces done and an ETA) are shown, once it has run 0.3 s
(:mod:`explorer.views.solving`). A refused edit's message is shown here
(λ, units, a link) or, for a data edit, by :attr:`ControlsView.data_alert`, which the layout
puts next to the data.

Examples
--------
>>> lam_from_slider(-2.0)
'0.01'
>>> lam_from_slider(-1.5)
'0.0316'
"""

from __future__ import annotations

import math
from typing import Any

import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

from explorer.problem import MAX_UNITS
from explorer.state import ExplorerState
from explorer.views.solving import SolvingDisplay
from solver.data import parse_lam, parse_rational
from solver.errors import SolverInputError

LOG_RANGE = (-4.0, 0.0)
# The slider's tooltip and ticks: 3 significant digits, small values in exponent form
# ("1.00e-4" fits the tooltip where "0.000100" was cut at the slider's left end).
TICK_JS = "const v = 10 ** tick; return v < 0.001 ? v.toExponential(2) : v.toPrecision(3);"


def lam_from_slider(value: float) -> str:
    """The exact λ (a short decimal string) for a slider position ``log10 λ``."""
    return f"{10.0 ** value:.3g}"


def slider_from_lam(lam: str) -> float:
    """The slider position ``log10 λ`` for an exact λ (not a positive number: the default
    position). The slider widens its range to show positions outside -4..0.

    >>> slider_from_lam("1/100"), slider_from_lam("1e5"), slider_from_lam("-1")
    (-2.0, 5.0, -2.0)
    """
    try:
        q = parse_rational(lam, "lambda")
    except SolverInputError:
        return -2.0
    if q <= 0:
        return -2.0
    return math.log10(q.numerator) - math.log10(q.denominator)


def slider_range(position: float) -> tuple[float, float]:
    """The slider's range: -4..0, widened to whole powers of ten to reach ``position``.

    >>> slider_range(-2.0), slider_range(5.0), slider_range(-5.5)
    ((-4.0, 0.0), (-4.0, 5.0), (-6.0, 0.0))
    """
    return (min(LOG_RANGE[0], float(math.floor(position))),
            max(LOG_RANGE[1], float(math.ceil(position))))


class ControlsView(pn.viewable.Viewer):
    """λ, units, status line, progress bar and the refusal message."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        position = slider_from_lam(state.lam)
        start, end = slider_range(position)
        self.slider = pn.widgets.FloatSlider(
            start=start, end=end, step=0.05, value=position, label="λ (log scale)",
            format=CustomJSTickFormatter(code=TICK_JS), sizing_mode="stretch_width",
            margin=(5, 30),  # room for the tooltip over either end
        )
        self.slider.param.watch(self._on_slider, "value_throttled")
        self.lam_text = pn.widgets.TextInput(value=state.lam, label="λ exactly (e.g. 1/100)")
        self.lam_text.param.watch(self._on_lam_text, "value")
        self.units = pn.widgets.RadioButtonGroup(
            options=list(range(1, MAX_UNITS + 1)), value=state.units, color="primary",
            variant="outline",
        )
        self.units.param.watch(self._on_units, "value")
        self.progress = pn.indicators.Progress(
            value=-1, active=False, visible=False, bar_color="primary", sizing_mode="stretch_width",
        )
        self.eta = pn.pane.Str(state.progress_text, visible=False,
                               styles={"font-size": "12px"}, margin=(0, 10))
        self.status = pn.pane.Markdown(state.status, styles={"font-size": "13px"})
        self.alert = pn.pane.Alert("", alert_type="warning", visible=False)
        self.data_alert = pn.pane.Alert("", alert_type="warning", visible=False,
                                        sizing_mode="stretch_width", margin=(0, 5))
        self.exact = pn.pane.Markdown(self._lam_line(), styles={"font-size": "13px"})
        self.solving_display = SolvingDisplay(self._on_status)
        state.param.watch(self._on_lam, "lam")
        state.param.watch(self._on_state_units, "units")
        state.param.watch(self._on_status, ["status", "solving", "progress", "progress_text",
                                            "message", "refused"])
        self._on_status()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.slider, self.exact, self.lam_text,
            pn.pane.Markdown("Hidden units", margin=(5, 10, 0, 10)), self.units,
            pn.layout.Divider(), self.progress, self.eta, self.status, self.alert,
            sizing_mode="stretch_width",
        )

    def _lam_line(self) -> str:
        """``λ = 0.0316 = 79/2500`` (what the solver receives)."""
        try:
            exact = parse_lam(self.state.lam)
        except SolverInputError:
            return f"λ = {self.state.lam}"
        shown = self.state.lam if self.state.lam == str(exact) else f"{self.state.lam} = {exact}"
        return f"**λ = {shown}** (exact, used by the solver)"

    def _on_slider(self, event: Any) -> None:
        """Slider released: send the exact λ for its position."""
        if event.new is None:
            return
        if abs(slider_from_lam(self.state.lam) - event.new) < 1e-9:
            return
        if not self.state.edit(lam=lam_from_slider(event.new)):
            self._on_lam()

    def _on_lam_text(self, event: Any) -> None:
        """An exact λ was typed."""
        if event.new.strip() != self.state.lam and not self.state.edit(lam=event.new.strip()):
            self._on_lam()

    def _on_units(self, event: Any) -> None:
        """Another number of units was chosen; a refused one is put back on the next tick
        (set within the browser's own change of the buttons, Panel may not send it back:
        seen as the 4 staying pressed after a refusal)."""
        if event.new != self.state.units and not self.state.edit(units=event.new):
            pn.state.execute(self._on_state_units, schedule=True)

    def _on_lam(self, *events: Any) -> None:
        """Show the state's λ in the slider, the text box and the exact line."""
        position = slider_from_lam(self.state.lam)
        start, end = slider_range(position)
        if (self.slider.start, self.slider.end) != (start, end):
            self.slider.param.update(start=start, end=end)
        if abs(self.slider.value - position) > 1e-9:
            self.slider.value = position
        self.lam_text.value = self.state.lam
        self.exact.object = self._lam_line()

    def _on_state_units(self, *events: Any) -> None:
        """Show the state's number of units."""
        self.units.value = self.state.units

    def _on_status(self, *events: Any) -> None:
        """Status line, progress bar with the ETA, and the refusal message next to the input
        it concerns (a data edit's next to the data)."""
        state = self.state
        solving = self.solving_display.update(state.solving)
        if solving or not state.solving:  # a quick solve keeps the last line until its own
            self.status.object = state.status
        self.progress.visible = solving
        self.progress.active = solving and state.progress is None
        self.progress.value = (int(round(100 * state.progress))
                               if solving and state.progress is not None else -1)
        self.eta.object = state.progress_text if solving else ""
        self.eta.visible = solving and bool(state.progress_text)
        about_data = state.refused == "data"
        for alert, shown in ((self.alert, not about_data), (self.data_alert, about_data)):
            alert.object = state.message if shown else ""
            alert.visible = shown and bool(state.message)

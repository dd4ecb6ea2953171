"""Controls: λ (logarithmic slider and exact text), units, status, progress and messages.

The slider moves ``log10 λ`` from -4 to 0; on release its value becomes an exact λ through a
3-significant-digit decimal (``10**-1.5`` gives ``0.0316`` = 79/2500), which is shown and sent
to the solver. Any exact λ (``1/100``) can also be typed.

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

from explorer.state import ExplorerState
from solver.data import parse_lam, parse_rational
from solver.errors import SolverInputError

LOG_RANGE = (-4.0, 0.0)


def lam_from_slider(value: float) -> str:
    """The exact λ (a short decimal string) for a slider position ``log10 λ``."""
    return f"{10.0 ** value:.3g}"


def slider_from_lam(lam: str) -> float:
    """The slider position for an exact λ (clipped to the slider's range; not a positive
    number: the default position).

    >>> slider_from_lam("1/100"), slider_from_lam("1e-9"), slider_from_lam("-1")
    (-2.0, -4.0, -2.0)
    """
    try:
        q = parse_rational(lam, "lambda")
    except SolverInputError:
        return -2.0
    if q <= 0:
        return -2.0
    value = math.log10(q.numerator) - math.log10(q.denominator)
    return min(max(value, LOG_RANGE[0]), LOG_RANGE[1])


class ControlsView(pn.viewable.Viewer):
    """λ, units, status line, progress bar and the refusal message."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        self.slider = pn.widgets.FloatSlider(
            start=LOG_RANGE[0], end=LOG_RANGE[1], step=0.05, value=slider_from_lam(state.lam),
            label="λ (log scale)",
            format=CustomJSTickFormatter(code="return (10 ** tick).toPrecision(3)"),
            sizing_mode="stretch_width",
        )
        self.slider.param.watch(self._on_slider, "value_throttled")
        self.lam_text = pn.widgets.TextInput(value=state.lam, label="λ exactly (e.g. 1/100)")
        self.lam_text.param.watch(self._on_lam_text, "value")
        self.units = pn.widgets.RadioButtonGroup(
            options=[1, 2, 3], value=state.units, color="primary", variant="outline",
        )
        self.units.param.watch(self._on_units, "value")
        self.progress = pn.indicators.Progress(
            value=-1, active=False, visible=False, bar_color="primary", sizing_mode="stretch_width",
        )
        self.status = pn.pane.Markdown(state.status, styles={"font-size": "13px"})
        self.alert = pn.pane.Alert(state.message, alert_type="warning", visible=bool(state.message))
        self.exact = pn.pane.Markdown(self._lam_line(), styles={"font-size": "13px"})
        state.param.watch(self._on_lam, "lam")
        state.param.watch(self._on_state_units, "units")
        state.param.watch(self._on_status, ["status", "solving", "progress", "message"])

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.slider, self.exact, self.lam_text,
            pn.pane.Markdown("Hidden units", margin=(5, 10, 0, 10)), self.units,
            pn.layout.Divider(), self.progress, self.status, self.alert,
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
        """Another number of units was chosen."""
        if event.new != self.state.units and not self.state.edit(units=event.new):
            self.units.value = self.state.units

    def _on_lam(self, *events: Any) -> None:
        """Show the state's λ in the slider, the text box and the exact line."""
        position = slider_from_lam(self.state.lam)
        if abs(self.slider.value - position) > 1e-9:
            self.slider.value = position
        self.lam_text.value = self.state.lam
        self.exact.object = self._lam_line()

    def _on_state_units(self, *events: Any) -> None:
        """Show the state's number of units."""
        self.units.value = self.state.units

    def _on_status(self, *events: Any) -> None:
        """Status line, progress bar and the refusal message."""
        state = self.state
        self.status.object = state.status
        self.progress.visible = state.solving
        self.progress.active = state.solving and state.progress is None
        self.progress.value = -1 if state.progress is None else int(round(100 * state.progress))
        self.alert.object = state.message
        self.alert.visible = bool(state.message)

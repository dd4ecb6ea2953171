"""Build the dashboard: one state, five linked views, URL sync, progress polling.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> template = build_app(SolveRunner(processes=False), sync_url=False)  # doctest: +SKIP
"""

from __future__ import annotations

import holoviews as hv
import panel as pn

from explorer.runner import SolveRunner, get_runner
from explorer.state import ExplorerState
from explorer.views.controls import ControlsView
from explorer.views.data import DataView
from explorer.views.minima import MinimaView
from explorer.views.plane import PlaneView
from explorer.views.surface import SurfaceView

# URL query names of the synced parameters.
URL_PARAMETERS = {"data": "data", "lam": "lam", "units": "units", "selection": "sel"}
TITLE = "ReLU minima explorer: every certified local minimum of a small ridge ReLU network"
_ABOUT = (
    "loss(a, B, c) = Σᵢ (yᵢ − Σₗ aₗ ReLU(bₗ·xᵢ + cₗ))² + λ(|a|² + |B|² + |c|²). "
    "Every minimum shown is certified by the exact solver; every other number is this loss "
    "evaluated. Edit the data or λ and watch the minima move. The URL holds data, λ, units "
    "and selection: copy it to share this view."
)


def build_state(runner: SolveRunner | None = None, sync_url: bool = True) -> ExplorerState:
    """A session's state, restored from the page URL when ``sync_url``."""
    state = ExplorerState(runner=runner or get_runner(), autostart=False)
    if sync_url and pn.state.location is not None:
        pn.state.location.sync(state, URL_PARAMETERS, on_error=state.link_error)
    state.start()
    return state


def build_app(runner: SolveRunner | None = None, sync_url: bool = True) -> pn.template.BaseTemplate:
    """The whole dashboard as a template (call ``.servable()`` on it)."""
    pn.extension("tabulator", "katex", design="bootstrap", notifications=False)
    hv.extension("bokeh", logo=False)
    state = build_state(runner, sync_url)
    controls, data = ControlsView(state), DataView(state)
    plane, surface, minima = PlaneView(state), SurfaceView(state), MinimaView(state)
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        pn.state.add_periodic_callback(state.poll_progress, period=250)

    def card(title: str, body: object, share: int = 1) -> pn.Card:
        return pn.Card(
            body, title=title, collapsible=False, sizing_mode="stretch_width", margin=5,
            styles={"flex": f"{share} 1 0"},
        )

    main = [
        pn.Row(card("1 · Data", data), card("2 · The (b, c) plane", plane),
               sizing_mode="stretch_width"),
        pn.Row(card("3 · Loss surface", surface, 4), card("4 · Minima", minima, 5),
               sizing_mode="stretch_width"),
    ]
    sidebar = [
        pn.pane.Markdown("### 5 · Controls"), controls,
        pn.pane.Markdown(_ABOUT, styles={"font-size": "12px"}),
    ]
    # BootstrapTemplate: its resources are bundled with Panel (the Fast templates and the
    # Fast design fetch a web font from Google, which fails offline).
    template = pn.template.BootstrapTemplate(
        title="ReLU minima explorer", sidebar=sidebar, main=main, sidebar_width=330,
        header_background="#1f5fa8",
    )
    template.state = state  # handy for tests and notebooks
    return template

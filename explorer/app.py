"""Build the dashboard: one state, five linked views (:mod:`explorer.layout`), URL sync,
progress polling.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> template = build_app(SolveRunner(processes=False), sync_url=False)  # doctest: +SKIP
"""

from __future__ import annotations

import panel as pn

from explorer.layout import build_dashboard
from explorer.runner import SolveRunner, get_runner
from explorer.state import ExplorerState

# URL query names of the synced parameters.
URL_PARAMETERS = {"data": "data", "lam": "lam", "units": "units", "selection": "sel"}
TITLE = "ReLU minima explorer: every certified local minimum of a small ridge ReLU network"


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
    state = build_state(runner, sync_url)
    board = build_dashboard(state)
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        pn.state.add_periodic_callback(state.poll_progress, period=250)
    # BootstrapTemplate: its resources are bundled with Panel (the Fast templates and the
    # Fast design fetch a web font from Google, which fails offline).
    template = pn.template.BootstrapTemplate(
        title="ReLU minima explorer", sidebar=board.sidebar, main=board.main, sidebar_width=330,
        header_background="#1f5fa8",
    )
    template.state = state  # handy for tests and notebooks
    template.board = board
    return template

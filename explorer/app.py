"""Build the dashboard: one state, six linked views (data, parameter plane or sphere,
loss surface, minima, λ path, training: :mod:`explorer.layout`), URL sync, progress polling.

The page URL holds the shown problem and selection (:meth:`ExplorerState.link_query`): it
is written when a result or a selection is shown, so a refused edit or a bad link is
replaced by the last good state in the address bar.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> template = build_app(SolveRunner(processes=False), sync_url=False)  # doctest: +SKIP
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import panel as pn
from panel.io.callbacks import PeriodicCallback

from explorer.design import ExplorerDesign
from explorer.layout import build_dashboard
from explorer.pagefix import PAGEFIX_SCRIPT, install_page_fixes
from explorer.runner import SolveRunner, get_runner
from explorer.state import ExplorerState

TITLE = "ReLU minima explorer: every certified local minimum of a small ridge ReLU network"


def build_state(runner: SolveRunner | None = None, sync_url: bool = True) -> ExplorerState:
    """A session's state, restored from the page URL when ``sync_url``."""
    state = ExplorerState(runner=runner or get_runner(), autostart=False)
    state.batch = pn.io.hold  # a result's changes to every view: one message to the page
    if sync_url and pn.state.location is not None:
        sync_location(state, pn.state.location)
    state.start()
    return state


def link_search(query: dict[str, str]) -> str:
    """A link query as the URL's search part (empty for the bare page).

    >>> link_search({"lam": "1/20", "sel": "3"}), link_search({})
    ('?lam=1/20&sel=3', '')
    """
    return f"?{urlencode(query, safe='/,;')}" if query else ""


def search_query(search: str) -> dict[str, str]:
    """The URL's search part as ``{name: value}`` (the last value of a repeated name).

    >>> search_query("?lam=1/20&data=0,1;1,2")
    {'lam': '1/20', 'data': '0,1;1,2'}
    """
    return {k: v[-1] for k, v in parse_qs(search.lstrip("?"), keep_blank_values=True).items()}


def sync_location(state: ExplorerState, location: pn.io.location.Location) -> None:
    """Take the problem from the page's link, then keep the URL showing the last good state.

    The link's values are read as the exact strings typed (Panel's own ``sync`` would turn
    ``lam=-1`` into ``-1.0``).
    """
    state.apply_link(search_query(location.search))

    def write(*_: object) -> None:
        query = state.link_query()
        if search_query(location.search) != query:
            location.search = link_search(query)

    state.param.watch(write, ["result", "selection", "refused"])
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        # the page sends its own address once loaded: a bad link is replaced only then
        pn.state.onload(write)


def build_app(runner: SolveRunner | None = None, sync_url: bool = True) -> pn.template.BaseTemplate:
    """The whole dashboard as a template (call ``.servable()`` on it)."""
    pn.extension("tabulator", "katex", design=ExplorerDesign, notifications=False,
                 js_files={"explorer-pagefix": PAGEFIX_SCRIPT})
    state = build_state(runner, sync_url)
    board = build_dashboard(state)
    if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
        # In the background: Panel counts a foreground periodic callback as busy work, and
        # each run of each session's poll then set the busy indicator of every session
        # (one list for the server); with 30 sessions the server spent 28 % of its time on
        # it (py-spy under benchmarks/bench_classroom). Stopped when the session ends.
        PeriodicCallback(callback=state.poll_progress, period=250, background=True).start()
    # BootstrapTemplate: its resources are bundled with Panel (the Fast templates and the
    # Fast design fetch a web font from Google, which fails offline).
    template = pn.template.BootstrapTemplate(
        title="ReLU minima explorer", sidebar=board.sidebar, main=board.main, sidebar_width=330,
        header_background="#1f5fa8",
    )
    template.state = state  # handy for tests and notebooks
    template.board = board
    return template


def serve_app(title: str = "ReLU minima explorer") -> pn.template.BaseTemplate:
    """Build this session's dashboard into the server's document (``main.py`` calls it).

    Bokeh re-indexes every model of a document each time a root is added; the template adds
    one root per card, so the whole build is done with the index frozen and re-indexed once.
    """
    doc = pn.state.curdoc
    install_page_fixes(doc)
    with doc.models.freeze():
        template = build_app()
        template.servable(title=title)
    return template

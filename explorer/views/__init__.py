"""The dashboard's views: each a ``pn.viewable.Viewer`` taking the session's state."""

from __future__ import annotations

from collections.abc import Callable

import panel as pn


def caption(text: str) -> pn.pane.Markdown:
    """A small line of help under a plot."""
    return pn.pane.Markdown(text, styles={"font-size": "12px"}, margin=(0, 10))


def plot_column(plot: object, *extra: object, before: tuple = ()) -> pn.Column:
    """A stretching column: optional widgets, the HoloViews plot, then captions."""
    pane = pn.pane.HoloViews(plot, sizing_mode="stretch_width", height=430)
    return pn.Column(*before, pane, *extra, sizing_mode="stretch_width")


def redraw(update: Callable[[], None]) -> None:
    """Run ``update`` (which changes Bokeh models of the session) safely.

    A solve's result arrives in an asynchronous callback, outside Bokeh's document lock
    (and possibly before the page has loaded): Panel then runs ``update`` on the next tick,
    under the lock; otherwise at once. Its model changes are sent as one message.
    """

    def run() -> None:
        with pn.io.unlocked():
            update()

    pn.state.execute(run)

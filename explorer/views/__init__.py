"""The dashboard's views: each a ``pn.viewable.Viewer`` taking the session's state."""

from __future__ import annotations

import panel as pn


def caption(text: str) -> pn.pane.Markdown:
    """A small line of help under a plot."""
    return pn.pane.Markdown(text, styles={"font-size": "12px"}, margin=(0, 10))


def plot_column(plot: object, *extra: object, before: tuple = ()) -> pn.Column:
    """A stretching column: optional widgets, the HoloViews plot, then captions."""
    pane = pn.pane.HoloViews(plot, sizing_mode="stretch_width", height=430)
    return pn.Column(*before, pane, *extra, sizing_mode="stretch_width")

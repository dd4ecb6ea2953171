"""The dashboard's views: each a ``pn.viewable.Viewer`` taking the session's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def show_table(table: pn.widgets.Tabulator, frame: Any) -> None:
    """Show the DataFrame ``frame`` in ``table``, sending only the cells that changed when
    the rows and columns are the same (a dragged point: two cells; a typed one: none, the
    page has it already), else the whole frame.

    >>> import pandas as pd
    >>> table = pn.widgets.Tabulator(pd.DataFrame({"x": ["1", "2"], "y": ["3", "4"]}))
    >>> show_table(table, pd.DataFrame({"x": ["1", "2"], "y": ["3", "5"]}))
    >>> table.value.to_dict("list")
    {'x': ['1', '2'], 'y': ['3', '5']}
    """
    old = table.value
    same_shape = (old is not None and list(old.columns) == list(frame.columns)
                  and len(old) == len(frame) and old.index.equals(frame.index))
    if not same_shape:
        table.value = frame
        return
    changed = {}
    for column in frame.columns:
        cells = [(k, new) for k, (was, new) in enumerate(zip(old[column], frame[column],
                                                              strict=True)) if was != new]
        if cells:
            changed[column] = cells
    if changed:
        table.patch(changed, as_index=False)

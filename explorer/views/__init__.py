"""The dashboard's views: each a ``pn.viewable.Viewer`` taking the session's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn


def caption(text: str) -> pn.pane.Markdown:
    """A small line of help under a plot."""
    return pn.pane.Markdown(text, styles={"font-size": "12px"}, margin=(0, 10))


# The tables' rows at 13 px with small paddings (the design's 16 px text and 12 px paddings
# made 52 px rows: four points did not fit where the card had room for them).
TABLE_CSS = (":host .tabulator { font-size: 13px; } "
             ":host .tabulator-row .tabulator-cell { padding: 6px 8px; } "
             ":host .tabulator .tabulator-header .tabulator-col .tabulator-col-content "
             "{ padding: 6px 8px; }")
# Columns neither sorted nor resized by the user: a click anywhere on a row reaches the row
# (a column border's resize handle took a click at a row's centre and selected nothing).
FIXED_COLUMNS = {"headerSort": False, "resizable": False}
# A data table shows this many points without scrolling; more scroll under a fixed header.
DATA_ROWS = 8


def data_table(frame: Any) -> pn.widgets.Tabulator:
    """The editable data table of the 1-D and 2-D data views: a checkbox per row, exact
    values typed in the cells, every row shown up to ``DATA_ROWS`` (then it scrolls).

    >>> import pandas as pd
    >>> data_table(pd.DataFrame({"point": ["x1"], "x": ["0"], "y": ["1"]})).max_height
    340
    """
    return pn.widgets.Tabulator(
        frame, show_index=False, editors={"point": None}, layout="fit_data_stretch",
        max_height=36 + 38 * DATA_ROWS, selectable="checkbox", sizing_mode="stretch_width",
        stylesheets=[TABLE_CSS], configuration={"columnDefaults": FIXED_COLUMNS},
    )


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

"""Hover tooltips that wait for the mouse after a drag, a pan or a tap.

Bokeh's hover tool inspects again at the last mouse position whenever its plot repaints.
After a point is dragged, the plot panned or a marker tapped, every redraw that edit causes
(the new minima, the moved ranges) showed the tooltip of whatever glyph had come under that
position, though the user had hovered nothing since. :func:`quiet_hover` ends the hover
tools' inspection when such a gesture starts and ends (their ``_move_exit``, as when the
mouse leaves the plot); the next mouse move inspects again as usual. Bokeh 3.9 has no
public option for this: the callback reaches the tools' views through ``Bokeh.index``.

Examples
--------
>>> from bokeh.models import HoverTool
>>> from bokeh.plotting import figure
>>> fig = figure(tools="pan")
>>> fig.add_tools(HoverTool(tooltips=[("x", "$x")]))
>>> callback = quiet_hover(fig)
>>> sorted(fig.js_event_callbacks), len(callback.args["hovers"])
(['panend', 'panstart', 'tap'], 1)
"""

from __future__ import annotations

from typing import Any

from bokeh.events import PanEnd, PanStart, Tap
from bokeh.models import CustomJS, HoverTool

# Every view of each hover tool (one per page the figure is shown on) leaves the plot.
HIDE_JS = """
for (const tool of hovers)
  for (const view of Bokeh.index.find(tool))
    view._move_exit()
"""


def quiet_hover(fig: Any) -> CustomJS:
    """Hide ``fig``'s hover tooltips when a drag (or pan) starts and ends and on a tap,
    until the mouse moves again (call it after the hover tools are added). During a drag
    the tooltip follows the mouse, as any hover does."""
    hovers = [tool for tool in fig.tools if isinstance(tool, HoverTool)]
    callback = CustomJS(args={"hovers": hovers}, code=HIDE_JS)
    for event in (PanStart, PanEnd, Tap):
        fig.js_on_event(event, callback)
    return callback

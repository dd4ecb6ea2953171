"""Glyph renderers without the glyph models a renderer that is never selected or muted uses.

``figure.line(...)`` and Bokeh's other glyph methods give every renderer two more glyph
models besides the one drawn: a non-selection copy (drawn for the points left out of a
selection) and a muted copy (drawn while a legend mutes it). A renderer whose source is
never selected (this app selects through server-side taps, not Bokeh selections) and never
muted only draws its glyph, yet each copy is a model the server builds, serialises and
sends for every page. :func:`add_glyph` adds the glyph alone: the page builds what it
would draw in those states from the glyph itself, and draws the same.

Examples
--------
>>> from bokeh.models import ColumnDataSource, Line
>>> from bokeh.plotting import figure
>>> fig = figure()
>>> renderer = add_glyph(fig, ColumnDataSource({"x": [0], "y": [1]}),
...                      Line(x="x", y="y", line_color="red"), level="overlay")
>>> renderer.nonselection_glyph, renderer.muted_glyph, renderer.level
(None, None, 'overlay')
"""

from __future__ import annotations

from typing import Any

from bokeh.models import ColumnarDataSource, Glyph, GlyphRenderer


def add_glyph(fig: Any, source: ColumnarDataSource, glyph: Glyph,
              **renderer: Any) -> GlyphRenderer:
    """Add ``glyph`` drawn from ``source`` to ``fig``, with no non-selection or muted glyph
    model (``renderer``: the renderer's other properties, e.g. ``level`` or ``name``)."""
    return fig.add_glyph(source, glyph, nonselection_glyph=None, muted_glyph=None, **renderer)

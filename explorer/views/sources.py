"""Send a data source only the columns that changed.

Assigning ``source.data = columns`` sends every column to the page, and the page rebuilds
every glyph drawn from it; a new λ, for instance, leaves the lines ``b x_i + c = 0`` of the
(b, c) plane as they were. :func:`set_columns` compares each column with what the source
holds and sends only the changed ones (``source.data.update``: one ``ColumnDataChanged``
event naming them), or nothing.

Examples
--------
>>> from bokeh.models import ColumnDataSource
>>> source = ColumnDataSource({"x": [0.0, 1.0], "y": [2.0, 3.0]})
>>> set_columns(source, {"x": [0.0, 1.0], "y": [2.0, 4.0]})
['y']
>>> set_columns(source, {"x": [0.0, 1.0], "y": [2.0, 4.0]})
[]
>>> set_columns(source, {"x": [0.0], "y": [1.0]})
['x', 'y']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from bokeh.models import ColumnDataSource


def same_values(a: Any, b: Any) -> bool:
    """Whether two column values hold the same data (numbers, strings, nested lists or
    numpy arrays; NaN equals NaN, the dtype of equal numbers does not matter).

    >>> same_values([[0.0, 1.0], [2.0]], [np.array([0.0, 1.0]), [2.0]])
    True
    >>> same_values([np.ones((2, 2), np.float32)], [np.ones((2, 3), np.float32)])
    False
    >>> same_values([float("nan"), 1.0], np.array([np.nan, 1.0])), same_values(["a"], ["b"])
    (True, False)
    """
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            x, y = np.asarray(a), np.asarray(b)
        except ValueError:  # a ragged list
            return False
        if x.shape != y.shape:
            return False
        numeric = x.dtype.kind in "fiub" and y.dtype.kind in "fiub"
        return bool(np.array_equal(x, y, equal_nan=numeric))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_values(p, q) for p, q in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # both NaN
    return bool(type(a) is type(b) or (_number(a) and _number(b))) and bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def set_columns(source: ColumnDataSource, columns: Mapping[str, Any]) -> list[str]:
    """Give ``source`` the data ``columns``, sending only the columns that differ from what
    it holds (all of them when the column names differ); the names of those sent."""
    old = source.data
    if set(old) != set(columns):
        source.data = dict(columns)
        return sorted(columns)
    changed = {k: v for k, v in columns.items() if not same_values(old[k], v)}
    if len(changed) == len(columns):
        source.data = dict(columns)
    elif changed:
        source.data.update(changed)
    return sorted(changed)

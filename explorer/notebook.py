"""The explorer in a Jupyter cell, on your own data: ``Explorer(x, y, lam="1/100", units=2)``.

The object is the whole dashboard (data, the (b, c) plane, the loss surface, the minima,
the controls, the tour and the glossary) for one problem; a cell that ends with it displays
it (Panel's notebook support: run ``import panel as pn; pn.extension()`` once, or let the
first ``Explorer`` do it). Values are read exactly as by :func:`solver.solve`: strings
(``"-0.17"``, ``"1/3"``), ints, Fractions or floats (a float through its shortest repr).
Bad data raise :class:`~solver.errors.SolverInputError` with the solver's one-line message.

Examples
--------
>>> from explorer.runner import SolveRunner
>>> e = Explorer([0, 1, 2], ["0.5", "1/3", 2], lam="0.01", units=1,
...              runner=SolveRunner(processes=False))
>>> e.rows
[('0', '0.5'), ('1', '1/3'), ('2', '2')]
>>> len(e.result.minima) > 0
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import panel as pn
import param

from explorer.problem import Rows, format_data, make_key
from explorer.runner import SolveRunner, get_runner
from explorer.state import ExplorerState
from solver.data import parse_rational
from solver.errors import SolverInputError


def exact_text(value: object, what: str = "value") -> str:
    """A value as the exact text the dashboard keeps: a typed string as it is, a number as a
    terminating decimal when it is one, else a fraction.

    >>> from fractions import Fraction
    >>> exact_text(0.1), exact_text(-0.017), exact_text(Fraction(1, 3)), exact_text(" -0.170 ")
    ('0.1', '-0.017', '1/3', '-0.170')
    """
    if isinstance(value, str):
        parse_rational(value, what)
        return value.strip()
    q = parse_rational(value, what)
    rest = q.denominator
    for p in (2, 5):
        while rest % p == 0:
            rest //= p
    if rest != 1:
        return str(q)
    digits = 0
    while (q * 10**digits).denominator != 1:
        digits += 1
    scaled = abs((q * 10**digits).numerator)
    whole, frac = divmod(scaled, 10**digits)
    sign = "-" if q < 0 else ""
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else str(q.numerator)


def data_rows(x: Iterable[object], y: Iterable[object]) -> Rows:
    """``(x, y)`` text pairs from 1-D data (lists, arrays, Series); ``[[x], ...]`` rows too."""
    xs, ys = list(x), list(y)
    if len(xs) != len(ys):
        raise SolverInputError(f"x has {len(xs)} values but y has {len(ys)}")
    rows = []
    for i, (xi, yi) in enumerate(zip(xs, ys, strict=True)):
        if isinstance(xi, (list, tuple)) or getattr(xi, "ndim", 0) == 1:
            if len(xi) != 1:
                raise SolverInputError(
                    f"the explorer shows 1-D data (x, y); point {i + 1} has {len(xi)} coordinates")
            xi = xi[0]
        rows.append((exact_text(xi, f"x of point {i + 1}"), exact_text(yi, f"y of point {i + 1}")))
    return rows


class Explorer(pn.viewable.Viewer):
    """The dashboard on given data, as one displayable object.

    Parameters
    ----------
    x, y : the data (1-D: ``n`` values each).
    lam : the regularisation strength (exact: ``"1/100"``, ``0.01``, ``Fraction(1, 100)``).
    units : hidden units, 1 to 4 (as the dashboard).
    runner : where solves run; by default the process pool shared by every explorer in this
        Python process (solves never block the notebook). ``SolveRunner(processes=False)``
        solves in the kernel itself.
    """

    state = param.ClassSelector(class_=ExplorerState, doc="The session's state.")

    def __init__(self, x: Iterable[object], y: Iterable[object], lam: object = "1/100",
                 units: int = 2, runner: SolveRunner | None = None, **params: Any) -> None:
        data = format_data(data_rows(x, y))
        lam_text, units = exact_text(lam, "lambda"), int(units)
        make_key(data, lam_text, units)  # one clear line for bad data, before anything is built
        pn.extension("tabulator", "katex", notifications=False)
        state = ExplorerState(runner=runner or get_runner(), autostart=False,
                              data=data, lam=lam_text, units=units)
        super().__init__(state=state, **params)
        state.start()
        self._layout: pn.viewable.Viewable | None = None

    @property
    def rows(self) -> Rows:
        """The data as exact ``(x, y)`` strings (as edited in the dashboard)."""
        return self.state.rows

    @property
    def result(self) -> Any:
        """The solver's :class:`~solver.results.Solution` shown now (``None`` while solving)."""
        return self.state.result

    @property
    def selected(self) -> Any:
        """The selected minimum."""
        return self.state.selected

    def __panel__(self) -> pn.viewable.Viewable:
        if self._layout is None:
            from explorer.layout import dashboard_layout

            self._layout = dashboard_layout(self.state, progress=_in_notebook())
        return self._layout


def _in_notebook() -> bool:
    """Whether a Jupyter kernel runs this process (its loop drives progress polling)."""
    import sys

    return "ipykernel" in sys.modules

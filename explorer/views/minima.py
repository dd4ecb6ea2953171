"""Minima table (kind, loss, orbit, pattern, active boundaries, certificate) and exact LaTeX.

Selecting a row selects the minimum everywhere. Below the table the selected minimum is
written exactly: a curve by its equations and strict inequalities (as the solver returns
them), an isolated minimum by the minimal polynomial of its algebraic number ``z`` and its
units' formulas in ``z``.

Examples
--------
>>> equation_latex("b11 - 3*c1/2")
'b_{11} - \\\\frac{3 c_{1}}{2} = 0'
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import panel as pn
import param
import sympy

from explorer.state import ExplorerState
from explorer.views.geometry import active_label

_COLUMNS = ["#", "kind", "loss", "orbit", "pattern", "active", "certificate"]


@functools.lru_cache(maxsize=512)
def _latex(expression: str) -> str:
    """LaTeX of a sympy-parsable expression string, terms in the solver's order."""
    return sympy.latex(sympy.parse_expr(expression, evaluate=False), order="none")


def equation_latex(equation: str) -> str:
    """``expr`` (meaning ``expr = 0``) as LaTeX."""
    return f"{_latex(equation)} = 0"


def inequality_latex(inequality: str) -> str:
    """A strict inequality string such as ``"c1 - 17*b11/100 > 0"`` as LaTeX."""
    for op, tex in ((">=", r"\ge"), ("<=", r"\le"), (">", ">"), ("<", "<")):
        if op in inequality:
            left, right = inequality.split(op, 1)
            return f"{_latex(left)} {tex} {_latex(right)}"
    return _latex(inequality)


def certificate_summary(checks: tuple[str, ...]) -> str:
    """The kinds of checks, e.g. ``"first order; second order"`` (details below the table).

    >>> certificate_summary(("first order: a", "first order: b", "second order: c"))
    'first order; second order'
    """
    kinds = [check.split(":")[0].strip() for check in checks]
    return "; ".join(dict.fromkeys(kinds))


def _kind(minimum: Any) -> str:
    """``isolated``, ``curve`` or ``k-D set``."""
    if minimum.kind == "isolated" or minimum.dimension == 1:
        return minimum.kind
    return f"{minimum.dimension}-D set"


def minima_frame(result: Any) -> pd.DataFrame:
    """One table row per minimum."""
    rows = []
    if result is not None:
        for index, m in enumerate(result.minima):
            rows.append({
                "#": index + 1,
                "kind": _kind(m),
                "loss": f"{m.loss:.10g}",
                "orbit": m.orbit,
                "pattern": " ".join(m.pattern),
                "active": active_label(m.active),
                "certificate": certificate_summary(m.certificate.checks),
            })
    return pd.DataFrame.from_records(rows, columns=_COLUMNS)


def minimum_latex(index: int, minimum: Any) -> str:
    """A LaTeX description of one minimum (``$$ ... $$`` blocks)."""
    head = f"Minimum {index + 1}: {minimum.kind}, loss ≈ {minimum.loss:.10g}."
    if minimum.kind == "curve":
        equations = r" \\ ".join(equation_latex(e) for e in minimum.equations)
        inequalities = r" \\ ".join(inequality_latex(s) for s in minimum.inequalities)
        names = ", ".join(_latex(v) for v in minimum.variables)
        return (
            f"{head} The set is the part of the curve in $({names})$ where\n\n"
            f"$$\\begin{{gathered}}{equations}\\end{{gathered}}$$\n\nand\n\n"
            f"$$\\begin{{gathered}}{inequalities}\\end{{gathered}}$$"
        )
    exact = minimum.exact.to_json()
    lines = []
    box = [root for root in exact["s"] if root["minpoly"] is None]
    for root in exact["s"]:
        if root["minpoly"] is None:
            continue
        lo, hi = (_latex(v) for v in root["interval"])
        name = _latex(root["name"])
        lines.append(f"{_latex(root['minpoly'])} = 0, \\quad {name} \\in [{lo}, {hi}]")
    if box:  # three or more coupled neurons: a Krawczyk-proved box, no polynomials
        names = ", ".join(_latex(root["name"]) for root in box)
        ranges = r" \times ".join(
            "[{}, {}]".format(*(_latex(v) for v in root["interval"])) for root in box)
        lines.append(f"({names}) \\in {ranges}")
    for k, unit in enumerate(exact["units"], start=1):
        if unit["sign"] == 0:
            lines.append(f"\\text{{unit {k} dead: }} a_{{{k}}} = b_{{{k}}} = c_{{{k}}} = 0")
            continue
        sign = "" if unit["sign"] > 0 else "-"
        direction = ", ".join(_latex(p) for p in [*unit["b"], unit["c"]])
        lines.append(
            f"a_{{{k}}} = {sign}\\sqrt{{\\lambda\\,{_latex(unit['t'])}}}, \\quad "
            f"(b_{{{k}}}, c_{{{k}}}) = \\frac{{a_{{{k}}}}}{{\\lambda}}\\,\\left({direction}\\right)"
        )
    body = r" \\ ".join(lines)
    where = "each $s_j$ the unique real root of its polynomial in the given interval"
    if box:
        where = ("the $s_j$ without a polynomial, together, the unique solution in the given box "
                 "of their neurons' equations (proved with the Krawczyk test)")
        if len(box) < len(exact["s"]):
            where = f"the other $s_j$ the unique real roots of their polynomials, and {where}"
    return f"{head} Exactly, with {where}:\n\n$$\\begin{{gathered}}{body}\\end{{gathered}}$$"


class MinimaView(pn.viewable.Viewer):
    """Table of the certified minima, linked to the selection, and the exact form."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        self.table = pn.widgets.Tabulator(
            minima_frame(state.result), show_index=False, disabled=True, selectable=1,
            layout="fit_columns", height=250, sizing_mode="stretch_width",
            text_align={"loss": "right"},
            widths={"#": 38, "kind": 80, "loss": 105, "orbit": 68, "pattern": 135, "active": 125},
            stylesheets=[":host .tabulator { font-size: 13px; }"],
            configuration={"columnDefaults": {"headerSort": False}},
        )
        self.table.param.watch(self._on_select, "selection")
        self.checks = pn.pane.Markdown("", styles={"font-size": "12px"}, margin=(0, 10))
        self.exact = pn.pane.LaTeX(
            "", renderer="katex", sizing_mode="stretch_width",
            styles={"overflow-x": "auto", "font-size": "13px"}, max_height=260,
        )
        state.param.watch(self._on_result, "result")
        state.param.watch(self._on_selection, "selection")
        self._on_result()

    def __panel__(self) -> pn.viewable.Viewable:
        title = pn.pane.Markdown("Certified minima (select a row)", margin=(0, 10))
        return pn.Column(title, self.table, self.checks, self.exact, sizing_mode="stretch_width")

    def _on_result(self, *events: Any) -> None:
        """New result: refill the table."""
        self.table.value = minima_frame(self.state.result)
        self._on_selection()

    def _on_selection(self, *events: Any) -> None:
        """Show the selection in the table and write the selected minimum exactly."""
        index = self.state.selected_index
        wanted = [] if index is None else [index]
        if self.table.selection != wanted:
            self.table.selection = wanted
        if index is None:
            self.checks.object = self.exact.object = ""
            return
        minimum = self.state.selected
        lines = "\n".join(f"- {check}" for check in minimum.certificate.checks)
        self.checks.object = f"**Certificate of minimum {index + 1}**\n\n{lines}"
        self.exact.object = minimum_latex(index, minimum)

    def _on_select(self, event: Any) -> None:
        """A row was selected in the table."""
        if event.new and event.new[0] != self.state.selected_index:
            self.state.select(event.new[0])

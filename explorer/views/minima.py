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

from typing import Any

import pandas as pd
import panel as pn
import param
from panel.io.model import JSCode

from explorer.state import ExplorerState
from explorer.views import FIXED_COLUMNS, TABLE_CSS, show_table
from explorer.views.geometry import active_label
from explorer.views.latex import Names, to_latex

_COLUMNS = ["#", "kind", "loss", "orbit", "pattern", "active", "certificate"]
# Pixel widths at the tables' 13 px: the fixed columns hold their header and their longest
# value; the wrapped ones share the rest (in proportion to ``grow``), never narrower than
# ``width`` (the header and a part such as "closure excluded", "x3·u2," or "++-+0").
# Together 558 px (the loss up to 15 characters, "6.832042634e-05"): the Minima card is
# laid out wide enough (explorer.layout).
FIXED_WIDTHS = {"#": 40, "kind": 70, "loss": 134, "orbit": 54}
WRAPPED = {"pattern": (70, 2), "active": (70, 2), "certificate": (120, 3)}
# Where a wrapped column's text may break: between a pattern's units, between active
# boundaries, between kinds of checks; never inside one ("++-+0" once broke after its "-",
# "first order" after "first").
SEPARATORS = {"pattern": " ", "active": ", ", "certificate": "; "}
# Tabulator's formatter of the wrapped columns: each part an inline block (kept whole when
# it fits the cell's width, broken only if longer than the whole cell).
_PARTS_JS = """(cell, params) => {
  const el = cell.getElement();
  el.style.whiteSpace = 'normal';
  el.style.overflowWrap = 'anywhere';
  const parts = String(cell.getValue() ?? '').split(params.separator);
  const keep = params.separator.trimEnd();
  return parts.map((part, i) => {
    const span = document.createElement('span');
    span.style.display = 'inline-block';
    span.textContent = part + (i < parts.length - 1 ? keep : '');
    return span.outerHTML;
  }).join(' ');
}"""


CERTIFICATE_MEANING = (
    "Certified means that the solver proved, exactly (or by a rigorous interval test where "
    "it says so), that no small change of the weights lowers the loss: this point is a "
    "local minimum. The checks it passed:"
)


def equation_latex(equation: str, names: Names | None = None) -> str:
    """``expr`` (meaning ``expr = 0``) as LaTeX."""
    return f"{to_latex(equation, names)} = 0"


def inequality_latex(inequality: str, names: Names | None = None) -> str:
    """A strict inequality string such as ``"c1 - 17*b11/100 > 0"`` as LaTeX.

    >>> inequality_latex("c1 - 17*b11/100 > 0")
    'c_{1} - \\\\frac{17 b_{11}}{100} > 0'
    """
    return to_latex(inequality, names)


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
    """The exact form of one minimum: a head line, then one line of inline maths per
    equation (KaTeX wraps them at the pane's width), long rationals named ``R_k`` and
    listed, exactly, in a collapsible block at the end (HTML for the KaTeX pane)."""
    head = f"Minimum {index + 1}: {minimum.kind}, loss ≈ {minimum.loss:.10g}."
    names = Names()
    if minimum.kind == "curve":
        equations = [equation_latex(e, names) for e in minimum.equations]
        inequalities = [inequality_latex(s, names) for s in minimum.inequalities]
        variables = ", ".join(to_latex(v) for v in minimum.variables)
        body = (f" The set is the part of the curve in $({variables})$ where"
                + _lines(equations) + "and" + _lines(inequalities))
        return head + body + _coefficient_list(names)
    exact = minimum.exact.to_json()
    lines = []
    box = [root for root in exact["s"] if root["minpoly"] is None]
    for root in exact["s"]:
        if root["minpoly"] is None:
            continue
        lo, hi = (names.rational(v) for v in root["interval"])
        name = to_latex(root["name"])
        lines.append(f"{to_latex(root['minpoly'], names)} = 0, \\quad {name} \\in [{lo}, {hi}]")
    if box:  # three or more coupled neurons: a Krawczyk-proved box, no polynomials
        roots = ", ".join(to_latex(root["name"]) for root in box)
        ranges = r" \times ".join(
            "[{}, {}]".format(*(names.rational(v) for v in root["interval"])) for root in box)
        lines.append(f"({roots}) \\in {ranges}")
    for k, unit in enumerate(exact["units"], start=1):
        if unit["sign"] == 0:
            lines.append(f"\\text{{unit {k} dead: }} a_{{{k}}} = b_{{{k}}} = c_{{{k}}} = 0")
            continue
        sign = "" if unit["sign"] > 0 else "-"
        direction = ", ".join(to_latex(p, names) for p in [*unit["b"], unit["c"]])
        lines.append(
            f"a_{{{k}}} = {sign}\\sqrt{{\\lambda\\,{to_latex(unit['t'], names)}}}, \\quad "
            f"(b_{{{k}}}, c_{{{k}}}) = \\frac{{a_{{{k}}}}}{{\\lambda}}\\,"
            f"\\left({direction}\\right)"
        )
    where = "each $s_j$ the unique real root of its polynomial in the given interval"
    if box:
        where = ("the $s_j$ without a polynomial, together, the unique solution in the given box "
                 "of their neurons' equations (proved with the Krawczyk test)")
        if len(box) < len(exact["s"]):
            where = f"the other $s_j$ the unique real roots of their polynomials, and {where}"
    return f"{head} Exactly, with {where}:" + _lines(lines) + _coefficient_list(names)


def _lines(tex: list[str]) -> str:
    """Lines of inline maths, each its own block (wrapped by KaTeX where too long)."""
    return "".join(f'<div class="eq">${line}$</div>' for line in tex)


def _coefficient_list(names: Names) -> str:
    """The named rationals, exactly, in a collapsible block (nothing if none)."""
    entries = names.entries()
    if not entries:
        return ""
    items = "".join(
        f'<div class="eq">${name} \\approx {_tex_float(value)}$ = '
        f'<code>{text}</code></div>' for name, text, value in entries)
    first, last = entries[0][0], entries[-1][0]
    span = f"${first}$" if len(entries) == 1 else f"${first}$ … ${last}$"
    return (f"<details><summary>Long coefficients {span}, exactly "
            f"({len(entries)})</summary>{items}</details>")


def _tex_float(value: float) -> str:
    """A float for maths: ``1.23\\times 10^{5}`` rather than ``1.23e+05``.

    >>> _tex_float(123456.0), _tex_float(0.5)
    ('1.235\\\\times 10^{5}', '0.5')
    """
    text = f"{value:.4g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}\\times 10^{{{int(exponent)}}}"


class MinimaView(pn.viewable.Viewer):
    """Table of the certified minima, linked to the selection, and the exact form."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        # No fixed height: every row shows up to max_height (the paper example's 9 and
        # more), then the rows scroll under the header. Every column keeps room for its
        # header and its longest word (the certificate column was once squeezed to one
        # character, its text running down the cell); the last three wrap at spaces.
        self.table = pn.widgets.Tabulator(
            minima_frame(state.result), show_index=False, disabled=True, selectable=1,
            layout="fit_columns", max_height=720, sizing_mode="stretch_width",
            text_align={"loss": "right"}, widths=dict(FIXED_WIDTHS),
            formatters={name: {"type": JSCode(_PARTS_JS), "separator": SEPARATORS[name]}
                        for name in WRAPPED},
            stylesheets=[TABLE_CSS],
            configuration={"columnDefaults": FIXED_COLUMNS, "columns": [
                {"field": name, "minWidth": width, "widthGrow": grow, "tooltip": True}
                for name, (width, grow) in WRAPPED.items()]},
        )
        self.table.param.watch(self._on_select, "selection")
        self.checks = pn.pane.Markdown("", styles={"font-size": "12px"}, margin=(0, 10))
        self.exact = pn.pane.LaTeX(
            "", renderer="katex", sizing_mode="stretch_width", max_height=420,
            styles={"overflow-y": "auto", "font-size": "13px"},
            stylesheets=[".eq { margin: 4px 0; overflow-x: auto; } "
                         "code { overflow-wrap: anywhere; word-break: break-all; }"],
        )
        state.param.watch(self._on_result, "result")
        state.param.watch(self._on_selection, "selection")
        self._on_result()

    def __panel__(self) -> pn.viewable.Viewable:
        title = pn.pane.Markdown("Certified minima (select a row)", margin=(0, 10))
        return pn.Column(title, self.table, self.checks, self.exact, sizing_mode="stretch_width")

    def _on_result(self, *events: Any) -> None:
        """New result: the table's cells that changed (the whole table when the number of
        minima changed)."""
        show_table(self.table, minima_frame(self.state.result))
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
        self.checks.object = (f"**Certificate of minimum {index + 1}.** {CERTIFICATE_MEANING}"
                              f"\n\n{lines}")
        self.exact.object = minimum_latex(index, minimum)

    def _on_select(self, event: Any) -> None:
        """A row was selected in the table."""
        if event.new and event.new[0] != self.state.selected_index:
            self.state.select(event.new[0])

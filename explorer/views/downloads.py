"""Downloads: the shown result as the command line writes it, the data as a CSV, pictures.

- **JSON**: the result in the CLI's schema, written by the CLI's own writer
  (:func:`solver.cli.solve.json_text` of :meth:`Solution.to_json`), as
  ``python -m solver solve data.csv --lam ... --units ... --json out.json`` writes it;
- **LaTeX**: the CLI's fragment (:meth:`Solution.to_latex`, what ``--latex`` writes);
- **CSV**: the data, header ``x,y``, the exact strings as typed (read back exactly by the
  CLI and the dashboard's upload);
- **PNG** of a view: the save tool (disk icon) of each plot's toolbar (Bokeh's SaveTool:
  drawn by the browser, no network needed).

The three files describe what is *shown* (the last good solution), not a refused edit.

Examples
--------
>>> data_csv("-0.17,0.05;1/2,1")
'x,y\\n-0.17,0.05\\n1/2,1\\n'
>>> file_stem("1/100", 2)
'relu-minima_lam-1_100_units-2'
"""

from __future__ import annotations

import io
import re
from typing import Any

import panel as pn
import param

from explorer.problem import format_data, parse_data
from explorer.state import ExplorerState
from solver.cli.solve import json_text
from solver.results import Solution

PNG_HELP = ("PNG of a view: the save icon (a disk) in the toolbar at the right of each plot "
            "downloads the picture as drawn.")


def data_csv(data: str) -> str:
    """The data text as a CSV file (header ``x,y``, exact strings).

    >>> data_csv("0,1;1,0").splitlines()
    ['x,y', '0,1', '1,0']
    """
    return "x,y\n" + "".join(f"{x},{y}\n" for x, y in parse_data(format_data(parse_data(data))))


def result_json(solution: Solution) -> str:
    """The result document exactly as the CLI's ``--json`` writes it."""
    return json_text(solution.to_json())


def result_latex(solution: Solution) -> str:
    """The LaTeX fragment exactly as the CLI's ``--latex`` writes it."""
    return solution.to_latex()


def file_stem(lam: str, units: int) -> str:
    """A file name (without extension) naming the problem's λ and units."""
    return f"relu-minima_lam-{re.sub(r'[^0-9A-Za-z.-]+', '_', lam)}_units-{units}"


class DownloadsView(pn.viewable.Viewer):
    """Buttons downloading the shown result (JSON, LaTeX) and data (CSV)."""

    state = param.ClassSelector(class_=ExplorerState)

    def __init__(self, state: ExplorerState, **params: Any) -> None:
        super().__init__(state=state, **params)
        common = {"color": "primary", "variant": "outline", "width": 86,  # 3 fit the sidebar
                  "embed": False, "margin": (5, 5)}
        self.json = pn.widgets.FileDownload(
            callback=self._json, label="JSON", filename="relu-minima.json",
            description="The result as the command line's --json writes it (exact numbers, "
            "certificates): python -m solver verify checks it.", **common)
        self.latex = pn.widgets.FileDownload(
            callback=self._latex, label="LaTeX", filename="relu-minima.tex",
            description="The command line's LaTeX fragment: the minima table and the exact "
            "equations of every curve.", **common)
        self.csv = pn.widgets.FileDownload(
            callback=self._csv, label="CSV", filename="relu-minima-data.csv",
            description="The data points (header x,y), exactly as typed.", **common)
        self.note = pn.pane.Markdown(PNG_HELP, styles={"font-size": "12px"}, margin=(0, 10))
        state.param.watch(self._on_result, "result")
        self._on_result()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(pn.Row(self.json, self.latex, self.csv), self.note,
                         sizing_mode="stretch_width")

    def _shown(self) -> tuple[Solution | None, str]:
        """The shown solution and the data (as typed) it was solved for."""
        shown = self.state.shown_problem
        return self.state.result, (self.state.data if shown is None else shown[0])

    def _on_result(self, *events: Any) -> None:
        """Name the files after the shown problem; nothing to download without a result."""
        solution = self.state.result
        ready = solution is not None
        for button in (self.json, self.latex):
            button.disabled = not ready
        if ready:
            shown = self.state.shown_problem
            stem = file_stem(self.state.lam if shown is None else shown[1], solution.units)
            self.json.filename, self.latex.filename = f"{stem}.json", f"{stem}.tex"
            self.csv.filename = f"{stem.split('_lam-')[0]}-data.csv"

    def _json(self) -> io.StringIO:
        solution, _ = self._shown()
        return io.StringIO(result_json(solution) if solution is not None else "")

    def _latex(self) -> io.StringIO:
        solution, _ = self._shown()
        return io.StringIO(result_latex(solution) if solution is not None else "")

    def _csv(self) -> io.StringIO:
        return io.StringIO(data_csv(self._shown()[1]))

"""BokehJS and Panel costs worked around in the page.

1. **Style sheets rewritten with the text they have.** BokehJS 3.9 positions every renderer
of a plot on each paint by rewriting the text of its ``InlineStyleSheet`` (a ``<style>``
element), even when the text is the same; and it reads every visual property through
``getComputedStyle`` (bokeh issue 15286). A rewritten style sheet makes the next read
recompute the page's styles: on this dashboard (about 240 shadow roots, 1,700 ``<style>``
elements) 2-5 ms each time, about 100 times per edit (traced in Chromium: 330-520 ms of the
page's main thread per edit at load 7-9, half of it gone with this fix).
:data:`SKIP_UNCHANGED_CSS` makes the style sheet's update skip text it already has; nothing
else changes (the same text gives the same styles).

2. **Tables rebuilt for a changed cell.** Panel 1.9's Tabulator view answers a patch of its
data (``Tabulator.patch``: a dragged point's two cells, the minima's new losses) and a new
frame by Tabulator's ``setData``, which throws away every row's element and builds the
table again (the minima table: about 200 ms of the page's main thread at load, and a
visible flicker). :data:`UPDATE_CHANGED_ROWS` makes both update the rows in place instead
(Tabulator's ``updateOrAddData`` with only the rows whose values changed, ``deleteRow`` for
rows gone): unchanged rows keep their elements, changed ones re-format their cells. Tables
with a data tree or pagination, a first fill or new columns take Panel's way.

Both are loaded as a script right after BokehJS (:data:`PAGEFIX_SCRIPT`, so the first
page's paints have the first; Panel's models load later) and applied again, harmlessly,
when the document is ready (the second then; and a page built without the script: a
notebook).

Examples
--------
>>> from bokeh.document import Document
>>> doc = Document()
>>> install_page_fixes(doc)
>>> len(doc.callbacks._js_event_callbacks["document_ready"])
1
"""

from __future__ import annotations

import base64

from bokeh.document import Document
from bokeh.models import CustomJS

# Run once per page (guarded): wraps ``InlineStyleSheet._update``, which sets the text.
SKIP_UNCHANGED_CSS = """
const dom = window.Bokeh && Bokeh.require ? Bokeh.require('core/dom') : null;
const proto = dom && dom.InlineStyleSheet ? dom.InlineStyleSheet.prototype : null;
if (proto && typeof proto._update === 'function' && !proto.__skipsUnchanged) {
  const update = proto._update;
  proto._update = function (css) {
    if (this.el.textContent !== css) update.call(this, css);
  };
  proto.__skipsUnchanged = true;
}
"""

# Run once per page (guarded): wraps the Tabulator view's ``setData`` (a new frame) and
# ``updateOrAddData`` (a patch). Rows are matched by Panel's ``_index`` (the row number).
UPDATE_CHANGED_ROWS = """
const Table = window.Bokeh && Bokeh.Models && Bokeh.Models.get
  ? Bokeh.Models.get('panel.models.tabulator.DataTabulator') : null;
const view = Table && Table.prototype.default_view ? Table.prototype.default_view.prototype
  : null;
if (view && typeof view.setData === 'function' && !view.__updatesChangedRows) {
  const same = (a, b) => a === b || (Number.isNaN(a) && Number.isNaN(b));
  // The promise of updating the shown rows to ``rows``, or null where Panel's way is needed.
  const update = function (rows) {
    const table = this.tabulator;
    if (!table || !table.initialized || this.model.pagination != null
        || (this.model.configuration && this.model.configuration.dataTree)) return null;
    const shown = table.getData();
    if (!shown.length || !rows.length) return null;
    const fields = (row) => Object.keys(row).sort().join('\u0000');
    if (fields(shown[0]) !== fields(rows[0])) return null;
    const byIndex = new Map(shown.map((row) => [row._index, row]));
    const changed = rows.filter((row) => {
      const old = byIndex.get(row._index);
      return !old || Object.keys(row).some((k) => !same(old[k], row[k]));
    });
    const gone = shown.filter((row) => row._index >= rows.length).map((row) => row._index);
    const updated = changed.length ? table.updateOrAddData(changed) : Promise.resolve([]);
    return updated.then(() => { if (gone.length) table.deleteRow(gone); });
  };
  const setData = view.setData;
  view.setData = function () {
    if (this._initializing || this._building) return setData.call(this);
    return update.call(this, this.getData()) || setData.call(this);
  };
  const updateOrAddData = view.updateOrAddData;
  view.updateOrAddData = function () {
    if (this._tabulator_cell_updating) return;
    if (!update.call(this, this.getData())) updateOrAddData.call(this);
  };
  view.__updatesChangedRows = true;
}
"""
PAGE_FIXES = SKIP_UNCHANGED_CSS + "{" + UPDATE_CHANGED_ROWS + "}"

# The same code as a script in the page's head, after BokehJS (``pn.config.js_files``): a
# ``data:`` URL, nothing to serve or fetch.
PAGEFIX_SCRIPT = "data:text/javascript;base64," + base64.b64encode(
    PAGE_FIXES.encode()).decode()


def install_page_fixes(doc: Document) -> None:
    """Have ``doc``'s page apply :data:`PAGE_FIXES` once its document is ready."""
    doc.js_on_event("document_ready", CustomJS(code=PAGE_FIXES))

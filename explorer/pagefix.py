"""A BokehJS cost worked around in the page: style sheets rewritten with the text they have.

BokehJS 3.9 positions every renderer of a plot on each paint by rewriting the text of its
``InlineStyleSheet`` (a ``<style>`` element), even when the text is the same; and it reads
every visual property through ``getComputedStyle`` (bokeh issue 15286). A rewritten style
sheet makes the next read recompute the page's styles: on this dashboard (about 240 shadow
roots, 1,700 ``<style>`` elements) 2-5 ms each time, about 100 times per edit (traced in
Chromium: 330-520 ms of the page's main thread per edit at load 7-9, half of it gone with
this fix). :data:`SKIP_UNCHANGED_CSS` makes the style sheet's update skip text it already
has; nothing else changes (the same text gives the same styles). It is loaded as a script
right after BokehJS (:data:`PAGEFIX_SCRIPT`, so the first page's paints have it too) and
applied again, harmlessly, when the document is ready (a page built without the script:
a notebook).

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


# The same code as a script in the page's head, after BokehJS (``pn.config.js_files``): a
# ``data:`` URL, nothing to serve or fetch.
PAGEFIX_SCRIPT = "data:text/javascript;base64," + base64.b64encode(
    SKIP_UNCHANGED_CSS.encode()).decode()


def install_page_fixes(doc: Document) -> None:
    """Have ``doc``'s page apply :data:`SKIP_UNCHANGED_CSS` once its document is ready."""
    doc.js_on_event("document_ready", CustomJS(code=SKIP_UNCHANGED_CSS))

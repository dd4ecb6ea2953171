"""What the server's document patches hold: bytes per model and attribute, decoded in the page.

A Bokeh ``PATCH-DOC`` message reaches the page as websocket frames: a header, metadata,
the content (JSON: ``{"events": [...]}``, each event naming its model's id and attribute),
then for each binary buffer a header ``{"id": ...}`` and the buffer itself.
:data:`EVENTS_JS` (an init script, beside :data:`benchmarks.bench_explorer.FRAMES_JS`)
records every event's JSON size and adds each buffer's size to the event that refers to it;
:func:`label_events` names each event's model in the page (its type, and for a data source
the glyph and figure title that draw it), and :func:`patch_table` sums the bytes per
model and attribute over the measured edits.

    python -m benchmarks.bench_explorer --runs 3 --loads 0 --patches

Examples
--------
>>> events = [{"label": "ColumnDataSource [Loss: Image]", "attr": "data", "size": 1000},
...           {"label": "ColumnDataSource [Loss: Image]", "attr": "data", "size": 3000}]
>>> summarise([events], top=5)
[('ColumnDataSource [Loss: Image]', 'data', 2, 4.0)]
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.report import markdown_table

# Installed before the page loads: every patch event's model id, attribute and size (bytes of
# its JSON, plus its binary buffers), in ``window.__events``.
EVENTS_JS = r"""
(() => {
  const Native = window.WebSocket;
  window.__events = [];
  let expect = null, last = [], buffer = null;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const t = performance.now();
        if (typeof e.data !== 'string') {  // a binary buffer: to the event that refers to it
          const size = e.data.byteLength ?? e.data.size;
          const owner = buffer && last.find(ev => ev.json.includes('"' + buffer + '"'));
          if (owner) owner.size += size;
          else window.__events.push({t, id: null, kind: 'buffer', attr: '?', size, json: ''});
          buffer = null;
          return;
        }
        if (e.data.startsWith('{') && e.data.includes('"msgtype"')) {
          expect = e.data.includes('"PATCH-DOC"') ? 'metadata' : null;
          return;
        }
        if (expect === 'metadata') { expect = 'content'; return; }
        if (expect === 'content') {
          expect = null;
          let content;
          try { content = JSON.parse(e.data); } catch (err) { return; }
          last = (content.events || []).map(ev => {
            const json = JSON.stringify(ev);
            const model = ev.model && ev.model.id;
            const named = ev.new && ev.new.name ? ev.new.name : '';
            return {t, id: model || null, kind: ev.kind, attr: ev.attr || ev.kind,
                    size: json.length, json, named,
                    cols: ev.cols || (ev.kind === 'ColumnsPatched' ? ['(patch)'] : null)};
          });
          window.__events.push(...last);
          return;
        }
        try {
          const ref = JSON.parse(e.data);
          if (ref && typeof ref.id === 'string' && Object.keys(ref).length === 1) buffer = ref.id;
        } catch (err) {}
      });
    }
  };
})();
"""

# ``(events) -> events`` with a ``label`` each: the model's type, and for a data source the
# glyphs and figure titles that draw it (or the widget that holds it).
LABEL_JS = r"""
(events) => {
  const doc = Bokeh.documents[0];
  const owners = {};
  for (const m of doc.all_models) {
    if (m.renderers && m.title !== undefined) {
      const title = (m.title && m.title.text ? m.title.text : '').slice(0, 18);
      for (const r of m.renderers) {
        if (r.data_source && r.glyph) {
          (owners[r.data_source.id] = owners[r.data_source.id] || []).push(
            title + ': ' + r.glyph.type);
        }
      }
    }
    if (m.source && m.source.id && m.type && !m.renderers) {
      (owners[m.source.id] = owners[m.source.id] || []).push(m.type.split('.').pop());
    }
  }
  return events.map(ev => {
    const m = ev.id ? doc.get_model_by_id(ev.id) : null;
    let label = m ? m.type.split('.').pop() : (ev.id ? '(removed) ' + ev.named : ev.kind);
    if (m && owners[m.id]) label += ' [' + owners[m.id].join(', ') + ']';
    if (m && m.type === 'Title') label += ' (plot title)';
    return {label, attr: ev.attr, size: ev.size, cols: ev.cols};
  });
}
"""


def take_events(page: Any, start: float, end: float) -> list[dict]:
    """The patch events received between the page times ``start`` and ``end`` (ms), each
    labelled (:data:`LABEL_JS`), and forget every event recorded so far."""
    raw = page.evaluate(
        "([a, b]) => { const out = window.__events.filter(e => e.t >= a && e.t <= b)"
        ".map(({json, ...rest}) => rest); window.__events = []; return out; }", [start, end])
    return page.evaluate(f"({LABEL_JS})", raw)


def summarise(edits: list[list[dict]], top: int = 25) -> list[tuple[str, str, int, float]]:
    """``(label, attribute, events per edit, kB per edit)`` over ``edits`` (medians per
    edit), the largest first."""
    keys = {(e["label"], e["attr"]) for events in edits for e in events}
    rows = []
    for key in keys:
        sizes = [sum(e["size"] for e in events if (e["label"], e["attr"]) == key)
                 for events in edits]
        counts = [sum((e["label"], e["attr"]) == key for e in events) for events in edits]
        rows.append((key[0], key[1], round(statistics.median(counts)),
                     statistics.median(sizes) / 1000))
    rows.sort(key=lambda r: -r[3])
    return rows[:top]


def patch_table(results: dict[str, list[Any]]) -> str:
    """Per action: what each edit's patches carried, per model and attribute (medians)."""
    rows = []
    for action, samples in results.items():
        edits = [list(s.events) for s in samples]
        if not any(edits):
            continue
        total = statistics.median(sum(e["size"] for e in events) for events in edits) / 1000
        rows.append([action, "(all)", "", "", f"{total:.1f}"])
        for label, attr, count, kb in summarise(edits):
            rows.append(["", label, attr, str(count), f"{kb:.1f}"])
    return markdown_table(["action", "model [drawn by]", "attribute", "events", "kB"], rows)

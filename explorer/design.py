"""The served page's design: Panel's Bootstrap, with a light copy of Bootstrap in each view.

Every Panel component draws itself in its own shadow root, which the page's style sheets do
not reach, so Panel's Bootstrap design links the whole of Bootstrap (220 kB, thousands of
rules) into each of them: about 100 copies on this dashboard. Chromium then matches every
element of every view against all of Bootstrap, and the first load spent a third of the
page's main thread recalculating styles (``RecalcStyleDuration``, ``ThreadTime``:
``benchmarks/bench_explorer``). Inside the views only Bootstrap's *reboot* shows (the
element defaults: ``box-sizing``, headings, paragraphs, code, links, lists, form elements),
cards and alerts; Panel's own style sheets style the widgets, and the template's page keeps
the whole of Bootstrap. :class:`ExplorerDesign` links only these parts into the views
(:data:`LIGHT`, 11 kB cut from Panel's own copy of Bootstrap, so it follows Panel's
version) as one ``data:`` style sheet: nothing to serve or fetch, sent once per page.

Examples
--------
>>> LIGHT.startswith("*,::after,::before{box-sizing:border-box}")
True
>>> ".btn{" in LIGHT, ".card-header{" in LIGHT, len(LIGHT) < 15_000
(False, True, True)
>>> ExplorerDesign._resources["css"]["bootstrap"].startswith("data:text/css;base64,")
True
"""

from __future__ import annotations

import base64
from pathlib import Path

import panel as pn
from panel.theme.bootstrap import Bootstrap

BOOTSTRAP = Path(pn.__file__).parent / "dist/bundled/bootstrap5/css/bootstrap.min.css"
# The parts of Bootstrap that the views show, each from its first rule up to the next part:
# the reboot (up to the type utilities, ``.lead``), cards (Panel's Card has ``card`` and
# ``card-header`` elements) and alerts (Panel's Alert).
PARTS = (
    ("*,::after,::before{box-sizing:border-box}", ".lead{"),
    (".card{", ".accordion{"),
    (".alert{", "@keyframes progress-bar-stripes"),
)


def cut(css: str, parts: tuple[tuple[str, str], ...] = PARTS) -> str | None:
    """The ``parts`` of ``css``, each from its first marker up to its second (``None`` where
    one cannot be found).

    >>> cut("x{}*,::after,::before{box-sizing:border-box}h1{}.lead{}.card{a:b}.accordion{}"
    ...     ".alert{c:d}@keyframes progress-bar-stripes{}")
    '*,::after,::before{box-sizing:border-box}h1{}.card{a:b}.alert{c:d}'
    >>> cut(".btn{}") is None
    True
    """
    pieces = []
    for first, after in parts:
        start = css.find(first)
        end = css.find(after, start)
        if not 0 <= start < end:
            return None
        pieces.append(css[start:end])
    return "".join(pieces)


def _read_light() -> str | None:
    try:
        return cut(BOOTSTRAP.read_text(encoding="utf-8"))
    except OSError:
        return None


LIGHT = _read_light() or ""


def css_url(css: str) -> str:
    """``css`` as a ``data:`` URL that Panel links as a style sheet (it links URLs ending in
    ``.css``; the fragment is ignored by the browser).

    >>> css_url("b{}")
    'data:text/css;base64,Ynt9#.css'
    """
    return f"data:text/css;base64,{base64.b64encode(css.encode()).decode()}#.css"


class ExplorerDesign(Bootstrap):
    """Bootstrap, with only :data:`LIGHT` linked into each component (the whole of Bootstrap
    where it could not be cut out of Panel's copy)."""

    _resources = {
        "css": {"bootstrap": css_url(LIGHT) if LIGHT else Bootstrap._resources["css"]["bootstrap"]},
        "js": dict(Bootstrap._resources["js"]),
    }

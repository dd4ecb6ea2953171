"""The dashboard's λ-path view as a user meets it: seconds from opening the page to the
path drawn, and whether λ edits are answered meanwhile.

For each data set, a fresh browser page opens ``panel serve explorer`` at that example (URL
parameters), and the times are taken in the page: until the current-λ result is shown,
until the λ-path card says its path is drawn, and — for a λ typed right after the result
appears, while the path is still computing — until that λ's result is shown (an edit is
not blocked by the path). The path runner's cache is per server, so each data set is
computed once; the server computes the default data set's path (the paper's example, 2
units) as it starts, so opening it measures a page whose path was prefetched (``--wait 0``
opens the page at once; ``--again`` reopens the first data set).
The load average (1 min) is printed before and after: the machine is shared.

Run from the repository root: ``python -m benchmarks.bench_lampath`` (``--examples`` to
pick the CSVs of ``assets/``). It starts its own server and Chromium and stops both.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from benchmarks.report import header_lines, markdown_table, seconds_text
from explorer.problem import ASSETS, read_example
from explorer.testing import PROBE_JS, READY_JS, launch_chromium, serve

PATH_DRAWN = """() => window.Bokeh && Bokeh.documents.length && Array.from(
  Bokeh.documents[0].all_models).some(m => m.type === 'panel.models.markup.HTML'
  && /λ path: \\d+ branches|No λ path/.test(String(m.text)))"""
TIMEOUT = 180_000


def open_once(browser, url: str) -> dict[str, float]:
    """One page: seconds to the result, to an edit's result, and to the path."""
    # Tall enough for the λ-path card (its header at y = 1938) to be on screen at once: the
    # server computes a page's path only while the page shows the card.
    page = browser.new_page(viewport={"width": 1500, "height": 2200})
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_function(READY_JS, timeout=TIMEOUT, polling=50)
    result = time.perf_counter() - began
    edit = float("nan")
    if page.evaluate(PATH_DRAWN):  # drawn with the page (a cached or prefetched path)
        path = time.perf_counter() - began
    else:  # the path is still computing: type a λ now
        page.evaluate(PROBE_JS)
        box = page.locator("input.bk-input[type=text]").first
        typed = time.perf_counter()
        box.fill("1/20")
        box.press("Enter")
        page.wait_for_function("() => __explorer.status().includes('λ = 1/20')",
                               timeout=TIMEOUT, polling=50)
        edit = time.perf_counter() - typed
        page.wait_for_function(PATH_DRAWN, timeout=TIMEOUT, polling=50)
        path = time.perf_counter() - began
    page.close()
    return {"result": result, "edit": edit, "path": path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="*",
                        default=["paper_example", "v_shape", "step", "two_clusters"])
    parser.add_argument("--again", action="store_true", help="reopen the first one (cached)")
    from playwright.sync_api import sync_playwright

    parser.add_argument("--wait", type=float, default=3.0,
                        help="seconds between the server's start and the first page")
    args = parser.parse_args()
    rows = []
    load = os.getloadavg()[0]
    log = Path(tempfile.mkdtemp()) / "serve.log"
    with serve(log) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        time.sleep(args.wait)  # a visitor rarely arrives the moment the server starts
        try:
            names = list(args.examples) + (args.examples[:1] if args.again else [])
            for k, name in enumerate(names):
                data = read_example(ASSETS / f"{name}.csv")
                url = f"{server.url}?data={quote(data)}"
                t = open_once(browser, url)
                rows.append([name + (" (cached)" if k >= len(args.examples) else ""),
                             seconds_text(t["result"]), seconds_text(t["edit"]),
                             seconds_text(t["path"]), seconds_text(t["path"] - t["result"])])
        finally:
            browser.close()
    print("\n".join(header_lines()))
    print(f"load average (1 min): {load:.1f} before, {os.getloadavg()[0]:.1f} at the end")
    print(markdown_table(["data (2 units)", "open -> result (s)",
                          "λ typed while the path computes -> its result (s)",
                          "open -> path drawn (s)", "result -> path drawn (s)"], rows))


if __name__ == "__main__":
    main()

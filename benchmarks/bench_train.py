"""Training benchmark: many gradient-descent runs on the paper's example, and their
classification against the exact minima.

Measures, on the paper's example (n = 5, d = 1, L = 2, lam = 1/100), torch-default init:

* the training loop (:func:`solver.train.descend`): ``--runs`` runs (10,000) advanced
  together for ``--steps`` steps (5,000) with gd, momentum and adam (lr 0.01), wall and
  CPU time, run-steps per second, and the arithmetic done (about ``R * steps * L * n * 11``
  multiply-adds in the gradient);
* the classification of those runs (:func:`solver.train.classify.classify`: one region
  minimiser per distinct region, distances, matching);
* the exact side it compares with (:func:`solver.train.landscape`: solve and critical points);
* one run alone, as the dashboard's animation steps it: steps per second (each frame of the
  animation is one or more steps).

The loop is numpy only, elementwise: it uses one core. Run from the repository root:
``python -m benchmarks.bench_train`` (``--runs``, ``--steps`` to change the sizes).

``--animation`` measures the dashboard instead, in Chromium against a real ``panel serve
explorer``: after **One run**, the player at ×1 for ``--seconds``; the frames played per second
(each moves the Data view's dashed f(x), the markers and the loss dot) and the browser's
paints per second (``requestAnimationFrame``); and the latency of another interaction, a
click on a row of the minima table until the Data view's f(x) of the selected minimum
changes (a server round trip), idle and while the run plays.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from fractions import Fraction

from benchmarks.report import header_lines, markdown_table, seconds_text
from solver.data import read_csv
from solver.problem import Problem
from solver.train import FloatData, Optimizer, descend, initial_params, landscape
from solver.train.classify import classify

PAPER = "assets/paper_example.csv"
MADDS_PER_UNIT_POINT = 11  # multiply-adds per run, unit and point in one gradient


def _timed(fn):
    """``(result, wall seconds, cpu seconds)``."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


# In the page: stamps of the run's f(x) changes and of painted frames; the selected
# minimum's f(x) in the Data view (its digest) and when it last changed.
_HOOK_JS = """() => {
  const fig = __explorer.figure('Data and').model;
  const run = fig.renderers.find(r => r.name === 'data-training-run').data_source;
  const fit = fig.renderers.find(r => r.glyph && r.glyph.type === 'Line'
                                 && r.name !== 'data-training-run').data_source;
  const rec = {paints: [], fit: null, fitAt: 0, click: 0};
  window.addEventListener('pointerup', (e) => { rec.click = e.timeStamp; }, {capture: true});
  const tick = () => {
    const now = performance.now();
    rec.paints.push(now);
    const d = __explorer.digest(Array.from(fit.data.y));
    if (d !== rec.fit) { rec.fit = d; rec.fitAt = now; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.__anim = rec;
}"""


def _rate(stamps: list[float], since: float) -> float:
    """Events per second among ``stamps`` (ms) after ``since``."""
    kept = [t for t in stamps if t >= since]
    return (len(kept) - 1) / ((kept[-1] - kept[0]) / 1000) if len(kept) > 2 else 0.0


def _browser_cpu() -> float:
    """CPU seconds used so far by this process's Chromium descendants (from ``/proc``): per
    frame, what a frame costs the browser whatever else the machine runs."""
    parent, comm, cpu = {}, {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        pid = int(entry)
        parent[pid], comm[pid] = int(fields[1]), name
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
    me, total = os.getpid(), 0.0
    for pid in cpu:
        up, ours = parent.get(pid), False
        while up:
            if up == me:
                ours = True
                break
            up = parent.get(up)
        if ours and "chrom" in comm[pid].lower():
            total += cpu[pid]
    return total


def _select_latency(page, row: int) -> float:
    """Click row ``row`` of the minima table; seconds until the Data view's f(x) changed."""
    before = page.evaluate("() => window.__anim.fit")
    page.locator(".tabulator").filter(has_text="pattern").locator(".tabulator-row").nth(
        row).locator(".tabulator-cell").nth(2).click()
    page.wait_for_function("(b) => window.__anim.fit !== b && window.__anim.fitAt"
                           " > window.__anim.click", arg=before, timeout=60_000)
    return page.evaluate("() => (window.__anim.fitAt - window.__anim.click) / 1000")


def animation(seconds: float) -> int:
    """The animated run in Chromium: frame rates and a concurrent interaction's latency."""
    import tempfile
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from explorer.testing import PROBE_JS, READY_JS, launch_chromium, serve

    before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "serve.log") as server, \
            sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context(viewport={"width": 1500, "height": 1500}).new_page()
        page.goto(server.url)
        page.wait_for_function(READY_JS, timeout=90_000)
        page.evaluate(PROBE_JS)
        page.evaluate(_HOOK_JS)
        page.wait_for_timeout(3000)  # the idle page's paint rate, for comparison
        idle_paints = page.evaluate("() => window.__anim.paints")
        losses = page.evaluate("() => __explorer.column('loss')")
        rows = [losses.index(v) for v in dict.fromkeys(losses)][:4]  # distinct f(x) each
        rows = rows[1:] + rows[:1]  # (the first is selected already)
        idle = [_select_latency(page, row) for row in rows]
        page.locator(".card-header").filter(has_text="6 · Training").first.click()  # open it
        page.get_by_role("button", name="One run").click()
        page.wait_for_function("() => __explorer.figure('Data and').model.renderers.find("
                               "r => r.name === 'data-training-run').data_source.data.x.length",
                               timeout=90_000)
        page.locator("button.play").first.click()
        start = page.evaluate("() => performance.now()")
        began, cpu0 = time.perf_counter(), _browser_cpu()
        page.wait_for_timeout(1000)
        playing = [_select_latency(page, row) for row in rows]
        page.wait_for_timeout(max(0.0, seconds - 1 - sum(playing)) * 1000)
        rec = page.evaluate("() => ({p: window.__anim.paints})")
        elapsed, cpu = time.perf_counter() - began, _browser_cpu() - cpu0
        player = page.evaluate("() => { const p = __explorer.models("
                               "'panel.models.widgets.Player')[0]; return [p.value, p.end]; }")
        browser.close()
        errors = server.errors()
    after = os.getloadavg()
    for line in header_lines():
        print(line)
    print(f"load average (1 min) before / after: {before[0]:.2f} / {after[0]:.2f}")
    print("the paper's example, One run (gd, lr 0.01, 20,000 steps, 1,539 frames), player at "
          "x1 (an interval of 40 ms: 25 frames/s at most), Chromium 1500 x 1500 headless")
    print(markdown_table(
        ["measure", "value"],
        [["frames played per second (each redraws f(x) in the Data view)",
          f"{player[0] / elapsed:.1f}"],
         ["browser paints/s while playing", f"{_rate(rec['p'], start):.1f}"],
         ["browser paints/s idle (before)", f"{_rate(idle_paints, 0.0):.1f}"],
         ["frames played (player value / end)", f"{player[0]} / {player[1]}"],
         ["Chromium CPU ms per frame played (all its processes; the selects included)",
          f"{1000 * cpu / max(1, player[0]):.0f}"],
         ["select a minimum, idle: s to its f(x) (median of 4)",
          seconds_text(statistics.median(idle))],
         ["select a minimum while playing: s (median of 4)",
          seconds_text(statistics.median(playing))]]))
    if errors:
        print("the server logged errors:\n" + "\n".join(errors))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=5_000)
    parser.add_argument("--animation", action="store_true",
                        help="measure the dashboard's animated run in Chromium instead")
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="how long the animation is measured")
    args = parser.parse_args(argv)
    if args.animation:
        return animation(args.seconds)
    problem = Problem.of(read_csv(PAPER), Fraction(1, 100), 2)
    data = FloatData.of(problem.x, problem.y, problem.lam)
    exact, exact_wall, exact_cpu = _timed(lambda: landscape(problem))
    start = initial_params("torch-default", args.runs, 2, 1, seed=0)
    madds = args.runs * args.steps * problem.units * problem.n * MADDS_PER_UNIT_POINT
    rows = []
    shares = {}
    for name in ("gd", "momentum", "adam"):
        opt = Optimizer(name, 0.01)
        out, wall, cpu = _timed(lambda opt=opt: descend(data, start, opt, args.steps, 1e-4))
        ends, cwall, ccpu = _timed(lambda out=out: classify(
            data, out.params, out.steps, out.crossings, 1e-4, exact.minima, exact.critical,
            diverged=out.diverged))
        regions = len({id(e.target) for e in ends})
        counts = Counter(e.outcome for e in ends)
        shares[name] = counts
        rows.append([f"{name} lr=0.01", f"{args.runs:,} x {args.steps:,}",
                     seconds_text(wall), seconds_text(cpu),
                     f"{args.runs * args.steps / cpu / 1e6:.1f}", f"{madds / cpu / 1e9:.2f}",
                     seconds_text(cwall), seconds_text(ccpu), str(regions),
                     str(counts["discrepancy"])])
    one = initial_params("torch-default", 1, 2, 1, seed=0)
    alone_steps = 2_000
    _, wall1, cpu1 = _timed(lambda: descend(data, one, Optimizer("gd", 0.01), alone_steps, 0.0))
    for line in header_lines():
        print(line)
    print(f"problem: {PAPER}, n = {problem.n}, d = {problem.d}, L = {problem.units}, "
          f"lam = {problem.lam}; init torch-default, seed 0")
    print(f"exact side (solve + critical points): {seconds_text(exact_wall)} s wall, "
          f"{seconds_text(exact_cpu)} s cpu; {len(exact.solution.minima)} minima, "
          f"{exact.critical_count} critical points")
    print()
    print(markdown_table(
        ["optimizer", "runs x steps", "train wall s", "train cpu s", "M run-steps/cpu s",
         "G madds/cpu s", "classify wall s", "classify cpu s", "regions polished",
         "discrepancies"], rows))
    print()
    print(f"one run alone (the dashboard's animation): {alone_steps:,} steps in "
          f"{seconds_text(wall1)} s wall ({alone_steps / wall1:,.0f} steps/s)")
    for name, counts in shares.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

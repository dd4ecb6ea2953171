"""The λ-path view: the loss of every minimum against log λ, linked to the λ slider.

Every branch of the regularisation path (:func:`solver.path`) is a line; the global
minimum's envelope is a pale band under them; face changes are small ticks, births and
deaths triangles and crosses whose hover says what happens there (``branch 3 dies: fold
at λ = 0.03712…``); a vertical line marks the current λ and follows the slider. A click
on the plot moves λ there (a short decimal) and, once that λ is solved, selects the
minimum of the branch under the click.

The path is computed in its own worker process (:class:`~explorer.runner.SolveRunner`
with :func:`~explorer.path_worker.path_key`): one process, so the current-λ solves keep
the shared pool to themselves; a newer data set or unit count supersedes it; finished
paths are cached per data set and unit count. A new data set's path starts once the state's
current-λ solve is over (:meth:`PathModel.on_problem`): the path takes a core for
seconds, and the edit's own result, on a 2-core machine shared with the server and the
browser, would otherwise wait for it. Sessions asking for a path that is being
computed wait for that one job (the runner shares it, cancelling it only when no session
waits for it any more), and the server computes the default
data set's path when it starts (:func:`start_path_runner`), so the page most visitors open
first finds its path ready.

A served page computes a path only while the card is on screen (:attr:`PathModel.shown`,
reported by the page: :func:`explorer.layout.when_seen`): a student editing the data at
the top of the page, the card below the fold, costs no path per edit (about 2 s of a
worker's CPU each); the path of the data shown is computed when the card comes into view.
"""

from __future__ import annotations

import asyncio
from fractions import Fraction
from functools import partial
from typing import Any

import panel as pn
import param
from bokeh.events import Tap
from bokeh.models import ColumnDataSource, HoverTool, MultiLine, Range1d, Scatter, Span
from bokeh.plotting import figure

from explorer.path_worker import LAM_MAX, LAM_MIN, PathKey, path_key
from explorer.problem import DEFAULT_DATA, DEFAULT_LAM, DEFAULT_UNITS, make_key
from explorer.runner import SolveJob, SolveRunner
from explorer.state import ExplorerState
from explorer.views import caption, redraw
from explorer.views.glyphs import add_glyph
from explorer.views.hover import quiet_hover
from explorer.views.lampath_plot import branch_at, path_columns, short_decimal
from explorer.views.sources import set_columns

# A path's estimate above this is not computed in the dashboard (the command line can).
PATH_SECONDS = 30.0
LAM_RANGE = (float(LAM_MIN) / 1.25, float(LAM_MAX) * 1.25)  # the x axis: the slider's range
_RUNNERS: dict[bool, SolveRunner] = {}


def get_path_runner(processes: bool = True) -> SolveRunner:
    """The process-wide runner of paths, shared by all sessions: one worker process, or
    (``processes=False``, for a state whose solves run in-process) this process."""
    if processes not in _RUNNERS:
        _RUNNERS[processes] = SolveRunner(max_workers=1, max_seconds=PATH_SECONDS,
                                          cache_size=32, job=path_key, processes=processes)
    return _RUNNERS[processes]


def default_path_key(units: int = DEFAULT_UNITS) -> PathKey:
    """The path of the data set a new session opens with."""
    problem = make_key(DEFAULT_DATA, DEFAULT_LAM, units)
    return PathKey(problem.x, problem.y, problem.units, LAM_MIN, LAM_MAX)


def start_path_runner(processes: bool = True) -> SolveJob | None:
    """Start the path worker and compute the default data set's path at once (server
    start): the first visitors find it in the cache instead of waiting for it."""
    runner = get_path_runner(processes)
    runner.start()
    key = default_path_key()
    if runner.lookup(key) is not None:
        return None
    return runner.submit(key)  # never cancelled: it ends in the cache


def shutdown_path_runner() -> None:
    """Shut the path runners down (server exit)."""
    while _RUNNERS:
        _RUNNERS.popitem()[1].shutdown()


class PathModel(param.Parameterized):
    """The session's path: recomputed when the data or the unit count change."""

    path = param.Parameter(default=None, doc="The last path computed (solver.regpath Path).")
    computing = param.Boolean(default=False, doc="A path is being computed.")
    progress = param.Number(default=None, allow_None=True, bounds=(0, 1))
    status = param.String(default="", doc="One line about the path shown.")
    shown = param.Boolean(default=True, doc="The view is on screen: only then is a path "
                          "computed (a cached one is taken at any time).")

    def __init__(self, state: ExplorerState, runner: SolveRunner, **params: Any) -> None:
        super().__init__(**params)
        self.state, self.runner = state, runner
        self._latest = 0
        self._job: SolveJob | None = None
        self._wanted: tuple[str, tuple[str, ...]] | None = None  # (λ, pattern) to select
        self.waiting = False  # a new problem's path waits for its current-λ solve
        self.stale = False  # the path shown is not the problem's (put off while hidden)
        state.param.watch(self.on_problem, ["data", "units"])
        state.param.watch(self._on_solving, ["solving"])
        state.param.watch(self._on_result, ["result"])
        self.param.watch(self._on_shown, ["shown"])

    def key(self) -> PathKey:
        """The path's exact problem: the state's data and units over the slider's range."""
        problem = make_key(self.state.data, self.state.lam, self.state.units)
        return PathKey(problem.x, problem.y, problem.units, LAM_MIN, LAM_MAX)

    def on_problem(self, *events: Any) -> None:
        """The data or units changed: supersede the path under way at once, and compute the
        new one (:meth:`refresh`) when the state's current-λ solve is over (now, if it is).

        >>> from explorer.runner import SolveRunner
        >>> state = ExplorerState(runner=SolveRunner(processes=False))
        >>> model = PathModel(state, SolveRunner(processes=False, job=lambda *a: None))
        >>> state.solving = True; model.on_problem(); model.waiting
        True
        """
        if not self.shown:
            self._put_off()
            return
        if not self.state.solving:
            self.refresh()
            return
        self._supersede()
        self.waiting = True
        # shown as computing at once (as a path started now would be): the bar's card is
        # laid out again when the bar appears or goes, which is not to happen twice, in
        # the messages that show the edit and its result
        self.param.update(computing=True, progress=None,
                          status="Computing the λ path once the current solve is over…")

    def _put_off(self) -> None:
        """The view is off screen: supersede the path under way and show the new problem's
        from the cache, or say that it is computed when the card is in view.

        >>> from explorer.runner import SolveRunner
        >>> state = ExplorerState(runner=SolveRunner(processes=False))
        >>> model = PathModel(state, SolveRunner(processes=False, job=lambda *a: None))
        >>> model.shown = False; model.on_problem(); model.stale, model.computing
        (True, False)
        """
        request = self._supersede()
        self.waiting = False
        cached = self.runner.lookup(self.key())
        if cached is not None:
            self.stale = False
            self._apply(request, cached)
            return
        self.stale = True
        self.param.update(computing=False, progress=None,
                          status="The λ path of these data is computed when this card is "
                          "on screen.")

    def _on_shown(self, event: Any) -> None:
        """The card came into view: compute the path it has not got yet."""
        if event.new and self.stale:
            self.stale = False
            self.on_problem()

    def _on_solving(self, event: Any) -> None:
        if not event.new and self.waiting:
            self.refresh()

    def _supersede(self) -> int:
        """Cancel the path under way (any late one is ignored); the new request's number."""
        self._latest += 1
        if self._job is not None:
            self.runner.cancel(self._job)
            self._job = None
        return self._latest

    def start(self) -> None:
        """The session's first path: computed now if the view is shown, else taken from the
        cache or put off until it is."""
        if self.shown:
            self.refresh()
        else:
            self._put_off()

    def refresh(self) -> None:
        """Compute the current problem's path (at once from the cache), superseding any."""
        self.waiting = False
        request = self._supersede()
        key = self.key()
        cached = self.runner.lookup(key)
        if cached is not None:
            self._apply(request, cached)
            return
        job = self.runner.submit(key)
        if job.future.done():
            self._apply(request, job.future.result())
            return
        self._job = job
        self.param.update(computing=True, progress=None, status="Computing the λ path…")
        param.parameterized.async_executor(partial(self._await, request, job))

    async def _await(self, request: int, job: SolveJob) -> None:
        """Wait for ``job`` off the event loop, reporting its progress."""
        while not job.future.done():
            if request == self._latest:
                self.poll()
            await asyncio.sleep(0.25)
        self._apply(request, job.future.result())

    def _apply(self, request: int, outcome: Any) -> None:
        if request != self._latest or outcome.kind == "cancelled":
            return
        self._job = None
        if outcome.kind != "ok":
            hint = (" (the command line computes it: `python -m solver path DATA.csv "
                    "--units 2 --lam-min 1/10000 --lam-max 1`)"
                    if "too large" in outcome.message else "")
            self.param.update(path=None, computing=False, progress=None,
                              status=f"No λ path: {outcome.message}{hint}")
            return
        p = outcome.solution
        timing = "from cache" if outcome.cached else f"{outcome.seconds:.1f} s"
        self.param.update(
            path=p, computing=False, progress=None,
            status=(f"λ path: {len(p.branches)} branches, {len(p.events)} events "
                    f"for λ from {p.lam_min} to {p.lam_max} · {timing}"))

    def close(self) -> None:
        """The session is gone: cancel the path under way and ignore any late one."""
        self._wanted = None
        self.waiting = False
        self._supersede()

    def poll(self) -> None:
        """Collect the worker's progress (from a periodic callback)."""
        job = self._job
        if job is None:
            return
        self.runner.drain()
        reported = self.runner.progress(job)
        if reported is not None and reported[1] > 0:
            self.progress = min(1.0, reported[0] / reported[1])

    # ------------------------------------------------------------- click to select
    def jump_to(self, lam: float, loss: float) -> bool:
        """Move λ to a short decimal near ``lam`` and select there the minimum of the
        branch nearest ``(lam, loss)``; False when no branch is alive there."""
        p = self.path
        if p is None or not float(p.lam_min) <= lam <= float(p.lam_max):
            return False
        text = short_decimal(lam)
        j = branch_at(p, float(Fraction(text)), loss)
        if j is None:
            return False
        seg = p.branches[j].segment_at(float(Fraction(text)))
        self._wanted = (text, seg.pattern)
        if Fraction(text) == Fraction(self.state.lam):
            self._on_result()
            return True
        return self.state.edit(lam=text)

    def _on_result(self, *events: Any) -> None:
        """Select the wanted branch's minimum once its λ is solved."""
        wanted, result = self._wanted, self.state.result
        if wanted is None or result is None or result.lam != Fraction(wanted[0]):
            return
        self._wanted = None
        for index, m in enumerate(result.minima):
            if tuple(m.pattern) == wanted[1]:
                self.state.select(index)
                return


class LamPathView(pn.viewable.Viewer):
    """Loss of every branch against log λ, with events, the current λ and click-to-select.

    The Bokeh figure is built once; a new path replaces its sources' columns
    (:func:`path_columns`), a new λ only moves the vertical line.
    """

    def __init__(self, state: ExplorerState, model: PathModel, **params: Any) -> None:
        super().__init__(**params)
        self.state, self.model = state, model
        fig = figure(title="λ path: the loss of every local minimum as λ varies",
                     x_axis_type="log", x_range=Range1d(*LAM_RANGE, bounds="auto"),
                     y_range=Range1d(0, 1), x_axis_label="λ", y_axis_label="loss", height=400,
                     sizing_mode="stretch_width", tools="pan,wheel_zoom,box_zoom,reset,save",
                     toolbar_location="right")
        fig.title.text_font_size = "13px"
        fig.toolbar.logo = None
        empty = path_columns(None)
        self.band = add_glyph(fig, ColumnDataSource(empty["band"]), MultiLine(
            xs="xs", ys="ys", line_color="#f4c542", line_width=10, line_alpha=0.45))
        self.isolated = add_glyph(fig, ColumnDataSource(empty["isolated"]), MultiLine(
            xs="xs", ys="ys", line_color="#1f5fa8", line_width=2))
        self.curves = add_glyph(fig, ColumnDataSource(empty["curve"]), MultiLine(
            xs="xs", ys="ys", line_color="#e07b00", line_width=2, line_dash="dashed"))
        self.events = add_glyph(fig, ColumnDataSource(empty["events"]), Scatter(
            x="lam", y="loss", marker="marker", fill_color="color", line_color="color",
            hatch_color="color", size="size", angle="angle"))
        fig.add_tools(HoverTool(renderers=[self.isolated, self.curves], tooltips=[
            ("branch", "@branch"), ("kind", "@kind"), ("faces", "@patterns")]))
        fig.add_tools(HoverTool(renderers=[self.events], tooltips=[("", "@text")]))
        self.now = Span(location=_lam_of(state.lam), dimension="height",
                        line_color="#d1495b", line_width=1.5, line_dash="dotted",
                        name="lampath-now")
        fig.add_layout(self.now)
        fig.on_event(Tap, self._on_tap)
        quiet_hover(fig)
        self.figure = fig
        self.progress = pn.indicators.Progress(value=-1, active=False, visible=False,
                                               sizing_mode="stretch_width", height=10)
        self.status = pn.pane.Markdown("", styles={"font-size": "12px"}, margin=(0, 10))
        self._closed = False
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.on_session_destroyed(self._on_session_destroyed)
        model.param.watch(lambda *_: redraw(self._draw), ["path"])
        model.param.watch(self._show_status, ["status", "computing", "progress"])
        state.param.watch(lambda *_: redraw(self._move), ["lam"])
        self._draw()
        self._show_status()

    def _on_session_destroyed(self, context: Any) -> None:
        """The page was closed: its models are cleared, nothing may be drawn any more."""
        self._closed = True
        self.model.close()

    def _draw(self, *events: Any) -> None:
        if self._closed:
            return
        columns = path_columns(self.model.path)
        for name, renderer in (("band", self.band), ("isolated", self.isolated),
                               ("curve", self.curves), ("events", self.events)):
            set_columns(renderer.data_source, columns[name])
        losses = [v for ys in columns["isolated"]["ys"] + columns["curve"]["ys"] for v in ys]
        lo, hi = (min(losses), max(losses)) if losses else (0.0, 1.0)
        pad = 0.05 * max(hi - lo, 1e-3)
        # explicit ranges: a log axis over empty data (no path) makes Bokeh warn
        self.figure.y_range.update(start=lo - pad, end=hi + pad, reset_start=lo - pad,
                                   reset_end=hi + pad)

    def _move(self, *events: Any) -> None:
        if self._closed:
            return
        self.now.location = _lam_of(self.state.lam)

    def _on_tap(self, event: Any) -> None:
        if event.x is None or event.y is None:
            return
        self.model.jump_to(float(event.x), float(event.y))

    def _show_status(self, *events: Any) -> None:
        m = self.model
        self.status.object = m.status
        self.progress.visible = m.computing
        self.progress.value = -1 if m.progress is None else int(100 * m.progress)
        self.progress.active = m.computing and m.progress is None

    def __panel__(self) -> pn.Column:
        pane = pn.pane.Bokeh(self.figure, sizing_mode="stretch_width")
        return pn.Column(self.progress, pane, self.status, caption(
            "Every local minimum against λ (log scale): blue lines isolated minima, orange "
            "dashed curves of minima, the pale band the global minimum. Ticks: face "
            "changes; ▲ a minimum is born, ✕ it dies, ◆ a curve gains or loses its ends, "
            "★ the global minimum jumps (grey: the crossing is not certified; hover for the "
            "event). The dotted line is the current λ: click the plot to move λ there and "
            "select that branch's minimum."),
            sizing_mode="stretch_width")


def _lam_of(text: str) -> float:
    """The state's λ text as a float (the slider's λ is always valid)."""
    return float(Fraction(text))

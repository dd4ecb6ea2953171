"""The dashboard's state: the problem (data, λ, units), the solver's result and a selection.

:class:`ExplorerState` holds no UI objects. Views read it and change it through
:meth:`ExplorerState.edit`; any change of ``data``, ``lam`` or ``units`` is validated and
starts a solve on the :class:`~explorer.runner.SolveRunner`. A bad edit is refused: the
parameters go back to the last good values and ``message`` says why (quoting the entry).

The problem's text form (data encoding, validation, examples) is :mod:`explorer.problem`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any

import param

from explorer.problem import (
    DEFAULT_DATA,
    DEFAULT_LAM,
    DEFAULT_UNITS,
    LINK_NAMES,
    MAX_UNITS,
    Rows,
    check_estimate,
    make_key,
    parse_data,
    solving_line,
    status_line,
)
from explorer.runner import Outcome, SolveJob, SolveKey, SolveRunner
from solver.cli.common import progress_line
from solver.data import parse_units
from solver.errors import SolverInputError
from solver.results import Solution


class ExplorerState(param.Parameterized):
    """Problem, result and selection of one dashboard session.

    Parameters
    ----------
    runner : where solves run; a shared process pool in the app, in-process in tests.

    Examples
    --------
    >>> from explorer.runner import SolveRunner
    >>> state = ExplorerState(runner=SolveRunner(processes=False), autostart=False)
    >>> state.edit(lam="0")
    False
    >>> state.message
    'Refused: lambda must be positive, got 0. The last good state is kept.'
    >>> state.lam
    '1/100'
    """

    data = param.String(default=DEFAULT_DATA, doc="Exact data points as 'x,y;x,y;...'.")
    lam = param.String(default=DEFAULT_LAM, doc="Exact regularisation strength, e.g. '1/100'.")
    units = param.Integer(default=DEFAULT_UNITS, bounds=(1, MAX_UNITS), doc="Hidden units.")
    selection = param.Integer(
        default=-1, bounds=(-1, None), doc="Index of the selected minimum; -1: the global one."
    )
    result = param.ClassSelector(class_=Solution, allow_None=True, doc="Last good solution.")
    message = param.String(default="", doc="Why the last edit was refused (empty if none).")
    refused = param.String(
        default="", doc="What the refusal in ``message`` concerns: 'data', 'lam', 'units', "
        "'link' or '' (so that a view can show it next to the edited input).")
    status = param.String(default="", doc="One line: what is shown and how long it took.")
    solving = param.Boolean(default=False, doc="A solve is running.")
    progress = param.Number(default=None, allow_None=True, bounds=(0, 1), doc="Fraction done.")
    progress_text = param.String(
        default="", doc="The running solve's progress with an ETA, as the command line prints it.")

    def __init__(self, runner: SolveRunner, autostart: bool = True, **params: Any) -> None:
        super().__init__(**params)
        self.runner = runner
        self._latest = 0
        self._job: SolveJob | None = None
        self._quiet = False
        self._requested: tuple[str, str, int] | None = None
        self._good: tuple[str, str, int] | None = None
        self._keep_selection = True
        self._edited = ""  # which input the last edit changed ('data', 'lam' or 'units')
        self._started = 0.0  # when the running solve was submitted (for the ETA)
        self._link_refusal = ""  # why a link's values were not taken (kept over the start)
        # Entered around showing a result or a selection: the app makes it Panel's ``hold``,
        # so that every view's changes reach the page as one message.
        self.batch: Callable[[], AbstractContextManager[Any]] = nullcontext
        self.param.watch(self._on_problem_change, ["data", "lam", "units"])
        if autostart:
            self.start()

    # ---------------------------------------------------------------- public API
    @property
    def rows(self) -> Rows:
        """The data as exact ``(x, y)`` string pairs (``(x1, x2, y)`` when ``d = 2``)."""
        return parse_data(self.data)

    @property
    def shown_problem(self) -> tuple[str, str, int] | None:
        """``(data, lam, units)`` as typed, of the result shown (``None`` before the first)."""
        return self._good

    @property
    def d(self) -> int:
        """The number of inputs of the (last good) data: 1 or 2."""
        rows = self.rows
        return len(rows[0]) - 1 if rows else 1

    @property
    def selected_index(self) -> int | None:
        """Index of the selected minimum (the first global minimum if none is chosen)."""
        if self.result is None or not self.result.minima:
            return None
        minima = self.result.minima
        if 0 <= self.selection < len(minima):
            return self.selection
        best = min(m.loss for m in minima)
        return next(i for i, m in enumerate(minima) if m.loss == best)

    @property
    def selected(self) -> Any:
        """The selected minimum (see :attr:`selected_index`), or ``None``."""
        index = self.selected_index
        return None if index is None else self.result.minima[index]

    def start(self) -> None:
        """Solve the current problem unless a request is already under way."""
        if self._requested is None:
            self._on_problem_change()
            if self._link_refusal:
                self.param.update(message=self._link_refusal, refused="link")
                self._link_refusal = ""

    def edit(self, **changes: Any) -> bool:
        """Change ``data``, ``lam`` and/or ``units`` if the result is a valid problem.

        Returns ``False`` (and sets ``message``, changing nothing) for a bad edit.
        """
        candidate = {k: changes.get(k, getattr(self, k)) for k in ("data", "lam", "units")}
        self._edited = next((k for k in ("data", "lam", "units")
                             if k in changes and changes[k] != getattr(self, k)), self._edited)
        try:
            self._key(candidate["data"], candidate["lam"], candidate["units"])
        except SolverInputError as exc:
            self._refuse(str(exc), restore=None)
            return False
        with self.batch():  # the solve starts first; every view's change: one message
            self.param.update(**changes)
        return True

    def select(self, index: int) -> None:
        """Select minimum ``index`` (-1 for the global minimum)."""
        count = len(self.result.minima) if self.result is not None else 0
        with self.batch():
            self.selection = index if 0 <= index < count else -1

    def apply_link(self, query: Mapping[str, str]) -> None:
        """Take the problem and selection from a page link's query (before :meth:`start`).

        Values are the link's exact strings; a bad one is refused as a bad edit would be
        (the paper's example is shown and ``message`` says why), never half applied.

        >>> from explorer.runner import SolveRunner
        >>> state = ExplorerState(runner=SolveRunner(processes=False), autostart=False)
        >>> state.apply_link({"units": "7", "sel": "2"})
        >>> state.message
        "Refused the link: the dashboard offers 1 to 4 units, got 7. Showing the paper's example."
        """
        names = {query_name: name for name, query_name in LINK_NAMES.items()}
        given = {names[k]: str(v).strip() for k, v in query.items() if k in names}
        problem = {k: given.get(k, getattr(self, k)) for k in ("data", "lam", "units")}
        try:
            units = parse_units(problem["units"])
            self._key(problem["data"], problem["lam"], units)
            selection = int(given.get("selection", "-1"))
        except (SolverInputError, ValueError) as exc:
            reason = str(exc) if isinstance(exc, SolverInputError) else (
                f"sel must be a row number, got {given.get('selection')!r}")
            self._link_refusal = (f"Refused the link: {reason.rstrip('.')}. "
                                  "Showing the paper's example.")
            self.param.update(message=self._link_refusal, refused="link")
            return
        self._quiet = True
        try:
            self.param.update(data=problem["data"], lam=problem["lam"], units=units,
                              selection=max(selection, -1))
        finally:
            self._quiet = False

    def link_query(self) -> dict[str, str]:
        """The query of a link to what is shown: the last good problem and the selection.

        Values equal to the defaults are left out (the bare page shows the paper's example).

        >>> from explorer.runner import SolveRunner
        >>> state = ExplorerState(runner=SolveRunner(processes=False))
        >>> state.link_query()
        {}
        >>> state.edit(lam="1/20"); state.select(3); state.link_query()
        True
        {'lam': '1/20', 'sel': '3'}
        """
        if self._good is None:
            return {}
        data, lam, units = self._good
        query = {}
        for name, value, default in (("data", data, DEFAULT_DATA), ("lam", lam, DEFAULT_LAM),
                                     ("units", units, DEFAULT_UNITS)):
            if value != default:
                query[LINK_NAMES[name]] = str(value)
        if self.selection >= 0:
            query[LINK_NAMES["selection"]] = str(self.selection)
        return query

    def poll_progress(self) -> None:
        """Collect worker progress (call from a periodic callback)."""
        job = self._job
        if job is None:
            return
        self.runner.drain()
        reported = self.runner.progress(job)
        if reported is not None and reported[1] > 0:
            done, total = reported
            self.param.update(progress=min(1.0, done / total), progress_text=progress_line(
                done, total, time.monotonic() - self._started))

    # ------------------------------------------------------------------ internals
    def _key(self, data: str, lam: str, units: int) -> SolveKey:
        """:func:`make_key`, and refused at once if estimated longer than the runner's limit
        (no round trip to a worker, whose queue may be busy)."""
        key = make_key(data, lam, units)
        check_estimate(len(key.x), len(key.x[0]), key.units, self.runner.max_seconds)
        return key

    def _on_problem_change(self, *events: Any) -> None:
        """Validate the problem and start solving it, or refuse and restore."""
        if self._quiet:
            return
        changed = [e.name for e in events if e.name in ("data", "lam", "units")]
        if changed:
            self._edited = changed[0]
        try:
            key = self._key(self.data, self.lam, self.units)
        except SolverInputError as exc:
            if self._requested is None:  # the first problem (a bad link): show the example
                self._fall_back(str(exc))
            else:
                self._refuse(str(exc), restore=self._requested)
            return
        self._requested = (self.data, self.lam, self.units)
        self.param.update(message="", refused="")
        self._submit(key)

    def _submit(self, key: SolveKey) -> None:
        """Supersede any running solve and start ``key`` (instant when cached)."""
        self._latest += 1
        request = self._latest
        if self._job is not None:
            self.runner.cancel(self._job)
            self._job = None
        cached = self.runner.lookup(key)
        if cached is not None:
            self._apply(request, cached)
            return
        job = self.runner.submit(key)
        if job.future.done():
            self._apply(request, job.future.result())
            return
        self._job = job
        self._started = time.monotonic()
        self.param.update(solving=True, progress=None, progress_text="",
                          status=solving_line(key))
        param.parameterized.async_executor(partial(self._await, request, job))

    async def _await(self, request: int, job: SolveJob) -> None:
        """Wait for ``job`` without blocking the event loop, then apply it."""
        outcome = await asyncio.wrap_future(job.future)
        self._apply(request, outcome)

    def _apply(self, request: int, outcome: Outcome) -> None:
        """Show a finished solve unless a newer request has overtaken it."""
        if request != self._latest or outcome.kind == "cancelled":
            return
        self._job = None
        if outcome.kind != "ok":
            reason = ("" if outcome.kind == "refused" else "the solver failed: ") + outcome.message
            self.param.update(solving=False, progress=None, progress_text="")
            if self._good is None:  # nothing shown yet (a link to a bad problem): the example
                self._fall_back(reason)
                return
            self._requested = self._good
            self._refuse(reason, restore=self._good)
            self.status = status_line(self.result, None, cached=True)
            return
        solution = outcome.solution
        keep = self._keep_selection and 0 <= self.selection < len(solution.minima)
        self._keep_selection = False
        self._good = self._requested
        with self.batch():
            self.param.update(
                result=solution,
                selection=self.selection if keep else -1,
                solving=False,
                progress=None,
                progress_text="",
                status=status_line(solution, outcome.seconds, outcome.cached),
            )

    def _fall_back(self, reason: str) -> None:
        """Nothing good to keep yet: refuse, then solve the paper's example instead."""
        if (self.data, self.lam, self.units) == (DEFAULT_DATA, DEFAULT_LAM, DEFAULT_UNITS):
            self.param.update(message=f"The example could not be solved: {reason}",
                              refused="link")
            return
        self._requested = None
        self._refuse(reason, restore=(DEFAULT_DATA, DEFAULT_LAM, DEFAULT_UNITS))
        self._on_problem_change()
        self.param.update(message=f"Refused: {reason.rstrip('.')}. Showing the paper's example.",
                          refused="link")

    def _refuse(self, reason: str, restore: tuple[str, str, int] | None) -> None:
        """Say why an edit was refused and put ``restore`` back (quietly) if it differs."""
        self.param.update(message=f"Refused: {reason.rstrip('.')}. The last good state is kept.",
                          refused=self._edited)
        if restore is None or restore == (self.data, self.lam, self.units):
            return
        self._quiet = True
        try:
            self.param.update(data=restore[0], lam=restore[1], units=restore[2])
        finally:
            self._quiet = False

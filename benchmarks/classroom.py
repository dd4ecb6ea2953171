"""Simulated students for the classroom load test: Bokeh client sessions of the explorer.

A :class:`Student` opens its own session of a running ``panel serve explorer`` with
``bokeh.client.pull_session`` (the server runs ``main.py`` for it exactly as for a browser
tab, with the student's data, λ and units in the URL arguments) and edits it the way a
browser does: it types λ into the λ box and drags a data point (a new ``data`` of the
point source, what Bokeh's PointDraw tool sends). After each edit it waits until the
minima table has changed and the status line shows the finished result, and records the
latency and what the session showed: the data table, λ, the units and the losses.
:func:`check_shown` compares every record with the student's own problem and with the
solver's result for it (computed here), so a session showing another session's data or
result is caught.

Each student runs in a thread with its own Tornado loop; incoming document patches are
read by :meth:`Student._reader` (the client's own ``loop_until_closed`` is blocking).

Examples
--------
>>> rows = student_rows(3)
>>> rows[1]
('0.44', '1.05')
>>> [Fraction(y) for _, y in rows][1] - Fraction("1.02")
Fraction(3, 100)
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

PAPER_X = ("-0.17", "0.44", "-1.00", "-0.40", "-0.71")
PAPER_Y = ("0.05", "1.02", "0.61", "-0.36", "-1.32")
LAMS = ("1/100", "1/50", "3/100", "1/20", "1/10", "1/30", "2/100", "1/40")


def register_models() -> None:
    """Import every Bokeh model class the explorer's documents use (Panel's, HoloViews'),
    so that a client can decode them."""
    import importlib
    import pkgutil

    import holoviews.plotting.bokeh  # noqa: F401
    import panel.models

    for module in pkgutil.iter_modules(panel.models.__path__):
        importlib.import_module(f"panel.models.{module.name}")


def student_rows(index: int) -> list[tuple[str, str]]:
    """Student ``index``'s own data: the paper's, point 2 raised by ``index``/100."""
    y = list(PAPER_Y)
    y[1] = _decimal(Fraction(y[1]) + Fraction(index, 100))
    return list(zip(PAPER_X, y, strict=True))


def _decimal(value: Fraction) -> str:
    """A value with at most two decimals as the dashboard writes a dragged one."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class Record:
    """One finished edit: what was asked and what the session then showed."""

    kind: str
    seconds: float
    expected_rows: list[tuple[str, str]]
    expected_lam: str
    units: int
    shown_rows: list[tuple[str, str]]
    shown_status: str
    shown_losses: list[str]
    at: float = 0.0  # when the result was seen (``time.time()``, comparable across processes)


@dataclass
class Student:
    """One simulated student editing one session."""

    url: str
    index: int
    edits: int = 8
    units: int = 2
    think: tuple[float, float] = (0.5, 2.0)
    timeout: float = 60.0
    path_shown: bool = False  # the λ-path card on screen (a tall page, or scrolled there)
    records: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    open_seconds: float | None = None
    session: Any = None
    broken: str = ""  # why the session stopped receiving the server's patches

    def __post_init__(self) -> None:
        self.rows = student_rows(self.index)
        self.lam = LAMS[self.index % len(LAMS)]
        self.random = random.Random(self.index)
        self.thread = threading.Thread(target=self._run, name=f"student-{self.index}",
                                       daemon=True)
        self.done = threading.Event()

    # ------------------------------------------------------------------- running
    def start(self) -> None:
        register_models()
        self.thread.start()

    def _run(self) -> None:
        from bokeh.client import pull_session
        from tornado.ioloop import IOLoop

        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = IOLoop.current()
        start = time.perf_counter()
        try:
            self.session = pull_session(url=self.url, io_loop=loop, arguments={
                "data": ";".join(f"{x},{y}" for x, y in self.rows), "lam": self.lam,
                "units": str(self.units)})
            loop.run_sync(lambda: self._scenario(start))
        except Exception as exc:  # noqa: BLE001 - reported in the benchmark's table
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.set()

    async def _scenario(self, start: float) -> None:
        from bokeh.events import DocumentReady

        self._stop = False
        reader = asyncio.ensure_future(self._reader())
        # What BokehJS sends once the page is rendered: Panel dispatches a session's model
        # changes at once only after it (before, each is put off to a later tick and may
        # reach the page in a message of its own) and runs the ``onload`` callbacks then.
        self.session.document.callbacks.send_event(DocumentReady())
        if self.path_shown:
            self._show_path()
        try:
            await self._until(lambda: self._finished(self.lam), start)
            self.open_seconds = time.perf_counter() - start
            self._record("open", self.open_seconds)
            for k in range(self.edits):
                await asyncio.sleep(self.random.uniform(*self.think))
                before = self.losses()
                begin = time.perf_counter()
                if k % 2 == 0:
                    self.lam = LAMS[(self.index + k // 2 + 1) % len(LAMS)]
                    self.lam_box().value = self.lam
                    kind = "lam"
                else:
                    self._drag(k)
                    kind = "drag"
                await self._until(lambda b=before: self.losses() != b
                                  and self._finished(self.lam), begin)
                self._record(kind, time.perf_counter() - begin)
        finally:
            self._stop = True
            reader.cancel()

    async def _reader(self) -> None:
        """Apply the server's document patches as they come.

        A patch that cannot be applied, or the connection closing, ends the reading: it is
        recorded in ``broken`` so that the student stops waiting at once with the reason
        (a reader that died silently left the student polling a document nothing updated
        any more, until its timeout).
        """
        connection = self.session._connection
        while not self._stop:
            message = await connection._pop_message()
            if message is None:
                self.broken = "the server closed the connection"
                return
            if message.msgtype == "PATCH-DOC":
                try:
                    self.session._handle_patch(message)
                except Exception as exc:  # noqa: BLE001 - reported as the student's error
                    self.broken = f"a patch from the server failed: {type(exc).__name__}: {exc}"
                    return

    async def _until(self, predicate: Any, since: float) -> None:
        while not predicate():
            if self.broken:
                raise ConnectionError(self.broken)
            if time.perf_counter() - since > self.timeout:
                try:
                    shown = f"; the session shows {self.status()!r}, losses {self.losses()}"
                except StopIteration:  # the table is not in the document
                    shown = ""
                raise TimeoutError(f"no result {self.timeout:.0f} s after an edit{shown}")
            await asyncio.sleep(0.02)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()

    # ------------------------------------------------------------- the document
    def _models(self, name: str) -> list[Any]:
        """The document's models of one type (``panel.models.markup.HTML`` for ``"HTML"``:
        Bokeh has an ``HTML`` of its own). The views keep their models (an edit changes
        their properties), so the lookup is done once per type: scanning the 400 models
        of a session at every poll made the client, on the server's cores, the bottleneck."""
        cache = self.__dict__.setdefault("_model_cache", {})
        if name not in cache:
            found = [m for m in self.session.document.models if type(m).__name__ == name
                     and (name != "HTML" or m.__qualified_model__ == "panel.models.markup.HTML")]
            if not found:
                return found
            cache[name] = found
        return cache[name]

    def lam_box(self) -> Any:
        return next(m for m in self._models("TextInput") if "λ" in (m.title or ""))

    def _table(self, column: str) -> dict:
        return next(m.source.data for m in self._models("DataTabulator")
                    if column in m.source.data)

    def losses(self) -> list[str]:
        return [str(v) for v in self._table("orbit").get("loss", [])]

    def shown_rows(self) -> list[tuple[str, str]]:
        data = self._table("point")
        return [(str(x), str(y)) for x, y in zip(data["x"], data["y"], strict=True)]

    def status(self) -> str:
        texts = [str(m.text) for m in self._models("HTML") if " · λ = " in str(m.text)]
        return texts[0] if texts else ""

    def _finished(self, lam: str) -> bool:
        text = self.status()
        return (f"λ = {Fraction(lam)} " in text and "Solving" not in text
                and bool(self.losses()))

    def _show_path(self) -> None:
        """Report the λ-path card on screen, as the page does when it comes into view
        (:func:`explorer.layout.when_seen`): the server builds the card and computes the
        path of each data set the student shows."""
        probe = next(m for m in self.session.document.models
                     if type(m).__name__ == "Div" and m.text == "Loading…")
        probe.tags = [1]

    def _drag(self, k: int) -> None:
        """Move one point up or down, as the PointDraw tool does (a new ``data``)."""
        source = next(
            r.data_source for r in self._models("GlyphRenderer")
            if type(r.glyph).__name__ == "Scatter" and {"x", "y"} <= set(r.data_source.data)
            and len(r.data_source.data["x"]) == len(self.rows))
        i = (self.index + k) % len(self.rows)
        y = Fraction(self.rows[i][1]) + Fraction(self.random.choice([-1, 1]) * (2 + k), 100)
        self.rows[i] = (self.rows[i][0], _decimal(y))
        data = dict(source.data)
        data["y"] = [float(Fraction(v)) for _, v in self.rows]
        data["x"] = [float(Fraction(v)) for v, _ in self.rows]
        source.data = data

    def _record(self, kind: str, seconds: float) -> None:
        self.records.append(Record(
            kind, seconds, list(self.rows), self.lam, self.units, self.shown_rows(),
            self.status(), self.losses(), time.time()))


def check_shown(students: list[Student] | list[Report]) -> list[str]:
    """Every record against the student's own problem and the solver's result for it."""
    from solver import solve

    problems: dict[tuple, list[float]] = {}
    wrong = []
    for student in students:
        for record in student.records:
            mine = [tuple(map(Fraction, r)) for r in record.expected_rows]
            shown = [tuple(map(Fraction, r)) for r in record.shown_rows]
            if shown != mine:
                wrong.append(f"student {student.index}: data {record.shown_rows} shown, "
                             f"{record.expected_rows} expected")
                continue
            key = (tuple(mine), Fraction(record.expected_lam), record.units)
            if key not in problems:
                solution = solve([x for x, _ in mine], [y for _, y in mine], key[1], key[2])
                problems[key] = [m.loss for m in solution.minima]
            expected = problems[key]
            got = [float(v) for v in record.shown_losses]
            if len(got) != len(expected) or any(
                    abs(a - b) > 1e-8 * max(1.0, abs(b)) for a, b in zip(got, expected,
                                                                        strict=True)):
                wrong.append(f"student {student.index}: losses {got} shown for its problem, "
                             f"the solver gives {expected}")
    return wrong


@dataclass
class Report:
    """What a student did and saw, handed back from a crowd process (picklable)."""

    index: int
    records: list[Record]
    errors: list[str]
    open_seconds: float | None


def crowd(url: str, plan: list[tuple[int, float]], edits: int, think: tuple[float, float],
          nice: int, out: Any, path_shown: bool = False) -> None:
    """Run students in this process (a crowd of the benchmark): ``plan`` lists each student's
    index and when (seconds from now) it opens its page; ``out`` (a queue) receives the
    :class:`Report` of each and this process's CPU seconds. Run at CPU priority ``nice``
    above the server's, so that the students take what the server leaves; ``path_shown``:
    each student's λ-path card is on screen (:attr:`Student.path_shown`)."""
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    from tornado.httpclient import HTTPRequest

    # A browser waits minutes for a busy server's page; Tornado's client (the Bokeh
    # client's) gives up on the connection after 20 s, which a class opening at once on a
    # loaded machine exceeds: the students are made as patient as a browser.
    HTTPRequest._DEFAULTS.update(connect_timeout=300.0, request_timeout=300.0)
    register_models()
    begin = time.monotonic()
    students = []
    for index, offset in sorted(plan, key=lambda item: item[1]):
        time.sleep(max(0.0, begin + offset - time.monotonic()))
        student = Student(url, index, edits=edits, think=think, path_shown=path_shown)
        student.start()
        students.append(student)
    for student in students:
        student.done.wait()
    for student in students:
        student.close()
    out.put(([Report(s.index, s.records, s.errors, s.open_seconds) for s in students],
             time.process_time()))

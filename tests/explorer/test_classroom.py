"""Two students on one real ``panel serve explorer`` at once: neither ever sees the other's
data or result, and no worker process outlives the sessions' or the server's end.

Not timed (``python -m benchmarks.bench_classroom`` measures the latencies). Each student is a
Bokeh client session (:mod:`benchmarks.classroom`) with its own data, editing λ and dragging
a point while the other does the same; every state it shows is compared with its own
problem and with the solver's minima for that problem, computed here.
"""

from __future__ import annotations

import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from benchmarks.bench_classroom import free_port, start_server, stop_server, tree
from benchmarks.classroom import PAPER_X, PAPER_Y, Student, check_shown
from explorer.worker import Outcome, SolveKey, progress_callback, solve_key
from solver.errors import SolveCancelled

STUBBORN = 7  # a λ whose denominator it divides: the solve ignores its cancel flag for 1 s


def _slow_solve(job_id: int, key: SolveKey, max_seconds: float, queue: Any = None,
                cancelled: Any = None) -> Outcome:
    """The real solve (:func:`explorer.worker.solve_key`) after 0.3 s of steps that report
    progress and so stop at a cancel; a stubborn one (λ = 1/7, 1/14) reports once and then
    ignores its flag for 1 s, so that superseding it kills the pool under the other
    sessions' jobs."""
    report = progress_callback(job_id, queue, cancelled)
    try:
        report(0, 10)
        if key.lam.denominator % STUBBORN == 0:
            time.sleep(1.0)
        for step in range(10):
            time.sleep(0.03)
            report(step + 1, 11)
    except SolveCancelled:
        return Outcome("cancelled")
    return solve_key(job_id, key, max_seconds)


def test_shared_runner_state_is_bounded() -> None:
    """What the sessions share (one runner per server process) cannot grow without bound:
    the result cache keeps ``cache_size`` problems, and progress is kept for running jobs
    only (a progress message arriving after its job finished used to stay forever)."""
    from queue import Queue

    from explorer.problem import make_key
    from explorer.runner import SolveRunner

    runner = SolveRunner(processes=False, cache_size=2)
    keys = [make_key(f"0,1;1,{k}", "1/10", 1) for k in range(3)]
    jobs = [runner.submit(key) for key in keys]
    assert [job.future.result().kind for job in jobs] == ["ok"] * 3
    assert runner.lookup(keys[0]) is None and runner.lookup(keys[2]) is not None
    runner._queue = Queue()
    for job in jobs:
        runner._queue.put((job.id, 5, 10))  # late messages of finished jobs
    runner.drain()
    assert runner._progress == {} and runner._pending == {}


def test_a_student_whose_patches_fail_stops_at_once_with_the_reason() -> None:
    """A server patch the client cannot apply ended the student's reader silently: the
    student then polled a document nothing updated any more and reported only "no result
    180 s after an edit". It must stop at once and say why."""
    import asyncio
    import time

    class Connection:
        def __init__(self) -> None:
            self.messages = [type("Message", (), {"msgtype": "PATCH-DOC"})()]

        async def _pop_message(self) -> object:
            if self.messages:
                return self.messages.pop()
            await asyncio.sleep(3600)  # the server says nothing more

    class Session:
        _connection = Connection()

        def _handle_patch(self, message: object) -> None:
            raise KeyError("p1234")  # e.g. a reference to a model the client does not know

    student = Student("http://127.0.0.1:1/explorer", 1, timeout=5)
    student.session, student._stop = Session(), False

    async def scenario() -> None:
        reader = asyncio.ensure_future(student._reader())
        try:
            await student._until(lambda: False, time.perf_counter())
        finally:
            reader.cancel()

    # a thread of its own: in the browser worker Playwright keeps a loop running in the
    # main thread, where neither asyncio.run nor run_until_complete may start another
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(ConnectionError, match="a patch from the server failed: KeyError"):
            pool.submit(asyncio.run, scenario()).result()


def _rows(k: int) -> str:
    """One of three data sets: the paper's, point 2 raised by ``k``/100."""
    y = list(PAPER_Y)
    y[1] = str(Fraction(y[1]) + Fraction(k, 100))
    return ";".join(f"{x},{v}" for x, v in zip(PAPER_X, y, strict=True))


@pytest.mark.slow
def test_every_session_gets_the_result_of_its_last_edit_under_rapid_superseding_edits() -> None:
    """Four sessions on one shared runner (two workers), each making 25 edits 0-0.15 s
    apart, to problems that are often equal (shared jobs) and often not; superseded solves
    that ignore their cancel flag make the runner kill and replace the pool under the
    others' jobs, last under every session's last job. Once the edits stop, every session
    must show the result of its own last edit: its data, λ and units, and the solver's
    minima for them (solved here, in this process). A session left "Solving…" for ever, or
    showing an older edit's result, fails (as it does when the runner drops the jobs of a
    killed pool, or stops a shared job when one of its waiters cancels).
    """
    import panel  # noqa: F401 - Panel's executor runs the sessions' awaits on this loop

    from explorer.runner import SolveRunner
    from explorer.state import ExplorerState
    from solver import solve

    lams = ("1/10", "1/20", "1/7", "1/30", "1/14")

    class CountingRunner(SolveRunner):
        pools = 0

        def _new_pool(self) -> list:
            self.pools += 1
            return super()._new_pool()

    async def edit(state: ExplorerState, rng: random.Random) -> None:
        for _ in range(25):
            state.edit(**rng.choice([{"lam": rng.choice(lams)}, {"data": _rows(rng.randrange(3))},
                                     {"lam": rng.choice(lams), "data": _rows(rng.randrange(3))}]))
            await asyncio.sleep(rng.uniform(0, 0.15))

    async def settled(states: list[ExplorerState], until: Any = None) -> None:
        deadline = time.monotonic() + 90
        while (any(s.solving for s in states) if until is None else not until()):
            assert time.monotonic() < deadline, [s.status for s in states]
            await asyncio.sleep(0.05)
            runner.drain()

    def shown(states: list[ExplorerState]) -> list[bool]:
        """Whether each session shows the result of its last edit."""
        return [not s.solving and s.shown_problem == (s.data, s.lam, s.units) for s in states]

    async def scenario(runner: SolveRunner) -> tuple[list[bool], list[ExplorerState]]:
        states = [ExplorerState(runner=runner, units=1) for _ in range(4)]
        await asyncio.gather(*(edit(s, random.Random(k)) for k, s in enumerate(states)))
        await settled(states)
        after_random = shown(states)
        # then a pool killed under every session's last job: a fifth session's stubborn
        # solve is running, the four make their last edit, the fifth moves on
        fifth = ExplorerState(runner=runner, units=1, data=_rows(5), lam="1/7")
        await settled([], until=lambda: runner.progress(fifth._job) is not None)
        for k, state in enumerate(states):
            state.edit(lam="1/10", data=_rows(k % 2))
        pools = runner.pools
        fifth.edit(lam="1/30")
        await settled([*states, fifth])
        assert runner.pools > pools, "the last jobs' pool was not killed: the test missed it"
        return after_random, [*states, fifth]

    runner = CountingRunner(max_workers=2, grace=0.2, job=_slow_solve)
    [warm.result(timeout=120) for warm in runner.start()]
    try:
        # a thread of its own: the browser tests' worker keeps a loop in the main thread
        with ThreadPoolExecutor(1) as pool:
            after_random, states = pool.submit(asyncio.run, scenario(runner)).result()
        assert after_random == [True] * 4
        for k, state in enumerate(states):
            asked = (state.data, state.lam, state.units)
            assert not state.solving and state.shown_problem == asked, (k, state.status)
            rows = [row.split(",") for row in state.data.split(";")]
            x, y = [r[0] for r in rows], [r[1] for r in rows]
            expected = solve(x, y, state.lam, 1)
            shown = state.result
            assert (shown.lam, shown.y) == (Fraction(state.lam), tuple(map(Fraction, y)))
            assert [m.loss for m in shown.minima] == [m.loss for m in expected.minima]
        assert runner._pending == {}
    finally:
        runner.shutdown()


@pytest.mark.slow
def test_two_concurrent_sessions_stay_apart_and_no_process_is_left(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = start_server(free_port(), 1, log)
    url = f"http://127.0.0.1:{server.args[server.args.index('--port') + 1]}/explorer"
    try:
        at_rest = {p.pid for p in tree(server)}
        assert len(at_rest) >= 3  # the server, the pool's manager and its workers
        students = [Student(url, k, edits=2, think=(0.0, 0.3), timeout=180) for k in (1, 7)]
        for student in students:
            student.start()
        for student in students:
            assert student.done.wait(timeout=600)
        assert [s.errors for s in students] == [[], []]
        assert [len(s.records) for s in students] == [3, 3]  # the first result, a λ edit and a drag
        assert students[0].records[0].shown_rows != students[1].records[0].shown_rows
        assert check_shown(students) == []
        for student in students:
            student.close()
        # sessions start no processes: a superseded solve's worker is killed and replaced
        # (new pid), so the invariant is the count, not the pids
        assert len(tree(server)) <= len(at_rest)
    finally:
        left = stop_server(server)
    assert left == [], f"processes left after the server stopped: {left}"
    text = log.read_text()
    assert "Traceback" not in text and "Exception" not in text and "ERROR" not in text, text


@pytest.mark.slow
def test_num_procs_servers_leave_no_process_after_sigterm(tmp_path: Path) -> None:
    """``--num-procs 2``: SIGTERM reaches only the main process; the forked ones follow it
    (``explorer.app_hooks``) and end their own solver pools."""
    server = start_server(free_port(), 2, tmp_path / "server.log")
    try:
        assert len(tree(server)) >= 7  # main, 2 forked servers, each with manager and workers
    finally:
        left = stop_server(server)
    assert left == [], f"processes left after the server stopped: {left}"

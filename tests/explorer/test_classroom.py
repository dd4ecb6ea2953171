"""Two students on one real ``panel serve explorer`` at once: neither ever sees the other's
data or result, and no worker process outlives the sessions' or the server's end.

Not timed (``python -m benchmarks.bench_classroom`` measures the latencies). Each student is a
Bokeh client session (:mod:`benchmarks.classroom`) with its own data, editing λ and dragging
a point while the other does the same; every state it shows is compared with its own
problem and with the solver's minima for that problem, computed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_classroom import free_port, start_server, stop_server, tree
from benchmarks.classroom import Student, check_shown


def test_shared_runner_state_is_bounded() -> None:
    """What the sessions share (one runner per server process) cannot grow without bound:
    the result cache keeps ``cache_size`` problems, and progress is kept for running jobs
    only (a progress message arriving after its job finished used to stay forever)."""
    from queue import Queue

    from explorer.runner import SolveRunner
    from explorer.state import make_key

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

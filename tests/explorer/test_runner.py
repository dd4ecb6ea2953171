"""The shared solve runner under cancellation: no job is ever lost when the pool is replaced.

A class shares one runner: when a superseded solve ignores its cancel flag the runner kills
the pool, and every other student's job must still get its result. Python 3.11's process
pool, on a dead worker, sets an exception on each pending future and stops at the first
future that was cancelled (``InvalidStateError``), leaving the rest unresolved: a student
waited for ever. The jobs here are module-level functions (spawned workers import them);
the problem's ``units`` chooses what a job does.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from explorer.problem import DEFAULT_DATA, make_key
from explorer.runner import SolveRunner
from explorer.worker import Outcome, SolveKey, progress_callback
from solver.errors import SolveCancelled

STUBBORN, QUICK, BUSY = 1, 2, 3  # units: ignores cancel for 60 s / answers / works 3 s


def _job(job_id: int, key: SolveKey, max_seconds: float, queue: Any = None,
         cancelled: Any = None) -> Outcome:
    """Like :func:`explorer.worker.solve_key`: looks at its cancel flag at its first progress
    call (a queued job that was superseded stops there)."""
    try:
        progress_callback(job_id, queue, cancelled)(0, 1)
    except SolveCancelled:
        return Outcome("cancelled")
    if key.units == STUBBORN:
        time.sleep(60)
    elif key.units == BUSY:
        time.sleep(3)
    return Outcome("ok", solution=(job_id, key.units))


def key(units: int, k: int = 0) -> SolveKey:
    """Problem ``k`` of a kind (equal keys share one job)."""
    return make_key(DEFAULT_DATA, f"1/{100 + k}", units)


def wait_started(runner: SolveRunner, job: Any) -> None:
    """Until ``job`` has reported its first progress (it runs in the worker)."""
    deadline = time.monotonic() + 60
    while runner.progress(job) is None:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
        runner.drain()


@pytest.fixture
def runner() -> Any:
    runner = SolveRunner(max_workers=1, job=_job, grace=0.5)
    [w.result(timeout=60) for w in runner.start()]
    yield runner
    runner.shutdown()


@pytest.mark.slow
def test_killing_a_stubborn_solve_loses_no_other_job(runner: SolveRunner) -> None:
    stubborn = runner.submit(key(STUBBORN))
    wait_started(runner, stubborn)  # running in the only worker
    others = [runner.submit(key(QUICK, k)) for k in range(3)]  # two reach the call queue
    superseded = runner.submit(key(QUICK, 3))  # still pending in the pool
    last = runner.submit(key(QUICK, 4))
    runner.cancel(superseded)
    pool = runner._executor
    runner.cancel(stubborn)  # ignores its flag: the pool is killed after 0.5 s
    assert stubborn.future.result(timeout=10).kind == "cancelled"
    assert runner._executor is not pool
    assert superseded.future.result(timeout=30).kind == "cancelled"
    for job in [*others, last]:
        outcome = job.future.result(timeout=30)  # used to hang: never resolved
        assert (outcome.kind, outcome.solution) == ("ok", (outcome.solution[0], QUICK))
    assert runner._pending == {}


@pytest.mark.slow
def test_a_job_survives_any_number_of_kills_of_other_jobs(runner: SolveRunner) -> None:
    """Three superseded solves in a row ignore their flags, so the pool is killed three
    times under a waiting student's job: that job was counted as a failed attempt each time
    and, after the third, the student got "the solver failed" instead of a result."""
    stubborn = [runner.submit(key(STUBBORN))]
    wait_started(runner, stubborn[0])
    stubborn += [runner.submit(key(STUBBORN, k)) for k in (1, 2)]
    waiting = runner.submit(key(QUICK))
    for job in stubborn:
        wait_started(runner, job)
        pool = runner._executor
        runner.cancel(job)
        assert job.future.result(timeout=10).kind == "cancelled"
        assert runner._executor is not pool
    assert waiting.future.result(timeout=30) == Outcome("ok", solution=(waiting.id, QUICK))


@pytest.mark.slow
def test_a_cancelled_queued_job_does_not_restart_the_pool(runner: SolveRunner) -> None:
    busy = runner.submit(key(BUSY))
    wait_started(runner, busy)
    queued = [runner.submit(key(QUICK, k)) for k in range(3)]
    pool = runner._executor
    for job in queued:
        runner.cancel(job)  # waiting behind ``busy`` for longer than the grace of 0.5 s
    assert busy.future.result(timeout=30) == Outcome("ok", solution=(busy.id, BUSY))
    assert [job.future.result(timeout=30).kind for job in queued] == ["cancelled"] * 3
    assert runner._executor is pool  # the busy student's solve was never killed


@pytest.mark.slow
def test_a_worker_that_dies_by_itself_is_replaced_and_its_job_retried(
        runner: SolveRunner) -> None:
    busy = runner.submit(key(BUSY))
    wait_started(runner, busy)
    waiting = runner.submit(key(QUICK))
    pool = runner._executor
    for process in pool._processes.values():
        process.kill()  # as the kernel's OOM killer would
    assert busy.future.result(timeout=30) == Outcome("ok", solution=(busy.id, BUSY))
    assert waiting.future.result(timeout=30) == Outcome("ok", solution=(waiting.id, QUICK))
    assert runner._executor is not pool and busy.attempts == 2


@pytest.mark.slow
def test_equal_requests_share_one_job_until_the_last_waiter_cancels(
        runner: SolveRunner) -> None:
    """Thirty students opening the same example start one solve, not thirty; one student
    moving on does not stop the solve the others wait for."""
    first, second = runner.submit(key(BUSY)), runner.submit(key(BUSY))
    assert first is second and first.waiters == 2 and len(runner._pending) == 1
    runner.cancel(first)  # one student edits again: the other still waits
    assert not first.cancel_requested
    assert first.future.result(timeout=30) == Outcome("ok", solution=(first.id, BUSY))
    again = runner.submit(key(BUSY))  # finished: a new request is a new job (or the cache)
    assert again is not first
    wait_started(runner, again)
    runner.cancel(again)  # its only waiter: stopped (the pool is killed after 0.5 s)
    assert again.future.result(timeout=10).kind == "cancelled"
    fresh = runner.submit(key(BUSY))  # a cancelled job is never joined
    assert fresh is not again
    assert fresh.future.result(timeout=30) == Outcome("ok", solution=(fresh.id, BUSY))


def test_an_outcome_says_its_cpu_seconds_beside_its_wall_seconds() -> None:
    from explorer.worker import solve_key

    key = SolveKey.parse([0, 1, 2], [1, 0, 1], "1/10", 2)
    outcome = solve_key(1, key, 15.0)
    assert outcome.kind == "ok"
    assert 0 < outcome.cpu_seconds and 0 < outcome.seconds
    refused = solve_key(2, SolveKey.parse([0, 1], [1, 0], "1/10", 4), 1e-9)
    assert refused.kind == "refused" and refused.cpu_seconds >= 0

"""Thirty students on one ``panel serve explorer``: latency, memory and processes under load.

Starts a real server (``python -m panel serve explorer``, optionally ``--num-procs N``),
opens ``--students`` sessions with Bokeh client connections (:mod:`benchmarks.classroom`:
the server builds each session exactly as for a browser tab), and lets every student edit
at the same time: type a λ, drag a point, each edit after a random 0.5-2 s pause, each on
the student's own data. It prints the edit -> result latency (p50, p95, max; the first
result after opening too), the server's memory (all its processes) and process count at
rest, at the peak, after every session closed and after the server stopped, and then
checks that every session always showed its own data and the solver's minima for them.

    python -m benchmarks.bench_classroom                    # 30 students, 8 edits each
    python -m benchmarks.bench_classroom --students 10 --num-procs 2 --edits 4

The client runs on the same machine: its threads use some of the CPU the server would
have (the figures are pessimistic for a class where every student has their own computer).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

from benchmarks.classroom import Student, check_shown
from benchmarks.report import header_lines, markdown_table, seconds_text

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, num_procs: int, log: Path) -> subprocess.Popen:
    """``panel serve explorer`` on ``port``; sessions closed by a client are freed after 2 s."""
    command = [sys.executable, "-m", "panel", "serve", "explorer", "--address", "127.0.0.1",
               "--port", str(port), "--num-procs", str(num_procs),
               "--check-unused-sessions", "1000", "--unused-session-lifetime", "2000"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=env)
    url = f"http://127.0.0.1:{port}/explorer"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"panel serve exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError(f"panel serve did not answer:\n{log.read_text()}")


def tree(process: subprocess.Popen) -> list[psutil.Process]:
    """The server and all its descendants (workers, manager, forked server processes)."""
    try:
        root = psutil.Process(process.pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def memory_mb(processes: list[psutil.Process]) -> float:
    total = 0
    for p in processes:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


class Sampler(threading.Thread):
    """The server tree's peak memory and process count while the students work."""

    def __init__(self, process: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.process, self.stop, self.peak_mb, self.peak_count = process, False, 0.0, 0

    def run(self) -> None:
        while not self.stop:
            processes = tree(self.process)
            self.peak_mb = max(self.peak_mb, memory_mb(processes))
            self.peak_count = max(self.peak_count, len(processes))
            time.sleep(0.25)


def stop_server(process: subprocess.Popen, timeout: float = 30) -> list[int]:
    """SIGTERM the server as Ctrl-C would; return the pids of its tree still alive after."""
    processes = tree(process)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    _, alive = psutil.wait_procs(processes, timeout=15)
    left = [p.pid for p in alive]
    try:
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left, so nothing leaks from here
    except ProcessLookupError:
        pass
    return left


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(students: int, edits: int, num_procs: int, log: Path,
        think: tuple[float, float] = (0.5, 2.0)) -> dict:
    """One load test; returns the figures (see the module docstring)."""
    process = start_server(free_port(), num_procs, log)
    url = f"http://127.0.0.1:{process.args[process.args.index('--port') + 1]}/explorer"
    figures: dict = {}
    try:
        time.sleep(3)  # let the worker pool finish warming up
        rest = tree(process)
        figures["rest"] = (memory_mb(rest), len(rest))
        sampler = Sampler(process)
        sampler.start()
        crowd = [Student(url, k, edits=edits, think=think) for k in range(students)]
        begin = time.perf_counter()
        for student in crowd:
            student.start()
            time.sleep(0.05)
        for student in crowd:
            student.done.wait()
        figures["wall"] = time.perf_counter() - begin
        sampler.stop = True
        figures["peak"] = (sampler.peak_mb, sampler.peak_count)
        for student in crowd:
            student.close()
        time.sleep(6)  # the server frees closed sessions after 2 s (checked every 1 s)
        closed = tree(process)
        figures["closed"] = (memory_mb(closed), len(closed))
        figures["students"] = crowd
    finally:
        figures["left"] = stop_server(process)
    return figures


def report(figures: dict, num_procs: int) -> str:
    crowd = figures["students"]
    edits = [r.seconds for s in crowd for r in s.records if r.kind != "open"]
    opens = [s.open_seconds for s in crowd if s.open_seconds is not None]
    errors = [f"student {s.index}: {e}" for s in crowd for e in s.errors]
    wrong = check_shown(crowd)
    lines = [*header_lines(), ""]
    rows = []
    for name, values in (("edit -> result", edits), ("open -> first result", opens)):
        if values:
            rows.append([name, str(len(values)), seconds_text(statistics.median(values)),
                         seconds_text(percentile(values, 0.95)), seconds_text(max(values))])
    low, high = figures["think"]
    lines.append(f"{len(crowd)} students, `--num-procs {num_procs}`, a pause of {low:g}-{high:g} s "
                 f"before each edit, {figures['wall']:.0f} s of concurrent editing")
    lines.append("")
    lines.append(markdown_table(["latency", "count", "p50 s", "p95 s", "max s"], rows))
    lines.append("")
    memory = [[stage, f"{figures[key][0]:.0f}", str(figures[key][1])] for stage, key in (
        ("at rest (pool warm)", "rest"), ("peak while editing", "peak"),
        ("after every session closed", "closed"))]
    memory.append(["after the server stopped", "—", str(len(figures["left"]))])
    lines.append(markdown_table(["server", "memory MB (all processes)", "processes"], memory))
    lines.append("")
    lines.append(f"sessions that failed: {len(errors)}; records showing another session's data "
                 f"or a wrong result: {len(wrong)} of {sum(len(s.records) for s in crowd)}")
    lines.extend(errors[:10] + wrong[:10])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--edits", type=int, default=8, help="edits per student")
    parser.add_argument("--num-procs", type=int, default=1)
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0),
                        metavar=("LOW", "HIGH"), help="seconds a student pauses before an edit")
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench_classroom_server.log"))
    args = parser.parse_args(argv)
    figures = run(args.students, args.edits, args.num_procs, args.log, tuple(args.think))
    figures["think"] = tuple(args.think)
    print(report(figures, args.num_procs))
    crowd = figures["students"]
    bad = figures["left"] or any(s.errors for s in crowd) or check_shown(crowd)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

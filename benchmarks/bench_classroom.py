"""Thirty students on one ``panel serve explorer``: latency, CPU, memory and processes.

Starts a real server (``python -m panel serve explorer``, optionally ``--num-procs N``),
opens ``--students`` sessions with Bokeh client connections (:mod:`benchmarks.classroom`:
the server builds each session exactly as for a browser tab, and each client announces its
document ready as a browser does), and lets every student edit at the same time: type a λ,
drag a point, each on the student's own data. Two scenarios:

- ``--scenario harsh`` (default): every student opens at once and pauses 0.5-2 s before
  each edit;
- ``--scenario class``: the students open their pages over 45 s (a class arriving) and
  pause 3-10 s before each edit (reading the result).

``--ramp S`` and ``--think LOW HIGH`` change either. The students' λ-path cards are below
the fold (as on a 1500 x 1000 page: the server builds the card and computes a path only
for a page that shows it); ``--path-shown`` puts every one on screen. It prints the edit
-> result latency (p50, p95, max: all edits, and those after every student had opened) and
open -> first result; the load average before, the highest during and after; the CPU seconds of the
server's processes, of its solver workers and of the simulated students (who run in
``--crowds`` processes of their own at ``--nice`` lower priority, so that they take what the
server leaves: their CPU is reported, not hidden); the server's memory and process count at
rest, at the peak, after every session closed and after the server stopped (which must
leave no process); then checks every state each session showed against that student's own
data and λ and against the solver's minima for them, and exits 1 on any mix-up, failed
session or leftover process.

    python -m benchmarks.bench_classroom                        # 30 students, harsh
    python -m benchmarks.bench_classroom --scenario class --num-procs 2
"""

from __future__ import annotations

import argparse
import multiprocessing
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

from benchmarks.classroom import Report, check_shown, crowd
from benchmarks.report import header_lines, markdown_table, seconds_text

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = {"harsh": {"ramp": 0.0, "think": (0.5, 2.0)},
             "class": {"ramp": 45.0, "think": (3.0, 10.0)}}


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
    """The server tree's peak memory, process count and load while the students work, and
    the CPU seconds of each of its processes (the last value seen: a solver pool replaced
    meanwhile keeps what its processes had used)."""

    def __init__(self, process: subprocess.Popen) -> None:
        super().__init__(daemon=True)
        self.process, self.stop, self.peak_mb, self.peak_count = process, False, 0.0, 0
        self.peak_load = 0.0
        self.cpu: dict[int, tuple[bool, float]] = {}  # pid -> (a server process, CPU s)

    def run(self) -> None:
        while not self.stop:
            processes = tree(self.process)
            self.peak_mb = max(self.peak_mb, memory_mb(processes))
            self.peak_count = max(self.peak_count, len(processes))
            self.peak_load = max(self.peak_load, os.getloadavg()[0])
            for p in processes:
                try:
                    times = p.cpu_times()
                    server = p.pid == self.process.pid or "panel" in " ".join(p.cmdline())
                except psutil.Error:
                    continue
                self.cpu[p.pid] = (server, times.user + times.system)
            time.sleep(0.25)

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds of the server processes and of the others (workers, managers)."""
        server = sum(s for is_server, s in self.cpu.values() if is_server)
        return server, sum(s for is_server, s in self.cpu.values() if not is_server)


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


def plan(students: int, ramp: float, crowds: int) -> list[list[tuple[int, float]]]:
    """Who opens when, in which crowd: evenly over ``ramp`` s (0.05 s apart when 0).

    >>> plan(4, 3.0, 2)
    [[(0, 0.0), (2, 2.0)], [(1, 1.0), (3, 3.0)]]
    """
    step = ramp / (students - 1) if ramp and students > 1 else 0.05
    return [[(k, k * step) for k in range(c, students, crowds)] for c in range(crowds)]


def run(students: int, edits: int, num_procs: int, log: Path, think: tuple[float, float],
        ramp: float = 0.0, crowds: int = 2, nice: int = 10, path_shown: bool = False) -> dict:
    """One load test; returns the figures (see the module docstring)."""
    figures: dict = {"load_before": os.getloadavg()}
    process = start_server(free_port(), num_procs, log)
    url = f"http://127.0.0.1:{process.args[process.args.index('--port') + 1]}/explorer"
    try:
        time.sleep(3)  # let the worker pool finish warming up
        rest = tree(process)
        figures["rest"] = (memory_mb(rest), len(rest))
        sampler = Sampler(process)
        sampler.start()
        time.sleep(0.5)
        cpu_rest = sampler.cpu_seconds()
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        workers = [ctx.Process(target=crowd, args=(url, group, edits, think, nice, out,
                                                   path_shown))
                   for group in plan(students, ramp, crowds) if group]
        begin = time.perf_counter()
        for worker in workers:
            worker.start()
        reports: list[Report] = []
        figures["crowd_cpu"] = 0.0
        for _ in workers:
            done, cpu = out.get()
            reports += done
            figures["crowd_cpu"] += cpu
        for worker in workers:
            worker.join()
        figures["wall"] = time.perf_counter() - begin
        sampler.stop = True
        sampler.join()
        cpu_end = sampler.cpu_seconds()
        figures["server_cpu"] = (cpu_end[0] - cpu_rest[0], cpu_end[1] - cpu_rest[1])
        figures["peak"] = (sampler.peak_mb, sampler.peak_count)
        figures["load_peak"] = sampler.peak_load
        time.sleep(6)  # the server frees closed sessions after 2 s (checked every 1 s)
        closed = tree(process)
        figures["closed"] = (memory_mb(closed), len(closed))
        figures["students"] = sorted(reports, key=lambda r: r.index)
    finally:
        figures["left"] = stop_server(process)
    figures["load_after"] = os.getloadavg()
    return figures


def latency_rows(crowd_reports: list[Report]) -> list[list[str]]:
    """p50 / p95 / max of every edit, of the edits after every student had opened, and of
    opening."""
    edits = [r for s in crowd_reports for r in s.records if r.kind != "open"]
    opened = [r.at for s in crowd_reports for r in s.records if r.kind == "open"]
    all_open = max(opened) if len(opened) == len(crowd_reports) else float("inf")
    rows = []
    for name, values in (
            ("edit -> result", [r.seconds for r in edits]),
            ("  after every student had opened", [r.seconds for r in edits
                                                  if r.at - r.seconds >= all_open]),
            ("open -> first result", [s.open_seconds for s in crowd_reports
                                      if s.open_seconds is not None])):
        if values:
            rows.append([name, str(len(values)), seconds_text(statistics.median(values)),
                         seconds_text(percentile(values, 0.95)), seconds_text(max(values))])
    return rows


def report(figures: dict, num_procs: int) -> str:
    crowd_reports = figures["students"]
    errors = [f"student {s.index}: {e}" for s in crowd_reports for e in s.errors]
    wrong = check_shown(crowd_reports)
    low, high = figures["think"]
    loads = (f"load average (1 min) {figures['load_before'][0]:.1f} before, "
             f"{figures['load_peak']:.1f} at most during, {figures['load_after'][0]:.1f} after")
    lines = [*header_lines(), "",
             f"{len(crowd_reports)} students, `--num-procs {num_procs}`, opening over "
             f"{figures['ramp']:g} s, a pause of {low:g}-{high:g} s before each edit, "
             f"{figures['wall']:.0f} s from the first opening to the last result; "
             f"λ-path cards {'on screen' if figures['path_shown'] else 'below the fold'}; "
             f"{loads}", "",
             markdown_table(["latency", "count", "p50 s", "p95 s", "max s"],
                            latency_rows(crowd_reports)), ""]
    server, workers = figures["server_cpu"]
    lines.append(markdown_table(["CPU seconds while the students worked", "s"], [
        ["server processes (sessions: building, editing, sending)", f"{server:.1f}"],
        ["solver, λ-path and training workers, managers", f"{workers:.1f}"],
        [f"simulated students ({figures['crowds']} processes at nice "
         f"+{figures['nice']})", f"{figures['crowd_cpu']:.1f}"],
        ["wall time", f"{figures['wall']:.1f}"]]))
    lines.append("")
    memory = [[stage, f"{figures[key][0]:.0f}", str(figures[key][1])] for stage, key in (
        ("at rest (pool warm)", "rest"), ("peak while editing", "peak"),
        ("after every session closed", "closed"))]
    memory.append(["after the server stopped", "—", str(len(figures["left"]))])
    lines.append(markdown_table(["server", "memory MB (all processes)", "processes"], memory))
    lines.append("")
    lines.append(f"sessions that failed: {len(errors)}; records showing another session's data "
                 f"or a wrong result: {len(wrong)} of "
                 f"{sum(len(s.records) for s in crowd_reports)}")
    lines.extend(errors[:10] + wrong[:10])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--edits", type=int, default=8, help="edits per student")
    parser.add_argument("--num-procs", type=int, default=1)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="harsh")
    parser.add_argument("--think", type=float, nargs=2, default=None, metavar=("LOW", "HIGH"),
                        help="seconds a student pauses before an edit (default: the scenario's)")
    parser.add_argument("--ramp", type=float, default=None,
                        help="seconds over which the students open (default: the scenario's)")
    parser.add_argument("--crowds", type=int, default=2,
                        help="processes the simulated students run in")
    parser.add_argument("--nice", type=int, default=10,
                        help="how much lower the students' CPU priority is than the server's")
    parser.add_argument("--path-shown", action="store_true",
                        help="every student's λ-path card is on screen (a tall page, or "
                        "scrolled there): the server computes each student's λ path")
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench_classroom_server.log"))
    args = parser.parse_args(argv)
    scenario = SCENARIOS[args.scenario]
    think = tuple(args.think) if args.think else scenario["think"]
    ramp = scenario["ramp"] if args.ramp is None else args.ramp
    figures = run(args.students, args.edits, args.num_procs, args.log, think, ramp,
                  args.crowds, args.nice, args.path_shown)
    figures.update(think=think, ramp=ramp, crowds=args.crowds, nice=args.nice,
                   path_shown=args.path_shown)
    print(report(figures, args.num_procs))
    crowd_reports = figures["students"]
    bad = figures["left"] or any(s.errors for s in crowd_reports) or check_shown(crowd_reports)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

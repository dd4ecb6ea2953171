"""Scale-out: the same minima whichever way the solve runs (in-process, chunked, on Dask).

One ``LocalCluster`` (2 worker processes) serves the whole module. The JSON of every
solve (``Solution.to_json()`` without ``stats.seconds``) must equal the in-process one on
every CSV in ``assets/`` for 1, 2 and 3 units, and on seeded random d = 2 data. The
encode/seed/decode path of the chunks is also checked without Dask, with a fresh
enumerator per chunk (as if every chunk ran on a new worker).
"""

from __future__ import annotations

import builtins
import json
import math
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import solver.pipeline.run as run_loop
from solver import SolveCancelled, SolverInputError, estimate_seconds, solve
from solver.cli import main
from solver.data import read_csv
from solver.pipeline.merge import canonical
from solver.problem import Problem
from solver.scaleout.chunks import PackedReply, Seed, SeededEnumerator, run_seeded_chunk
from solver.scaleout.cluster import local_cluster_options
from solver.scaleout.ledger import accounting, simulate
from solver.scaleout.pieces import Pieces
from solver.scaleout.wire import pack, unpack
from tests.solves import ASSET_LAM, asset_solution
from tests.strategies import in_general_position

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
ASSETS = sorted((ROOT / "assets").glob("*.csv"))
LAM = "1/100"
assert Fraction(LAM) == ASSET_LAM
MAX_ESTIMATE = 3.0  # seconds in-process; larger asset/units pairs (2-D, 3 units) are skipped


def comparable(sol: Any) -> str:
    """The solution's JSON without its wall time."""
    doc = sol.to_json()
    del doc["stats"]["seconds"]
    return json.dumps(doc, sort_keys=True)


def seeded_d2(n: int, seed: int) -> tuple[tuple, tuple]:
    """``n`` random points of the plane in general position, two decimals, exact."""
    rng = random.Random(seed)
    while True:
        x = tuple(tuple(Fraction(rng.randint(-100, 100), 100) for _ in range(2)) for _ in range(n))
        if in_general_position(x):
            break
    return x, tuple(Fraction(rng.randint(-150, 150), 100) for _ in range(n))


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A client of a 2-process local cluster, shut down after the module."""
    options = local_cluster_options(2)
    with distributed.LocalCluster(**options) as cluster, distributed.Client(cluster) as c:
        yield c


def _asset_cases() -> list:
    cases = []
    for path in ASSETS:
        data = read_csv(path)
        for units in (1, 2, 3):
            slow = estimate_seconds(data.n, data.d, units) > MAX_ESTIMATE
            marks = [pytest.mark.skip(reason="estimated above 3 s in-process")] if slow else []
            cases.append(pytest.param(path, units, marks=marks, id=f"{path.stem}-L{units}"))
    return cases


@pytest.mark.parametrize(("path", "units"), _asset_cases())
def test_cluster_matches_in_process_on_assets(client: Any, path: Path, units: int) -> None:
    data = read_csv(path)
    here = asset_solution(path, units)  # in process (shared with tests/verify)
    there = solve(data.x, data.y, LAM, units, client=client)
    assert comparable(there) == comparable(here)


def test_cluster_completeness_record_matches_in_process(client: Any) -> None:
    """The opt-in completeness record (every face set's verdict) is canonical too: the
    chunks return their sets' records and the merged key is the in-process one."""
    data = read_csv(ROOT / "assets" / "paper_example.csv")
    here = solve(data.x, data.y, LAM, 3, completeness=True)
    there = solve(data.x, data.y, LAM, 3, client=client, completeness=True)
    assert comparable(there) == comparable(here)
    sets = here.to_json()["completeness"]["sets"]
    work = run_loop.make_work(Problem(data.x, data.y, Fraction(1, 100), 3))
    assert len(sets) == sum(run_loop.level_size(work, k) for k in range(4))
    assert "completeness" not in solve(data.x, data.y, LAM, 3, client=client).to_json()


@pytest.mark.slow
def test_cluster_matches_in_process_on_random_plane_data(client: Any) -> None:
    x, y = seeded_d2(5, seed=2)
    here = solve(x, y, "1/20", 2)
    seen: list[tuple[int, int]] = []
    there = solve(x, y, "1/20", 2, client=client, progress=lambda d, t: seen.append((d, t)))
    assert comparable(there) == comparable(here)
    assert here.minima and any(m.kind == "isolated" for m in here.minima)
    total = seen[0][1]
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def _chunked(x, y, lam: Fraction, units: int, chunks: int) -> tuple:
    """The pipeline with a fresh seeded enumerator per chunk, replies packed as the
    workers send them and seeds forwarded as those bytes, one :class:`Seed` per level as
    the cluster sends them (the level below's new solutions)."""
    work = run_loop.make_work(Problem(tuple(x), tuple(y), lam, units), token="test")
    seeds: list[Seed] = []
    results = []
    for level in run_loop.levels(work):
        size = run_loop.level_size(work, level)
        bounds = sorted({size * i // chunks for i in range(chunks + 1)})
        solved = []
        for start, stop in zip(bounds, bounds[1:]):
            enumerator = SeededEnumerator(work)
            enumerator.take_seeds(tuple(seeds))
            export = level < run_loop.levels(work)[-1]
            reply = PackedReply.of(run_seeded_chunk(work, enumerator, level, start, stop,
                                                    export=export), 0.0)
            results.append(unpack(reply.result))
            solved += [reply.solved] if export else []
            assert bool(reply.solved) == (export and bool(unpack(reply.solved)))
        seeds.append(Seed(packed=tuple(solved)))
    entries, candidates, systems = run_loop.merge_results(results)
    return canonical(entries), candidates, systems


@pytest.mark.parametrize("case", ["paper-L3", "plane-L2"])
def test_fresh_enumerator_per_chunk_gives_the_same_minima(case: str) -> None:
    if case == "paper-L3":
        data = read_csv(ROOT / "assets" / "paper_example.csv")
        x, y, lam, units = data.x, data.y, Fraction(1, 100), 3
    else:
        x, y = seeded_d2(4, seed=3)
        lam, units = Fraction(1, 20), 2
    here = solve(x, y, lam, units)
    minima, candidates, systems = _chunked(x, y, lam, units, chunks=5)
    assert minima == here.minima
    assert (candidates, systems) == (here.stats.candidates, here.stats.systems)


def test_seed_survives_pickling() -> None:
    import pickle

    data = read_csv(ROOT / "assets" / "paper_example.csv")
    work = run_loop.make_work(Problem(data.x, data.y, Fraction(1, 100), 2), token="pickle")
    enumerator = SeededEnumerator(work)
    reply = run_seeded_chunk(work, enumerator, 1, 0, 1, export=True)
    assert any(coords is not None for coords, _, _ in reply.solved.values())
    again = pickle.loads(pickle.dumps(reply))
    assert again.solved == reply.solved
    assert pickle.loads(pickle.dumps(work)) == work


def test_packed_replies_and_seeds_round_trip() -> None:
    """What the workers send (:mod:`solver.scaleout.wire`) reads back equal to what they
    computed: every minimum of a chunk (isolated and curves, with their exact forms and
    certificates) and every interior solution of its sets; equal strings and exact roots
    of a point's labelings come back as one object each (sent once)."""
    data = read_csv(ROOT / "assets" / "paper_example.csv")
    work = run_loop.make_work(Problem(data.x, data.y, Fraction(1, 100), 3), token="wire")
    enumerator = SeededEnumerator(work)
    kinds: set[str] = set()
    repeated = False
    for level in run_loop.levels(work):
        reply = run_seeded_chunk(work, enumerator, level, 0, run_loop.level_size(work, level),
                                 export=True)
        result = unpack(pack(reply.result))
        assert result == reply.result
        assert unpack(pack(reply.solved)) == reply.solved
        kinds |= {found.numbered(0).kind for found in result.entries}
        texts = [text for found in result.entries for key in ("equations", "inequalities")
                 for text in found.fields.get(key, ())]
        objects: dict[str, set[int]] = {}
        for text in texts:
            objects.setdefault(text, set()).add(id(text))
        assert all(len(ids) == 1 for ids in objects.values())
        repeated |= len(objects) < len(texts)
    assert kinds == {"isolated", "curve"} and repeated


def test_seeded_sets_bring_their_kkt_excess_tables() -> None:
    """A set solved by one worker reaches the others with the signs of its KKT excess
    against every face (so they do not prove them again); wherever the receiver's own
    enclosure from the set's coarse box decides a sign (an independent computation), the
    two agree, and the sent table decides at least as many."""
    x, y = seeded_d2(5, seed=4)
    work = run_loop.make_work(Problem(x, y, Fraction(1, 20), 2), token="tables")
    sender = SeededEnumerator(work)
    solved: dict = {}
    for level in (0, 1):
        solved.update(run_seeded_chunk(work, sender, level, 0, run_loop.level_size(work, level),
                                       export=True).solved)
    sent = {key: enc for key, enc in solved.items() if enc[2] is not None}
    assert sent
    receiver = SeededEnumerator(work, Seed(solved))
    for key in sent:
        signs = tuple(work.alive[i].signs for i in key)
        receiver.entry(tuple(work.alive[i] for i in key))
        table = receiver._excesses[signs]  # noqa: SLF001 - what the seed brought
        own = receiver._floats.seeded(receiver.entry(tuple(work.alive[i] for i in key))[0])  # noqa: SLF001
        assert table.shape == (len(work.alive),)
        if own is not None:
            decided = own != 0
            assert (table[decided] == own[decided]).all()
            assert (table != 0).sum() >= decided.sum()


def test_cluster_solve_is_accounted_chunk_by_chunk(client: Any) -> None:
    """Inside ``accounting()``, a cluster solve records every chunk (each face set once:
    the sets counted by the chunks are all ``sum_k C(alive, k)`` of them), on the
    cluster's own worker processes, with the bytes sent; the critical path is at least
    the busiest worker's share and at most all the chunks' CPU time plus the serial part."""
    data = read_csv(ROOT / "assets" / "paper_example.csv")
    with accounting() as ledger:
        solve(data.x, data.y, LAM, 2, client=client)
    cost = ledger.result
    assert cost is not None
    work = run_loop.make_work(Problem(data.x, data.y, Fraction(1, 100), 2))
    alive = len(work.alive)
    assert sum(c.sets for c in cost.chunks) == 1 + alive + alive * (alive - 1) // 2
    pids = set(client.run(os.getpid).values())
    assert {c.pid for c in cost.chunks} <= pids and {pid for pid, _ in cost.worker_cpu} == pids
    assert cost.work_bytes > 0 and all(c.reply_bytes > 0 for c in cost.chunks)
    chunk_cpu = sum(c.cpu for c in cost.chunks)
    assert chunk_cpu / len(pids) <= cost.critical_path() + 1e-9  # max >= mean, per level
    assert cost.critical_path() <= chunk_cpu + cost.serial_cpu + 1e-9
    with accounting() as ledger:
        solve(data.x, data.y, LAM, 2)
    assert ledger.result is None  # in-process: nothing to account


def test_simulated_cluster_covers_every_set_once() -> None:
    """The simulation runs every face set once, as the cluster does, split between the
    simulated workers by CPU time."""
    data = read_csv(ROOT / "assets" / "paper_example.csv")
    work = run_loop.make_work(Problem(data.x, data.y, Fraction(1, 100), 3))
    cost, in_process = simulate(work, 2)
    alive = len(work.alive)
    assert sum(c.sets for c in cost.chunks) == sum(math.comb(alive, k) for k in range(4))
    assert {c.pid for c in cost.chunks} <= {0, 1} and in_process > 0
    assert cost.seed_bytes[0] > 0 and len(cost.seed_bytes) == 4


@pytest.mark.slow
def test_cancelling_through_progress_stops_the_cluster_solve(client: Any) -> None:
    x, y = seeded_d2(5, seed=1)

    def cancel(done: int, total: int) -> None:
        if done > 0:
            raise SolveCancelled("enough")

    with pytest.raises(SolveCancelled):
        solve(x, y, "1/20", 2, client=client, progress=cancel)
    left = client.run_on_scheduler(
        lambda dask_scheduler: [k for k in dask_scheduler.tasks if "relu-minima" in str(k)]
    )
    assert left == [] or all(isinstance(k, str) for k in left)
    # the cluster is still usable afterwards
    small = read_csv(ROOT / "assets" / "step.csv")
    assert comparable(solve(small.x, small.y, LAM, 2, client=client)) == comparable(
        solve(small.x, small.y, LAM, 2)
    )


def test_cancelling_in_process() -> None:
    data = read_csv(ROOT / "assets" / "paper_example.csv")
    calls = []

    def cancel(done: int, total: int) -> None:
        calls.append(done)
        if done == 3:
            raise SolveCancelled("stop")

    with pytest.raises(SolveCancelled):
        solve(data.x, data.y, LAM, 2, progress=cancel)
    assert calls == [1, 2, 3]


def test_parallel_options_are_checked() -> None:
    x, y = ["0", "1"], ["1", "0"]
    with pytest.raises(SolverInputError, match="at most one"):
        solve(x, y, "1/10", 1, workers=2, scheduler="tcp://127.0.0.1:1")
    for bad in (0, -1, 1.5, True):
        with pytest.raises(SolverInputError, match="workers"):
            solve(x, y, "1/10", 1, workers=bad)
    with pytest.raises(SolverInputError, match="scheduler"):
        solve(x, y, "1/10", 1, scheduler="  ")


def test_in_process_solve_never_imports_dask() -> None:
    code = (
        "import sys; from solver import solve; "
        "solve(['0', '1', '2'], ['1', '0', '1'], '1/10', 2); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def _without_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import distributed`` (and dask) fail as if the extra were not installed."""
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_workers_without_dask_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _without_dask(monkeypatch)
    csv = str(ROOT / "assets" / "step.csv")
    for option in (["--workers", "2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        assert main(["solve", csv, "--lam", LAM, "--units", "1", *option]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        lines = captured.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
        assert "dask" in lines[0] and "pip install" in lines[0]
    with pytest.raises(SolverInputError, match="dask"):
        solve(["0", "1"], ["1", "0"], "1/10", 1, workers=2)


def test_workers_and_scheduler_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    csv = str(ROOT / "assets" / "step.csv")
    args = ["solve", csv, "--lam", LAM, "--units", "1", "--workers", "2", "--scheduler", "x:1"]
    assert main(args) == 2
    assert "give one" in capsys.readouterr().err


def test_unreachable_scheduler_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    import solver.scaleout.cluster

    csv = str(ROOT / "assets" / "step.csv")
    old = solver.scaleout.cluster.CONNECT_TIMEOUT
    solver.scaleout.cluster.CONNECT_TIMEOUT = 1
    try:
        code = main(["solve", csv, "--lam", LAM, "--units", "1", "--scheduler", "tcp://127.0.0.1:9"])
    finally:
        solver.scaleout.cluster.CONNECT_TIMEOUT = old
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot connect to the dask scheduler at tcp://127.0.0.1:9")
    assert len(err.splitlines()) == 1


@pytest.mark.slow
def test_cli_workers_end_to_end(tmp_path: Path) -> None:
    csv = str(ROOT / "assets" / "paper_example.csv")
    outputs = {}
    for name, extra in (("here", []), ("there", ["--workers", "2", "--force"])):
        out = tmp_path / f"{name}.json"
        run = subprocess.run(
            [sys.executable, "-m", "solver", "solve", csv, "--lam", LAM, "--units", "2",
             "--json", str(out), *extra],
            capture_output=True, text=True, cwd=ROOT, timeout=180, stdin=subprocess.DEVNULL,
        )
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr and "distributed" not in run.stderr
        assert run.stderr.splitlines()[-1] == "wrote 9 minima to " + str(out)
        doc = json.loads(out.read_text())
        del doc["stats"]["seconds"]
        outputs[name] = doc
    assert outputs["there"] == outputs["here"]


@pytest.mark.parametrize(("sets", "workers"), [(1, 2), (24, 2), (100, 2), (1330, 2), (22155, 2),
                                               (60726, 2), (5985, 3), (777, 1)])
def test_pieces_cover_every_set_once_largest_first(sets: int, workers: int) -> None:
    """A level's chunks are consecutive runs that partition its sets (each index in
    exactly one ``start, stop`` chunk, counted directly), larger chunks before smaller
    ones apart from the last (which shares a small rest), a level of at least ``2
    workers`` chunks' worth is not handed out in one piece, one worker takes it whole, and
    a chunk of more than 2,048 sets is whole in-process batches of 2,048 from a batch
    boundary."""
    pieces = list(Pieces(sets, workers))
    owned = [i for start, stop in pieces for i in range(start, stop)]
    assert owned == list(range(sets))
    sizes = [stop - start for start, stop in pieces]
    assert sizes[0] == max(sizes)
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)
    if workers == 1:
        assert pieces == [(0, sets)]
    elif sets >= 50 * workers:
        assert len(pieces) >= 2 * workers
    for start, stop in pieces:
        if stop - start > 2048:
            assert start % 2048 == 0 and (stop - start) % 2048 == 0


def test_small_problem_with_workers_runs_in_process_with_a_note(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--workers 2`` on the paper example (estimated well under a second) starts no
    cluster: one note on stderr, the in-process result."""
    import solver.scaleout.cluster as cluster

    def no_cluster(*args: object, **kwargs: object) -> None:
        raise AssertionError("a local cluster was started for a small problem")

    monkeypatch.setattr(cluster, "open_client", no_cluster)
    csv = str(ROOT / "assets" / "paper_example.csv")
    assert main(["solve", csv, "--lam", LAM, "--units", "2", "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "solving in-process instead of on 2 local workers" in notes[0]
    data = read_csv(ROOT / "assets" / "paper_example.csv")
    def untimed(table: str) -> list[str]:  # the line with the solve's seconds apart
        return [line for line in table.splitlines() if "candidates" not in line]

    assert untimed(out) == untimed(solve(data.x, data.y, LAM, 2).to_table())
    assert "9 minima (3 curves, 6 isolated)" in out
    with pytest.warns(cluster.InProcessFallback, match="in-process"):
        there = solve(data.x, data.y, LAM, 2, workers=2)
    assert comparable(there) == comparable(solve(data.x, data.y, LAM, 2))

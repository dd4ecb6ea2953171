"""Scale-out: the run loop's chunks on a Dask cluster, with the same result as in-process.

- :mod:`solver.scaleout.chunks` — the wire format (the problem, the seed of lower levels'
  interior solutions as exact picklable data) and a worker's side of a chunk;
- :mod:`solver.scaleout.cluster` — the client's side: start or connect to a cluster,
  submit the chunks level by level, collect them with progress;
- :mod:`solver.scaleout.pieces` — how a level is cut into chunks;
- :mod:`solver.scaleout.ledger` — the CPU-time decomposition of a cluster solve and the
  speed-up it predicts (benchmarks).

Nothing here is imported by an in-process solve; Dask is the optional extra
``relu-minima[dask]``.
"""

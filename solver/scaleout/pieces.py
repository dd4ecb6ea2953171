"""A level's face sets in chunks for the workers: consecutive sets, large chunks first.

A chunk is a run of consecutive sets of a level (combinations of alive faces in order,
so neighbours share faces): the batched hot path groups a batch's sets by their block
sizes and iterates each group until its slowest set converges, so alike sets batched
together cost fewer iterations. d = 2, L = 2, n = 10 for 2 workers: 2,227 batched Newton
steps, against 2,173 in-process and 3,387 with the former chunks of every 2nd, 4th, ...
set (+56 %, about +10 % of the solve's CPU time).

Examples
--------
>>> pieces = Pieces(22155, 2)
>>> sizes = []
>>> while (piece := pieces.next()) is not None:
...     sizes.append(piece[1] - piece[0])
>>> sum(sizes), sizes[:4], len(sizes)
(22155, [4096, 4096, 2048, 2048], 13)
>>> list(Pieces(100, 2)), list(Pieces(777, 1))
([(0, 25), (25, 50), (50, 75), (75, 100)], [(0, 777)])
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from solver.pipeline.run import BATCH

# The fewest face sets worth a task of their own, and the finest split of a level per
# worker (a chunk is located in batches of the hot path, whose fixed cost per batch
# makes many small chunks of cheap sets slower than a few large ones).
MIN_CHUNK = 25
CHUNKS_PER_WORKER = 16


class Pieces:
    """A level's chunks ``(start, stop)`` in decreasing size (guided self-scheduling).

    Each chunk holds ``1 / (2 workers)`` of the sets not handed out yet, rounded down to
    whole batches of :data:`~solver.pipeline.run.BATCH` sets (the in-process batches),
    but no fewer than ``max(MIN_CHUNK, sets / (CHUNKS_PER_WORKER workers))`` (the last
    two chunks share a smaller rest): the first chunks are large (few batches of the hot
    path, cheap per set), the last small (a few expensive sets, e.g. exact eliminations,
    no longer leave one worker busy while the other waits). One worker has nothing to
    balance: it takes each level whole. Every set is in exactly one chunk.
    """

    def __init__(self, sets: int, workers: int) -> None:
        self.sets = sets
        self.workers = max(1, workers)
        self.start = 0
        self.smallest = sets if self.workers == 1 else max(
            MIN_CHUNK, math.ceil(sets / (CHUNKS_PER_WORKER * self.workers)))

    def next(self) -> tuple[int, int] | None:
        """The next chunk, or None when the level is handed out."""
        left = self.sets - self.start
        if left <= 0:
            return None
        size = max(self.smallest, math.ceil(left / (2 * self.workers)))
        if size >= BATCH:  # whole batches of the hot path, as in-process
            size -= size % BATCH
        if left <= self.smallest:
            size = left
        elif left - size < self.smallest:  # no small rest: the last two share it
            size = math.ceil(left / 2)
        start, self.start = self.start, self.start + size
        return start, self.start

    def __iter__(self) -> Iterator[tuple[int, int]]:
        while (piece := self.next()) is not None:
            yield piece


__all__ = ["CHUNKS_PER_WORKER", "MIN_CHUNK", "Pieces"]

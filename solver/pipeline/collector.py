"""Python's cyclic garbage collector paused while face sets are solved (in process and in
every scale-out chunk): a solve makes few reference cycles but many live objects that every
collection walks again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the face sets are solved, and
    enabled again after if it was (whatever the solve raises). A solve makes few
    reference cycles (about 21,000 objects in a d = 2, n = 8 solve; its peak memory was
    unchanged) but many live objects that every collection walks again: 3-11 % of the
    CPU time of a solve (six points in the plane 0.48 -> 0.43 s, d = 1, L = 3, n = 10
    0.78 -> 0.72). Concurrent solves leave it enabled once the first one that paused
    it ends.

    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()

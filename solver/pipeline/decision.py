"""How the enumerator settled one face set (:class:`Decision`), for the completeness record.

Examples
--------
>>> Decision("pruned", by=((1, -1),)).how
'pruned'
"""

from __future__ import annotations

from dataclasses import dataclass

Signs = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """How the enumerator settled one face set, for the completeness record.

    ``how`` is ``"decoupled"`` (with its ``parts``), ``"pruned"`` (``by`` a subset, with
    ``tied`` faces and ``twins``, or the face ``near`` outside at every residual near
    ``by``'s), ``"solution"`` (one interior solution), ``"none"`` (exact
    elimination found none) or ``"segment"`` (``by`` the set without ``b``, ``segment`` the
    faces ``(b, a, c)``: ``P_a = P_b`` and ``c``'s direction outside its face, or None when
    ``by`` has no interior solution; :mod:`solver.pipeline.segments`); faces are given by
    their sign vectors.
    """

    how: str
    parts: tuple[tuple[Signs, ...], ...] = ()
    by: tuple[Signs, ...] = ()
    tied: tuple[Signs, ...] = ()
    twins: tuple[tuple[Signs, Signs], ...] = ()
    zeros: tuple = ()  # (point i, the part's sign vectors, its exact roots): r_i = 0
    segment: tuple = ()  # (b, a, c or None), see above
    near: Signs | None = None  # pruned: the face outside near by's residual (locate.near)
    exact: tuple = ()  # pruned near: by's exact roots, when r_S = r_A is proved exactly


__all__ = ["Decision", "Signs"]

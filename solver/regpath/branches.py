"""From face-set pieces to the network's branches and events.

A face set that is a minimum on a λ-interval gives one *network piece* per way of
putting the units on its neurons (a surjection units -> neurons, as
:func:`solver.pipeline.merge.network_minima` lists the images of an orbit; dead units for the
empty set). Pieces whose λ-intervals meet at one exact λ are joined into one branch when
they are the same minimum continuing (docs/path.md):

* a **face change**: the sets differ in one neuron's face, one face a facet of the other
  (a point reaches the neuron's hyperplane, or leaves it), the same units on it;
* with one unit, a **neuron death** into the all-dead point (or the reverse).

Every λ where a piece starts or ends, or a split set gains or loses its endpoints, is an
:class:`EventGroup`, with what happens to each branch there (λ increasing).

Examples
--------
>>> facet_related((1, 0, -1), (1, 1, -1)), facet_related((1, 0, -1), (1, -1, 1))
(True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from solver.errors import DegenerateProblemError
from solver.pipeline.merge import surjections
from solver.regpath.pieces import Cut, SetPiece, root_index

Units = tuple[tuple[int, ...] | None, ...]  # per unit: its face's signs, None if dead


def facet_related(f: tuple[int, ...], g: tuple[int, ...]) -> bool:
    """Whether one face is a facet of the other: the signs differ at exactly one point,
    zero on one of them."""
    diff = [i for i, (a, b) in enumerate(zip(f, g)) if a != b]
    return len(diff) == 1 and 0 in (f[diff[0]], g[diff[0]])


@dataclass(eq=False)
class NetPiece:
    """One image of a face set's piece: ``labels[l]`` is unit ``l``'s neuron (None: dead),
    ``units[l]`` its face's signs."""

    piece: SetPiece
    labels: tuple[int | None, ...]
    units: Units
    kind: str
    before: NetPiece | None = None
    after: NetPiece | None = None


def net_pieces(piece: SetPiece, faces: Sequence, units: int) -> list[NetPiece]:
    """The images of one set piece (``faces`` are its set's faces)."""
    k = len(faces)
    if k == 0:
        return [NetPiece(piece, (None,) * units, (None,) * units, "isolated")]
    kind = "isolated" if k == units else "curve"
    out = []
    for labels in surjections(units, k):
        out.append(NetPiece(piece, labels, tuple(faces[a].signs for a in labels), kind))
    return out


def continues(u: Units, v: Units) -> str | None:
    """How a minimum on units ``u`` continues on units ``v`` at a common λ: ``"face
    change"`` (every neuron that changes face moves to a facet or a coface of its face,
    its units together; with symmetric data several may change at once), ``"neuron
    death"`` (one unit, to or from the all-dead point) or None."""
    if len(u) == 1 and (u[0] is None) != (v[0] is None):
        return "neuron death"
    if any((a is None) != (b is None) for a, b in zip(u, v)):
        return None
    moves: dict[tuple[int, ...], tuple[int, ...]] = {}
    for a, b in zip(u, v):
        if a is not None and moves.setdefault(a, b) != b:
            return None  # a neuron's units must move together
    if len(set(moves.values())) != len(moves):
        return None  # two neurons cannot merge
    changed = [(f, g) for f, g in moves.items() if f != g]
    if changed and all(facet_related(f, g) for f, g in changed):
        return "face change"
    return None


@dataclass(eq=False)
class EventGroup:
    """Everything that happens at one exact λ: ``ends`` (pieces ending there: their
    branch dies unless joined), ``starts``, ``joins`` (pairs of pieces, before and after,
    and how) and ``flips`` (curve pieces gaining or losing their endpoints)."""

    cut: Cut
    ends: list[NetPiece] = field(default_factory=list)
    starts: list[NetPiece] = field(default_factory=list)
    joins: list[tuple[NetPiece, NetPiece, str]] = field(default_factory=list)
    flips: list[tuple[NetPiece, Cut, bool]] = field(default_factory=list)


def link(pieces: Sequence[NetPiece]) -> list[EventGroup]:
    """Join continuing pieces (setting ``before``/``after``) and group every piece end
    and endpoint flip by its exact λ, in increasing λ."""
    groups: dict[tuple, EventGroup] = {}

    def group(cut: Cut) -> EventGroup:
        ident = root_index(cut.lam)
        if ident not in groups:
            groups[ident] = EventGroup(cut)
        return groups[ident]

    for p in pieces:
        if p.piece.hi is not None:
            group(p.piece.hi).ends.append(p)
        if p.piece.lo is not None:
            group(p.piece.lo).starts.append(p)
        if p.kind == "curve":
            for cut, ends in zip(p.piece.flips, p.piece.ends[1:]):
                group(cut).flips.append((p, cut, ends))
    for g in groups.values():
        for p in g.ends:
            found = [(q, how) for q in g.starts
                     if (how := continues(p.units, q.units)) is not None and q.kind == p.kind]
            if len(found) > 1:
                raise DegenerateProblemError(
                    "degenerate data: a minimum could continue on several face sets at one λ")
            if found:
                q, how = found[0]
                if q.before is not None:
                    raise DegenerateProblemError(
                        "degenerate data: two minima continue on the same face set at one λ")
                p.after, q.before = q, p
                g.joins.append((p, q, how))
    ordered = sorted(groups.values(), key=lambda g: float(g.cut.ball().mid()))
    return ordered


def chains(pieces: Sequence[NetPiece]) -> list[list[NetPiece]]:
    """The branches: maximal chains of joined pieces, each in increasing λ."""
    out = []
    for p in pieces:
        if p.before is not None:
            continue
        chain = [p]
        while chain[-1].after is not None:
            chain.append(chain[-1].after)
        out.append(chain)
    return out

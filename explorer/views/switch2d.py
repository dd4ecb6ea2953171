"""Switch the dashboard's cards between the 1-D and the 2-D views on the data's ``d``.

Each card holds one view at a time: loading a 2-D example or upload puts the 2-D views
in (and their titles and help on the cards), loading a 1-D one puts the 1-D views back.
Only the views shown are on the page, so a hidden view costs the browser nothing; hidden
views draw nothing for data of the other dimension (they check ``d`` themselves).

Examples
--------
>>> slot = Slot(card=None, holder=None, one="1-D", two="2-D",
...             titles=("Data", "Data (x1, x2)"), helps=("one", "two"))
>>> slot.pick(2)
('2-D', 'Data (x1, x2)', 'two')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import panel as pn

from explorer.state import ExplorerState


@dataclass(frozen=True, slots=True)
class Slot:
    """One card and the view, title and help it shows for ``d = 1`` and for ``d = 2``.

    ``card.header`` is a row of the title (an HTML pane) and a help icon; ``holder`` is the
    layout in the card that holds the view (it starts with the 1-D view in it).
    """

    card: Any
    holder: Any
    one: Any
    two: Any
    titles: tuple[str, str]
    helps: tuple[str, str]

    def pick(self, d: int) -> tuple[Any, str, str]:
        """``(view, title, help)`` for data with ``d`` inputs."""
        k = 0 if d == 1 else 1
        return (self.one, self.two)[k], self.titles[k], self.helps[k]


class DimensionSwitch:
    """Keep every slot's card showing the views of the state's ``d``."""

    def __init__(self, state: ExplorerState, slots: list[Slot]) -> None:
        self.state, self.slots = state, slots
        # Each view is laid out once (a card starts with its 1-D view in it).
        self._laid = [(slot.holder.objects[0], pn.panel(slot.two)) for slot in slots]
        self.shown = 1
        state.param.watch(self.update, "data")
        self.update()

    def update(self, *events: Any) -> None:
        """Put the views of the current ``d`` in (nothing happens if they are already)."""
        d = self.state.d
        if d == self.shown:
            return
        self.shown = d
        for slot, laid in zip(self.slots, self._laid, strict=True):
            _, title, text = slot.pick(d)
            slot.holder.objects = [laid[0 if d == 1 else 1]]
            slot.card.header[0].object = f"<b>{title}</b>"
            slot.card.header[1].value = text

"""Switch the dashboard's cards between the 1-D and the 2-D views on the data's ``d``.

Each card holds one view at a time: loading a 2-D example or upload puts the 2-D views
in (and their titles and help on the cards), loading a 1-D one puts the 1-D views back.
Only the views shown are on the page, so a hidden view costs the browser nothing; hidden
views draw nothing for data of the other dimension (they check ``d`` themselves). The 2-D
views are built (by the slot's ``make_two``) only when 2-D data are first shown: a session
on 1-D data never pays for them.

Examples
--------
>>> slot = Slot(card=None, holder=None, one="1-D", make_two=lambda: "2-D",
...             titles=("Data", "Data (x1, x2)"), helps=("one", "two"))
>>> slot.pick(2)
('Data (x1, x2)', 'two')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import panel as pn

from explorer.state import ExplorerState


@dataclass(frozen=True, slots=True)
class Slot:
    """One card and the view, title and help it shows for ``d = 1`` and for ``d = 2``.

    ``card.header`` is a row of the title (an HTML pane) and a help icon; ``holder`` is the
    layout in the card that holds the view (it starts with the 1-D view ``one`` in it);
    ``make_two()`` builds the 2-D view.
    """

    card: Any
    holder: Any
    one: Any
    make_two: Callable[[], Any]
    titles: tuple[str, str]
    helps: tuple[str, str]

    def pick(self, d: int) -> tuple[str, str]:
        """``(title, help)`` for data with ``d`` inputs."""
        k = 0 if d == 1 else 1
        return self.titles[k], self.helps[k]


class DimensionSwitch:
    """Keep every slot's card showing the views of the state's ``d``."""

    def __init__(self, state: ExplorerState, slots: list[Slot]) -> None:
        self.state, self.slots = state, slots
        # Each view is laid out once (a card starts with its 1-D view in it); the 2-D views
        # when first needed.
        self._one = [slot.holder.objects[0] for slot in slots]
        self._two: list[Any] = [None] * len(slots)
        self._laid_two: list[Any] = [None] * len(slots)
        self.shown = 1
        state.param.watch(self.update, "data")
        self.update()

    def two(self, index: int) -> Any:
        """The 2-D view of slot ``index``, built now if it was not yet."""
        if self._two[index] is None:
            self._two[index] = self.slots[index].make_two()
            self._laid_two[index] = pn.panel(self._two[index])
        return self._two[index]

    def update(self, *events: Any) -> None:
        """Put the views of the current ``d`` in (nothing happens if they are already)."""
        d = self.state.d
        if d == self.shown:
            return
        self.shown = d
        for index, slot in enumerate(self.slots):
            title, text = slot.pick(d)
            if d == 1:
                laid = self._one[index]
            else:
                self.two(index)
                laid = self._laid_two[index]
            slot.holder.objects = [laid]
            slot.card.header[0].object = f"<b>{title}</b>"
            slot.card.header[1].value = text

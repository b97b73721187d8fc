"""One rule's warning about one item, before the lint turns it into a located problem.

A build reports how many warnings there are, and only `check` prints them: a sheet of many weak cards would
otherwise write each message to throw it away. So a finding holds what its message is made of, and writes the
message when it is read; and it holds the item (a note or a table row), whose Location is made only when asked
for: a count tells items apart by their place in the source (`place`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import Location
from ...model import Placed


def place(item: Placed) -> tuple:
    """What tells an item's place from another's, as its Location does, without making the Location: its node
    in its file's nodes (a Location for an item without one). The nodes by identity: they hash by their file
    in Python, and every item of a sheet shares its file's."""
    return item.where, id(item.marks)


class Finding:
    __slots__ = ("rule", "item", "quiet", "_say", "_about", "_made_of")

    def __init__(self, rule: str, item: Placed, say: Callable[[Any], str], about: Any,
                 quiet: tuple[str, ...] = (), made_of: Callable[[Any], Any] | None = None):
        self.rule, self.item, self.quiet = rule, item, quiet
        """`item`: the note or row found weak; `quiet`: the rules the item is exempt from (a finding of one of
        them is dropped)."""
        self._say, self._about = say, about
        self._made_of = made_of
        """What decides the message `say(about)`, when less than `about` does, worked out from `about` only when
        two findings of one item are compared (asked-twice: the earlier item's place, whichever of its cards was
        matched); None: `about` itself."""

    @property
    def loc(self) -> Location:
        return self.item.loc

    @property
    def place(self) -> tuple:
        return place(self.item)

    def says_as(self, other: Finding) -> bool:
        """Whether it is made of what `other` is made of, by the same words, and so says what `other` says
        without either message written (two cards of a row found asking what an earlier row asks)."""
        if self._say is not other._say:
            return False
        if self._made_of is None or other._made_of is None:
            return self._about is other._about
        return self._made_of(self._about) == other._made_of(other._about)

    @property
    def message(self) -> str:
        """What is weak and the fix."""
        return self._say(self._about)

    def __repr__(self) -> str:
        return f"Finding({self.rule!r}, {self.loc!r}, {self.message!r})"

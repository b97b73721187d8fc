"""One rule's warning about one item, before the lint turns it into a located problem.

A build reports how many warnings there are, and only `check` prints them: a sheet of many weak cards would
otherwise write each message to throw it away. So a finding holds what its message is made of, and writes the
message when it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import Location


class Finding:
    __slots__ = ("rule", "loc", "quiet", "_say", "_about")

    def __init__(self, rule: str, loc: Location, say: Callable[[Any], str], about: Any,
                 quiet: tuple[str, ...] = ()):
        self.rule, self.loc, self.quiet = rule, loc, quiet
        """`quiet`: the rules the item is exempt from; a finding of one of them is dropped."""
        self._say, self._about = say, about

    @property
    def message(self) -> str:
        """What is weak and the fix."""
        return self._say(self._about)

    def __repr__(self) -> str:
        return f"Finding({self.rule!r}, {self.loc!r}, {self.message!r})"

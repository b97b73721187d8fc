"""One rule's warning about one item, before the lint turns it into a located problem."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import Location


@dataclass(frozen=True)
class Finding:
    rule: str
    loc: Location
    message: str
    """What is weak and the fix."""
    quiet: tuple[str, ...] = ()
    """The rules the item is exempt from: a finding of one of them is dropped."""

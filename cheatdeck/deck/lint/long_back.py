"""long-back: a back longer than a phone shows without scrolling."""

from __future__ import annotations

from ..plan import Card, Note
from ..overlap import count

NAME = "long-back"
LONG_BACK = 60
"""About what a phone shows without scrolling."""


def check(note: Note, card: Card) -> str | None:
    if count(card.back) > LONG_BACK:
        return (f"the back has {count(card.back)} words, more than a phone screen shows (about {LONG_BACK}): "
                "shorten it or split the item")
    return None

"""bare-label: a front with no question, only a label ("Step caching"), or a trap or decision card that names its
section instead of asking about a situation."""

from __future__ import annotations

from ..plan import Card, Note
from ..overlap import count

NAME = "bare-label"
BARE_LABEL = 2
"""A front of this many words or fewer, with no question written, is a label rather than a question."""


def check(note: Note, card: Card) -> str | None:
    if card.asked:
        return None
    if count(card.front) <= BARE_LABEL:
        return (f"the front \u201c{card.front}\u201d is a bare label: add `q:` with a specific question that has "
                "one answer")
    if note.kind == "trap":
        return (f"this trap has no scenario, so its card asks \u201c{card.front}\u201d, which names the section: "
                "add `q:` with the situation the trap is about")
    if note.kind == "quickref":
        return (f"the decision card for \u201c{card.front}\u201d asks for a column, not about a situation: add `q:` "
                "with a specific question that has one answer")
    return None

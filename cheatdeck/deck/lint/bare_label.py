"""bare-label: a front with no question, only a label ("Step caching"), or a trap or decision card that names its
section instead of asking about a situation."""

from __future__ import annotations

from ..overlap import count
from .text import CardText

NAME = "bare-label"
BARE_LABEL = 2
"""A front of this many words or fewer, with no question written, is a label rather than a question."""


def check(text: CardText) -> bool:
    card = text.card
    return not card.asked and (text.note.kind in ("trap", "quickref") or count(card.front) <= BARE_LABEL)


def say(text: CardText) -> str:
    front = text.card.front
    if count(front) <= BARE_LABEL:
        return f"the front \u201c{front}\u201d is a bare label: add `q:` with a specific question that has one answer"
    if text.note.kind == "trap":
        return (f"this trap has no scenario, so its card asks \u201c{front}\u201d, which names the section: "
                "add `q:` with the situation the trap is about")
    return (f"the decision card for \u201c{front}\u201d asks for a column, not about a situation: add `q:` "
            "with a specific question that has one answer")

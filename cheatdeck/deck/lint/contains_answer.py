"""contains-answer: the front holds the whole answer ("SDP or SMP?" answered "SMP")."""

from __future__ import annotations

from ..overlap import contains
from .text import CardText

NAME = "contains-answer"


def check(text: CardText) -> bool:
    card, said = text.card, text.said
    return (not card.reverse and not card.cloze and bool(said) and _in_order(said, text.folded)
            and contains(text.shown, said))


def say(text: CardText) -> str:
    return (f"the front \u201c{text.card.front}\u201d contains its answer \u201c{text.card.answer}\u201d: reword the "
            "question")


def _in_order(said: tuple[str, ...], folded: str) -> bool:
    """The words stand in the case-folded front in their order: each word of a text is part of its case-folded
    text, in the text's order, so most fronts are ruled out without splitting them into words."""
    at = 0
    for word in said:
        at = folded.find(word, at)
        if at < 0:
            return False
        at += len(word)
    return True

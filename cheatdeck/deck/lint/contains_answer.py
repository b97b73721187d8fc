"""contains-answer: the front holds the whole answer ("SDP or SMP?" answered "SMP")."""

from __future__ import annotations

from ..plan import Card, Note
from ..overlap import contains, words

NAME = "contains-answer"


def check(note: Note, card: Card) -> str | None:
    said = words(card.answer)
    # Each word of a text is part of its case-folded text: most fronts are ruled out without splitting them.
    if card.reverse or card.cloze or not said or said[0] not in card.front.casefold():
        return None
    if contains(words(card.front), said):
        return f"the front \u201c{card.front}\u201d contains its answer \u201c{card.answer}\u201d: reword the question"
    return None

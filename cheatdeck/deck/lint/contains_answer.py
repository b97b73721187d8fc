"""contains-answer: the front holds the whole answer ("SDP or SMP?" answered "SMP")."""

from __future__ import annotations

from ..overlap import contains
from .text import CardText

NAME = "contains-answer"


def check(text: CardText) -> bool:
    card = text.card
    return not card.reverse and not card.cloze and contains(text.shown, text.said)


def say(text: CardText) -> str:
    return (f"the front \u201c{text.card.front}\u201d contains its answer \u201c{text.card.answer}\u201d: reword the "
            "question")

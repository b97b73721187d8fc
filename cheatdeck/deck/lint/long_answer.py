"""long-answer: the part the learner must produce is longer than one fact (the back may say more around it)."""

from __future__ import annotations

from ..overlap import count
from .text import CardText

NAME = "long-answer"
LONG_ANSWER = 15
"""Words a learner can be asked to produce from memory; more is a paragraph, not a fact."""


def check(text: CardText) -> bool:
    answer = text.card.answer
    # As long-back's: more than LONG_ANSWER words take at least twice as many characters.
    return not text.card.cloze and len(answer) > 2 * LONG_ANSWER and count(answer) > LONG_ANSWER


def say(text: CardText) -> str:
    return (f"the answer to produce has {count(text.card.answer)} words (more than {LONG_ANSWER}): give a short "
            "answer with `a:` (the back still shows the rest), or split the item")

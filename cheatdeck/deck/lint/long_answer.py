"""long-answer: the part the learner must produce is longer than one fact (the back may say more around it)."""

from __future__ import annotations

from ..plan import Card, Note
from ..overlap import count

NAME = "long-answer"
LONG_ANSWER = 15
"""Words a learner can be asked to produce from memory; more is a paragraph, not a fact."""


def check(note: Note, card: Card) -> str | None:
    produced = count(card.answer)
    if produced > LONG_ANSWER and not card.cloze:
        return (f"the answer to produce has {produced} words (more than {LONG_ANSWER}): give a short answer with "
                "`a:` (the back still shows the rest), or split the item")
    return None

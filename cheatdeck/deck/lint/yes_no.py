"""yes-no: a question answered "yes" or "no" is a coin toss, and a learner remembers the coin, not the fact."""

from __future__ import annotations

import re

from ..plan import Card, Note

NAME = "yes-no"
AUXILIARIES = ("is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "would", "will",
               "has", "have", "had", "must", "may", "might", "shall", "isn't", "aren't", "doesn't", "don't",
               "can't", "won't")
_QUESTION = re.compile(r"(?:^|[.!?:]\s+)([^.!?]*\?)\s*$")
_YES_NO = re.compile(r"^(" + "|".join(map(re.escape, AUXILIARIES)) + r")\b", re.IGNORECASE)
_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)


def check(note: Note, card: Card) -> str | None:
    if not card.asked or card.reverse or card.cloze:
        return None
    question = _QUESTION.search(card.front.strip())
    asked = question.group(1).strip() if question else ""
    # "Is it A or B?" is a choice between two answers, not a yes or no.
    if _YES_NO.match(asked) and not _CHOICE.search(asked):
        return (f"\u201c{asked}\u201d is answered yes or no: ask for the thing itself (which, what, when), "
                "so that the answer is a fact")
    return None

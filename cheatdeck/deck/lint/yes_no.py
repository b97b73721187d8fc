"""yes-no: a question answered "yes" or "no" is a coin toss, and a learner remembers the coin, not the fact.

The rule knows English questions ("Is…", "Can…", "Does…"), so it reads English sheets only (deck/language.py):
elsewhere its auxiliaries are other words (German "Was gibt …?" asks "what gives …?")."""

from __future__ import annotations

import re

from ..language import english
from ..plan import Plan
from .text import CardText

NAME = "yes-no"
AUXILIARIES = ("is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "would", "will",
               "has", "have", "had", "must", "may", "might", "shall", "isn't", "aren't", "doesn't", "don't",
               "can't", "won't")
_QUESTION = re.compile(r"(?:^|[.!?:]\s+)([^.!?]*\?)\s*$")
_YES_NO = re.compile(r"^(" + "|".join(map(re.escape, AUXILIARIES)) + r")\b", re.IGNORECASE)
_CHOICE = re.compile(r"\bor\b", re.IGNORECASE)


def applies(plan: Plan) -> bool:
    return english(plan.sheet)


def check(text: CardText) -> bool:
    card = text.card
    if not card.asked or card.reverse or card.cloze:
        return False
    asked = _asked(card.front)
    # "Is it A or B?" is a choice between two answers, not a yes or no.
    return _YES_NO.match(asked) is not None and not _CHOICE.search(asked)


def say(text: CardText) -> str:
    return (f"\u201c{_asked(text.card.front)}\u201d is answered yes or no: ask for the thing itself (which, what, "
            "when), so that the answer is a fact")


def _asked(front: str) -> str:
    """The front's last sentence, if it is a question."""
    question = _QUESTION.search(front.strip())
    return question.group(1).strip() if question else ""

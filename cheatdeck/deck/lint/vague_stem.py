"""vague-stem: a question that asks for an essay ("Describe…", "What about…") has no one right answer."""

from __future__ import annotations

import re

from .text import CardText

NAME = "vague-stem"
STEMS = ("describe", "explain", "discuss", "what about", "how about", "tell me about", "what is important about",
         "what do you know about", "talk about", "summari[sz]e", "outline")
_VAGUE = re.compile(r"(?:^|[.!?]\s+)(" + "|".join(STEMS) + r")\b", re.IGNORECASE)


def check(text: CardText) -> bool:
    card = text.card
    return card.asked and not card.reverse and _VAGUE.search(card.front) is not None


def say(text: CardText) -> str:
    found = _VAGUE.search(text.card.front).group(1)
    return (f"\u201c{found}\u2026\u201d asks for an essay, not one fact: ask a specific question (which, what, when) "
            "that has one short answer")

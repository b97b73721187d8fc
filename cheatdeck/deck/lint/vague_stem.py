"""vague-stem: a question that asks for an essay ("Describe…", "What about…") has no one right answer."""

from __future__ import annotations

import re

from ..plan import Card, Note

NAME = "vague-stem"
STEMS = ("describe", "explain", "discuss", "what about", "how about", "tell me about", "what is important about",
         "what do you know about", "talk about", "summari[sz]e", "outline")
_VAGUE = re.compile(r"(?:^|[.!?]\s+)(" + "|".join(STEMS) + r")\b", re.IGNORECASE)


def check(note: Note, card: Card) -> str | None:
    if not card.asked or card.reverse:
        return None
    if found := _VAGUE.search(card.front):
        return (f"\u201c{found.group(1)}\u2026\u201d asks for an essay, not one fact: ask a specific question "
                "(which, what, when) that has one short answer")
    return None

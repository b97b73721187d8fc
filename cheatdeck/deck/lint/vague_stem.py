"""vague-stem: a question that asks for an essay ("Describe…", "What about…") has no one right answer."""

from __future__ import annotations

import re

from .text import CardText

NAME = "vague-stem"
STEMS = ("describe", "explain", "discuss", "what about", "how about", "tell me about", "what is important about",
         "what do you know about", "talk about", "summari[sz]e", "outline")
_STEM = "(" + "|".join(STEMS) + r")\b"
# A stem that opens the front or a sentence of it. Two patterns, not `(?:^|[.!?]\s+)`: the one that opens a sentence
# starts with its punctuation, which the regex engine scans for in C, where an alternative with `^` was tried at
# every position (about twice the time on a front of a few words). Only the stem ignores case: a pattern that
# ignores case as a whole is not scanned for by its first character (twice the time again).
_OPENING = re.compile(_STEM, re.IGNORECASE)
_IN_SENTENCE = re.compile(r"[.!?]\s+(?i:" + _STEM + ")")


def check(text: CardText) -> bool:
    card = text.card
    return card.asked and not card.reverse and _vague(card.front) is not None


def say(text: CardText) -> str:
    found = _vague(text.card.front).group(1)
    return (f"\u201c{found}\u2026\u201d asks for an essay, not one fact: ask a specific question (which, what, when) "
            "that has one short answer")


def _vague(front: str) -> re.Match | None:
    """The first vague stem, as the leftmost match of either pattern: one that opens the front comes first."""
    return _OPENING.match(front) or _IN_SENTENCE.search(front)

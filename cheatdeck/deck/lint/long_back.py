"""long-back: a back longer than a phone shows without scrolling."""

from __future__ import annotations

from ..overlap import count
from .text import CardText

NAME = "long-back"
LONG_BACK = 60
"""About what a phone shows without scrolling."""


def check(text: CardText) -> bool:
    back = text.card.back
    # More than LONG_BACK words take at least twice as many characters (each word and a space): most backs are
    # ruled out without being split.
    return len(back) > 2 * LONG_BACK and count(back) > LONG_BACK


def say(text: CardText) -> str:
    return (f"the back has {count(text.card.back)} words, more than a phone screen shows (about {LONG_BACK}): "
            "shorten it or split the item")

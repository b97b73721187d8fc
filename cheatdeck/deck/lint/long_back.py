"""long-back: a back longer than a phone shows without scrolling."""

from __future__ import annotations

from ..overlap import count
from .text import CardText

NAME = "long-back"
LONG_BACK = 60
"""About what a phone shows without scrolling."""


def check(text: CardText) -> bool:
    return count(text.card.back) > LONG_BACK


def say(text: CardText) -> str:
    return (f"the back has {count(text.card.back)} words, more than a phone screen shows (about {LONG_BACK}): "
            "shorten it or split the item")

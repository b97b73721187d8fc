"""enumeration: an answer that lists three or more items; recalling a set at once is the hardest card to learn."""

from __future__ import annotations

import re

from ...source import listing
from .text import CardText

NAME = "enumeration"
MOST_ITEMS = 2
_SEPARATED = re.compile("|".join(map(re.escape, listing.SEPARATORS)))


def check(text: CardText) -> bool:
    card = text.card
    # A text without a separator is one item: most answers are ruled out without reading them as a list.
    return (not card.cloze and not card.reverse and _SEPARATED.search(card.answer) is not None
            and len(listing.items(card.answer)) > MOST_ITEMS)


def say(text: CardText) -> str:
    items = listing.items(text.card.answer)
    return (f"the answer lists {len(items)} items ({', '.join(items)}): add `cards: cloze` for a card per item, or "
            "split the item, or ask for one of them with `q:` and `a:`")

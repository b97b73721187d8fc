"""enumeration: an answer that lists three or more items; recalling a set at once is the hardest card to learn."""

from __future__ import annotations

from ...source import listing
from ..plan import Card, Note

NAME = "enumeration"
MOST_ITEMS = 2


def check(note: Note, card: Card) -> str | None:
    if card.cloze or card.reverse:
        return None
    items = listing.items(card.answer)
    if len(items) > MOST_ITEMS:
        return (f"the answer lists {len(items)} items ({', '.join(items)}): add `cards: cloze` for a card per "
                "item, or split the item, or ask for one of them with `q:` and `a:`")
    return None

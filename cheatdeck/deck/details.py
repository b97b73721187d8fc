"""What a build reports of a deck (kept in the output folder's state, so it imports nothing heavy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeckDetails:
    """What a build reports of a deck: its notes, cards and decks."""

    notes: int
    cards: int
    decks: dict[str, int]
    """Notes per deck, in the order the decks first take one."""
    deck: str
    """The sheet's top deck."""
    warnings: int
    """Cards the card lint finds weak to study (`check` lists them)."""
    media: int = 0

"""The review history of a sheet's cards, as the official engine reads it from a collection.

Cards are found by their note's GUID (the lock's), so notes keep their history however the sheet moved them.
Only answers count as reviews: the revlog's entries with a button (1 Again … 4 Easy); a due date set by hand
or a reset writes an entry with none.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..collection.apply import batches

WINDOW_DAYS = 30
_DAY = 86_400
# The revlog's kind of entry (rslib RevlogReviewKind) for an answer to a learned card that came due.
REVIEW = 1
CARD_NEW, CARD_REVIEW = 0, 2
QUEUE_REVIEW = 2
_CHUNK = 900  # values per `IN (…)`: well under SQLite's limit on bound parameters


@dataclass
class Card:
    """One card of the sheet in the collection: its state now and what its answers say."""

    id: int
    guid: str
    kind: int
    """Anki's card type: 0 new, 1 learning, 2 review, 3 relearning."""
    interval: int
    ease: float
    """SM-2's ease factor (2.5 = 250 %); 0 before the card first graduates."""
    lapses: int
    overdue_days: int
    answers: int = 0
    """Every answer ever given (all time)."""
    recent: int = 0
    """Answers in the last WINDOW_DAYS days."""
    recent_again: int = 0
    reviews_recent: int = 0
    """Answers in the last WINDOW_DAYS days to the card as a review (after it was learned): retention's base."""
    reviews_passed: int = 0
    difficulty: float | None = None
    """FSRS difficulty, 1 (easy) to 10 (hard), where the collection uses FSRS."""
    retrievability: float | None = None
    """FSRS's chance of recalling the card now."""

    @property
    def studied(self) -> bool:
        return self.kind != CARD_NEW


@dataclass(frozen=True)
class History:
    fsrs: bool
    cards: dict[str, list[Card]] = field(default_factory=dict)
    """The cards of each note found, by GUID."""

    @property
    def answers(self) -> int:
        return sum(card.answers for cards in self.cards.values() for card in cards)


def read_history(path: Path, guids: Iterable[str], now: float) -> History:
    """The cards of the notes with these GUIDs in the collection at `path` (a private copy: see snapshot.py)."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        fsrs = bool(col.get_config("fsrs", False))
        # The scheduler counts days from the clock; a history judged at another moment shifts its today.
        today = col.sched.today + round((now - time.time()) / _DAY)
        cards = _cards(col, sorted(set(guids)), today)
        _count_answers(col, cards, now)
        if fsrs:
            _memory(col, cards)
        history = History(fsrs)
        for card in cards.values():
            history.cards.setdefault(card.guid, []).append(card)
        return history
    finally:
        col.close()


def _cards(col, guids: list[str], today: int) -> dict[int, Card]:
    cards = {}
    for chunk in batches(guids, _CHUNK):
        rows = col.db.all(
            "SELECT c.id, n.guid, c.type, c.queue, c.ivl, c.factor, c.lapses, "
            "CASE WHEN c.odid THEN c.odue ELSE c.due END "
            f"FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid IN ({','.join('?' * len(chunk))})", *chunk)
        for cid, guid, kind, queue, interval, factor, lapses, due in rows:
            overdue = today - due if kind == CARD_REVIEW and queue == QUEUE_REVIEW and due < today else 0
            cards[cid] = Card(cid, guid, kind, interval, factor / 1000, lapses, overdue)
    return cards


def _count_answers(col, cards: dict[int, Card], now: float) -> None:
    since = int((now - WINDOW_DAYS * _DAY) * 1000)
    for chunk in batches(sorted(cards), _CHUNK):
        rows = col.db.all(f"SELECT cid, id, ease, type FROM revlog WHERE ease > 0 AND cid IN "
                          f"({','.join('?' * len(chunk))})", *chunk)
        for cid, stamp, button, kind in rows:
            card = cards[cid]
            card.answers += 1
            if stamp < since:
                continue
            card.recent += 1
            card.recent_again += button == 1
            if kind == REVIEW:
                card.reviews_recent += 1
                card.reviews_passed += button > 1


def _memory(col, cards: dict[int, Card]) -> None:
    """FSRS's memory of each studied card, as the engine's card info shows it."""
    for card in cards.values():
        if not card.studied:
            continue
        stats = col.card_stats_data(card.id)
        if stats.HasField("memory_state"):
            card.difficulty = stats.memory_state.difficulty
        if stats.HasField("fsrs_retrievability"):
            card.retrievability = stats.fsrs_retrievability

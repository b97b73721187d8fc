"""How weak a card is, from 0 (known cold) to 1 (never studied, or failed at every answer).

A weighted sum of four signals, each from 0 to 1, all read from the engine's own data:

- again: the share of the last 30 days' answers that were Again;
- lapses: 1 - ½ per lapse (a learned card forgotten: ½ after one, ¾ after two);
- memory: with FSRS, the card's difficulty (1–10) and how likely it is forgotten by now (1 - retrievability,
  full at 50 %); with SM-2, its ease below the starting 250 % (full at 130 %) and its interval (short is weak:
  ½ at three weeks);
- overdue: days past due, over days past due plus the interval.

A card never studied scores 1: nothing says it is known. A note is as weak as its weakest card.
"""

from __future__ import annotations

from collections.abc import Sequence

from .history import Card

WEIGHTS = {"again": 0.35, "lapses": 0.20, "memory": 0.30, "overdue": 0.15}
WEAK = 0.35
"""A note at or above this is weak: an Again at every answer of the last 30 days is enough on its own."""
NEVER_STUDIED = 1.0
START_EASE, EASE_RANGE = 2.5, 1.2
HALF_INTERVAL = 21
FORGOTTEN = 0.5


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _memory(card: Card, fsrs: bool) -> float:
    if fsrs and card.difficulty is not None:
        forgotten = 0.0 if card.retrievability is None else _clip((1 - card.retrievability) / FORGOTTEN)
        return 0.5 * _clip((card.difficulty - 1) / 9) + 0.5 * forgotten
    # Before it graduates a card has no ease of its own: halfway, neither easy nor hard.
    ease = 0.5 if card.ease == 0 else _clip((START_EASE - card.ease) / EASE_RANGE)
    return 0.5 * ease + 0.5 / (1 + card.interval / HALF_INTERVAL)


def signals(card: Card, fsrs: bool) -> dict[str, float]:
    return {
        "again": card.recent_again / card.recent if card.recent else 0.0,
        "lapses": 1 - 0.5 ** card.lapses,
        "memory": _memory(card, fsrs),
        "overdue": card.overdue_days / (card.overdue_days + max(card.interval, 1)) if card.overdue_days else 0.0,
    }


def card_weakness(card: Card, fsrs: bool) -> float:
    if not card.studied:
        return NEVER_STUDIED
    return sum(WEIGHTS[name] * value for name, value in signals(card, fsrs).items())


def note_weakness(cards: Sequence[Card], fsrs: bool) -> float:
    """A note missing from the collection (no cards) was never studied either."""
    return max((card_weakness(card, fsrs) for card in cards), default=NEVER_STUDIED)


def exam_factor(weight: int | None, mean: float | None) -> float:
    """How much a domain's exam weight lifts its notes: the square root of its share against the average, so a
    domain worth four times another lifts its notes twice as much, without a fact known cold in a heavy domain
    outranking one failed twice in a light one."""
    if weight is None or not mean:
        return 1.0
    return (weight / mean) ** 0.5

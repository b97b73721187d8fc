"""asked-twice: two cards in different places that ask one fact (a trap and a table row stating one rule): the
learner reviews it twice, and the two drift apart when one is edited.

Two answers that share SAME_ANSWER of the larger one's words share one of each one's rarest words (its prefix,
words ordered by how few answers use them: the prefix filter of similarity joins), and their sizes are close.
So a card is compared only with the earlier cards that index one of its prefix words, in source order, and at
most CANDIDATES of them: a sheet whose answers are all made of a few common words would otherwise compare
every pair. Below that many, the finding is the one a comparison of every pair gives.
"""

from __future__ import annotations

import functools
import heapq
from collections import Counter

from ..plan import Plan
from .finding import Finding
from .text import containment, content, overlap

NAME = "asked-twice"
SAME_ANSWER = 0.6
SAME_FRONT = 0.5
CANDIDATES = 64
"""Earlier cards a card is compared with at most: a bound on the work per card, whatever the sheet."""


def check(plan: Plan) -> list[Finding]:
    # The answers' words for every card; the fronts' only for the cards compared (see Fronts).
    cards = [(note, card.front, content(card.answer)) for note in plan.notes for card in note.cards
             if not card.reverse and not card.cloze]
    rank = _rarest_first(answer for _, _, answer in cards)
    fronts = _Fronts(cards)
    posting: dict[str, list[int]] = {}
    out = []
    for index, (note, _, answer) in enumerate(cards):
        if not answer:
            continue
        prefix = sorted(answer, key=rank.__getitem__)[:len(answer) - _need(len(answer)) + 1]
        first = _first_match(cards, fronts, index, prefix, posting)
        if first is not None:
            out.append(Finding(NAME, note.loc, f"this card asks what the card at line {first.loc.line} asks: "
                                               "keep one (`cards: none` on the other), or ask each a different fact",
                               note.quiet + first.quiet))
        for word in prefix:
            posting.setdefault(word, []).append(index)
    return out


class _Fronts:
    """The content words of a card's front, worked out when a comparison first needs them and kept for the
    cards that are candidates (the same few, where many answers share words): not for every card at once."""

    def __init__(self, cards: list):
        self.cards = cards
        self.known: dict[int, frozenset[str]] = {}

    def __getitem__(self, index: int) -> frozenset[str]:
        if index not in self.known:
            self.known[index] = content(self.cards[index][1])
        return self.known[index]


def _first_match(cards: list, fronts: _Fronts, index: int, prefix: list[str], posting: dict[str, list[int]]):
    """The first earlier card, in source order, that asks what card `index` asks; None if none of the first
    CANDIDATES that share a prefix word does."""
    note, front, answer = cards[index]
    place, size, mine = _place(note), len(answer), None
    previous, compared = -1, 0
    # Each posting list is in source order: merged, the candidates come in order, a card shared by two lists
    # twice in a row.
    for other in heapq.merge(*(posting.get(word, ()) for word in prefix)):
        if other == previous:
            continue
        if compared == CANDIDATES:
            return None
        previous, compared = other, compared + 1
        first, _, first_answer = cards[other]
        small, large = sorted((size, len(first_answer)))
        if small >= _need(large) and _place(first) != place and overlap(answer, first_answer) >= SAME_ANSWER:
            mine = content(front) if mine is None else mine
            if containment(mine, fronts[other]) >= SAME_FRONT:
                return first
    return None


def _rarest_first(answers) -> dict[str, tuple[int, str]]:
    """Each word's sort key: the fewer answers use it, the earlier; ties by the word, so the order is the text's."""
    frequency = Counter(word for answer in answers for word in answer)
    return {word: (count, word) for word, count in frequency.items()}


@functools.lru_cache(maxsize=None)
def _need(size: int) -> int:
    """The fewest shared words by which an answer of `size` words shares SAME_ANSWER of them (as `overlap`
    divides)."""
    return next(k for k in range(size + 1) if k / size >= SAME_ANSWER)


def _place(note) -> tuple[str, str]:
    """Cards of one table or one section's bullets are siblings, not the same fact asked twice (see twins)."""
    return note.section, note.kind

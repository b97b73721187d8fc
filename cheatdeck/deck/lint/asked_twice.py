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
from .text import CardText, containment, overlap, read

NAME = "asked-twice"
SAME_ANSWER = 0.6
SAME_FRONT = 0.5
CANDIDATES = 64
"""Earlier cards a card is compared with at most: a bound on the work per card, whatever the sheet."""


def check(plan: Plan, texts: list[CardText] | None = None) -> list[Finding]:
    cards = [text for text in (read(plan) if texts is None else texts) if not text.card.reverse
             and not text.card.cloze]
    rank = _rarest_first(text.content for text in cards)
    posting: dict[str, list[int]] = {}
    # Cards with one answer share its prefix (as `content` shares the set).
    prefixes: dict[frozenset[str], list[str]] = {}
    out = []
    for index, text in enumerate(cards):
        answer = text.content
        if not answer:
            continue
        prefix = prefixes.get(answer)
        if prefix is None:
            prefix = prefixes[answer] = sorted(answer, key=rank.__getitem__)[:len(answer) - _need(len(answer)) + 1]
        first = _first_match(cards, index, prefix, posting)
        if first is not None:
            out.append(Finding(NAME, text.note.loc, _say, first, text.note.quiet + first.quiet))
        for word in prefix:
            posting.setdefault(word, []).append(index)
    return out


def _say(first) -> str:
    return (f"this card asks what the card at line {first.loc.line} asks: keep one (`cards: none` on the other), "
            "or ask each a different fact")


def _first_match(cards: list[CardText], index: int, prefix: list[str], posting: dict[str, list[int]]):
    """The first earlier card's note, in source order, that asks what card `index` asks; None if none of the
    first CANDIDATES that share a prefix word does."""
    text = cards[index]
    note, answer = text.note, text.content
    section, kind, size = note.section, note.kind, len(answer)
    # Each posting list is in source order: merged, the candidates come in order, a card shared by two lists
    # twice in a row.
    lists = [posting[word] for word in prefix if word in posting]
    candidates = lists[0] if len(lists) == 1 else heapq.merge(*lists)
    previous, compared = -1, 0
    for other in candidates:
        if other == previous:
            continue
        if compared == CANDIDATES:
            return None
        previous, compared = other, compared + 1
        first = cards[other].note
        # Cards of one table or one section's bullets are siblings, not the same fact asked twice (see twins).
        if first.section == section and first.kind == kind:
            continue
        first_answer = cards[other].content
        small, large = (size, len(first_answer)) if size <= len(first_answer) else (len(first_answer), size)
        # The fronts' words are worked out only for the cards whose answers match (see CardText).
        if (small >= _need(large) and overlap(answer, first_answer) >= SAME_ANSWER
                and containment(text.asks, cards[other].asks) >= SAME_FRONT):
            return first
    return None


def _rarest_first(answers) -> dict[str, tuple[int, str]]:
    """Each word's sort key: the fewer answers use it, the earlier; ties by the word, so the order is the text's."""
    frequency: Counter[str] = Counter()
    # Many cards share one answer (and its set): each set's words are counted once, times its cards.
    for answer, cards in Counter(answers).items():
        for word in answer:
            frequency[word] += cards
    return {word: (count, word) for word, count in frequency.items()}


@functools.lru_cache(maxsize=None)
def _need(size: int) -> int:
    """The fewest shared words by which an answer of `size` words shares SAME_ANSWER of them (as `overlap`
    divides)."""
    return next(k for k in range(size + 1) if k / size >= SAME_ANSWER)



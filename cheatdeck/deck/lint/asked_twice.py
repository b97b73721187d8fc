"""asked-twice: two cards in different places that ask one fact (a trap and a table row stating one rule): the
learner reviews it twice, and the two drift apart when one is edited.

Two answers that share SAME_ANSWER of the larger one's words share one of each one's rarest words (its prefix,
words ordered by how few answers use them: the prefix filter of similarity joins), and their sizes are close.
So a card is compared only with the earlier cards that index one of its prefix words, in source order, and at
most CANDIDATES of them: a sheet whose answers are all made of a few common words would otherwise compare
every pair. Below that many, the finding is the one a comparison of every pair gives.
"""

from __future__ import annotations

from collections.abc import Iterator
import functools
import heapq
from collections import Counter
from itertools import chain, islice

from ..plan import Plan
from .finding import Finding, place
from .text import CardText, containment, content_of, read

NAME = "asked-twice"
SAME_ANSWER = 0.6
SAME_FRONT = 0.5
CANDIDATES = 64
"""Earlier cards a card is compared with at most: a bound on the work per card, whatever the sheet."""


def check(plan: Plan, texts: list[CardText] | None = None) -> Iterator[Finding]:
    """Each finding as it is found: a sheet of many weak cards keeps none of them longer than its reader does."""
    cards = [text for text in (read(plan) if texts is None else texts) if not text.card.reverse
             and not text.card.cloze]
    answers = [text.content for text in cards]
    rank = _rarest_first(answers)
    same = _comparer(cards, answers)
    posting: dict[str, list[int]] = {}
    # Cards with one answer share its prefix (as `content` shares the words).
    prefixes: dict[tuple[str, ...], tuple[str, ...]] = {}
    for index, answer in enumerate(answers):
        if not answer:
            continue
        prefix = prefixes.get(answer)
        if prefix is None:
            prefix = prefixes[answer] = tuple(sorted(answer, key=rank.__getitem__)[:_prefix(len(answer))])
        lists = [posting[word] for word in prefix if word in posting]
        if lists and (other := _first_match(same, index, lists)) >= 0:
            note, first = cards[index].note, cards[other].note
            yield Finding(NAME, note, _say, first, note.quiet + first.quiet, place)
        for word in prefix:
            if (indexed := posting.get(word)) is None:
                posting[word] = [index]
            else:
                indexed.append(index)


def _say(first) -> str:
    return (f"this card asks what the card at line {first.loc.line} asks: keep one (`cards: none` on the other), "
            "or ask each a different fact")


def _first_match(same, index: int, lists: list[list[int]]) -> int:
    """The first earlier card, in source order, that asks what card `index` asks, of the first CANDIDATES in the
    posting lists of its prefix words; -1 if none does."""
    # The earliest candidate is the match more often than not (a repeated answer points back to its first card):
    # it is tried before the lists are merged.
    head = lists[0][0] if len(lists) == 1 else min([candidates[0] for candidates in lists])
    if same(index, head):
        return head
    # Each posting list is in source order: merged, the candidates come in order, each once.
    for other in islice(lists[0] if len(lists) == 1 else _once(heapq.merge(*lists)), 1, CANDIDATES):
        if same(index, other):
            return other
    return -1


def _comparer(cards: list[CardText], answers: list[tuple[str, ...]]):
    """`same(i, j)`: whether cards i and j ask one fact, in different places."""
    # Cards of one table or one section's bullets are siblings, not the same fact asked twice (see twins).
    place: dict[tuple[str, str], int] = {}
    places = [place.setdefault((text.note.section, text.note.kind), len(place)) for text in cards]

    def same(i: int, j: int) -> bool:
        if places[i] == places[j]:
            return False
        mine, theirs = answers[i], answers[j]
        large = len(mine) if len(mine) >= len(theirs) else len(theirs)
        # Sizes too far apart cannot share SAME_ANSWER of the larger; the fronts' words are worked out only
        # for the cards whose answers match (see CardText).
        if ((len(mine) + len(theirs) - large) / large < SAME_ANSWER
                or len(frozenset(mine).intersection(theirs)) / large < SAME_ANSWER):
            return False
        # The earlier card's front is kept, for the cards after it that repeat it; this card's is not.
        return containment(content_of(cards[i].shown), cards[j].asks) >= SAME_FRONT
    return same


def _once(merged):
    """The merged lists' cards without the repeats of a card that two lists hold (they come in a row)."""
    previous = -1
    for other in merged:
        if other != previous:
            yield other
            previous = other


def _rarest_first(answers) -> dict[str, tuple[int, str]]:
    """Each word's sort key: the fewer answers use it, the earlier; ties by the word, so the order is the text's."""
    # Every word of every answer counted by Counter's own loop, in C: a loop in Python over each distinct answer's
    # words, counted times its cards, took four times as long on a sheet of few repeated answers.
    frequency = Counter(chain.from_iterable(answers))
    return {word: (count, word) for word, count in frequency.items()}


def _prefix(size: int) -> int:
    """How many of an answer's rarest words it must share one of with any answer it shares SAME_ANSWER with."""
    return size - _need(size) + 1


@functools.lru_cache(maxsize=None)
def _need(size: int) -> int:
    """The fewest shared words by which an answer of `size` words shares SAME_ANSWER of them (shared words over
    the larger answer's, as `same` divides)."""
    return next(k for k in range(size + 1) if k / size >= SAME_ANSWER)



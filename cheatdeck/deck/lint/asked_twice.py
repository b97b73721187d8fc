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
from collections import Counter
from itertools import chain

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
    first_match = _matcher(cards, answers)
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
        if lists and (other := first_match(index, lists)) >= 0:
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


def _matcher(cards: list[CardText], answers: list[tuple[str, ...]]):
    """`first_match(index, lists)`: the first earlier card, in source order, that asks what card `index` asks, of
    the first CANDIDATES in the posting lists of its prefix words (`lists`); -1 if none does."""
    # Cards of one table or one section's bullets are siblings, not the same fact asked twice (see twins).
    place: dict[tuple[str, str], int] = {}
    places = [place.setdefault((text.note.section, text.note.kind), len(place)) for text in cards]
    sizes = [len(answer) for answer in answers]

    def among(index: int, candidates) -> int:
        """The first of `candidates` that asks what card `index` asks, -1 if none does."""
        here, size = places[index], sizes[index]
        low, high = _near(size)
        said = None
        # Sizes too far apart cannot share SAME_ANSWER of the larger, and most candidates are ruled out by their
        # size alone; the fronts' words are worked out only for the cards whose answers match (see CardText).
        for other in candidates:
            if not low <= sizes[other] <= high or places[other] == here:
                continue
            if said is None:
                said = frozenset(answers[index])
            large = size if size >= sizes[other] else sizes[other]
            # The earlier card's front is kept, for the cards after it that repeat it; this card's is not.
            if (len(said.intersection(answers[other])) / large >= SAME_ANSWER
                    and containment(content_of(cards[index].shown), cards[other].asks) >= SAME_FRONT):
                return other
        return -1

    def first_match(index: int, lists: list[list[int]]) -> int:
        # The earliest candidate is the match more often than not (a repeated answer points back to its first
        # card): it is tried before the others are gathered.
        head = lists[0][0] if len(lists) == 1 else min([candidates[0] for candidates in lists])
        found = among(index, (head,))
        return found if found >= 0 else among(index, _window(lists)[1:])
    return first_match


@functools.lru_cache(maxsize=None)
def _near(size: int) -> tuple[int, int]:
    """The fewest and most words of an answer whose size is close enough to an answer of `size` words for the two
    to share SAME_ANSWER of the larger one's words: the smaller size over the larger at least SAME_ANSWER, an
    interval around `size` (above twice its size the ratio is under a half)."""
    near = [other for other in range(1, 2 * size + 2) if min(size, other) / max(size, other) >= SAME_ANSWER]
    return near[0], near[-1]


def _window(lists: list[list[int]]) -> list[int]:
    """The first CANDIDATES cards of the posting lists merged in source order, each once. Each list is in source
    order and holds a card once, so each of those is among the first CANDIDATES of its own list."""
    if len(lists) == 1:
        return lists[0][:CANDIDATES]
    return sorted(set().union(*[candidates[:CANDIDATES] for candidates in lists]))[:CANDIDATES]


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



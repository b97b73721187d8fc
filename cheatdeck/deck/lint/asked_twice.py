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
from .text import CardText, containment, read

NAME = "asked-twice"
SAME_ANSWER = 0.6
SAME_FRONT = 0.5
CANDIDATES = 64
"""Earlier cards a card is compared with at most: a bound on the work per card, whatever the sheet."""


def check(plan: Plan, texts: list[CardText] | None = None) -> Iterator[Finding]:
    """Each finding as it is found: a sheet of many weak cards keeps none of them longer than its reader does."""
    for text, first in matches(read(plan) if texts is None else texts):
        yield finding(text, first)


def finding(text: CardText, first: CardText) -> Finding:
    """The finding on `text`'s item, which asks what `first`'s asks."""
    note, first = text.note, first.note
    return Finding(NAME, note, _say, first, note.quiet + first.quiet, place)


def matches(texts: list[CardText]) -> Iterator[tuple[CardText, CardText]]:
    """Each card that asks what an earlier card asks, with the first such card (`check`'s findings, unmade: a
    count needs only the cards)."""
    cards = [text for text in texts if not text.card.reverse and not text.card.cloze]
    answers = [text.content for text in cards]
    among = _Matcher(cards, answers)
    # Per answer (`_Group`): the cards after the first with one answer read what it worked out.
    groups: dict[tuple[str, ...], _Group] = {}
    posting: dict[str, list[int]] = {}
    rank = _rarest_first(answers)
    for index, answer in enumerate(answers):
        if not answer:
            continue
        if (group := groups.get(answer)) is None:
            group = groups[answer] = _Group(index, answer, rank, posting, among)
        if (head := group.match(index, among)) >= 0:
            yield cards[index], cards[head]
        group.post(index)


class _Group:
    """The cards of one answer: its prefix words' posting lists (earlier cards, in source order, that index the
    word: only the first CANDIDATES of each are ever read, see `_window`), the earliest card among them (`head`)
    and whether that card's answer is alike (`_Matcher.alike`)."""

    __slots__ = ("lists", "head", "alike")

    def __init__(self, index: int, answer: tuple[str, ...], rank: dict, posting: dict[str, list[int]], among):
        prefix = sorted(answer, key=rank.__getitem__)[:_prefix(len(answer))]
        # The lists as they stand before the answer's first card; that card indexes itself in them (`post`).
        self.lists = [posting.setdefault(word, []) for word in prefix]
        heads = [candidates[0] for candidates in self.lists if candidates]
        self.head = min(heads) if heads else index
        self.alike = not heads or among.alike(index, self.head)

    def match(self, index: int, among) -> int:
        """The first card, of the first CANDIDATES of the posting lists, that asks what card `index` asks."""
        if self.head == index:
            return -1
        # The earliest candidate is the match more often than not (a repeated answer points back to its first
        # card): it is tried before the others are gathered.
        if self.alike and among.fronts(index, self.head):
            return self.head
        return among(index, _window([candidates for candidates in self.lists if candidates])[1:])

    def post(self, index: int) -> None:
        for candidates in self.lists:
            if len(candidates) < CANDIDATES:
                candidates.append(index)
        if self.head == index:
            self.head = min([candidates[0] for candidates in self.lists])
            self.alike = True


def _say(first) -> str:
    return (f"this card asks what the card at line {first.loc.line} asks: keep one (`cards: none` on the other), "
            "or ask each a different fact")


class _Matcher:
    """`among(index, candidates)`: the first of `candidates`, earlier cards in source order, that asks what card
    `index` asks; -1 if none does. A card asks what another asks when their answers are alike (`alike`, which
    reads the answers only) and so are their fronts (`fronts`)."""

    def __init__(self, cards: list[CardText], answers: list[tuple[str, ...]]):
        # Cards of one table or one section's bullets are siblings, not the same fact asked twice (see twins).
        place: dict[tuple[str, str], int] = {}
        self.places = [place.setdefault((text.note.section, text.note.kind), len(place)) for text in cards]
        self.cards, self.answers = cards, answers
        self.sizes = [len(answer) for answer in answers]

    def alike(self, index: int, other: int) -> bool:
        """Whether the two answers share SAME_ANSWER of the larger one's words: sizes too far apart cannot, and
        most candidates are ruled out by their size alone."""
        size, sizes = self.sizes[index], self.sizes[other]
        low, high = _near(size)
        if not low <= sizes <= high:
            return False
        shared = len(frozenset(self.answers[index]).intersection(self.answers[other]))
        return shared / (size if size >= sizes else sizes) >= SAME_ANSWER

    def fronts(self, index: int, other: int) -> bool:
        """Whether the two cards are no siblings and their fronts' content words are alike (see CardText)."""
        if self.places[index] == self.places[other]:
            return False
        cards = self.cards
        theirs = cards[other].asks
        # The earlier front's content words that this front shows are the two fronts' shared content words: when
        # they are SAME_FRONT of the earlier's, they are at least that of the smaller's, and this card's own content
        # words (a set per card, most of the lint's) are not needed.
        shared = len(theirs.intersection(cards[index].shown))
        return ((shared > 0 and shared >= SAME_FRONT * len(theirs))
                or containment(cards[index].asks, theirs) >= SAME_FRONT)

    def __call__(self, index: int, candidates) -> int:
        return next((other for other in candidates if self.alike(index, other) and self.fronts(index, other)), -1)


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


def _rarest_first(answers) -> dict[str, int]:
    """Each word's place in the order by how few answers use it, ties by the word (so the order is the text's):
    answers' words sort by these numbers faster than by the pairs they stand for."""
    # Every word of every answer counted by Counter's own loop, in C: a loop in Python over each distinct answer's
    # words, counted times its cards, took four times as long on a sheet of few repeated answers.
    frequency = Counter(chain.from_iterable(answers))
    return {word: place for place, (_, word) in enumerate(sorted([(count, word) for word, count in frequency.items()]))}


def _prefix(size: int) -> int:
    """How many of an answer's rarest words it must share one of with any answer it shares SAME_ANSWER with."""
    return size - _need(size) + 1


@functools.lru_cache(maxsize=None)
def _need(size: int) -> int:
    """The fewest shared words by which an answer of `size` words shares SAME_ANSWER of them (shared words over
    the larger answer's, as `same` divides)."""
    return next(k for k in range(size + 1) if k / size >= SAME_ANSWER)



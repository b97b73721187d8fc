"""What the rules read of a card's text: its content words (function words set aside) and their stems."""

from __future__ import annotations

import functools
import re

from ..overlap import words, words_of
from ..plan import Card, Note, Plan

STOPWORDS = frozenset("""
a an the and or but nor not no of to in on at by for from with without as into onto over under than then
is are was were be been being do does did done have has had can could should would will shall may might must
it its this that these those there their them they he she we you your our i me my what which who whom whose
when where why how each every any all some both either neither same other another more most less only
also just so very such too up out off per via vs if else about after before between through during while
""".split())
_FUNCTION_OR_LETTER = STOPWORDS | {chr(c) for c in range(128) if chr(c).isalnum()}
_SUFFIX = re.compile(r"(?:ations?|ings?|ers?|ed|ion|ions|al|ly|ies|es)$")
MIN_STEM = 5


def content(text: str) -> frozenset[str]:
    """The words that carry the meaning: no function words, no single letters."""
    return content_of(words(text))


def content_of(said: tuple[str, ...]) -> frozenset[str]:
    """`content` of a text already split into its words."""
    meant = frozenset(said).difference(_FUNCTION_OR_LETTER)
    # Only a word of a script other than ASCII can still be a single letter.
    return meant if "".join(meant).isascii() else frozenset(w for w in meant if len(w) > 1)


def kept_content(said: tuple[str, ...]) -> tuple[str, ...]:
    """`content_of` as a sorted tuple, to keep: a card's answer words stay with it for the whole lint, and a set
    of five words takes about nine times a tuple's memory (a 50,000-fact sheet's answers held 40 MB of sets)."""
    return tuple(sorted(content_of(said)))


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A word without its common English ending ("processing" → "process"), if enough of it is left."""
    short = _SUFFIX.sub("", word)
    return short if len(short) >= MIN_STEM else word


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """How much of the smaller set the other holds: 1.0 when one says all the other does."""
    small = min(len(a), len(b))
    return len(a & b) / small if small else 0.0


class CardText:
    """One card as the rules read it: its answer's and front's words, tokenized for the whole plan at once
    (`read`), and the front's content words worked out when a rule first needs them."""

    __slots__ = ("note", "card", "said", "content", "shown", "_asks")

    def __init__(self, note: Note, card: Card, said: tuple[str, ...], content: tuple[str, ...],
                 shown: tuple[str, ...]):
        self.note, self.card, self.said, self.content, self.shown = note, card, said, content, shown
        """`said`, `shown`: the answer's and the front's words; `content`: the answer's content words
        (`kept_content`), one tuple for every card with the same answer."""
        self._asks: frozenset[str] | None = None

    @property
    def asks(self) -> frozenset[str]:
        """The front's content words, kept (fronts are each card's own: not shared)."""
        if self._asks is None:
            self._asks = content_of(self.shown)
        return self._asks


def read(plan: Plan) -> list[CardText]:
    """Every card of the plan, in source order, as the rules read it. Each distinct answer is split into words
    once, and every front, all of them in one call each (`words_of`): most rules read most cards' words."""
    pairs = [(note, card) for note in plan.notes for card in note.cards]
    answers = dict.fromkeys([card.answer for _, card in pairs])
    kept: dict[tuple[str, ...], tuple[str, ...]] = {}
    for answer, said in zip(answers, words_of(list(answers))):
        if (content := kept.get(said)) is None:
            content = kept[said] = kept_content(said)
        answers[answer] = (said, content)
    # Fronts are split as they come: a front is most often its card's own, where many cards share an answer.
    fronts = words_of([card.front for _, card in pairs])
    return [CardText(note, card, *answers[card.answer], shown) for (note, card), shown in zip(pairs, fronts)]

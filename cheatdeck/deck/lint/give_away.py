"""give-away: every word of the answer is hinted in what the front shows, itself or by its stem ("…PySpark
preprocessing… job type" → "Processing Jobs"), so the card is answered by reading, not recall. The front shows
the section's title above the question, so a title that names the answer gives it away too ("Feature Store" over
"Which service keeps features for training and inference?"). Where the question holds the whole answer word
for word, contains-answer says so instead."""

from __future__ import annotations

import functools

from ..overlap import contains, words
from .text import CardText, stem

NAME = "give-away"


def check(text: CardText) -> bool:
    card = text.card
    if card.reverse or card.cloze or not text.content:
        return False
    # Words hold no space, so a stem is inside one of the shown words exactly when it is inside them joined; the
    # title's words are joined only for a stem the front does not hint.
    front, title = " ".join(text.shown), None
    for word in text.content:
        root = stem(word)
        if root not in front:
            if title is None:
                title = _joined(text.note.heading)
            if root not in title:
                return False
    return not contains(text.shown, text.said)


@functools.lru_cache(maxsize=1 << 12)
def _joined(heading: str) -> str:
    """A section title's words joined, as a front's are: a title heads many cards."""
    return " ".join(words(heading))


def say(text: CardText) -> str:
    card, note, said = text.card, text.note, text.said
    front, heading = text.shown, words(note.heading)
    hints = [(hint, False) if (hint := _hint(word, front)) else (_hint(word, heading), True)
             for word in sorted(text.content, key=said.index)]
    asked = list(dict.fromkeys(h for h, titled in hints if not titled))
    titled = list(dict.fromkeys(h for h, titled in hints if titled and h not in asked))
    one = len(asked) + len(titled) == 1
    shown = " and ".join(part for part in (
        f"the front\u2019s {_quoted(asked)}" if asked else "",
        f"the section title\u2019s {_quoted(titled)}" if titled else "") if part)
    fix = (f"reword the question without {'it' if one else 'them'}" if not titled else
           f"ask what the title \u201c{note.heading}\u201d does not already say, or move the item to a section "
           "whose title does not name the answer")
    return f"{shown} give{'s' if one else ''} away the answer \u201c{card.answer}\u201d: {fix}"


def apart(a: CardText, b: CardText) -> bool:
    """Whether the two cards' messages differ, unwritten: under one title, two answers never give one message. A
    message quotes its answer whole, after the hints (words: no space, no quote) and before a fix that names
    only the title; the first " give" ends the hints, so one message has one set of hints, one answer, one fix."""
    return a.note.heading == b.note.heading and a.card.answer != b.card.answer


def _quoted(hints: list[str]) -> str:
    return ", ".join(f"\u201c{h}\u201d" for h in hints)


def _hint(word: str, shown: tuple[str, ...]) -> str | None:
    """The shown word that says the answer's `word`: the same word, one holding its stem, or one of its stem (a
    stem is the start of its word, so each of these holds the stem)."""
    root = stem(word)
    return next((w for w in shown if root in w), None)

"""give-away: every word of the answer is hinted in the front, itself or by its stem ("…PySpark preprocessing…
job type" → "Processing Jobs"), so the card is answered by reading, not recall. Where the front holds the whole
answer word for word, contains-answer says so instead."""

from __future__ import annotations

from ..plan import Card, Note
from ..overlap import contains, words
from .text import content, stem

NAME = "give-away"


def check(note: Note, card: Card) -> str | None:
    if card.reverse or card.cloze:
        return None
    answer = sorted(content(card.answer), key=words(card.answer).index)
    front = words(card.front)
    hints = [_hint(word, front) for word in answer]
    if not answer or None in hints or contains(front, words(card.answer)):
        return None
    shown = ", ".join(f"\u201c{h}\u201d" for h in dict.fromkeys(hints))
    return (f"the front\u2019s {shown} give{'s' if len(set(hints)) == 1 else ''} away the answer "
            f"\u201c{card.answer}\u201d: reword the question without {'it' if len(set(hints)) == 1 else 'them'}")


def _hint(word: str, front: tuple[str, ...]) -> str | None:
    """The front's word that says the answer's `word`: the same word, one holding its stem, or one of its stem."""
    root = stem(word)
    return next((w for w in front if w == word or root in w or stem(w) == root), None)

"""twins: two sibling cards (one table's rows, one section's bullets) with the same answer and similar fronts,
which a learner cannot tell apart. The same answer in two places is asked-twice."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from ..overlap import similar
from ..plan import Plan
from .finding import Finding
from .text import CardText, read

NAME = "twins"
SIMILAR_FRONTS = 0.5
CANDIDATES = 64
"""Earlier siblings with the same answer a card is compared with at most, the first ones: a table of a thousand
rows answered "Yes" must not compare every pair."""


def check(plan: Plan, texts: list[CardText] | None = None) -> Iterator[Finding]:
    """Each finding as it is found: a sheet of many weak cards keeps none of them longer than its reader does."""
    # Cards seen so far, by answer and place: only siblings with the same answer can be twins, so no pair is
    # compared twice, and a sheet with many equal answers in many places compares none across them.
    # Most answers are a card's own: its first card is kept alone, and a list made for an answer given twice.
    first: dict[tuple, CardText] = {}
    seen: dict[tuple, list[CardText]] = {}
    for text in read(plan) if texts is None else texts:
        note = text.note
        key = (text.said, note.section, note.kind)
        if (earliest := first.setdefault(key, text)) is text:
            continue
        siblings = seen.setdefault(key, [earliest])
        twin = next((other for other in islice(siblings, CANDIDATES)
                     if other.note is not note and similar(text.shown, other.shown) >= SIMILAR_FRONTS), None)
        if twin is not None:
            yield Finding(NAME, note, _say, (text, twin.note), note.quiet + twin.note.quiet)
        siblings.append(text)


def _say(pair: tuple[CardText, object]) -> str:
    text, twin = pair
    return (f"this card and the card at line {twin.loc.line} have the same answer \u201c{text.card.answer}\u201d and "
            "similar fronts; ask something that tells them apart")

"""twins: two sibling cards (one table's rows, one section's bullets) with the same answer and similar fronts,
which a learner cannot tell apart. The same answer in two places is asked-twice."""

from __future__ import annotations

from ..plan import Note, Plan
from ..overlap import similar, words
from .finding import Finding

NAME = "twins"
SIMILAR_FRONTS = 0.5
CANDIDATES = 64
"""Earlier siblings with the same answer a card is compared with at most, the first ones: a table of a thousand
rows answered "Yes" must not compare every pair."""


def check(plan: Plan) -> list[Finding]:
    out = []
    # Cards seen so far, by answer and place: only siblings with the same answer can be twins, so no pair is
    # compared twice, and a sheet with many equal answers in many places compares none across them.
    seen: dict[tuple, list[tuple[Note, str]]] = {}
    for note in plan.notes:
        for card in note.cards:
            key = (words(card.answer), note.section, note.kind)
            twin = next((other for other, other_front in seen.get(key, ())[:CANDIDATES]
                         if other is not note and similar(words(card.front), words(other_front)) >= SIMILAR_FRONTS),
                        None)
            if twin is not None:
                out.append(Finding(NAME, note.loc, f"this card and the card at line {twin.loc.line} have the same "
                                                   f"answer \u201c{card.answer}\u201d and similar fronts; ask "
                                                   "something that tells them apart", note.quiet + twin.quiet))
            seen.setdefault(key, []).append((note, card.front))
    return out

"""twins: two sibling cards (one table's rows, one section's bullets) with the same answer and similar fronts,
which a learner cannot tell apart. The same answer in two places is asked-twice."""

from __future__ import annotations

from ..plan import Note, Plan
from ..overlap import similar, words
from .finding import Finding

NAME = "twins"
SIMILAR_FRONTS = 0.5


def check(plan: Plan) -> list[Finding]:
    out = []
    # Cards seen so far, by answer: only cards with the same answer can be twins, so no pair is compared twice.
    seen: dict[tuple[str, ...], list[tuple[Note, str]]] = {}
    for note in plan.notes:
        for card in note.cards:
            answer = words(card.answer)
            twin = next((other for other, other_front in seen.get(answer, ())
                         if other is not note and (other.section, other.kind) == (note.section, note.kind)
                         and similar(words(card.front), words(other_front)) >= SIMILAR_FRONTS), None)
            if twin is not None:
                out.append(Finding(NAME, note.loc, f"this card and the card at line {twin.loc.line} have the same "
                                                   f"answer \u201c{card.answer}\u201d and similar fronts; ask "
                                                   "something that tells them apart", note.quiet + twin.quiet))
            seen.setdefault(answer, []).append((note, card.front))
    return out

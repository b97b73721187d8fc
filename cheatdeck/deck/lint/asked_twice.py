"""asked-twice: two cards in different places that ask one fact (a trap and a table row stating one rule): the
learner reviews it twice, and the two drift apart when one is edited."""

from __future__ import annotations

import math
from collections import Counter

from ..plan import Plan
from .finding import Finding
from .text import containment, content, overlap

NAME = "asked-twice"
SAME_ANSWER = 0.6
SAME_FRONT = 0.5


def check(plan: Plan) -> list[Finding]:
    cards = [(note, content(card.front), content(card.answer)) for note in plan.notes for card in note.cards
             if not card.reverse and not card.cloze]
    frequency = Counter(word for _, _, answer in cards for word in answer)
    posting: dict[str, list[int]] = {}
    out = []
    for index, (note, front, answer) in enumerate(cards):
        if answer:
            # An answer sharing SAME_ANSWER of this one's words holds one of its rarest (len - need + 1) words.
            need = math.ceil(SAME_ANSWER * len(answer))
            rarest = sorted(answer, key=lambda w: (frequency[w], w))[:len(answer) - need + 1]
            for other in sorted({i for word in rarest for i in posting.get(word, ())}):
                first, first_front, first_answer = cards[other]
                if _places(first) != _places(note) and overlap(answer, first_answer) >= SAME_ANSWER \
                        and containment(front, first_front) >= SAME_FRONT:
                    out.append(Finding(NAME, note.loc, f"this card asks what the card at line {first.loc.line} asks: "
                                       "keep one (`cards: none` on the other), or ask each a different fact",
                                       note.quiet + first.quiet))
                    break
        for word in answer:
            posting.setdefault(word, []).append(index)
    return out


def _places(note) -> tuple[str, str]:
    """Cards of one table or one section's bullets are siblings, not the same fact asked twice (see twins)."""
    return note.section, note.kind

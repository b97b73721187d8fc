"""The card lint: warnings, with the line of the item, for cards that are weak to study.

A good card makes sense alone, has one right answer and does not give it
away. The lint reads the planned cards as a learner would and returns a
warning for each that falls short; `check --strict` turns them into errors.
"""

from __future__ import annotations

from ..errors import Problem
from .plan import Card, Note, Plan
from .words import contains, count, similar, words

BARE_LABEL = 2
"""A front of this many words or fewer, with no question written, is a label rather than a question."""
LONG_BACK = 60
"""About what a phone shows without scrolling."""
SIMILAR_FRONTS = 0.5


def lint(plan: Plan) -> list[Problem]:
    """Every warning about the plan's cards, in source order."""
    problems = list(plan.warnings)
    # Cards seen so far, by answer: only cards with the same answer can be twins, so no pair is compared twice.
    # A front's words are worked out only for such a comparison (most answers are given once).
    seen: dict[tuple[str, ...], list[tuple[Note, str]]] = {}
    for note in plan.notes:
        for card in note.cards:
            problems += _card_problems(note, card)
            answer = words(card.answer)
            twin = next((other for other, other_front in seen.get(answer, ())
                         if other is not note and similar(words(card.front), words(other_front)) >= SIMILAR_FRONTS),
                        None)
            if twin is not None:
                problems.append(Problem(note.loc, f"this card and the card at line {twin.loc.line} have the same "
                                                  f"answer \u201c{card.answer}\u201d and similar fronts; "
                                                  "ask something that tells them apart"))
            seen.setdefault(answer, []).append((note, card.front))
    return sorted(problems, key=lambda p: (p.loc.file, p.loc.line, p.loc.column))


def _card_problems(note: Note, card: Card) -> list[Problem]:
    out = []
    if not card.asked and count(card.front) <= BARE_LABEL:
        out.append(Problem(note.loc, f"the front \u201c{card.front}\u201d is a bare label: add `q:` with a specific "
                                     "question that has one answer"))
    elif not card.asked and note.kind == "trap":
        out.append(Problem(note.loc, f"this trap has no scenario, so its card asks \u201c{card.front}\u201d, which "
                                     "names the section: add `q:` with the situation the trap is about"))
    elif not card.asked and note.kind == "quickref":
        out.append(Problem(note.loc, f"the decision card for \u201c{card.front}\u201d asks for a column, not about a "
                                     "situation: add `q:` with a specific question that has one answer"))
    if not card.reverse and _may_contain(card.front, card.answer) and contains(words(card.front), words(card.answer)):
        out.append(Problem(note.loc, f"the front \u201c{card.front}\u201d contains its answer "
                                     f"\u201c{card.answer}\u201d: reword the question"))
    if count(card.back) > LONG_BACK:
        out.append(Problem(note.loc, f"the back has {count(card.back)} words, more than a phone screen shows "
                                     f"(about {LONG_BACK}): shorten it or split the item"))
    return out


def _may_contain(front: str, answer: str) -> bool:
    """False where the front cannot hold the answer's words: each word of a text is part of its case-folded text."""
    said = words(answer)
    return bool(said) and said[0] in front.casefold()

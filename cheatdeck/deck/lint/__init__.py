"""The card lint: warnings, with the line of the item, for cards that are weak to study.

A good card makes sense alone, has one right answer, gives nothing away, asks one fact and can be recalled
(Wozniak's "20 rules", Matuschak's prompt guide). Each rule is a module here, named as the sheet's `lint:`
names it; the lint reads the planned cards as a learner would and returns a warning for each that falls short,
naming the rule and the fix. An item exempt from a rule (`lint: {rule: reason}`) gets no warning from it.
`check --strict` turns the warnings into errors.
"""

from __future__ import annotations

from ...errors import Problem
from ..plan import Plan
from . import (
    asked_twice,
    bare_label,
    contains_answer,
    enumeration,
    give_away,
    header_question,
    long_answer,
    long_back,
    twins,
    vague_stem,
    yes_no,
)

CARD_RULES = (bare_label, vague_stem, yes_no, enumeration, long_answer, contains_answer, give_away, long_back)
"""Rules that read one card at a time: each module has NAME and `check(note, card) -> str | None`."""
PLAN_RULES = (twins, asked_twice, header_question)
"""Rules that compare cards with each other or read the sheet: each has NAME and `check(plan) -> [Finding]`."""


def lint(plan: Plan) -> list[Problem]:
    """Every warning about the plan's cards, in source order, each once."""
    # Each rule's findings become problems as they come: a sheet of many weak cards keeps one copy of each message.
    found: dict[Problem, None] = {}
    for note in plan.notes:
        for card in note.cards:
            for rule in CARD_RULES:
                if rule.NAME not in note.quiet and (message := rule.check(note, card)):
                    found[Problem(note.loc, f"{rule.NAME}: {message}")] = None
    for rule in PLAN_RULES:
        found.update((Problem(f.loc, f"{f.rule}: {f.message}"), None) for f in rule.check(plan)
                     if f.rule not in f.quiet)
    return sorted([*plan.warnings, *found], key=lambda p: (p.loc.file, p.loc.line, p.loc.column))

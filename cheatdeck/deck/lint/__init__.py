"""The card lint: warnings, with the line of the item, for cards that are weak to study.

A good card makes sense alone, has one right answer, gives nothing away, asks one fact and can be recalled
(Wozniak's "20 rules", Matuschak's prompt guide). Each rule is a module here, named as the sheet's `lint:`
names it; the lint reads the planned cards as a learner would and returns a warning for each that falls short,
naming the rule and the fix. An item exempt from a rule (`lint: {rule: reason}`) gets no warning from it.
`check --strict` turns the warnings into errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from types import ModuleType

from ...errors import Problem
from ..plan import Note, Plan
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
from .finding import Finding, place
from .text import CardText, read

CARD_RULES = (bare_label, vague_stem, yes_no, enumeration, long_answer, contains_answer, give_away, long_back)
"""Rules that read one card at a time: each module has NAME, `check(text) -> bool` (whether the card falls short)
and `say(text) -> str` (the warning's message, written only when it is read); a rule that reads some sheets only
has `applies(plan) -> bool` too, and one whose messages for two cards can be told apart unwritten has
`apart(a, b) -> bool` (true only when they differ)."""
PLAN_RULES = (twins, asked_twice, header_question)
"""Rules that compare cards with each other or read the sheet: each has NAME and `check(plan, texts)`, which
gives its findings (an iterable of Finding)."""


def lint(plan: Plan) -> list[Problem]:
    """Every warning about the plan's cards, in source order, each once."""
    found = dict.fromkeys(Problem(f.loc, f"{f.rule}: {f.message}") for f in findings(plan))
    return sorted([*plan.warnings, *found], key=lambda p: (p.loc.file, p.loc.line, p.loc.column))


def count(plan: Plan) -> int:
    """How many warnings `lint` returns, without writing their messages. Two rules never say the same, and each
    rule but header-question (once per column of a row) finds a card weak once: only an item of several cards (a
    table row asked for two columns, a note and its reverse) can have two findings that say the same, and only
    those are compared. A card rule's findings are told apart by the rule (`apart`) where it can, else by their
    messages; the other rules' are alike when made of the same things (`Finding.says_as`), else compared too."""
    shared = _shared_items(plan)
    texts = read(plan)
    alone = 0
    # Per item of several cards and card rule, the cards found weak: a card rule's finding is counted, never made.
    weak: dict[tuple, list[CardText]] = {}
    for rule in _card_rules(plan):
        for text in _weak_cards(rule, texts):
            if id(text.note) not in shared:
                alone += 1
            elif (cards := weak.get(key := (place(text.note), rule))) is None:
                weak[key] = [text]
            else:
                cards.append(text)
    # Per item and other rule, the findings that may say different things: each made of other things.
    made: dict[tuple, list[Finding]] = {}
    for finding in _plan_findings(plan, texts, shared):
        if isinstance(finding, int):
            alone += finding
        elif id(finding.item) not in shared and finding.rule != header_question.NAME:
            alone += 1
        elif (sources := made.get(key := (finding.place, finding.rule))) is None:
            made[key] = [finding]
        elif not any(finding.says_as(other) for other in sources):
            sources.append(finding)
    said = sum(_said(rule, cards) for (_, rule), cards in weak.items())
    said += sum(1 if len(sources) == 1 else len({f.message for f in sources}) for sources in made.values())
    return len(plan.warnings) + alone + said


def _said(rule, cards: list[CardText]) -> int:
    """How many different messages a card rule gives the cards of one item, written only when the rule cannot
    tell each pair apart without them."""
    apart = getattr(rule, "apart", None)
    if len(cards) == 1 or apart is not None and all(apart(a, b) for a, b in combinations(cards, 2)):
        return len(cards)
    return len({rule.say(text) for text in cards})


def _shared_items(plan: Plan) -> set[int]:
    """The items (by `id`) that share their place (`finding.place`) with another card: notes of more than one
    card, and notes at one place. A finding's item is looked up by identity, and its place is made only for
    these."""
    first: dict[tuple, Note] = {}
    shared: set[int] = set()
    for note in plan.notes:
        if (seen := first.get(where := place(note))) is not None:
            shared.update((id(seen), id(note)))
        else:
            first[where] = note
            if len(note.cards) > 1:
                shared.add(id(note))
    return shared


def findings(plan: Plan) -> Iterator[Finding]:
    """Each rule's findings that the item is not exempt from: the card rules' card by card, then the others'."""
    texts = read(plan)
    for text, rule in _card_hits(plan, texts):
        yield Finding(rule.NAME, text.note, rule.say, text)
    yield from _plan_findings(plan, texts)


def _card_rules(plan: Plan) -> list[ModuleType]:
    """The card rules that read the plan's sheet."""
    return [rule for rule in CARD_RULES if not hasattr(rule, "applies") or rule.applies(plan)]


def _weak_cards(rule: ModuleType, texts: list[CardText]) -> list[CardText]:
    """The cards `rule` finds weak, of items not exempt from it. One rule over every card, for a count, which
    reads no order: a loop over the cards, each through every rule (`_card_hits`), took a fifth longer."""
    check, name = rule.check, rule.NAME
    return [text for text in texts if check(text) and name not in text.note.quiet]


def _card_hits(plan: Plan, texts: list[CardText]) -> Iterator[tuple[CardText, ModuleType]]:
    """Each card a card rule finds weak, with the rule, card by card (the order of `lint`'s warnings on one line):
    the item is not exempt from it."""
    rules = [(rule.check, rule.NAME, rule) for rule in _card_rules(plan)]
    for text in texts:
        for check, name, rule in rules:
            if check(text) and name not in text.note.quiet:
                yield text, rule


def _plan_findings(plan: Plan, texts: list[CardText], shared: set[int] | None = None) -> Iterator[Finding | int]:
    """The findings of the rules that compare cards or read the sheet, but those the item is exempt from. With
    `shared` (a count's, see `_shared_items`), asked-twice's findings on the other items are not made: their
    number comes last, instead (most of a big sheet's findings are these)."""
    for rule in PLAN_RULES:
        if shared is None or rule is not asked_twice:
            yield from (f for f in rule.check(plan, texts) if f.rule not in f.quiet)
            continue
        alone, name = 0, rule.NAME
        for text, first in rule.matches(texts):
            if name in text.note.quiet or name in first.note.quiet:
                continue
            if id(text.note) in shared:
                yield rule.finding(text, first)
            else:
                alone += 1
        yield alone

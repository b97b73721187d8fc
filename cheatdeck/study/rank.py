"""The sheet's notes, ranked weakest first: each with its score, its cards' history, and where it sits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Sheet
from . import score
from .history import History


@dataclass(frozen=True)
class RankedNote:
    ident: str
    kind: str
    """fact, cloze, row, trap or quickref (as the deck's notes are)."""
    domain: str
    """The id of the domain the note belongs to."""
    section: str
    """The id of its section; "quickref" for a quick-reference row."""
    score: float
    """Its weakness weighted by the domain's exam weight: what the ranking sorts by."""
    weakness: float
    """0 (known cold) to 1 (never studied), before the exam weight (see study/score.py)."""
    reviews: int
    """Answers given to its cards, all time."""
    cards: int
    cards_studied: int
    in_collection: bool

    @property
    def weak(self) -> bool:
        return self.weakness >= score.WEAK

    @property
    def studied(self) -> bool:
        return self.cards_studied > 0


def rank(sheet: Sheet, notes, guids: Mapping[str, str], history: History) -> list[RankedNote]:
    """Weakest first (ties keep the sheet's order).

    `notes` are the deck's planned notes (deck.plan.Note), `guids` the lock's GUID of each identity.
    """
    domains = {d.id: d for d in sheet.domains}
    weights = [d.weight for d in sheet.domains if d.weight is not None]
    mean = sum(weights) / len(weights) if weights else None
    domain_of = _domains_by_place(sheet)
    ranked = []
    for note in notes:
        domain = domain_of[(note.kind, note.ident) if note.kind == "quickref" else note.section]
        cards = history.cards.get(guids.get(note.ident, ""), [])
        weakness = score.note_weakness(cards, history.fsrs)
        reviews = sum(card.answers for card in cards)
        ranked.append(RankedNote(
            ident=note.ident, kind=note.kind, domain=domain, section=note.section,
            score=round(weakness * score.exam_factor(domains[domain].weight, mean), 6),
            weakness=round(weakness, 6), reviews=reviews, cards=len(cards) or len(note.cards),
            cards_studied=sum(card.studied for card in cards), in_collection=bool(cards)))
    return sorted(ranked, key=lambda n: -n.score)


def _domains_by_place(sheet: Sheet) -> dict:
    """The domain id of each section id, and of each quick-reference row's identity (a row names its domain)."""
    places: dict = {section.id: domain.id for domain in sheet.domains for section in domain.sections}
    if sheet.quick_reference:
        places.update({("quickref", row.ident): row.domain.id for row in sheet.quick_reference.rows if row.ident})
    return places

"""The report a student can act on: per domain, how much is studied, how well it is kept, and how much is weak."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..model import Sheet
from .history import History
from .rank import RankedNote


@dataclass(frozen=True)
class DomainReport:
    domain: str
    label: str
    name: str
    weight: int | None
    cards: int
    """The cards of the domain's notes: in the collection, or planned for a note it does not hold yet."""
    cards_studied: int
    reviews: int
    """Answers to learned cards (Anki's review kind) in the last 30 days: retention's base."""
    passed: int
    """Those answered Hard, Good or Easy."""
    notes: int
    weak: int
    never_studied: int
    """Notes none of whose cards was ever studied (counted among `weak`)."""

    @property
    def retention(self) -> float | None:
        """Anki's true retention over the last 30 days; None without a review to judge by."""
        return self.passed / self.reviews if self.reviews else None


def domain_reports(sheet: Sheet, ranked: Sequence[RankedNote], guids: Mapping[str, str],
                   history: History) -> tuple[DomainReport, ...]:
    reports = []
    for domain in sheet.domains:
        notes = [n for n in ranked if n.domain == domain.id]
        cards = [card for n in notes for card in history.cards.get(guids.get(n.ident, ""), [])]
        reports.append(DomainReport(
            domain=domain.id, label=domain.label, name=domain.name.plain, weight=domain.weight,
            cards=sum(n.cards for n in notes), cards_studied=sum(n.cards_studied for n in notes),
            reviews=sum(c.reviews_recent for c in cards), passed=sum(c.reviews_passed for c in cards),
            notes=len(notes), weak=sum(n.weak for n in notes), never_studied=sum(not n.studied for n in notes)))
    return tuple(reports)

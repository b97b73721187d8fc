"""Render the deck: a loaded sheet becomes its .apkg's bytes, with what the build reports and the lock keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import Sheet
from ..source.sections import Sections
from .cloze import without_unused_cloze
from .details import DeckDetails
from .lint import count as count_warnings
from .media import package_media
from .notetypes import load_notetypes, palette_css
from .package import render_apkg
from .plan import Plan, plan_notes
from .stamps import Changes, stamp


@dataclass(frozen=True)
class Deck:
    data: bytes
    changes: Changes
    sections: dict
    """The lock's sections as this deck leaves them (notes, note types, tombstones)."""
    plan: Plan = field(repr=False)
    media: int
    """How many media files the package holds."""

    def details(self) -> DeckDetails:
        """What the build reports of the deck. The card lint runs here, once the package is written: Anki's file
        does not wait for it, and what each leaves behind (the lint's warnings, the package's database) is gone
        before the other runs, so a big sheet's peak memory holds one of them, not both."""
        notes = self.plan.notes
        decks: dict[str, int] = {}
        for note in notes:
            decks[note.deck] = decks.get(note.deck, 0) + 1
        return DeckDetails(notes=len(notes), cards=sum(len(n.cards) for n in notes), decks=decks,
                           deck=self.plan.sheet.deck, warnings=count_warnings(self.plan), media=self.media)


def render_deck(sheet: Sheet, templates: Path, previous: dict, now: int, sections: Sections | None = None) -> Deck:
    """The deck's package, stamped against `previous` (the lock) at the time `now`; its details (`Deck.details`)
    are worked out when asked for. `sections`: what earlier builds planned of each section (plan_notes)."""
    plan = plan_notes(sheet, sections)
    notetypes = without_unused_cloze(load_notetypes(templates / "anki", palette_css(sheet)),
                                     {n.kind for n in plan.notes})
    stamps = stamp(previous, sheet.id, plan.notes, {k: (nt.digest, nt.schema) for k, nt in notetypes.items()}, now)
    media = package_media(plan)
    data = render_apkg(plan, notetypes, stamps, media)
    return Deck(data, stamps.changes, stamps.sections, plan, len(media))

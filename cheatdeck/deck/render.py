"""Render the deck: a loaded sheet becomes its .apkg's bytes, with what the build reports and the lock keeps."""

from __future__ import annotations

import functools
from collections.abc import Callable
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
from .stamps import Changes, Kept, stamp


@dataclass(frozen=True)
class Deck:
    """A rendered deck: the .apkg's bytes and the lock's sections it leaves."""

    data: bytes
    changes: Changes
    sections: dict
    """The lock's sections as this deck leaves them (notes, note types, tombstones)."""
    details: Callable[[], DeckDetails] = field(repr=False)
    """What the build reports of the deck, worked out when called (see `deck_details`). It holds the plan only:
    what the deck is made of (its bytes, the lock's sections) can be let go once written, before the lint."""


def deck_details(plan: Plan, media: int) -> DeckDetails:
    """What the build reports of the deck. The card lint runs here, once the package is written: Anki's file
    does not wait for it, and what each leaves behind (the lint's warnings, the package's database) is gone
    before the other runs, so a big sheet's peak memory holds one of them, not both. `media`: how many media
    files the package holds."""
    notes = plan.notes
    decks: dict[str, int] = {}
    for note in notes:
        decks[note.deck] = decks.get(note.deck, 0) + 1
    return DeckDetails(notes=len(notes), cards=sum(len(n.cards) for n in notes), decks=decks,
                       deck=plan.sheet.deck, warnings=count_warnings(plan), media=media)


def render_deck(sheet: Sheet, templates: Path, previous: dict, now: int, sections: Sections | None = None,
                beside: Path | None = None) -> Deck:
    """The deck's package, stamped against `previous` (the lock) at the time `now`; its details (`Deck.details`)
    are worked out when asked for. `sections`: what earlier builds planned of each section (plan_notes) and
    stamped of each note (stamps.Kept); `beside`: the path the package will be written to (render_apkg)."""
    plan = plan_notes(sheet, sections)
    notetypes = without_unused_cloze(load_notetypes(templates / "anki", palette_css(sheet)),
                                     {n.kind for n in plan.notes})
    kept = None if sections is None else sections.stamps.setdefault(str(sheet.source), Kept())
    stamps = stamp(previous, sheet.id, plan.notes, {k: (nt.digest, nt.schema) for k, nt in notetypes.items()}, now,
                   kept)
    media = package_media(plan)
    data = render_apkg(plan, notetypes, stamps, media, beside)
    return Deck(data, stamps.changes, stamps.sections, functools.partial(deck_details, plan, len(media)))

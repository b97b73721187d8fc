"""`cheatdeck stats`: what a sheet compiles to, without writing anything."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .options import Options
from .pdf.details import PdfDetails


@dataclass(frozen=True)
class Stats:
    sheet_id: str
    notes: int
    cards: int
    by_deck: dict[str, tuple[int, int]]
    by_tag: dict[str, tuple[int, int]]
    pdf: PdfDetails


def sheet_stats(source: Path, opts: Options) -> Stats:
    from .source.compile import load
    from .deck.plan import plan_notes
    from .pipeline import layout_in_memory

    sheet = load(source)
    plan = plan_notes(sheet)
    decks: Counter = Counter()
    deck_cards: Counter = Counter()
    tags: Counter = Counter()
    tag_cards: Counter = Counter()
    for note in plan.notes:
        decks[note.deck] += 1
        deck_cards[note.deck] += len(note.fronts)
        for tag in note.tags:
            tags[tag] += 1
            tag_cards[tag] += len(note.fronts)
    details = layout_in_memory(source, sheet, opts)
    return Stats(sheet.id, len(plan.notes), sum(deck_cards.values()),
                 {d: (decks[d], deck_cards[d]) for d in plan.decks if decks[d]},
                 {t: (tags[t], tag_cards[t]) for t in sorted(tags)}, details)

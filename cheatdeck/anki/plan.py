"""Stage 2a, plan: the sheet becomes Anki notes (fields, deck, tags, identity)."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass

from ..errors import CheatdeckError, Location, Problem
from ..model import Domain, Section, Sheet, Text

KINDS = ("fact", "row", "trap", "quickref")


@dataclass(frozen=True)
class Note:
    ident: str
    kind: str
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    fronts: tuple[str, ...]
    loc: Location
    section: str
    context: str

    @property
    def digest(self) -> str:
        """What Anki stores of the note: a change raises its mod. The deck is not part of it: an import
        never moves existing cards between decks, and a deck name must not change every note in it."""
        return _hash(self.kind, "\x1f".join(self.fields), " ".join(self.tags))

    @property
    def content(self) -> str:
        """The note's own words, without where it sits (Context) or what it is called (Id, always the last
        field): equal across a move to another section."""
        return _hash(self.kind, "\x1f".join(f for f in self.fields[:-1] if f != self.context))

    @property
    def origin(self) -> str:
        """The identity a pinned `id:` had while ids were unique per section only: the seed of the GUIDs of
        notes built before, so that no one's imported notes change GUID."""
        if "/" in self.ident:
            return self.ident
        place = {"row": f"{self.section}/rows", "trap": f"{self.section}/traps"}.get(self.kind, self.section)
        return f"{place}/{self.ident}"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    sheet: Sheet
    decks: tuple[str, ...]
    deck_descriptions: dict[str, str]
    notes: tuple[Note, ...]


def domain_deck(sheet: Sheet, domain: Domain) -> str:
    """Only what names the domain: Anki files imported notes by deck name, so a volatile part (the weight)
    would start a new deck and leave the existing cards in the old one."""
    return f"{sheet.deck}::{domain.label} · {domain.name.plain}"


def traps_deck(sheet: Sheet) -> str:
    return f"{sheet.deck}::Traps"


def domain_class(sheet: Sheet, domain: Domain) -> str:
    """The chip's class; its colours live in the note types' CSS (notetypes.palette_css), so a new colour
    updates the note types and no note. Ids are slugs with single hyphens, so `--` keeps the two apart."""
    return f"cd-{sheet.id}--{domain.id}"


def _context(sheet: Sheet, domain: Domain, title: Text) -> str:
    chip = (f'<span class="cd-domain {domain_class(sheet, domain)}">'
            f"{html.escape(domain.label)} · {domain.short.html}</span>")
    return f'{chip}<span class="cd-section">{title.html}</span>'


def _table(headers: tuple[Text, ...], cells: tuple[Text, ...], key_row: bool = False) -> str:
    head = "".join(f"<th>{h.html}</th>" for h in headers)
    row = "".join(f"<td>{c.html}</td>" for c in cells)
    cls = ' class="cd-key"' if key_row else ""
    return f"<table><tr>{head}</tr><tr{cls}>{row}</tr></table>"


def plan_notes(sheet: Sheet) -> Plan:
    notes: list[Note] = []
    prefix = sheet.id
    for domain in sheet.domains:
        deck = domain_deck(sheet, domain)
        for section in domain.sections:
            context = _context(sheet, domain, section.title)
            tags = (f"{prefix}::{domain.id}", f"{prefix}::topic::{section.id}")
            notes += _facts(section, deck, context, tags, prefix)
            notes += _rows(section, deck, context, tags, prefix)
            notes += _traps(sheet, section, context, tags, prefix)
    if sheet.quick_reference:
        quick = sheet.quick_reference
        for row in quick.rows:
            if row.cards == "none":
                continue
            context = _context(sheet, row.domain, quick.title)
            others = tuple(zip(quick.columns[1:], row.cells[1:]))
            notes.append(Note(
                ident=row.ident, kind="quickref", deck=domain_deck(sheet, row.domain),
                fields=(row.cells[0].html, " · ".join(h.html for h, _ in others),
                        _table(tuple(h for h, _ in others), tuple(c for _, c in others)),
                        context, f"{prefix}/{row.ident}"),
                tags=(f"{prefix}::{row.domain.id}", f"{prefix}::topic::quick-reference", f"{prefix}::kind::quickref"),
                fronts=(f"{context}|quick|{row.cells[0].plain}",), loc=row.loc, section="quickref",
                context=context))
    _check_unique_fronts(notes)
    decks = (sheet.deck, *(domain_deck(sheet, d) for d in sheet.domains), traps_deck(sheet))
    descriptions = {sheet.deck: html.escape(sheet.subtitle.plain if sheet.subtitle else sheet.title.plain)}
    descriptions.update({domain_deck(sheet, d): f"Weight: {d.weight}%" for d in sheet.domains})
    return Plan(sheet=sheet, decks=decks, deck_descriptions=descriptions, notes=tuple(notes))


def _facts(section: Section, deck: str, context: str, tags, prefix: str) -> list[Note]:
    out = []
    for fact in section.facts:
        if fact.cards == "none":
            continue
        reverse = fact.cards == "both"
        fronts = (f"{context}|{fact.question.plain}",) + ((f"{context}|{fact.answer.plain}",) if reverse else ())
        out.append(Note(
            ident=fact.ident, kind="fact", deck=deck,
            fields=(fact.question.html, fact.answer.html, context, "y" if reverse else "", f"{prefix}/{fact.ident}"),
            tags=tags + (f"{prefix}::kind::fact",), fronts=fronts, loc=fact.loc, section=section.id, context=context))
    return out


def _rows(section: Section, deck: str, context: str, tags, prefix: str) -> list[Note]:
    table = section.table
    if table is None:
        return []
    out = []
    headers = table.columns
    for row in table.rows:
        if row.cards == "none":
            continue
        reverse = row.cards == "both"
        others = _table(headers[1:], row.cells[1:])
        fronts = (f"{context}|{headers[0].plain}|{row.cells[0].plain}",)
        if reverse:
            fronts += (f"{context}|{'|'.join(c.plain for c in row.cells[1:])}",)
        out.append(Note(
            ident=row.ident, kind="row", deck=deck,
            fields=(row.cells[0].html, headers[0].html, " · ".join(h.html for h in headers[1:]), others,
                    _table(headers, row.cells, key_row=True), context, "y" if reverse else "", f"{prefix}/{row.ident}"),
            tags=tags + (f"{prefix}::kind::table",), fronts=fronts, loc=row.loc, section=section.id,
            context=context))
    return out


def _traps(sheet: Sheet, section: Section, context: str, tags, prefix: str) -> list[Note]:
    out = []
    for trap in section.traps:
        if trap.cards == "none":
            continue
        scenario = trap.question.html if trap.question else f"What is the exam trap in {section.title.html}?"
        out.append(Note(
            ident=trap.ident, kind="trap", deck=traps_deck(sheet),
            fields=(scenario, trap.text.html, context, f"{prefix}/{trap.ident}"),
            tags=tags + (f"{prefix}::kind::trap",), fronts=(f"{context}|trap|{scenario}",), loc=trap.loc,
            section=section.id, context=context))
    return out


def _check_unique_fronts(notes: list[Note]) -> None:
    seen: dict[str, Note] = {}
    problems = []
    for note in notes:
        for front in note.fronts:
            if front in seen and seen[front] is not note:
                problems.append(Problem(note.loc, f"two cards would show the same front as the card at line "
                                                  f"{seen[front].loc.line}; reword one question or set `cards`"))
            seen.setdefault(front, note)
    if problems:
        raise CheatdeckError(problems)

"""Stage 2a, plan: the sheet becomes Anki notes (fields, deck, tags, identity)."""

from __future__ import annotations

import functools
import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import inline
from ..errors import CheatdeckError, Location, Problem
from ..model import Anchor, Domain, Placed, Row, Section, Sheet, Table, Text
from ..source import listing
from ..source.idents import derive
from . import headers, language
from .cloze import cloze_cards, list_cloze
from .glossary import Glossary
from .answers import Answers
from .overlap import key_in_answer, words

if TYPE_CHECKING:
    from ..source.sections import Sections


# A quick-reference row whose rule shares this much of its wording with a fact or trap says the same thing,
# when the rule is a statement: a rule of a word or two ("Carboxylic acid") shared by a fact is a coincidence.
SAME_RULE = 0.6
MIN_RULE_WORDS = 4
_FIELD = re.compile(r"\{([^{}]+)\}")


# Cards and notes are made by the ten thousand: not frozen, as model.py explains, and slotted, which keeps each
# in a third of the memory of an instance with a __dict__.
@dataclass(unsafe_hash=True, slots=True)
class Card:
    """One card as a learner meets it, in plain text: what the front asks, and what the back answers."""

    context: str
    """The section's (or the trap's domain's) line above the question, one string for all its cards."""
    tail: str
    """What the card's front shows under its context (see `shown`)."""
    front: str
    answer: str
    back: str
    """Everything the back adds to the front: the answer and what surrounds it."""
    asked: bool
    """The front is a question (written with `q`, or made of a table cell and its column), not a bare label."""
    reverse: bool = False
    cloze: bool = False
    """The card hides one item of a list (or one deletion) and shows the rest."""

    @property
    def shown(self) -> str:
        """The front as Anki shows it, context included: no two cards may share one. Made when asked for: the
        context is a section's, and a copy in every card's front was an eighth of a big sheet's plan."""
        return f"{self.context}|{self.tail}"


@dataclass(frozen=True)
class Place:
    """Where a section's notes sit (the section itself is Note.section): presentation, not content (see
    Note.digest). The lock keeps each section's, so that a build can tell a renamed section, domain or deck from
    notes that moved."""

    title: str
    domain: str
    deck: str

    def record(self) -> dict[str, str]:
        return {"deck": self.deck, "domain": self.domain, "title": self.title}


@dataclass(unsafe_hash=True, slots=True)
class Note(Placed):
    """One note as the deck will hold it: its fields, tags, deck, identity and cards."""

    ident: str
    kind: str
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    cards: tuple[Card, ...]
    where: Location | int
    """Where its item starts (see model.Placed): `loc` makes the Location."""
    section: str
    words: tuple[str, ...]
    """The item's texts as the author wrote them, the note's identity across moves (see `content`)."""
    own: tuple[str, ...] | None = None
    """`own_fields` when they are not the fields with the context left out (a trap's, a glossed note's)."""
    place: Place | None = None
    """The section the note comes from; None for a quick-reference row."""
    quiet: tuple[str, ...] = ()
    """The lint rules the item is exempt from (`lint:` in the sheet)."""
    heading: str = ""
    """The title the fronts show above the question, plain: the section's, or the quick reference's; none on a
    trap, whose front names its domain only."""
    marks: Anchor | None = field(default=None, repr=False)

    @property
    def fronts(self) -> tuple[str, ...]:
        return tuple(card.shown for card in self.cards)

    @property
    def own_fields(self) -> tuple[str, ...]:
        """Each field as it counts for the note's digest: what shows where the note sits (the domain's chip, the
        section's title) left out, so that renaming or recolouring them is no edit of the note. Made when asked
        for (`digest`): most notes' are their fields with the context blanked, and a big sheet's plan held a
        copy of each note's fields for it."""
        if self.own is not None:
            return self.own
        fields, at = self.fields, _CONTEXT[self.kind]
        if self.kind == "fact":  # the hint names the section: only whether there is one is the note's own
            return (*fields[:at], "", "y" if fields[at + 1] else "", *fields[at + 2:])
        return (*fields[:at], "", *fields[at + 1:])

    @property
    def digest(self) -> str:
        """What decides the note's mod (the lock's `hash`): a change raises it, and an import then rewrites the
        note in Anki, the user's edits there included. So it holds the note's own fields (`own_fields`,
        presentation left out) and tags, not its deck: an import never moves existing cards between decks, and a
        deck name must not change every note in it."""
        return _hash(self.kind, "\x1f".join(self.own_fields), " ".join(self.tags))

    @property
    def written(self) -> str:
        """The digest of the fields as written, presentation included, which the lock's `hash` held before
        presentation was set apart: a lock entry holding it is that of an unchanged note."""
        return _hash(self.kind, "\x1f".join(self.fields), " ".join(self.tags))

    @property
    def content(self) -> str:
        """The item's own words, whatever section or domain it sits in and however they are named: equal across
        a move, a renamed section and a renamed domain, even when the item's text names its section."""
        return _hash(self.kind, "\x1f".join(self.words))

    @property
    def origin(self) -> str:
        """The identity a pinned `id:` had while ids were unique per section only: the seed of the GUIDs of
        notes built before, so that no one's imported notes change GUID."""
        if "/" in self.ident:
            return self.ident
        place = {"row": f"{self.section}/rows", "trap": f"{self.section}/traps"}.get(self.kind, self.section)
        return f"{place}/{self.ident}"


_CONTEXT = {"fact": 2, "cloze": 1, "list": 2, "row": 5, "quickref": 3}
"""Which of a note's fields (by kind) is its context, the section's line above the question."""


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    """The sheet's notes and decks, with the warnings of what the card rules left out."""

    sheet: Sheet
    decks: tuple[str, ...]
    deck_descriptions: dict[str, str]
    notes: tuple[Note, ...]
    warnings: tuple[Problem, ...] = ()
    """Cards the rules left out, and why: reverse cards without one answer."""


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


def _chip(sheet: Sheet, domain: Domain) -> str:
    return f'<span class="cd-domain {domain_class(sheet, domain)}">{html.escape(domain.label)} · {domain.short.html}</span>'


def _context(sheet: Sheet, domain: Domain, title: Text) -> str:
    return f'{_chip(sheet, domain)}<span class="cd-section">{title.html}</span>'


def _outside(sheet: Sheet, domain: Domain, section: Section, linked) -> tuple:
    """What a section's notes take from outside it, beside `_context`, `domain_deck`, `domain_class` and
    `_Planner.tags` that read it: the sheet's and domain's names, the quick reference's rules its items state
    (`linked`) and the sheet's language. A section kept between saves keeps its notes only while this is the same
    (source/sections.py)."""
    return (sheet.id, sheet.deck, domain.id, domain.label, domain.name.plain, domain.short.html,
            tuple(item.ident for item in (*section.facts, *section.traps) if item.ident in linked), sheet.language)


class _TableHtml:
    """A small HTML table of some columns under their headers: the header row and each cell's opening tag are
    written once for all the rows of a table (or the quick reference) that show them."""

    def __init__(self, headers: tuple[Text, ...]):
        wide = " cd-wide" if len(headers) >= 3 else ""
        head = "".join(f"<th>{h.html}</th>" for h in headers)
        self.head = f'<table class="cd-cols-{len(headers)}{wide}"><tr>{head}</tr><tr>'
        # data-label: on a phone, a wide row stacks its cells, each under its column's name (see cards.css).
        self.opening = tuple(f'<td data-label="{html.escape(h.plain)}">' for h in headers)

    def row(self, cells) -> str:
        return self.head + "".join(f"{td}{c.html}</td>" for td, c in zip(self.opening, cells)) + "</tr></table>"


def _why(why: Text | None) -> str:
    """Why it matters, under the answer on the back (the "Extra" of shared decks)."""
    return f'<div class="cd-why"><b>Why:</b> {why.html}</div>' if why else ""


def _with_why(back: str, why: Text | None) -> str:
    return f"{back} Why: {why.plain}" if why else back


class _Column:
    """What every card asking one column of a table repeats: the question its header makes, whether the header
    fits a row's cell (headers.py) or not, what its reverse card asks (the key column's header: "Which
    Algorithm?" in English, else as written, "¿Protocolo?"), and the table of the row's other cells on the back."""

    def __init__(self, table: Table, column: int, english: bool, language: str | None):
        header, key = table.columns[column], table.columns[0]
        self.template = table.questions[column] if column < len(table.questions) else None
        self.misfits = headers.misfits(table, column)
        self.as_header = headers.as_written(header, language)
        self.which = self.as_header
        self.reverse = (f"Which {key.html}?", f"which {key.plain}?") if english else headers.as_written(key, language)
        asked = headers.question(header.plain, english)
        if asked:
            self.which = (html.escape(asked[:1].upper() + asked[1:]), asked)
        self.others = tuple(i for i in range(1, len(table.columns)) if i != column)
        self.rest = _TableHtml(tuple(table.columns[i] for i in self.others)) if self.others else None
        # The first answer column keeps the row's identity, so a two-column table keeps its history.
        self.suffix = "" if column == 1 else f"/{derive(header.plain)}"
        self.headers = tuple(h.source for h in table.columns)

    def question(self, table: Table, row: Row, index: int) -> tuple[str, str]:
        """What the row's card asks (HTML, plain): the table's template for the column with the row's cells
        filled in; else "Which <header>?" where the header fits the cell; else the header itself."""
        if self.template:
            names = {" ".join(c.plain.casefold().split()): cell for c, cell in zip(table.columns, row.cells)}
            filled = _FIELD.sub(lambda m: names[" ".join(m.group(1).casefold().split())].source, self.template)
            text = Text.parse(filled, row.where, marks=row.marks)
            return text.html, text.plain
        return self.as_header if index in self.misfits else self.which


def _lead(answer: Text) -> str:
    return f'<div class="cd-lead"><b>{answer.html}</b></div>'


class _Planner:
    """Walks the sheet once, applying the card rules; what a rule leaves out becomes a warning."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.prefix = sheet.id
        self.english = language.said_english(sheet)
        self.warnings: list[Problem] = []
        self.linked = _quickref_links(sheet)
        self.linked_rows = set(self.linked.values())
        self.tag_sets: dict[tuple[str, str, str, bool], tuple[str, ...]] = {}
        self.weighed = 0
        """How many reverse cards were weighed (`reverse_allowed`)."""
        self.places = {section.id: Place(section.title.plain, domain.id, domain_deck(sheet, domain))
                       for domain in sheet.domains for section in domain.sections}

    @functools.cached_property
    def answers(self) -> Answers:
        """Every answer of the sheet, indexed: asked only for a reverse card, which a sheet may have none of."""
        return Answers(self.sheet)

    def reverse_allowed(self, answer: Text, key: Text, loc: Location) -> bool:
        """One answer, and the key not given away: otherwise no reverse card, and a warning saying why."""
        self.weighed += 1
        said = words(answer.plain)
        if key_in_answer(words(key.plain), said):
            self.warnings.append(Problem(loc, f"no reverse card: its front \u201c{answer.plain}\u201d gives away "
                                              f"the key \u201c{key.plain}\u201d; set `reverse: false` here"))
            return False
        other = self.answers.other(answer)
        if other is not None:
            self.warnings.append(Problem(loc, f"no reverse card: \u201c{answer.plain}\u201d also answers the item at "
                                              f"line {other.line}; set `reverse: false` here or reword one answer"))
            return False
        return True

    def section(self, domain: Domain, section: Section, deck: str) -> list[Note]:
        context = _context(self.sheet, domain, section.title)
        return [*self.facts(domain, section, deck, context), *self.rows(domain, section, deck, context),
                *self.traps(domain, section)]

    def tags(self, domain: Domain, section: Section, kind: str, ident: str) -> tuple[str, ...]:
        # A fact or trap that stands in for a quick-reference row is found with the rest of the quick reference.
        key = (domain.id, section.id, kind, ident in self.linked)
        # One tuple for all the notes of a section and kind: a big sheet has few of them and many notes.
        if key not in self.tag_sets:
            tags = (f"{self.prefix}::{domain.id}", f"{self.prefix}::topic::{section.id}",
                    f"{self.prefix}::kind::{kind}")
            self.tag_sets[key] = tags + ((f"{self.prefix}::topic::quick-reference",) if key[3] else ())
        return self.tag_sets[key]

    def quick_tags(self, domain: Domain) -> tuple[str, ...]:
        key = (domain.id, "", "quickref", False)
        if key not in self.tag_sets:
            self.tag_sets[key] = (f"{self.prefix}::{domain.id}", f"{self.prefix}::topic::quick-reference",
                                  f"{self.prefix}::kind::quickref")
        return self.tag_sets[key]

    def facts(self, domain: Domain, section: Section, deck: str, context: str) -> list[Note]:
        out = []
        for fact in section.facts:
            if fact.cards == "none":
                continue
            if fact.cloze:
                out.append(self.cloze(domain, section, deck, context, fact))
                continue
            if fact.cards == "cloze":
                items = listing.parts(fact.answer.source)
                question = (fact.question.html, fact.question.plain)
                out.append(self.list_cloze(domain, section, deck, context, fact, question, items))
                continue
            asked = fact.question is not fact.key
            front = Card(context, fact.question.plain, fact.question.plain, fact.answer.plain,
                         _with_why(fact.answer.plain, fact.why), asked=asked)
            back = fact.answer.html
            if fact.key and fact.answer is fact.text:
                colon, space = fact.colon
                back = f"<b>{fact.key.html}{colon}</b>{space}{fact.value.html}"
            hint = ""
            cards = (front,)
            # A reverse card shows the answer and asks for the key; a bullet with its own question has no key to ask.
            if fact.cards == "both" and fact.key is not None and not asked \
                    and self.reverse_allowed(fact.answer, fact.key, fact.loc):
                hint = (f"Which term of <i>{section.title.html}</i> is this?" if self.english
                        else f"<i>{section.title.html}</i> \u2192 ?")
                cards += (Card(context, fact.answer.plain, fact.answer.plain, fact.key.plain, fact.key.plain,
                               asked=True, reverse=True),)
            name, back = f"{self.prefix}/{fact.ident}", back + _why(fact.why)
            out.append(Note(
                ident=fact.ident, kind="fact", deck=deck, fields=(fact.question.html, back, context, hint, name),
                tags=self.tags(domain, section, "fact", fact.ident), cards=cards, where=fact.where, marks=fact.marks,
                section=section.id, words=(fact.text.source, fact.question.source, fact.answer.source),
                place=self.places[section.id], quiet=fact.quiet, heading=section.title.plain))
        return out

    def cloze(self, domain: Domain, section: Section, deck: str, context: str, fact) -> Note:
        """One note of Anki's cloze kind; its text is the whole card, a card per deletion number."""
        name = f"{self.prefix}/{fact.ident}"
        cards = tuple(Card(context, f"cloze {number}|{fact.text.plain}", front, answer, fact.text.plain, asked=True,
                           cloze=True)
                      for number, front, answer in cloze_cards(fact.text.spans))
        return Note(
            ident=fact.ident, kind="cloze", deck=deck, fields=(fact.text.html, context, name),
            tags=self.tags(domain, section, "cloze", fact.ident), cards=cards, where=fact.where, marks=fact.marks,
            section=section.id, words=(fact.text.source,), place=self.places[section.id], quiet=fact.quiet,
            heading=section.title.plain)

    def list_cloze(self, domain: Domain, section: Section, deck: str, context: str, item,
                   question: tuple[str, str], items: list[tuple[str, str]], ident: str | None = None) -> Note:
        """`cards: cloze`: the list answer as one note of Anki's cloze kind, a card per item with the others shown,
        and `why` in a field of its own. Its identity is the item's with `/items`: a note of another kind must
        not take over the GUID of the plain card."""
        ident = f"{ident or item.ident}/items"
        text, fronts = list_cloze(question, items)
        back = " ".join(source for source, _ in items)
        cards = tuple(Card(context, f"items|{front}", front, answer, _with_why(back, item.why), asked=True,
                           cloze=True) for front, answer in fronts)
        why, name = item.why.html if item.why else "", f"{self.prefix}/{ident}"
        return Note(
            ident=ident, kind="list", deck=deck, fields=(text, why, context, name),
            tags=self.tags(domain, section, "list", item.ident), cards=cards, where=item.where, marks=item.marks,
            section=section.id, words=(question[1], *(source for source, _ in items)),
            place=self.places[section.id], quiet=item.quiet, heading=section.title.plain)

    def rows(self, domain: Domain, section: Section, deck: str, context: str) -> list[Note]:
        table = section.table
        if table is None:
            return []
        out = []
        columns = {column: _Column(table, column, self.english, self.sheet.language) for column in table.ask}
        for index, row in enumerate(table.rows):
            if row.cards == "none":
                continue
            for column in table.ask:
                ident = row.ident + columns[column].suffix
                question = columns[column].question(table, row, index)
                items = listing.parts(row.cells[column].source) if row.cards == "cloze" else []
                if len(items) > 1:
                    head, key = table.columns[0], row.cells[0]
                    asked = (f'<span class="cd-header">{head.html}:</span> {key.html} \u2014 {question[0]}',
                             f"{head.plain}: {key.plain} \u2014 {question[1]}")
                    out.append(self.list_cloze(domain, section, deck, context, row, asked, items, ident))
                else:
                    out.append(self.row_note(domain, section, deck, context, row, columns[column], column, ident,
                                             question))
        return out

    def row_note(self, domain: Domain, section: Section, deck: str, context: str, row, asking: _Column,
                 column: int, ident: str, question: tuple[str, str]) -> Note:
        """A card asking one cell of the row; its back shows the answer once, with the row's other cells."""
        table = section.table
        headers, key, cell, header = table.columns, row.cells[0], row.cells[column], table.columns[column]
        others = asking.others
        rest = asking.rest.row(tuple(row.cells[i] for i in others)) if asking.rest else ""
        back = " ".join(c.plain for i in others for c in (headers[i], row.cells[i]))
        cards = (Card(context, f"{headers[0].plain}|{key.plain}|{header.plain}",
                      f"{headers[0].plain}: {key.plain} \u2014 {question[1]}", cell.plain,
                      _with_why(f"{cell.plain} {back}", row.why), asked=True),)
        reverse = row.cards == "both" and self.reverse_allowed(cell, key, row.loc)
        if reverse:
            cards += (Card(context, f"{header.plain}|{cell.plain}", f"{cell.plain}: {asking.reverse[1]}",
                           key.plain, _with_why(f"{key.plain} {back}", row.why), asked=True, reverse=True),)
        # The reverse card's question is its field: the note type's template holds no words of a language.
        flag, name, extra = asking.reverse[0] if reverse else "", f"{self.prefix}/{ident}", rest + _why(row.why)
        return Note(
            ident=ident, kind="row", deck=deck,
            fields=(key.html, headers[0].html, question[0], cell.html, extra, context, flag, name),
            tags=self.tags(domain, section, "table", ident), cards=cards, where=row.where, marks=row.marks,
            section=section.id, words=(*asking.headers, *(c.source for c in row.cells), header.source), place=self.places[section.id], quiet=row.quiet,
            heading=section.title.plain)

    def trap_question(self, section: Section) -> str:
        """What a trap without its own `q` asks (source text): in English, which trap its section holds; in another
        language, in no words of ours, the section's title and the question mark ("过拟合 → ？")."""
        title = inline.escape(section.title.plain)
        if self.english:
            return f"What is the exam trap in {title}?"
        return f"{title} \u2192 {headers.question_mark(section.title.plain)}"

    def traps(self, domain: Domain, section: Section) -> list[Note]:
        out = []
        # The front shows the scenario and the domain only: the section title often names the answer,
        # so it moves to the back, under the rule.
        chip, deck = _chip(self.sheet, domain), traps_deck(self.sheet)
        for trap in section.traps:
            if trap.cards == "none":
                continue
            scenario = trap.question or Text.parse(self.trap_question(section), trap.where, marks=trap.marks)
            rule = _lead(trap.answer or trap.text)
            if trap.answer:
                rule += f'<div class="cd-rule">{trap.text.html}</div>'
            source = f'<div class="cd-source">{section.title.html}</div>'
            why = _why(trap.why)
            answer = trap.answer or trap.text
            back = _with_why(" ".join(t.plain for t in (trap.answer, trap.text, section.title) if t), trap.why)
            name = f"{self.prefix}/{trap.ident}"
            out.append(Note(
                ident=trap.ident, kind="trap", deck=deck, fields=(scenario.html, rule + source + why, chip, name),
                # Without a `q`, the scenario is made of the section's title alone.
                own=(trap.question.html if trap.question else "", rule + why, "", name),
                tags=self.tags(domain, section, "trap", trap.ident),
                cards=(Card(chip, f"trap|{scenario.plain}", scenario.plain, answer.plain, back,
                            asked=trap.question is not None),),
                where=trap.where, marks=trap.marks, section=section.id,
                words=tuple(t.source if t else "" for t in (trap.text, trap.question, trap.answer)),
                place=self.places[section.id], quiet=trap.quiet))
        return out

    def quick_reference(self) -> list[Note]:
        quick = self.sheet.quick_reference
        if quick is None:
            return []
        out = []
        # Per domain, not per row: the rows of one domain share their context line and deck.
        where = {d.id: (_context(self.sheet, d, quick.title), domain_deck(self.sheet, d)) for d in self.sheet.domains}
        prompt_of = headers.as_written(quick.columns[-1], self.sheet.language)[0]
        between = _TableHtml(quick.columns[1:-1])
        for row in quick.rows:
            if row.cards == "none" or (row.ident in self.linked_rows and not row.explicit):
                continue
            context, deck = where[row.domain.id]
            concept, rule = row.cells[0], row.cells[-1]
            prompt = row.question.html if row.question else prompt_of
            facts = row.cells[1:-1]
            lead = _lead(row.answer) + f'<div class="cd-rule">{rule.html}</div>' if row.answer else _lead(rule)
            back = lead + (between.row(facts) if facts else "") + _why(row.why)
            front, name = row.question.plain if row.question else concept.plain, f"{self.prefix}/{row.ident}"
            out.append(Note(
                ident=row.ident, kind="quickref", deck=deck, fields=(concept.html, prompt, back, context, name),
                tags=self.quick_tags(row.domain),
                cards=(Card(context, f"quick|{concept.plain}|{front}", front, (row.answer or rule).plain,
                            _with_why(" ".join(c.plain for c in (row.answer, *row.cells[1:]) if c), row.why),
                            asked=row.question is not None),),
                where=row.where, marks=row.marks, section="quickref",
                words=(*(c.source for c in row.cells), row.question.source if row.question else "",
                       row.answer.source if row.answer else ""),
                quiet=row.quiet, heading=quick.title.plain))
        return out


def plan_notes(sheet: Sheet, sections: Sections | None = None) -> Plan:
    """The sheet's notes; `sections`: what earlier builds kept (source/sections.py), so that a section record
    the load kept keeps the notes planned of it."""
    planner = _Planner(sheet)
    notes: list[Note] = []
    planned: dict[int, tuple] = {}
    for domain in sheet.domains:
        deck = domain_deck(sheet, domain)
        for section in domain.sections:
            if sections is None:
                notes += planner.section(domain, section, deck)
                continue
            context = _outside(sheet, domain, section, planner.linked)
            made = sections.notes(sheet, section, context)
            weighed = planner.weighed
            if made is None:
                made = planner.section(domain, section, deck)
            # A section whose reverse cards were weighed against the whole sheet's answers is planned anew.
            if planner.weighed == weighed:
                planned[id(section)] = (section, context, made)
            notes += made
    if sections is not None:
        sections.planned[str(sheet.source)] = planned
    notes += planner.quick_reference()
    if sheet.glossary:
        notes = _glossed(sheet, notes, sections)
    _check_unique_fronts(notes)
    decks = (sheet.deck, *(domain_deck(sheet, d) for d in sheet.domains), traps_deck(sheet))
    descriptions = {sheet.deck: html.escape(sheet.subtitle.plain if sheet.subtitle else sheet.title.plain)}
    descriptions.update({domain_deck(sheet, d): f"Weight: {d.weight}%" for d in sheet.domains
                         if d.weight is not None})
    return Plan(sheet=sheet, decks=decks, deck_descriptions=descriptions, notes=tuple(notes),
                warnings=tuple(planner.warnings))


def _glossed(sheet: Sheet, notes: list[Note], sections: Sections | None) -> list[Note]:
    """The notes as the glossary spells them out. With `sections`, a planned note the last plan glossed, under
    the same glossary, keeps the note it became: a kept section's notes stay the very objects its stamps keep."""
    glossary = Glossary(sheet.glossary)
    if sections is None:
        return [glossary.note(note) for note in notes]
    entries, before = sections.glossed.get(str(sheet.source), (None, {}))
    if entries != glossary.entries:
        before = {}
    now: dict[int, tuple[Note, Note]] = {}
    for note in notes:
        was = before.get(id(note))
        now[id(note)] = was if was is not None and was[0] is note else (note, glossary.note(note))
    sections.glossed[str(sheet.source)] = (glossary.entries, now)
    return [now[id(note)][1] for note in notes]


def _quickref_links(sheet: Sheet) -> dict[str, str]:
    """Fact or trap identity → the quick-reference row whose rule it already states."""
    if sheet.quick_reference is None:
        return {}
    rules = [(row, rule) for row in sheet.quick_reference.rows
             if len(rule := set(words(row.cells[-1].plain))) >= MIN_RULE_WORDS and row.ident is not None]
    if not rules:
        return {}
    items = [(item.ident, set(words(item.text.plain))) for domain in sheet.domains for section in domain.sections
             for item in (*section.facts, *section.traps) if item.ident and item.cards != "none"]
    # Which items use each word of a rule, so a row is scored only against the items that could reach SAME_RULE.
    ruling = set().union(*(rule for _, rule in rules))
    using: dict[str, list[int]] = {}
    for index, (_, said) in enumerate(items):
        for word in said & ruling:
            using.setdefault(word, []).append(index)
    links = {}
    for row, rule in rules:
        # An item that shares `need` of the rule's words holds at least one of its len(rule) - need + 1 rarest.
        need = next(k for k in range(len(rule) + 1) if k / len(rule) >= SAME_RULE)
        rarest = sorted(rule, key=lambda word: (len(using.get(word, ())), word))[:len(rule) - need + 1]
        candidates = {index for word in rarest for index in using.get(word, ())}
        score, ident = max(((len(rule & items[index][1]) / len(rule), items[index][0]) for index in candidates),
                           default=(0.0, None))
        if score >= SAME_RULE and ident not in links:
            links[ident] = row.ident
    return links


def _check_unique_fronts(notes: list[Note]) -> None:
    # By context and tail, not by the front they make (`Card.shown`), which would be written out for every card:
    # a context ends with its own `</span>`, and no other `</span>|` can stand in one (its texts are escaped),
    # so two fronts are the same exactly when their contexts and tails are.
    seen: dict[tuple[str, str], Note] = {}
    problems = []
    for note in notes:
        for card in note.cards:
            first = seen.setdefault((card.context, card.tail), note)
            if first is not note:
                problems.append(Problem(note.loc, f"two cards would show the same front as the card at line "
                                                  f"{first.loc.line}; reword one question or set `cards`"))
    if problems:
        raise CheatdeckError(problems)

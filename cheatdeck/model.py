"""The compiled sheet: what `load` returns and both outputs are planned from.

Every piece of text carries its inline spans (parsed when first used) and where it starts in
the source (a node number; `loc` makes the Location), so any later stage (a missing glyph, a
duplicate card front) can point back at the line the author wrote.

The records a sheet holds by the ten thousand (texts, facts, rows, traps) are
not frozen dataclasses: a frozen dataclass sets each field through
`object.__setattr__`, which made constructing them a tenth of a big sheet's
load. They compare and hash by value as frozen ones do, and nothing changes
them after `load` (but a text's spans, parsed when first asked for). They are
slotted: an instance without a __dict__ is one allocation, not two.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from . import inline
from .errors import Location
from .source.images import Media

if TYPE_CHECKING:
    from .source.reader import Nodes

CardChoice = Literal["both", "forward", "none", "cloze"]
"""cloze: a list answer becomes one cloze note, a card per item (bullets and table rows)."""


class Anchor:
    """Where a part of the sheet (a section, or the rest) starts among the sheet's nodes (reader.Nodes): the
    records of the part keep their node's number counted from here. A section read again unchanged keeps its
    records, lines inserted above it or not: only its anchor moves (`source/sections.py`)."""

    __slots__ = ("nodes", "base")

    def __init__(self, nodes: Nodes, base: int):
        self.nodes, self.base = nodes, base

    def location(self, node: int) -> Location:
        return self.nodes.location(self.base + node)

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Anchor) and self.base == other.base and self.nodes == other.nodes)

    def __hash__(self) -> int:
        return hash(self.base)


class Placed:
    """A record that keeps where it starts as `where`: a node counted from its part's Anchor (`marks`), or a
    Location when it has no node of its own (`marks` None). Its Location is made when asked for: most never
    are."""

    __slots__ = ()

    @property
    def loc(self) -> Location:
        return self.where if self.marks is None else self.marks.location(self.where)


@dataclass(unsafe_hash=True, slots=True)
class Text(Placed):
    """A text of the sheet as written, as plain text and as card HTML, with where it is."""

    source: str
    where: Location | int
    plain: str
    html: str
    marks: Anchor | None = field(default=None, repr=False)
    parsed: inline.Spans | None = field(default=None, compare=False, repr=False)
    """The spans once parsed (see `spans`)."""

    @property
    def spans(self) -> inline.Spans:
        """Parsed when first asked for: the deck needs only the plain text and HTML of most texts."""
        if self.parsed is None:
            self.parsed = inline.parse(self.source)
        return self.parsed

    @property
    def cloze(self) -> bool:
        """Whether the text holds cloze deletions (only a text with `{{c` can)."""
        return "{{c" in self.source and inline.has_cloze(self.spans)

    @classmethod
    def parse(cls, source: str, where: Location | int, media: Mapping[str, str] | None = None,
              spans: inline.Spans | None = None, marks: Anchor | None = None) -> Text:
        """`media` names each image the text shows in Anki's media folder; `spans`: the source's, when parsed
        already. The spans are not kept: most texts never need them again."""
        spans = inline.parse(source) if spans is None else spans
        return cls(source, where, inline.plain(spans), inline.to_html(spans, media), marks)


@dataclass(unsafe_hash=True, slots=True)
class Fact(Placed):
    """A bullet. `key`/`value` are set for "Key: value" bullets."""

    ident: str | None
    text: Text
    key: Text | None
    value: Text | None
    question: Text | None
    answer: Text | None
    cards: CardChoice
    where: Location | int
    why: Text | None = None
    quiet: tuple[str, ...] = ()
    """The lint rules this item is exempt from (`lint:`)."""
    marks: Anchor | None = field(default=None, repr=False)
    separator: str = ": "
    """What the text writes after its key: ': ', or the fullwidth '：' of Chinese and Japanese."""

    @property
    def colon(self) -> tuple[str, str]:
        """The key's colon as printed, bold with it, and the space after it (none after a fullwidth one)."""
        return (":", " ") if self.separator == ": " else (self.separator, "")

    @property
    def cloze(self) -> bool:
        """A bullet with cloze deletions is one note whose cards hide each deletion in turn."""
        return self.text.cloze


@dataclass(unsafe_hash=True, slots=True)
class Row(Placed):
    """A row of a section's table: a card per asked column, keyed by its first cell."""

    ident: str | None
    cells: tuple[Text, ...]
    cards: CardChoice
    where: Location | int
    why: Text | None = None
    quiet: tuple[str, ...] = ()
    marks: Anchor | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Table(Placed):
    """A section's table: its header, rows and the columns its cards ask for."""

    columns: tuple[Text, ...]
    rows: tuple[Row, ...]
    ask: tuple[int, ...]
    """The indexes of the columns the cards ask for, one card each (never 0, the key)."""
    where: Location | int
    marks: Anchor | None
    questions: tuple[str | None, ...] = ()
    """Per column, the question template its cards ask (`{Column}` stands for the row's cell), or None."""


@dataclass(unsafe_hash=True, slots=True)
class Trap(Placed):
    """A TRAP box: a rule that catches people out, asked as a scenario on its card."""

    ident: str | None
    text: Text
    question: Text | None
    answer: Text | None
    cards: CardChoice
    where: Location | int
    why: Text | None = None
    quiet: tuple[str, ...] = ()
    marks: Anchor | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Figure:
    """A section's image: drawn at `width` (a share of the column), with its caption below."""

    media: Media
    caption: Text | None
    width: float
    loc: Location


@dataclass(frozen=True)
class Section(Placed):
    """A section of a domain: its bullets, its table and its traps, under one bar."""

    id: str
    title: Text
    facts: tuple[Fact, ...]
    table: Table | None
    traps: tuple[Trap, ...]
    where: Location | int
    marks: Anchor | None
    image: Figure | None = None


@dataclass(frozen=True)
class Domain:
    """An exam domain: its own deck, chip and colour, and its sections."""

    id: str
    label: str
    name: Text
    short: Text
    weight: int | None
    color: str
    sections: tuple[Section, ...]
    loc: Location


@dataclass(unsafe_hash=True, slots=True)
class QuickRow(Placed):
    """A row of the quick reference: a card asking its question of the row's cells."""

    ident: str | None
    domain: Domain
    cells: tuple[Text, ...]
    question: Text | None
    cards: CardChoice
    explicit: bool
    """The row chose its cards itself, so it keeps its card even where a fact or trap says the same."""
    where: Location | int
    why: Text | None = None
    quiet: tuple[str, ...] = ()
    answer: Text | None = None
    """The card's short answer (`a:`); the rule, the last cell, follows it on the back."""
    marks: Anchor | None = field(default=None, repr=False)


@dataclass(frozen=True)
class QuickReference:
    """The quick reference: a table across the sheet's domains, printed last."""

    title: Text
    columns: tuple[Text, ...]
    rows: tuple[QuickRow, ...]
    loc: Location


@dataclass(frozen=True)
class Print:
    """The sheet's own print settings; the command line may override each. `columns` None: the theme's."""

    paper: str = "letter"
    pages: int = 2
    columns: int | None = None
    grayscale: bool = False
    why: bool = False
    """Print each item's `why:` on the page (it is always on the cards)."""
    quick_reference: str = "compact"


@dataclass(frozen=True)
class Sheet:
    """A whole sheet, loaded and checked: what both outputs are planned from."""

    id: str
    title: Text
    deck: str
    subtitle: Text | None
    author: str | None
    version: str
    date: datetime.date | None
    domains: tuple[Domain, ...]
    quick_reference: QuickReference | None
    print: Print
    source: Path
    loc: Location
    facts: tuple[Text, ...] = ()
    media: Mapping[str, Media] = field(default_factory=dict)  # each image by its file as written
    glossary: Mapping[str, str] = field(default_factory=dict)
    """Shorthand → what the cards say instead (whole words); the page keeps the shorthand."""
    language: str | None = None
    """The sheet's BCP 47 language tag as written (`de`, `pt-BR`), or None: not said (deck/language.py)."""

    def texts(self) -> Iterator[Text]:
        """Every piece of text the outputs show, in document order."""
        yield self.title
        if self.subtitle:
            yield self.subtitle
        yield from self.facts
        for domain in self.domains:
            yield from (domain.name, domain.short)
            for section in domain.sections:
                yield section.title
                if section.image and section.image.caption:
                    yield section.image.caption
                for fact in section.facts:
                    yield from (t for t in (fact.text, fact.question, fact.answer, fact.why) if t)
                if section.table:
                    yield from section.table.columns
                    for row in section.table.rows:
                        yield from row.cells
                        if row.why:
                            yield row.why
                for trap in section.traps:
                    yield from (t for t in (trap.text, trap.question, trap.answer, trap.why) if t)
        if self.quick_reference:
            yield self.quick_reference.title
            yield from self.quick_reference.columns
            for qrow in self.quick_reference.rows:
                yield from qrow.cells
                yield from (t for t in (qrow.question, qrow.answer, qrow.why) if t)

    def counts(self) -> dict[str, int]:
        sections = [s for d in self.domains for s in d.sections]
        return {
            "domains": len(self.domains),
            "sections": len(sections),
            "bullets": sum(len(s.facts) for s in sections),
            "tables": sum(1 for s in sections if s.table),
            "rows": sum(len(s.table.rows) for s in sections if s.table),
            "traps": sum(len(s.traps) for s in sections),
            "quickref": len(self.quick_reference.rows) if self.quick_reference else 0,
        }

"""A layout pass that lays out again only the pages an edit changed, and keeps the rest of an earlier pass.

The column flow from a page that opens with a unit's first part (not a part continued from the page before)
depends on nothing before that page: its columns start empty and the frame's height, and what the flow measured
went with the page before. So a layout kept from an earlier pass of the sheet at the same size (`Kept`: its pages
as records) still holds up to the last page that opens with a unit before the first unit the edit changed, and
again from the first page after the changed units that the new pass opens with the same unit as a kept page. The
pass starts at the one and stops at the other: the units before and after are never laid out. The balancing of
the last two pages (`Flow.settle`) is kept with them, so a splice always keeps the last two pages, and a pass
that starts after kept pages starts a page earlier than it must, so that it lays out two pages at least.

A kept page holds no flowables. One that the drawing cannot reuse either (pdf/reuse.py: the fonts' codes or the
page's number moved) is drawn from a cold layout of the sheet at that size, laid out once, when first asked for.

The one-word last lines a pass counts (`Layout.orphans`) depend on which section bars the flow asked for, and
while a unit is poured that depends on the page before it: each unit's count is kept with where its bars were
asked for (while it was poured, or later), so that a spliced pass counts what a cold pass of the sheet counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import Location
from ..model import Sheet
from .columns import Column, Flow, Unit
from .reuse import digest


class KeptUnit(NamedTuple):
    """A unit as a kept column names it: its title and where it is written (markers, page keys), and its place."""

    title: str
    loc: Location
    index: int


class Shape(NamedTuple):
    """A placed piece as the page key, the fills and the spacing read it."""

    height: float
    gap: float
    gap_kind: str
    rows: int
    stretch: float


@dataclass(slots=True)
class KeptColumn(Column):
    """A column kept from an earlier pass: its pieces are Shapes, its units KeptUnits. `page` and `index` say where
    it stands in this pass's pages, where a cold layout's column holds the flowables to draw it."""

    page: int = 0
    index: int = 0


# A column as kept: used, spread, pieces (Shape fields), parts (unit, first atom, continued), units started.
Record = tuple[float, bool, tuple[tuple[float, float, str, int, float], ...], tuple[tuple[int, int, bool], ...],
               tuple[int, ...]]
# A unit's one-word last lines: those of its own paragraphs, and for its bar and its continued bar whether it
# ends on one word (None: never set), whether the flow asked for it while pouring the unit, and whether later.
Bar = tuple[int | None, bool, bool]
Tally = tuple[int, Bar, Bar]


@dataclass(frozen=True)
class Kept:
    """A pass at one size: the units' content keys in order, its pages before settling, its last pages after,
    and each unit's tally."""

    keys: tuple[str, ...]
    pages: tuple[tuple[Record, ...], ...]
    tail: tuple[tuple[Record, ...], ...]
    tallies: tuple[Tally, ...]

    def fresh(self) -> dict[int, int]:
        """The pages that open with a unit's first part, by that unit."""
        out = {}
        for number, page in enumerate(self.pages):
            if page and page[0][3] and page[0][3][0][1] == 0 and not page[0][3][0][2]:
                out[page[0][3][0][0]] = number
        return out

    def valid(self) -> bool:
        """Whether every unit a record names is one of the keys' (a file this code wrote always is)."""
        count = len(self.keys)
        records = [record for page in (*self.pages, *self.tail) for record in page]
        return len(self.tallies) == count and all(
            0 <= unit < count for record in records for unit in (*(p[0] for p in record[3]), *record[4]))


def look(page) -> str:
    """What a pass at `page`'s size depends on besides its units: the sheet, size, theme, fonts, ink, options,
    paper and the frame the header band leaves."""
    fonts = page.fonts
    faces = [f.fontName for f in (*fonts.fallback.text_faces, *fonts.fallback.code_faces, *fonts.fallback.fallbacks)]
    return digest(page.sheet.id, repr(page.theme), repr((fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic,
                                                         fonts.mono)), repr(faces), repr(page.ink), repr(page.opts),
                  repr((page.size, page.width, page.height, page.col_w, page.frame_h)))


class Spliced(Flow):
    """A flow some of whose pages were kept from an earlier pass (KeptColumn): their settled last pages are the
    kept ones (`tail`), and a kept page that must be drawn anew is drawn from a cold layout (`redo`)."""

    tail: list[list[Column]] | None = None
    redo: Callable[[], Flow] | None = None
    _cold: Flow | None = None

    def settle(self) -> None:
        if self.tail is None:
            super().settle()
            return
        self.pages[-len(self.tail):] = self.tail
        self.columns = [Column()]

    def spaced(self, column: Column):
        if not isinstance(column, KeptColumn):
            return super().spaced(column)
        if self._cold is None:
            self._cold = self.redo()
        return self._cold.spaced(self._cold.pages[column.page][column.index])


class Relay:
    """One layout pass of `sheet` at one size (`page.plan(attempt, relay)`), laid out again only where the sheet
    differs from `kept`, an earlier pass at that size; with none, a whole pass that is kept for the next."""

    def __init__(self, sheet: Sheet, units: list[tuple[str, str, Location]], kept: Kept | None):
        self.sheet = sheet
        self.units = units
        self.keys = tuple(key for key, _, _ in self.units)
        self.index_of = {loc: index for index, (_, _, loc) in enumerate(self.units)}
        self.kept = kept if kept is not None and kept.valid() else None
        # This pass's tallies, by unit; the units it laid out run from `start` to `synced` (the unit that opened
        # the page where the kept pages took over, None if none did).
        self.tallies: dict[int, list] = {}
        self.start = 0
        self.resumed = False  # the pass began after kept pages (a prefix)
        self.synced: int | None = None
        self.shift = 0
        self.current: int | None = None
        self.laid = 0  # units laid out

    def flow(self, *args) -> Spliced:
        return Spliced(*args)

    def placed(self, index: int) -> KeptUnit:
        _, title, loc = self.units[index]
        return KeptUnit(title, loc, index)

    def kept_columns(self, records, first: int, shift: int) -> list[list[KeptColumn]]:
        """Kept pages as this pass's columns, the first at page `first`, their units `shift` places on."""
        return [[KeptColumn([Shape(*p) for p in record[2]], record[0],
                            [self.placed(u + shift) for u in record[4]],
                            [(self.placed(u + shift), pos, continued) for u, pos, continued in record[3]],
                            record[1], first + number, index)
                 for index, record in enumerate(page)] for number, page in enumerate(records)]

    def units_from(self, layout, flow: Spliced) -> Iterator[Unit]:
        """The units the pass lays out, the kept pages before them put in `flow` first, and after them once the
        pass opens a page as the kept pass did."""
        kept, new = self.kept, self.keys
        if kept is not None and kept.keys == new:
            flow.pages = self.kept_columns(kept.pages, 0, 0)
            flow.tail = self.kept_columns(kept.tail, len(kept.pages) - len(kept.tail), 0) or None
            self.synced, self.start = -1, len(new)
            return
        fresh, first_change, suffix = ({}, 0, 0) if kept is None else (kept.fresh(), *_changed(kept.keys, new))
        # One page before the last that still holds: the pass then lays out at least two pages, which settling
        # pours again (`Flow.settle`) when they are the last.
        start = ([0, 0] + sorted(unit for unit in fresh if unit < first_change))[-2]
        if start:
            self.start, self.resumed = start, True
            flow.pages = self.kept_columns(kept.pages[:fresh[start]], 0, 0)
        self.shift = len(new) - len(kept.keys) if kept is not None else 0
        last_kept = max(len(kept.pages) - 2, 0) if kept is not None else -1
        for index, unit in enumerate(self._laid(layout, self.start), self.start):
            opened = len(flow.pages)
            self.current = index
            yield unit
            self.current = None
            old = index - self.shift
            if index > self.start and index >= len(new) - suffix and fresh.get(old, last_kept + 1) <= last_kept \
                    and flow.too_tall is None and (page := _opening(flow, unit, opened)) is not None:
                del flow.pages[page:]
                flow.pages += self.kept_columns(kept.pages[fresh[old]:], page, self.shift)
                flow.tail = self.kept_columns(kept.tail, len(flow.pages) - len(kept.tail), self.shift) or None
                flow.columns = [Column()]
                self.synced = index
                return

    def _laid(self, layout, start: int) -> Iterator[Unit]:
        """The units from `start`, laid out one by one, each one's bars counted where the flow asks for them."""
        units = layout.document(self.sheet, start)
        index = start
        while True:
            before = layout.orphans
            unit = next(units, None)
            if unit is None:
                return
            self.tallies[index] = [layout.orphans - before, [None, False, False], [None, False, False]]
            unit.bar = self._counted(layout, unit.bar, index)
            self.laid += 1
            yield unit
            index += 1

    def _counted(self, layout, bar: Callable, index: int) -> Callable:
        def counted(continued: bool):
            before = layout.orphans
            block = bar(continued)
            told = self.tallies[index][1 + continued]
            if told[0] is None:
                told[0] = layout.orphans - before
            told[1 if self.current == index else 2] = True
            return block
        return counted

    def tallied(self) -> tuple[Tally, ...]:
        """Each unit's tally as a cold pass of this sheet counts it (see the module's docstring)."""
        kept, out = self.kept, []
        for index in range(len(self.keys)):
            mine = self.tallies.get(index)
            if index < self.start:  # before the pass: kept
                out.append(kept.tallies[index])
                continue
            if self.synced is not None and index > self.synced:  # after it: kept, `shift` places on
                out.append(kept.tallies[index - self.shift])
                continue
            theirs = None
            if kept is not None and index == self.start and self.resumed:
                theirs, take = kept.tallies[index], (True, False)  # while poured: the kept pass's; later: this one's
            elif index == self.synced:
                theirs, take = kept.tallies[index - self.shift], (False, True)
            out.append(mine if theirs is None else _merged(mine, theirs, take))
        return tuple((t[0], tuple(t[1]), tuple(t[2])) for t in out)

    def records(self, pages: list[list[Column]]) -> tuple[tuple[Record, ...], ...] | None:
        """`pages` as kept; None if a column names a unit not of this sheet."""
        try:
            return tuple(tuple(self._record(column) for column in page) for page in pages)
        except KeyError:
            return None

    def _record(self, column: Column) -> Record:
        def index(unit) -> int:
            return unit.index if isinstance(unit, KeptUnit) else self.index_of[unit.loc]

        return (column.used, column.spread, tuple((p.height, p.gap, p.gap_kind, p.rows, p.stretch)
                                                 for p in column.pieces),
                tuple((index(unit), pos, continued) for unit, pos, continued in column.parts),
                tuple(index(unit) for unit in column.starts))


def orphans(tallies: tuple[Tally, ...]) -> int:
    """The one-word last lines a pass counts, from its units' tallies."""
    return sum(own + sum(bar[0] for bar in bars if bar[1] or bar[2]) for own, *bars in tallies)


def _changed(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    """The first unit that differs and how many at the end are the same."""
    first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    suffix = 0
    while suffix < min(len(old), len(new)) - first and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return first, suffix


def _opening(flow: Flow, unit: Unit, first: int) -> int | None:
    """The page from `first` on (the open one included) whose first column opens with `unit`'s first part."""
    for number in range(first, len(flow.pages) + 1):
        columns = flow.pages[number] if number < len(flow.pages) else flow.columns
        parts = columns[0].parts if columns else []
        if parts and parts[0][0] is unit and parts[0][1] == 0 and not parts[0][2]:
            return number
    return None


def _merged(mine: list, theirs: Tally, take: tuple[bool, bool]) -> list:
    """A unit's tally whose bars were asked for while it was poured as in `theirs` (take[0]) or `mine`, and
    later as in `theirs` (take[1]) or `mine`."""
    bars = []
    for own, old in zip(mine[1:], theirs[1:]):
        during = old[1] if take[0] else own[1]
        later = old[2] if take[1] else own[2]
        bars.append([own[0] if own[0] is not None else old[0], during, later])
    return [mine[0], *bars]


def dumped(kept: Kept) -> list:
    """`kept` as JSON holds it."""
    return [list(kept.keys), kept.pages, kept.tail, kept.tallies]


def loaded(value: object) -> Kept | None:
    """A Kept from what `dumped` wrote, or None when it is of another shape."""
    try:
        keys, pages, tail, tallies = value
        kept = Kept(tuple(_str(key) for key in keys), _pages(pages), _pages(tail), tuple(map(_tally, tallies)))
    except (TypeError, ValueError):
        return None
    return kept if kept.valid() else None


def _pages(value) -> tuple[tuple[Record, ...], ...]:
    return tuple(tuple(_column(column) for column in _list(page)) for page in _list(value))


def _column(value) -> Record:
    used, spread, pieces, parts, starts = value
    return (_float(used), _bool(spread),
            tuple((_float(h), _float(g), _str(kind), _int(rows), _float(s)) for h, g, kind, rows, s in _list(pieces)),
            tuple((_int(unit), _int(pos), _bool(continued)) for unit, pos, continued in _list(parts)),
            tuple(_int(unit) for unit in _list(starts)))


def _tally(value) -> Tally:
    own, *bars = value
    if len(bars) != 2:
        raise ValueError
    return (_int(own), *((None if bar[0] is None else _int(bar[0]), _bool(bar[1]), _bool(bar[2]))
                         for bar in map(_list, bars)))


def _list(value) -> list:
    if not isinstance(value, list | tuple):
        raise TypeError
    return value


def _typed(kind: type) -> Callable:
    def check(value):
        if type(value) is not kind:
            raise TypeError
        return value
    return check


_str, _bool, _int = _typed(str), _typed(bool), _typed(int)


def _float(value) -> float:
    if type(value) not in (int, float) or value != value or value in (float("inf"), float("-inf")):
        raise TypeError
    return float(value)

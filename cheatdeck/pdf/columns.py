"""The column flow: sections poured into columns, split only where a reader can follow, then spaced out.

A section is a bar and a run of items: bullets and TRAP boxes move whole; a table splits between rows
and repeats its header. A section split across columns starts its next part under a "(cont.)" bar.
A split leaves at least two lines under a bar on each side, the part after it holds two lines of the
section's own body (never only its traps: a trap stays with what precedes it), and neither part keeps
fewer than two items unless that would leave more than a twentieth of the column empty. A section never
crosses from one page to the next (the reader would turn the laminate over mid-section) unless it is
taller than a column or may cross (the quick reference): it starts the next page instead.

Every column is justified to the frame's foot as LaTeX's \\flushbottom does: its leftover height is glue
spread over its gaps and table rows, each kind by its weight, but no gap grows by more than its cap (a
section gap a line, a bullet gap a quarter of one), so that a column short of content ends short rather than
gappy. A page that ends early (the last, or one before a section that moved on) is balanced: its content
is poured again into columns of the height that gives the fewest demerits, as TeX weighs a paragraph's
lines: the columns' badness (how far past their caps they would have to stretch) and a price for every
section continued in the next column. A page less than half full is not spread: it has columns to spare, so
its sections are poured whole (split only where taller than a column, never to leave one item or table row
alone) into columns that end level. Once the
pages are known, the break before the last page may move a few sections earlier, where that evens the last
page with the one before it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from reportlab.platypus import Flowable

from .theme import Spacing

# How much of a column's leftover height each kind of gap takes; a table takes ROW_STRETCH for each line of its
# rows' height, so that a quick-reference row of six lines grows more than a zebra row of one.
STRETCH = {"section": 4.0, "block": 1.5, "item": 1.0, "bar": 0.0}
ROW_STRETCH = 0.4
# The most one weight of stretch grows, in lines: a section gap by a line, a gap around a box by 0.375 line,
# a bullet gap by a quarter line (LaTeX's itemize: 4 pt plus 2 pt on a 12 pt line), a row of six lines by 0.6.
STRETCH_CAP = 0.25
# How a balanced page is judged, as TeX judges a paragraph: each column's badness is 100 r³, r its leftover
# height over what its gaps may take (1: every gap at its cap), and each section continued in the next column
# costs as much as a column stretched to its caps.
SPLIT_DEMERITS = 300.0
MIN_PART = 2
# The last page break may move this many parts earlier, when both pages then have fewer demerits.
MOVE_BACK = 3
# A split keeps MIN_PART items on each side unless that leaves more than this share of the column empty.
MAX_WASTE = 0.05


@dataclass(slots=True)
class Block:
    """An item that never splits: a bullet, a TRAP box, a section bar."""

    flowable: Flowable
    height: float
    boxed: bool = False
    trap: bool = False


@dataclass(slots=True)
class Rows:
    """A table that splits between rows; `part(start, end, continued, extra)` builds rows[start:end] under
    the header, each row `extra` points taller."""

    head: float
    continued_head: float
    rows: list[float]
    part: Callable[[int, int, bool, float], Flowable]
    boxed: bool = True


class Poured(NamedTuple):
    """A unit as the pages of a pass that is not drawn name it once poured (`Flow.let_go_of_pages`)."""

    title: str
    loc: object


@dataclass(slots=True)
class Unit:
    """A section (or the quick reference): its bar, first and continued, and its items."""

    title: str
    loc: object
    bar: Callable[[bool], Block | None]
    items: list[Block | Rows]
    # May continue from one page to the next however short it is (the quick reference).
    may_cross: bool = False


@dataclass(slots=True)
class Piece:
    """What a column places: a block's flowable, or for `rows` table rows, what builds them `extra` points taller."""

    height: float
    gap: float
    gap_kind: str
    flowable: Flowable | Callable[[float], Flowable]
    rows: int = 0
    # The table rows' weight of stretch (0 for a block).
    stretch: float = 0.0

    def build(self, extra: float) -> Flowable:
        return self.flowable(extra) if self.rows else self.flowable


@dataclass(slots=True)
class Column:
    """One column of a page as it is poured: what it places, how tall that is, and which sections start or go on in
    it."""

    pieces: list[Piece] = field(default_factory=list)
    used: float = 0.0
    starts: list[Unit] = field(default_factory=list)
    # Each part placed here: its unit, its first atom, and whether it continues the unit.
    parts: list[tuple[Unit, int, bool]] = field(default_factory=list)
    # Spaced out to the frame's foot: not on a page less than half full, which keeps its natural flow.
    spread: bool = True

    def weight(self) -> float:
        return sum(STRETCH[p.gap_kind] for p in self.pieces[1:]) + sum(p.stretch for p in self.pieces)

    def glue(self, height: float, cap: float) -> float:
        """How much each weight of STRETCH grows to bring the column's foot to `height`, at most `cap`."""
        weight = self.weight()
        return min((height - self.used) / weight, cap) if weight and height > self.used and self.spread else 0.0

    def ink(self, height: float, cap: float) -> float:
        """Where the column's last piece ends once spread."""
        return self.used + self.glue(height, cap) * self.weight()


def _atoms(unit: Unit) -> list[tuple[int, int]]:
    """The unit's items as (item, row) pairs: row -1 for a whole block, else one table row."""
    out = []
    for i, item in enumerate(unit.items):
        out += [(i, r) for r in range(len(item.rows))] if isinstance(item, Rows) else [(i, -1)]
    return out


def _parts(columns: list[Column]) -> list[tuple[Unit, int, bool]]:
    """The first part of each unit the columns hold, in order: what pours them again."""
    parts, seen = [], set()
    for column in columns:
        for unit, pos, continued in column.parts:
            if id(unit) not in seen:
                seen.add(id(unit))
                parts.append((unit, pos, continued))
    return parts


def _sums(unit: Unit, atoms: list[tuple[int, int]]) -> tuple[list[float], list[float]]:
    """Running totals of the atoms' heights, of all of them and of the body's (traps left out)."""
    every, body = [0.0], [0.0]
    for index, row in atoms:
        item = unit.items[index]
        height = item.height if row < 0 else item.rows[row]
        every.append(every[-1] + height)
        body.append(body[-1] + (0.0 if row < 0 and item.trap else height))
    return every, body


# A unit's atoms, their running totals (`_sums`) and the running total of what each adds to a part (`Flow._measure`).
Measured = tuple[list[tuple[int, int]], tuple[list[float], list[float]], list[float]]




class Flow:
    def __init__(self, frame_height: float, spacing: Spacing, size: float, per_page: int, line: float):
        self.frame_height = frame_height
        self.per_page = per_page
        # The height the columns being poured may take: the frame's, or less while a page is balanced.
        self.height = frame_height
        # A split leaves at least two lines on each side (a hair less, for rounding).
        self.least = 1.9 * line
        self.cap = STRETCH_CAP * line
        self.line = line
        self.gap = {"section": spacing.section * size, "block": spacing.block * size,
                    "item": spacing.item * size, "bar": spacing.bar * size}
        self.pages: list[list[Column]] = []
        self.columns = [Column()]
        # The first unit with an item taller than a whole column: no page budget holds it at this size.
        self.too_tall: Unit | None = None
        # Each unit's atoms and running totals (`_measure`), by its id, with the unit itself.
        self._measured: dict[int, tuple[Unit, Measured]] = {}
        self._let_go = 0  # how many of the pages poured have let go of their flowables (`let_go_of_pages`)

    @property
    def column_count(self) -> int:
        return len(self.pages) * self.per_page + len(self.columns)

    def _gap_between(self, prev, item) -> str:
        if prev is None:
            return "bar"
        return "block" if prev.boxed or item.boxed else "item"

    def _pieces(self, unit: Unit, atoms: list[tuple[int, int]], continued: bool, column_empty: bool) -> list[Piece]:
        """The pieces that place `atoms` (plus the unit's bar) at the bottom of a column."""
        pieces = []
        bar = unit.bar(continued)
        if bar is not None:
            pieces.append(Piece(bar.height, 0.0 if column_empty else self.gap["section"], "section", bar.flowable))
        prev = None
        k = 0
        while k < len(atoms):
            index, row = atoms[k]
            item = unit.items[index]
            # With no bar above (the quick reference continued), the first item follows the section before.
            gap_kind = "section" if not pieces else self._gap_between(prev, item)
            gap = 0.0 if not pieces and column_empty else self.gap[gap_kind]
            if row < 0:
                pieces.append(Piece(item.height, gap, gap_kind, item.flowable))
                k += 1
            else:
                end = k
                while end < len(atoms) and atoms[end][0] == index:
                    end += 1
                start_row, end_row = row, atoms[end - 1][1] + 1
                cont = start_row > 0
                head = item.continued_head if cont else item.head
                height = head + sum(item.rows[start_row:end_row])
                pieces.append(Piece(height, gap, gap_kind,
                                    lambda extra, t=item, a=start_row, b=end_row, c=cont: t.part(a, b, c, extra),
                                    rows=end_row - start_row,
                                    stretch=ROW_STRETCH * sum(item.rows[start_row:end_row]) / self.line))
                k = end
            prev = item
        return pieces

    def _height(self, pieces: list[Piece]) -> float:
        return sum(p.height + p.gap for p in pieces)

    def _count_fitting(self, unit: Unit, measured: Measured, pos: int, continued: bool, column: Column) -> int:
        """The largest k whose pieces from `pos` fit the column: the part's height is its lead plus a difference of
        running totals, so the count is one bisection of them."""
        atoms, _, chain = measured
        room = self.height - column.used + 1e-6
        lead = self._lead(unit, atoms[pos], continued, not column.pieces)
        if lead > room:
            return 0
        return bisect_right(chain, room - lead + chain[pos + 1], pos + 1) - 1 - pos

    def _lead(self, unit: Unit, atom: tuple[int, int], continued: bool, column_empty: bool) -> float:
        """The height of a part's bar and first atom, with the gaps above them, as `_pieces` places them."""
        bar = unit.bar(continued)
        index, row = atom
        item = unit.items[index]
        first = item.height if row < 0 else (item.continued_head if row > 0 else item.head) + item.rows[row]
        if bar is None:
            return first + (0.0 if column_empty else self.gap["section"])
        return bar.height + (0.0 if column_empty else self.gap["section"]) + self.gap["bar"] + first

    def _measure(self, unit: Unit) -> Measured:
        """The unit's atoms, their running totals (`_sums`), and the running total of what each atom adds to a part
        that already holds the atom before it: its gap and height, or a table row's height alone (the chain)."""
        known = self._measured.get(id(unit))
        if known is not None and known[0] is unit:
            return known[1]
        atoms = _atoms(unit)
        chain = [0.0, 0.0]
        for (before, _), (index, row) in zip(atoms, atoms[1:]):
            item = unit.items[index]
            if index == before:
                add = item.rows[row]
            else:
                gap = self.gap[self._gap_between(unit.items[before], item)]
                add = gap + (item.height if row < 0 else item.head + item.rows[row])
            chain.append(chain[-1] + add)
        measured = (atoms, _sums(unit, atoms), chain)
        self._measured[id(unit)] = (unit, measured)
        return measured

    def _split(self, unit: Unit, atoms, sums, pos: int, fitting: int, least: int) -> int:
        """How many atoms from `pos` to place when `fitting` fit, leaving `least` items on each side, two lines
        on each side, two lines of body after, and no trap first after (0 when no split does)."""
        every, body = sums
        end = len(atoms)
        for k in range(min(fitting, end - pos - least), least - 1, -1):
            cut = pos + k
            index, row = atoms[cut]
            if row < 0 and unit.items[index].trap:
                continue
            if every[cut] - every[pos] < self.least:
                return 0  # a smaller k leaves the first part smaller still
            if body[end] - body[cut] >= self.least:
                return k
        return 0

    def _pour(self, unit: Unit, pos: int = 0, continued: bool = False, strict: bool = False,
              whole: bool = False) -> None:
        """Place the unit's atoms from `pos` on, opening columns as they fill; `strict`: a split keeps MIN_PART
        items on each side however much of the column that leaves empty; `whole`: a unit that does not fit what
        is left of a column starts the next one (it splits only where it is taller than a column)."""
        measured = self._measure(unit)
        atoms, sums, _ = measured
        while pos < len(atoms):
            column = self.columns[-1]
            remaining = len(atoms) - pos
            fitting = self._count_fitting(unit, measured, pos, continued, column)
            k, pieces = fitting, None  # the pieces of the k atoms, once worked out
            if fitting < remaining and whole and column.pieces:
                k = 0
            elif fitting < remaining:
                k = self._split(unit, atoms, sums, pos, fitting, MIN_PART)
                if k:
                    pieces = self._pieces(unit, atoms[pos:pos + k], continued, not column.pieces)
                waste = self.height - column.used - (self._height(pieces) if k else 0)
                if waste > MAX_WASTE * self.height and not strict:
                    fewer = self._split(unit, atoms, sums, pos, fitting, 1) or k
                    k, pieces = fewer, pieces if fewer == k else None
            if k == 0:
                if column.pieces:
                    self.columns.append(Column())
                    continue
                k = max(1, fitting)
            if pieces is None:
                pieces = self._pieces(unit, atoms[pos:pos + k], continued, not column.pieces)
            if not continued:
                column.starts.append(unit)
            column.parts.append((unit, pos, continued))
            column.pieces += pieces
            column.used += self._height(pieces)
            if column.used > self.height + 1e-6 and self.height == self.frame_height and self.too_tall is None:
                self.too_tall = unit
            pos += k
            if pos < len(atoms):
                self.columns.append(Column())
                continued = True

    def add(self, unit: Unit) -> None:
        """Pour `unit` on; one that would cross to the next page and may not starts that page instead."""
        count = len(self.columns)
        last = self.columns[-1]
        mark = (len(last.pieces), last.used, len(last.starts), len(last.parts))
        self._pour(unit)
        if len(self.columns) > self.per_page and not unit.may_cross and (count > 1 or mark[0]) \
                and self._natural(unit) <= self.frame_height:
            del self.columns[count:]
            del last.pieces[mark[0]:], last.starts[mark[2]:], last.parts[mark[3]:]
            last.used = mark[1]
            self._close_page()
            self._pour(unit)
        while len(self.columns) > self.per_page:
            self.pages.append(self.columns[:self.per_page])
            self.columns = self.columns[self.per_page:]

    def _natural(self, unit: Unit) -> float:
        return self._height(self._pieces(unit, _atoms(unit), False, True))

    def _close_page(self) -> None:
        self._balance()
        self.pages.append(self.columns)
        self.columns = [Column()]
        # What was measured for this page's balancing goes with it: kept, it held every unit of the sheet alive
        # (a 10,000-fact pass peaked at 319 MiB instead of 176). A unit continued on the next page is measured again.
        self._measured.clear()

    def _balance(self) -> None:
        """Pour the page's parts again into the shortest columns that hold them (bisecting the height)."""
        parts = _parts(self.columns)
        if not parts:
            return
        if sum(c.used for c in self.columns) < self.per_page * self.frame_height / 2:
            self._level(parts)
            return
        poured = self.columns
        lo, hi = sum(c.used for c in poured) / self.per_page, self.frame_height
        while hi - lo > self.least / 8:
            if columns := self._poured_at((lo + hi) / 2, parts):
                poured, hi = columns, (lo + hi) / 2
            else:
                lo = (lo + hi) / 2
        # The shortest height leaves the last column what the others could not take, and a column of few gaps
        # spreads less than one of many: every height up to the frame's, half a line apart, is tried for the
        # one of fewest demerits.
        best = self._demerits(poured)
        step = self.least / 4
        for k in range(1, int((self.frame_height - hi) / step) + 1):
            columns = self._poured_at(hi + k * step, parts)
            if columns and (demerits := self._demerits(columns)) < best - 1e-6:
                poured, best = columns, demerits
        self.columns, self.height = poured, self.frame_height

    def _level(self, parts) -> None:
        """A page less than half full is not spread to the frame's foot (its gaps would gape): it is poured again
        into columns that end level, as LaTeX's multicols balances its last page. Nothing forces a split on a page
        with columns to spare, so sections are poured whole, and split as the frame would split them, each at
        every height from the shortest that holds the page to the frame's, half a line apart. It takes the pour
        that leaves the fewest lone pieces of a split section (a single item or table row under a "(cont.)" bar,
        or above one), then splits the fewest sections, then ends the most level, then takes the fewest columns
        (`_level_rank`)."""
        natural = [column for column in self.columns if column.pieces]
        poured, best = natural, self._level_rank(natural)
        for whole in (True, False):
            lo, hi = sum(c.used for c in natural) / self.per_page, self.frame_height
            while hi - lo > self.least / 8:
                if self._poured_at((lo + hi) / 2, parts, strict=True, whole=whole) is not None:
                    hi = (lo + hi) / 2
                else:
                    lo = (lo + hi) / 2
            step = self.least / 4
            heights = [hi + k * step for k in range(int((self.frame_height - hi) / step) + 1)]
            for height in [*heights, self.frame_height]:
                columns = self._poured_at(height, parts, strict=True, whole=whole)
                if columns is not None and (rank := self._level_rank(columns)) < best:
                    poured, best = columns, rank
        for column in poured:
            column.spread = False
        self.columns, self.height = poured, self.frame_height

    def _level_rank(self, columns: list[Column]) -> tuple[int, int, float, int]:
        """How a level page is judged: its lone pieces (`_lone`), its sections continued in the next column, its
        columns, and its badness, each only where the ones before tie: each column's badness against the tallest
        (how far short of it it ends), rounded so that pours that end alike tie on it."""
        top = max(c.used for c in columns)
        bad = sum(100.0 * ((top - c.used) / (self.cap * max(c.weight(), 1.0))) ** 3 for c in columns)
        parts = [(column, part) for column in columns for part in column.parts]
        lone = sum(self._lone(columns, column, *part) for column, part in parts)
        splits = sum(continued for _, (_, _, continued) in parts)
        return lone, splits, round(bad, 6), len(columns)

    def _lone(self, columns: list[Column], column: Column, unit: Unit, pos: int, continued: bool) -> bool:
        """Whether the part of `unit` from atom `pos` in `column` is one atom of a unit split across columns."""
        following = [p for c in columns[columns.index(column) + 1:] for p in c.parts if p[0] is unit]
        if not continued and not following:
            return False
        end = following[0][1] if following else len(self._measure(unit)[0])
        return end - pos == 1

    def _demerits(self, columns: list[Column]) -> float:
        """The page's columns' badness and its continued sections' demerits (an unused column's is an empty
        one's)."""
        empty = self.per_page - len(columns)
        bad = sum(self._badness(c.used, c.weight()) for c in columns) + empty * self._badness(0.0, 0.0)
        return bad + SPLIT_DEMERITS * sum(continued for column in columns for _, _, continued in column.parts)

    def _badness(self, used: float, weight: float) -> float:
        """100 r³, r the leftover height over what the gaps take at their caps (a column without gaps counts
        one): 100 for a column whose gaps all reach their caps, more the shorter of the foot it ends."""
        return 100.0 * (max(self.frame_height - used, 0.0) / (self.cap * max(weight, 1.0))) ** 3

    def _poured_at(self, height: float, parts, strict: bool = False, whole: bool = False) -> list[Column] | None:
        """The page's parts poured into columns `height` tall (`strict`, `whole`: see `_pour`), or None if they take
        more than a page."""
        self.height, self.columns = height, [Column()]
        for unit, pos, continued in parts:
            self._pour(unit, pos, continued, strict, whole)
        columns = self.columns
        return columns if len(columns) <= self.per_page else None

    def let_go_of_pages(self) -> None:
        """Keep of the pages poured so far what a pass that is not drawn is read for (each column's pieces' sizes
        and gaps, and where each unit starts and goes on), not what would draw them: the fit search's pass at the
        size above its guess, which only shows that size to be over the budget, held every page of a 50,000-fact
        sheet's (the print's peak). Such a flow is never settled or drawn."""
        for page in self.pages[self._let_go:]:
            for column in page:
                for piece in column.pieces:
                    piece.flowable = None
                column.parts = [(Poured(unit.title, unit.loc), pos, continued) for unit, pos, continued in column.parts]
                column.starts = [Poured(unit.title, unit.loc) for unit in column.starts]
        self._let_go = len(self.pages)

    def finish(self) -> None:
        """Balance the last page: call once every unit is in."""
        if any(c.pieces for c in self.columns):
            self._close_page()

    def settle(self) -> None:
        """End the page before the last up to MOVE_BACK parts earlier if both pages then have fewer demerits: the
        last page holds only what is left over, and a full page before it may spare a section to even them. The
        pages stay as many, so the fit search leaves this to the layout it chose."""
        assert not self._let_go, "a flow that let go of its pages is never settled"
        if len(self.pages) < 2:
            return
        before, last = _parts(self.pages[-2]), _parts(self.pages[-1])
        best, pages = self._demerits(self.pages[-2]) + self._demerits(self.pages[-1]), None
        for m in range(1, min(MOVE_BACK, len(before) - 1) + 1):
            moved = {id(unit) for unit, _, _ in before[-m:]}
            first = self._balanced(before[:-m])
            second = self._balanced(before[-m:] + [part for part in last if id(part[0]) not in moved])
            if first and second and (demerits := self._demerits(first) + self._demerits(second)) < best - 1e-6:
                best, pages = demerits, [first, second]
        if pages:
            self.pages[-2:] = pages
        self.columns = [Column()]

    def _balanced(self, parts) -> list[Column] | None:
        """`parts` poured into a page's columns and balanced, or None if they take more than a page."""
        if self._poured_at(self.frame_height, parts) is None:
            return None
        self._balance()
        return self.columns

    def placed(self) -> Iterator[list[list[tuple[float, Flowable]]]]:
        """Page by page, each column's flowables with their top offsets, spaced out to fill it. A page's
        flowables are built only when it is reached and let go of once it is passed, so that drawing holds one
        page at a time: this consumes the flow."""
        pages, self.pages = self.pages, []
        for index, columns in enumerate(pages):
            pages[index] = None
            yield [self.spaced(column) for column in columns]

    def spaced(self, column: Column) -> list[tuple[float, Flowable]]:
        assert not self._let_go, "a flow that let go of its pages is never drawn"
        unit = column.glue(self.frame_height, self.cap)
        y, placed = 0.0, []
        for i, piece in enumerate(column.pieces):
            if i:
                y += piece.gap + unit * STRETCH[piece.gap_kind]
            extra = unit * piece.stretch / piece.rows if piece.rows else 0.0
            placed.append((y, piece.build(extra)))
            y += piece.height + extra * piece.rows
        return placed

    def fills(self) -> list[float]:
        """Every column's fill, page by page: where its last piece ends once spread, as a share of its height."""
        return [(columns[i].ink(self.frame_height, self.cap) if i < len(columns) else 0.0) / self.frame_height
                for columns in self.pages for i in range(self.per_page)]

    def last_page_share(self) -> float:
        """How many columns' worth of content the last page holds."""
        return sum(c.used for c in self.pages[-1]) / self.frame_height if self.pages else 0.0

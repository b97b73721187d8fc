"""The column flow: sections poured into columns, split only where a reader can follow, then spaced out.

A section is a bar and a run of items: bullets and TRAP boxes move whole; a table splits between rows
and repeats its header. A section split across columns starts its next part under a "(cont.)" bar, a
bar never ends a column, and neither part of a split keeps fewer than two items (unless the section
is taller than a column, or keeping two would leave more than a tenth of the column empty). Every
full column then spreads its leftover height over its gaps and table rows, so all full columns end on
the same line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from reportlab.platypus import Flowable

from .theme import Spacing

# How much of a column's leftover height each kind of gap, or table row, takes.
STRETCH = {"section": 4.0, "block": 1.5, "item": 1.0, "bar": 0.0, "row": 1.0}
MIN_PART = 2
# A split keeps MIN_PART items on each side unless that leaves more than this share of the column empty.
MAX_WASTE = 0.1


@dataclass(slots=True)
class Block:
    """An item that never splits: a bullet, a TRAP box, a section bar."""

    flowable: Flowable
    height: float
    boxed: bool = False


@dataclass(slots=True)
class Rows:
    """A table that splits between rows; `part(start, end, continued, extra)` builds rows[start:end] under
    the header, each row `extra` points taller."""

    head: float
    continued_head: float
    rows: list[float]
    part: Callable[[int, int, bool, float], Flowable]
    boxed: bool = True


@dataclass(slots=True)
class Unit:
    """A section (or the quick reference): its bar, first and continued, and its items."""

    title: str
    loc: object
    bar: Callable[[bool], Block | None]
    items: list[Block | Rows]


@dataclass(slots=True)
class Piece:
    """What a column places: a block's flowable, or for `rows` table rows, what builds them `extra` points taller."""

    height: float
    gap: float
    gap_kind: str
    flowable: Flowable | Callable[[float], Flowable]
    rows: int = 0

    def build(self, extra: float) -> Flowable:
        return self.flowable(extra) if self.rows else self.flowable


@dataclass(slots=True)
class Column:
    pieces: list[Piece] = field(default_factory=list)
    used: float = 0.0
    starts: list[Unit] = field(default_factory=list)

    def weight(self) -> float:
        return sum(STRETCH[p.gap_kind] for p in self.pieces[1:]) + sum(STRETCH["row"] * p.rows for p in self.pieces)


def _atoms(unit: Unit) -> list[tuple[int, int]]:
    """The unit's items as (item, row) pairs: row -1 for a whole block, else one table row."""
    out = []
    for i, item in enumerate(unit.items):
        out += [(i, r) for r in range(len(item.rows))] if isinstance(item, Rows) else [(i, -1)]
    return out


class Flow:
    def __init__(self, frame_height: float, spacing: Spacing, size: float):
        self.frame_height = frame_height
        self.gap = {"section": spacing.section * size, "block": spacing.block * size,
                    "item": spacing.item * size, "bar": spacing.bar * size}
        self.columns = [Column()]
        # The first unit with an item taller than a whole column: no page budget holds it at this size.
        self.too_tall: Unit | None = None

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
                                    rows=end_row - start_row))
                k = end
            prev = item
        return pieces

    def _height(self, pieces: list[Piece]) -> float:
        return sum(p.height + p.gap for p in pieces)

    def _count_fitting(self, unit, atoms, continued, column) -> int:
        """The largest k whose pieces fit. Height grows with k, so the search doubles k from 1 until it no longer
        fits and then bisects: its cost follows what fits in one column, not what is left of a long table."""
        room = self.frame_height - column.used

        def fits(k: int) -> bool:
            return self._height(self._pieces(unit, atoms[:k], continued, not column.pieces)) <= room + 1e-6

        lo, hi = 0, 1  # fits(lo) (taken, for 0); hi: the first doubling that does not fit, or all of them
        while hi < len(atoms) and fits(hi):
            lo, hi = hi, hi * 2
        hi = min(hi, len(atoms))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if fits(mid):
                lo = mid
            else:
                hi = mid - 1
        return lo

    @staticmethod
    def _split(fitting: int, remaining: int, least: int) -> int:
        """How many of `remaining` items to place when `fitting` fit, leaving `least` on each side (or 0)."""
        k = min(fitting, remaining - least)
        return k if k >= least else 0

    def add(self, unit: Unit) -> None:
        atoms = _atoms(unit)
        pos, continued = 0, False
        while pos < len(atoms):
            column = self.columns[-1]
            remaining = len(atoms) - pos
            fitting = self._count_fitting(unit, atoms[pos:], continued, column)
            k = fitting
            if fitting < remaining:
                k = self._split(fitting, remaining, MIN_PART)
                waste = self.frame_height - column.used - self._height(
                    self._pieces(unit, atoms[pos:pos + k], continued, not column.pieces)) if k else \
                    self.frame_height - column.used
                if waste > MAX_WASTE * self.frame_height:
                    k = self._split(fitting, remaining, 1)
            if k == 0:
                if column.pieces:
                    self.columns.append(Column())
                    continue
                k = max(1, self._count_fitting(unit, atoms[pos:], continued, column))
            pieces = self._pieces(unit, atoms[pos:pos + k], continued, not column.pieces)
            if not continued:
                column.starts.append(unit)
            column.pieces += pieces
            column.used += self._height(pieces)
            if column.used > self.frame_height + 1e-6 and self.too_tall is None:
                self.too_tall = unit
            pos += k
            if pos < len(atoms):
                self.columns.append(Column())
                continued = True

    def placed(self, per_page: int) -> Iterator[list[list[tuple[float, Flowable]]]]:
        """Page by page, each column's flowables with their top offsets, every column but the last spaced out to
        fill it. A page's flowables are built only when it is reached and let go of once it is passed, so that
        drawing holds one page at a time: this consumes the flow."""
        columns: list[Column | None] = [c for c in self.columns if c.pieces]
        self.columns = []
        for first in range(0, len(columns), per_page):
            page = []
            for n in range(first, min(first + per_page, len(columns))):
                column = columns[n]
                leftover = self.frame_height - column.used
                weight = column.weight()
                unit = leftover / weight if weight and n < len(columns) - 1 and leftover > 0 else 0.0
                y, placed = 0.0, []
                for i, piece in enumerate(column.pieces):
                    if i:
                        y += piece.gap + unit * STRETCH[piece.gap_kind]
                    extra = unit * STRETCH["row"]
                    flowable = piece.build(extra if piece.rows else 0.0)
                    placed.append((y, flowable))
                    y += piece.height + extra * piece.rows
                page.append(placed)
                columns[n] = None
            yield page

    def fills(self) -> list[float]:
        """Each column's natural fill (before spacing out), as a fraction of its height."""
        return [c.used / self.frame_height for c in self.columns if c.pieces]

"""Table column widths from a search over the content: the split of the width that makes the table
shortest, where a one-word last line, and a break inside a word, each count as `orphan_cost` points of
height.

Heights are estimated with the same greedy line breaking ReportLab uses, on the plain text, so the
search costs string widths, not paragraph layouts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

from . import cjk, linebreaks

STEPS = (16.0, 8.0, 4.0, 2.0, 1.0)
# Entries of each kind a pass's measures keep from one table to the next (`Measures`): a table's search reuses what
# it measured of its own cells, and few tables share a cell, so past this many they start again rather than grow
# with the sheet. A pass's strings' widths (`measured`) are many more, and smaller.
HELD = 8192
WIDTHS_HELD = 4 * HELD
# The least room, in points, a column whose words break anywhere keeps (a few letters).
MIN_ROOM = 12.0


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph of a cell: its plain text (no-break spaces bound), face, size, leading and indent."""

    text: str
    face: str
    size: float
    leading: float
    indent: float = 0.0
    # How a string is measured in `face`: fonts.Fallback.width measures what the face lacks in its fallback.
    measure: Callable[[str, str, float], float] = stringWidth
    odd: tuple[tuple[str, float], ...] = ()
    """The printed width of each word not set in `face`: code in mono, bold in a regular cell, a formula (a
    token of its own in `text`) as drawn."""
    known: dict[tuple[str, str, float], float] = field(default_factory=dict, compare=False, repr=False)
    """Strings measured, by text, face and size: the layout pass's, shared by its paragraphs (story.Layout), so
    that a word the sheet says many times is measured once, and none of it outlives the pass."""

    def width(self, text: str, word: str | None = None) -> float:
        """The width of `text`, a whole word or (`word`) a piece of one: a piece of a word set otherwise is
        as much wider than in `face` as its word is."""
        width = self._measured(text)
        if self.odd and (printed := self._odd(word or text)) is not None:
            if word is None or word == text:
                return printed
            whole = self._measured(word)
            return width * printed / whole if whole else width
        return width

    def natural(self) -> float:
        """The width of the paragraph on one line."""
        if not self.odd:
            return self.width(self.text)
        return sum(self.width(word) for word in self.text.split(" ")) + self.text.count(" ") * self.width(" ")

    def _measured(self, text: str) -> float:
        return measured(self.known, self.measure, text, self.face, self.size)

    def _odd(self, word: str) -> float | None:
        return next((width for odd, width in self.odd if odd == word), None)


Cell = tuple[Para, ...]


class Measures:
    """What the column-width search measured in one layout pass (story.Layout keeps one): each paragraph's
    words, each cell's height at a width and the room its words need. The search lays a table out at many
    widths, and asks at each size it tries for the table's floor and its words. A pass at another size measures
    anew, so all of it goes with the pass; and a long sheet's pass keeps at most about HELD entries of each kind,
    not its every cell (the 50,000-fact print peaked at 614 MiB with them unbounded, 573 bounded)."""

    __slots__ = ("_words", "_cells", "_needs")

    def __init__(self):
        self._words: dict[Para, tuple[float, tuple[float, ...], bool]] = {}
        self._cells: dict[tuple[Cell, float], tuple[float, int]] = {}
        self._needs: dict[Cell, tuple[tuple[float, float], ...]] = {}

    def words(self, para: Para) -> tuple[float, tuple[float, ...], bool]:
        """The width of a space in `para` and of each of its words, and whether it holds Chinese or Japanese
        (whose words break between characters)."""
        found = self._words.get(para)
        if found is None:
            words = tuple(para.width(word) for word in para.text.split(" ") if word)
            found = self._words[para] = (para.width(" "), words, cjk.solid(para.text))
        return found

    def lines(self, para: Para, room: float) -> tuple[int, int]:
        """How many lines `para` takes in `room`, and its flaws: one if its last line holds one word under
        several, and one for each break inside a word."""
        room -= para.indent
        space, widths, solid = self.words(para)
        if not solid and (not widths or max(widths) <= room):
            # Every word whole, as in most cells: `_cut_lines`'s greedy breaking on the widths alone.
            lines, used, last, before = 1, -space, 0, 0
            for w in widths:
                if used + space + w <= room or used < 0:
                    used += space + w
                    last += 1
                else:
                    lines, before, last, used = lines + 1, last, 1, w
            return lines, int(lines > 1 and last == 1 and before > 1)
        return _cut_lines(para, room, space)

    def cell(self, cell: Cell, room: float) -> tuple[float, int]:
        """The cell's height and flaws (lone last words, breaks inside words) in `room`: the width search asks
        again for every column a trial leaves as it was."""
        found = self._cells.get((cell, room))
        if found is None:
            height, lone = 0.0, 0
            for para in cell:
                n, one = self.lines(para, room)
                height += n * para.leading
                lone += one
            found = self._cells[cell, room] = (height, lone)
        return found

    def needs(self, cell: Cell) -> tuple[tuple[float, float], ...]:
        """The room each word of `cell` needs whole, and the widest of its joint-cut pieces needs (indent
        included, no padding). Chinese and Japanese need only their widest piece: whether a term of theirs keeps
        whole is the search's to weigh (`_solid` counts its break a flaw), as a long phrase breaks wherever a
        line ends."""
        found = self._needs.get(cell)
        if found is None:
            out = []
            for p in cell:
                for w in p.text.split(" "):
                    if w:
                        floor = _narrowest(p, w)
                        out.append(((floor if cjk.solid(w) else p.width(w)) + p.indent, floor + p.indent))
            found = self._needs[cell] = tuple(out)
        return found

    def least_width(self, column: list[Cell], pad: float) -> float:
        """The room the column's widest unbreakable piece needs (and a hair more: ReportLab's cells round)."""
        return max((floor for cell in column for _, floor in self.needs(cell)), default=0.0) + pad + 0.5

    def breaks_inside(self, columns: list[list[Cell]], col_widths: list[float], pad: float) -> bool:
        """Whether a word breaks inside itself (not at an identifier's joint) in a column of these widths."""
        return any(self.least_width(column, pad) - 0.5 > width for column, width in zip(columns, col_widths))

    def best_widths(self, columns: list[list[Cell]], available: float, pad: float,
                    orphan_cost: float) -> list[float]:
        """Widths for `columns` (lists of cells, row by row, the header first) that fill `available`. The table's
        search done, what it measured is kept for the next while each kind holds at most HELD entries: a table's
        own cells are never let go of in its search, however many it has."""
        widths = self._searched(columns, available, pad, orphan_cost)
        if max(len(self._words), len(self._cells), len(self._needs)) > HELD:
            self._words.clear()
            self._cells.clear()
            self._needs.clear()
        return widths

    def _searched(self, columns: list[list[Cell]], available: float, pad: float,
                  orphan_cost: float) -> list[float]:
        least = self._least(columns, available, pad)
        if sum(least) >= available:
            return [w * available / sum(least) for w in least]
        natural = [max(_natural(c, pad), m) for c, m in zip(columns, least)]
        if sum(natural) <= available:
            return [n * available / sum(natural) for n in natural]
        spare = available - sum(least)
        slack = [n - m + 1e-6 for n, m in zip(natural, least)]
        widths = [m + spare * s / sum(slack) for m, s in zip(least, slack)]
        # Each column's cell heights and flaws at a width, worked out once: a trial moves two columns' widths,
        # and the others keep theirs.
        laid: dict[tuple[int, float], tuple[list[float], int]] = {}

        def column(i: int, w: float) -> tuple[list[float], int]:
            if (i, w) not in laid:
                cells = [self.cell(cell, w - pad) for cell in columns[i]]
                laid[i, w] = [h for h, _ in cells], sum(n for _, n in cells)
            return laid[i, w]

        def cost(ws: list[float]) -> tuple[float, float]:
            trial = [column(i, w) for i, w in enumerate(ws)]
            height = 0.0
            for row in zip(*(heights for heights, _ in trial)):
                height += max(row)
            lone = sum(n for _, n in trial)
            return round(height + lone * orphan_cost, 3), height

        best = cost(widths)
        for step in STEPS:
            improved = True
            while improved:
                improved = False
                for i in range(len(widths)):
                    for j in range(len(widths)):
                        if i == j or widths[j] - step < least[j]:
                            continue
                        trial = list(widths)
                        trial[i] += step
                        trial[j] -= step
                        c = cost(trial)
                        if c < best:
                            widths, best, improved = trial, c, True
        return widths

    def _needs_of(self, column: list[Cell], pad: float) -> list[float]:
        """The room each word of the column needs whole, and each the widest of its joint-cut pieces needs."""
        return [need + pad + 0.5 for cell in column for pair in self.needs(cell) for need in pair]

    def _least(self, columns: list[list[Cell]], available: float, pad: float) -> list[float]:
        """The narrowest each column may be: wide enough for its words whole while the table has room for that;
        else the columns with the widest words give way first, to their identifiers' joints; and if that is not
        enough, each keeps whole the words that fit what the others leave it: only a word too wide for that
        breaks, inside its own cell."""
        needs = [self._needs_of(c, pad) for c in columns]
        least = [max(n, default=pad) for n in needs]
        floors = [self.least_width(c, pad) for c in columns]
        for hard in (False, True):
            for i in sorted(range(len(columns)), key=lambda i: -least[i]):
                if sum(least) <= available:
                    return least
                room = available - (sum(least) - least[i])
                if hard:
                    least[i] = max(max((n for n in needs[i] if n <= room), default=0.0), pad + MIN_ROOM)
                else:
                    least[i] = min(least[i], max(floors[i], room))
        return least


def measured(known: dict[tuple[str, str, float], float], measure: Callable[[str, str, float], float], text: str,
             face: str, size: float) -> float:
    """`measure(text, face, size)`, kept in `known`, a layout pass's strings' widths (story.Layout), which is
    emptied once it holds WIDTHS_HELD: the next string starts it again."""
    key = (text, face, size)
    width = known.get(key)
    if width is None:
        if len(known) >= WIDTHS_HELD:
            known.clear()
        width = known[key] = measure(text, face, size)
    return width


def _cut_lines(para: Para, room: float, space: float) -> tuple[int, int]:
    """`Measures.lines` of a paragraph (its indent taken off `room`) whose words too wide for a line are cut at
    joints, or which holds Chinese or Japanese."""
    counts, used, breaks = [0], -space, 0
    solid = cjk.solid(para.text)
    for word in para.text.split(" "):
        if not word:
            continue
        if solid and len(units := cjk.units(word)) > 1:
            used, flaws = _solid(para, word, units, room, space, used, counts)
            breaks += flaws
            continue
        parts = [word]
        if para.width(word) > room:
            parts = linebreaks.pieces(word, lambda p: para.width(p, word) <= room)
        for part in parts:
            w = para.width(part, word)
            if used + space + w <= room or used < 0:
                used += space + w
                counts[-1] += 1
            else:
                counts.append(1)
                used = w
        if len(parts) > 1:
            counts[-1] += 1  # a broken identifier's tail is not a lone word
            breaks += len(parts) - 1
    return len(counts), breaks + (len(counts) > 1 and counts[-1] == 1 and counts[-2] > 1)


def _solid(para: Para, word: str, units: list[str], room: float, space: float, used: float,
           counts: list[int]) -> tuple[float, int]:
    """`Measures.lines` for a word of Chinese or Japanese (cjk.py): its `units` follow one another with no space,
    each line as full as they fill it, a Latin one too wide for a line cut at its joints (story.py marks the
    cuts). Returns the room used on the last line, and its flaws: each such cut, and one if a word as short as a
    term broke (助詞 split; a phrase breaks wherever a line ends, and that is no flaw)."""
    lines, cuts = len(counts), 0
    for k, unit in enumerate(units):
        pieces = [unit] if para.width(unit, word) <= room else \
            linebreaks.pieces(unit, lambda p: para.width(p, word) <= room)
        cuts += len(pieces) - 1
        for j, piece in enumerate(pieces):
            w, gap = para.width(piece, word), space if k == j == 0 else 0.0
            if j == 0 and (used + gap + w <= room or used < 0):
                used += gap + w
                counts[-1] += k == 0
            else:
                counts.append(1)
                used = w
    if len(counts) == lines:
        return used, cuts
    counts[-1] += 1  # the word's tail is not a lone word
    return used, cuts + (len(units) <= cjk.WORD_UNITS)


def _narrowest(para: Para, word: str) -> float:
    """The widest piece of `word` a line must hold: cut at its identifier's joints, or, in Chinese or Japanese,
    wherever a line may break (cjk.py)."""
    return max(linebreaks.narrowest(unit, lambda t: para.width(t, word)) for unit in cjk.units(word))


def _natural(column: list[Cell], pad: float) -> float:
    return max((p.natural() + p.indent for cell in column for p in cell), default=0.0) + pad

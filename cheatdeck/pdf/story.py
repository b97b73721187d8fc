"""Stage 2b, plan: the sheet becomes units of flowables at one body size (a table too wide for its words at a
smaller one: `Layout.whole_words`), for the column flow.

Text meets ReportLab's paragraph markup only through `inline.to_reportlab`,
which escapes it, so `DI < 0.8` and `s3:*` print exactly as written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, toColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from .. import inline
from ..model import Domain, QuickReference, Section, Sheet, Text
from . import blocks, cjk, linebreaks, quickref, widths
from .columns import Block, Rows, Unit
from .fonts import FontNames
from .outlines import inline_markup, inline_width
from .theme import Ink, Theme, Words, as_reportlab, candidate_sizes, index_at_or_below
from .memo import LayoutMemo
from .shapes import Shapes
from .tablepart import CELL_COLOR, CELL_LEADING, CELL_SIZE, TABLE_ROOM, TablePart
from .tracking import Tracked, made, settle, settled, shed

BULLET = "•"
RULE = "▸"
TRAP_MARK = "⚠"
_NEVER = 1e6
# The least padding of a table cell, in points: less and the text touches the rules.
CELL_PAD = 2.5
# Half the difference, in body sizes, between the room a line leaves above its glyphs and below them.
GLYPH_LIFT = 0.155
# A table's columns as the width search measures them: the width of those that hold no words (the quick
# reference's domain chips), and the cells of those that do.
Columns = tuple[float, list[list[widths.Cell]]]
# A long table is measured this many rows at a time.
MEASURED_ROWS = 200
# What a measured paragraph keeps until drawn (Layout.hold).
WHOLE, LINES = "whole", "lines"


def _cell_room(width: float, padding: float) -> float:
    """The room a table cell of `width` padded `padding` each side gives its paragraphs, worked out as ReportLab's
    table works it out (`Table._listCellGeom`): a paragraph set for a width a rounding away is broken again."""
    return width - padding - padding


def _row_height(table: Table | TablePart, width: float, measured: Callable[[Flowable], None]) -> float:
    """The height of a table's first row (`measured` is told of the table once it is)."""
    table.wrap(width, _NEVER)
    measured(table)
    return table.heights[0] if isinstance(table, TablePart) else table._rowHeights[0]


def _paragraphs(rows: list[list], span: int) -> bool:
    """Whether every cell of `rows` but those the head's first spans holds paragraphs only (a TablePart draws
    them)."""
    return all(type(part) is Tracked for i, row in enumerate(rows) for j, cell in enumerate(row)
               if not (i == 0 and 0 < j < span)
               for part in (cell if isinstance(cell, (list, tuple)) else (cell,)))


class TrapBox(Flowable):
    """A TRAP: a reversed-out "⚠ TRAP" tab at the start of its first line and a rule down its left side."""

    def __init__(self, paragraph: Tracked, tab: str, layout: Layout):
        super().__init__()
        self.paragraph, self.tab, self.layout = paragraph, tab, layout

    def wrap(self, availWidth, availHeight):
        lay = self.layout
        _, h = self.paragraph.wrap(availWidth - lay.trap_inset - lay.pad, availHeight)
        self.width, self.height = availWidth, h + lay.pad * 0.8 + lay.pad
        return self.width, self.height

    def draw(self):
        lay, canvas = self.layout, self.canv
        canvas.saveState()
        canvas.setFillColor(lay.color(lay.theme.palette.trap_fill))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(as_reportlab(lay.trap_ink))
        canvas.rect(0, 0, lay.rule_w, self.height, stroke=0, fill=1)
        top = self.height - lay.pad * 0.8
        baseline = top - lay.size
        canvas.rect(lay.trap_inset, baseline - lay.size * 0.22, lay.tab_w, lay.size * 0.98, stroke=0, fill=1)
        canvas.setFillColor(as_reportlab(lay.ink.on(lay.trap_ink)))
        lay.fonts.fallback.draw(canvas, lay.trap_inset + lay.size * 0.25, baseline + lay.size * 0.04, self.tab,
                                lay.fonts.bold, lay.tab_size)
        canvas.restoreState()
        self.paragraph.drawOn(canvas, lay.trap_inset, lay.pad)

    def shed(self, styles: dict | None = None) -> None:
        shed(self.paragraph, styles)


class TitleBar(Flowable):
    """A section's title bar: its paragraph on a band of `fill`, padded (left, right, top, bottom). It draws what a
    one-cell ReportLab Table with that background and padding draws, call for call and number for number (its
    `_calc_height`, `_drawBkgrnd`, `_drawCell` and `_drawLines`), so the page is the same to the byte; a Table per
    bar cost its styles' parsing and its cell geometry worked out at each wrap."""

    def __init__(self, paragraph: Tracked, width: float, fill: Color, pads: tuple[float, float, float, float],
                 font: str):
        super().__init__()
        self.paragraph, self.fill, self.font = paragraph, fill, font
        self.left, self.right, self.top, self.bottom = pads
        self.width = width

    def wrap(self, availWidth, availHeight):
        _, height = self.paragraph.wrap(self.width - self.left - self.right, TABLE_ROOM - self.top - self.bottom)
        self.height = height + (self.bottom + self.top)
        return self.width, self.height

    def draw(self):
        canvas, paragraph, height = self.canv, self.paragraph, self.height
        canvas.saveState()
        canvas.setFillColor(self.fill)
        canvas.rect(0, height, self.width, -height, stroke=0, fill=1)
        # The cell's own style: ReportLab's default colour and size, in the table's font.
        canvas.setFillColor(CELL_COLOR)
        canvas.setFont(self.font, CELL_SIZE, CELL_LEADING)
        _, h = paragraph.wrapOn(canvas, self.width - self.left - self.right, height - self.top - self.bottom)
        paragraph.drawOn(canvas, self.left, self.bottom + h - h)
        canvas.saveState()  # where the table strokes its rules: it has none
        canvas.restoreState()
        canvas.restoreState()

    def shed(self, styles: dict | None = None) -> None:
        shed(self.paragraph, styles)


@dataclass
class Layout:
    """What sets one sheet's blocks at one size: the theme, fonts and widths, and what earlier passes measured."""

    size: float
    theme: Theme
    fonts: FontNames
    ink: Ink
    width: float
    frame_height: float
    media: dict = field(default_factory=dict)  # the sheet's images, by file as written
    why: bool = False  # the sheet prints its items' `why:` (print: {why: true})
    memo: LayoutMemo | None = None  # what earlier passes measured (memo.py); None: every paragraph is set anew
    words: Words = field(default_factory=Words)  # what the sheet says itself, in its language (theme.Words)

    def __post_init__(self):
        s, t = self.size, self.theme
        self.leading = s * t.body.leading
        self.pad = s * 0.28
        self.orphans = 0
        # What a measured flowable keeps until it is drawn (`hold`, as the flow runs long): WHOLE, parsed and broken;
        # LINES, its broken lines, compact (tracking.shed); or nothing but its markup (None), to be parsed and broken
        # again when drawn.
        self._keep: str | None = WHOLE
        self._whole: list[Flowable] = []
        # The paragraphs this pass set, by memo key, while measured flowables keep their lines (tracking.settled).
        self._twins: dict[bytes, Tracked] = {}
        self.styles: dict = {}  # the style runs of the lines kept (tracking.shed)
        self.shapes = Shapes()  # the markup parsed, by shape, for the paragraphs set in this layout's styles
        # Strings measured in this pass, by text, face and size (`_all_fit`, widths.Para), and what the column-width
        # search measured of its cells: the next pass sets another size.
        self._word_widths: dict[tuple[str, str, float], float] = {}
        self.measures = widths.Measures()
        # The column-width search trades this much table height for one fewer one-word last line.
        self.orphan_cost = self.leading * 0.5
        text = self.color(t.palette.text)
        # What every paragraph's markup is made with (`spans_markup`), worked out once: a long sheet has thousands.
        self.script_tags, self.muted = t.scripts.tags(), self.color(t.palette.muted)
        self.bar_styles: dict[str, ParagraphStyle] = {}
        self._solid_styles: dict[ParagraphStyle, ParagraphStyle] = {}
        self.trap_ink = self.ink.accent(t.palette.trap, t.palette.trap_gray)
        self.body = ParagraphStyle("body", fontName=self.fonts.regular, fontSize=s, leading=self.leading,
                                   textColor=text, allowOrphans=0, allowWidows=0, splitLongWords=1,
                                   spaceShrinkage=0)
        # A hanging indent exactly as wide as the marker and the no-break space after it.
        hang = stringWidth(BULLET + linebreaks.NO_BREAK_SPACE, self.fonts.regular, s)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=hang, firstLineIndent=-hang)
        self.cell = ParagraphStyle("cell", parent=self.body)
        self.key = ParagraphStyle("key", parent=self.cell, fontName=self.fonts.bold)
        small = s * t.scale.small
        self.head = ParagraphStyle("head", parent=self.body, fontName=self.fonts.bold, fontSize=small,
                                   leading=small * t.body.leading)
        rule_hang = stringWidth(RULE + linebreaks.NO_BREAK_SPACE, self.fonts.regular, s)
        self.rule = ParagraphStyle("rule", parent=self.cell, leftIndent=rule_hang, firstLineIndent=-rule_hang)
        head_hang = stringWidth(RULE + linebreaks.NO_BREAK_SPACE, self.fonts.regular, small)
        self.rule_head = ParagraphStyle("rulehead", parent=self.head, leftIndent=head_hang,
                                        firstLineIndent=-head_hang)
        section_size = s * t.scale.section
        self.section_style = ParagraphStyle("section", parent=self.body, fontName=self.fonts.bold,
                                            fontSize=section_size, leading=section_size * 1.15)
        self.tab_size = small
        self.trap_tab = f"{TRAP_MARK} {self.words.trap}"  # drawn as it is, not markup
        self.continued = self.fonts.fallback.markup(f" {escape(self.words.continued)}")
        self.why_lead = self.fonts.fallback.markup(f"{escape(self.words.why)} \u2014 ")
        self.tab_w = self.fonts.fallback.width(self.trap_tab, self.fonts.bold, small) + s * 0.5
        self.rule_w = max(1.2, s * 0.22)
        self.trap_inset = self.rule_w + self.pad * 1.2
        self.trap_style = ParagraphStyle("trap", parent=self.body, firstLineIndent=self.tab_w + s * 0.35)
        self.why_style = ParagraphStyle("why", parent=self.bullet, firstLineIndent=0)

    def hold(self, keep: str | None) -> None:
        """From now on measured flowables keep `keep` (see `_keep`); those held whole keep no more than that."""
        if keep != WHOLE and self._keep == WHOLE:
            for flowable in self._whole:
                shed(flowable, self.styles if keep == LINES else None)
            self._whole.clear()
        if keep is None:
            self._twins.clear()
        self._keep = keep

    def laid(self) -> None:
        """The pass is poured: what it set is no longer shared with paragraphs set later (a settling's few bars
        are set as they come). Its drawing lets go of each page as it goes, which the twins would undo by holding
        every drawn paragraph to the last page (a 10,000-fact draw with a memo rose 19 MiB against 5 without)."""
        self._twins.clear()

    def measured(self, flowable: Flowable) -> None:
        """A flowable is measured: it keeps what `hold` said, now or once it says less."""
        if self._keep == WHOLE:
            self._whole.append(flowable)
        else:
            shed(flowable, self.styles if self._keep == LINES else None)

    def color(self, hex_color: str) -> Color:
        """A theme colour as printed (`ink`), as ReportLab's."""
        return as_reportlab(self.ink(hex_color))

    # Text -------------------------------------------------------------------

    def markup(self, text: Text, width: float | None = None, bold: bool = False, size: float | None = None) -> str:
        """`text` as paragraph markup, its words wider than `width` broken (at `size`, the body's if None)."""
        return self.spans_markup(text.spans, width, bold, size)

    def spans_markup(self, spans: inline.Spans, width: float | None = None, bold: bool = False,
                     size: float | None = None) -> str:
        """`markup` of a text's `spans`: a run of them between its images, code and formulas (blocks.flow)."""
        spans = spans if width is None else self.breakable(spans, width, bold, size or self.size)
        markup = inline.to_reportlab(linebreaks.bind(spans), self.fonts.mono, self.formula, self.script_tags)
        return self.fonts.fallback.markup(linebreaks.marked(markup, self.muted))

    def formula(self, span: inline.Span) -> str:
        return inline_markup(span, self.size)

    def face(self, span: inline.Span, bold: bool) -> str:
        """The face a text span prints in, in a paragraph set in bold (`bold`) or not."""
        return self.fonts.mono if span.code else (self.fonts.bold if bold or span.bold else self.fonts.regular)

    def breakable(self, spans: inline.Spans, width: float, bold: bool, size: float) -> inline.Spans:
        """Break the words wider than `width` (identifiers at their joints, code after its separators), each
        piece on a line of its own behind the continuation mark; ReportLab would split them anywhere, unmarked."""
        out = []
        for span in spans:
            if span.kind != inline.TEXT:
                out.append(span)
                continue
            face = self.face(span, bold)
            words = span.text.split(" ")
            if self._all_fit(words, face, size, width):
                out.append(span)  # as most are: every word fits whole
                continue

            def fits(piece: str) -> bool:
                return self.fonts.fallback.width(piece, face, size) <= width

            out.append(replace(span, text=" ".join(self.broken(word, fits, span.code) for word in words)))
        return tuple(out)

    @staticmethod
    def broken(word: str, fits, code: bool) -> str:
        """`word` as linebreaks.broken prints it; in Chinese or Japanese, which breaks between its characters
        without a mark (cjk.py), only its Latin runs, each as a word of its own."""
        if not cjk.solid(word):
            return linebreaks.broken(word, fits, code)
        return "".join(unit if cjk.solid(unit) else linebreaks.broken(unit, fits, code) for unit in cjk.units(word))

    def _all_fit(self, words: list[str], face: str, size: float, width: float) -> bool:
        """Whether each of `words` prints at most `width` wide. Each word is measured once per layout (while it
        keeps them: widths.measured): a sheet says most of its words many times."""
        known, measure = self._word_widths, self.fonts.fallback.width
        return all(widths.measured(known, measure, word, face, size) <= width for word in words)

    def label(self, label: str) -> str:
        """A domain label as paragraph markup: the author's characters, literal, in the fonts that have them."""
        return self.fonts.fallback.markup(escape(label))

    def para(self, markup: str, style: ParagraphStyle, width: float) -> Tracked:
        """A paragraph set for `width`, tracked tighter if that saves a one-word last line (counted if not)."""
        if cjk.solid(markup):
            style = self.solid(style)
        if self.memo is None:
            paragraph, orphan = settle(lambda: made(markup, style, self.shapes), width, self.theme.tracking,
                                       style.fontSize)
        else:
            paragraph, orphan = settled(markup, style, width, self.theme.tracking, self.memo,
                                        None if self._keep is None else self._twins, self.shapes)
        self.orphans += orphan
        return paragraph

    def solid(self, style: ParagraphStyle) -> ParagraphStyle:
        """`style` for a paragraph with Chinese or Japanese in it: its lines break between characters (cjk.py)."""
        found = self._solid_styles.get(style)
        if found is None:
            found = self._solid_styles[style] = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
        return found

    def text_para(self, text: Text, style: ParagraphStyle, width: float, prefix: str = "") -> Flowable:
        if blocks.set_apart(text.spans):
            return blocks.flow(self, text, style, width, prefix)
        room = width - style.leftIndent
        return self.para(prefix + self.markup(text, room, style.fontName == self.fonts.bold, style.fontSize), style,
                         width)

    def plain(self, text: Text, style: ParagraphStyle, indent: float = 0.0) -> widths.Para:
        """`text` as the column-width search measures it: its words, each as wide as it prints."""
        bold, size = style.fontName == self.fonts.bold, style.fontSize
        odd: dict[str, float] = {}
        plain = text.plain

        def other_face(span: inline.Span) -> str | None:
            face = self.face(span, bold) if span.kind == inline.TEXT else None
            return face if face != style.fontName else None

        if any(span.kind == inline.MATH or other_face(span) for span in text.spans):
            parts = []
            for span in text.spans:
                if span.kind == inline.MATH:
                    # A token of its own: the source is LaTeX, not the words that print.
                    token = f"\ufffc{len(odd)}"
                    odd[token] = inline_width(span, size)
                    parts.append(f" {token} ")
                    continue
                if face := other_face(span):
                    odd.update((w, self.fonts.fallback.width(w, face, size)) for w in span.text.split(" ") if w)
                parts.append(span.text)
            plain = "".join(parts)
        return widths.Para(linebreaks.bind_plain(plain), style.fontName, size, style.leading, indent,
                           self.fonts.fallback.width, tuple(odd.items()), self._word_widths)

    # Blocks ---------------------------------------------------------------

    def block(self, flowable: Flowable, boxed: bool = False, trap: bool = False) -> Block:
        _, height = flowable.wrap(self.width, _NEVER)
        self.measured(flowable)
        return Block(flowable, height, boxed, trap)

    def title_bar(self, label: str, title: str, fill: str, continued: bool = False) -> Block:
        if fill not in self.bar_styles:
            self.bar_styles[fill] = ParagraphStyle("bar", parent=self.section_style,
                                                   textColor=toColor(self.ink.on(fill)))
        style = self.bar_styles[fill]
        small = self.size * self.theme.scale.small
        more = f"<font name='{self.fonts.regular}' size='{small:g}'>{self.continued}</font>" if continued else ""
        label = f"{label}  " if label else ""
        side = self.pad * 1.3
        paragraph = self.para(f"{label}<font name='{self.fonts.regular}'>{title}</font>{more}", style,
                              _cell_room(self.width, side))
        return self.block(TitleBar(paragraph, self.width, self.color(fill), (side, side, self.pad * 0.7, self.pad),
                                   self.fonts.regular))

    def fact(self, fact) -> Block:
        room = self.width - self.bullet.leftIndent
        if blocks.set_apart(fact.text.spans):
            if fact.key is None and fact.text.spans[0].kind in (inline.BLOCK, inline.DISPLAY):
                return self.block(blocks.flow(self, fact.text, self.bullet, self.width, marker=BULLET))
            colon, space = self.colon(fact)
            key = f"<b>{self.markup(fact.key, room, bold=True)}{colon}</b>{space}" if fact.key is not None else ""
            return self.block(blocks.flow(self, fact.value or fact.text, self.bullet, self.width,
                                          BULLET + linebreaks.NO_BREAK_SPACE + key))
        if fact.key is not None:
            colon, space = self.colon(fact)
            markup = f"<b>{self.markup(fact.key, room, bold=True)}{colon}</b>{space}{self.markup(fact.value, room)}"
        else:
            markup = self.markup(fact.text, room)
        return self.block(self.para(BULLET + linebreaks.NO_BREAK_SPACE + markup, self.bullet, self.width))

    def colon(self, fact) -> tuple[str, str]:
        """The markup of the colon after `fact`'s key (in the font that has it), and of the space after it."""
        colon, space = fact.colon
        return self.fonts.fallback.markup(colon), space

    def why_note(self, item) -> Block | None:
        """An item's `why:` under it, where the sheet prints them; a table row's names its key."""
        if not (self.why and item.why):
            return None
        room = self.width - self.why_style.leftIndent
        key = f"{self.markup(item.cells[0], room)}: " if hasattr(item, "cells") else ""
        return self.block(self.para(f"<i>{self.why_lead}{key}</i>{self.markup(item.why, room)}", self.why_style,
                                    self.width))

    def trap(self, trap) -> Block:
        room = self.width - self.trap_inset - self.pad
        if blocks.set_apart(trap.text.spans):
            # The tab sits on the first line: a trap that opens with an image or code gets a line for it.
            first = trap.text.spans[0].kind in blocks.SET_APART
            lead = linebreaks.NO_BREAK_SPACE if first else ""
            paragraph = blocks.flow(self, trap.text, self.trap_style, room, lead)
        else:
            paragraph = self.para(self.after_tab(trap.text, room) + self.markup(trap.text, room), self.trap_style, room)
        return self.block(TrapBox(paragraph, self.trap_tab, self), boxed=True, trap=True)

    def after_tab(self, text: Text, room: float) -> str:
        """What a trap's text starts with beside its tab: a line break when its first word is too wide for the room
        the tab leaves (ReportLab would cut it there, unmarked); else nothing."""
        first = text.plain.split(" ", 1)[0]
        if not first or cjk.solid(first):
            return ""
        tab_room = room - self.trap_style.firstLineIndent
        return "<br/>" if self.fonts.fallback.width(first, self.trap_style.fontName, self.size) > tab_room else ""

    # Tables ---------------------------------------------------------------

    def _cell_padding(self) -> float:
        """A table cell's padding, the same on all four sides."""
        return max(CELL_PAD, self.size * 0.32)

    def rows(self, head: list, continued_head: list, body: Iterable[list], col_widths: list[float], span: int = 1,
             chip: Callable[[int], Color] | None = None) -> Rows:
        """A splittable table: `head` on its first part, `continued_head` on the others. The `body` rows are laid
        out MEASURED_ROWS at a time, each run measured (and shed) before the next is laid out. The head's first cell
        spans `span` columns; `chip(i)`: the background of body row i's first cell, if any."""
        p = self._cell_padding()
        # A line's glyphs sit low in its leading: the padding above is the smaller by the difference, so that a
        # cell's text has as much room above its glyphs as below them.
        top, bottom = p * 0.8 - self.size * GLYPH_LIFT, p * 0.8 + self.size * GLYPH_LIFT

        def table(head_row, rows, first_row: int, extra: float) -> Flowable:
            return self._part([head_row, *rows], col_widths, first_row, (p, top, bottom, extra), span, chip)

        heights, laid, head_height = self._measured(head, body, table, (col_widths, (p, top, bottom)))
        return Rows(head_height, _row_height(table(continued_head, [], 0, 0.0), self.width, self.measured), heights,
                    lambda a, b, cont, extra: table(continued_head if cont else head, laid[a:b], a, extra))

    def _part(self, rows: list[list], col_widths: list[float], first_row: int,
              pads: tuple[float, float, float, float], span: int,
              chip: Callable[[int], Color] | None) -> TablePart | Table:
        """Rows of a table, its head first and the body from row `first_row`, each body row `extra` points taller
        (`pads`: the padding at the sides, above and below, and `extra`): a TablePart where every cell holds
        paragraphs, else the ReportLab Table it draws as."""
        p, top, bottom, extra = pads
        palette = self.theme.palette
        rule = self.color(palette.rule)
        fills = [(0, None, self.color(palette.table_header))]
        for i in range(len(rows) - 1):
            if (first_row + i) % 2:
                fills.append((i + 1, None, self.color(palette.zebra)))
            if chip is not None:
                fills.append((i + 1, 0, chip(first_row + i)))
        if _paragraphs(rows, span):
            return TablePart(rows, col_widths, p, ((top, bottom), (top + extra / 2, bottom + extra / 2)), fills,
                             (rule, 0.3, 0.4), self.fonts.regular, span)
        t = Table(rows, colWidths=col_widths)
        t.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), p), ("RIGHTPADDING", (0, 0), (-1, -1), p),
            ("TOPPADDING", (0, 0), (-1, 0), top), ("BOTTOMPADDING", (0, 0), (-1, 0), bottom),
            ("TOPPADDING", (0, 1), (-1, -1), top + extra / 2),
            ("BOTTOMPADDING", (0, 1), (-1, -1), bottom + extra / 2),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, rule),
            ("BOX", (0, 0), (-1, -1), 0.4, rule),
            *([("SPAN", (0, 0), (span - 1, 0))] if span > 1 else []),
            *(("BACKGROUND", (0 if column is None else column, row), (-1 if column is None else column, row), color)
              for row, column, color in fills)]))
        return t

    def _measured(self, head: list, body: Iterable[list], table: Callable[..., Table],
                  shape: tuple) -> tuple[list[float], list[list], float]:
        """The body rows' heights, the rows, and the head's height. Row heights do not depend on the other rows (the
        widths are fixed): measured once, they price any part. A long table is measured a run of rows at a time, so
        that no table of all its rows is ever built; with a memo, a run of rows it knows (by their paragraphs and
        the table's `shape`: column widths and paddings) is not built to be measured at all."""
        heights: list[float] = []
        laid: list[list] = []
        head_height = None
        body = iter(body)
        while True:
            run = list(islice(body, MEASURED_ROWS))
            if laid and not run:
                break
            keys = [self._row_key(row, shape) for row in run] if self.memo else []
            known = [self.memo.get_height(key) if key else None for key in keys]
            if run and keys and None not in known:
                heights += known
            else:
                measured = self._row_heights(run, shape)
                if measured is None:  # a cell of something else than paragraphs: its table tells
                    part = table(head, run, len(laid), 0.0)
                    part.wrap(self.width, _NEVER)
                    measured, head_height = part._rowHeights[1:], part._rowHeights[0]
                    self.measured(part)
                heights += measured
                for key, height in zip(keys, measured):
                    if key:
                        self.memo.put_height(key, height)
            laid += run
            if len(run) < MEASURED_ROWS:
                break
        if head_height is None:
            head_height = _row_height(table(head, [], 0, 0.0), self.width, self.measured)
        return heights, laid, head_height

    def _row_heights(self, rows: list[list], shape: tuple) -> list[float] | None:
        """The body rows' heights as ReportLab's table works them out (`Table._calc_height` and `_listCellGeom`, the
        same sums in the same order: a cell's flowables' heights and spaces, then its paddings; a row's tallest
        cell), without building the table, whose every cell, style command and row it would copy; None for a row
        with a cell of anything but paragraphs. Each paragraph is told measured (`measured`)."""
        col_widths, (pad, top, bottom) = shape
        room_h = TABLE_ROOM - top - bottom
        parts = [[cell if isinstance(cell, (list, tuple)) else (cell,) for cell in row] for row in rows]
        if any(type(part) is not Tracked for row in parts for cell in row for part in cell):
            return None
        heights = []
        for row in parts:
            tallest = 0
            for cell, width in zip(row, col_widths):
                total, first, after = 0, None, 0
                for part in cell:
                    _, height = part.wrap(width - pad - pad, room_h)
                    before, after = part.getSpaceBefore(), part.getSpaceAfter()
                    total += height + after + before
                    first = before if first is None else first
                    self.measured(part)
                total = (total - first - after if cell else 0) + (bottom + top)
                tallest = max(tallest, total)
            heights.append(tallest)
        return heights

    def _row_key(self, row: list, shape: tuple) -> bytes | None:
        """What a table row's height depends on, for the memo: its paragraphs as set and the table's shape (column
        widths, paddings); None for a row that holds anything else (an image, code)."""
        parts = [repr(shape)]
        for cell in row:
            for part in cell if isinstance(cell, (list, tuple)) else (cell,):
                if not isinstance(part, Tracked):
                    return None
                parts += [part.markup, self.memo.signature(part.style), repr((part.gain, part.shorten))]
            parts.append("|")
        return self.memo.digest("row", *parts)

    def whole_words(self, columns: Callable[[Layout], Columns]) -> tuple[Layout, float, list[list[widths.Cell]]]:
        """This layout, or a smaller one for a table whose columns cannot hold its longest words side by side at
        this size (`columns(layout)`: its `Columns` as set in that layout): ReportLab would break those words
        anywhere ("Nomina|tiv"), so the table is set at the largest of the theme's sizes at which they stay
        whole, never below the floor (where they break as they must). Word widths and paddings grow in
        proportion to the size and a hair per column does not, so the size in proportion to the width is an
        upper bound: the search starts at the theme's first size at or below it (the floor when none is).
        Returns the layout and its `columns`.

        A narrower body may give a table a larger size than a wider one (a column widens as the gutter narrows):
        the fit search, which assumes demand grows with the size, may then settle a step low, never on a size
        that does not fit."""
        fixed, cells = columns(self)
        needed = _least_width(self, fixed, cells)
        sizes = candidate_sizes(self.theme)
        if needed <= self.width or self.size <= sizes[-1]:
            return self, fixed, cells
        for size in sizes[index_at_or_below(sizes, self.size * self.width / needed):]:
            layout = replace(self, size=size)
            # One sheet, one choice: what the smaller layout measures is let go of with the rest.
            layout._keep, layout._whole, layout.styles = self._keep, self._whole, self.styles
            layout._twins = self._twins
            fixed, cells = columns(layout)
            if _least_width(layout, fixed, cells) <= self.width:
                break
        return layout, fixed, cells

    def breaks_words(self, table) -> bool:
        """Whether `table` breaks words inside them in this layout's column: at no size down to the floor do its
        longest words stand side by side (`whole_words`), and the widths it is set in leave a word's widest piece
        wider than its column. Kept in the memo by the table's text: a build after an edit measures only the
        tables it changed."""
        if self.memo is None:
            return self._breaks_words(table)
        key = self.memo.digest("breaks", repr((self.size, self.width)), self.memo.signature(self.head),
                               self.memo.signature(self.key), self.memo.signature(self.cell),
                               *(text.source for text in table.columns),
                               *(text.source for row in table.rows for text in row.cells))
        known = self.memo.get_height(key)
        if known is None:
            known = float(self._breaks_words(table))
            self.memo.put_height(key, known)
        return bool(known)

    def _breaks_words(self, table) -> bool:
        fixed, cells = self._table_columns(table)
        if _least_width(self, fixed, cells) <= self.width:
            return False
        layout, fixed, cells = self.whole_words(lambda lay: lay._table_columns(table))
        if _least_width(layout, fixed, cells) <= self.width:
            return False
        pad, measures = layout._cell_padding() * 2, layout.measures
        return measures.breaks_inside(cells, measures.best_widths(cells, self.width, pad, self.orphan_cost), pad)

    def _tabled(self, layout: Layout, rows: Callable[[Layout], Rows]) -> Rows:
        """`rows` laid out in `layout`, its one-word last lines counted in this one."""
        if layout is self:
            return rows(self)
        laid = rows(layout)
        self.orphans += layout.orphans
        return laid

    def _table_columns(self, t) -> Columns:
        return 0.0, [[(self.plain(t.columns[i], self.head),),
                      *((self.plain(row.cells[i], self.key if i == 0 else self.cell),) for row in t.rows)]
                     for i in range(len(t.columns))]

    def table(self, section: Section) -> Rows:
        t = section.table
        layout, _, columns = self.whole_words(lambda lay: lay._table_columns(t))
        return self._tabled(layout, lambda lay: lay._table(t, columns))

    def _table(self, t, columns: list[list[widths.Cell]]) -> Rows:
        p = self._cell_padding()
        col_widths = self.measures.best_widths(columns, self.width, p * 2, self.orphan_cost)
        room = [_cell_room(w, p) for w in col_widths]
        head = [self.text_para(c, self.head, room[i]) for i, c in enumerate(t.columns)]
        body = ([self.text_para(c, self.key if i == 0 else self.cell, room[i]) for i, c in enumerate(row.cells)]
                for row in t.rows)
        return self.rows(head, head, body, col_widths)

    # Whole document -------------------------------------------------------

    def section(self, domain: Domain, section: Section) -> Unit:
        title = self.markup(section.title)
        bars = {}

        def bar(continued: bool) -> Block:
            if continued not in bars:
                bars[continued] = self.title_bar(self.label(domain.label), title, domain.color, continued)
            return bars[continued]

        items: list = [block for f in section.facts for block in (self.fact(f), self.why_note(f)) if block]
        if section.table:
            items.append(self.table(section))
            items += [note for row in section.table.rows if (note := self.why_note(row))]
        if section.image:
            items.append(self.block(blocks.figure(self, section.image)))
        items += [block for t in section.traps for block in (self.trap(t), self.why_note(t)) if block]
        return Unit(section.title.plain, section.loc, bar, items)

    def _quick_columns(self, quick: QuickReference, rows: list[quickref.Printed]) -> Columns:
        """The chip column's width, and the key and detail columns' cells."""
        p2 = self._cell_padding() * 2
        chip_w = max(self.fonts.fallback.width(r.domain.label, self.fonts.bold, self.head.fontSize)
                     for r, _ in rows) + p2

        def detail_cell(cells, first, later) -> tuple:
            return tuple(self.plain(c, later, later.leftIndent) if i else self.plain(c, first)
                         for i, c in enumerate(cells) if c is not None)

        key_col = [(self.plain(quick.columns[0], self.head),),
                   *((self.plain(r.cells[0], self.key),) for r, _ in rows)]
        detail_col = [detail_cell(quick.columns[1:], self.head, self.rule_head),
                      *(detail_cell(cells, self.cell, self.rule) for _, cells in rows)]
        return chip_w, [key_col, detail_col]

    def quick_reference(self, quick: QuickReference, rows: list[quickref.Printed]) -> Unit:
        """The quick reference, its `rows` as printed (quickref.printed_rows)."""
        layout, chip_w, columns = self.whole_words(lambda lay: lay._quick_columns(quick, rows))
        table = self._tabled(layout, lambda lay: lay._quick_table(quick, rows, chip_w, columns))
        title_bar = self.title_bar("", self.markup(quick.title), self.theme.palette.quickref)

        def bar(continued: bool) -> Block | None:
            return None if continued else title_bar

        return Unit(quick.title.plain, quick.loc, bar, [table], may_cross=True)

    def _quick_table(self, quick: QuickReference, rows: list[quickref.Printed], chip_w: float,
                     columns: list[list[widths.Cell]]) -> Rows:
        p = self._cell_padding()
        key_w, detail_w = self.measures.best_widths(columns, self.width - chip_w, p * 2, self.orphan_cost)
        col_widths = [chip_w, key_w, detail_w]
        room = [_cell_room(w, p) for w in col_widths]
        spanned = _cell_room(chip_w + key_w, p)  # the head's first cell spans the chip and key columns
        marker = f"<font color='{self.trap_ink}'>{RULE}</font>{linebreaks.NO_BREAK_SPACE}"

        def stacked(cells, first, later) -> list[Flowable]:
            return [self.text_para(c, later, room[2], prefix=marker) if i else self.text_para(c, first, room[2])
                    for i, c in enumerate(cells) if c is not None]

        def head_row(continued: bool) -> list:
            more = f"<font name='{self.fonts.regular}'>{self.continued}</font>" if continued else ""
            return [self.para(self.markup(quick.columns[0], spanned, True, self.head.fontSize) + more, self.head,
                              spanned), "",
                    stacked(quick.columns[1:], self.head, self.rule_head)]

        chip_styles = []
        chips: dict[str, ParagraphStyle] = {}

        def body() -> Iterator[list]:
            for row, cells in rows:
                color = row.domain.color
                if color not in chips:
                    # The chip's column is its widest label and the padding: the room a cell works out from that
                    # may fall a rounding short of the label (14.16984374… for 14.16984375), which is never a
                    # reason to split it ("D" over "1").
                    chips[color] = ParagraphStyle("chip", parent=self.head, textColor=toColor(self.ink.on(color)),
                                                  alignment=1, splitLongWords=0)
                chip_styles.append(self.color(color))
                yield [self.para(self.label(row.domain.label), chips[color], room[0]),
                       self.text_para(row.cells[0], self.key, room[1]),
                       stacked(cells, self.cell, self.rule)]
        return self.rows(head_row(False), head_row(True), body(), col_widths, 2, chip_styles.__getitem__)

    def document(self, sheet: Sheet, start: int = 0) -> Iterator[Unit]:
        """The sheet's units in order from the `start`-th (those before are not laid out: pdf/relay.py), each laid
        out as the flow reaches it."""
        self.media = sheet.media
        self.why = sheet.print.why
        sections = [(domain, section) for domain in sheet.domains for section in domain.sections]
        for domain, section in sections[start:]:
            yield self.section(domain, section)
        if start <= len(sections) and (rows := quickref.printed_rows(sheet, sheet.print.quick_reference)):
            yield self.quick_reference(sheet.quick_reference, rows)


def _least_width(layout: Layout, fixed: float, cells: list[list[widths.Cell]]) -> float:
    """The width a table's columns (`cells`, beside `fixed`) need to keep their longest words whole in `layout`."""
    return fixed + sum(layout.measures.least_width(c, layout._cell_padding() * 2) for c in cells)

"""Stage 2b, plan: the sheet becomes ReportLab flowables at one body size.

Text meets ReportLab's paragraph markup only through `inline.to_reportlab`,
which escapes it, so `DI < 0.8` and `s3:*` print exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .. import inline
from ..model import Domain, QuickReference, Section, Sheet, Text
from .theme import Ink, Theme

BULLET = "•"
# Where an identifier too wide for its column may break: after / . _ - : or between camelCase humps.
_BREAK_AFTER = re.compile(r"(?<=[/._:-])(?=.)|(?<=[a-z])(?=[A-Z])")
# A section shorter than this share of a column moves whole to the next column rather than split.
KEEP_WHOLE = 0.2


@dataclass(frozen=True)
class FontNames:
    regular: str
    bold: str
    italic: str
    bold_italic: str
    mono: str


class Marker:
    """Tags the first flowable of a section, so the page builder can say where sections landed."""

    def __init__(self, title: str, loc):
        self.title = title
        self.loc = loc


class MarkedTable(Table):
    """A table that starts a section; when it splits across columns, its first part keeps the marker."""

    cheatdeck_marker: Marker | None = None

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        if parts:
            parts[0].cheatdeck_marker = self.cheatdeck_marker
            for part in parts[1:]:
                part.cheatdeck_marker = None
        return parts


@dataclass
class Layout:
    size: float
    theme: Theme
    fonts: FontNames
    ink: Ink
    width: float
    frame_height: float

    def __post_init__(self):
        s, t = self.size, self.theme
        self.leading = s * t.body.leading
        self.pad = s * 0.28
        text = self.ink(t.palette.text)
        self.body = ParagraphStyle("body", fontName=self.fonts.regular, fontSize=s, leading=self.leading,
                                   textColor=text, bulletFontName=self.fonts.regular, bulletFontSize=s,
                                   allowOrphans=0, allowWidows=0, splitLongWords=1)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=s * 0.85, bulletIndent=s * 0.1,
                                     spaceBefore=s * 0.12)
        self.cell = ParagraphStyle("cell", parent=self.body)
        self.head = ParagraphStyle("head", parent=self.cell, fontName=self.fonts.bold)
        section_size = s * t.scale.section
        self.section_style = ParagraphStyle("section", parent=self.body, fontName=self.fonts.bold,
                                            fontSize=section_size, leading=section_size * 1.15)

    def markup(self, text: Text, width: float | None = None, bold: bool = False) -> str:
        spans = text.spans if width is None else self.breakable(text.spans, width, bold)
        return inline.to_reportlab(spans, self.fonts.mono)

    def breakable(self, spans: inline.Spans, width: float, bold: bool) -> inline.Spans:
        """Mark natural break points in tokens wider than `width`; ReportLab would split them anywhere."""
        out = []
        for span in spans:
            face = self.fonts.mono if span.code else (self.fonts.bold if bold or span.bold else self.fonts.regular)
            words = []
            for word in span.text.split(" "):
                if stringWidth(word, face, self.size) > width:
                    word = self._break_word(word, face, width)
                words.append(word)
            out.append(replace(span, text=" ".join(words)))
        return tuple(out)

    def _break_word(self, word: str, face: str, width: float) -> str:
        pieces = []
        while stringWidth(word, face, self.size) > width:
            cuts = [m.start() for m in _BREAK_AFTER.finditer(word)
                    if stringWidth(word[:m.start()], face, self.size) <= width]
            if not cuts:
                break
            pieces.append(word[:cuts[-1]])
            word = word[cuts[-1]:]
        return inline.LINE_BREAK.join([*pieces, word])

    def para(self, text: Text | str, style: ParagraphStyle, width: float | None = None, **kw) -> Paragraph:
        if isinstance(text, str):
            return Paragraph(text, style, **kw)
        return Paragraph(self.markup(text, width, style.fontName == self.fonts.bold), style, **kw)

    # Section parts --------------------------------------------------------

    def title_bar(self, label: str, title: str, fill: str, marker: Marker | None) -> Flowable:
        fg = self.ink.on(fill)
        style = ParagraphStyle("bar", parent=self.section_style, textColor=fg)
        bar = MarkedTable([[Paragraph(f"{label}  <font name='{self.fonts.regular}'>{title}</font>", style)]],
                          colWidths=[self.width])
        bar.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), self.ink(fill)),
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            ("LEFTPADDING", (0, 0), (-1, -1), self.pad * 1.3),
            ("TOPPADDING", (0, 0), (-1, -1), self.pad * 0.7),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.pad),
        ]))
        bar.cheatdeck_marker = marker
        return bar

    def fact(self, fact) -> Paragraph:
        room = self.width - self.bullet.leftIndent
        if fact.key is not None:
            markup = f"<b>{self.markup(fact.key, room, bold=True)}:</b> {self.markup(fact.value, room)}"
        else:
            markup = self.markup(fact.text, room)
        return Paragraph(markup, self.bullet, bulletText=BULLET)

    def trap(self, trap) -> Flowable:
        label = self.ink(self.theme.palette.trap_label)
        text = self.markup(trap.text, self.width - 2 * self.pad)
        box = Table([[Paragraph(f"<font color='{label}'><b>TRAP</b></font>  {text}", self.cell)]],
                    colWidths=[self.width])
        box.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), max(0.8, self.size * 0.11), self.ink(self.theme.palette.trap_border)),
            ("BACKGROUND", (0, 0), (-1, -1), self.ink(self.theme.palette.trap_fill)),
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            *self._padding(1.0),
        ]))
        return box

    def _padding(self, factor: float) -> list:
        p = self.pad * factor
        return [("LEFTPADDING", (0, 0), (-1, -1), p), ("RIGHTPADDING", (0, 0), (-1, -1), p),
                ("TOPPADDING", (0, 0), (-1, -1), p * 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), p)]

    def grid(self, head: list[list], rows: list[list], widths: list[float], extra: list = ()) -> MarkedTable:
        """A table whose `head` rows repeat at the top of every column it continues into."""
        n = len(head)
        table = MarkedTable([*head, *rows], colWidths=widths, repeatRows=n)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, n - 1), (-1, n - 1), self.ink(self.theme.palette.table_header)),
            ("ROWBACKGROUNDS", (0, n), (-1, -1), ["#ffffff", self.ink(self.theme.palette.zebra)]),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, self.ink(self.theme.palette.rule)),
            ("BOX", (0, 0), (-1, -1), 0.4, self.ink(self.theme.palette.rule)),
            *self._padding(0.8),
            *extra,
        ]))
        return table

    def column_widths(self, columns: list[list[Text]], available: float) -> list[float]:
        """Auto table layout, as browsers do it: every column gets its longest word, the rest by content.

        Each column list starts with its header; headers and the key column print bold.

        When the longest words cannot all fit, the column holding the longest one (an identifier
        that must break anyway) gives up the room, so ordinary words are never split.
        """
        pad = self.pad * 1.6 + 1.0
        size = self.cell.fontSize

        def width(text: str, column: int, row: int) -> float:
            bold = column == 0 or row == 0
            return stringWidth(text, self.fonts.bold if bold else self.fonts.regular, size) + pad

        least = [max(width(w, i, r) for r, t in enumerate(col) for w in t.plain.split() or [""])
                 for i, col in enumerate(columns)]
        natural = [max(width(t.plain, i, r) for r, t in enumerate(col)) for i, col in enumerate(columns)]
        if sum(natural) <= available:
            return [n * available / sum(natural) for n in natural]
        if sum(least) >= available:
            widest = least.index(max(least))
            rest = sum(least) - least[widest]
            if available - rest >= least[widest] * 0.4:
                return [available - rest if i == widest else w for i, w in enumerate(least)]
            return [w * available / sum(least) for w in least]
        spare = available - sum(least)
        slack = [n - m for n, m in zip(natural, least)]
        return [m + spare * s / sum(slack) for m, s in zip(least, slack)]

    def table(self, section: Section) -> Table:
        t = section.table
        columns = [[t.columns[i], *(row.cells[i] for row in t.rows)] for i in range(len(t.columns))]
        widths = self.column_widths(columns, self.width)
        room = [w - 1.6 * self.pad for w in widths]
        header = [self.para(c, self.head, room[i]) for i, c in enumerate(t.columns)]
        key_style = ParagraphStyle("key", parent=self.cell, fontName=self.fonts.bold)
        rows = [[self.para(c, key_style if i == 0 else self.cell, room[i]) for i, c in enumerate(row.cells)]
                for row in t.rows]
        return self.grid([header], rows, widths)

    # Whole document -------------------------------------------------------

    def section(self, domain: Domain, section: Section) -> list[Flowable]:
        bar = self.title_bar(domain.label, self.markup(section.title), domain.color,
                             Marker(section.title.plain, section.loc))
        items: list[Flowable] = [self.fact(f) for f in section.facts]
        if section.table:
            items.append(self.table(section))
        items += [self.trap(t) for t in section.traps]
        gap = Spacer(0, self.size * 0.35)
        body = [bar, *items]
        height = sum(f.wrap(self.width, self.frame_height)[1] for f in body)
        if height <= self.frame_height * KEEP_WHOLE:
            return [KeepTogether(body), gap]
        # A long section may split, but its title never ends a column alone.
        return [KeepTogether(body[:2]), *body[2:], gap]

    def quick_reference(self, quick: QuickReference) -> list[Flowable]:
        chip_w = max(stringWidth(r.domain.label, self.fonts.bold, self.cell.fontSize) for r in quick.rows) + self.pad * 2
        key_col = [quick.columns[0], *(row.cells[0] for row in quick.rows)]
        details = [c for row in [quick.columns, *(r.cells for r in quick.rows)] for c in row[1:]]
        key_w, detail_w = self.column_widths([key_col, details], self.width - chip_w)
        widths = [chip_w, key_w, detail_w]
        key_style = ParagraphStyle("qkey", parent=self.cell, fontName=self.fonts.bold)
        rule = ParagraphStyle("rule", parent=self.cell, fontName=self.fonts.italic, leftIndent=self.size * 0.8,
                              bulletIndent=0, bulletFontName=self.fonts.regular, spaceBefore=self.size * 0.1)
        rule_head = ParagraphStyle("rulehead", parent=rule, fontName=self.fonts.bold_italic)

        room = [w - 1.6 * self.pad for w in widths]

        def stacked(cells, first, later) -> list[Paragraph]:
            return [self.para(cells[0], first, room[2]),
                    *(Paragraph(self.markup(c, room[2] - later.leftIndent), later, bulletText="▸") for c in cells[1:])]

        fill = self.theme.palette.quickref
        title = ParagraphStyle("qtitle", parent=self.section_style, textColor=self.ink.on(fill))
        head = [[self.para(quick.title, title), "", ""],
                [Paragraph("", self.head), self.para(quick.columns[0], self.head),
                 stacked(quick.columns[1:], self.head, rule_head)]]
        rows, extra = [], [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), self.ink(fill)),
                           ("LEFTPADDING", (0, 1), (0, -1), self.pad * 0.5),
                           ("RIGHTPADDING", (0, 1), (0, -1), self.pad * 0.5)]
        for i, row in enumerate(quick.rows, start=len(head)):
            chip = ParagraphStyle("chip", parent=self.head, textColor=self.ink.on(row.domain.color), alignment=1)
            rows.append([Paragraph(row.domain.label, chip), self.para(row.cells[0], key_style, room[1]),
                         stacked(row.cells[1:], self.cell, rule)])
            extra.append(("BACKGROUND", (0, i), (0, i), self.ink(row.domain.color)))
        table = self.grid(head, rows, widths, extra)
        table.cheatdeck_marker = Marker(quick.title.plain, quick.loc)
        return [table]

    def document(self, sheet: Sheet) -> list[Flowable]:
        story: list[Flowable] = []
        for domain in sheet.domains:
            for section in domain.sections:
                story += self.section(domain, section)
        if sheet.quick_reference:
            story += self.quick_reference(sheet.quick_reference)
        return story

"""One laid-out attempt at a body size: the page frames, header band, footer and the document it builds."""

from __future__ import annotations

import datetime
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec
from reportlab.lib.pagesizes import landscape
from reportlab.pdfgen.canvas import Canvas

from ..clock import source_date_epoch
from ..errors import Location
from ..model import Sheet
from ..options import PAPER_SIZES, PrintOptions
from .columns import Flow
from .fonts import FontNames
from .memo import LayoutMemo
from .relay import Relay
from .reuse import Drawn, PageCanvas, content, digest, unit_keys
from .story import LINES, WHOLE, Layout
from .theme import Ink, Theme, Words, as_reportlab

# Drawing waits until every page is laid out (the footer counts them). Until the flow passes WHOLE_PAGES pages,
# each measured paragraph is held parsed and broken, ready to draw (about 0.8 MiB a page); then those held and
# every one after keep only their broken lines, compact (tracking.shed: about 0.1 MiB a page), and are drawn from
# them. Parsing and breaking a paragraph again to draw it costs more than its lines take to hold: the 50,000-fact
# pass at 7 pt (`benchmarks/run.py --child`), holding 200 pages' lines and only the markup of the rest, took 112 s
# and peaked at 484 MiB; holding all of them, 104 s and 547 MiB, and the 10,000-fact pass 21 s (runs of 3
# December, shared machine). Past HELD_PAGES (some 90,000 facts at 9 pt, 120,000 at 7), a paragraph keeps only its
# markup all the same, so that memory grows by the text, not its lines, however long the sheet. Those held stay
# held.
# Holding whole costs nothing when a layout pass is not drawn (the fit search's others), while compacting and
# expanding again to draw took 7 % of the 3,000-fact sheet's cold `pdf` (86 pages: 7.4 s of CPU compacting past
# page 20, 6.9 s held whole), so a sheet whose units poured so far say it ends within WHOLE_SHEET_PAGES pages (and
# `watch` on it) is held whole to there. A longer one compacts past WHOLE_PAGES as before, sparing its memory the
# 80 pages more held whole.
WHOLE_PAGES = 20
WHOLE_SHEET_PAGES = 100
HELD_PAGES = 2000


@dataclass
class Attempt:
    """One layout pass at one size: the pages it took of the budget, and what did not fit."""

    size: float
    pages: int
    budget: int
    markers: list[tuple[str, Location, int]] = field(default_factory=list)
    overflow_section: tuple[str, Location] | None = None
    last: tuple[int, int, float] = (1, 0, 0.0)
    fills: list[float] = field(default_factory=list)
    orphans: int = 0
    flow: Flow | None = None
    columns: int = 1
    too_tall: bool = False
    """An item is taller than a whole column at this size: no budget holds it."""

    @property
    def fits(self) -> bool:
        return self.pages <= self.budget

    @property
    def demand(self) -> float:
        """The share of the page budget the content takes: over 1 when it does not fit."""
        pages, frame, used = self.last
        return ((pages - 1) * self.columns + frame + used) / (self.budget * self.columns)


def _held_whole(columns: int, per_page: int, placed: int, units: int) -> bool:
    """Whether a pass that has filled `columns` with `placed` of the sheet's `units` still holds what it measures
    whole: to WHOLE_PAGES pages, and to WHOLE_SHEET_PAGES while the units placed so far, in proportion, say the
    sheet ends within them (a pass laid out after kept pages counts those too: it says the sheet is longer)."""
    if columns <= min(WHOLE_PAGES, HELD_PAGES) * per_page:
        return True
    limit = min(WHOLE_SHEET_PAGES, HELD_PAGES) * per_page
    return columns <= limit and columns * units <= limit * placed


def _cut(text: str, font: str, size: float, room: float, width: Callable[[str, str, float], float]) -> str:
    """`text`, or as much of it as fits `room` followed by an ellipsis."""
    if width(text, font, size) <= room:
        return text
    while text and width(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _pdf_date(sheet: Sheet) -> str:
    epoch = source_date_epoch()
    if epoch is not None:
        moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    else:
        moment = datetime.datetime.combine(sheet.date or datetime.date(2000, 1, 1), datetime.time())
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


@dataclass
class Band:
    """What the header band prints: the title at `title_size`, the subtitle and facts, and the chips (label,
    width), beside the title or, `two_rows`, on a row of their own under it."""

    title: str
    title_size: float
    subtitle: str
    facts: str
    chip_size: float
    chips: list[tuple[str, float]]
    two_rows: bool


@dataclass
class Page:
    """The page a sheet is laid out on: paper, theme, fonts and the print options, at one size."""

    theme: Theme
    fonts: FontNames
    ink: Ink
    sheet: Sheet
    opts: PrintOptions
    size: float
    memo: LayoutMemo | None = None

    def __post_init__(self):
        self.reused = 0
        self.width, self.height = landscape(PAPER_SIZES[self.opts.paper])
        self.margin = self.theme.margin_in * 72
        self.band = self._band()
        self.words = self._words()
        self.facts_left_out = bool(self.sheet.facts) and not self.band.facts
        self.header_h = self.size * 3.0 + (self.band.chip_size * 1.45 + self.size * 0.5 if self.band.two_rows else 0.0)
        self.footer_h = self.size * 1.8
        self.gutter = self.size * self.theme.gutter
        cols = self.theme.columns
        self.col_w = (self.width - 2 * self.margin - (cols - 1) * self.gutter) / cols
        self.frame_bottom = self.margin + self.footer_h
        self.frame_top = self.height - self.margin - self.header_h
        self.frame_h = self.frame_top - self.frame_bottom

    def _words(self) -> Words:
        """The theme's words in the sheet's language; English where the fonts lack a character of them (Korean's
        without a Hangul font): a sheet's own text in that script is an error then, but these are not its text."""
        words = self.theme.words_for(self.sheet.language)
        return words if all(map(self.fonts.fallback.prints, msgspec.structs.astuple(words))) else Words()

    def column_x(self, index: int) -> float:
        return self.margin + index * (self.col_w + self.gutter)

    def _band(self) -> Band:
        """The header band's plan: the title at its full size, the subtitle (the exam code) beside it, then the
        facts, and the domains as chips (label, short name, weight if the sheet has weights) on the right. Chips
        that do not fit beside the title take a second row of the band rather than shrink it; chips that would
        take more than half a row drop their short names (the footer's legend names the domains). Facts that fit
        neither row are left out; a title wider than the page is cut."""
        t, s, width = self.theme, self.size, self.fonts.fallback.width
        inner = self.width - 2 * self.margin
        chip_size = s * t.scale.small * 1.05
        sub_size = s * t.scale.section
        title_size = s * t.scale.title
        # The subtitle takes what the whole title leaves of the row, and at least a third of it.
        room = max(inner / 3, inner - width(self.sheet.title.plain, self.fonts.bold, title_size) - s)
        subtitle = _cut(self.sheet.subtitle.plain if self.sheet.subtitle else "", self.fonts.regular, sub_size,
                        room, width)
        fixed = width(subtitle, self.fonts.regular, sub_size) + s if subtitle else 0.0
        title = _cut(self.sheet.title.plain, self.fonts.bold, title_size, inner - fixed, width)
        lead = width(title, self.fonts.bold, title_size) + fixed + s
        facts = "  ·  ".join(f.plain for f in self.sheet.facts)
        facts_w = width(facts, self.fonts.bold, chip_size) + s * 1.5 if facts else 0.0

        def chips(short: bool) -> list[tuple[str, float]]:
            labels = [d.label + (f" · {d.short.plain}" if short else "") + ("" if d.weight is None else f" {d.weight}%")
                      for d in self.sheet.domains]
            return [(label, width(label, self.fonts.bold, chip_size) + s * 1.0) for label in labels]

        def row(cs: list[tuple[str, float]]) -> float:
            return sum(w + s * 0.4 for _, w in cs)

        shown = chips(short=True)
        if row(shown) > inner / 2:
            shown = chips(short=False)
        if lead + facts_w + row(shown) <= inner:
            return Band(title, title_size, subtitle, facts, chip_size, shown, False)
        if lead + facts_w > inner:
            facts = ""
        return Band(title, title_size, subtitle, facts, chip_size, shown, True)

    def header(self, canvas: Canvas) -> None:
        """The band on every page, as `_band` plans it, and the rule under it."""
        t, s, band, draw = self.theme, self.size, self.band, self.fonts.fallback.draw
        width = self.fonts.fallback.width
        top = self.height - self.margin
        baseline = top - band.title_size * 0.95
        chip_size = band.chip_size
        chip_baseline = baseline - (band.chip_size * 1.45 + s * 0.5 if band.two_rows else 0.0)
        x = self.width - self.margin
        for domain, (label, w) in reversed(list(zip(self.sheet.domains, band.chips))):
            x -= w
            canvas.setFillColor(as_reportlab(self.ink(domain.color)))
            canvas.roundRect(x, chip_baseline - chip_size * 0.35, w, chip_size * 1.45, chip_size * 0.3, stroke=0,
                             fill=1)
            canvas.setFillColor(as_reportlab(self.ink.on(domain.color)))
            draw(canvas, x + s * 0.5, chip_baseline, label, self.fonts.bold, chip_size)
            x -= s * 0.4
        canvas.setFillColor(as_reportlab(self.ink(t.palette.text)))
        title_w = draw(canvas, self.margin, baseline, band.title, self.fonts.bold, band.title_size)
        if band.subtitle:
            canvas.setFillColor(as_reportlab(self.ink(t.palette.muted)))
            draw(canvas, self.margin + title_w + s, baseline, band.subtitle, self.fonts.regular,
                 s * t.scale.section)
        if band.facts:
            canvas.setFillColor(as_reportlab(self.ink(t.palette.text)))
            right = self.width - self.margin if band.two_rows else x
            draw(canvas, right - s * 0.6 - width(band.facts, self.fonts.bold, chip_size), baseline, band.facts,
                 self.fonts.bold, chip_size)
        canvas.setStrokeColor(as_reportlab(self.ink(t.palette.rule)))
        canvas.setLineWidth(0.6)
        rule_y = self.frame_top + s * 0.9
        canvas.line(self.margin, rule_y, self.width - self.margin, rule_y)

    def footer(self, canvas: Canvas, number: int, total: int) -> None:
        s = self.size * self.theme.scale.small
        canvas.setFillColor(as_reportlab(self.ink(self.theme.palette.muted)))
        y = self.margin + s * 0.25
        left = f"{self.sheet.title.plain} · {self.words.version.format(version=self.sheet.version)}"
        right = self.words.page.format(number=number, total=total)
        width, draw = self.fonts.fallback.width, self.fonts.fallback.draw
        draw(canvas, self.width - self.margin - width(right, self.fonts.regular, s), y, right, self.fonts.regular, s)
        draw(canvas, self.margin, y, left, self.fonts.regular, s)
        # The domains' full names, as a legend for the labels in the header chips; their short names if the
        # full ones do not fit.
        start = self.margin + width(left, self.fonts.regular, s) + 2 * s
        end = self.width - self.margin - width(right, self.fonts.regular, s) - 2 * s
        for name in (lambda d: d.name.plain, lambda d: d.short.plain):
            legend = "   ".join(f"{d.label} {name(d)}" for d in self.sheet.domains)
            legend_w = width(legend, self.fonts.regular, s)
            if legend_w <= end - start:
                draw(canvas, (start + end - legend_w) / 2, y, legend, self.fonts.regular, s)
                break

    def plan(self, attempt: Attempt, relay: Relay | None = None, drawn: bool = True) -> None:
        """Pour the sheet into columns; the attempt learns its pages, fills and where sections start. `relay`: a
        pass that lays out only what changed since a kept one (pdf/relay.py). A pass that is never `drawn` (a
        sample's) keeps nothing of what it measured: what a pass lets go of waits for the collector, which the
        command line runs rarely (the 50,000-fact print peaked 115 MiB higher with its samples held whole)."""
        layout = self._layout()
        per_page = self.theme.columns
        flow = (Flow if relay is None else relay.flow)(self.frame_h, self.theme.spacing, self.size, per_page,
                                                        layout.leading)
        units, whole = sum(len(domain.sections) for domain in self.sheet.domains) + 1, drawn
        # A pass that is not drawn (a sample's, or the size above a sampled guess: render.py) lets go of each page
        # it pours; one that keeps pages from an earlier pass (relay.py) is always drawn.
        let_go = not drawn and relay is None
        for placed, unit in enumerate(layout.document(self.sheet) if relay is None else
                                      relay.units_from(layout, flow), 1):
            flow.add(unit)
            if let_go:
                flow.let_go_of_pages()
            columns = flow.column_count
            whole = whole and _held_whole(columns, per_page, placed, units)
            layout.hold(WHOLE if whole else LINES if drawn and columns <= HELD_PAGES * per_page else None)
            page = (flow.column_count - 1) // per_page + 1
            if page > attempt.budget and attempt.overflow_section is None:
                attempt.overflow_section = (unit.title, unit.loc)
        flow.finish()
        if let_go:
            flow.let_go_of_pages()
        layout.laid()
        attempt.pages = max(len(flow.pages), 1)
        if flow.too_tall is not None:
            attempt.too_tall = True
            attempt.pages = max(attempt.pages, attempt.budget + 1)
            attempt.overflow_section = (flow.too_tall.title, flow.too_tall.loc)
        attempt.orphans = layout.orphans
        attempt.flow = flow
        self._record(attempt)

    def _layout(self) -> Layout:
        return Layout(self.size, self.theme, self.fonts, self.ink, self.col_w, self.frame_h, memo=self.memo,
                      words=self.words)

    def broken_tables(self) -> tuple[tuple[str, int], ...]:
        """The sections (title, line) whose table breaks words inside them at this size: too many columns for
        the page's column even at the floor size."""
        layout = self._layout()
        return tuple((section.title.plain, section.table.loc.line) for domain in self.sheet.domains
                     for section in domain.sections if section.table and layout.breaks_words(section.table))

    def settle(self, attempt: Attempt) -> None:
        """Even out the chosen attempt's last two pages (`Flow.settle`) and record what that moved."""
        attempt.flow.settle()
        self._record(attempt)

    def _record(self, attempt: Attempt) -> None:
        """Where the attempt's sections start, how full its last page is and every column's fill."""
        flow = attempt.flow
        attempt.markers = [(u.title, u.loc, number) for number, columns in enumerate(flow.pages, 1)
                           for column in columns for u in column.starts]
        share = flow.last_page_share()
        attempt.last = (attempt.pages, int(share), share - int(share))
        attempt.fills = flow.fills()

    def draw(self, attempt: Attempt) -> bytes:
        """The PDF of the attempt's pages. With a memo, each page an earlier build drew showing the same is
        reused (reuse.py), and each page drawn is kept for the next build; `self.reused` counts the former."""
        sheet = self.sheet
        buffer = io.BytesIO()
        canvas = PageCanvas(buffer, pagesize=(self.width, self.height), invariant=1, pageCompression=1,
                            initialFontName=self.fonts.regular, initialFontSize=self.size,
                            initialLeading=self.size * 1.2, lang=sheet.language)
        canvas.setTitle(sheet.title.plain)
        canvas.setAuthor(sheet.author or "cheatdeck")
        canvas.setSubject(sheet.subtitle.plain if sheet.subtitle else sheet.title.plain)
        canvas.setKeywords([sheet.id, *(d.name.plain for d in sheet.domains)])
        canvas.setCreator("cheatdeck")
        date = _pdf_date(sheet)
        canvas.setDateFormatter(lambda *_: date)
        canvas.setViewerPreference("Duplex", "DuplexFlipShortEdge")
        canvas.setViewerPreference("PrintScaling", "None")
        flow, pages = attempt.flow, attempt.flow.pages
        attempt.flow, flow.pages = None, []
        look, units = (self._look(), unit_keys(sheet)) if self.memo is not None else ("", {})
        fallback = self.fonts.fallback
        canvas.use_fonts(f.fontName for f in (*fallback.text_faces, *fallback.code_faces, *fallback.fallbacks))
        for number in range(attempt.pages):
            columns = pages[number] if number < len(pages) else []
            if number < len(pages):
                pages[number] = None  # drawing holds one page's flowables at a time
            key = self._page_key(look, units, flow, columns, number, attempt.pages) if look else None
            self._draw_page(canvas, flow, columns, number, attempt.pages, key)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    def _draw_page(self, canvas: PageCanvas, flow: Flow, columns: list, number: int, total: int,
                   key: str | None) -> None:
        """One page: the one kept for `key` if the fonts stand as they stood before it, else drawn (and kept)."""
        if key is None:
            self._paint(canvas, flow, columns, number, total)
            return
        before, _, counts, named = canvas.before()
        kept = self.memo.get_page(key)
        text = kept.text() if kept is not None and kept.before == before else None
        if text is not None:
            canvas.replay(kept, text)
            self.reused += 1
            return
        start = canvas.mark()
        self._paint(canvas, flow, columns, number, total)
        if canvas.only_text():
            chars, names = canvas.first_uses(counts, named)
            code = zlib.compress(canvas.drawn_since(start).encode("utf-8", "surrogatepass"), 1)
            self.memo.put_page(key, Drawn(before, code, chars, names, canvas.version()))

    def _paint(self, canvas: Canvas, flow: Flow, columns: list, number: int, total: int) -> None:
        self.header(canvas)
        self.footer(canvas, number + 1, total)
        for index, column in enumerate(columns):
            x = self.column_x(index)
            for offset, flowable in flow.spaced(column):
                _, height = flowable.wrap(self.col_w, self.frame_h)
                flowable.drawOn(canvas, x, self.frame_top - offset - height)

    def _look(self) -> str:
        """What every page shows alike: size, theme, fonts, ink, paper and columns, header band and footer (in the
        sheet's words)."""
        fallback, sheet = self.fonts.fallback, self.sheet
        faces = [f.fontName for f in (*fallback.text_faces, *fallback.code_faces, *fallback.fallbacks)]
        names = (self.fonts.regular, self.fonts.bold, self.fonts.italic, self.fonts.bold_italic, self.fonts.mono)
        return digest(repr(self.theme), repr(names), repr(faces), repr(self.ink), repr(self.opts), repr(self.size),
                      repr(self.band), repr(self.words),
                      content(sheet.title, sheet.version, [(d.label, d.name, d.short, d.color) for d in sheet.domains]))

    @staticmethod
    def _page_key(look: str, units: dict, flow: Flow, columns: list, number: int, total: int) -> str | None:
        """What the page shows: `look`, its number and the count, and for each column its glue and its pieces'
        sizes and gaps, and what each part holds (its unit's content, from which atom, continued or not). None
        when a unit is not the sheet's (then the page is drawn, and not kept)."""
        parts = [look, f"{number}/{total}"]
        for column in columns:
            parts.append(repr((column.glue(flow.frame_height, flow.cap), column.spread)))
            for unit, pos, continued in column.parts:
                key = units.get(unit.loc)
                if key is None:
                    return None
                parts.append(f"{key}:{pos}:{continued}")
            parts.append(repr([(p.height, p.gap, p.gap_kind, p.rows, p.stretch) for p in column.pieces]))
        return digest(*parts)

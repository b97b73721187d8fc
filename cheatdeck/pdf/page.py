"""One laid-out attempt at a body size: the page frames, header band, footer and the document it builds."""

from __future__ import annotations

import datetime
import io
import os
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, landscape, letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from ..errors import Location
from ..model import Sheet
from ..options import PrintOptions
from .story import FontNames, Layout
from .theme import Ink, Theme

PAPER = {"letter": letter, "a4": A4}


@dataclass
class Attempt:
    size: float
    data: bytes
    pages: int
    budget: int
    markers: list[tuple[str, Location, int]] = field(default_factory=list)
    overflow_section: tuple[str, Location] | None = None
    last: tuple[int, int, float] = (1, 0, 0.0)

    @property
    def fits(self) -> bool:
        return self.pages <= self.budget


class _Doc(BaseDocTemplate):
    """Records which page each section starts on, and where the content ends."""

    def __init__(self, buffer, attempt: Attempt, frame_top: float, frame_height: float, **kw):
        super().__init__(buffer, **kw)
        self.attempt = attempt
        self.frame_top = frame_top
        self.frame_height = frame_height
        self.current = None

    def afterFlowable(self, flowable):
        marker = getattr(flowable, "cheatdeck_marker", None)
        if marker is not None:
            self.current = (marker.title, marker.loc)
            self.attempt.markers.append((marker.title, marker.loc, self.page))
        if self.page > self.attempt.budget and self.attempt.overflow_section is None:
            self.attempt.overflow_section = self.current
        if self.frame is not None:
            used = (self.frame_top - self.frame._y) / self.frame_height
            self.attempt.last = (self.page, int(self.frame.id[1:]), used)


class _NumberedCanvas(Canvas):
    """Draws 'page n / N' once N is known, at save time."""

    decorate = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.decorate(self, total)
            super().showPage()
        super().save()


def _pdf_date(sheet: Sheet) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    else:
        moment = datetime.datetime.combine(sheet.date or datetime.date(2000, 1, 1), datetime.time())
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


@dataclass
class Page:
    theme: Theme
    fonts: FontNames
    ink: Ink
    sheet: Sheet
    opts: PrintOptions
    size: float

    def __post_init__(self):
        self.width, self.height = landscape(PAPER[self.opts.paper])
        self.margin = self.theme.margin_in * 72
        self.header_h = self.size * 3.0
        self.footer_h = self.size * 1.8
        self.gutter = self.size * self.theme.gutter
        cols = self.theme.columns
        self.col_w = (self.width - 2 * self.margin - (cols - 1) * self.gutter) / cols
        self.frame_bottom = self.margin + self.footer_h
        self.frame_top = self.height - self.margin - self.header_h
        self.frame_h = self.frame_top - self.frame_bottom

    def frames(self) -> list[Frame]:
        return [Frame(self.margin + i * (self.col_w + self.gutter), self.frame_bottom, self.col_w, self.frame_h,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=f"c{i}", showBoundary=0)
                for i in range(self.theme.columns)]

    def header(self, canvas: Canvas, doc) -> None:
        """The band on every page: the domains as colour chips with label and weight, the title beside them."""
        t, s = self.theme, self.size
        top = self.height - self.margin
        baseline = top - s * t.scale.title * 0.95
        chip_size = s * t.scale.small * 1.05
        x = self.width - self.margin
        for domain in reversed(self.sheet.domains):
            label = f"{domain.label} · {domain.short.plain} {domain.weight}%"
            w = pdfmetrics.stringWidth(label, self.fonts.bold, chip_size) + s * 1.0
            x -= w
            canvas.setFillColor(self.ink(domain.color))
            canvas.roundRect(x, baseline - chip_size * 0.35, w, chip_size * 1.45, chip_size * 0.3, stroke=0, fill=1)
            canvas.setFillColor(self.ink.on(domain.color))
            canvas.setFont(self.fonts.bold, chip_size)
            canvas.drawString(x + s * 0.5, baseline, label)
            x -= s * 0.4
        title = self.sheet.title.plain
        room = x - self.margin - s
        # A title longer than the room beside the chips is set smaller, never over them.
        title_size = min(s * t.scale.title, s * t.scale.title * room / pdfmetrics.stringWidth(
            title, self.fonts.bold, s * t.scale.title))
        canvas.setFillColor(self.ink(t.palette.text))
        canvas.setFont(self.fonts.bold, title_size)
        canvas.drawString(self.margin, baseline, title)
        if self.sheet.subtitle:
            title_end = self.margin + pdfmetrics.stringWidth(title, self.fonts.bold, title_size) + s
            subtitle = self.sheet.subtitle.plain
            if pdfmetrics.stringWidth(subtitle, self.fonts.regular, chip_size) <= x - s - title_end:
                canvas.setFillColor(self.ink(t.palette.muted))
                canvas.setFont(self.fonts.regular, chip_size)
                canvas.drawString(title_end, baseline, subtitle)
        canvas.setStrokeColor(self.ink(t.palette.rule))
        canvas.setLineWidth(0.6)
        rule_y = self.frame_top + s * 0.9
        canvas.line(self.margin, rule_y, self.width - self.margin, rule_y)

    def footer(self, canvas: Canvas, total: int) -> None:
        s = self.size * self.theme.scale.small
        canvas.setFillColor(self.ink(self.theme.palette.muted))
        canvas.setFont(self.fonts.regular, s)
        y = self.margin + s * 0.25
        left = f"{self.sheet.title.plain} · version {self.sheet.version}"
        right = f"page {canvas.getPageNumber()} / {total}"
        canvas.drawString(self.margin, y, left)
        canvas.drawRightString(self.width - self.margin, y, right)
        # The domains' full names, as a legend for the short labels in the header chips.
        legend = "   ".join(f"{d.label} {d.name.plain}" for d in self.sheet.domains)
        start = self.margin + pdfmetrics.stringWidth(left, self.fonts.regular, s) + 2 * s
        end = self.width - self.margin - pdfmetrics.stringWidth(right, self.fonts.regular, s) - 2 * s
        if pdfmetrics.stringWidth(legend, self.fonts.regular, s) <= end - start:
            canvas.drawCentredString((start + end) / 2, y, legend)

    def build(self, attempt: Attempt) -> None:
        layout = Layout(self.size, self.theme, self.fonts, self.ink, self.col_w, self.frame_h)
        story = layout.document(self.sheet)
        buffer = io.BytesIO()
        sheet = self.sheet
        keywords = [sheet.id, *(d.name.plain for d in sheet.domains)]
        doc = _Doc(buffer, attempt, self.frame_top, self.frame_h, pagesize=(self.width, self.height),
                   leftMargin=self.margin, rightMargin=self.margin, topMargin=self.margin, bottomMargin=self.margin,
                   title=sheet.title.plain, author=sheet.author or "cheatdeck",
                   subject=sheet.subtitle.plain if sheet.subtitle else sheet.title.plain, keywords=keywords,
                   creator="cheatdeck", invariant=1, initialFontName=self.fonts.regular,
                   initialFontSize=self.size, initialLeading=self.size * 1.2, pageCompression=1)
        doc.addPageTemplates([PageTemplate(id="sheet", frames=self.frames(), onPage=self.header)])
        footer, date = self.footer, _pdf_date(sheet)

        class SheetCanvas(_NumberedCanvas):
            decorate = staticmethod(footer)

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.setDateFormatter(lambda *_: date)
                self.setViewerPreference("Duplex", "DuplexFlipShortEdge")
                self.setViewerPreference("PrintScaling", "None")

        doc.build(story, canvasmaker=SheetCanvas)
        attempt.data = buffer.getvalue()
        attempt.pages = doc.page

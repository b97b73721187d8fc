"""Stage 3b, render: the sheet becomes a landscape, four-column PDF that fits its page budget.

The fit search lays the sheet out at the largest body size (in theme steps,
between its ceiling and floor) that fits the page budget. It never shrinks
text to fit and never drops any: if the floor does not fit, the build fails
and names the section that ran over.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape, letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .errors import CheatdeckError, Location, Problem
from .layout import FontNames, Layout
from .model import Sheet
from .sheets import PrintOptions
from .theme import Ink, Theme, load_theme

PAPER = {"letter": letter, "a4": A4}
PNG_DPI = 110


# Fonts ---------------------------------------------------------------------

def register_fonts(theme: Theme, folder: Path, mono: bool) -> tuple[FontNames, dict[str, TTFont]]:
    """Register the theme's faces (the mono pair only when some text is `code`: parsing a TTF costs)."""
    styles = ("regular", "bold", "italic", "bold_italic") + (("mono", "mono_bold") if mono else ())
    faces = {}
    for style in styles:
        path = folder / getattr(theme.fonts, style)
        name = f"cd-{path.stem}"
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except Exception as exc:
                raise CheatdeckError(Problem(Location(str(path)), f"cannot load the font: {exc}")) from None
        faces[style] = pdfmetrics.getFont(name)
    names = {style: font.fontName for style, font in faces.items()}
    pdfmetrics.registerFontFamily(names["regular"], normal=names["regular"], bold=names["bold"],
                                  italic=names["italic"], boldItalic=names["bold_italic"])
    if mono:
        pdfmetrics.registerFontFamily(names["mono"], normal=names["mono"], bold=names["mono_bold"],
                                      italic=names["mono"], boldItalic=names["mono_bold"])
    return FontNames(names["regular"], names["bold"], names["italic"], names["bold_italic"],
                     names.get("mono", names["regular"])), faces


def check_glyphs(sheet: Sheet, faces: dict[str, TTFont]) -> None:
    """Every character must exist in every face that may print it; a missing one is an error at its source."""
    text_faces = [faces[s] for s in ("regular", "bold", "italic", "bold_italic")]
    code_faces = [faces[s] for s in ("mono", "mono_bold") if s in faces]
    problems = []
    for text in sheet.texts():
        missing = []
        for span in text.spans:
            for char in span.text:
                if char.isspace():
                    continue
                if any(ord(char) not in f.face.charToGlyph for f in (code_faces if span.code else text_faces)):
                    missing.append(char)
        for char in dict.fromkeys(missing):
            problems.append(Problem(text.loc, f"the font has no glyph for {char!r} (U+{ord(char):04X}); "
                                              "replace it or use a font that has it"))
    if problems:
        raise CheatdeckError(problems)


# Pages ---------------------------------------------------------------------

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


# The fit search ------------------------------------------------------------

def candidate_sizes(theme: Theme) -> list[float]:
    body = theme.body
    steps = int(round((body.ceiling - body.floor) / body.step))
    return [round(body.ceiling - i * body.step, 4) for i in range(steps + 1)]


def fit(build_at: Callable[[float], Attempt], sizes: list[float], hint: float | None = None,
        exact: bool = False) -> tuple[Attempt, list[Attempt]]:
    """The largest size that fits (sizes run large to small); returns it and every attempt made.

    `hint` is the size an earlier build chose. When `exact` (same inputs) and it fits, that is
    the answer in one pass. Otherwise it is the first guess: after an edit the answer is usually
    the same size or a step smaller (two passes, not a full search); a wrong guess costs at
    most two passes more than no guess.
    """
    tried: dict[int, Attempt] = {}

    def fits(index: int) -> bool:
        if index not in tried:
            tried[index] = build_at(sizes[index])
        return tried[index].fits

    lo, hi = 0, len(sizes) - 1  # the answer lies in [lo, hi]; hi is the floor, taken if nothing fits
    if hint in sizes:
        guess = sizes.index(hint)
        if fits(guess):
            if exact or guess == 0 or not fits(guess - 1):
                return tried[guess], list(tried.values())
            hi = guess - 1
        else:
            lo = guess + 1
            if lo <= hi and fits(lo):
                return tried[lo], list(tried.values())
            lo += 1
    lo = min(lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    fits(lo)
    return tried[lo], list(tried.values())


def _overflow_error(attempt: Attempt, page: Page) -> CheatdeckError:
    extra_pages, frame, used = attempt.pages - attempt.budget, attempt.last[1], attempt.last[2]
    columns = (extra_pages - 1) * page.theme.columns + frame + used
    title, loc = attempt.overflow_section or ("(the last section)", Location(""))
    return CheatdeckError(Problem(
        loc if loc.file else Location(str(page.sheet.source)),
        f"the sheet does not fit on {attempt.budget} page(s) even at the {attempt.size:g} pt floor: from section "
        f"{title!r} on, about {columns * page.frame_h:.0f} pt ({columns:.1f} columns) of content runs over. "
        f"Shorten the sheet or raise --pages"))


def render_pdf(sheet: Sheet, opts: PrintOptions, templates: Path, hint: float | None = None,
               exact: bool = False) -> tuple[bytes, dict, list[bytes]]:
    theme = load_theme(templates / "pdf" / "theme.yaml")
    uses_code = any(span.code for text in sheet.texts() for span in text.spans)
    fonts, faces = register_fonts(theme, templates / "fonts", mono=uses_code)
    check_glyphs(sheet, faces)
    ink = Ink(opts.grayscale)

    def build_at(size: float) -> Attempt:
        attempt = Attempt(size=size, data=b"", pages=0, budget=opts.pages)
        Page(theme, fonts, ink, sheet, opts, size).build(attempt)
        return attempt

    best, tried = fit(build_at, candidate_sizes(theme), hint, exact)
    page = Page(theme, fonts, ink, sheet, opts, best.size)
    if not best.fits:
        raise _overflow_error(best, page)
    last_page, frame, used = best.last
    fill = 100.0 * (frame + used) / theme.columns if last_page == best.pages else 0.0
    quick_page = next((p for title, _, p in best.markers
                       if sheet.quick_reference and title == sheet.quick_reference.title.plain), None)
    details = {"body_size": best.size, "pages": best.pages, "fill": round(fill, 1), "paper": opts.paper,
               "passes": len(tried), "grayscale": opts.grayscale, "quick_reference_page": quick_page}
    return best.data, details, (render_png(best.data) if opts.png else [])


def render_png(pdf: bytes) -> list[bytes]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            image = page.render(scale=PNG_DPI / 72).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            pages.append(buffer.getvalue())
    finally:
        document.close()
    return pages

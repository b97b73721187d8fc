"""What a text sets apart from its running lines on the page: images, code blocks and display formulas.

A text holding none of them stays one Paragraph (story.py). One that does becomes a `Stack`: its running
text in paragraphs, and between them, in the order written, each image at the column width, each code
block in monospace on a light box with its lines and indentation kept, each `$$…$$` formula centred.
"""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from .. import inline
from ..source.images import Media, svg_drawing
from ..model import Figure, Text
from . import linebreaks
from .outlines import DisplayFormula, draw_scaled
from .tracking import shed

SET_APART = (inline.IMAGE, inline.BLOCK, inline.DISPLAY)
# No image is drawn taller than this share of a column, however narrow and tall it is.
MAX_HEIGHT = 0.6


def set_apart(spans: inline.Spans) -> bool:
    return any(s.kind in SET_APART for s in spans)


class Stack(Flowable):
    """Flowables one below the other, each at its own left offset; kept together in one column. `marker`
    (a bullet, in `style`) is set on the first line, in the indent the first flowable leaves free."""

    def __init__(self, parts: list[tuple[Flowable, float]], marker: str = "", style: ParagraphStyle | None = None):
        super().__init__()
        self.parts = parts
        self.marker = marker
        self.style = style

    def wrap(self, availWidth, availHeight):
        self.heights = [f.wrap(availWidth - x, availHeight)[1] + (f.getSpaceBefore() if i else 0)
                        for i, (f, x) in enumerate(self.parts)]
        self.width = availWidth
        return availWidth, sum(self.heights)

    def getSpaceBefore(self):
        return self.parts[0][0].getSpaceBefore() if self.parts else 0

    def shed(self, styles: dict | None = None) -> None:
        for flowable, _ in self.parts:
            shed(flowable, styles)

    def draw(self):
        y = sum(self.heights)
        if self.marker:
            self.canv.setFont(self.style.fontName, self.style.fontSize)
            self.canv.setFillColor(self.style.textColor)
            self.canv.drawString(0, y - self.style.leading * 0.85, self.marker)
        for (flowable, x), height in zip(self.parts, self.heights):
            y -= height
            flowable.drawOn(self.canv, x, y)


class Picture(Flowable):
    """An image at `share` of the width it is given, keeping its aspect ratio (PNG and JPEG raster, SVG vector)."""

    def __init__(self, media: Media, share: float, max_height: float):
        super().__init__()
        self.media = media
        self.share = share
        self.max_height = max_height

    def wrap(self, availWidth, availHeight):
        width = availWidth * self.share
        height = width * self.media.height / self.media.width
        if height > self.max_height:
            width, height = width * self.max_height / height, self.max_height
        self.size = (width, height)
        self.offset = (availWidth - width) / 2
        return availWidth, height

    def draw(self):
        width, height = self.size
        if self.media.kind == "svg":
            draw_scaled(self.canv, _decoded(self.media), self.offset, 0, width, height)
        else:
            self.canv.drawImage(_decoded(self.media), self.offset, 0, width, height, mask="auto")


@lru_cache(maxsize=32)
def _decoded(media: Media):
    """Each image read once, however many fit attempts draw it; a few kept, for the rebuilds of `watch`."""
    if media.kind == "svg":
        return svg_drawing(media.data)
    from reportlab.lib.utils import ImageReader

    return ImageReader(io.BytesIO(media.data))


def _code(layout, text: str, width: float) -> Flowable:
    size = layout.size * 0.92
    style = ParagraphStyle("code", parent=layout.body, fontName=layout.fonts.mono, fontSize=size,
                           leading=size * 1.2, splitLongWords=1)
    pad = layout.pad
    room = width - 2 * pad - 0.5

    def fits(line: str) -> bool:
        return layout.fonts.fallback.width(line, layout.fonts.mono, size) <= room

    # Every space unbreakable, so indentation and alignment survive; an over-long line is broken here, after a
    # space or a separator, its rest marked and indented as it was.
    lines = [inline.to_reportlab((inline.Span(part),), layout.fonts.mono).replace(" ", "\u00a0") or "\u00a0"
             for line in text.split("\n") for part in linebreaks.code_line(line, fits)]
    muted = layout.color(layout.theme.palette.muted)
    # In the mono face's <font>, so that the fallback fonts take only what the mono faces lack.
    markup = layout.fonts.fallback.markup(
        linebreaks.marked(f'<font face="{layout.fonts.mono}">{"<br/>".join(lines)}</font>', muted))
    box = Table([[Paragraph(markup, style)]], colWidths=[width])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), layout.ink(layout.theme.palette.zebra)),
        ("BOX", (0, 0), (-1, -1), 0.4, layout.ink(layout.theme.palette.rule)),
        ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.8),
    ]))
    return box


def flow(layout, text: Text, style: ParagraphStyle, width: float, lead: str = "", marker: str = "") -> Stack:
    """`text` as a Stack in a space `width` wide, `lead` markup before its first words (a bullet, a key). Text,
    code and formulas keep the style's indent; images take the whole width. `marker`: a bullet for a text that
    opens with code or a formula, set beside it."""
    indent = style.leftIndent
    later = ParagraphStyle(f"{style.name}-after", parent=style, firstLineIndent=0)
    parts: list[tuple[Flowable, float]] = []
    run: list[inline.Span] = []

    def close_run() -> None:
        nonlocal lead
        # As any text's: its arrows bound, its long words broken, its characters in the fonts that have them.
        words = layout.spans_markup(tuple(run), width - indent).strip()
        if words or lead:
            parts.append((layout.para(f"{lead}{words}", later if parts else style, width), 0))
            lead = ""
        run.clear()

    for span in text.spans:
        if span.kind not in SET_APART:
            run.append(span)
            continue
        close_run()
        if span.kind == inline.IMAGE:
            parts.append((Picture(layout.media[span.target], 1.0, layout.frame_height * MAX_HEIGHT), 0))
        elif span.kind == inline.BLOCK:
            parts.append((_code(layout, span.text, width - indent), indent))
        else:
            parts.append((DisplayFormula(span.text, layout.size), indent))
    close_run()
    return Stack(parts, marker, style)


def figure(layout, fig: Figure) -> Flowable:
    """A section's image at its share of the column, its caption centred below."""
    parts: list[tuple[Flowable, float]] = [(Picture(fig.media, fig.width, layout.frame_height * MAX_HEIGHT), 0)]
    if fig.caption:
        style = ParagraphStyle("caption", parent=layout.body, fontName=layout.fonts.italic,
                               fontSize=layout.size * layout.theme.scale.small,
                               leading=layout.size * layout.theme.scale.small * 1.2, alignment=1,
                               spaceBefore=layout.size * 0.2)
        parts.append((Paragraph(layout.markup(fig.caption), style), 0))
    return Stack(parts)

"""Render: the sheet becomes a landscape, four-column PDF that fits its page budget."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import msgspec

from ..model import Sheet
from ..options import PrintOptions
from .details import PdfDetails
from .fit import estimated_demand, fit, overflow_error, too_long
from .fonts import printed_ink, register_fonts
from .memo import LayoutMemo
from .page import Attempt, Page
from .preview import render_png
from .theme import Ink, candidate_sizes, grown_sizes, load_theme


def render_pdf(sheet: Sheet, opts: PrintOptions, templates: Path, hint: float | None = None,
               exact: bool = False, memo: LayoutMemo | None = None) -> tuple[bytes, PdfDetails, list[bytes]]:
    """The PDF at the largest body size that fits the page budget, its details and its page previews. The fit
    search starts from `hint` (an earlier build's size); `exact`: the hint was found for these same inputs.
    `memo`: what earlier builds measured (memo.py), which this one reads and adds to; without one, every
    paragraph is measured as it comes and nothing is kept."""
    theme = load_theme(templates / "pdf" / "theme.yaml")
    if opts.columns:
        theme = msgspec.structs.replace(theme, columns=opts.columns)
    fonts = register_fonts(theme, templates / "fonts", sheet)
    ink = Ink(opts.grayscale)

    drawable: list[Attempt] = []  # the largest size found to fit so far
    budget = [opts.pages]  # the pages to fill: fewer for a sheet that grows past the ceiling

    def build_at(size: float) -> Attempt:
        if drawable and drawable[0].size == size and drawable[0].pages <= budget[0]:
            # The ceiling, asked again when the search for a larger size starts: laid out already, and it fits.
            drawable[:] = [dataclasses.replace(drawable[0], budget=budget[0])]
            return drawable[0]
        attempt = Attempt(size=size, pages=0, budget=budget[0], columns=theme.columns)
        Page(theme, fonts, ink, sheet, opts, size, memo).plan(attempt)
        # Only the largest size that fits is drawn: every other attempt's flow is let go as soon as that shows.
        if not attempt.fits or (drawable and drawable[0].size > size):
            attempt.flow = None
        else:
            if drawable:
                drawable[0].flow = None
            drawable[:] = [attempt]
        return attempt

    sizes = candidate_sizes(theme)
    guess = None
    if not exact:  # an exact hint fitted these same inputs before
        length, paragraphs = printed_ink(sheet, fonts.regular)
        refused = too_long(Page(theme, fonts, ink, sheet, opts, sizes[-1]), length, paragraphs, opts.pages)
        if refused is not None:
            raise refused
        if hint is None:
            guess = next((size for size in sizes if estimated_demand(Page(theme, fonts, ink, sheet, opts, size),
                                                                     length, paragraphs, opts.pages) <= 1), sizes[-1])
    best, passes = fit(build_at, sizes, hint, exact, guess)
    if best.fits and best.size == sizes[0] and theme.body.grow:
        # Room to spare at the ceiling: the body grows as far as the pages it took there hold.
        budget[0] = best.pages
        best, more = fit(build_at, grown_sizes(theme, best.size), hint, exact, None)
        passes += more
    page = Page(theme, fonts, ink, sheet, opts, best.size, memo)
    if not best.fits:
        raise overflow_error(best, page)
    page.settle(best)
    data = page.draw(best)
    details = dataclasses.replace(_details(sheet, opts, theme.columns, best, passes, page.facts_left_out),
                                  reused=page.reused)
    return data, details, (render_png(data) if opts.png else [])


def _details(sheet: Sheet, opts: PrintOptions, columns: int, best: Attempt, passes: int,
             facts_left_out: bool) -> PdfDetails:
    # Every column's fill, the last page's included: where its last ink ends once spread.
    fills = [round(100.0 * f, 1) for f in best.fills]
    quick_page = next((p for title, _, p in best.markers
                       if sheet.quick_reference and title == sheet.quick_reference.title.plain), None)
    return PdfDetails(body_size=best.size, pages=best.pages, fill=min(fills), fills=tuple(fills),
                      orphans=best.orphans, paper=opts.paper, columns=columns, budget=opts.pages,
                      passes=passes, grayscale=opts.grayscale, quick_reference_page=quick_page,
                      facts_left_out=facts_left_out)

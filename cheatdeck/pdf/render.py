"""Render: the sheet becomes a landscape, four-column PDF that fits its page budget."""

from __future__ import annotations

from pathlib import Path

import msgspec

from ..model import Sheet
from ..options import PrintOptions
from .fit import candidate_sizes, fit, overflow_error
from .fonts import register_fonts
from .page import Attempt, Page
from .preview import render_png
from .theme import Ink, load_theme


def render_pdf(sheet: Sheet, opts: PrintOptions, templates: Path, hint: float | None = None,
               exact: bool = False) -> tuple[bytes, dict, list[bytes]]:
    theme = load_theme(templates / "pdf" / "theme.yaml")
    if opts.columns:
        theme = msgspec.structs.replace(theme, columns=opts.columns)
    fonts = register_fonts(theme, templates / "fonts", sheet)
    ink = Ink(opts.grayscale)

    def build_at(size: float) -> Attempt:
        attempt = Attempt(size=size, pages=0, budget=opts.pages)
        Page(theme, fonts, ink, sheet, opts, size).plan(attempt)
        return attempt

    best, tried = fit(build_at, candidate_sizes(theme), hint, exact)
    page = Page(theme, fonts, ink, sheet, opts, best.size)
    if not best.fits:
        raise overflow_error(best, page)
    data = page.draw(best)
    # The emptiest column that is not the last, before its leftover is spread: what the flow wasted.
    fill = 100.0 * min(best.fills[:-1] or best.fills)
    quick_page = next((p for title, _, p in best.markers
                       if sheet.quick_reference and title == sheet.quick_reference.title.plain), None)
    details = {"body_size": best.size, "pages": best.pages, "fill": round(fill, 1), "orphans": best.orphans,
               "paper": opts.paper, "columns": theme.columns,
               "passes": len(tried), "grayscale": opts.grayscale, "quick_reference_page": quick_page,
               "facts_left_out": page.facts_left_out}
    return data, details, (render_png(data) if opts.png else [])

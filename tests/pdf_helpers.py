"""Read the printed sheet back: page geometry, per-column text, fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber

from cheatdeck.pdf.page import Page


def geometry(paper: str, size: float, templates: Path, sheet: Path | None = None):
    """The column layout the renderer used at this body size for `sheet` (the shipped one by default): the
    header band takes a second row when the sheet's chips do not fit beside its title."""
    from conftest import SHIPPED

    from cheatdeck.options import PrintOptions
    from cheatdeck.pdf.fonts import fonts_for
    from cheatdeck.pdf.theme import Ink, load_theme
    from cheatdeck.source.compile import load

    theme = load_theme(templates / "pdf" / "theme.yaml")
    loaded = load(sheet or SHIPPED)
    fonts, _ = fonts_for(theme, templates / "fonts", loaded)
    return Page(theme, fonts, Ink(False), loaded, PrintOptions(paper=paper), size)


def column_ranges(page) -> list[tuple[float, float]]:
    return [(page.margin + i * (page.col_w + page.gutter), page.margin + i * (page.col_w + page.gutter) + page.col_w)
            for i in range(page.theme.columns)]


def columns_text(pdf_path: Path, page_geometry) -> list[str]:
    """The body text of each column, page by page, as a reader reads it."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for p in pdf.pages:
            top = p.height - page_geometry.frame_top
            bottom = p.height - page_geometry.frame_bottom
            for x0, x1 in column_ranges(page_geometry):
                out.append(p.crop((x0 - 0.5, top - 1, x1 + 0.5, bottom + 1)).extract_text() or "")
    return out


def column_text(pdf_path: Path, page_geometry) -> str:
    return "\n".join(columns_text(pdf_path, page_geometry))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_lines(page, column: tuple[float, float], page_geometry) -> list[dict]:
    """The text lines of one column's body, top to bottom (a table row's cells share a line)."""
    x0, x1 = column
    top = page.height - page_geometry.frame_top
    bottom = page.height - page_geometry.frame_bottom
    crop = page.crop((x0 - 0.5, top - 1, x1 + 0.5, bottom + 1))
    return sorted(crop.extract_text_lines(return_chars=True, strip=True), key=lambda line: line["top"])


def table_extents(page, column: tuple[float, float]) -> list[tuple[float, float]]:
    """Each table's top and bottom: the left side of its box is a vertical rule at the column's edge."""
    return sorted((e["top"], e["bottom"]) for e in page.lines
                  if abs(e["x0"] - column[0]) < 1 and abs(e["x1"] - e["x0"]) < 0.5 and e["bottom"] - e["top"] > 5)


def boxes_with(page, column: tuple[float, float], text: str) -> list[dict]:
    """The full-width filled rectangles of a column that hold the first character of `text`."""
    marks = [c for c in page.chars if c["text"] == text[0] and column[0] - 0.5 <= c["x0"] <= column[1]]
    return [r for r in page.rects if r["width"] > (column[1] - column[0]) * 0.9 and r.get("fill")
            and abs(r["x0"] - column[0]) < 1
            and any(r["top"] <= c["top"] and c["bottom"] <= r["bottom"] for c in marks)]

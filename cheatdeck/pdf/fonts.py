"""The theme's TrueType faces, registered with ReportLab, and the check that they cover every character."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import CheatdeckError, Location, Problem
from ..model import Sheet
from .story import FontNames
from .theme import Theme


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
            if not span.printed:
                continue
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

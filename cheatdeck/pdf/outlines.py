"""Formulas on the page: typeset outlines (see cheatdeck/source/formulas.py) drawn as vector paths.

A formula inside running text rides in the paragraph as an `<img>` whose size ReportLab lays out
like any inline image; its source is a one-pixel placeholder file named for the formula (ReportLab
opens an `<img>` by path, and cannot read data URLs), and `FormulaCanvas` draws the outlines where
ReportLab would have drawn that image. Nothing here imports the typesetter until a sheet has a formula.
"""

from __future__ import annotations

import hashlib
import tempfile
from functools import lru_cache
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .. import inline

# An inline formula taller than this (in ems) is scaled down, so it never runs into the lines around it.
MAX_INLINE_HEIGHT = 1.3
_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")
# Placeholder key → formula source: small, kept for the process, so that a drawing the bounded cache below
# dropped (a long `watch`) can be typeset again when the canvas meets its placeholder.
_sources: dict[str, tuple[str, bool]] = {}
_placeholders: list[tempfile.TemporaryDirectory] = []  # one folder per process, removed at exit


def _placeholder(key: str) -> str:
    if not _placeholders:
        _placeholders.append(tempfile.TemporaryDirectory(prefix="cheatdeck-formulas-"))
    path = Path(_placeholders[0].name) / f"{key}.png"
    if not path.exists():
        path.write_bytes(_PIXEL)
    return str(path)


def _formula_key(file_name) -> str | None:
    if not isinstance(file_name, str) or not _placeholders:
        return None
    path = Path(file_name)
    return path.stem if str(path.parent) == _placeholders[0].name else None


@lru_cache(maxsize=1024)
def _typeset(tex: str, display: bool) -> tuple:
    from ..source.formulas import typeset
    from ..source.images import svg_drawing

    formula = typeset(tex, display)
    return formula, svg_drawing(formula.svg)


def _drawing(tex: str, display: bool):
    key = hashlib.sha256(f"{display}\x1f{tex}".encode()).hexdigest()[:24]
    _sources[key] = (tex, display)
    return key, _typeset(tex, display)


def _inline_scale(formula, size: float) -> float:
    return size * min(1.0, MAX_INLINE_HEIGHT / formula.height)


def inline_width(span: inline.Span, size: float) -> float:
    """The width the formula `span` takes on a line at body size `size`."""
    _, (formula, _) = _drawing(span.text, span.kind == inline.DISPLAY)
    return formula.width * _inline_scale(formula, size)


def inline_markup(span: inline.Span, size: float) -> str:
    """The paragraph markup that sets the formula `span` at body size `size`, on the text's baseline."""
    key, (formula, _) = _drawing(span.text, span.kind == inline.DISPLAY)
    scale = _inline_scale(formula, size)
    return (f'<img src="{_placeholder(key)}" width="{formula.width * scale:.3f}" '
            f'height="{formula.height * scale:.3f}" valign="{-formula.descent * scale:.3f}"/>')


def draw_scaled(canvas: Canvas, drawing, x: float, y: float, width: float, height: float) -> None:
    from reportlab.graphics import renderPDF

    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width / drawing.width, height / drawing.height)
    renderPDF.draw(drawing, canvas, 0, 0)
    canvas.restoreState()


class FormulaCanvas(Canvas):
    """A canvas that draws a formula placeholder as the formula's outlines."""

    def drawImage(self, image, x, y, width=None, height=None, *args, **kwargs):
        key = _formula_key(getattr(image, "fileName", None))
        if key in _sources:
            draw_scaled(self, _typeset(*_sources[key])[1], x, y, width, height)
            return width, height
        return super().drawImage(image, x, y, width, height, *args, **kwargs)


class DisplayFormula(Flowable):
    """A `$$…$$` formula on lines of its own, centred, at the body size (narrowed to fit the column)."""

    def __init__(self, tex: str, size: float, indent: float = 0.0):
        super().__init__()
        _, (formula, self.drawing) = _drawing(tex, True)
        self.indent = indent
        self.natural = (formula.width * size, formula.height * size)
        self.pad = size * 0.25

    def wrap(self, availWidth, availHeight):
        room = availWidth - self.indent
        scale = min(1.0, room / self.natural[0])
        self.size = (self.natural[0] * scale, self.natural[1] * scale)
        self.room = room
        return availWidth, self.size[1] + 2 * self.pad

    def draw(self):
        x = self.indent + (self.room - self.size[0]) / 2
        draw_scaled(self.canv, self.drawing, x, self.pad, *self.size)

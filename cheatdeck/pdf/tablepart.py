"""A part of a table of paragraphs (its head row, then body rows), drawn without ReportLab's Table.

A table part is built for each column it lands in, at draw time too, and ReportLab's Table copies its cells and
style commands, works out each cell's style and geometry at every wrap and again at every draw: most of what drawing
a table cost besides its paragraphs. `TablePart` draws what that Table drew for the styles a section's table has
(a header band, zebra rows, a rule under each row and a box), call for call and number for number (`Table.draw`,
`_drawBkgrnd`, `_drawCell` and `_drawLines`, with the sums of `_calc_height` and `_calc_width`), so the page is the
same to the byte. Anything more (a spanned cell, a cell of anything but paragraphs) stays a Table.
"""

from __future__ import annotations

from reportlab.lib.colors import Color, toColor
from reportlab.platypus import Flowable

from .tracking import shed

# What a ReportLab table offers its cells' flowables to wrap in, and a cell's default style (tables.CellStyle).
TABLE_ROOM = 72000
CELL_COLOR, CELL_SIZE, CELL_LEADING = toColor("black"), 10, 12
# ReportLab's line commands' default cap and join (Table._addCommand).
_CAP = _JOIN = 1


class TablePart(Flowable):
    """`rows` (each a list of cells, a cell a paragraph or a list of them) in columns `widths`, padded `pad` left and
    right and `pads[0]` (top, bottom) in the head row, `pads[1]` in the others; row `i` on `fills[i]` where it has
    one (the head's first, then the body's, as the Table's background commands came); rules `rule` (colour, the
    weight under each row, the box's weight); its cells' font `font`."""

    def __init__(self, rows: list[list], widths: list[float], pad: float,
                 pads: tuple[tuple[float, float], tuple[float, float]], fills: dict[int, Color],
                 rule: tuple[Color, float, float], font: str):
        super().__init__()
        self.cells = [[tuple(cell) if isinstance(cell, (list, tuple)) else (cell,) for cell in row] for row in rows]
        self.widths, self.pad, self.pads, self.fills = widths, pad, pads, fills
        self.rule, self.font = rule, font
        self.heights: list[float] = []
        self.positions: list[float] = []

    def _pads(self, row: int) -> tuple[float, float]:
        return self.pads[row > 0]

    def wrap(self, availWidth, availHeight):
        """The rows' heights as `Table._calc_height` sums them, their positions (its compensated sum, from the
        bottom row up) and the width as `_calc_width` adds the columns."""
        pad, heights = self.pad, []
        for i, row in enumerate(self.cells):
            top, bottom = self._pads(i)
            tallest = 0
            for cell, width in zip(row, self.widths):
                total = 0
                if cell:
                    first, after = None, 0
                    for part in cell:
                        _, h = part.wrap(width - pad - pad, TABLE_ROOM - top - bottom)
                        before, after = part.getSpaceBefore(), part.getSpaceAfter()
                        total += h + after + before
                        first = before if first is None else first
                    total = total - first - after
                total += bottom + top
                if total > tallest:
                    tallest = total
            heights.append(tallest)
        positions, height, c = [], 0, 0
        for h in reversed(heights):
            positions.append(height)
            y = h - c
            t = height + y
            c = (t - height) - y
            height = t
        positions.append(height)
        positions.reverse()
        width = 0
        for w in self.widths:
            width = width + w
        self.heights, self.positions, self.width, self.height = heights, positions, width, height
        return width, height

    def draw(self):
        canvas, positions = self.canv, self.positions
        canvas.saveState()
        right = 0
        for w in self.widths:
            right = right + w
        for i, color in self.fills.items():
            canvas.setFillColor(color)
            canvas.rect(0, positions[i], right - 0, positions[i + 1] - positions[i], stroke=0, fill=1)
        canvas.setFillColor(CELL_COLOR)
        canvas.setFont(self.font, CELL_SIZE, CELL_LEADING)
        for i, row in enumerate(self.cells):
            self._draw_row(canvas, row, i)
        self._draw_rules(canvas, right)
        canvas.restoreState()

    def _draw_row(self, canvas, row: list[tuple], i: int) -> None:
        """Row `i`'s cells, each paragraph from the top of its cell down (`Table._drawCell`, valign TOP)."""
        top, bottom = self._pads(i)
        pad, row_bottom, row_height = self.pad, self.positions[i + 1], self.heights[i]
        x = 0
        for cell, width in zip(row, self.widths):
            if cell:
                y = row_bottom + row_height - top
                y += cell[0].getSpaceBefore()
                for part in cell:
                    _, h = part.wrapOn(canvas, width - pad - pad, row_height - top - bottom)
                    y -= part.getSpaceBefore()
                    y -= h
                    part.drawOn(canvas, x + pad, y)
                    y -= part.getSpaceAfter()
            x = x + width

    def _draw_rules(self, canvas, right: float) -> None:
        """A rule under each row, then the box: top, bottom, left and right (`Table._drawLines`)."""
        color, under, box = self.rule
        positions = self.positions
        canvas.saveState()
        canvas.setLineCap(_CAP)
        canvas.setLineJoin(_JOIN)
        canvas.setStrokeColor(color)
        canvas.setLineWidth(under)
        for y in positions[1:]:
            canvas.line(0, y, right, y)
        if box != under:
            canvas.setLineWidth(box)
        canvas.line(0, positions[0], right, positions[0])
        canvas.line(0, positions[-1], right, positions[-1])
        canvas.line(0, positions[-1], 0, positions[0])
        canvas.line(right, positions[-1], right, positions[0])
        canvas.restoreState()

    def shed(self, styles: dict | None = None) -> None:
        for row in self.cells:
            for cell in row:
                for part in cell:
                    shed(part, styles)

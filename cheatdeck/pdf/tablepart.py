"""A part of a table of paragraphs (its head row, then body rows), drawn without ReportLab's Table.

A table part is built for each column it lands in, at draw time too, and ReportLab's Table copies its cells and
style commands, works out each cell's style and geometry at every wrap and again at every draw: most of what drawing
a table cost besides its paragraphs. `TablePart` draws what that Table drew for the styles a section's table has
(a header band, zebra rows, a rule under each row and a box), call for call and number for number (`Table.draw`,
`_drawBkgrnd`, `_drawCell` and `_drawLines`, with the sums of `_calc_height` and `_calc_width`), so the page is the
same to the byte. Anything more (a cell of anything but paragraphs, a cell spanning rows) stays a Table.
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
    right and `pads[0]` (top, bottom) in the head row, `pads[1]` in the others. The head's first cell spans `span`
    columns (the cells it covers are left empty, ""). `fills`: the backgrounds in the order the Table's commands
    came, each a row, a column (None: the whole row) and a colour. Rules `rule` (colour, the weight under each row,
    the box's weight); its cells' font `font`."""

    def __init__(self, rows: list[list], widths: list[float], pad: float,
                 pads: tuple[tuple[float, float], tuple[float, float]], fills: list[tuple[int, int | None, Color]],
                 rule: tuple[Color, float, float], font: str, span: int = 1):
        super().__init__()
        self.cells = [[None if i == 0 and 0 < j < span else tuple(cell) if isinstance(cell, (list, tuple)) else (cell,)
                       for j, cell in enumerate(row)] for i, row in enumerate(rows)]
        self.widths, self.pad, self.pads, self.fills, self.span = widths, pad, pads, fills, span
        self.rule, self.font = rule, font
        self.heights: list[float] = []
        self.positions: list[float] = []
        self.columns = [0]
        width = 0
        for w in widths:
            width = width + w
            self.columns.append(width)

    def _pads(self, row: int) -> tuple[float, float]:
        return self.pads[row > 0]

    def wrap(self, availWidth, availHeight):
        """The rows' heights as `Table._calc_height` sums them and their positions (its compensated sum, from the
        bottom row up)."""
        heights = []
        for i, row in enumerate(self.cells):
            top, bottom = self._pads(i)
            tallest = 0
            for j, (cell, width) in enumerate(zip(row, self.widths)):
                if i == 0 and j == 0 and self.span > 1:
                    width = max(self.columns[self.span] - self.columns[0], width)
                total = CELL_LEADING if cell is None else self._cell_height(cell, width, top, bottom)
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
        self.heights, self.positions, self.width, self.height = heights, positions, self.columns[-1], height
        return self.width, height

    def _cell_height(self, cell: tuple, width: float, top: float, bottom: float) -> float:
        """`Table._listCellGeom`'s height of a cell's paragraphs, its paddings not counted."""
        if not cell:
            return 0
        total, first, after = 0, None, 0
        for part in cell:
            _, h = part.wrap(width - self.pad - self.pad, TABLE_ROOM - top - bottom)
            before, after = part.getSpaceBefore(), part.getSpaceAfter()
            total += h + after + before
            first = before if first is None else first
        return total - first - after

    def _rect(self, row: int, column: int, last: int) -> tuple[float, float, float, float]:
        """A cell's rectangle (from column to column `last`) as the Table works it out with a spanned cell in it:
        x, bottom, width and height (`Table._calcSpanRects`)."""
        x, y = self.columns[column], self.positions[row + 1]
        return x, y, self.columns[last + 1] - x, self.positions[row] - y

    def draw(self):
        canvas, positions, columns = self.canv, self.positions, self.columns
        canvas.saveState()
        for row, column, color in self.fills:
            canvas.setFillColor(color)
            if column is not None and self.span > 1:
                canvas.rect(*self._rect(row, column, column), stroke=0, fill=1)
            else:
                left, right = (0, -1) if column is None else (column, column + 1)
                canvas.rect(columns[left], positions[row], columns[right] - columns[left],
                            positions[row + 1] - positions[row], stroke=0, fill=1)
        canvas.setFillColor(CELL_COLOR)
        canvas.setFont(self.font, CELL_SIZE, CELL_LEADING)
        for i, row in enumerate(self.cells):
            self._draw_row(canvas, row, i)
        self._draw_rules(canvas, columns[-1])
        canvas.restoreState()

    def _draw_row(self, canvas, row: list[tuple | None], i: int) -> None:
        """Row `i`'s cells, each paragraph from the top of its cell down (`Table._drawCell`, valign TOP)."""
        top, bottom = self._pads(i)
        for j, cell in enumerate(row):
            if self.span > 1:
                if cell is None:
                    continue
                x, row_bottom, width, row_height = self._rect(i, j, j + self.span - 1 if i == j == 0 else j)
            else:
                x, row_bottom, width, row_height = self.columns[j], self.positions[i + 1], self.widths[j], \
                    self.heights[i]
            if not cell:
                continue
            y = row_bottom + row_height - top
            y += cell[0].getSpaceBefore()
            for part in cell:
                _, h = part.wrapOn(canvas, width - self.pad - self.pad, row_height - top - bottom)
                y -= part.getSpaceBefore()
                y -= h
                part.drawOn(canvas, x + self.pad, y)
                y -= part.getSpaceAfter()

    def _draw_rules(self, canvas, right: float) -> None:
        """A rule under each row, then the box: top, bottom, left and right (`Table._drawLines`; a spanned cell
        spans one row, so no rule is broken for it)."""
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
                for part in cell or ():
                    shed(part, styles)

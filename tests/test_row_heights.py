"""A table's body rows are measured without building a table (story.Layout._row_heights): the heights are the ones
ReportLab's table works out for the same rows, to the bit, since they place every row that is drawn."""

from __future__ import annotations

from conftest import SHIPPED
from pdf_helpers import geometry
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Table, TableStyle

from cheatdeck.options import TEMPLATES
from cheatdeck.pdf.story import Layout
from cheatdeck.pdf.theme import Ink


def _layout(size: float) -> Layout:
    page = geometry("letter", size, TEMPLATES, SHIPPED)
    return Layout(size, page.theme, page.fonts, Ink(False), page.col_w, page.frame_h)


def test_rows_measured_from_their_paragraphs_are_as_tall_as_in_a_table():
    for size in (7.0, 8.25, 10.0):
        layout = _layout(size)
        spaced = ParagraphStyle("spaced", parent=layout.cell, spaceBefore=1.7, spaceAfter=0.9)
        widths = [layout.width * 0.23, layout.width * 0.31, layout.width * 0.46]
        room = [w - 2 * layout._cell_padding() for w in widths]
        words = "a cell of several words that wraps onto more lines than one in a narrow column"

        def row(n: int) -> list:
            return [layout.para(f"<b>Key {n}</b>", layout.key, room[0]),
                    layout.para(words[: 9 * n + 5], layout.cell, room[1]),
                    [layout.para(words[: 7 * n + 3], spaced, room[2]), layout.para(words, layout.rule, room[2])]
                    if n % 3 else []]

        body = [row(n) for n in range(1, 10)]
        head = [layout.para("Key", layout.head, room[0]), layout.para("Value", layout.head, room[1]),
                layout.para("Note", layout.head, room[2])]
        rows = layout.rows(head, head, iter(body), widths)
        part = rows.part(0, len(body), False, 0.0)
        # The ReportLab table of the part's cells, paddings and alignment (tablepart.TablePart draws as it would).
        (top, bottom), (body_top, body_bottom) = part.pads
        table = Table([[list(cell) for cell in row] for row in part.cells], colWidths=widths)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), part.pad), ("RIGHTPADDING", (0, 0), (-1, -1), part.pad),
            ("TOPPADDING", (0, 0), (-1, 0), top), ("BOTTOMPADDING", (0, 0), (-1, 0), bottom),
            ("TOPPADDING", (0, 1), (-1, -1), body_top), ("BOTTOMPADDING", (0, 1), (-1, -1), body_bottom)]))
        table.wrap(layout.width, 1e6)
        assert rows.rows == table._rowHeights[1:]
        assert rows.head == table._rowHeights[0]
        assert part.wrap(layout.width, 1e6) == (table._width, table._height) and part.heights == table._rowHeights

"""Pages are compressed as they end (reuse.PageCanvas.showPage), not when the document is saved: the saved bytes are
those a plain ReportLab canvas saves for the same drawing."""

from __future__ import annotations

import io

import pytest
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from cheatdeck.pdf.reuse import PageCanvas


def _drawn(kind: type, compression: int) -> bytes:
    buffer = io.BytesIO()
    canvas = kind(buffer, pagesize=(400, 300), invariant=1, pageCompression=compression)
    for number in range(3):
        canvas.setFillColorRGB(0.2, 0.3, 0.4)
        canvas.rect(10, 10, 100, 50 + number, stroke=0, fill=1)
        canvas.setFont("Helvetica", 9)
        for line in range(40):
            canvas.drawString(20, 280 - 6 * line, f"page {number} line {line}: the same words, drawn again")
        canvas.showPage()
    canvas.showPage()  # an empty page: ReportLab's own test stream
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("a85", [1, 0])
@pytest.mark.parametrize("compression", [1, 0])
def test_a_page_compressed_as_it_ends_saves_as_reportlab_saves_it(monkeypatch, a85, compression):
    monkeypatch.setattr(rl_config, "useA85", a85)
    ours, theirs = _drawn(PageCanvas, compression), _drawn(Canvas, compression)
    assert ours == theirs
    assert (b"/FlateDecode" in ours) == bool(compression)

"""PNG previews of the PDF's pages, for a look without a PDF viewer."""

from __future__ import annotations

import io

PNG_DPI = 110


def render_png(pdf: bytes) -> list[bytes]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    pages = []
    try:
        for page in document:
            image = page.render(scale=PNG_DPI / 72).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            pages.append(buffer.getvalue())
    finally:
        document.close()
    return pages

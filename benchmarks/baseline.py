"""The anchor: a hand-written script that does a build's work with the same libraries and nothing more.

`python benchmarks/baseline.py SHEET.yaml OUT_DIR [--part anki|pdf|both] [--size PT] [--pages N]`

It reads the YAML, writes a genanki package (one note per bullet, table row, trap and quick-reference row, a
deck per domain) and lays out a four-column landscape ReportLab PDF with the same four DejaVu faces at a fixed
body size, in one pass. No validation, no lock, no fit search, no determinism work: what someone would write
by hand for one sheet. cheatdeck's speed targets are ratios to this script's time, measured in the same run.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

FONTS = Path(__file__).resolve().parent.parent / "templates" / "fonts"


def _bullet(item) -> str:
    if isinstance(item, dict):
        if "text" in item:
            return item["text"]
        (key, value), = item.items()
        return f"{key}: {value}"
    return item


def _rows(table: dict) -> list[list[str]]:
    return [r["cells"] if isinstance(r, dict) else r for r in table["rows"]]


def _trap(item) -> tuple[str, str]:
    return (item.get("q") or item["text"], item["text"]) if isinstance(item, dict) else (item, item)


def anki(sheet: dict, out: Path) -> None:
    import genanki

    model = genanki.Model(1607392319, "Baseline", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr>{{Back}}"}])
    decks = []
    for number, domain in enumerate(sheet["domains"], 1):
        deck = genanki.Deck(2059400110 + number, f"{sheet['title']}::{domain['name']}")
        for section in domain["sections"]:
            for item in section.get("bullets", []):
                front, _, back = _bullet(item).partition(": ")
                deck.add_note(genanki.Note(model=model, fields=[escape(front), escape(back or front)]))
            if section.get("table"):
                for row in _rows(section["table"]):
                    deck.add_note(genanki.Note(model=model, fields=[escape(row[0]), escape(" · ".join(row[1:]))]))
            for item in section.get("traps", []):
                front, back = _trap(item)
                deck.add_note(genanki.Note(model=model, fields=[escape(front), escape(back)]))
        decks.append(deck)
    quick = sheet.get("quick_reference")
    if quick:
        deck = genanki.Deck(2059400100, f"{sheet['title']}::Quick reference")
        for row in quick["rows"]:
            deck.add_note(genanki.Note(model=model, fields=[escape(row["cells"][0]),
                                                            escape(" · ".join(row["cells"][1:]))]))
        decks.append(deck)
    genanki.Package(decks).write_to_file(str(out / f"{sheet['id']}.apkg"))


def pdf(sheet: dict, out: Path, size: float, pages: int) -> int:
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

    for name, file in (("B-R", "DejaVuSansCondensed.ttf"), ("B-B", "DejaVuSansCondensed-Bold.ttf"),
                       ("B-I", "DejaVuSansCondensed-Oblique.ttf"), ("B-BI", "DejaVuSansCondensed-BoldOblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))
    pdfmetrics.registerFontFamily("B-R", normal="B-R", bold="B-B", italic="B-I", boldItalic="B-BI")
    body = ParagraphStyle("body", fontName="B-R", fontSize=size, leading=size * 1.2)
    title = ParagraphStyle("title", parent=body, fontName="B-B", fontSize=size * 1.2, leading=size * 1.5)
    story = []
    for domain in sheet["domains"]:
        for section in domain["sections"]:
            story.append(Paragraph(escape(section["title"]), title))
            for item in section.get("bullets", []):
                story.append(Paragraph("• " + escape(_bullet(item)), body))
            if section.get("table"):
                table = section["table"]
                data = [[Paragraph(escape(c), body) for c in row] for row in [table["columns"], *_rows(table)]]
                story.append(Table(data, repeatRows=1, style=TableStyle([("FONTSIZE", (0, 0), (-1, -1), size)])))
            for item in section.get("traps", []):
                story.append(Paragraph("<b>TRAP</b> " + escape(_trap(item)[1]), body))
    quick = sheet.get("quick_reference")
    if quick:
        rows = [quick["columns"], *(r["cells"] for r in quick["rows"])]
        story.append(Table([[Paragraph(escape(c), body) for c in row] for row in rows], repeatRows=1))
    width, height = landscape(letter)
    margin, gutter, columns = 18, 9, 4
    col_w = (width - 2 * margin - (columns - 1) * gutter) / columns
    frames = [Frame(margin + i * (col_w + gutter), margin, col_w, height - 2 * margin, id=f"c{i}",
                    leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0) for i in range(columns)]
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=(width, height), title=sheet["title"])
    doc.addPageTemplates([PageTemplate(id="sheet", frames=frames)])
    doc.build(story)
    (out / f"{sheet['id']}.pdf").write_bytes(buffer.getvalue())
    return doc.page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheet", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--part", choices=("anki", "pdf", "both"), default="both")
    parser.add_argument("--size", type=float, default=8.0)
    parser.add_argument("--pages", type=int, default=2)
    args = parser.parse_args()
    sheet = yaml.load(args.sheet.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.part in ("anki", "both"):
        anki(sheet, args.out)
    if args.part in ("pdf", "both"):
        pdf(sheet, args.out, args.size, args.pages)


if __name__ == "__main__":
    main()

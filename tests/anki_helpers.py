"""Drive the real Anki engine: import packages into a collection, as File → Import does."""

from __future__ import annotations

import html
import re
from pathlib import Path

from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)


def import_package(col: Collection, package: Path):
    """Import with Anki's defaults (update notes and note types if newer); return the import log."""
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def visible_text(card_html: str) -> str:
    text = re.sub(r"<style>.*?</style>", "", card_html, flags=re.S).replace("<wbr>", "")
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def review_all(col: Collection) -> None:
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        card.start_timer()
        col.sched.answerCard(card, 3)


def scheduling(col: Collection) -> dict:
    rows = col.db.all("select c.id, c.type, c.queue, c.ivl, c.due, (select count() from revlog r where r.cid = c.id) "
                      "from cards c")
    return {row[0]: tuple(row[1:]) for row in rows}


def note_fields(path: Path) -> list[str]:
    """Every note's fields in the collection at `path`, sorted (the collection opened and closed again)."""
    col = Collection(str(path))
    try:
        return sorted(col.db.list("SELECT flds FROM notes"))
    finally:
        col.close()

"""A built package read back for `sync`: its notes, the deck of each card, its note types and decks.

The package is the one `build` writes; `sync` imports it with Anki's importer and does the rest from this
reading of it. It is read in memory: nothing is unpacked beside the user's files or in a temp folder.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple


class IncomingNote(NamedTuple):
    """One of the package's notes (a tuple: a sync reads tens of thousands)."""

    guid: str
    notetype_id: int
    flds: str
    """The fields as Anki stores them, joined by \x1f: a note that did not change compares whole, unsplit."""
    tags_text: str

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.flds.split("\x1f"))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.tags_text.split())


@dataclass(frozen=True)
class IncomingNotetype:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    raw: dict
    """The note type as the package stores it (Anki's JSON form), for a repair with --reset-notetypes."""


@dataclass(frozen=True)
class Incoming:
    notes: dict[str, IncomingNote]
    """By GUID."""
    decks: dict[tuple[str, int], str]
    """Each card's deck name, by note GUID and card ordinal."""
    deck_names: tuple[str, ...]
    notetypes: dict[int, IncomingNotetype]
    media: int = 0
    """How many media files the package carries."""


def read_package(package: Path | bytes) -> Incoming:
    data = package if isinstance(package, bytes) else Path(package).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        database = archive.read("collection.anki2")
        media = len(json.loads(archive.read("media") or b"{}")) if "media" in archive.namelist() else 0
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(database)
        decks_json, models_json = conn.execute("SELECT decks, models FROM col").fetchone()
        names = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
        notes = {row[0]: IncomingNote._make(row) for row in conn.execute("SELECT guid, mid, flds, tags FROM notes")}
        cards = conn.execute("SELECT n.guid, c.ord, c.did FROM cards c JOIN notes n ON n.id = c.nid").fetchall()
    finally:
        conn.close()
    models = json.loads(models_json)
    notetypes = {int(k): IncomingNotetype(int(k), m["name"], tuple(f["name"] for f in m["flds"]),
                                          tuple(t["name"] for t in m["tmpls"]), m)
                 for k, m in models.items()}
    # genanki's package also holds Anki's "Default" deck, which is not the sheet's.
    return Incoming(notes, {(guid, ord_): names[did] for guid, ord_, did in cards},
                    tuple(sorted(set(names.values()) - {"Default"})), notetypes, media)


def without_media(package: bytes) -> bytes:
    """The package with its media left out: what `sync --plan` imports, so it copies no file into the
    collection's media folder (an import writes media before its transaction could be rolled back)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as archive, zipfile.ZipFile(out, "w") as copy:
        copy.writestr("collection.anki2", archive.read("collection.anki2"))
        copy.writestr("media", "{}")
    return out.getvalue()

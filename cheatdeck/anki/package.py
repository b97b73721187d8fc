"""Stage 3a, render: planned notes become the bytes of an .apkg package.

genanki writes the collection; two things are adjusted after it, because
genanki stamps every note and note type with one build time: each note and
note type gets the `mod` from the lock, and the zip gets fixed dates and a
fixed order so that an unchanged sheet gives byte-identical output.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import genanki

from .notetypes import NoteType
from .plan import Plan
from .stamps import Stamps

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def deck_id(sheet_id: str, name: str) -> int:
    return 1 << 30 | int.from_bytes(hashlib.sha256(f"{sheet_id}\x1f{name}".encode()).digest()[:4], "big") >> 2


def render_apkg(plan: Plan, notetypes: dict[str, NoteType], stamps: Stamps,
                media: list[tuple[str, bytes]] = ()) -> bytes:
    """`media`: (name, bytes) of the files the notes show, stored in the package as Anki's media map names them."""
    models = {kind: nt.to_genanki() for kind, nt in notetypes.items()}
    decks = {name: genanki.Deck(deck_id(plan.sheet.id, name), name, plan.deck_descriptions.get(name, ""))
             for name in plan.decks}
    guids = stamps.guids  # from the lock: a note that moved keeps the GUID Anki knows it by
    for note in plan.notes:
        decks[note.deck].add_note(genanki.Note(
            model=models[note.kind], fields=list(note.fields), tags=list(note.tags), guid=guids[note.ident]))
    with tempfile.TemporaryDirectory(prefix="cheatdeck-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            timestamp = stamps.timestamp
            genanki.Package(list(decks.values())).write_to_db(cursor, timestamp, itertools.count(timestamp * 1000))
            # A TEMP table keeps the lookup indexed without adding anything to the package's own file.
            cursor.execute("CREATE TEMP TABLE stamped (guid TEXT PRIMARY KEY, mod INTEGER)")
            cursor.executemany("INSERT INTO stamped VALUES (?, ?)",
                               [(guids[n.ident], stamps.note_mods[n.ident]) for n in plan.notes])
            cursor.execute("UPDATE notes SET mod = (SELECT mod FROM stamped WHERE stamped.guid = notes.guid)")
            (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
            stored = json.loads(models_json)
            for kind, nt in notetypes.items():
                if str(nt.id) in stored:
                    stored[str(nt.id)]["mod"] = stamps.notetype_mods[kind]
            cursor.execute("UPDATE col SET models = ?", (json.dumps(stored, sort_keys=True),))
            conn.commit()
        finally:
            conn.close()
        collection = db_path.read_bytes()
    buffer = io.BytesIO()
    media_map = json.dumps({str(i): name for i, (name, _) in enumerate(media)}, sort_keys=True).encode()
    entries = [("collection.anki2", collection), ("media", media_map),
               *((str(i), data) for i, (_, data) in enumerate(media))]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()

"""Stage 3a, render: planned notes become the bytes of an .apkg package.

genanki writes the collection; two things are adjusted after it, because
genanki stamps every note and note type with one build time: each note and
note type gets the `mod` from the lock, and the zip gets fixed dates and a
fixed order so that an unchanged sheet gives byte-identical output.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from ..write import create_temp
from .notetypes import NoteType
from .plan import Note, Plan
from .stamps import Stamps

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_INDEXES = "\n".join(line for line in APKG_SCHEMA.splitlines() if line.startswith("CREATE INDEX"))
_TABLES = "\n".join(line for line in APKG_SCHEMA.splitlines() if not line.startswith("CREATE INDEX"))
COMPRESS_LEVEL = 3
"""zlib's level for the package: 8 % larger than zlib's default (6) and two and a half times faster to make
(0.09 s against 0.22 s for a 10,000-fact sheet's 14 MB database), and inflated in the same time (35 ms).
genanki stores its packages uncompressed, eight times larger."""


def deck_id(sheet_id: str, name: str) -> int:
    return 1 << 30 | int.from_bytes(hashlib.sha256(f"{sheet_id}\x1f{name}".encode()).digest()[:4], "big") >> 2


def render_apkg(plan: Plan, notetypes: dict[str, NoteType], stamps: Stamps,
                media: list[tuple[str, bytes]] = (), beside: Path | None = None) -> bytes:
    """`media`: (name, bytes) of the files the notes show, stored in the package as Anki's media map names them;
    `beside`: the path the package is written to, where its database waits while it is made
    (`_scratch_database`)."""
    try:
        return _packaged(plan, notetypes, stamps, media, beside)
    except sqlite3.OperationalError:
        if beside is None:
            raise
    # SQLite could not write its scratch file beside the package (a disk with room for the zip but not the
    # database, a share without file locks): the package is made in memory, as it is without a path.
    return _packaged(plan, notetypes, stamps, media, None)


def _packaged(plan: Plan, notetypes: dict[str, NoteType], stamps: Stamps, media: list[tuple[str, bytes]],
              beside: Path | None) -> bytes:
    models = {kind: nt.to_genanki() for kind, nt in notetypes.items()}
    decks = {name: genanki.Deck(deck_id(plan.sheet.id, name), name, plan.deck_descriptions.get(name, ""))
             for name in plan.decks}
    notes: dict[str, list] = {name: [] for name in plan.decks}
    for note in plan.notes:
        decks[note.deck].add_model(models[note.kind])
        notes[note.deck].append(note)
    entries = stamps.sections["notes"]  # from the lock: a note that moved keeps the GUID Anki knows it by
    with _scratch_database(beside) as (conn, stored_file):
        cursor = conn.cursor()
        # Read back at once: no journal, and no fsync per statement. The pages stay the same.
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        timestamp = stamps.timestamp
        ids = itertools.count(timestamp * 1000)
        cursor.executescript(_TABLES)
        cursor.executescript(APKG_COL)
        resized: list[tuple[str, int]] = []
        for name, deck in decks.items():
            deck.write_to_db(cursor, timestamp, ids)
            _write_notes(cursor, notes[name], models, entries, deck.deck_id, timestamp, ids, resized)
        # Indexed once the rows are in: sorted in one go, not kept in order row by row (a 10,000-fact sheet's
        # rows went in a quarter faster).
        cursor.executescript(_INDEXES)
        if resized:
            # A TEMP table keeps the lookup indexed without adding anything to the package's own file.
            cursor.execute("CREATE TEMP TABLE stamped (guid TEXT PRIMARY KEY, mod INTEGER)")
            cursor.executemany("INSERT INTO stamped VALUES (?, ?)", resized)
            cursor.execute("UPDATE notes SET mod = (SELECT mod FROM stamped WHERE stamped.guid = notes.guid) "
                           "WHERE guid IN (SELECT guid FROM stamped)")
        (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
        stored = json.loads(models_json)
        for kind, nt in notetypes.items():
            if str(nt.id) in stored:
                stored[str(nt.id)]["mod"] = stamps.notetype_mods[kind]
        cursor.execute("UPDATE col SET models = ?", (json.dumps(stored, sort_keys=True),))
        conn.commit()
        collection = stored_file or io.BytesIO(conn.serialize())
        conn.close()
        return _zipped(collection, media)


@contextlib.contextmanager
def _scratch_database(beside: Path | None):
    """The package's database, in a temp file of the package's path (`beside`), which is removed as soon as
    SQLite has opened it (where the system lets an open file be removed); a kill before that leaves a temp file
    that the next write of the package removes (write.py). Its pages beyond SQLite's small cache wait in the
    file, not in the process's memory, and are read back from it a piece at a time: a copy of the whole database
    (SQLite's serialize, then Python's bytes of it) raised a 50,000-fact package's peak by twice the database's
    68 MB. Without `beside`, or where no file can be made there, SQLite's private temporary database, to be
    copied out whole (no file: None)."""
    try:
        handle, name = create_temp(beside) if beside is not None else (-1, None)
    except OSError:  # a read-only or full folder: writing the package will say so
        handle, name = -1, None
    if name is None:
        conn = sqlite3.connect("")
        try:
            yield conn, None
        finally:
            conn.close()
        return
    conn = None
    try:
        with open(handle, "rb") as stored_file:
            conn = sqlite3.connect(name)  # which opens the file
            with contextlib.suppress(OSError):
                os.unlink(name)
            yield conn, stored_file
    finally:
        if conn is not None:
            conn.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def _zipped(collection: BinaryIO, media: list[tuple[str, bytes]]) -> bytes:
    """The package's zip: the database read from `collection` a piece at a time, then the media map and the
    media."""
    buffer = io.BytesIO()
    media_map = json.dumps({str(i): name for i, (name, _) in enumerate(media)}, sort_keys=True).encode()
    entries = [("collection.anki2", collection.seek(0, io.SEEK_END), _as_in_memory(collection)),
               ("media", len(media_map), [media_map]),
               *((str(i), len(data), [data]) for i, (_, data) in enumerate(media))]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, size, parts in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            # The level a ZipInfo carries: `compress_level` from Python 3.13 on, `_compresslevel` before it.
            setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", COMPRESS_LEVEL)
            info.external_attr = 0o644 << 16
            info.file_size = size  # as `writestr` sets it, which decides the entry's header
            with archive.open(info, "w") as entry:
                for part in parts:
                    entry.write(part)
    return buffer.getvalue()


# Where a database file's header counts its writes, and which SQLite version wrote it (sqlite.org/fileformat2):
# the image of a database kept in memory, which the packages were made from before, leaves them at 0.
_WRITES = slice(24, 28)
_VERSION = slice(92, 100)
_PIECE = 1 << 20


def _as_in_memory(collection: BinaryIO) -> Iterator[bytes]:
    """The database's bytes in pieces, its header as a database in memory has it: the same package whichever
    SQLite wrote it."""
    collection.seek(0)
    header = bytearray(collection.read(100))
    header[_WRITES] = bytes(_WRITES.stop - _WRITES.start)
    header[_VERSION] = bytes(_VERSION.stop - _VERSION.start)
    yield bytes(header)
    while piece := collection.read(_PIECE):
        yield piece


def _write_notes(cursor, notes: list[Note], models: dict[str, genanki.Model], entries: dict[str, dict],
                 deck: int, timestamp: int, ids, resized: list[tuple[str, int]]) -> None:
    """The rows genanki's Note.write_to_db writes, with its ids (a note's, then its cards'), without building a
    genanki Note per note; a tenth of a 10,000-fact build went there. The notes go in with one statement and
    their cards with another (a statement per row took a fifth longer); the rows are made as SQLite reads them,
    not held. `entries`: each note's lock entry, with its GUID and mod.

    genanki writes every note with the build time; the lock's mods replace it. A mod stored in as many bytes as
    the build time goes in here, which gives the same file; the others (a clock set back by decades, or 2038)
    go into `resized`, to be replaced afterwards as they always were."""
    cards: list[tuple[int, list[int], list[int]]] = []  # per note: its id, its cards' ids and their ords
    cursor.executemany(_NOTE_ROW, _note_rows(notes, models, entries, timestamp, ids, resized, cards))
    cursor.executemany(_CARD_ROW, ((card_id, note_id, deck, ord_, timestamp)
                                   for note_id, card_ids, ords in cards for card_id, ord_ in zip(card_ids, ords)))


def _note_rows(notes: list[Note], models: dict[str, genanki.Model], entries: dict[str, dict], timestamp: int,
               ids, resized: list[tuple[str, int]], cards: list[tuple[int, list[int], list[int]]]) -> Iterator[tuple]:
    """Each note's row; its cards' ids and ords go into `cards`."""
    width = _int_width(timestamp)
    same_width = {timestamp: True}  # a sheet's mods are the times of a few builds: each is sized once
    front_back: dict[tuple, list[int]] = {}  # a front/back note's cards follow from which of its fields are empty
    for note in notes:
        model = models[note.kind]
        note_id = next(ids)
        entry = entries[note.ident]
        mod = entry["mod"]
        same = same_width.get(mod)
        if same is None:
            same = same_width[mod] = _int_width(mod) == width
        guid = entry["guid"]
        if not same:
            resized.append((guid, mod))
        if model.model_type == model.FRONT_BACK:
            filled = (note.kind, *map(bool, note.fields))
            ords = front_back.get(filled)
            if ords is None:
                ords = front_back[filled] = _card_ords(model, note.fields)
        else:
            ords = _card_ords(model, note.fields)
        cards.append((note_id, list(itertools.islice(ids, len(ords))), ords))
        yield (note_id, guid, model.model_id, mod if same else timestamp, f" {' '.join(note.tags)} ",
               "\x1f".join(note.fields), note.fields[model.sort_field_index])


def _int_width(value: int) -> int:
    """The bytes SQLite stores a whole number in (its record format's serial types 1 to 9)."""
    if value in (0, 1):
        return 0
    for width, limit in ((1, 1 << 7), (2, 1 << 15), (3, 1 << 23), (4, 1 << 31), (6, 1 << 47)):
        if -limit <= value < limit:
            return width
    return 8


# genanki's values for the columns it always fills the same way (usn -1, no flags, a new card), written into
# the statements instead of bound on every row.
_NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,-1,?,?,?,0,0,'');"
_CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,0,0,0,0,0,0,0,0,0,'');"
_CLOZE_NUMBER = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


def _card_ords(model: genanki.Model, fields: tuple[str, ...]) -> list[int]:
    """The cards genanki gives a note (genanki.Note.cards): by the model's required fields, or one per cloze
    number in the fields its first template clozes."""
    if model.model_type == model.FRONT_BACK:
        return [ord_ for ord_, how, required in model._req
                if (any if how == "any" else all)(fields[i] for i in required)]
    ords = set()
    for index in _cloze_fields(model):
        ords.update(int(m) - 1 for m in _CLOZE_NUMBER.findall(fields[index]) if int(m) > 0)
    return list(ords)


@functools.lru_cache(maxsize=None)
def _cloze_fields(model: genanki.Model) -> tuple[int, ...]:
    qfmt = model.templates[0]["qfmt"]
    names = set(re.findall(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}", qfmt) + re.findall("<%cloze:(.+?)%>", qfmt))
    return tuple(i for i, f in enumerate(model.fields) if f["name"] in names)

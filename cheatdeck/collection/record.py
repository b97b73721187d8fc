"""What `sync` last did to a collection, kept in the collection itself (its config, under one key per sheet).

- `notes`: for each note (by GUID), a digest of each field as cheatdeck last wrote it. A field that differs
  from its digest was edited in Anki; a sheet field that differs from it changed in the sheet.
- `decks`: the decks the sheet's packages have put cards in. Only cards in these decks are the sheet's to
  move; any other deck, a subdeck the user made among them included, is the user's.
- `removed`: the notes that left the sheet and what sync did to them (suspended: which cards it suspended),
  so it acts once per collection, and a note that comes back gets exactly those cards unsuspended.
- `notetypes`: the field and card type names of each note type as sync last left them, which tells a change
  made in Anki from one made in the sheet's templates.

The record travels with the collection (a copy, another profile, an AnkiWeb sync), which the lock beside the
sheet cannot do: a lock cannot tell two collections apart.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

FORMAT = 1


def key(sheet_id: str) -> str:
    return f"cheatdeck:{sheet_id}"


def digest(text: str) -> str:
    """Eight characters per field: enough to tell an edit (not a signature: nobody forges one), small and quick
    enough for 100,000 notes in a config entry."""
    return f"{zlib.crc32(text.encode()):08x}"


def digests_of(notes: list[str]) -> list[str]:
    """Each note's record: its fields' digests, space-separated, of fields as Anki stores them (joined by \x1f).

    Worked out in C for all the notes at once (`map`, `struct`, `bytes.hex`), then each note's slice of it (a
    note of n fields takes n digests of eight characters, each followed by a space): a sync of 10,000 facts
    takes this of every note. The fields' bytes split at \x1f are each field's bytes: in UTF-8 that byte is only
    ever itself."""
    crcs = list(map(zlib.crc32, "\x1f".join(notes).encode().split(b"\x1f")))
    hexed = struct.pack(f">{len(crcs)}I", *crcs).hex(" ", 4) + " "
    out, start = [], 0
    for flds in notes:
        end = start + 9 * (flds.count("\x1f") + 1)
        out.append(hexed[start:end - 1])
        start = end
    return out


@dataclass
class Record:
    notes: dict[str, str] = field(default_factory=dict)
    """Each note's field digests, space-separated as stored: most notes are only compared, never split."""
    decks: list[str] = field(default_factory=list)
    removed: dict[str, dict] = field(default_factory=dict)
    notetypes: dict[str, str] = field(default_factory=dict)


def load(col, sheet_id: str) -> Record:
    stored = col.get_config(key(sheet_id), None)
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        return Record()
    return Record(dict(stored.get("notes", {})),
                  list(stored.get("decks", [])), dict(stored.get("removed", {})), dict(stored.get("notetypes", {})))


def save(col, sheet_id: str, record: Record) -> None:
    col.set_config(key(sheet_id), {
        "format": FORMAT, "decks": sorted(record.decks), "removed": record.removed, "notetypes": record.notetypes,
        "notes": dict(sorted(record.notes.items()))})

"""The lock file beside a sheet: each note's identity → GUID, content hash and modification time, and a
tombstone for each note that left the sheet (see deck/stamps.py).

It holds identity only: a change to cheatdeck, a theme or a paper never
changes it (the PDF's layout hint lives in the output folder's state, see
freshness.py).

Anki applies an imported note (or note type) only when its `mod` is newer
than the copy in the collection. So a note's `mod` must rise exactly when its
content changes and stay put otherwise; the lock remembers both, and is
committed with the sheet so every clone builds the same bytes. It also holds
each note's GUID, so a note that moves keeps the one Anki knows it by.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import CheatdeckError, Location, Problem

FORMAT = 3
# Format 1 had no GUIDs: each note's was genanki.guid_for(sheet id, identity), which `upgrade` writes down.
# Format 2 also kept the PDF's layout hints, which `upgrade` drops.
FORMATS = (1, 2, FORMAT)
# Sections that do not shape the .apkg: format 2's layout hints, and tombstones (a note removed once is
# already out of the package; forgetting its tombstone must not make the package stale).
NOT_ANKI = ("layout", "removed")


def lock_path(source: Path) -> Path:
    return source.with_name(source.stem + ".lock.json")


# Built once: json.dumps with options builds an encoder per call, and a lock has an entry per note.
_VALUE = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode


_STRING = json.encoder.encode_basestring  # json's own C function for a string, as _VALUE writes one
_NOTE = frozenset({"content", "guid", "hash", "mod", "section"})


def _entry(value: object) -> str:
    """`_VALUE(value)`. A note's entry (the lock holds one per note) is written directly: the encoder's setup
    per call costs more than its work on five short values."""
    if type(value) is dict and value.keys() == _NOTE and type(value["mod"]) is int:
        try:
            return (f'{{"content": {_STRING(value["content"])}, "guid": {_STRING(value["guid"])}, '
                    f'"hash": {_STRING(value["hash"])}, "mod": {value["mod"]}, '
                    f'"section": {_STRING(value["section"])}}}')
        except TypeError:  # a value that is not a string: a lock edited by hand
            pass
    return _VALUE(value)


def dump(document: dict) -> str:
    """One entry per line: diffs stay readable, and json's C encoder does the work (indent= would not)."""
    lines = []
    for name in sorted(document):
        value = document[name]
        if isinstance(value, dict) and value:
            entries = ",\n".join(f"  {_STRING(k)}: {_entry(v)}" for k, v in sorted(value.items()))
            lines.append(f" {json.dumps(name)}: {{\n{entries}\n }}")
        else:
            lines.append(f" {json.dumps(name)}: {_VALUE(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def anki_digest(data: bytes) -> str:
    """What of the lock's bytes shapes the .apkg: every line but the NOT_ANKI sections (see `dump` for the
    format)."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    kept, skipping = [], False
    starts = tuple(f" {json.dumps(name)}: {{" for name in NOT_ANKI)
    for line in lines:
        if line.startswith(starts):
            skipping = not line.endswith("}") and not line.endswith("},")
        elif skipping and line.startswith(" }"):
            skipping = False
        elif not skipping:
            kept.append(line)
    return "\n".join(kept)


def read_bytes(path: Path) -> bytes | None:
    """The lock file's bytes; None when there is none yet."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        from ..environment import environment_error

        raise (environment_error(exc, path)
               or CheatdeckError(Problem(Location(str(path)), f"cannot read the lock file: {exc}"))) from None


def read(path: Path) -> dict:
    return parse(read_bytes(path), path)


def parse(data: bytes | None, path: Path) -> dict:
    """The lock's content (`data`, read from `path`); {} when there is none yet. A damaged lock is an error,
    never silently reset: starting over would re-stamp every note and misreport the changes."""
    if data is None:
        return {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheatdeckError(Problem(Location(str(path)), f"cannot read the lock file: {exc}")) from None
    try:
        document = json.loads(text)
    except ValueError as exc:
        hint = " (a merge conflict? keep one side's entries)" if "<<<<<<<" in text else ""
        raise CheatdeckError(Problem(Location(str(path), exc.lineno, exc.colno),
                                     f"the lock file is not valid JSON{hint}; fix it, or delete it to start "
                                     "the notes' history stamps over")) from None
    if not isinstance(document, dict) or document.get("format") not in FORMATS:
        raise CheatdeckError(Problem(Location(str(path), 1, 1), f"this is not a cheatdeck lock file (format {FORMAT})"))
    return document


def upgrade(document: dict, sheet_id: str) -> dict:
    """The document in the current format, naming its sheet (whose id seeded every GUID of format 1); what
    else a sheet's lock holds (tombstones and whatever they carry) is kept as it is."""
    document = {name: value for name, value in document.items() if name != "layout"}
    if document.get("format", FORMAT) == 1:
        import genanki

        notes = {ident: {**entry, "guid": genanki.guid_for(sheet_id, ident)}
                 for ident, entry in document.get("notes", {}).items()}
        document = {**document, "notes": notes}
    return {**document, "format": FORMAT, "sheet": sheet_id}


def tombstones(path: Path) -> tuple[str | None, dict[str, dict]]:
    """The sheet id and the notes removed from it that the user has not forgotten yet: identity → record.

    Read from their own lines when the lock is laid out as `dump` writes it: a sync needs only these, not the
    sheet's thousands of notes; any other lock is parsed whole (and a damaged one refused, see `parse`)."""
    data = read_bytes(path)
    document = _sections(data, ("format", "sheet", "removed"))
    if document is None or document.get("format") not in FORMATS:
        document = parse(data, path)
    return document.get("sheet"), document.get("removed", {})


def _sections(data: bytes | None, names: tuple[str, ...]) -> dict | None:
    """The top-level values `names` of a lock in `dump`'s layout, each parsed from its own lines (only a name
    starts a line with one space and a quote); None for a lock in another layout."""
    end_of_document = "\n}\n"
    try:
        text = (data or b"").decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.startswith("{\n") or not text.endswith(end_of_document):
        return None
    found = {}
    for name in names:
        key = f"\n {json.dumps(name)}: "
        start = text.find(key)
        if start < 0:
            continue
        start += len(key)
        end = text.find('\n "', start)
        value = text[start:end].removesuffix(",") if end >= 0 else text[start:-len(end_of_document)]
        try:
            found[name] = json.loads(value)
        except ValueError:
            return None
    return found


def forget(path: Path) -> int:
    """Drop every tombstone; returns how many there were."""
    from ..write import write_atomic

    document = read(path)
    count = len(document.get("removed", {}))
    if count:
        write_atomic(path, dump({**document, "removed": {}}).encode())
    return count

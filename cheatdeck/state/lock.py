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

import hashlib
import json
from collections.abc import Iterator
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


def dump_bytes(document: dict) -> bytearray:
    """The lock's text, one entry per line (diffs stay readable, and json's C encoder does the work: indent=
    would not), as `write` writes it."""
    out = bytearray()
    for piece, _ in _pieces(document):
        out += piece
    return out


def write(path: Path, document: dict, keep: bool = False) -> tuple[str, bytearray | None]:
    """Writes the lock's text (`dump_bytes`) to `path` as write_atomic would, a few thousand lines at a time: a
    50,000-fact sheet's lock is 21 MB of text, and its whole text beside its entries was a build's peak. Returns
    the text's `anki_digest`, worked out as it is written, and, when `keep`, the text (`watch` keeps it)."""
    from ..write import write_pieces

    digest, kept = hashlib.sha256(), bytearray() if keep else None

    def pieces() -> Iterator[bytes]:
        for piece, anki in _pieces(document):
            if anki:
                digest.update(piece)
            if kept is not None:
                kept.extend(piece)
            yield piece

    write_pieces(path, pieces())
    return digest.hexdigest(), kept


_BATCH = 4096


def _pieces(document: dict) -> Iterator[tuple[bytes, bool]]:
    """The lock's text encoded a few thousand lines at a time, each piece with whether `anki_digest` reads it."""
    lines, counted = [], True
    for line, anki in _lines(document):
        if anki != counted or len(lines) == _BATCH:
            yield "".join(lines).encode(), counted
            lines, counted = [], anki
        lines.append(line)
    yield "".join(lines).encode(), counted


def _lines(document: dict) -> Iterator[tuple[str, bool]]:
    """The lock's text in pieces, each with whether `anki_digest` reads it: each section's entries one a line, the
    sections in order. A NOT_ANKI section's span (`_span`) runs from the line break before its name to the
    comma after it."""
    names = sorted(document)
    yield "{", True
    for number, name in enumerate(names):
        anki = name not in NOT_ANKI
        if number:
            yield ",", names[number - 1] not in NOT_ANKI
        yield "\n", anki
        value = document[name]
        if isinstance(value, dict) and value:
            yield f" {json.dumps(name)}: {{\n", anki
            separator = "  "
            for key, entry in sorted(value.items()):
                yield f"{separator}{_STRING(key)}: {_entry(entry)}", anki
                separator = ",\n  "
            yield "\n }", anki
        else:
            yield f" {json.dumps(name)}: {_VALUE(value)}", anki
    yield "\n}\n", True


def anki_digest(data: bytes) -> str:
    """A digest of what of the lock's bytes shapes the .apkg: all but the NOT_ANKI sections, cut out of a lock in
    `dump`'s layout (any other is digested whole). Read from the bytes as they are: a sheet's lock is
    megabytes, and a build digests the lock it wrote."""
    digest = hashlib.sha256()
    view, at = memoryview(data), 0
    for start, end in sorted(filter(None, (_span(data, name) for name in NOT_ANKI))):
        digest.update(view[at:start])
        at = end
    digest.update(view[at:])
    return digest.hexdigest()


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
    """The top-level values `names` of a lock in `dump`'s layout, each parsed from its own lines; None for a
    lock in another layout, or one that is not UTF-8 (`parse` says why)."""
    data = data or b""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not _laid_out(data):
        return None
    found = {}
    for name in names:
        span = _span(data, name)
        if span is not None:
            try:
                found[name] = json.loads(data[span[0]:span[1]].split(b": ", 1)[1].removesuffix(b","))
            except ValueError:
                return None
    return found


_END = b"\n}\n"


def _laid_out(data: bytes) -> bool:
    return data.startswith(b"{\n") and data.endswith(_END)


def _span(data: bytes, name: str) -> tuple[int, int] | None:
    """Where the top-level entry `name` of a lock in `dump`'s layout is, from the line break before it to the
    next one's (only a name starts a line with one space and a quote); None when it has none, or the lock is
    laid out otherwise."""
    if not _laid_out(data):
        return None
    start = data.find(f"\n {json.dumps(name)}: ".encode())
    if start < 0:
        return None
    end = data.find(b'\n "', start + 1)
    return start, end if end >= 0 else len(data) - len(_END)


def forget(path: Path) -> int:
    """Drop every tombstone; returns how many there were."""
    from ..write import write_atomic

    document = read(path)
    count = len(document.get("removed", {}))
    if count:
        write_atomic(path, dump_bytes({**document, "removed": {}}))
    return count

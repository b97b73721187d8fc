"""Stamps: each note's lasting record across builds, its GUID and a `mod` that rises exactly when its content changes.

Anki knows a note by its GUID, and applies an imported note (or note type) only when its `mod` is newer than
the copy in the collection. So the lock (state/lock.py) remembers, per note identity, its GUID, a hash of its
words (`content`: how it is found again after a move or a rename), its digest (`hash`: what decides its mod)
and its mod between builds; for each note that left the sheet, a tombstone until the user forgets it; and
each section's place (`places`: deck, domain, title), so that a rename is told from a move.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import Note


@dataclass(frozen=True)
class Changes:
    """What a build changed in the deck since the lock: notes new, changed, moved, removed and returned."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    moved: tuple[tuple[str, str], ...] = ()  # (identity, the section it came from)
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    returned: tuple[str, ...] = ()
    """Notes that had left the sheet and came back (found from their tombstones): their GUIDs are the removed
    notes' (`Stamps.guids`), so the collection may hold them suspended."""
    renamed: tuple[tuple[str, str, str], ...] = ()
    """(what, old name, new name): a `section` id, a `title`, a `domain` id or a `deck` the sheet renamed."""
    rehomed: tuple[tuple[str, str, str], ...] = ()
    """(section, its deck before, its deck now): a section moved to another domain's deck, which is not its old
    deck renamed; an import leaves its cards where they were."""
    notetypes_changed: tuple[str, ...] = ()
    notetypes_reshaped: tuple[str, ...] = ()
    first_build: bool = False


@dataclass(frozen=True)
class Stamps:
    """Each note's GUID and mod as the lock keeps them, and what changed."""

    notetype_mods: dict[str, int]
    changes: Changes
    sections: dict = field(repr=False)
    """The lock's notes, note types, tombstones and places: each note's GUID and mod are its entry's in
    `sections["notes"]`, read from there (a dict of each beside them held a big sheet's notes twice more)."""

    @property
    def guids(self) -> dict[str, str]:
        return {ident: entry["guid"] for ident, entry in self.sections["notes"].items()}

    @property
    def note_mods(self) -> dict[str, int]:
        return {ident: entry["mod"] for ident, entry in self.sections["notes"].items()}

    @property
    def timestamp(self) -> int:
        """A build time derived from content, so ids stay put while nothing changes."""
        return max([*(entry["mod"] for entry in self.sections["notes"].values()), *self.notetype_mods.values(), 0])


# Anki's base91 alphabet, as genanki.guid_for writes GUIDs.
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
_PAIR = 91 * 91
_BASE91_PAIRS = [high + low for high in _BASE91 for low in _BASE91]


def _guid(sheet_id: str, origin: str, attempt: int) -> str:
    """genanki.guid_for(sheet_id, origin[, attempt]), without its per-byte Python loop (a 10,000-fact sheet
    derives 23,000 of them on its first build)."""
    seed = f"{sheet_id}__{origin}" if attempt == 0 else f"{sheet_id}__{origin}__{attempt}"
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    # Two base-91 digits at a time; the leading digit is never a zero.
    pairs = []
    while number >= _PAIR:
        number, pair = divmod(number, _PAIR)
        pairs.append(_BASE91_PAIRS[pair])
    pairs.append(_BASE91_PAIRS[number] if number >= 91 else _BASE91[number] if number else "")
    return "".join(reversed(pairs))


def _by_content(pending: list[Note], records: dict, how: str, found: dict[str, tuple[dict, str]]) -> list[Note]:
    """Claims for the pending notes the records that hold their words (see Note.content); returns the rest."""
    left: dict[str, list[str]] = {}
    for ident in sorted(records):
        if "content" in records[ident]:
            left.setdefault(records[ident]["content"], []).append(ident)
    rest = []
    for note in pending:
        if left.get(note.content):
            found[note.ident] = (records.pop(left[note.content].pop(0)), how)
        else:
            rest.append(note)
    return rest


def _by_identity(pending: list[Note], records: dict, how: str, found: dict[str, tuple[dict, str]],
                 digests: dict[str, str] | None = None) -> list[Note]:
    """Claims for the pending notes the records of their identities; returns the rest. With `digests`, only a
    record that is the note's own: its identity was pinned by the author, or its digest or words are the same.
    The digest goes into `digests` (it decides the note's mod): most notes are unchanged, and their words are
    not hashed at all."""
    rest = []
    for note in pending:
        ident = note.ident
        record = records[ident] if ident in records else None
        if record is not None and digests is not None and "/" in ident:
            digests[ident] = digest = note.digest
            if record.get("hash") != digest and record.get("content") != note.content:
                record = None
        if record is not None:
            found[ident] = (records.pop(ident), how)
        else:
            rest.append(note)
    return rest


def _claim(notes: Sequence[Note], entries: dict, tombstones: dict, sheet_id: str,
           digests: dict[str, str], same: dict[str, dict]) -> dict[str, tuple[dict | str, str]]:
    """Each note's previous record (for a new note, its GUID alone) and how it was found: kept, moved, returned
    (from a tombstone) or new. Claimed records leave `entries` and `tombstones`; `digests` gets the digests
    worked out on the way. `same` (see `_same`): notes whose records are theirs already, as the first look
    below would find them (by identity: another note never claims a record of this identity before it)."""
    found: dict[str, tuple[dict | str, str]] = {ident: (entries.pop(ident), "kept") for ident in same}
    pending = [note for note in notes if note.ident not in same] if same else list(notes)
    # 1. The notes of the last build, then the removed ones coming back. An identity the author pinned, or one
    # whose words are the same, is the same note. Other identities are made of the item's place (a section's
    # trap, a key in a section), so words that moved win over them: the trap that came into a section is not
    # the one that left it. Then an identity whose words changed: the note was reworded in place.
    for records, at_home, elsewhere in ((entries, "kept", "moved"), (tombstones, "returned", "returned")):
        if records:
            pending = _by_identity(pending, records, at_home, found, digests)
            pending = _by_content(pending, records, elsewhere, found)
            pending = _by_identity(pending, records, at_home, found)
    arrived = pending
    if not arrived:  # most saves of an edit: every note was found (the GUIDs below are worked out for none)
        return found
    # 2. New: the GUID every build derived before the lock kept GUIDs. If a record not yet claimed holds it,
    # the note is that one under a new identity; if a claimed one does, count on until the GUID is free.
    holders = {e["guid"]: (entries, ident) for ident, e in entries.items()}
    holders.update({e["guid"]: (tombstones, ident) for ident, e in tombstones.items()})
    taken = {e["guid"] for e, _ in found.values()}
    for note in arrived:
        guid = _guid(sheet_id, note.origin, 0)
        if guid in holders and guid not in taken:
            records, ident = holders[guid]
            found[note.ident] = (records.pop(ident), "kept" if records is entries else "returned")
        else:
            attempt = 0
            while guid in holders or guid in taken:
                attempt += 1
                guid = _guid(sheet_id, note.origin, attempt)
            found[note.ident] = (guid, "new")
        taken.add(guid)
    return found


class Kept:
    """What `watch` keeps of a sheet's last stamp (source/sections.py): by identity, each note (the very object
    the plan made) and the lock entry it was given. The next stamp takes the entry of a note that is the same
    object, whose entry in the lock is still that one, as it is: neither hashed nor claimed again."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[Note, dict]] = {}


def _same(notes: Sequence[Note], entries: dict, kept: Kept | None) -> dict[str, dict]:
    """The notes `kept` holds as they are, by identity, with their lock entries: each is unchanged, and a stamp
    would give it that entry again (the same words, digest, section, GUID and mod)."""
    if kept is None or not kept.entries:
        return {}
    same = {}
    for note in notes:
        was = kept.entries.get(note.ident)
        if was is not None and was[0] is note:
            entry = entries.get(note.ident)
            if entry is was[1] or entry == was[1]:
                same[note.ident] = entry
    return same


def stamp(previous: dict, sheet_id: str, notes: Sequence[Note], notetypes: dict[str, tuple[str, str]],
          now: int, kept: Kept | None = None) -> Stamps:
    """Give each note its GUID and mod, and each note type (`notetypes`: kind → (digest, schema)) its mod, and
    make the lock's `sections`. `kept`: what the last stamp of the sheet gave (`watch`), updated to this one."""
    entries = dict(previous.get("notes", {}))
    tombstones = dict(previous.get("removed", {}))
    digests: dict[str, str] = {}
    same = _same(notes, entries, kept)
    found = _claim(notes, entries, tombstones, sheet_id, digests, same)
    note_entries, status, went = _entries(notes, found, digests, same, now)
    today = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).date().isoformat()
    tombstones.update({ident: {**entry, "left": today} for ident, entry in entries.items()})
    type_entries, types_changed, reshaped = _stamp_notetypes(previous.get("notetypes", {}), notetypes, now)
    places = {section: place.record()
              for section, place in {note.section: note.place for note in notes if note.place}.items()}
    sections_before = {entry["section"] for entry in previous.get("notes", {}).values() if "section" in entry}
    changes = Changes(
        new=tuple(status["new"]), changed=tuple(status["changed"]), moved=tuple(status["moved"]),
        removed=tuple(sorted(entries)), unchanged=len(status["unchanged"]), returned=tuple(status["returned"]),
        **_renamed(went, sections_before, previous.get("places", {}), places),
        notetypes_changed=tuple(types_changed), notetypes_reshaped=tuple(reshaped),
        first_build=not previous.get("notes"))
    sections = {"notes": note_entries, "notetypes": type_entries, "removed": tombstones, "places": places}
    if kept is not None:
        kept.entries = {note.ident: (note, note_entries[note.ident]) for note in notes}
    return Stamps(notetype_mods={k: v["mod"] for k, v in type_entries.items()}, changes=changes, sections=sections)


def _entries(notes: Sequence[Note], found: dict[str, tuple[dict | str, str]], digests: dict[str, str],
             same: dict[str, dict], now: int) -> tuple[dict[str, dict], dict[str, list], set[tuple[str, str]]]:
    """Each note's lock entry, how it changed (its status), and where the notes found again were and are now
    (`went`: (old section, new section)). A note of `same` keeps its entry as it is."""
    note_entries: dict[str, dict] = {}
    status: dict[str, list] = {"new": [], "changed": [], "moved": [], "returned": [], "unchanged": []}
    went: set[tuple[str, str]] = set()
    for note in notes:
        ident, digest = note.ident, None
        if ident in same:
            note_entries[ident] = same[ident]
            status["unchanged"].append(ident)
            went.add((note.section, note.section))
            continue
        old, how = found[ident]
        if how == "new":  # `old` is its GUID: a record of it would be made only to be read here
            status["new"].append(ident)
            note_entries[ident] = _entry(note, old, max(now, 1))
            continue
        came = old.get("section", note.section)
        if how == "returned":
            kind = how
        elif how == "moved" or came != note.section:
            kind = "moved"
        else:
            digest = digests[ident] if ident in digests else note.digest
            # A hash of the fields as written is a lock's from before presentation was set apart (Note.written).
            same_hash = old.get("hash") == digest or ("hash" in old and old["hash"] == note.written)
            kind = "unchanged" if same_hash else "changed"
        status[kind].append((ident, came) if kind == "moved" else ident)
        if how in ("kept", "moved"):
            went.add((came, note.section))
        mod = int(old["mod"]) if kind == "unchanged" else max(now, int(old.get("mod", 0)) + 1)
        note_entries[ident] = _entry(note, old["guid"], mod, digest)
    return note_entries, status, went


def _entry(note: Note, guid: str, mod: int, digest: str | None = None) -> dict:
    """A note's lock entry: `digest` its fields' when worked out already (else the note's own)."""
    return {"content": note.content, "guid": guid, "hash": digest or note.digest, "mod": mod, "section": note.section}


def _stamp_notetypes(old_types: dict, notetypes: dict[str, tuple[str, str]],
                     now: int) -> tuple[dict[str, dict], list[str], list[str]]:
    """Each note type's lock entry; the kinds whose note type changed, and those among them whose fields or
    template names changed."""
    type_entries, types_changed, reshaped = {}, [], []
    for kind, (digest, schema) in notetypes.items():
        old = old_types.get(kind)
        if old is None or old.get("hash") != digest:
            type_entries[kind] = {"hash": digest, "schema": schema, "mod": max(now, int((old or {}).get("mod", 0)) + 1)}
            if old is not None:
                types_changed.append(kind)
                if old.get("schema") != schema:
                    reshaped.append(kind)
        else:
            type_entries[kind] = old
    return type_entries, types_changed, reshaped


def _renames(pairs: Iterable[tuple[str, str]], before: set[str], after: set[str]) -> dict[str, str]:
    """old → new for each name (of `before`) that is gone, and whose holders went to one name that is new (not in
    `before`) and holds only what came from it: a rename, even when a few of its holders moved elsewhere."""
    sources: dict[str, set[str]] = {}
    targets: dict[str, set[str]] = {}
    for old, new in pairs:
        sources.setdefault(new, set()).add(old)
        if new not in before:
            targets.setdefault(old, set()).add(new)
    renames = {}
    for new, olds in sorted(sources.items()):
        old = min(olds)
        if new not in before and len(olds) == 1 and old not in after and len(targets[old]) == 1:
            renames[old] = new
    return renames


def _renamed(went: set[tuple[str, str]], sections_before: set[str], places_before: dict[str, dict],
             places: dict[str, dict]) -> dict[str, tuple[tuple[str, str, str], ...]]:
    """What the sheet renamed, from where its notes were (`went`: (old section, new section) of each note found
    again) and each section's place before and now, and the sections it moved to another deck (Changes'
    `renamed` and `rehomed`); a lock without places tells section ids only."""
    ids = _renames(went, sections_before, {new for _, new in went} | set(places))
    renamed = [("section", old, new) for old, new in ids.items()]
    same = {old: ids.get(old, old) for old in places_before if ids.get(old, old) in places}
    renamed += [("title", places_before[old]["title"], places[new]["title"]) for old, new in same.items()
                if places_before[old]["title"] != places[new]["title"]]
    names: dict[str, str] = {}
    for key in ("domain", "deck"):
        pairs = [(places_before[old][key], places[new][key]) for old, new in same.items()]
        names = _renames(pairs, {p[key] for p in places_before.values()}, {p[key] for p in places.values()})
        renamed += [(key, old, new) for old, new in names.items()]
    # `names` now holds the deck renames: a section whose deck was renamed has not moved.
    rehomed = [(new, places_before[old]["deck"], places[new]["deck"]) for old, new in same.items()
               if places[new]["deck"] not in (places_before[old]["deck"], names.get(places_before[old]["deck"]))]
    return {"renamed": tuple(renamed), "rehomed": tuple(sorted(rehomed))}

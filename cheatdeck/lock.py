"""The lock file beside a sheet: identity → content hash → modification time.

It also keeps, per paper and page budget, the body size the PDF's fit search
chose and a digest of every input it saw, so a fresh clone lays the sheet out
once instead of searching.

Anki applies an imported note (or note type) only when its `mod` is newer
than the copy in the collection. So a note's `mod` must rise exactly when its
content changes and stay put otherwise; the lock remembers both, and is
committed with the sheet so every clone builds the same bytes.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CheatdeckError, Location, Problem

FORMAT = 1


def lock_path(source: Path) -> Path:
    return source.with_name(source.stem + ".lock.json")


def build_time() -> int:
    """Now, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


@dataclass(frozen=True)
class Changes:
    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    notetypes_changed: tuple[str, ...] = ()
    notetypes_reshaped: tuple[str, ...] = ()
    first_build: bool = False


@dataclass(frozen=True)
class Stamps:
    note_mods: dict[str, int]
    notetype_mods: dict[str, int]
    changes: Changes
    sections: dict = field(repr=False)

    @property
    def timestamp(self) -> int:
        """A build time derived from content, so ids stay put while nothing changes."""
        return max([*self.note_mods.values(), *self.notetype_mods.values(), 0])


def dump(document: dict) -> str:
    """One entry per line: diffs stay readable, and json's C encoder does the work (indent= would not)."""
    document = {**document, "format": FORMAT}
    lines = []
    for name in sorted(document):
        value = document[name]
        if isinstance(value, dict) and value:
            entries = ",\n".join(f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, sort_keys=True, ensure_ascii=False)}"
                                 for k, v in sorted(value.items()))
            lines.append(f" {json.dumps(name)}: {{\n{entries}\n }}")
        else:
            lines.append(f" {json.dumps(name)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def anki_digest(path: Path) -> str:
    """What of the lock shapes the .apkg: every line but the PDF's layout hints (see `dump` for the format)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    kept, skipping = [], False
    for line in lines:
        if line.startswith(' "layout": {'):
            skipping = True
        elif skipping and line.startswith(" }"):
            skipping = False
        elif not skipping:
            kept.append(line)
    return "\n".join(kept)


def layout_slot(paper: str, pages: int) -> str:
    return f"{paper}-{pages}"


def layout_hint(document: dict, slot: str, key: str) -> tuple[float | None, bool]:
    """The body size the last build chose for this paper and budget, and whether its inputs were these."""
    entry = document.get("layout", {}).get(slot, {})
    return entry.get("size"), entry.get("key") == key


def with_layout(document: dict, slot: str, key: str, size: float) -> dict:
    return {**document, "layout": {**document.get("layout", {}), slot: {"key": key, "size": size}}}


def read(path: Path) -> dict:
    """The lock's content; {} when there is none yet. A damaged lock is an error, never silently reset:
    starting over would re-stamp every note and misreport the changes."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CheatdeckError(Problem(Location(str(path)), f"cannot read the lock file: {exc}")) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        hint = " (a merge conflict? keep one side's entries)" if "<<<<<<<" in text else ""
        raise CheatdeckError(Problem(Location(str(path), exc.lineno, exc.colno),
                                     f"the lock file is not valid JSON{hint}; fix it, or delete it to start "
                                     "the notes' history stamps over")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheatdeckError(Problem(Location(str(path), 1, 1), f"this is not a cheatdeck lock file (format {FORMAT})"))
    return data


def stamp(previous: dict, notes: dict[str, str], notetypes: dict[str, tuple[str, str]], now: int) -> Stamps:
    """Give each note and note type its mod; `notes` maps identity → digest, `notetypes` kind → (digest, schema)."""
    old_notes = previous.get("notes", {})
    old_types = previous.get("notetypes", {})
    note_entries, new, changed = {}, [], []
    for ident, digest in notes.items():
        old = old_notes.get(ident)
        if old is None:
            new.append(ident)
            note_entries[ident] = {"hash": digest, "mod": now}
        elif old.get("hash") != digest:
            changed.append(ident)
            note_entries[ident] = {"hash": digest, "mod": max(now, int(old.get("mod", 0)) + 1)}
        else:
            note_entries[ident] = old
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
    changes = Changes(
        new=tuple(new), changed=tuple(changed), removed=tuple(sorted(set(old_notes) - set(notes))),
        unchanged=len(notes) - len(new) - len(changed), notetypes_changed=tuple(types_changed),
        notetypes_reshaped=tuple(reshaped), first_build=not previous)
    return Stamps(note_mods={k: v["mod"] for k, v in note_entries.items()},
                  notetype_mods={k: v["mod"] for k, v in type_entries.items()}, changes=changes,
                  sections={"notes": note_entries, "notetypes": type_entries})

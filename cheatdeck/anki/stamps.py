"""Stamps: each note's and note type's `mod`, which rises exactly when its content changes.

Anki applies an imported note (or note type) only when its `mod` is newer than the copy in the
collection, so the lock (state/lock.py) remembers each one's content hash and mod between builds.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field


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

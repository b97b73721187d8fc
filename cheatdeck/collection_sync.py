"""`sync`: apply a sheet to the user's Anki collection file, doing what a file import cannot.

The package is the one `build` writes, imported by Anki's own importer, so every identity rule of the `.apkg`
holds. Then cards move to their note's current deck, and the notes that left the sheet (the lock's tombstones)
are suspended and tagged, deleted, or kept. A tombstone acted on is marked as applied to that collection, so the
next sync leaves it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .anki.collection import REMOVED_ACTIONS, SyncReport, apply_package
from .errors import CheatdeckError
from .options import Options
from .pipeline import BuildResult, build
from .state import lock


@dataclass(frozen=True)
class SyncResult:
    build: BuildResult
    collection: Path
    report: SyncReport
    plan: bool


def sync(source: Path | str, collection: Path | str, opts: Options | None = None, removed: str = "suspend",
         plan: bool = False) -> SyncResult:
    """Build the sheet's package and apply it to `collection`; with `plan`, report what would change, write nothing.

    Raises CheatdeckError for a problem in the sheet, or a collection that is missing, open in Anki, or not one.
    """
    if removed not in REMOVED_ACTIONS:
        raise ValueError(f"removed must be one of {REMOVED_ACTIONS}, not {removed!r}")
    source, collection = Path(source), Path(collection).expanduser()
    built = build(source, opts, ("anki",))
    if built.failed:
        raise CheatdeckError([p for err in built.failed.values() for p in err.problems])
    (package,) = [o.path for o in built.outputs if o.kind == "anki"]
    lock_file = lock.lock_path(source)
    sheet_id, tombstones = lock.tombstones(lock_file)
    key = _collection_key(collection)
    pending = sorted(ident for ident, t in tombstones.items() if key is None or key not in t.get("applied", []))
    report = apply_package(package, collection, [tombstones[i]["guid"] for i in pending], f"{sheet_id}::removed",
                           removed, plan)
    if not plan and removed != "keep" and pending:
        lock.mark_applied(lock_file, pending, key)
    return SyncResult(built, collection, report, plan)


def _collection_key(collection: Path) -> str | None:
    """The collection's creation stamp, read without touching the file (None when it cannot be read).

    A collection has no id of its own; its creation stamp survives AnkiWeb syncs and full uploads.
    """
    import sqlite3

    if not collection.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{collection}?mode=ro&immutable=1", uri=True)
        try:
            return f"crt-{conn.execute('SELECT crt FROM col').fetchone()[0]}"
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None

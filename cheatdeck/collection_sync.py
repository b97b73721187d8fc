"""`sync`: apply a sheet to the user's Anki collection file, doing what a file import cannot.

The package is the one `build` writes, imported by Anki's own importer, so every identity rule of the `.apkg`
holds. Then cards move to their note's current deck, and the notes that left the sheet (the lock's tombstones)
are suspended and tagged, deleted, or kept. A tombstone acted on is marked as applied to that collection, so the
next sync leaves it alone.
"""

from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .anki.collection import REMOVED_ACTIONS, SyncReport, apply_package
from .errors import CheatdeckError, Location, Problem
from .options import Options
from .pipeline import BuildResult, build, render_package
from .state import lock


@dataclass(frozen=True)
class SyncResult:
    collection: Path
    report: SyncReport
    plan: bool
    build: BuildResult | None = None
    """What the build wrote before the sync; None for a plan, which writes nothing."""


def sync(source: Path | str, collection: Path | str, opts: Options | None = None, removed: str = "suspend",
         plan: bool = False) -> SyncResult:
    """Build the sheet's package and apply it to `collection`; with `plan`, report what would change, write nothing.

    Raises CheatdeckError for a problem in the sheet, or a collection that is missing, open in Anki, or not one.
    """
    if removed not in REMOVED_ACTIONS:
        raise ValueError(f"removed must be one of {REMOVED_ACTIONS}, not {removed!r}")
    if importlib.util.find_spec("anki") is None:
        raise CheatdeckError(Problem(Location(""), "sync drives the Anki engine, which is not installed: "
                                                   "pip install 'cheatdeck[sync]'"))
    source, collection = Path(source), Path(collection).expanduser()
    key = _collection_key(collection)
    if plan:
        package = render_package(source, opts)
        with tempfile.TemporaryDirectory(prefix="cheatdeck-plan-") as tmp:
            path = Path(tmp) / f"{package.sheet_id}.apkg"
            path.write_bytes(package.data)
            report = apply_package(path, collection, package.deck, _pending(package.tombstones, key),
                                   f"{package.sheet_id}::removed", removed, plan=True)
        return SyncResult(collection, report, True)
    built = build(source, opts, ("anki",))
    if built.failed:
        raise CheatdeckError.combined(built.failed.values())
    (output,) = [o for o in built.outputs if o.kind == "anki"]
    lock_file = lock.lock_path(source)
    sheet_id, tombstones = lock.tombstones(lock_file)
    pending = _pending(tombstones, key)
    report = apply_package(output.path, collection, output.details.deck, pending, f"{sheet_id}::removed",
                           removed)
    if removed != "keep" and pending:
        lock.mark_applied(lock_file, list(pending), key)
    return SyncResult(collection, report, False, built)


def _pending(tombstones: dict[str, dict], key: str | None) -> dict[str, str]:
    """Identity → GUID of the removed notes not yet applied to this collection."""
    return {ident: t["guid"] for ident, t in sorted(tombstones.items())
            if key is None or key not in t.get("applied", [])}


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

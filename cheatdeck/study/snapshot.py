"""What `focus` reads: a private copy of the collection, or of its newest backup while Anki holds it open.

The user's collection is only ever read as bytes, into a temporary folder: even a read-only SQLite connection
leaves a `-shm` file beside a database in WAL mode, and the engine opening a file writes to it. While Anki has
the collection open, its write-ahead log (`collection.anki2-wal`) holds the latest reviews and the main file
alone is stale and may be mid-checkpoint; the newest automatic backup (`backups/*.colpkg` in the profile
folder) is then a consistent picture, which the engine restores into the temporary folder.
"""

from __future__ import annotations

import datetime
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..collection.file import hot_journal, problem, require_file, schema_version, write_ahead_log

# Anki names its automatic backups by the local time they were made.
_BACKUP_NAME = re.compile(r"backup-(\d{4})-(\d\d)-(\d\d)-(\d\d)\.(\d\d)\.(\d\d)\.colpkg$")


@dataclass(frozen=True)
class Snapshot:
    path: Path
    """The copy to open: inside the caller's temporary folder."""
    backup: Path | None = None
    """The backup it was restored from, when Anki held the collection open."""
    taken: datetime.datetime | None = None
    """When that backup was made (local time)."""


def held_open(collection: Path) -> bool:
    """Anki (or another program using the engine) has the collection open: its write-ahead log is there, beside
    the file a symlink points to. A rollback-journal collection (schema 11) mid-write has a hot journal instead;
    either way the main file alone is not a consistent picture."""
    return write_ahead_log(collection).exists() or hot_journal(collection) is not None


def backup_time(backup: Path) -> datetime.datetime:
    """When a backup was made: from its name as Anki writes it, else from the file's modification time."""
    match = _BACKUP_NAME.search(backup.name)
    if match:
        return datetime.datetime(*map(int, match.groups()))
    return datetime.datetime.fromtimestamp(backup.stat().st_mtime)


def newest_backup(collection: Path) -> Path | None:
    folder = collection.parent / "backups"
    backups = sorted(folder.glob("*.colpkg")) if folder.is_dir() else []
    return max(backups, key=lambda b: (backup_time(b), b.name), default=None)


def snapshot(collection: Path, workdir: Path) -> Snapshot:
    """A copy of `collection` (or of its newest backup) in `workdir`, ready for the engine to open."""
    require_file(collection)
    copy = workdir / "collection.anki2"
    if not held_open(collection):
        shutil.copyfile(collection, copy)
        schema_version(collection, copy)
        return Snapshot(copy)
    backup = newest_backup(collection)
    if backup is None:
        raise problem(collection, "the collection is open in Anki (or Anki did not close cleanly) and its "
                                  f"profile has no backup to read instead (none in {collection.parent / 'backups'}); "
                                  "close Anki, then run focus again")
    _restore(backup, copy)
    return Snapshot(copy, backup, backup_time(backup))


def _restore(backup: Path, copy: Path) -> None:
    """Anki's own restore of a `.colpkg`, into `copy` (its media folder is left empty: focus reads no media)."""
    from anki._backend import RustBackend
    from anki.errors import AnkiException

    try:
        RustBackend().import_collection_package(
            col_path=str(copy), backup_path=str(backup), media_folder=str(copy.with_suffix(".media")),
            media_db=str(copy.with_suffix(".media.db2")))
    except AnkiException as exc:
        raise problem(backup, f"cannot read this backup of the collection: {exc}") from None

"""`sync`: apply a sheet to the user's Anki collection file, doing what a file import cannot.

The package is the one `build` writes. It is applied in place, under the engine's lock, in one transaction
(collection/file.py): Anki's importer adds the new notes, existing notes merge field by field so an edit made
in Anki is never lost silently, cards move to their note's deck, and the notes that left the sheet (the lock's
tombstones) are suspended and tagged, deleted, or kept, once per collection (collection/apply.py). What was done
is recorded in the collection itself (collection/record.py).
"""

from __future__ import annotations

import errno
import importlib.util
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CheatdeckError, Location, Problem, UsageError
from ..options import Options
from ..pipeline import BuildResult, build, built_package
from ..state import lock
from .apply import REMOVED_ACTIONS, Request, SyncReport
from .incoming import Incoming
from .file import Backup, problem

__all__ = ["REMOVED_ACTIONS", "Choices", "SyncReport", "SyncResult", "apply_package", "sync"]


@dataclass(frozen=True)
class Choices:
    """What the user chose for a sync's questions (see `sync`), carried whole through a server round."""

    removed: str = "suspend"
    prefer_sheet: bool = False
    reset_notetypes: bool = False


@dataclass(frozen=True)
class SyncResult:
    collection: Path
    report: SyncReport
    plan: bool
    build: BuildResult | None = None
    """What the build wrote before the sync; None for a plan, which writes nothing."""


def sync(source: Path | str, collection: Path | str, opts: Options | None = None, choices: Choices = Choices(),
         plan: bool = False) -> SyncResult:
    """Build the sheet's package and apply it to `collection`; with `plan`, report what would change, write nothing.

    `choices` answers the sync's questions: what becomes of notes that left the sheet, which side wins a
    conflict, whether note types changed in Anki are reset.
    Raises CheatdeckError for a problem in the sheet; for a collection that is missing, open in Anki, not one,
    or whose note types were changed in Anki (unless `choices.reset_notetypes`); and for a failure of the disk or
    the file during the sync, after which the collection is as it was.
    """
    if choices.removed not in REMOVED_ACTIONS:
        raise ValueError(f"removed must be one of {REMOVED_ACTIONS}, not {choices.removed!r}")
    if importlib.util.find_spec("anki") is None:
        raise UsageError(Problem(Location(""), "sync drives the Anki engine, which is not installed: "
                                                   "pip install 'cheatdeck[sync]'"))
    source, collection = Path(source), Path(collection).expanduser()
    if plan:
        package = built_package(source, opts)
        request = _request(package.sheet_id, package.tombstones, choices)
        return SyncResult(collection, apply_package(package.data, collection, request, plan=True), True)
    built = build(source, opts, ("anki",))
    if built.failed:
        raise CheatdeckError.combined(built.failed.values())
    (output,) = [o for o in built.outputs if o.kind == "anki"]
    sheet_id, tombstones = lock.tombstones(lock.lock_path(source))
    request = _request(sheet_id or built.sheet_id, tombstones, choices)
    return SyncResult(collection, apply_package(output.path, collection, request), False, built)


def _request(sheet_id: str, tombstones: dict, choices: Choices) -> Request:
    return Request(sheet_id, tuple(t["guid"] for t in tombstones.values()), choices.removed, choices.prefer_sheet,
                   choices.reset_notetypes)


def apply_package(package: Path | bytes, collection: Path, request: Request, plan: bool = False,
                  wait: float | None = None) -> SyncReport:
    """Apply a built package to the collection file in place: a backup first, then one transaction.

    With `plan` the same work runs and is rolled back: no backup, no media copied, nothing written.
    `wait`: seconds to wait while another program has the collection open (default: WAIT_SECONDS).
    """
    from . import file as col_file
    from .incoming import read_package, without_media

    collection = Path(collection)
    data = package if isinstance(package, bytes) else Path(package).read_bytes()
    incoming = read_package(data)
    with col_file.locked(collection, wait) as col, tempfile.TemporaryDirectory(prefix="cheatdeck-sync-") as tmp:
        path = Path(tmp) / "package.apkg"
        if plan:
            path.write_bytes(without_media(data))
        elif isinstance(package, bytes):
            path.write_bytes(data)
        else:
            path = Path(package)
        free = _free(collection)  # before the sync takes any: what it had, if the disk fails it
        backup = None if plan else _environment(collection, "writing the backup", lambda: Backup(col, collection),
                                                free)
        try:
            return _environment(collection, "applying the sheet", lambda: col_file.transaction(
                col, lambda: _applied(col, incoming, str(path), request, str(collection), backup, free),
                keep=not plan), free)
        finally:
            if backup is not None:
                backup.discard()


def _applied(col, incoming: Incoming, path: str, request: Request, collection: str,
             backup: Backup | None, free: int | None) -> SyncReport:
    """The sync's work inside its transaction, then the backup finished: on the disk before the commit."""
    from .apply import apply

    report = apply(col, incoming, path, request, collection)
    report.backup = None if backup is None else _environment(Path(collection), "writing the backup", backup.finish,
                                                             free)
    return report


def _free(collection: Path) -> int | None:
    try:
        return shutil.disk_usage(collection.parent).free
    except OSError:
        return None


def _environment(collection: Path, doing: str, work, free: int | None):
    """Run `work`; a failure of the disk or the file (not a bug) becomes an error saying what happened and
    that the collection is unchanged: the transaction rolled back, and a backup is never left half-written.
    `free`: the bytes free beside the collection when the sync began."""
    from anki.errors import BackendIOError, DBError

    try:
        return work()
    except (OSError, BackendIOError, DBError) as exc:
        if isinstance(exc, DBError) and not _environmental(str(exc)):
            raise
        hint = _hint(collection, exc, free)
        raise problem(collection, f"{doing} failed: {exc}. Nothing was changed: the sync was rolled back and "
                                  f"the collection is as it was. {hint}, then sync again") from None


def _hint(collection: Path, exc: Exception, free: int | None) -> str:
    """What to do about a failure of the disk. SQLite often names a full disk only "disk I/O error" (its -shm or
    -wal file could not grow), so such an error on a disk that had less room than a sync needs is one too: room
    for the backup's copy of the collection, the compressed backup and the write-ahead log, about three times the
    collection's size."""
    text = str(exc).lower()
    full = getattr(exc, "errno", 0) == errno.ENOSPC or any(w in text for w in ("full", "no space", "os error 28"))
    try:
        needed = 3 * collection.stat().st_size
    except OSError:
        needed = None
    short = free is not None and needed is not None and free < needed
    if not (full or short and "disk i/o" in text):
        return "Check that you may write to the collection's folder"
    if not short:
        return "Free some space on that disk"
    return (f"{free // 1024} KB was free on that disk when the sync began, and a sync needs about {needed // 1024} "
            f"KB there: free some space on that disk")


def _environmental(message: str) -> bool:
    text = message.lower()
    return any(word in text for word in ("full", "readonly", "read-only", "disk i/o", "locked", "permission",
                                         "no space", "unable to open"))

"""The user's collection file during `sync`: opened in place with the official engine, under the engine's lock.

The engine (`anki.collection.Collection`) opens a collection with SQLite's exclusive locking mode, and holds
the lock from the moment it opens the file until it closes it: while cheatdeck has it, Anki (or another sync)
cannot open it, and while Anki has it, cheatdeck cannot. Nothing is copied or renamed, so the file keeps its
path, its symlink, its owner and permissions; a collection at schema 11 (Anki's "Downgrade") is closed at
schema 11 again.

Every change of a sync is one transaction: a failure rolls it back and leaves the collection as it was.

Two things would silently drop the engine's lock, because closing any descriptor of a file releases every
POSIX lock the process holds on it: opening the collection a second time in this process, and the engine's
own backup (it reads the file through a new descriptor). So the file is inspected before the engine opens
it, and the backup is written from the engine's own connection (`VACUUM INTO`) into a private folder, then
packaged by the engine from that copy (on the engine's own thread, while the sync works) and renamed into
`backups/` complete before the sync commits.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CheatdeckError, Location, Problem, UsageError

try:
    import fcntl
except ImportError:  # Windows has no advisory locks: the engine's lock alone decides which sync goes first
    fcntl = None

WAIT_SECONDS = 10.0
"""How long a sync waits for the collection while another program (another sync, Anki) has it open."""
_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
_WORK_PREFIX = ".cheatdeck-backup-"


def problem(collection: Path, message: str) -> CheatdeckError:
    return CheatdeckError(Problem(Location(str(collection)), message))


def inspect(collection: Path) -> int:
    """The collection's schema version, read before the engine opens it; refuses what must not be opened."""
    require_file(collection)
    journal = hot_journal(collection)
    if journal is not None:
        raise problem(collection, f"{journal.name} beside the collection holds a write that did not finish "
                                  "(a program is writing to it, or stopped while it did): open the collection in "
                                  "Anki once so it finishes or undoes that write, close Anki, then sync again")
    try:
        return schema_version(collection)
    except CheatdeckError:
        if write_ahead_log(collection).exists():  # a new profile's tables are in its -wal alone until Anki closes
            raise problem(collection, "the collection is open in Anki, or Anki did not close cleanly: what it "
                                      "wrote is still in the collection's -wal file. Close Anki (or open and close "
                                      "it once), then sync again") from None
        raise


def write_ahead_log(collection: Path) -> Path:
    real = collection.resolve()  # SQLite keeps the -wal beside the file a symlink points to
    return real.with_name(real.name + "-wal")


def require_file(collection: Path) -> None:
    if not collection.is_file():
        raise UsageError(Problem(Location(str(collection)), "no such collection file; Anki keeps it in its profile "
                                                            "folder, e.g. ~/.local/share/Anki2/User 1/collection.anki2"))


def hot_journal(collection: Path) -> Path | None:
    """The rollback journal of a write that did not finish (a writer holds it, or died in it), if there is one."""
    real = collection.resolve()  # SQLite keeps the journal beside the file a symlink points to
    journal = real.with_name(real.name + "-journal")
    try:
        with journal.open("rb") as file:
            return journal if file.read(8) == _JOURNAL_MAGIC else None
    except FileNotFoundError:
        return None


def schema_version(collection: Path, database: Path | None = None) -> int:
    """The schema version of an Anki collection; refuses a file that is not one before the engine opens it, as
    the engine would add its tables to any SQLite file. `database`: a copy of `collection` to read instead."""
    database = (database or collection).resolve()
    with database.open("rb") as file:
        if file.read(16) != b"SQLite format 3\0":
            raise problem(collection, "this is not an Anki collection (not an SQLite database)")
    # immutable: no lock, no -shm file; the engine's own open is what decides whether the file is free.
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"col", "notes", "cards", "revlog"} <= tables:
            raise problem(collection, "this is not an Anki collection (it has no notes, cards and revlog tables)")
        return int(conn.execute("SELECT ver FROM col").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise problem(collection, f"this is not an Anki collection ({exc})") from None
    finally:
        conn.close()


def _busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "already open" in text or "locked" in text or "busy" in text


def open_locked(collection: Path, wait: float | None = None):
    """The engine's Collection, holding the file's lock; waits up to `wait` seconds while another program has it."""
    from anki.collection import Collection
    from anki.errors import DBError

    wait = WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    while True:
        try:
            return Collection(str(collection))
        except DBError as exc:
            if not _busy(exc):
                raise problem(collection, f"Anki's engine cannot open the collection: {exc}") from None
            if time.monotonic() >= deadline:
                raise problem(collection, f"the collection is open in Anki, or another sync is using it (waited "
                                          f"{wait:g} s): close Anki, or let the other sync finish, then sync "
                                          "again") from None
            time.sleep(0.1)


@contextmanager
def _turn(collection: Path, wait: float) -> Iterator[float]:
    """This process's turn among the syncs of the collection's folder, taken within `wait` seconds; yields the
    seconds of `wait` left. Two syncs started together could otherwise each find the other's engine opening the
    file, and both give up. The turn is an advisory lock on the folder itself: nothing is left beside the
    collection, and it is never a descriptor of the collection (closing one would drop the engine's locks on
    it). Where there are no such locks (Windows), the engine's lock alone decides."""
    if fcntl is None:
        yield wait
        return
    deadline = time.monotonic() + wait
    try:
        folder = os.open(collection.resolve().parent, os.O_RDONLY)
    except OSError:  # a folder that cannot be opened for reading: the engine's lock alone decides
        yield wait
        return
    try:
        while not _try_turn(folder):
            if time.monotonic() >= deadline:
                raise problem(collection, f"another sync is using it (waited {wait:g} s): let the other sync "
                                          "finish, then sync again")
            time.sleep(0.05)
        yield max(0.0, deadline - time.monotonic())
    finally:
        os.close(folder)


def _try_turn(folder: int) -> bool:
    """Whether this process has the turn now; False while another holds it. On a file system without such
    locks (some network shares) the turn is everyone's, and the engine's lock alone decides."""
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True


@contextmanager
def locked(collection: Path, wait: float | None = None) -> Iterator:
    """The open collection; closed afterwards at the schema it had (11 stays 11)."""
    wait = WAIT_SECONDS if wait is None else wait
    with _turn(collection, wait) as left:
        schema = inspect(collection)
        col = open_locked(collection, left)
        try:
            yield col
        finally:
            _close(col, collection, schema)


def _close(col, collection: Path, schema: int) -> None:
    from anki.errors import BackendError

    try:
        col.close(downgrade=schema == 11)
    except (OSError, BackendError) as exc:
        raise problem(collection, f"closing the collection failed ({exc}); what the sync committed is safe "
                                  "in the collection's -wal file, which Anki reads when it opens the "
                                  "collection. Free some space, then open it in Anki") from None


class Backup:
    """A complete backup in the collection's backups/ folder, as Anki makes them (a .colpkg Anki's "Open Backup"
    restores). Started before the sync's transaction, finished before its commit: the engine compresses it on a
    thread of its own (as Anki does after a review session) while the sync works. On any failure nothing is left
    behind."""

    def __init__(self, col, collection: Path) -> None:
        from anki.collection import Collection

        self.folder = collection.parent / "backups"
        self.folder.mkdir(exist_ok=True)
        # The collection's name in it: two collections in one folder share backups/, and each sync holds one lock.
        prefix = f"{_WORK_PREFIX}{collection.name}-"
        _clear_leftovers(self.folder, prefix)
        self.work = Path(tempfile.mkdtemp(prefix=prefix, dir=self.folder))
        self.snapshot = None
        try:
            copy = self.work / "collection.anki2"
            col.db.execute("VACUUM INTO ?", str(copy))
            self.snapshot = Collection(str(copy))
            self.snapshot.create_backup(backup_folder=str(self.work), force=True, wait_for_completion=False)
        except BaseException:
            self.discard()
            raise

    def finish(self) -> Path:
        """The backup, complete and on the disk under its name in backups/."""
        try:
            self.snapshot.await_backup_completion()
            (made,) = self.work.glob("backup-*.colpkg")
            with made.open("rb") as file:
                os.fsync(file.fileno())
            target = self.folder / made.name
            counter = 1
            while target.exists():
                target, counter = self.folder / f"{made.stem}-{counter}.colpkg", counter + 1
            os.replace(made, target)
            _fsync_folder(self.folder)  # the backup's name is on the disk before the sync's commit can be
            return target
        finally:
            self.discard()

    def discard(self) -> None:
        """Waits for the engine's thread (a failed sync's backup too), then removes the work folder."""
        try:
            if self.snapshot is not None:
                snapshot, self.snapshot = self.snapshot, None
                # Only a sync that failed has a backup still running: its own error is the one to report.
                with contextlib.suppress(Exception):
                    snapshot.await_backup_completion()
                snapshot.close()
        finally:
            shutil.rmtree(self.work, ignore_errors=True)


def _clear_leftovers(folder: Path, prefix: str) -> None:
    """A work folder a killed sync of this collection left: only while this sync holds the collection's lock."""
    for leftover in folder.glob(glob.escape(prefix) + "*"):
        if leftover.is_dir() and all(p.name.startswith(("collection.", "backup-")) for p in leftover.iterdir()):
            shutil.rmtree(leftover, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder to flush it
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _Discard(Exception):
    """Raised inside the transaction of a plan, so the engine rolls every change back."""


def transaction(col, work: Callable[[], object], keep: bool = True):
    """Run `work` in one transaction: committed when it returns (and `keep`), rolled back otherwise."""
    result = []

    def run():
        result.append(work())
        if not keep:
            raise _Discard

    try:
        col.db.transact(run)
    except _Discard:
        pass
    return result[0]

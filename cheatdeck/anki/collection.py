"""Apply a built package to an Anki collection file: the import Anki itself does, then what a file import cannot.

Anki's importer never moves a card to another deck and never deletes a note. This module imports the package
with the official `anki` library (the same code as File → Import, so identity and "update if newer" hold
unchanged), then moves each card of the sheet to the deck the package gives it, and suspends, or deletes, the
notes the sheet no longer has.

All work happens on a copy of the collection. The user's file is replaced by the finished copy in one rename,
so a failure at any point leaves it exactly as it was; a plan is the same work on a copy that is then dropped.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CheatdeckError, Location, Problem, UsageError

REMOVED_ACTIONS = ("suspend", "delete", "keep")


@dataclass(frozen=True)
class SyncReport:
    new: int
    updated: int
    moved: int
    removed: int
    removed_action: str
    notetypes_changed: int
    backup: Path | None = None


@dataclass(frozen=True)
class _Package:
    """What the package says each card's deck is, by note GUID and card ordinal."""

    decks: dict[tuple[str, int], str]
    notetype_ids: tuple[int, ...]


def _problem(collection: Path, message: str) -> CheatdeckError:
    return CheatdeckError(Problem(Location(str(collection)), message))


def _read_package(package: Path, workdir: Path) -> _Package:
    with zipfile.ZipFile(package) as archive:
        (workdir / "package.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(workdir / "package.anki2")
    try:
        decks_json, models_json = conn.execute("SELECT decks, models FROM col").fetchone()
        names = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
        rows = conn.execute("SELECT n.guid, c.ord, c.did FROM cards c JOIN notes n ON n.id = c.nid").fetchall()
    finally:
        conn.close()
    return _Package({(guid, ord_): names[did] for guid, ord_, did in rows},
                    tuple(int(k) for k in json.loads(models_json)))


def _refuse_unusable(collection: Path) -> None:
    """A missing file, a file that is not SQLite, or a collection Anki has open, is refused before any work.

    The file is only read as bytes: even a read-only SQLite connection leaves -shm files beside a WAL database.
    """
    if not collection.is_file():
        raise UsageError(Problem(Location(str(collection)), "no such collection file; Anki keeps it in its profile "
                                                            "folder, e.g. ~/.local/share/Anki2/User 1/collection.anki2"))
    # While Anki has a collection open, its write-ahead log sits beside it (Anki removes it when it closes).
    if collection.with_name(collection.name + "-wal").exists():
        raise _problem(collection, "the collection is open in Anki (or Anki did not close cleanly); "
                                   "close Anki, then sync again")
    with collection.open("rb") as file:
        if file.read(16) != b"SQLite format 3\0":
            raise _problem(collection, "this is not an Anki collection (not an SQLite database)")


def _refuse_foreign(collection: Path, copy: Path) -> None:
    conn = sqlite3.connect(copy)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise _problem(collection, f"this is not an Anki collection ({exc})") from None
    finally:
        conn.close()
    if not {"col", "notes", "cards", "revlog"} <= tables:
        raise _problem(collection, "this is not an Anki collection (it has no notes, cards and revlog tables)")


def apply_package(package: Path, collection: Path, root: str, removed: dict[str, str], removed_tag: str,
                  removed_action: str = "suspend", plan: bool = False) -> SyncReport:
    """Import `package` into `collection`, move cards to their decks under the sheet's `root` deck, and act on
    the `removed` notes (identity → GUID)."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    _refuse_unusable(collection)
    with tempfile.TemporaryDirectory(prefix="cheatdeck-sync-") as tmp:
        workdir = Path(tmp)
        wanted = _read_package(package, workdir)
        copy = workdir / "collection.anki2"
        shutil.copyfile(collection, copy)
        _refuse_foreign(collection, copy)
        col = Collection(str(copy))
        try:
            backup = None
            if not plan:
                backup = collection.parent / "backups"
                backup.mkdir(exist_ok=True)
                col.create_backup(backup_folder=str(backup), force=True, wait_for_completion=True)
            types_before = {nid: col.models.get(nid)["mod"] for nid in wanted.notetype_ids if col.models.get(nid)}
            log = col.import_anki_package(ImportAnkiPackageRequest(
                package_path=str(package), options=ImportAnkiPackageOptions())).log
            moved = _move_cards(col, wanted, root)
            acted = _act_on_removed(col, list(removed.values()), removed_tag, removed_action)
            changed_types = sum(1 for nid, mod in types_before.items() if col.models.get(nid)["mod"] != mod)
            report = SyncReport(len(log.new), len(log.updated), moved, acted, removed_action, changed_types, backup)
        finally:
            col.close()
        if not plan:
            _replace(collection, copy)
    return report


def _move_cards(col, wanted: _Package, root: str) -> int:
    """Put each card of the sheet in the deck the package names, if it sits elsewhere in the sheet's deck tree.

    A card the user moved out of the sheet's decks (or into a filtered deck) is the user's choice and stays.
    """
    guids = sorted({guid for guid, _ in wanted.decks})
    if not guids:
        return 0
    rows = col.db.all(
        "SELECT c.id, n.guid, c.ord, c.did FROM cards c JOIN notes n ON n.id = c.nid "
        f"WHERE c.odid = 0 AND n.guid IN ({','.join('?' * len(guids))})", *guids)
    names = {d.id: d.name for d in col.decks.all_names_and_ids()}
    by_deck: dict[str, list[int]] = {}
    for cid, guid, ord_, did in rows:
        target, current = wanted.decks.get((guid, ord_)), names.get(did, "")
        if target and current != target and (current == root or current.startswith(root + "::")):
            by_deck.setdefault(target, []).append(cid)
    for name, cids in sorted(by_deck.items()):
        col.set_deck(cids, col.decks.id_for_name(name))
    return sum(len(c) for c in by_deck.values())


def _act_on_removed(col, guids: Sequence[str], tag: str, action: str) -> int:
    """Suspend and tag, delete, or keep the notes the sheet no longer has; returns how many the collection held."""
    if not guids:
        return 0
    nids = col.db.list(f"SELECT id FROM notes WHERE guid IN ({','.join('?' * len(guids))})", *guids)
    if not nids or action == "keep":
        return len(nids)
    if action == "delete":
        col.remove_notes(nids)
    else:
        col.sched.suspend_notes(nids)
        col.tags.bulk_add(nids, tag)
    return len(nids)


def _replace(collection: Path, copy: Path) -> None:
    """Swap the finished copy in with one rename, and bring along any media the import added."""
    staged = collection.with_name(f".{collection.name}.cheatdeck-sync")
    shutil.copyfile(copy, staged)
    staged.replace(collection)
    media = copy.with_suffix(".media")
    if media.is_dir():
        target = collection.with_suffix(".media")
        target.mkdir(exist_ok=True)
        for file in media.iterdir():
            if file.is_file() and not (target / file.name).exists():
                shutil.copyfile(file, target / file.name)

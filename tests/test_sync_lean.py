"""What a sync costs beyond the import: the backup is compressed by the engine while the sync works, and is on
the disk, complete, before the sync commits (a backup that cannot be finished leaves the collection as it was);
the lock's tombstones are read without the thousands of notes around them."""

from __future__ import annotations

import errno
import json
import os
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import note_fields

from cheatdeck.collection import file as col_file
from cheatdeck.collection.apply import Request
from cheatdeck.collection.driver import apply_package
from cheatdeck.errors import CheatdeckError
from cheatdeck.options import Options
from cheatdeck.pipeline import build, render_package
from cheatdeck.state import lock

OLD, NEW = "stage changes", "stage the changes"



@pytest.fixture
def synced(tiny, tmp_path) -> tuple[Path, bytes]:
    """A collection that synced the tiny sheet, and the package of the sheet reworded."""
    collection = tmp_path / "profile" / "collection.anki2"
    collection.parent.mkdir()
    Collection(str(collection)).close()
    apply_package(render_package(tiny).data, collection, Request("tiny"))
    tiny.write_text(tiny.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    return collection, render_package(tiny).data


def test_each_sync_leaves_one_complete_backup_and_no_work_folder(synced):
    collection, package = synced
    report = apply_package(package, collection, Request("tiny"))
    backups = sorted((collection.parent / "backups").iterdir())
    assert report.updated == 1 and report.backup in backups and len(backups) == 2
    with zipfile.ZipFile(report.backup) as archive:
        assert {"collection.anki21b", "meta"} <= set(archive.namelist())
    assert any(NEW in flds for flds in note_fields(collection))


def test_a_backup_that_cannot_be_finished_rolls_the_sync_back(synced, monkeypatch):
    collection, package = synced
    before = note_fields(collection)

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(col_file.os, "replace", full)
    with pytest.raises(CheatdeckError, match="writing the backup failed.*Nothing was changed.*Free some space"):
        apply_package(package, collection, Request("tiny"))
    monkeypatch.undo()
    assert note_fields(collection) == before and not any(NEW in flds for flds in before)
    assert [p.name.startswith("backup-") for p in (collection.parent / "backups").iterdir()] == [True]


def test_the_tombstones_read_from_their_own_lines_are_the_whole_locks(tiny):
    build(tiny, Options(out=Path("dist")), ("anki",))
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("          - Add: stage", "          - Gone: a fact\n"
                                                             "          - Add: stage"), encoding="utf-8")
    build(tiny, Options(out=Path("dist")), ("anki",))
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("          - Gone: a fact\n", ""), encoding="utf-8")
    build(tiny, Options(out=Path("dist")), ("anki",))
    path = lock.lock_path(tiny)
    whole = lock.read(path)
    assert len(whole["removed"]) == 1 and lock.tombstones(path) == ("tiny", whole["removed"])
    # Another layout (a lock tidied by hand) is read whole; a damaged one is refused, never read as empty.
    path.write_text(json.dumps(whole), encoding="utf-8")
    assert lock.tombstones(path) == ("tiny", whole["removed"])
    path.write_text(lock.dump_bytes(whole).decode().replace('"left"', '"left'), encoding="utf-8")
    with pytest.raises(CheatdeckError, match="not valid JSON"):
        lock.tombstones(path)


@pytest.mark.skipif(os.name == "nt", reason="the turn is an advisory lock where the system has them")
def test_a_sync_waits_its_turn_while_another_holds_the_profile_folder(synced):
    """Two syncs take turns by the folder's lock before the engine opens the file (started together, each could
    otherwise find the other's engine opening it, and both give up)."""
    import fcntl

    collection, package = synced
    other = os.open(collection.parent, os.O_RDONLY)
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(CheatdeckError, match=r"another sync is using it \(waited 0.3 s\)"):
            apply_package(package, collection, Request("tiny"), wait=0.3)
    finally:
        os.close(other)
    assert not any(NEW in flds for flds in note_fields(collection))
    assert apply_package(package, collection, Request("tiny"), wait=0).updated == 1


def test_the_locks_digest_reads_its_bytes_as_they_are():
    """A build digests the lock it wrote (the deck's freshness): megabytes for a big sheet, cut where the
    tombstones are rather than decoded and split into lines. The tombstones do not count, every note does."""
    import tracemalloc

    note = {"content": "c" * 16, "guid": "g" * 10, "hash": "h" * 16, "mod": 1700000000, "section": "s"}
    document = {"format": lock.FORMAT, "notes": {f"s/{i}": dict(note) for i in range(20_000)},
                "notetypes": {}, "places": {}, "removed": {}, "sheet": "big"}
    data = bytes(lock.dump_bytes(document))
    tracemalloc.start()
    try:
        digest = lock.anki_digest(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) // 20
    removed = bytes(lock.dump_bytes({**document, "removed": {"s/x": {**note, "left": "2026-12-01"}}}))
    assert lock.anki_digest(removed) == digest
    document["notes"]["s/7"]["mod"] += 1
    assert lock.anki_digest(bytes(lock.dump_bytes(document))) != digest

"""Fault injection for `sync`, each situation at least 20 times, on a small reviewed collection: Anki opening the
collection at random moments, two syncs started together, SIGKILL at random moments, a full disk, and a
rollback-journal collection with a hot journal or a live lock.

Always: the collection passes integrity_check, every sync that reported success has its change in the file,
every review another process committed is kept, and nothing is left behind. Each test prints its counts.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import review_all

from cheatdeck.collection.apply import Request
from cheatdeck.collection.file import open_locked
from cheatdeck.collection.driver import apply_package
from cheatdeck.errors import CheatdeckError
from cheatdeck.pipeline import render_package

RUNS = 20
FIXTURES = Path(__file__).parent / "fixtures"
TEXT = {"a": "Push sends local commits to a remote", "b": "Push uploads local commits to a remote"}
EXTRA = {"x": "Fetch: download without merging", "y": "Stash: shelve uncommitted work"}


class Driver:
    """tests/sync_faults_driver.py: commands out, replies in (by command id)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("sync_faults_driver.py"))],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.replies: list[dict] = []
        self.arrived = threading.Condition()
        self.ids = iter(range(1, 1 << 30))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.arrived:
                self.replies.append(json.loads(line))
                self.arrived.notify_all()

    def send(self, **command) -> int:
        command["id"] = next(self.ids)
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return command["id"]

    def wait(self, ident: int, key: str, timeout: float = 60) -> dict:
        with self.arrived:
            assert self.arrived.wait_for(lambda: self._find(ident, key), timeout), f"no {key} for {ident}"
            return self._find(ident, key)

    def _find(self, ident: int, key: str) -> dict | None:
        return next((r for r in self.replies if r["id"] == ident and key in r), None)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def driver():
    d = Driver()
    yield d
    d.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """Two packages of one small sheet (the `push` fact worded two ways), and a collection that synced the
    first and reviewed every card."""
    folder = tmp_path_factory.mktemp("faults")
    sheet = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8")
    packages = {}
    variants = {name: sheet.replace(TEXT["a"], text) for name, text in TEXT.items()}
    for name, bullet in EXTRA.items():
        variants[name] = sheet.replace("          - Add: stage", f"          - {bullet}\n          - Add: stage")
    for name, text in variants.items():
        source = folder / name / "tiny.yaml"
        source.parent.mkdir()
        source.write_text(text, encoding="utf-8")
        packages[name] = folder / f"{name}.apkg"
        packages[name].write_bytes(render_package(source).data)
    base = folder / "base" / "collection.anki2"
    base.parent.mkdir()
    Collection(str(base)).close()
    apply_package(packages["a"], base, Request("tiny"))
    col = Collection(str(base))
    review_all(col)
    ivl = col.db.scalar("SELECT sum(ivl) FROM cards")
    col.close()
    shutil.rmtree(base.parent / "backups")
    return {"packages": packages, "base": base, "folder": folder, "ivl": ivl}


def _fresh(world: dict, name: str) -> Path:
    path = world["folder"] / name / "collection.anki2"
    shutil.rmtree(path.parent, ignore_errors=True)
    path.parent.mkdir(parents=True)
    shutil.copy(world["base"], path)
    return path


def _read(path: Path) -> dict:
    """integrity_check, the push fact's text, which extra facts it holds, the review log and the intervals,
    read with the engine (waiting for the lock)."""
    col = open_locked(path, 10)
    try:
        (nid,) = col.find_notes('"Id:tiny/push"')
        return {"integrity": col.db.scalar("pragma integrity_check"), "text": col.get_note(nid).fields[1],
                "extra": {name for name, text in EXTRA.items() if col.find_notes(f'"{_words(text)}"')},
                "revlog": set(col.db.list("SELECT id FROM revlog")), "ivl": col.db.scalar("SELECT sum(ivl) FROM cards")}
    finally:
        col.close()


def _words(bullet: str) -> str:
    """A bullet's text after its term ("Fetch: download…" → "download…"): what its note's field holds as is."""
    return bullet.split(": ", 1)[1]


def _clean(path: Path) -> None:
    """Nothing left behind: no work folder, every backup a complete package, no journal."""
    backups = path.parent / "backups"
    assert not list(backups.glob(".cheatdeck-*")) if backups.exists() else True
    for backup in backups.glob("*") if backups.exists() else ():
        with zipfile.ZipFile(backup) as archive:
            assert archive.testzip() is None
    assert not path.with_name(path.name + "-journal").exists()


def _show(capsys, line: str) -> None:
    with capsys.disabled():
        print(f"\n[sync faults] {line}")


def test_anki_opening_the_collection_at_random_moments(world, driver, capsys):
    """Another process opens the collection with the engine, answers a card and closes it, in a loop, while
    syncs run; each sync waits for it, and it is refused while a sync holds the file."""
    path = _fresh(world, "opener")
    reviewer = driver.send(op="review", collection=str(path))
    pid = driver.wait(reviewer, "pid")["pid"]
    oks = 0
    for run in range(RUNS):
        variant = "ab"[run % 2]
        result = driver.wait(driver.send(op="sync", sheet="tiny", package=str(world["packages"][variant]),
                                         collection=str(path), wait=10), "outcome")
        assert result["outcome"] == "ok", result
        oks += 1
        assert _read(path)["text"] == TEXT[variant]
    os.kill(pid, signal.SIGUSR1)
    done = driver.wait(reviewer, "reviews")
    state = _read(path)
    assert state["integrity"] == "ok" and set(done["reviews"]) <= state["revlog"]
    _clean(path)
    _show(capsys, f"Anki opening at random moments: {RUNS} syncs, {oks} ok with their change; the other process "
                  f"committed {len(done['reviews'])} reviews, all kept, and was refused {done['refused']} times "
                  "while a sync held the file")
    assert done["reviews"]


def test_two_syncs_started_together(world, driver, capsys):
    """Each adds its own fact: when both report success, both facts are in the file."""
    counts = {"both ok": 0, "one refused": 0}
    for run in range(RUNS):
        path = _fresh(world, f"pair{run}")
        ids = {v: driver.send(op="sync", sheet="tiny", package=str(world["packages"][v]), collection=str(path),
                              wait=random.choice((0.0, 10.0))) for v in EXTRA}
        results = {v: driver.wait(i, "outcome") for v, i in ids.items()}
        assert {r["outcome"] for r in results.values()} <= {"ok", "refused"}, results
        oks = {v for v, r in results.items() if r["outcome"] == "ok"}
        state = _read(path)
        assert oks and state["integrity"] == "ok" and state["extra"] == oks
        for v, r in results.items():
            if r["outcome"] == "refused":
                assert "another sync is using it" in r["message"]
        counts["both ok" if len(oks) == 2 else "one refused"] += 1
        _clean(path)
        shutil.rmtree(path.parent)
    _show(capsys, f"two syncs together: {RUNS} pairs, {counts['both ok']} both ok (one waited for the other, "
                  f"both changes in the file), {counts['one refused']} with one refused clearly; none lost")


def test_kill_9_at_random_moments(world, driver, capsys):
    counts = {"before commit": 0, "after commit": 0}
    path = _fresh(world, "killed")
    started = time.monotonic()
    driver.wait(driver.send(op="sync", sheet="tiny", package=str(world["packages"]["b"]), collection=str(path)),
                "outcome")
    whole = time.monotonic() - started  # the kills fall anywhere from the start to past the end of a sync
    for run in range(RUNS):
        path = _fresh(world, "killed")
        before = _read(path)["revlog"]
        ident = driver.send(op="sync", sheet="tiny", package=str(world["packages"]["b"]), collection=str(path))
        pid = driver.wait(ident, "pid")["pid"]
        time.sleep(random.uniform(0, whole))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_gone(pid)
        state = _read(path)
        assert state["integrity"] == "ok" and state["revlog"] == before
        counts["after commit" if state["text"] == TEXT["b"] else "before commit"] += 1
        apply_package(world["packages"]["b"], path, Request("tiny"))
        assert _read(path)["text"] == TEXT["b"]
        _clean(path)
    _show(capsys, f"kill -9 at random moments: {RUNS} kills, {counts['before commit']} left the collection as it "
                  f"was, {counts['after commit']} after the commit; every one recovered, history kept")


def _wait_gone(pid: int) -> None:
    """Until the process is gone (the driver's children are reaped by the kernel)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not end")


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (mounting needs root; skipped where it is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk(world, small_disk, capsys):
    counts = {"ok": 0, "refused": 0}
    size = world["base"].stat().st_size
    for run in range(RUNS):
        for leftover in small_disk.iterdir():
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        path = small_disk / "profile" / "collection.anki2"
        path.parent.mkdir()
        shutil.copy(world["base"], path)
        before = _read(path)
        free = shutil.disk_usage(small_disk).free
        room = random.randint(0, 3 * size)
        (small_disk / "filler").write_bytes(b"\0" * max(0, free - room))
        try:
            apply_package(world["packages"]["b"], path, Request("tiny"))
            counts["ok"] += 1
            expected = TEXT["b"]
        except CheatdeckError as err:
            said = str(err).lower()
            assert "nothing was changed" in said and "free some space" in said, said
            assert any(cause in said for cause in ("disk i/o", "full", "no space", "os error 28")), said
            counts["refused"] += 1
            expected = TEXT["a"]
        (small_disk / "filler").unlink()
        state = _read(path)
        assert state["integrity"] == "ok" and state["text"] == expected and state["revlog"] == before["revlog"]
        _clean(path)
    _show(capsys, f"full disk: {RUNS} syncs with 0 to {3 * size // 1024} KB free, {counts['ok']} ok, "
                  f"{counts['refused']} refused with the collection as it was and nothing left behind")
    assert counts["refused"]


IO_ERROR = ('DbError { info: "SqliteFailure(Error { code: SystemIoFailure, extended_code: 4874 }, '
            'Some(\\"disk I/O error\\"))", kind: Other }')


@pytest.mark.parametrize("error, free_kb, says", [
    (IO_ERROR, 40, "40 kb was free on that disk when the sync began, and a sync needs about"),
    (IO_ERROR, 10 ** 7, "check that you may write to the collection's folder"),
    ("attempt to write a readonly database", 40, "check that you may write to the collection's folder"),
])
def test_a_disk_io_error_on_a_nearly_full_disk_says_to_free_space(world, monkeypatch, error, free_kb, says):
    """SQLite may name a full disk only "disk I/O error" (SQLITE_IOERR_SHMSIZE: its -shm file could not grow, as a
    CI run met on a 2 MB disk); the room the disk had when the sync began tells which it was. Another failure on
    a nearly full disk is not taken for one."""
    from anki.errors import DBError

    from cheatdeck.collection import driver, file

    def failing(col, work, keep):
        raise DBError(error, None, None, None)

    path = _fresh(world, "io-error")
    before = _read(path)
    monkeypatch.setattr(file, "transaction", failing)
    real = shutil.disk_usage
    monkeypatch.setattr(driver.shutil, "disk_usage", lambda folder: real(folder)._replace(free=free_kb * 1024))
    with pytest.raises(CheatdeckError) as raised:
        apply_package(world["packages"]["b"], path, Request("tiny"))
    message = str(raised.value).lower()
    assert error.lower() in message and "nothing was changed" in message and says in message
    assert ("free some space" in message) == ("was free" in says)
    assert _read(path) == before
    _clean(path)


def _downgraded(world: dict, name: str) -> Path:
    path = _fresh(world, name)
    Collection(str(path)).close(downgrade=True)
    return path


def test_rollback_journal_with_a_hot_journal_or_a_live_lock(world, driver, capsys):
    """A client of the old kind writes in rollback-journal mode: while it holds a lock, or after it died in a
    write (a hot journal), sync refuses; once the write is finished or undone, sync runs and the other
    client's committed write is kept."""
    counts = {"hot journal": 0, "writer": 0, "shared": 0}
    for run in range(RUNS):
        how = ("hot journal", "writer", "shared")[run % 3]
        path = _downgraded(world, "journal")
        ident = driver.send(op="hold", how="shared" if how == "shared" else "writer", collection=str(path),
                            mark=1_700_000_000_000 + run, crash=how == "hot journal")
        pid = driver.wait(ident, "pid")["pid"]
        driver.wait(ident, "held")
        with pytest.raises(CheatdeckError, match="a write that did not finish|open in Anki, or another sync"):
            apply_package(world["packages"]["b"], path, Request("tiny"), wait=0.2)
        if how != "hot journal":
            os.kill(pid, signal.SIGUSR1)
        _wait_gone(pid)
        if how == "hot journal":
            conn = sqlite3.connect(path)  # what Anki does on open: undo the unfinished write
            conn.execute("SELECT count() FROM notes").fetchall()
            conn.close()
        apply_package(world["packages"]["b"], path, Request("tiny"), wait=5)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            assert conn.execute("SELECT ver FROM col").fetchone()[0] == 11, "the schema Downgrade left"
            cards = conn.execute("SELECT count() FROM cards").fetchone()[0]
        finally:
            conn.close()
        state = _read(path)
        assert state["integrity"] == "ok" and state["text"] == TEXT["b"]
        assert state["ivl"] == world["ivl"] + (cards if how == "writer" else 0), "the other client's write is kept"
        counts[how] += 1
        _clean(path)
    _show(capsys, f"rollback journal: {RUNS} runs ({counts['hot journal']} hot journal, {counts['writer']} live "
                  f"write lock, {counts['shared']} live read lock), each refused clearly, then synced once free")


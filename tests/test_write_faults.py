"""Writing fails cleanly: no temp file left after an error, and after a kill only temp files that are
provably cheatdeck's, which the next build removes."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
from cli_helpers import run

import cheatdeck.write as write_module
from cheatdeck import build
from cheatdeck.errors import CheatdeckError
from cheatdeck.options import Options
from cheatdeck.write import is_own_temp, remove_leftovers, temp_path, write_atomic

KILLS = 24


def _raise(error: BaseException):
    def fail(*args, **kwargs):
        raise error
    return fail


@pytest.mark.parametrize("name, error, raised", [
    ("replace", OSError(errno.ENOSPC, "No space left on device"), CheatdeckError),
    ("replace", OSError(errno.EXDEV, "Invalid cross-device link"), OSError),
    ("replace", RuntimeError("a bug"), RuntimeError),
    ("fsync", OSError(errno.EIO, "Input/output error"), CheatdeckError),
    ("write", KeyboardInterrupt(), KeyboardInterrupt),
    ("chmod", OSError(errno.EROFS, "Read-only file system"), CheatdeckError),
])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch, name, error, raised):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with monkeypatch.context() as patched, pytest.raises(raised) as caught:
        patched.setattr(os, name, _raise(error))
        write_atomic(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]
    assert target.read_bytes() == b"old"
    if raised is CheatdeckError:
        assert caught.value.problems[0].loc.file == str(target)


def test_a_temp_file_is_known_by_its_name_alone(tmp_path):
    target = tmp_path / "tiny.pdf"
    temp = temp_path(target)
    assert temp.parent == tmp_path and temp.name.startswith(".tiny.pdf.cheatdeck-") and temp.name.endswith(".tmp")
    assert is_own_temp(temp, target)
    assert not is_own_temp(temp, tmp_path / "tiny.apkg")
    assert not is_own_temp(tmp_path / "sub" / temp.name, target)
    forged = temp.name[:-5] + ("0" if temp.name[-5] != "0" else "1") + ".tmp"
    for name in (forged, ".tiny.pdf.abc123.tmp", ".tiny.pdf.tmp", ".tiny.pdf.cheatdeck-x.tmp"):
        assert not is_own_temp(tmp_path / name, target), name


def test_a_temp_file_still_being_written_is_left_alone(tmp_path):
    import fcntl

    target = tmp_path / "tiny.pdf"
    live, dead = temp_path(target), temp_path(target)
    dead.write_bytes(b"left by a killed build")
    fd = os.open(live, os.O_WRONLY | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert remove_leftovers(target) == [dead]
        assert live.exists() and not dead.exists()
    finally:
        os.close(fd)
    assert remove_leftovers(target) == [live]


def test_a_build_that_cannot_write_leaves_the_last_good_files_and_no_temp_file(tiny, monkeypatch):
    run()
    before = {p: p.read_bytes() for p in (*Path("dist").iterdir(), *Path("source").iterdir())}
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes"), encoding="utf-8")
    replace = os.replace

    def lock_fails(src, dst):
        if str(dst).endswith(".lock.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", lock_fails)
    result = run("--force", code=1)
    assert "source/tiny.lock.json: the disk is full: free some space, then run cheatdeck again" in result.output
    after = {p: p.read_bytes() for p in (*Path("dist").iterdir(), *Path("source").iterdir())}
    assert after.keys() == before.keys(), "no temp file, nothing else"
    assert after[Path("source/tiny.lock.json")] == before[Path("source/tiny.lock.json")]


def _versions(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _check_after_kill(root: Path, old: dict[str, bytes], new: dict[str, bytes]) -> tuple[str, int]:
    """What a kill left: every file the old or the new version of itself, or one of cheatdeck's temp files."""
    files = _versions(root)
    temps = 0
    for name, data in files.items():
        if name in old or name in new:
            if name.endswith(".cheatdeck-state.json"):
                assert isinstance(json.loads(data), dict), name  # whole: it holds times, so it is never the same
            else:
                assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new file"
            continue
        path = root / name
        targets = [root / other for other in {*old, *new} if is_own_temp(path, root / other)]
        assert targets, f"{name} is not a file cheatdeck can recognise as its own"
        temps += 1
    state = "old" if all(files.get(n) == old.get(n) for n in new if not n.endswith("state.json")) else \
        "new" if all(files.get(n) == d for n, d in new.items() if not n.endswith("state.json")) else "mixed"
    return state, temps


def test_a_build_killed_at_random_moments_leaves_old_or_new_files_and_only_its_own_temps(tiny, monkeypatch,
                                                                                        tmp_path_factory):
    """A child process builds; it is killed (SIGKILL) at a random moment of its build, KILLS times. Each time
    the project holds only the old or the new version of each file, plus temp files that are provably
    cheatdeck's, and the temp folder holds nothing; the next build removes them and writes the new files."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    opts = Options(out=Path("dist"))
    build(tiny, opts, ("anki",))
    project = tiny.parent.parent
    saved = tmp_path_factory.mktemp("saved")
    for folder in ("dist", "source"):
        shutil.copytree(folder, saved / folder)
    text = tiny.read_text(encoding="utf-8")
    tiny.write_text(text.replace("stage changes", "stage the changes").replace("Merge", "Squash"), encoding="utf-8")
    shutil.copy(tiny, saved / "source" / "tiny.yaml")  # the state to go back to: old outputs, new sheet
    old = {**_versions(saved), "source/tiny.yaml": tiny.read_bytes()}
    started = time.perf_counter()
    build(tiny, opts, ("anki",))
    seconds = time.perf_counter() - started
    new = _versions(project)
    assert new["source/tiny.lock.json"] != old["source/tiny.lock.json"]

    scratch = tmp_path_factory.mktemp("tmpdir")
    rng = random.Random(21)
    outcomes: dict[str, int] = {}
    left = 0
    for kill in range(KILLS):
        for folder in ("dist", "source"):
            shutil.rmtree(folder)
            shutil.copytree(saved / folder, folder)
        pid = os.fork()
        if pid == 0:  # the child builds and exits without running the parent's clean-up
            try:
                tempfile.tempdir = str(scratch)
                build(tiny, opts, ("anki",))
            finally:
                os._exit(0)
        # Half the kills anywhere in the build, half in its last part, where it writes.
        time.sleep(rng.uniform(0, seconds * 1.3) if kill % 2 else rng.uniform(seconds * 0.6, seconds * 1.1))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        state, temps = _check_after_kill(project, old, new)
        assert not list(scratch.iterdir()), "nothing left in the temp folder"
        outcomes[state] = outcomes.get(state, 0) + 1
        left += temps
        build(tiny, opts, ("anki",))
        assert _versions(project).keys() == new.keys(), "the next build removed every temp file"
        assert {n: d for n, d in _versions(project).items() if not n.endswith("state.json")} == \
               {n: d for n, d in new.items() if not n.endswith("state.json")}
    print(f"{KILLS} kills: {outcomes}; {left} temp file(s) left, all removed by the next build")


def test_a_lock_temp_file_left_beside_the_sheet_goes_with_the_next_build_or_clean(tiny):
    run("anki")
    lock = Path("source/tiny.lock.json")
    lookalike = Path("source/.tiny.lock.json.backup.tmp")
    lookalike.write_text("the user's own", encoding="utf-8")
    left = temp_path(lock)
    left.write_text("{", encoding="utf-8")
    before = lock.read_bytes()
    run("anki", "--force")  # the lock does not change, so it is not written
    assert lock.read_bytes() == before and not left.exists() and lookalike.exists()
    left.write_text("{", encoding="utf-8")
    run("clean")
    assert not left.exists() and lookalike.exists() and lock.read_bytes() == before


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names an open file through /proc")
def test_only_what_the_user_keeps_waits_for_the_disk(tmp_path, monkeypatch):
    """The outputs and the lock are on the disk before they take their names (fsync); the build's own state and
    the layout caches are not waited for (about 8 ms each on a busy disk), and a damaged state means a full build."""
    from conftest import TINY

    sheet = tmp_path / "source" / TINY.name
    sheet.parent.mkdir()
    shutil.copy(TINY, sheet)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    synced = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), fsync(fd))[1])
    out = tmp_path / "dist"
    result = build(sheet, Options(out=out))
    assert all(output.written for output in result.outputs)
    names = sorted(name.split(".cheatdeck-")[0] for name in map(os.path.basename, synced))
    assert names == [".tiny.apkg", ".tiny.lock.json", ".tiny.pdf"], names
    assert (out / ".cheatdeck-state.json").is_file() and (tmp_path / "cache").is_dir()
    (out / ".cheatdeck-state.json").write_bytes(b"\0" * 40)  # as a power cut may leave an unsynced file
    assert all(output.built for output in build(sheet, Options(out=out)).outputs)

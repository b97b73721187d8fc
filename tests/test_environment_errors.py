"""What the computer refuses (a full disk, a read-only folder, a file in use) is exit 1 with the cause, the
path and what to do; exit 3 stays for bugs. The suite runs as root, where permissions stop nothing, so the
refusals are made by a file standing where a folder belongs, or by the OS call raising."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from cli_helpers import run

AGAIN = "then run cheatdeck again"


def _raise(number: int):
    def fail(*args, **kwargs):
        raise OSError(number, os.strerror(number))
    return fail


def _refuse_paths(monkeypatch, method: str, number: int, suffix: str) -> None:
    """Path.`method` raises OSError(number) for paths ending in `suffix`."""
    original = getattr(Path, method)

    def refused(self, *args, **kwargs):
        if str(self).endswith(suffix):
            raise OSError(number, os.strerror(number), str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, method, refused)


def _no_temp_files() -> None:
    assert not [p for folder in ("dist", "source") if Path(folder).is_dir()
                for p in Path(folder).iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("call, number, message", [
    ("fsync", errno.ENOSPC, "dist/tiny.apkg: the disk is full: free some space, " + AGAIN),
    ("fsync", errno.EDQUOT, "dist/tiny.apkg: your disk quota is used up: free some space, " + AGAIN),
    ("open", errno.EROFS, "dist/tiny.apkg: the file system is read-only: choose a folder you can write to "
                          "(--out for the outputs), " + AGAIN),
    ("replace", errno.EACCES, "dist/tiny.apkg: permission denied, or the file is locked by another program"),
    ("replace", errno.EBUSY, "dist/tiny.apkg: the file is in use by another program: close that program"),
    ("fsync", errno.EIO, "dist/tiny.apkg: the disk reported an input/output error"),
])
def test_build_says_what_the_disk_refused_and_exits_1(tiny, monkeypatch, call, number, message):
    with monkeypatch.context() as patched:  # monkeypatch.undo() would also undo the fixture's chdir
        patched.setattr(os, call, _raise(number))
        result = run(code=1)
    assert result.output.startswith("Error: ") and message in result.output, result.output
    assert "internal error" not in result.output
    _no_temp_files()
    run()  # once the disk is fine again, the build goes through


def test_an_output_folder_that_is_a_file_is_exit_1(tiny):
    Path("dist").write_text("a file of the user's", encoding="utf-8")
    result = run(code=1)
    assert "dist/tiny.apkg: a file stands where a folder is expected: move it away or choose another folder" \
        in result.output
    assert Path("dist").read_text(encoding="utf-8") == "a file of the user's"


def test_a_folder_where_an_output_belongs_is_exit_1(tiny):
    Path("dist/tiny.pdf").mkdir(parents=True)
    result = run(code=1)
    assert f"dist/tiny.pdf: a folder stands where a file is expected: move it away, {AGAIN}" in result.output
    assert Path("dist/tiny.pdf").is_dir()
    _no_temp_files()


def test_build_and_check_say_what_stops_them_reading(tiny, monkeypatch):
    run()
    (Path("source") / "tiny.yaml").write_text((Path("source") / "tiny.yaml").read_text(encoding="utf-8") + "\n",
                                              encoding="utf-8")
    _refuse_paths(monkeypatch, "read_bytes", errno.EACCES, "tiny.lock.json")
    result = run("anki", code=1)
    assert "source/tiny.lock.json: permission denied, or the file is locked by another program: give yourself " \
           "access to it (or close that program), " + AGAIN in result.output
    _refuse_paths(monkeypatch, "read_bytes", errno.EIO, "tiny.yaml")
    assert "source/tiny.yaml: the disk reported an input/output error" in run("check", code=1).output


def test_an_environment_error_the_library_did_not_place_is_still_exit_1(tiny, monkeypatch):
    import cheatdeck.pipeline as pipeline_module

    def fails(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/somewhere")

    monkeypatch.setattr(pipeline_module, "build", fails)
    result = run(code=1)
    assert f"/tmp/somewhere: the disk is full: free some space, {AGAIN}" in result.output


def test_an_unexpected_os_error_is_still_a_bug(tiny, monkeypatch):
    import cheatdeck.pipeline as pipeline_module

    def fails(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(pipeline_module, "build", fails)
    assert "internal error" in run(code=3).output


def test_clean_says_what_it_could_not_remove(tiny, monkeypatch):
    run()
    with monkeypatch.context() as patched:
        _refuse_paths(patched, "unlink", errno.EBUSY, "tiny.pdf")
        result = run("clean", code=1)
    assert f"dist/tiny.pdf: the file is in use by another program: close that program, {AGAIN}" in result.output
    run("clean")
    assert not Path("dist").exists()


def test_removed_forget_says_the_disk_is_full(tiny, monkeypatch):
    run()
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("          - Add: stage changes for the next commit\n",
                                                             ""), encoding="utf-8")
    run()
    lock = Path("source/tiny.lock.json").read_bytes()
    monkeypatch.setattr(os, "fsync", _raise(errno.ENOSPC))
    result = run("removed", "--forget", code=1)
    assert f"source/tiny.lock.json: the disk is full: free some space, {AGAIN}" in result.output
    assert Path("source/tiny.lock.json").read_bytes() == lock
    _no_temp_files()


def test_a_folder_that_takes_no_temp_file_leaves_the_package_in_sqlites_own_temporary_database(tiny, monkeypatch):
    """The package's database waits in a temp file beside the .apkg; where none can be made there, it stays in
    SQLite's private temporary one, and the package is the same."""
    run()
    made = Path("dist/tiny.apkg").read_bytes()
    with monkeypatch.context() as patched:
        patched.setattr("cheatdeck.deck.package.create_temp", _raise(errno.ENOSPC))
        run("anki", "--force")
    assert Path("dist/tiny.apkg").read_bytes() == made


def test_a_scratch_database_sqlite_cannot_write_leaves_the_package_in_sqlites_own_temporary_database(tiny,
                                                                                                     monkeypatch):
    """A disk with room for the zip but not the database, or a share without file locks: SQLite fails on the
    scratch file beside the .apkg, and the package is made in memory instead, the same (a review found an
    internal error here)."""
    import sqlite3

    run()
    made = Path("dist/tiny.apkg").read_bytes()
    connect = sqlite3.connect

    def failing(name, *args, **kwargs):
        if name:
            raise sqlite3.OperationalError("disk I/O error")
        return connect(name, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(sqlite3, "connect", failing)
        run("anki", "--force")
    assert Path("dist/tiny.apkg").read_bytes() == made
    _no_temp_files()

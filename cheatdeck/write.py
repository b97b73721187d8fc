"""Stage 4, write: outputs replace the old ones atomically, or not at all.

Each file is written to a temp file beside it and renamed over it. A failure removes the temp file; only a
kill between the two steps can leave one, so its name proves whose it is: `.NAME.cheatdeck-TOKEN.tmp`, where
TOKEN is random and ends with a digest of NAME and the random part. A user's file never matches that by
chance, so the next write of NAME (and `clean`) removes such leftovers and nothing else. While a process
writes a temp file it holds a lock on it, so a leftover is removed only once no one is writing it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .environment import environment_error

try:
    import fcntl
except ImportError:  # Windows: a file open for writing cannot be removed there, which protects it as well
    fcntl = None

_TEMP = re.compile(r"\.(?P<name>.+)\.cheatdeck-(?P<token>[0-9a-f]{16})(?P<check>[0-9a-f]{16})\.tmp")


def _check(name: str, token: str) -> str:
    return hashlib.sha256(f"cheatdeck temp file\0{name}\0{token}".encode()).hexdigest()[:16]


def temp_path(path: Path) -> Path:
    """A new name for a temp file of `path`, which `is_own_temp` recognises."""
    token = os.urandom(8).hex()
    return path.with_name(f".{path.name}.cheatdeck-{token}{_check(path.name, token)}.tmp")


def is_own_temp(temp: Path, path: Path) -> bool:
    """Whether `temp` is a temp file that cheatdeck made for `path` (by its name alone)."""
    match = _TEMP.fullmatch(temp.name)
    return (match is not None and temp.parent == path.parent and match["name"] == path.name
            and match["check"] == _check(match["name"], match["token"]))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_leftovers(path: Path) -> list[Path]:
    """Remove the temp files that a killed cheatdeck left for `path` (see the module's docstring)."""
    try:
        entries = [Path(entry.path) for entry in os.scandir(path.parent) if entry.name.startswith(f".{path.name}.")]
    except OSError:
        return []
    return [temp for temp in sorted(entries) if is_own_temp(temp, path) and _remove_unless_held(temp)]


def _remove_unless_held(temp: Path) -> bool:
    try:
        fd = os.open(temp, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # a live process is writing it (or the file system cannot tell)
        temp.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def create_temp(path: Path) -> tuple[int, Path]:
    """A new temp file of `path` in its folder (made if missing), open for reading and writing, and locked: the
    package's database waits in one while it is made (deck/package.py), and what a kill leaves of it is removed
    as any other leftover of `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return _create(path, os.O_RDWR)


def _create(path: Path, access: int = os.O_WRONLY) -> tuple[int, Path]:
    """A new temp file for `path`, open for writing (`access`) and locked."""
    while True:
        temp = temp_path(path)
        try:
            fd = os.open(temp, access | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                         | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            continue
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:
                pass  # a file system without locks (some network shares): its leftovers are then never removed
        return fd, temp


def write_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write data to path through a temp file in the same folder; False if it already held these bytes.

    `durable`: the bytes reach the disk (fsync, about 8 ms on a busy disk) before the temp file takes the name, so
    that a power cut leaves the old file or the new one. A file read as absent when damaged (the build's own
    state, a cache) need not wait: the worst a power cut does to it is one more full build.

    Raises CheatdeckError (at `path`) when the environment refuses (a full disk, a read-only folder, …);
    the temp file is gone after any failure.
    """
    remove_leftovers(path)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    _replace(path, (data,), durable)
    return True


def write_pieces(path: Path, pieces: Iterable[bytes], durable: bool = True) -> None:
    """`write_atomic` of the bytes `pieces` make, each written as it comes, so that a big file's text is never
    held whole (the lock of a 50,000-fact sheet: state/lock.py); the file is replaced even if it held them."""
    remove_leftovers(path)
    _replace(path, pieces, durable)


def _replace(path: Path, pieces: Iterable[bytes], durable: bool) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = _create(path)
    except OSError as exc:
        raise environment_error(exc, path) or exc from None
    try:
        for piece in pieces:
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view):]
        if durable:
            os.fsync(fd)
        os.chmod(temp, 0o666 & ~_umask())
        if fcntl is None:  # Windows renames no open file; there the open file was what kept it safe
            os.close(fd)
            fd = -1
        os.replace(temp, path)
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and (error := environment_error(exc, path)):
            raise error from None
        raise
    finally:
        if fd >= 0:
            os.close(fd)  # after the rename: the lock guarded the temp file until it had its final name

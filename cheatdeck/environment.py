"""What the computer refused (a full disk, a read-only folder, a file in use): an error the user can act on.

These are not bugs, and not problems in a sheet: each says the cause, the path, and what to do, and the
command line exits 1 as for a sheet's problem (exit 3 stays for bugs).
"""

from __future__ import annotations

import errno
from pathlib import Path

from .errors import CheatdeckError, Location, Problem

_AGAIN = "then run cheatdeck again"
_FOLDER = "a file stands where a folder is expected: move it away or choose another folder, " + _AGAIN
_CAUSES = {
    errno.ENOSPC: "the disk is full: free some space, " + _AGAIN,
    errno.EDQUOT: "your disk quota is used up: free some space, " + _AGAIN,
    errno.EROFS: "the file system is read-only: choose a folder you can write to (--out for the outputs), " + _AGAIN,
    errno.EACCES: "permission denied, or the file is locked by another program: give yourself access to it "
                  "(or close that program), " + _AGAIN,
    errno.EPERM: "the file or its folder is locked or not yours to change: unlock it or change its owner, " + _AGAIN,
    errno.EBUSY: "the file is in use by another program: close that program, " + _AGAIN,
    errno.ETXTBSY: "the file is in use by another program: close that program, " + _AGAIN,
    errno.ENOTDIR: _FOLDER,
    errno.EEXIST: _FOLDER,
    errno.EISDIR: "a folder stands where a file is expected: move it away, " + _AGAIN,
    errno.EIO: "the disk reported an input/output error: check the disk or its connection, " + _AGAIN,
    errno.ENAMETOOLONG: "the path is too long for the file system: choose a shorter folder, " + _AGAIN,
    errno.ELOOP: "a symbolic link in the path points to itself (in a loop): repair the link, " + _AGAIN,
}


def environment_error(exc: OSError, path: Path | str | None = None) -> CheatdeckError | None:
    """The error to show for an OSError the environment caused, at `path` (else the one the OSError names);
    None for any other OSError, which is a bug to report as one."""
    cause = _CAUSES.get(exc.errno)
    if cause is None:
        return None
    where = path if path is not None else exc.filename
    return CheatdeckError(Problem(Location("" if where is None else str(where)), cause))

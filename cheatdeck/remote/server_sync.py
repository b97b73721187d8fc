"""One round with a sync server: pull (a normal sync), apply the sheets in place exactly as `sync` does, push
(a normal sync, then media).

Reviews made on the phone reach the collection in the pull, before the sheet is applied, so they are never
overwritten. Every network step runs on a closed-then-reopened collection, as Anki's own sync does; a failure
leaves the collection as that step found it: the engine applies a normal sync in one transaction and swaps a
downloaded collection in only once it is complete.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..collection.driver import Choices
from ..errors import CheatdeckError
from ..options import Options
from .credentials import Credentials
from .failures import explain
from .full_sync import Unsent, choose

NORMAL = (0, 1)
"""The engine's answers when it has done a normal sync (it says 'no changes' after any normal sync it did)."""
STATUS = {0: "no changes to exchange", 1: "a normal sync", 2: "a full sync (refused unless you choose a side)"}
MEDIA_POLL = 0.05


@dataclass(frozen=True)
class Round:
    collection: Path
    server: str | None
    pulled: str
    """'normal sync', 'full download' or 'full upload'; for a plan, what the server round would be."""
    pushed: str
    results: tuple
    """The `collection.driver.SyncResult` of each sheet."""
    plan: bool
    backup: Path | None = None
    """The backup taken before a full upload."""


def server_round(sheets: Sequence[Path], collection: Path, credentials: Credentials, opts: Options | None = None,
                 choices: Choices = Choices(), full_sync: str | None = None, own: bool = False) -> Round:
    """Pull, apply every sheet, push. `own`: cheatdeck's phone collection, which may download when empty.

    Raises CheatdeckError (FullSyncNeeded among them) with the collection's state in its message.
    """
    auth = credentials.auth()
    pulled, backup = _exchange(collection, auth, full_sync, own, applied=False, media=False)
    results = _apply(sheets, collection, opts, choices, plan=False)
    pushed, late_backup = _exchange(collection, auth, full_sync, own=False, applied=True, media=True)
    return Round(collection, credentials.endpoint, pulled, pushed, results, False, backup or late_backup)


def plan_round(sheets: Sequence[Path], collection: Path, credentials: Credentials, opts: Options | None = None,
               choices: Choices = Choices()) -> Round:
    """What a round would do: the server's answer to a status query, and each sheet's plan; nothing is sent."""
    col = open_collection(collection)
    try:
        required = _talk(lambda: col.sync_status(credentials.auth()).required, credentials.endpoint,
                         "Nothing was changed.")
    finally:
        col.close()
    results = _apply(sheets, collection, opts, choices, plan=True)
    return Round(collection, credentials.endpoint, STATUS.get(required, str(required)), "", results, True)


def _apply(sheets: Sequence[Path], collection: Path, opts: Options | None, choices: Choices, plan: bool) -> tuple:
    """The one call into the local sync: the collection is closed here, and that sync opens it itself."""
    from ..collection.driver import sync

    return tuple(sync(sheet, collection, opts, choices, plan) for sheet in sheets)


def _exchange(collection: Path, auth, full_sync: str | None, own: bool, applied: bool,
              media: bool) -> tuple[str, Path | None]:
    """A normal sync, or the full sync the user chose; media after it when asked. Returns what was done and the
    backup taken before an upload."""
    after = ("The sheet was applied to the collection, but not sent; run again to send it." if applied
             else "The collection is as it was.")
    col = open_collection(collection)
    try:
        out = _talk(lambda: col.sync_collection(auth, False), auth.endpoint, after)
        if out.new_endpoint:
            auth.endpoint = out.new_endpoint
        done, backup = "normal sync", None
        if out.required not in NORMAL:
            side = choose(out.required, full_sync, own and not col.card_count(), collection, auth.endpoint,
                          Unsent.read(col), applied)
            backup = _backup(col, collection) if side == "upload" else None
            col.close_for_full_sync()
            _talk(lambda: col.full_upload_or_download(auth=auth, server_usn=out.server_media_usn,
                                                      upload=side == "upload"), auth.endpoint, after)
            col.reopen(after_full_sync=True)
            done = f"full {side}"
        if media:
            _talk(lambda: _sync_media(col, auth), auth.endpoint, after)
    finally:
        col.close()
    return done, backup


def _sync_media(col, auth) -> None:
    """The engine syncs media in the background; wait for it, so the collection closes with media sent."""
    col.sync_media(auth)
    while col.media_sync_status().active:
        time.sleep(MEDIA_POLL)


def _backup(col, collection: Path) -> Path:
    folder = collection.parent / "backups"
    folder.mkdir(exist_ok=True)
    col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    return folder


def _talk(call, endpoint: str | None, after: str):
    try:
        return call()
    except Exception as exc:
        error = explain(exc, endpoint, after)
        if error is None:
            raise
        raise error from None


def open_collection(collection: Path):
    """The collection, opened by the engine; refused when missing (opening would create it) or open in Anki."""
    from anki.collection import Collection
    from anki.errors import DBError

    if not collection.is_file():
        raise CheatdeckError(f"{collection}: no such collection file")
    try:
        return Collection(str(collection))
    except DBError as exc:
        raise CheatdeckError(f"{collection}: cannot open it ({exc}); if Anki has it open, close Anki and run "
                             "again") from None

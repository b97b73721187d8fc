"""cheatdeck's own collection for a server and user, for people who study only on a phone.

It lives in the user's data folder (data_dir()/phone/<server>/<user>/collection.anki2), is downloaded whole on
the first run and synced normally after, so the phone's next sync shows the sheet's decks beside the user's own.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..collection.driver import Choices
from ..options import Options
from . import endpoint as endpoints
from .credentials import Credentials
from .folders import data_dir
from .server_sync import Round, plan_round, server_round


@dataclass(frozen=True)
class Status:
    collection: Path
    exists: bool
    last_sync: datetime | None
    """When the collection last finished a sync with the server (None: never, or no such collection)."""


def collection_path(endpoint: str | None, username: str) -> Path:
    user = re.sub(r"[^A-Za-z0-9@._+-]", "_", username) or "_"
    return data_dir() / "phone" / endpoints.slug(endpoint) / user / "collection.anki2"


def sync_phone(sheets, credentials: Credentials, opts: Options | None = None, choices: Choices = Choices(),
               full_sync: str | None = None, plan: bool = False) -> Round:
    """The server round on cheatdeck's own collection for this server and user, made (empty) on the first run,
    when the server's copy is downloaded into it before the sheets are applied."""
    path = collection_path(credentials.endpoint, credentials.username)
    if plan and not path.is_file():
        return Round(path, credentials.endpoint, "a first run: download the whole collection, then apply", "",
                     (), True)
    if plan:
        return plan_round(sheets, path, credentials, opts, choices)
    _ensure(path)
    return server_round(sheets, path, credentials, opts, choices, full_sync, own=True)


def _ensure(path: Path) -> None:
    """An empty collection at `path` unless one is there."""
    from anki.collection import Collection

    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        Collection(str(path)).close()


def status(collection: Path) -> Status:
    """Where a collection is and when it last synced, read without opening it in the engine."""
    if not collection.is_file():
        return Status(collection, False, None)
    conn = sqlite3.connect(f"file:{collection}?mode=ro&immutable=1", uri=True)
    try:
        (last,) = conn.execute("SELECT ls FROM col").fetchone()
    except sqlite3.DatabaseError:
        last = 0
    finally:
        conn.close()
    return Status(collection, True, datetime.fromtimestamp(last / 1000, timezone.utc) if last else None)


def collections(endpoint: str | None) -> list[Path]:
    """Every phone collection kept for a server, whatever the user."""
    return sorted((data_dir() / "phone" / endpoints.slug(endpoint)).glob("*/collection.anki2"))

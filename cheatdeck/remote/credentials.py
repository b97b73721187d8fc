"""Who syncs: the sync key a server hands out at login, kept in the user's config folder, readable by them alone.

The password is only ever passed to the engine's login call. What is stored is the key (hkey) the server
returns, which the user can revoke by changing the password, and the username, to name their phone collection.
Scripts and CI can instead set CHEATDECK_ANKIWEB_USER and CHEATDECK_ANKIWEB_PASSWORD: each run then logs in
afresh and stores nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CheatdeckError
from . import endpoint as endpoints
from .failures import explain, server_name
from .folders import config_dir

USER_VARIABLE, PASSWORD_VARIABLE = "CHEATDECK_ANKIWEB_USER", "CHEATDECK_ANKIWEB_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    username: str
    hkey: str
    endpoint: str | None
    """The server's address as the engine wants it; None for AnkiWeb."""

    def auth(self):
        from anki.sync import SyncAuth

        return SyncAuth(hkey=self.hkey, endpoint=self.endpoint)


def key_file() -> Path:
    return config_dir() / "sync-keys.json"


def login(username: str, password: str, endpoint: str | None) -> Credentials:
    """Ask the server for a sync key; CheatdeckError for a refused login or an unreachable server."""
    from anki.collection import Collection

    # The engine's login call lives on a collection; an empty one in a folder that is removed right after.
    with tempfile.TemporaryDirectory(prefix="cheatdeck-login-") as tmp:
        col = Collection(str(Path(tmp) / "login.anki2"))
        try:
            auth = col.sync_login(username, password, endpoint)
        except Exception as exc:
            raise explain(exc, endpoint, "Nothing was changed.") or exc
        finally:
            col.close()
    return Credentials(username, auth.hkey, endpoint)


def for_server(endpoint: str | None) -> Credentials:
    """The credentials to sync with: a login from the environment if set, else the stored key."""
    username, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if username and password:
        return login(username, password, endpoint)
    found = stored(endpoint)
    if found is None:
        raise CheatdeckError(f"not logged in to {server_name(endpoint)}: run `cheatdeck login"
                             f"{'' if endpoint is None else ' --endpoint ' + endpoint}` first, or set "
                             f"{USER_VARIABLE} and {PASSWORD_VARIABLE}")
    return found


def stored(endpoint: str | None) -> Credentials | None:
    entry = _read().get(endpoints.slug(endpoint))
    if not entry:
        return None
    return Credentials(entry["username"], entry["hkey"], endpoint)


def save(credentials: Credentials) -> Path:
    """Store the key (never a password), in a file only the user can read; returns the file."""
    keys = _read()
    keys[endpoints.slug(credentials.endpoint)] = {"username": credentials.username, "hkey": credentials.hkey}
    _write(keys)
    return key_file()


def forget(endpoint: str | None) -> bool:
    """Remove the stored key for a server; False when there was none. The file goes when it holds no key."""
    keys = _read()
    if keys.pop(endpoints.slug(endpoint), None) is None:
        return False
    if keys:
        _write(keys)
    else:
        key_file().unlink()
    return True


def _read() -> dict:
    path = key_file()
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("servers", {})
    except FileNotFoundError:
        return {}
    except (ValueError, AttributeError):
        raise CheatdeckError(f"{path}: the stored sync keys are unreadable; remove the file and log in again")


def _write(keys: dict) -> None:
    """Write through a file created with mode 0600, renamed over the old one, so the key is never readable by
    others, not even for a moment, and a crash leaves the old file whole."""
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump({"servers": dict(sorted(keys.items()))}, file, indent=2)
        file.write("\n")
    os.chmod(temp, 0o600)
    temp.replace(path)

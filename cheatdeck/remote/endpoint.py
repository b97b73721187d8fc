"""Which sync server to talk to, and the rule that keeps passwords and keys off the open network.

AnkiWeb is the default, reached through the engine's own HTTPS address. A self-hosted server (`--endpoint`) must
use HTTPS too, except on this machine (a loopback address), where plain HTTP never leaves the host.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ..errors import CheatdeckError

ANKIWEB = "ankiweb"
"""The name of the default server; the engine knows its address (None as an endpoint)."""


def checked(endpoint: str | None) -> str | None:
    """The endpoint as the engine wants it (None for AnkiWeb, else a URL ending in '/'), or CheatdeckError."""
    if endpoint is None or endpoint == ANKIWEB:
        return None
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheatdeckError(f"--endpoint {endpoint!r} is not a server address; "
                             "give one like https://sync.example.org/ or http://127.0.0.1:8080/")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise CheatdeckError(f"--endpoint {endpoint} uses plain HTTP to another machine, which would send your "
                             "password and sync key unencrypted; serve it over HTTPS (e.g. behind a reverse "
                             "proxy), or reach it through a tunnel to this machine (ssh -L 8080:localhost:8080)")
    return endpoint if endpoint.endswith("/") else endpoint + "/"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def slug(endpoint: str | None) -> str:
    """A folder name for the server: 'ankiweb', or its host and port ('127.0.0.1_8080')."""
    if endpoint is None:
        return ANKIWEB
    parts = urlsplit(endpoint)
    name = f"{parts.hostname}_{parts.port}" if parts.port else parts.hostname or "server"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name + parts.path.rstrip("/"))

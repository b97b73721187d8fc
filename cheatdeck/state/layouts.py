"""The body size the PDF's fit search came to, per layout key, kept in the user's cache folder so that a build
of the same inputs (a fresh clone, another output folder, `check`) lays the sheet out once instead of searching.

The key is a digest of everything the search saw (freshness.Fingerprints.layout_key): the code that breaks
lines, the options that move them, the templates, the fonts and the source. The file holds the newest LIMIT
entries, a few kilobytes; it is a cache only: missing, damaged or unwritable, the search runs from its guess.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

LIMIT = 256
FILE = "layouts.json"


def _path() -> Path | None:
    """`$XDG_CACHE_HOME/cheatdeck/layouts.json`, else under `~/.cache`; None without a home folder."""
    try:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home folder to find (a service account): no cache
        return None
    return root / "cheatdeck" / FILE


def _read(path: Path | None) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, (int, float))} if isinstance(data, dict) else {}


def size(key: str) -> float | None:
    """The body size a build with this layout key chose, if one is remembered."""
    return _read(_path()).get(key)


def remember(key: str, body_size: float) -> None:
    """Keep `body_size` for `key` as the newest entry, dropping the oldest beyond LIMIT."""
    from ..write import write_atomic

    path = _path()
    entries = _read(path)
    if path is None or entries.get(key) == body_size:
        return
    entries.pop(key, None)
    entries[key] = body_size
    kept = dict(list(entries.items())[-LIMIT:])
    try:
        write_atomic(path, json.dumps(kept, indent=0).encode(), durable=False)  # a cache: read as empty if damaged
    except OSError:
        pass  # a read-only home: every fresh build searches, as without a cache

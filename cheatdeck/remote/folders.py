"""Where a user's own cheatdeck files live: the config folder (the sync key) and the data folder (the phone
collection), by each platform's convention.

Linux and other Unixes follow the XDG base directories; macOS keeps both under ~/Library/Application Support;
Windows keeps settings in the roaming %APPDATA% and data in the machine's %LOCALAPPDATA%.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "cheatdeck"


def config_dir() -> Path:
    if sys.platform == "win32":
        return _windows("APPDATA", "Roaming")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    return _xdg("XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    if sys.platform == "win32":
        return _windows("LOCALAPPDATA", "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    return _xdg("XDG_DATA_HOME", ".local/share")


def _xdg(variable: str, default: str) -> Path:
    # The spec says a relative value is invalid and must be ignored.
    value = os.environ.get(variable, "")
    return (Path(value) if os.path.isabs(value) else Path.home() / default) / APP


def _windows(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return (Path(value) if value else Path.home() / "AppData" / fallback) / APP

"""Which sheets a run covers: a project's source folder, found upwards as git finds .git, and its sheets by id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import CheatdeckError, Location, Problem, UsageError

SOURCE_FOLDER = "source"
# A sheet's id is its first top-level `id:` line; reading only that keeps an up-to-date build from parsing YAML.
_ID_LINE = re.compile(rb"^id:[ \t]*([\"']?)([^\"'#\s]+)\1[ \t]*(?:#.*)?$", re.M)


def find_project(start: Path) -> Path | None:
    """The nearest folder, from `start` upwards, that holds a source/ folder of sheets."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / SOURCE_FOLDER).is_dir() and any((folder / SOURCE_FOLDER).glob("*.yaml")):
            return folder
    return None


def sheet_id(path: Path) -> str:
    """The id a sheet declares, or its file name's stem when the file does not say (it will not load anyway)."""
    try:
        found = _ID_LINE.search(path.read_bytes())
    except OSError:
        found = None
    return found[2].decode("utf-8", "replace") if found else path.stem


def find_sheets(sources: Sequence[Path], ids: Sequence[str] = ()) -> list[Path]:
    """The sheet files named or held by `sources` (files or folders), keeping only `ids` when given."""
    paths: list[Path] = []
    for source in sources:
        if source.is_file():
            paths.append(source)
        elif source.is_dir():
            paths += sorted(p for p in source.glob("*.yaml") if p.is_file())
        else:
            raise UsageError(Problem(Location(str(source)), "no such file or folder"))
    if not paths:
        raise UsageError(Problem(Location(", ".join(map(str, sources))), "found no *.yaml sheets here"))
    by_id: dict[str, Path] = {}
    for path in paths:
        other = by_id.setdefault(sheet_id(path), path)
        if other != path:
            # Both would write dist/<id>.apkg and .pdf, each overwriting the other's.
            raise CheatdeckError(Problem(Location(str(path)), f"this sheet has the id {sheet_id(path)!r}, like "
                                                              f"{other}; give one of them another id"))
    if ids:
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise UsageError(Problem(Location(""), f"no sheet has the id {', '.join(map(repr, unknown))}; "
                                                       f"the sheets are: {', '.join(sorted(by_id))}"))
        paths = [by_id[i] for i in dict.fromkeys(ids)]
    return paths

"""Which sheets a run covers."""

from __future__ import annotations

from pathlib import Path

from ..errors import CheatdeckError, Location, Problem
from ..options import Options


def find_sheets(opts: Options) -> list[Path]:
    source = opts.source
    if source.is_file():
        paths = [source]
    elif source.is_dir():
        paths = sorted(p for p in source.glob("*.yaml") if p.is_file())
    else:
        raise CheatdeckError(Problem(Location(str(source)), "no such file or folder"))
    if opts.sheet_id:
        paths = [p for p in paths if p.stem == opts.sheet_id]
    if not paths:
        wanted = f"sheet {opts.sheet_id}.yaml" if opts.sheet_id else "*.yaml sheets"
        raise CheatdeckError(Problem(Location(str(source)), f"found no {wanted} here"))
    return paths

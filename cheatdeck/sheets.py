"""Which sheets a run covers, and the options it runs with."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CheatdeckError, Location, Problem
from .uptodate import TEMPLATES

PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "letter"
    pages: int = 2
    grayscale: bool = False
    png: bool = False


@dataclass(frozen=True)
class Options:
    source: Path = Path("source")
    out: Path = Path("dist")
    sheet_id: str | None = None
    force: bool = False
    verbosity: int = 1
    debug: bool = False
    templates: Path = TEMPLATES
    print: PrintOptions = field(default_factory=PrintOptions)

    def display(self, path: Path) -> str:
        """A path as the user would type it: relative to the working folder when inside it."""
        try:
            relative = os.path.relpath(path)
        except ValueError:
            return str(path)
        return str(path) if relative.startswith("..") else relative


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

"""The options a run takes: where the sheets and outputs are, and how the PDF is printed."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
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

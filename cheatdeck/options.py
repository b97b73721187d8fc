"""What a build is asked for: where the outputs go, which templates shape them, and how the PDF is printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# Installed, the templates ship inside the package; in a source checkout they sit at the top of the repository.
TEMPLATES = _PACKAGE / "templates" if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent / "templates"
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "letter"
    pages: int = 2
    grayscale: bool = False
    png: bool = False


@dataclass(frozen=True)
class Options:
    out: Path = Path("dist")
    force: bool = False
    templates: Path = TEMPLATES
    print: PrintOptions = field(default_factory=PrintOptions)

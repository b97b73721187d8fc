"""What a build is asked for: where the outputs go, which templates shape them, and how the PDF is printed."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Protocol

_PACKAGE = Path(__file__).resolve().parent
# Installed, the templates ship inside the package; in a source checkout they sit at the top of the repository.
TEMPLATES = _PACKAGE / "templates" if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent / "templates"
PAPERS = ("letter", "a4")


class SheetPrint(Protocol):
    """A sheet's own `print:` settings (model.Print), named here so that options need not import the model."""

    paper: str
    pages: int
    columns: int | None
    grayscale: bool


@dataclass(frozen=True)
class PrintOptions:
    """How to print. A field left None takes the sheet's own `print:` setting; `columns` None after that: the theme's."""

    paper: str | None = None
    pages: int | None = None
    columns: int | None = None
    grayscale: bool | None = None
    png: bool = False

    def over(self, sheet: SheetPrint) -> PrintOptions:
        """These options applied over the sheet's settings: every field but `columns` set."""
        return PrintOptions(paper=self.paper or sheet.paper, pages=self.pages or sheet.pages,
                            columns=self.columns or sheet.columns,
                            grayscale=sheet.grayscale if self.grayscale is None else self.grayscale, png=self.png)

    def requested(self) -> dict:
        """What was asked for beyond the sheet's own settings."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "png" and getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Options:
    out: Path = Path("dist")
    force: bool = False
    templates: Path = TEMPLATES
    print: PrintOptions = field(default_factory=PrintOptions)

"""What a build is asked for: where the outputs go, which templates shape them, and how the PDF is printed.

The papers and ranges are listed here once: the sheet's `print:` format, the command line's choices and the
PDF's page size all read them, and options are checked as they are made, every problem at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Protocol

from .errors import CheatdeckError, Location, Problem

_PACKAGE = Path(__file__).resolve().parent
# Installed, the templates ship inside the package; in a source checkout they sit at the top of the repository.
TEMPLATES = _PACKAGE / "templates" if (_PACKAGE / "templates").is_dir() else _PACKAGE.parent / "templates"
_MM = 72.0 / 2.54 * 0.1  # as ReportLab's units work it out, so a page is the same to the last bit
PAPER_SIZES = {"letter": (612.0, 792.0), "a4": (210 * _MM, 297 * _MM)}
"""Each paper's portrait width and height in points; the PDF prints it landscape."""
PAPERS = tuple(PAPER_SIZES)
PAGES = (1, None)
"""The page budget's range; 2 is one sheet, both sides. It has no top: what bounds it is the sheet, which prints
no more pages than it takes at the theme's largest size, and a sheet that cannot fit is refused with the budget
it would take (pdf/fit.py)."""
COLUMNS = (3, 5)
"""The range of columns per page a sheet or the command line may ask for (the theme's own may be 1 to 8)."""


def _problems(options: object, checks: dict[str, tuple[type, tuple]]) -> list[Problem]:
    """Each field that is set and is not of its type, not among its choices or not within its (low, high); a high of None has no top."""
    problems = []
    for name, (kind, allowed) in checks.items():
        value = getattr(options, name)
        if value is None:
            continue
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            problems.append(f"{name}: expected {kind.__name__}, but received {value!r}")
        elif kind is int and (value < allowed[0] or allowed[1] is not None and value > allowed[1]):
            expected = f"of at least {allowed[0]}" if allowed[1] is None else f"from {allowed[0]} to {allowed[1]}"
            problems.append(f"{name}: expected a whole number {expected}, but received {value!r}")
        elif kind is str and value not in allowed:
            problems.append(f"{name}: expected one of {', '.join(allowed)}, but received {value!r}")
    return [Problem(Location(""), f"invalid option {message}") for message in problems]


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

    def __post_init__(self) -> None:
        problems = _problems(self, {"paper": (str, PAPERS), "pages": (int, PAGES), "columns": (int, COLUMNS),
                                    "grayscale": (bool, ()), "png": (bool, ())})
        if problems:
            raise CheatdeckError(problems)

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
    """Where a build writes (`out`), whether it rebuilds outputs that are up to date (`force`), the templates it
    reads, and how it prints."""

    out: Path = Path("dist")
    force: bool = False
    templates: Path = TEMPLATES
    print: PrintOptions = field(default_factory=PrintOptions)

    def __post_init__(self) -> None:
        for name in ("out", "templates"):
            if isinstance(getattr(self, name), (str, os.PathLike)):
                object.__setattr__(self, name, Path(getattr(self, name)))
        problems = _problems(self, {"out": (Path, ()), "force": (bool, ()), "templates": (Path, ()),
                                    "print": (PrintOptions, ())})
        if not problems and not self.templates.is_dir():
            problems.append(Problem(Location(str(self.templates)), "invalid option templates: no such folder"))
        if problems:
            raise CheatdeckError(problems)

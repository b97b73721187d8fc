"""cheatdeck: one YAML study sheet compiled to Anki decks and a printable cheat sheet.

The build is a pipeline: load (YAML to model) → plan (notes; flowables) →
render (.apkg, .pdf) → write (atomic).

    >>> import cheatdeck
    >>> from pathlib import Path
    >>> result = cheatdeck.build("source/mla-c01.yaml", cheatdeck.Options(out=Path("dist")))

Every function returns a result and prints nothing; a problem in a sheet raises
`CheatdeckError`, whose `problems` list each one with its file, line and column.
"""

__version__ = "0.1.0"

__all__ = ["BuildResult", "CheatdeckError", "CheckResult", "DomainReport", "Focus", "FocusOptions", "FocusSheet",
           "Location", "Options", "PrintOptions", "Problem", "RankedNote", "build", "check", "clean", "focus", "load",
           "removed", "sync", "write_focus"]

from .errors import CheatdeckError, Location, Problem
from .options import Options, PrintOptions
from .pipeline import BuildResult, CheckResult, build, check, clean, removed

# `focus` reads a collection with the Anki engine: loaded only when asked for.
_STUDY = ("DomainReport", "Focus", "FocusOptions", "FocusSheet", "RankedNote", "focus", "write_focus")


def __getattr__(name: str):
    # Loading pulls in the YAML reader and msgspec (markdown-it too, for a sheet with markup); an up-to-date
    # build never needs them.
    if name == "load":
        from .source.compile import load

        return load
    if name == "sync":
        from .collection.driver import sync

        return sync
    if name in _STUDY:
        from . import study

        return getattr(study, name)
    raise AttributeError(f"module 'cheatdeck' has no attribute {name!r}")

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

__all__ = ["BuildResult", "CheatdeckError", "CheckResult", "Location", "Options", "PrintOptions", "Problem",
           "build", "check", "clean", "load", "removed", "sync"]

from .errors import CheatdeckError, Location, Problem
from .options import Options, PrintOptions
from .pipeline import BuildResult, CheckResult, build, check, clean, removed


def __getattr__(name: str):
    # Loading pulls in the YAML reader and msgspec (markdown-it too, for a sheet with markup); an up-to-date
    # build never needs them.
    if name == "load":
        from .source.compile import load

        return load
    if name == "sync":
        from .collection_sync import sync

        return sync
    raise AttributeError(f"module 'cheatdeck' has no attribute {name!r}")

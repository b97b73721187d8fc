"""cheatdeck: one YAML study sheet compiled to Anki decks and a printable cheat sheet.

The build is a pipeline: load (YAML to model) → plan (notes; flowables) →
render (.apkg, .pdf) → write (atomic).

    >>> import cheatdeck
    >>> from pathlib import Path
    >>> result = cheatdeck.build("source/mla-c01.yaml", cheatdeck.Options(out=Path("dist")))

Every function returns a result and prints nothing; a problem in a sheet raises
`CheatdeckError`, whose `problems` list each one with its file, line and column.
"""

from ._version import __version__

__all__ = ["BuildResult", "CheatdeckError", "CheckResult", "Choices", "Cleaned", "DeckDetails", "DomainReport", "Focus",
           "FocusOptions", "FocusSheet", "Location", "Options", "Output", "PdfDetails", "PrintOptions", "Problem",
           "RankedNote", "Removed", "RemovedNote", "Sheet", "SyncResult", "build", "check", "clean", "focus", "load",
           "removed", "sync", "write_focus"]

from .deck.details import DeckDetails
from .errors import CheatdeckError, Location, Problem
from .options import Options, PrintOptions
from .pdf.details import PdfDetails
from .pipeline import BuildResult, CheckResult, Cleaned, Output, Removed, RemovedNote, build, check, clean, removed

# Loaded when first asked for (module, name): loading pulls in the YAML reader and msgspec (markdown-it too,
# for a sheet with markup), sync the Anki engine; an up-to-date build never needs them.
_LATER = {"load": ("source.compile", "load"), "Sheet": ("model", "Sheet"), "sync": ("collection.driver", "sync"),
          "Choices": ("collection.driver", "Choices"), "SyncResult": ("collection.driver", "SyncResult")}

# `focus` reads a collection with the Anki engine: loaded only when asked for.
_LATER.update({name: ("study", name) for name in ("DomainReport", "Focus", "FocusOptions", "FocusSheet",
                                                    "RankedNote", "focus", "write_focus")})


def __getattr__(name: str):
    if name in _LATER:
        import importlib

        module, attribute = _LATER[name]
        return getattr(importlib.import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module 'cheatdeck' has no attribute {name!r}")

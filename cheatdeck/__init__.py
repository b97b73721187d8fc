"""cheatdeck: one YAML study sheet compiled to Anki decks and a printable cheat sheet.

The build is a pipeline: load (YAML to model) → plan (notes; flowables) →
render (.apkg, .pdf) → write (atomic). `cheatdeck.build.build` runs it.
"""

__version__ = "0.1.0"

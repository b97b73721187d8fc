"""cheatdeck's version, in a module of its own so that the package's modules read it without importing its face."""

__version__ = "0.1.0"

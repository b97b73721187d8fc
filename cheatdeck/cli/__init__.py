"""The command line: parse what people type, call the library, print what it returns."""

from .app import cli, main

__all__ = ["cli", "main"]

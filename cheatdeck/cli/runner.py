"""How the command-line process runs: the one place for process policy, off for library callers.

The library (everything outside cli/) leaves the process as it found it: no collector settings, no forks.
A command-line run is a process of its own that builds and exits, so here it may do what only such a
process can (BENCHMARKS.md has what each saves).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable


YOUNGEST = 200_000
"""Objects the collector lets in before it looks at the youngest ones (CPython's default: 700)."""


def collect_rarely() -> None:
    """A build makes many long-lived objects (the model, the notes, the laid-out story) and few cycles, so
    CPython's default thresholds set off full collections that walk them again and again to free nothing.
    As mypy does (with the same 200,000), the command line collects rarely: one call at the process's start,
    which covers `watch` too. A collection walks every young object, so a long build pays about the same at any
    such threshold; a short one (the shipped sheet's cold build makes about 90,000 after this call) ends before
    its first (BENCHMARKS.md)."""
    gc.set_threshold(YOUNGEST, 50, 50)


def run(command: Callable[[], object]) -> None:
    """Run the command line and exit with its code."""
    collect_rarely()
    try:
        command()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BrokenPipeError:
        # The reader (`| head`) left; point stdout at devnull so the exit flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    # Every output is written and closed by now; tearing down the interpreter's objects only costs time.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            code = code or 1
    os._exit(code)

"""ReportLab's paragraph and text-splitting modules, imported with the patterns they compile left until first use.

As they are imported, these two modules compile a case-insensitive pattern for URLs over the whole Basic
Multilingual Plane and a pattern over the CJK ranges. Only ReportLab's hyphenation and its `cjkwrap` use them, and
cheatdeck turns on neither; compiling them took 40 ms of every build that prints, half of ReportLab's import.
Both modules use their patterns only through the patterns' methods, which a deferred pattern hands on to the
pattern it compiles when one is first asked for.
"""

from __future__ import annotations

import re
import sys

_MODULES = ("reportlab.lib.textsplit", "reportlab.platypus.paragraph")
_compile = re.compile


class Deferred:
    """A regular expression compiled when one of its methods is first asked for."""

    __slots__ = ("source", "flags", "_pattern")

    def __init__(self, source: str, flags: int = 0):
        self.source, self.flags, self._pattern = source, flags, None

    def __getattr__(self, name: str):
        if self._pattern is None:
            self._pattern = _compile(self.source, self.flags)
        return getattr(self._pattern, name)


def _deferring(source, flags=0):
    # Only these modules' own patterns: ReportLab checks some patterns elsewhere with isinstance(…, re.Pattern).
    if sys._getframe(1).f_globals.get("__name__") in _MODULES:
        return Deferred(source, flags)
    return _compile(source, flags)


def import_reportlab() -> None:
    """Import the two modules, unless something imported them already."""
    if all(name in sys.modules for name in _MODULES):
        return
    re.compile = _deferring
    try:
        import reportlab.lib.textsplit  # noqa: F401
        import reportlab.platypus.paragraph  # noqa: F401
    finally:
        re.compile = _compile

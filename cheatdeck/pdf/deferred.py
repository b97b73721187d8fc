"""ReportLab's paragraph and text-splitting modules, imported with their patterns compiled when first used.

As they are imported, these two modules compile a case-insensitive pattern for URLs over the whole Basic
Multilingual Plane and a pattern over the CJK ranges, with a few smaller ones. Only ReportLab's hyphenation,
its links and its `cjkwrap` use them, and cheatdeck turns on none of these; compiling them took 40 ms of every
build that prints, half of ReportLab's import. Both modules use their patterns only through the patterns'
methods, which a deferred pattern hands on to the pattern it compiles when one is first asked for.
"""

from __future__ import annotations

import re
import sys

_MODULES = ("reportlab.lib.textsplit", "reportlab.platypus.paragraph")
_compile = re.compile


class Deferred:
    """A regular expression compiled when one of its attributes is first asked for."""

    __slots__ = ("_source", "_flags", "_pattern")

    def __init__(self, source: str, flags: int = 0):
        self._source, self._flags, self._pattern = source, flags, None

    def __getattr__(self, name: str):
        # Only a pattern's own attributes: the slots (unset in a half-built copy) and dunders are not its.
        if name.startswith("__") or name in Deferred.__slots__:
            raise AttributeError(name)
        if self._pattern is None:
            self._pattern = _compile(self._source, self._flags)
        return getattr(self._pattern, name)

    def __reduce__(self):
        """Copied or pickled, it is the compiled pattern."""
        return _compile, (self._source, self._flags)


def _deferring(pattern, flags=0):
    # Only these modules' own patterns: ReportLab checks some patterns elsewhere with isinstance(…, re.Pattern).
    if sys._getframe(1).f_globals.get("__name__") in _MODULES:
        return Deferred(pattern, flags)
    return _compile(pattern, flags)


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

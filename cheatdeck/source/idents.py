"""Identity from text in any script: what an item is called when the author gives it no `id:`.

An id keeps the letters, digits and combining marks of every script, case folded and in NFKC form, so that
`ΔG` is `δg`, `H₂O` is `h2o` and `今日` stays `今日`. Everything else separates words with one hyphen.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 64
# Variation selectors pick a glyph's presentation (⚗ or ⚗️): the same key either way.
_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", _SELECTORS.sub("", text)).casefold())


def _words(text: str) -> str:
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else "-" for c in text)
    return re.sub(r"-+", "-", kept).strip("-")[:MAX_LENGTH].strip("-")


_NOT_ASCII_WORD = re.compile(r"[^0-9a-z]+")
_ASCII_ID = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


def derive(text: str) -> str:
    """The id of a key. A key of symbols only (`🧪`, `→`) is named by its characters' Unicode names, so that
    no text with something printable in it gets an empty id."""
    if text.isascii():
        # ASCII folds to lowercase, and its letters and digits are all it keeps: the same id, without the
        # per-character look-ups. Most keys are words and numbers between spaces and hyphens: joined as the
        # pattern would join them, without it.
        lowered = text.lower()
        if lowered.replace(" ", "").replace("-", "").isalnum():
            ident = "-".join(lowered.replace("-", " ").split())[:MAX_LENGTH].strip("-")
        else:
            ident = _NOT_ASCII_WORD.sub("-", lowered).strip("-")[:MAX_LENGTH].strip("-")
        if ident:
            return ident
    folded = _fold(text)
    return _words(folded) or _words(" ".join(unicodedata.name(c, f"u{ord(c):04x}").lower()
                                             for c in folded if not c.isspace()))


def fault(ident: str) -> str | None:
    """What is wrong with an id the author wrote (beyond the schema's ASCII rules), or None."""
    if _ASCII_ID.fullmatch(ident):
        return None  # lowercase ASCII words are folded and whole already: no look-up per character
    if _fold(ident) != ident:
        return f"ids are lowercase, in Unicode's compatible form: write {derive(ident)!r}"
    if any(_words(part) != part for part in ident.split("-")):
        return f"an id holds letters and digits only, joined by single hyphens: write {derive(ident)!r}"
    return None

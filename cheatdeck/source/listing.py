"""How a text lists items: "S3, Athena, Redshift" or "Pending → Approved → Rejected".

The card lint calls such an answer an enumeration, and `cards: cloze` makes a card of each item. Only
separators outside brackets, code and formulas count: "Fairness changes (DPPL, DI, CI)" is one item.
"""

from __future__ import annotations

import re

SEPARATORS = (", ", "; ", " \u2192 ", " -> ", " > ")
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")
_QUOTES = frozenset("`$")
# What can change the reading: a quote, a bracket or a separator. The text between them is skipped in one step,
# so a text without any (most answers) is read in one search.
_MARKS = re.compile("[" + re.escape("".join(sorted(_QUOTES | _OPEN | _CLOSE))) + "]|"
                    + "|".join(map(re.escape, SEPARATORS)))


def items(source: str) -> list[str]:
    """The items the text lists, as written (markup kept), or the whole text as its one item."""
    return [item for item, _ in parts(source)]


def parts(source: str) -> list[tuple[str, str]]:
    """Each item with the separator that follows it ("" after the last), so that the list can be rejoined."""
    out, start, depth, quote = [], 0, 0, ""
    # No separator holds a quote or a bracket, so one skipped inside code or brackets hides neither.
    for mark in _MARKS.finditer(source):
        token = mark.group()
        if quote:
            quote = "" if token == quote else quote
        elif token in _QUOTES:
            quote = token
        elif token in _OPEN:
            depth += 1
        elif token in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            if source[start:mark.start()].strip():
                out.append((source[start:mark.start()].strip(), token))
            start = mark.end()
    if source[start:].strip():
        out.append((source[start:].strip(), ""))
    elif out:
        out[-1] = (out[-1][0], "")
    return out

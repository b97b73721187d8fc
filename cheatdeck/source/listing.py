"""How a text lists items: "S3, Athena, Redshift" or "Pending → Approved → Rejected".

The card lint calls such an answer an enumeration, and `cards: cloze` makes a card of each item. Only
separators outside brackets, code and formulas count: "Fairness changes (DPPL, DI, CI)" is one item. A text
lists its items with one kind of separator, the strongest it uses (a semicolon, then an arrow, then " > ", then
a comma): "Ingest, clean → Train" is two steps, and the comma stays inside the first. " > " before a number
compares ("ΔEN > 1,7"), so it separates nothing.
"""

from __future__ import annotations

import re

SEPARATORS = (", ", "; ", " \u2192 ", " -> ", " > ")
_STRENGTH = {"; ": 0, " \u2192 ": 1, " -> ": 1, " > ": 2, ", ": 3}
"""Which separator makes a text's listing when it uses several: the lowest here; the two arrows are one kind."""
_COMPARISON = re.compile(r" > [-+\u2212]?\d")
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
    separators = _separators(source)
    strongest = min((_STRENGTH[mark.group()] for mark in separators), default=None)
    out, start = [], 0
    for mark in separators:
        if _STRENGTH[mark.group()] == strongest:
            if source[start:mark.start()].strip():
                out.append((source[start:mark.start()].strip(), mark.group()))
            start = mark.end()
    if source[start:].strip():
        out.append((source[start:].strip(), ""))
    elif out:
        out[-1] = (out[-1][0], "")
    return out


def _separators(source: str) -> list[re.Match]:
    """The separators outside brackets, code and formulas, comparisons left out."""
    out, depth, quote = [], 0, ""
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
        elif depth == 0 and not (token == " > " and _COMPARISON.match(source, mark.start())):
            out.append(mark)
    return out

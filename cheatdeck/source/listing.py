"""How a text lists items: "S3, Athena, Redshift" or "Pending → Approved → Rejected".

The card lint calls such an answer an enumeration, and `cards: cloze` makes a card of each item. Only
separators outside brackets, code and formulas count: "Fairness changes (DPPL, DI, CI)" is one item.
"""

from __future__ import annotations

SEPARATORS = (", ", "; ", " \u2192 ", " -> ", " > ")
_OPEN, _CLOSE = "([{", ")]}"
_QUOTES = "`$"


def items(source: str) -> list[str]:
    """The items the text lists, as written (markup kept), or the whole text as its one item."""
    return [item for item, _ in parts(source)]


def parts(source: str) -> list[tuple[str, str]]:
    """Each item with the separator that follows it ("" after the last), so that the list can be rejoined."""
    out, start, depth, quote, i = [], 0, 0, "", 0
    while i < len(source):
        char = source[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in _QUOTES:
            quote = char
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and (sep := next((s for s in SEPARATORS if source.startswith(s, i)), None)):
            if source[start:i].strip():
                out.append((source[start:i].strip(), sep))
            i += len(sep)
            start = i
            continue
        i += 1
    if source[start:].strip():
        out.append((source[start:].strip(), ""))
    elif out:
        out[-1] = (out[-1][0], "")
    return out

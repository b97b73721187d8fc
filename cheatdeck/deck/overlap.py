"""How card texts compare: the words a learner reads, and when two texts say the same thing.

Identifiers count as the words they are made of (`OnlineStoreConfig` reads as
"online store config"), and a plural counts as its singular, so that a key
hidden inside an identifier or an answer is still found.
"""

from __future__ import annotations

import functools
import re
from sys import intern

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_HAS_CAMEL = re.compile(r"[A-Z](?:(?<=[a-z0-9][A-Z])|(?<=[A-Z]{2})(?=[a-z]))")
"""Where _CAMEL would split, found from its capital: a pattern that starts with one class of letters is looked
for by a scan of the text in C, where the two-branch pattern was tried at every position (3-4 times slower on
a front of a few words, most of the time `words` spent)."""
_WORD = re.compile(r"[^\W_]+")
_ASCII_GAPS = bytes(ord(chr(byte).lower()) if byte < 128 and chr(byte).isalnum() else ord(" ") for byte in range(256))
"""Each ASCII letter lower-cased, and each byte that is not a letter or a digit as a space: in ASCII text these
are where `_WORD` splits, and one pass of `bytes.translate` folds the case too."""
_PLURAL = re.compile(r"s(?![a-z0-9])(?<=[a-z0-9]{2}[a-rt-z0-9]s)")
"""In a blanked ASCII text (lower-case letters and digits between spaces), the final "s" of a word of more than
three characters that does not end in "ss": the plural `words` makes singular, in one scan of the text in C
(a loop in Python over each word of a text that has one took an eighth of `words` on such a text)."""
_TYPOGRAPHY = "\u2014\u2013\u2026\u2192\u2018\u2019\u201c\u201d\u00b7\u00a0"
"""Dashes, ellipsis, arrow, curly quotes, middle dot, no-break space: what a card's front adds to ASCII words."""
SHORT_ANSWER = 8


@functools.lru_cache(maxsize=1 << 16)
def words(text: str) -> tuple[str, ...]:
    # Most texts have no camelCase word to split; one all in lower case has none (`islower` makes no copy).
    if not text.islower() and _HAS_CAMEL.search(text):
        text = _CAMEL.sub(" ", text)
    if not text.isascii():
        # Typography is no part of a word: a text that is ASCII but for it reads as an ASCII text.
        for mark in _TYPOGRAPHY:
            text = text.replace(mark, " ")
    if text.isascii():
        # ASCII case-folds as `lower`, and blanked of all but letters and digits it splits where `_WORD` does:
        # several times faster than the Unicode pattern, and most texts are ASCII.
        blank = text.encode().translate(_ASCII_GAPS).decode()
        if "s " in blank or blank.endswith("s"):
            blank = _PLURAL.sub("", blank)
        return tuple(map(intern, blank.split()))
    return tuple([intern(word[:-1] if len(word) > 3 and word[-1] == "s" and word[-2] != "s" else word)
                  for word in map(str.casefold, _WORD.findall(text))])


_LINES = _ASCII_GAPS[:10] + b"\n" + _ASCII_GAPS[11:]
"""`_ASCII_GAPS` that keeps the line breaks: texts joined by them are blanked in one pass and split apart again."""


def words_of(texts: list[str]) -> list[tuple[str, ...]]:
    """`words` of each text, equal to its own: the ASCII texts blanked and split as one string, joined by line
    breaks (no pattern or mapping here reaches across one), a few times faster than a call per text."""
    blob = "\n".join(texts)
    if blob.count("\n") != len(texts) - 1:
        return [words(text) for text in texts]
    if not blob.islower() and _HAS_CAMEL.search(blob):
        blob = _CAMEL.sub(" ", blob)
    foreign = []
    if not blob.isascii():
        for mark in _TYPOGRAPHY:
            blob = blob.replace(mark, " ")
        if not blob.isascii():
            lines = blob.split("\n")
            foreign = [index for index, line in enumerate(lines) if not line.isascii()]
            blob = "\n".join(["" if not line.isascii() else line for line in lines])
    blank = _PLURAL.sub("", blob.encode().translate(_LINES).decode())
    said = [tuple(map(intern, line.split())) for line in blank.split("\n")]
    for index in foreign:
        said[index] = words(texts[index])
    return said


def count(text: str) -> int:
    """Words as a reader counts them: whitespace-separated."""
    return len(text.split())


def contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """The needle's words appear in the haystack, in order and next to each other."""
    if not needle:
        return False
    n, first, start = len(needle), needle[0], 0
    # Only where the needle's first word stands can it begin; most haystacks lack it, told without the exception
    # that `index` raises.
    if first not in haystack:
        return False
    try:
        while True:
            start = haystack.index(first, start)
            if haystack[start:start + n] == needle:
                return True
            start += 1
    except ValueError:
        return False


def similar(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Jaccard similarity of the two texts' words."""
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def same_answer(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether a learner shown one answer could fairly give the other: equal, or a short one inside the other."""
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = sorted((set(a), set(b)), key=len)
    return max(len(a), len(b)) <= SHORT_ANSWER and shorter <= longer


def key_in_answer(key: tuple[str, ...], answer: tuple[str, ...]) -> bool:
    """At least half of the key's words show in the answer, so the answer gives the key away."""
    named = set(key)
    return bool(named) and 2 * len(named & set(answer)) >= len(named)

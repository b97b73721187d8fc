"""What the rules read of a card's text: its content words (function words set aside) and their stems."""

from __future__ import annotations

import functools
import re

from ..overlap import words

STOPWORDS = frozenset("""
a an the and or but nor not no of to in on at by for from with without as into onto over under than then
is are was were be been being do does did done have has had can could should would will shall may might must
it its this that these those there their them they he she we you your our i me my what which who whom whose
when where why how each every any all some both either neither same other another more most less only
also just so very such too up out off per via vs if else about after before between through during while
""".split())
_SUFFIX = re.compile(r"(?:ations?|ings?|ers?|ed|ion|ions|al|ly|ies|es)$")
MIN_STEM = 5


def content(text: str) -> frozenset[str]:
    """The words that carry the meaning: no function words, no single letters."""
    return frozenset(w for w in words(text) if w not in STOPWORDS and len(w) > 1)


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A word without its common English ending ("processing" → "process"), if enough of it is left."""
    short = _SUFFIX.sub("", word)
    return short if len(short) >= MIN_STEM else word


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """How much the two sets share, against the larger: both say mostly the same."""
    large = max(len(a), len(b))
    return len(a & b) / large if large else 0.0


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """How much of the smaller set the other holds: 1.0 when one says all the other does."""
    small = min(len(a), len(b))
    return len(a & b) / small if small else 0.0

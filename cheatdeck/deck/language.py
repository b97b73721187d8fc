"""Which language a sheet is in: its cards ask in English words of their own ("Which metric?") unless the sheet
says another language (`said_english`), and the lint's rules that read English grammar (yes-no's auxiliaries)
apply only where it is English, said or read (`english`).

A sheet says its language with `language:`. Where it does not, its own text does: the texts as the author wrote
them, in document order. Each language has words it uses all the time that are not words of the others; the
sheet is English unless another language's such words outnumber English's. A sheet of bare terms, with none of
them, stays English, as every sheet was read before. The cards' wording follows only what a sheet says: a guess
that changed it would rewrite a deck's notes on a new version, and an English sheet teaching German nouns ("der
Hund") reads as German.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import Sheet

ENGLISH = "the of and to is are which what who does how why when with for from this that these not".split()
OTHERS = (
    "der das dem des ein eine einen einer und ist sind nicht mit für von zu auf bei wie welche welcher welches "
    "wer wo warum gibt oder wird werden auch sich",  # German
    "le la les des une est sont et du pour avec dans qui que quel quelle quels ne pas sur au aux",  # French
    "el la los las una es del para con que qué cuál por como cómo se",  # Spanish
    "il gli le una è sono del della che quale si dei",  # Italian
    "os uma é são da para que qual como não se ao dos das",  # Portuguese
    "het een en zijn niet met voor van welke wat wie hoe waarom bij ook",  # Dutch
)
"""Words each language uses all the time. None is an English word too ("die", "was", "per", "son" are left
out): a German "Was gibt …?" must not count for English, nor an English "per" for Italian."""
READ = 100_000
"""Characters of the sheet read, at most: the first items say which language a sheet is in."""
_WORD = re.compile(r"\w+")


def said_english(sheet: Sheet) -> bool:
    """The sheet says English, or no language."""
    return sheet.language is None or sheet.language.split("-")[0].casefold() == "en"


def english(sheet: Sheet) -> bool:
    """The sheet says English, or says no language and its own text reads as English or as no language at all."""
    if sheet.language is not None:
        return said_english(sheet)
    parts, read = [], 0
    for text in sheet.texts():
        parts.append(text.source)
        read += len(text.source)
        if read > READ:
            break
    said = Counter(_WORD.findall("\n".join(parts).casefold()))
    ours = sum(map(said.__getitem__, ENGLISH))
    return all(sum(map(said.__getitem__, other.split())) <= ours for other in OTHERS)

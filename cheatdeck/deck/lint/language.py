"""Whether a sheet is written in English, for the rules that read English grammar (yes-no's auxiliaries).

A sheet does not say its language, so its own text does: the items as the author wrote them (not the fronts
cheatdeck composes). Each language has words it uses all the time that are not words of the others; the sheet
is English unless another language's such words outnumber English's. A sheet of bare terms, with none of them,
stays English, as every sheet was read before.
"""

from __future__ import annotations

import re
from collections import Counter

from ..plan import Plan

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


def english(plan: Plan) -> bool:
    """The sheet's own text reads as English, or as no language at all."""
    parts, read = [], 0
    for note in plan.notes:
        parts += note.words
        read += sum(map(len, note.words))
        if read > READ:
            break
    said = Counter(_WORD.findall("\n".join(parts).casefold()))
    ours = sum(map(said.__getitem__, ENGLISH))
    return all(sum(map(said.__getitem__, other.split())) <= ours for other in OTHERS)

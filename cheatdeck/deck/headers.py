"""Whether a table column's header, asked as a question ("which parameter?"), fits each row's cell.

A header fits the cells that are the same kind of thing as most of the column: in a column of setting names
(`OutputDataConfig.KmsKeyId`) the cell "KMS encryption on log group" is a sentence, not a parameter, and
"Resource: CloudWatch logs, which parameter?" has no right answer. The kind of a cell is read from its shape
(rules as data below); the lint's header-question rule reports the misfits, and the planned front asks
"which <header>?" only where the header fits.
"""

from __future__ import annotations

import functools
import re

from .. import scripts
from ..model import Table, Text

KINDS = (
    # OutputDataConfig.KmsKeyId, max_depth, EnableInterContainerTraffic, camelCase; not a name like XGBoost
    ("identifier", re.compile(r"^(?=\S+$)(?:\S*[._=]\w|[a-z]+[A-Z]|(?:\S*?[a-z0-9][A-Z]){2})")),
    ("quantity", re.compile(r"^[~<>≤≥]?\d")),                               # 6 MB, 90%, 0.8
    ("words", re.compile(r".")),
)
MAJORITY = 0.6
MIN_CELLS = 3
NOT_A_NOUN = frozenset("for to of in on at by with from as about per vs".split())
"""A header ending in one of these ("Best For") does not read as "which <header>?"."""


def kind(cell: str) -> str:
    return next(name for name, pattern in KINDS if pattern.search(cell.strip()))


def misfits(table: Table, column: int) -> frozenset[int]:
    """The rows (by index) whose cell in `column` is not the kind of thing most of the column is."""
    return _misfits(tuple(row.cells[column].plain for row in table.rows if len(row.cells) > column))


@functools.lru_cache(maxsize=1 << 14)
def _misfits(cells: tuple[str, ...]) -> frozenset[int]:
    """`misfits` of a column's cells. Both the plan (which question each row's card asks) and the lint's
    header-question rule read every column, one after the other: the second finds the first's answer here. The
    cache holds twice the columns of a 50,000-fact synthetic sheet: a scan of more would evict each column
    before the second scan reached it."""
    kinds = [kind(cell) for cell in cells]
    common = max(set(kinds), key=kinds.count, default=None)
    if common is None or len(cells) < MIN_CELLS or kinds.count(common) < MAJORITY * len(cells):
        return frozenset()
    return frozenset(i for i, k in enumerate(kinds) if k != common)


def as_asked(header: str) -> str:
    """The header inside a question: "Use Case" → "use case", while "KMS key" and "SHAP" keep their capitals."""
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in header.split())


def reads_as_noun(header: str) -> bool:
    """Whether "which <header>?" is a question: the header names a thing, not a relation ("Best For")."""
    last = header.split()[-1].casefold() if header.split() else ""
    return last.isalpha() and last not in NOT_A_NOUN


def question_mark(text: str) -> str:
    """The question mark after `text` (plain): after Chinese or Japanese their fullwidth one (作用？)."""
    return "\uff1f" if scripts.solid(text[-1:]) else "?"


OPENING_MARKS = {"es": "\u00bf", "ast": "\u00bf"}
"""The mark a question opens with, by language (BCP 47's first part): Spanish and Asturian (¿Máscara?)."""


def as_written(text: Text, language: str | None) -> tuple[str, str]:
    """`text` asked as it is written (HTML, plain): its script's question mark after it and, in a language whose
    questions open with a mark, that mark before it; a header that is a question already ("¿Cuándo?") as it is."""
    plain = text.plain.strip()
    opening = OPENING_MARKS.get((language or "").split("-")[0].casefold(), "")
    opening = "" if plain.startswith(opening) else opening
    mark = "" if plain.endswith(("?", "\uff1f")) else question_mark(plain)
    return f"{opening}{text.html}{mark}", f"{opening}{text.plain}{mark}"


def question(header: str, english: bool) -> str | None:
    """The plain question a card asks of a column: "which <header>?" in an English sheet, where the header
    reads as a noun; None where the card asks the header as written ("Membranen?"). Another language's
    nouns and question words are not ours to guess: German keeps its capitals, Spanish's "Yo" is no noun."""
    return f"which {as_asked(header)}?" if english and reads_as_noun(header) else None

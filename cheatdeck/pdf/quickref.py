"""What the printed quick reference keeps: every row (`full`), or in `compact` only what the sheet does not
already say. A compact row keeps its decision rule (the last column) but drops a facts cell (the columns
between) whose words the sheet's sections already state, and the whole row when a trap prints its rule."""

from __future__ import annotations

from ..deck.overlap import words
from ..model import QuickReference, QuickRow, Section, Sheet, Text

MODES = ("full", "compact", "none")
# A facts cell is said already when one section holds this share of its words ...
SAID = 0.75
# ... and a rule when one trap holds this share of its words.
TRAPPED = 0.8
# Words too common to tell one statement from another.
COMMON = frozenset("a an and are as at be by can do for from in is it no not of on or the to use with".split())

# A row as printed: its row, and its detail cells (every column but the first), None where dropped.
Printed = tuple[QuickRow, tuple[Text | None, ...]]


def _content(text: Text) -> set[str]:
    return {w for w in words(text.plain) if w not in COMMON}


def _section_words(section: Section) -> set[str]:
    out: set[str] = set()
    for fact in section.facts:
        out |= _content(fact.text)
    if section.table:
        for row in (section.table.columns, *(r.cells for r in section.table.rows)):
            for cell in row:
                out |= _content(cell)
    for trap in section.traps:
        out |= _content(trap.text)
    return out


class _Holders:
    """Which of some statements hold each word, so that the statements that may hold a share of a set's words are
    found from its rarest words alone: a sheet's rows are checked in time that follows the sheet, not its square."""

    def __init__(self, statements: list[set[str]]):
        self.statements = statements
        self.holders: dict[str, list[int]] = {}
        for index, statement in enumerate(statements):
            for word in statement:
                self.holders.setdefault(word, []).append(index)

    def hold(self, said: set[str], share: float) -> bool:
        """Whether one statement holds at least `share` of `said` (an empty `said` is held: nothing to add)."""
        if not said:
            return True
        need = next(count for count in range(len(said) + 1) if count / len(said) >= share)
        if need == 0:
            return True
        # A statement holding `need` of the words holds one of any len(said) - need + 1 of them: the rarest.
        rarest = sorted(said, key=lambda word: len(self.holders.get(word, ())))[:len(said) - need + 1]
        candidates = {index for word in rarest for index in self.holders.get(word, ())}
        return any(len(said & self.statements[index]) >= need for index in candidates)


def printed_rows(sheet: Sheet, mode: str) -> list[Printed]:
    quick: QuickReference | None = sheet.quick_reference
    if quick is None or mode == "none":
        return []
    rows = [(row, tuple(row.cells[1:])) for row in quick.rows]
    if mode == "full":
        return rows
    sections = _Holders([_section_words(s) for d in sheet.domains for s in d.sections])
    traps = _Holders([_content(t.text) for d in sheet.domains for s in d.sections for t in s.traps])
    out = []
    for row, cells in rows:
        if traps.hold(_content(cells[-1]), TRAPPED):
            continue
        facts = tuple(None if sections.hold(_content(c), SAID) else c for c in cells[:-1])
        out.append((row, (*facts, cells[-1])))
    return out

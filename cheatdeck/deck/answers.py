"""Every answer a sheet gives, found again by its words.

A reverse card shows an answer and asks for its key, so that answer must belong to one item only. Comparing each
reverse card with every answer is quadratic, and a glossary of a few thousand terms with `cards: both` would
spend minutes there. The index finds the same first match as that comparison (`overlap.same_answer`, in the
sheet's order) from a few candidates: answers with the same words, and short answers sharing the rarest word.
"""

from __future__ import annotations

from collections import defaultdict

from ..errors import Location
from ..model import Sheet, Text
from .overlap import SHORT_ANSWER, same_answer, words


class Answers:
    def __init__(self, sheet: Sheet):
        self.entries = _answers(sheet)
        self.said = [words(text.plain) for text, _ in self.entries]
        self.exact: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.holding: dict[str, list[int]] = defaultdict(list)
        """word → the short answers that hold it: a short answer's supersets all hold its rarest word."""
        for i, said in enumerate(self.said):
            self.exact[said].append(i)
            if said and len(said) <= SHORT_ANSWER:
                for word in set(said):
                    self.holding[word].append(i)
        self.keyed: dict[str, list[int]] = defaultdict(list)
        """rarest word → the short answers filed under it: a short answer's subsets are filed under its words."""
        for i, said in enumerate(self.said):
            if said and len(said) <= SHORT_ANSWER:
                self.keyed[self._rarest(said)].append(i)

    def _rarest(self, said: tuple[str, ...]) -> str:
        return min(set(said), key=lambda word: (len(self.holding.get(word, ())), word))

    def other(self, answer: Text) -> Location | None:
        """Where another item gives the same answer as `answer` (the first in the sheet's order), if one does."""
        said = words(answer.plain)
        if not said:
            return None
        candidates = set(self.exact.get(said, ()))
        if len(said) <= SHORT_ANSWER:
            candidates.update(self.holding.get(self._rarest(said), ()))
            for word in set(said):
                candidates.update(self.keyed.get(word, ()))
        for i in sorted(candidates):
            if self.entries[i][0] is not answer and same_answer(said, self.said[i]):
                return self.entries[i][1]
        return None


def _answers(sheet: Sheet) -> list[tuple[Text, Location]]:
    """Every answer the sheet gives, carded or not."""
    out = []
    for domain in sheet.domains:
        for section in domain.sections:
            out += [(fact.answer or fact.text, fact.loc) for fact in section.facts]
            if section.table:
                out += [(cell, row.loc) for row in section.table.rows for cell in row.cells[1:]]
    if sheet.quick_reference:
        out += [(cell, row.loc) for row in sheet.quick_reference.rows for cell in row.cells[1:]]
    return out

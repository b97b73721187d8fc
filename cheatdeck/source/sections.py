"""What the last build of a sheet made of each section, kept between saves (`watch`): a section whose source text
is the same as at the last load keeps the records that load built, and the notes the plan made of them. Only its
anchor (model.Anchor) moves, to where the section now starts, so its positions stay right when lines are
inserted or removed above it. What a load or a plan makes with this equals what they make without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import model

if TYPE_CHECKING:
    from ..deck.plan import Note
    from ..deck.stamps import Kept as Stamped

Key = tuple[str, bool]
"""A section's source text (reader.Positions.sections) and the `reverse` it inherits."""


@dataclass
class Kept:
    """A section `watch` keeps from the last load while its text is unchanged."""

    section: model.Section
    claims: tuple[tuple, ...]
    """The identities it claimed (compile._Builder.claim's arguments), claimed again when it is kept, so that a
    duplicate of one of them in a changed section is still found."""
    spec: object
    """Its data as validated (format.SectionSpec): what the reader puts in its place (reader.Kept)."""
    nodes: tuple
    """Its nodes, as reader.kept_nodes holds them."""
    line: int
    """Its first line (from 0) in the text it was read from."""


class Sections:
    """Per sheet file, its sections as the last load made them; per section record, the notes the last plan made
    of it; the stamps the last build gave the notes, and its lock. Each holds only what the last build of each
    sheet made."""

    def __init__(self) -> None:
        self.loaded: dict[str, dict[Key, Kept | None]] = {}
        self.read: dict[str, bytes] = {}
        """Each sheet's bytes as last loaded."""
        self.planned: dict[str, dict[int, tuple[model.Section, tuple, list[Note]]]] = {}
        """Per sheet file, by the id of each section record, the record, what its notes took from outside it, and
        the notes."""
        self.glossed: dict[str, tuple[dict, dict[int, tuple[Note, Note]]]] = {}
        """Per sheet file, the glossary the last plan spelled its notes out with, and by the id of each planned
        note, the note and what the glossary made of it."""
        self.stamps: dict[str, Stamped] = {}
        """Per sheet file, each note's stamp as the last build gave it (deck.stamps.Kept)."""
        self.locks: dict[str, tuple[bytes | bytearray | None, dict]] = {}
        """Per sheet file, its lock as the last build read or wrote it: the bytes, and what they hold."""

    def loading(self, file: str) -> Loading:
        return Loading(self, file, self.loaded.get(file, {}))

    def notes(self, sheet: model.Sheet, section: model.Section, context: tuple) -> list[Note] | None:
        """The notes the last plan of the sheet made of this very record, in the same context; None if it made
        none."""
        entry = self.planned.get(str(sheet.source), {}).get(id(section))
        return entry[2] if entry is not None and entry[0] is section and entry[1] == context else None


class Loading:
    """One load's use of the kept sections: each is taken at most once, and what this load makes replaces them
    when it ends."""

    def __init__(self, sections: Sections, file: str, kept: dict[Key, Kept | None]):
        self.sections, self.file = sections, file
        self.kept = dict(kept)
        self.made: dict[Key, Kept | None] = {}

    def stand_ins(self, raw: bytes) -> dict[int, tuple]:
        """The kept sections for the reader (reader.Kept), by the line each starts on in `raw` if unchanged: those
        wholly before the first byte that differs from the last load's bytes, or wholly after the last. (A section
        kept with another `reverse` is built again: compile's `_Reread`.)"""
        before = self.sections.read.get(self.file)
        if before is None:
            return {}
        head = _common(before, raw)
        tail = _common(before[::-1], raw[::-1], min(len(before), len(raw)) - head)
        whole = raw.count(b"\n", 0, head)  # the lines before it are whole in the common head
        old_tail, new_tail = _first_whole(before, len(before) - tail), _first_whole(raw, len(raw) - tail)
        found = {}
        for (text, _), entry in self.kept.items():
            if entry.line + text.count("\n") <= whole:
                found[entry.line] = (text, entry.spec, *entry.nodes)
            elif entry.line >= old_tail:
                found[entry.line - old_tail + new_tail] = (text, entry.spec, *entry.nodes)
        return found

    def take(self, key: Key) -> Kept | None:
        return self.kept.pop(key, None)

    def keep(self, key: Key, entry: Kept) -> None:
        # Two sections of the same text (each with its own anchor) cannot share one record: neither is kept.
        self.made[key] = None if key in self.made else entry

    def done(self, raw: bytes) -> None:
        self.sections.loaded[self.file] = {key: entry for key, entry in self.made.items() if entry is not None}
        self.sections.read[self.file] = raw


def _common(a: bytes, b: bytes, most: int | None = None) -> int:
    """How many bytes `a` and `b` start with in common (at most `most`)."""
    most = min(len(a), len(b)) if most is None else most
    at, step = 0, 1 << 16
    while at + step <= most and a[at:at + step] == b[at:at + step]:
        at += step
    low, high = at, min(at + step, most)
    while low < high:
        middle = (low + high + 1) // 2
        if a[at:middle] == b[at:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _first_whole(data: bytes, start: int) -> int:
    """The first line (from 0) that starts at or after byte `start`."""
    line = data.count(b"\n", 0, start)
    return line if start == 0 or data[start - 1:start] == b"\n" else line + 1

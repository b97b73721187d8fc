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

Key = tuple[str, bool]
"""A section's source text (reader.Positions.sections) and the `reverse` it inherits."""


@dataclass
class Kept:
    section: model.Section
    claims: tuple[tuple, ...]
    """The identities it claimed (compile._Builder.claim's arguments), claimed again when it is kept, so that a
    duplicate of one of them in a changed section is still found."""
    spec: object
    """Its data as validated (format.SectionSpec): what the reader puts in its place (reader.Kept)."""
    nodes: tuple
    """Its nodes, as reader.kept_nodes holds them."""


class Sections:
    """Per sheet file, its sections as the last load made them; per section record, the notes the last plan made
    of it. Both hold only what the last load and plan of each sheet made."""

    def __init__(self) -> None:
        self.loaded: dict[str, dict[Key, Kept | None]] = {}
        self.planned: dict[int, tuple[model.Section, tuple, list[Note]]] = {}

    def loading(self, file: str) -> Loading:
        return Loading(self, file, self.loaded.get(file, {}))

    def notes(self, section: model.Section, context: tuple) -> list[Note] | None:
        """The notes the last plan made of this very record, in the same context; None if it made none."""
        entry = self.planned.get(id(section))
        return entry[2] if entry is not None and entry[0] is section and entry[1] == context else None


class Loading:
    """One load's use of the kept sections: each is taken at most once, and what this load makes replaces them
    when it ends."""

    def __init__(self, sections: Sections, file: str, kept: dict[Key, Kept | None]):
        self.sections, self.file = sections, file
        self.kept = dict(kept)
        self.made: dict[Key, Kept | None] = {}

    def texts(self) -> dict[str, tuple]:
        """The kept sections for the reader (reader.Kept), by their text alone: a section kept with another
        `reverse` is built again (compile's `_Reread`)."""
        return {key[0]: (entry.spec, *entry.nodes) for key, entry in self.kept.items() if entry is not None}

    def take(self, key: Key) -> Kept | None:
        entry = self.kept.pop(key, None)
        if entry is not None:
            self.keep(key, entry)
        return entry

    def keep(self, key: Key, entry: Kept) -> None:
        # Two sections of the same text (each with its own anchor) cannot share one record: neither is kept.
        self.made[key] = None if key in self.made else entry

    def done(self) -> None:
        self.sections.loaded[self.file] = {key: entry for key, entry in self.made.items() if entry is not None}

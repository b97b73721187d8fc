"""Each note's two hashes (`Note.digest`, `Note.content`), which stamping needs of every note, kept by `watch`
between its builds: after an edit, only the notes it changed are hashed again.

They are kept by what they hash (the note's kind, fields and tags; its kind and words): a note that did not
change is found whatever became of its neighbours, and a note that did is a new key. Only the last build's are
kept, so the memo holds one sheet's notes at most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .plan import Note


class NoteHashes:
    """A build without a memo hashes every note (`Note.digest`, `Note.content`); `KeptHashes` keeps them."""

    def digest(self, note: Note) -> str:
        return note.digest

    def content(self, note: Note) -> str:
        return note.content

    def keep(self) -> None:
        """The build is stamped: what it hashed is what the next build may reuse."""


class KeptHashes(NoteHashes):
    def __init__(self) -> None:
        self._digests: dict[tuple, str] = {}
        self._contents: dict[tuple, str] = {}
        self._last: tuple[dict[tuple, str], dict[tuple, str]] = ({}, {})

    def digest(self, note: Note) -> str:
        key = (note.kind, note.own, note.tags)
        found = self._digests.get(key) or self._last[0].get(key) or note.digest
        self._digests[key] = found
        return found

    def content(self, note: Note) -> str:
        key = (note.kind, note.words)
        found = self._contents.get(key) or self._last[1].get(key) or note.content
        self._contents[key] = found
        return found

    def keep(self) -> None:
        self._last = (self._digests, self._contents)
        self._digests, self._contents = {}, {}

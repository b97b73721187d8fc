"""When the server answers that a normal sync cannot merge the two sides: which side would be replaced, what
the user would lose, and whether they said to go on.

A full sync is never silent. The one kind taken without asking is a download into cheatdeck's own phone
collection while it holds no cards (its first run): nothing is there to lose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import CheatdeckError
from .failures import server_name

CHOICES = ("download", "upload")


@dataclass(frozen=True)
class Unsent:
    """What the local collection changed since its last sync, which a download would throw away."""

    notes: int
    cards: int
    reviews: int

    @classmethod
    def read(cls, col) -> Unsent:
        return cls(*(col.db.scalar(f"SELECT count() FROM {table} WHERE usn = -1")
                     for table in ("notes", "cards", "revlog")))

    def __str__(self) -> str:
        return f"{self.notes} notes, {self.cards} cards and {self.reviews} reviews not yet sent"


class FullSyncNeeded(CheatdeckError):
    """The server wants a full sync the user has not chosen; the message says which side and what is lost."""


def choose(required: int, wanted: str | None, own_empty: bool, collection: Path, endpoint: str | None,
           unsent: Unsent, applied: bool) -> str:
    """'download' or 'upload' for a full sync the server requires, or FullSyncNeeded explaining the choice."""
    from anki.sync import SyncOutput

    can_upload = required != SyncOutput.FULL_DOWNLOAD
    can_download = required != SyncOutput.FULL_UPLOAD
    if wanted is None and own_empty and can_download:
        return "download"
    if wanted == "download" and can_download or wanted == "upload" and can_upload:
        return wanted
    server = server_name(endpoint)
    lines = [f"{server} needs a full sync with {collection}: one side must replace the other, "
             f"because {_reason(required)}."]
    if can_download:
        lines.append(f"  --full-sync download: {server}'s copy replaces {collection}; lost: what it changed "
                     f"since its last sync ({unsent}).")
    if can_upload:
        lines.append(f"  --full-sync upload: {collection} replaces {server}'s copy, after a backup of it; lost: "
                     f"what your other devices sent to {server} since this collection last synced; each of them "
                     "must then download.")
    lines.append("The sheet was applied to the collection, but not sent." if applied else "Nothing was changed.")
    raise FullSyncNeeded("\n".join(lines))


def _reason(required: int) -> str:
    from anki.sync import SyncOutput

    if required == SyncOutput.FULL_DOWNLOAD:
        return "the local collection has no cards"
    if required == SyncOutput.FULL_UPLOAD:
        return "the server's copy has no cards"
    return ("both sides changed in a way a normal sync cannot merge (a note type's fields or templates, or a "
            "collection that never synced with this server)")

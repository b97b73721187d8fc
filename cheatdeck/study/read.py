"""`focus`: the sheet's notes ranked by how weak the student's review history shows them to be.

Read-only, always: the engine opens a private copy of the collection (or of its newest backup while Anki
holds it open; see snapshot.py), so the user's file is the same bytes afterwards.
"""

from __future__ import annotations

import datetime
import importlib.util
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CheatdeckError, Location, Problem
from ..model import Sheet
from ..state import lock
from .history import read_history
from .rank import RankedNote, rank
from .snapshot import snapshot
from .table import DomainReport, domain_reports


@dataclass(frozen=True)
class FocusOptions:
    min_reviews: int = 0
    """Leave out of the ranking the notes whose cards were answered fewer times than this."""
    now: float | None = None
    """The moment the history is judged at (seconds since the epoch); None: now."""


@dataclass(frozen=True)
class Focus:
    source: Path
    sheet_id: str
    collection: Path
    notes: tuple[RankedNote, ...]
    """Weakest first; only those with `min_reviews` answers or more."""
    domains: tuple[DomainReport, ...]
    """Per domain, over all the sheet's notes."""
    reviews: int
    """Every answer given to the sheet's cards."""
    fsrs: bool
    date: datetime.date
    backup: Path | None = None
    """The backup read instead of the collection, which Anki held open."""
    backup_taken: datetime.datetime | None = None
    sheet: Sheet | None = field(default=None, repr=False, compare=False)
    places: dict[str, Location] = field(default_factory=dict, repr=False, compare=False)
    """Where each note's item sits in the sheet (identity → location), for the focus sheet."""
    min_reviews: int = 0
    """The `FocusOptions.min_reviews` that `notes` were chosen by."""

    @property
    def weak(self) -> tuple[RankedNote, ...]:
        return tuple(n for n in self.notes if n.weak)


def focus(source: Path | str, collection: Path | str, opts: FocusOptions | None = None) -> Focus:
    """Rank the sheet's notes by the weakness of their cards in `collection`; writes nothing, prints nothing.

    Raises CheatdeckError for a problem in the sheet, a sheet never built (no lock, so no GUIDs), a collection
    that is missing, not one, holds none of the sheet's notes, or is open in Anki with no backup to read.
    """
    from ..deck.plan import plan_notes
    from ..source.compile import load

    if importlib.util.find_spec("anki") is None:
        raise CheatdeckError(Problem(Location(""), "focus reads the collection with the Anki engine, which is not "
                                                   "installed: pip install 'cheatdeck[sync]'"))
    source, collection, opts = Path(source), Path(collection).expanduser(), opts or FocusOptions()
    now = time.time() if opts.now is None else opts.now
    sheet = load(source)
    notes = plan_notes(sheet).notes
    guids = {ident: entry["guid"] for ident, entry in
             lock.upgrade(lock.read(lock.lock_path(source)), sheet.id).get("notes", {}).items()}
    if not guids:
        raise CheatdeckError(Problem(Location(str(lock.lock_path(source))), (
            f"no notes in the lock file yet: build {sheet.id} and import it into Anki (or run `cheatdeck sync`), "
            "study, then run focus again")))
    with tempfile.TemporaryDirectory(prefix="cheatdeck-focus-") as tmp:
        snap = snapshot(collection, Path(tmp))
        history = read_history(snap.path, [guids[n.ident] for n in notes if n.ident in guids], now)
    if not history.cards:
        raise CheatdeckError(Problem(Location(str(collection)), (
            f"none of the {len(notes)} notes of {sheet.id} are in this collection; import "
            f"{sheet.id}.apkg (or run `cheatdeck sync`), study, then run focus again")))
    ranked = rank(sheet, notes, guids, history)
    return Focus(source, sheet.id, collection, tuple(n for n in ranked if n.reviews >= opts.min_reviews),
                 domain_reports(sheet, ranked, guids, history), history.answers, history.fsrs,
                 datetime.date.fromtimestamp(now), snap.backup, snap.taken, sheet,
                 {n.ident: n.loc for n in notes}, opts.min_reviews)

"""`watch`: rebuild a sheet whenever its source, an image, or the templates change.

A save is built once the saved files have stopped changing: an editor that writes slowly (a network folder, a
large file) would otherwise have its first half built. A save that parses but would remove many notes at once
is not built: a half-written or truncated file looks just like that, and recording it would mark those notes
removed, then new again, with new modification times. The watch reports it (`Held`) and builds it when the
same bytes are saved again, or when `cheatdeck build` is run.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CheatdeckError
from ..options import Options
from ..pipeline import OUTPUTS, BuildResult, Output, build_all, prime
from ..source.discover import find_sheets

if TYPE_CHECKING:  # annotations only: the watch must not import the deck's code before it builds
    from ..deck.stamps import Changes
    from ..source.sections import Sections

SETTLE = 0.2
"""Seconds between two looks at the saved files: a save is built when they saw the same sizes and times."""
PATIENCE = 10.0
"""Seconds a save that keeps changing is waited for; after that the files' next change brings the watch back."""
HOLD_OVER = 5
HOLD_SHARE = 0.10
"""A save is held when it would remove more than HOLD_OVER notes and more than HOLD_SHARE of the sheet's notes."""


@dataclass(frozen=True)
class Held:
    """A save that would remove many notes at once, neither built nor recorded."""

    source: Path
    sheet_id: str
    removed: tuple[str, ...]
    notes: int
    """How many notes the sheet had (in its lock) before this save."""


WatchReport = Callable[["BuildResult | CheatdeckError | Held"], None]


@dataclass(frozen=True)
class Landed:
    """An output written after a save, as soon as it is: the deck does not wait for the PDF."""

    output: Output
    after_save: float
    """Seconds from the save (the saved files' newest modification time) to the output written."""


# Files a sheet may show (source/images.py); saving one rebuilds the sheets that show it.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".svg"})


def _affected(changes: set[tuple[object, str]], sheets: list[Path], opts: Options) -> list[Path]:
    """The sheets to rebuild: the ones that changed, or all of them when a template or an image changed
    (a sheet that does not show the image is up to date, and its build returns at once)."""
    changed = {Path(path).resolve() for _, path in changes}
    templates = opts.templates.resolve()
    if any(templates in p.parents or p.suffix.lower() in IMAGE_SUFFIXES for p in changed):
        return sheets
    return [s for s in sheets if s.resolve() in changed]


def settled(paths: Iterable[Path], settle: float = SETTLE, patience: float = PATIENCE) -> bool:
    """Whether the files have stopped changing: the same sizes and modification times at two looks `settle`
    seconds apart, within `patience` seconds."""
    paths = list(paths)
    deadline = time.monotonic() + patience
    before = _stats(paths)
    while True:
        time.sleep(settle)
        now = _stats(paths)
        if now == before:
            return True
        if time.monotonic() >= deadline:
            return False
        before = now


def _stats(paths: list[Path]) -> list[tuple[int, int] | None]:
    out = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            out.append(None)
        else:
            out.append((st.st_size, st.st_mtime_ns))
    return out


class HoldGuard:
    """The build's guard (pipeline.Guard) for a save: it stops one that would remove too many notes at once (see
    the module's docstring), once the deck is rendered and before anything is written."""

    def __init__(self) -> None:
        self.before = 0
        """How many notes the sheet had (in its lock) before this save."""

    def __call__(self, changes: Changes, before: int) -> bool:
        self.before = before
        removed = len(changes.removed)
        return not (removed > HOLD_OVER and removed > HOLD_SHARE * before)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _saved_at(paths: Iterable[Path]) -> float:
    """When the save happened, on the wall clock: the newest modification time among the saved files."""
    return max((s[1] / 1e9 for s in _stats(list(paths)) if s is not None), default=time.time())


def watch(sources: Sequence[Path], opts: Options, report: WatchReport, ids: Sequence[str] = (),
          stop: threading.Event | None = None, kinds: tuple[str, ...] = OUTPUTS,
          landed: Callable[[Landed], None] | None = None) -> None:
    """Build once, then after every save; errors and held saves are reported and the watch goes on. `landed`
    hears of each output a save rebuilt as it is written, with its time since the save."""
    import watchfiles

    from ..pdf.memo import LayoutMemo
    from ..source.sections import Sections

    memo = LayoutMemo()  # what each build measured, so that an edit sets again only what it changed
    sections = Sections()  # what each build loaded and planned of each section, so that an edit builds only its own
    sheets = find_sheets(sources, ids)
    build_all(sheets, opts, report, kinds, memo=memo, sections=sections)
    for sheet in sheets:
        if str(sheet) not in sections.read:  # up to date: nothing was loaded
            prime(sheet, sections, kinds)
    roots = [*dict.fromkeys(s if s.is_dir() else s.parent for s in sources), opts.templates]
    holding: dict[Path, str | None] = {}  # each held sheet → the digest of the save that was held

    def relevant(change, path: str) -> bool:
        p = Path(path)
        return (p.suffix == ".yaml" or p.suffix.lower() in IMAGE_SUFFIXES
                or opts.templates.resolve() in p.resolve().parents)

    for changes in watchfiles.watch(*roots, watch_filter=relevant, stop_event=stop, debounce=200,
                                    raise_interrupt=False):
        if not settled(Path(path) for _, path in changes):
            continue  # still being written: its next change comes back here
        # A sheet added while watching is picked up; one that was deleted is dropped. A folder left with no
        # sheet, or a named sheet renamed away, is reported and the watch goes on until it is back.
        try:
            sheets = find_sheets(sources, ids)
        except CheatdeckError as err:
            report(err)
            continue
        saved = {Path(path).resolve() for _, path in changes}
        saved_at = _saved_at(saved)
        written = None if landed is None else (
            lambda output: landed(Landed(output, (output.landed or time.time()) - saved_at)))
        for sheet in _affected(changes, sheets, opts):
            digest = _digest(sheet)
            # The same bytes saved again confirm a held save (an image saved meanwhile does not).
            again = sheet.resolve() in saved and digest is not None and holding.get(sheet) == digest
            _build_save(sheet, opts, report, kinds, written, None if again else HoldGuard(), holding, digest, memo,
                        sections)


def _build_save(sheet: Path, opts: Options, report: WatchReport, kinds: tuple[str, ...],
                written: Callable[[Output], None] | None, guard: HoldGuard | None,
                holding: dict[Path, str | None], digest: str | None, memo: LayoutMemo, sections: Sections) -> None:
    """Build one saved sheet; a save the guard stopped is reported `Held` and remembered by its digest."""
    def told(outcome: BuildResult | CheatdeckError) -> None:
        if isinstance(outcome, BuildResult) and outcome.stopped:
            holding[sheet] = digest
            report(Held(sheet, outcome.sheet_id, outcome.changes.removed, guard.before))
            return
        holding.pop(sheet, None)
        report(outcome)

    build_all([sheet], opts, told, kinds, written, guard, memo, sections)

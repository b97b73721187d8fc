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

from ..errors import CheatdeckError
from ..options import Options
from ..pipeline import OUTPUTS, BuildResult, build_all
from ..source.discover import find_sheets

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


def held(source: Path, opts: Options) -> Held | None:
    """The save as `Held` when building it would remove too many notes at once (see the module's docstring);
    None when it may be built (a sheet with errors too: the build reports them)."""
    from ..deck.plan import plan_notes
    from ..deck.stamps import stamp
    from ..clock import build_time
    from ..source.compile import load
    from ..state import lock

    try:
        sheet = load(source)
        previous = lock.upgrade(lock.read(lock.lock_path(source)), sheet.id)
        notes = plan_notes(sheet).notes
    except CheatdeckError:
        return None
    before = len(previous.get("notes", {}))
    removed = stamp(previous, sheet.id, notes, {}, build_time(), record=False).changes.removed
    if len(removed) > HOLD_OVER and len(removed) > HOLD_SHARE * before:
        return Held(source, sheet.id, removed, before)
    return None


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def watch(sources: Sequence[Path], opts: Options, report: WatchReport, ids: Sequence[str] = (),
          stop: threading.Event | None = None, kinds: tuple[str, ...] = OUTPUTS) -> None:
    """Build once, then after every save; errors and held saves are reported and the watch goes on."""
    import watchfiles

    from ..pdf.memo import LayoutMemo

    memo = LayoutMemo()  # what each build measured, so that an edit sets again only what it changed
    build_all(find_sheets(sources, ids), opts, report, kinds, memo)
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
        for sheet in _affected(changes, sheets, opts):
            digest = _digest(sheet)
            # The same bytes saved again confirm a held save (an image saved meanwhile does not).
            again = sheet.resolve() in saved and digest is not None and holding.get(sheet) == digest
            hold = None if again else held(sheet, opts)
            if hold is not None:
                holding[sheet] = digest
                report(hold)
                continue
            holding.pop(sheet, None)
            build_all([sheet], opts, report, kinds, memo)

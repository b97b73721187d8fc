"""`watch`: rebuild a sheet whenever its source, an image, or the templates change.

A save is built once the saved files have stopped changing: an editor that writes slowly (a network folder, a
large file) would otherwise have its first half built. The build starts at once, and before it writes anything
the files must show the sizes and times they showed when it started, SETTLE seconds on; else it writes nothing
and says nothing, and their next change brings the watch back. A save that parses but would remove many notes at once
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

STEP = 20
"""Milliseconds without a change after which watchfiles hands the changes over."""
LISTENING = 1000
"""Milliseconds after which watchfiles answers with no change, the first time so that saves made during the first
build are looked for once it listens."""
SETTLE = 0.2
"""Seconds between two looks at the saved files: a save's build is written when they saw the same sizes and times."""
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


class Look:
    """The saved files' sizes and times when a save's build starts; `still` looks again once SETTLE seconds have
    passed (the build's own time counts): whether they stood still, so that what the build read was the whole
    save."""

    def __init__(self, paths: Iterable[Path], settle: float = SETTLE):
        self.paths = list(paths)
        self.first = _stats(self.paths)
        self.until = time.monotonic() + settle

    def still(self) -> bool:
        wait = self.until - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return _stats(self.paths) == self.first


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
    """The build's guard (pipeline.Guard) for a save, asked before its first output is written: it stops a save
    whose files changed since its build began (`look`), and one that would remove too many notes at once (see the
    module's docstring) unless `hold` is off (the same bytes saved again confirm it)."""

    def __init__(self, look: Look, hold: bool = True) -> None:
        self.look, self.hold = look, hold
        self.before = 0
        """How many notes the sheet had (in its lock) before this save."""
        self.unsettled = False
        """It stopped a save still being written."""

    def __call__(self, changes: Changes | None, before: int) -> bool:
        self.before = before
        self.unsettled = not self.look.still()
        if self.unsettled or changes is None or not self.hold:
            return not self.unsettled
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
    # The sheets' sizes and times before the first build, until the watcher is known to listen.
    first: dict[Path, tuple[int, int] | None] | None = dict(zip(sheets, _stats(sheets)))
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

    # watchfiles' own step is 50 ms: a save written in slower steps starts a build early, which its Look then
    # stops, and the next change builds it whole. Its first answer comes LISTENING ms after it listens at the
    # latest (yield_on_timeout: an empty set, and one a second after that).
    for changes in watchfiles.watch(*roots, watch_filter=relevant, stop_event=stop, debounce=200, step=STEP,
                                    rust_timeout=LISTENING, yield_on_timeout=True):
        if first is not None:
            changes, first = changes | _missed(first), None
        if not changes:
            continue
        look = Look(Path(path) for _, path in changes)
        # A sheet added while watching is picked up; one that was deleted is dropped. A folder left with no
        # sheet, or a named sheet renamed away, is reported and the watch goes on until it is back.
        try:
            sheets = find_sheets(sources, ids)
        except CheatdeckError as err:
            if look.still():
                report(err)
            continue
        saved = {Path(path).resolve() for _, path in changes}
        saved_at = _saved_at(saved)
        written = None if landed is None else (
            lambda output: landed(Landed(output, (output.landed or time.time()) - saved_at)))
        sheet_files = {s.resolve() for s in sheets}
        for sheet in _affected(changes, sheets, opts):
            digest = _digest(sheet)
            # The same bytes saved again confirm a held save (an image saved meanwhile does not).
            again = sheet.resolve() in saved and digest is not None and holding.get(sheet) == digest
            # Its own files only: another sheet of the same save still being written does not stop this one.
            own = Look(p for p in saved if p == sheet.resolve() or p not in sheet_files)
            _build_save(sheet, opts, report, kinds, written, HoldGuard(own, hold=not again), holding, digest, memo,
                        sections)


def _missed(first: dict[Path, tuple[int, int] | None]) -> set[tuple[str, str]]:
    """Saves the watcher cannot have seen, made while the watch's first build ran: the sheets whose size or time
    is not what they were before it began, as changes (what the build or `prime` read of them may already be the
    save's: building it again then finds it up to date)."""
    # A sheet gone (None) is left to the next change, which says what became of it.
    return {("modified", str(sheet)) for (sheet, before), now in zip(first.items(), _stats(list(first)))
            if now is not None and now != before}


def _build_save(sheet: Path, opts: Options, report: WatchReport, kinds: tuple[str, ...],
                written: Callable[[Output], None] | None, guard: HoldGuard,
                holding: dict[Path, str | None], digest: str | None, memo: LayoutMemo, sections: Sections) -> None:
    """Build one saved sheet; a save the guard held is reported `Held` and remembered by its digest. A save
    still being written (the guard found its files changed, or it failed and they changed) is not reported:
    their next change brings the watch back."""
    def told(outcome: BuildResult | CheatdeckError) -> None:
        if isinstance(outcome, BuildResult) and outcome.stopped:
            if not guard.unsettled:
                holding[sheet] = digest
                report(Held(sheet, outcome.sheet_id, outcome.changes.removed, guard.before))
            return
        if isinstance(outcome, CheatdeckError) and not guard.look.still():
            return
        holding.pop(sheet, None)
        report(outcome)

    build_all([sheet], opts, told, kinds, written, guard, memo, sections)

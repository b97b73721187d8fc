"""`watch`: rebuild a sheet whenever its source, an image, or the templates change."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from .errors import CheatdeckError
from .options import Options
from .pipeline import OUTPUTS, Report, build_all
from .source.discover import find_sheets


# Files a sheet may show (media.py); saving one rebuilds the sheets that show it.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".svg"})


def _affected(changes: set[tuple[object, str]], sheets: list[Path], opts: Options) -> list[Path]:
    """The sheets to rebuild: the ones that changed, or all of them when a template or an image changed
    (a sheet that does not show the image is up to date, and its build returns at once)."""
    changed = {Path(path).resolve() for _, path in changes}
    templates = opts.templates.resolve()
    if any(templates in p.parents or p.suffix.lower() in IMAGE_SUFFIXES for p in changed):
        return sheets
    return [s for s in sheets if s.resolve() in changed]


def watch(sources: Sequence[Path], opts: Options, report: Report, ids: Sequence[str] = (),
          stop: threading.Event | None = None, kinds: tuple[str, ...] = OUTPUTS) -> None:
    """Build once, then after every save; errors are reported and the watch goes on."""
    import watchfiles

    build_all(find_sheets(sources, ids), opts, report, kinds)
    roots = [*dict.fromkeys(s if s.is_dir() else s.parent for s in sources), opts.templates]

    def relevant(change, path: str) -> bool:
        p = Path(path)
        return (p.suffix == ".yaml" or p.suffix.lower() in IMAGE_SUFFIXES
                or opts.templates.resolve() in p.resolve().parents)

    for changes in watchfiles.watch(*roots, watch_filter=relevant, stop_event=stop, debounce=200,
                                    raise_interrupt=False):
        # A sheet added while watching is picked up; one that was deleted is dropped. A folder left with no
        # sheet, or a named sheet renamed away, is reported and the watch goes on until it is back.
        try:
            sheets = find_sheets(sources, ids)
        except CheatdeckError as err:
            report(err)
            continue
        build_all(_affected(changes, sheets, opts), opts, report, kinds)

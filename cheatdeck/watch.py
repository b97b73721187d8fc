"""`cheatdeck watch`: rebuild a sheet whenever its source, or the templates, change."""

from __future__ import annotations

import threading
from pathlib import Path

from .build import OUTPUTS, Report, build_all
from .options import Options
from .source.discover import find_sheets


def _affected(changes: set[tuple[object, str]], opts: Options) -> list[Path]:
    """The sheets to rebuild: the ones that changed, or all of them when a template changed."""
    sheets = find_sheets(opts)
    changed = {Path(path).resolve() for _, path in changes}
    templates = opts.templates.resolve()
    if any(templates in p.parents for p in changed):
        return sheets
    return [s for s in sheets if s.resolve() in changed]


def watch(opts: Options, report: Report, stop: threading.Event | None = None,
          kinds: tuple[str, ...] = OUTPUTS) -> None:
    """Build once, then after every save; errors are reported and the watch goes on."""
    import watchfiles

    build_all(find_sheets(opts), opts, report, kinds)
    roots = [opts.source if opts.source.is_dir() else opts.source.parent, opts.templates]

    def relevant(change, path: str) -> bool:
        p = Path(path)
        return p.suffix == ".yaml" or opts.templates.resolve() in p.resolve().parents

    for changes in watchfiles.watch(*roots, watch_filter=relevant, stop_event=stop, debounce=200,
                                    raise_interrupt=False):
        build_all(_affected(changes, opts), opts, report, kinds)

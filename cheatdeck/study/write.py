"""The focus sheet: the weakest notes, filled into the page budget from the top, in the sheet's own look."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..options import Options, PrintOptions
from .choose import fill
from .filtered import filtered_sheet
from .rank import RankedNote
from .read import Focus

FOCUS_PAGES = 2
"""One sheet, both sides: the default budget whatever the sheet's own `print: pages`."""
PROBE_ROOM = 4
"""The budget a quick fit test lays out into, as a multiple of the real one: the pages taken are counted."""


@dataclass(frozen=True)
class FocusSheet:
    path: Path | None
    """None when nothing was weak: no sheet is written."""
    printed: tuple[RankedNote, ...]
    """The notes on the sheet, weakest first."""
    left_out: tuple[RankedNote, ...]
    """Weak notes the budget had no room for."""
    details: dict
    """The PDF's layout: body size, pages, paper, …"""


def header(result: Focus) -> str:
    return f"Focus · {result.date.isoformat()} · from {result.reviews} reviews"


def write_focus(result: Focus, opts: Options | None = None) -> FocusSheet:
    """Write `<out>/<sheet id>.focus.pdf`, holding as many of the weak notes as fit, weakest first."""
    from ..write import write_atomic

    opts = opts or Options()
    weak = result.weak
    if not weak:
        return FocusSheet(None, (), (), {})
    sheet = result.sheet
    wanted = dataclasses.replace(opts.print, pages=opts.print.pages or FOCUS_PAGES)
    printing = wanted.over(sheet.print)

    def first(count: int):
        return filtered_sheet(sheet, {result.places[n.ident] for n in weak[:count]}, header(result))

    count, (data, details, pages) = fill(len(weak), lambda count: _render(first(count), printing, opts.templates),
                                         lambda count: _fits_at_floor(first(count), printing, opts.templates))
    path = opts.out / f"{result.sheet_id}.focus.pdf"
    write_atomic(path, data)
    for number, png in enumerate(pages, 1):
        write_atomic(opts.out / f"{result.sheet_id}.focus-page{number}.png", png)
    return FocusSheet(path, weak[:count], weak[count:], {**dataclasses.asdict(details), "size": len(data)})


def _render(sheet, printing: PrintOptions, templates: Path, hint: float | None = None, exact: bool = False):
    """The one call into the PDF renderer (`pdf`'s, without its lock hint unless given: the layout is new)."""
    from ..pdf.render import render_pdf

    return render_pdf(sheet, printing, templates, hint, exact)


def _fits_at_floor(sheet, printing: PrintOptions, templates: Path) -> bool:
    """Whether the sheet fits its budget at the theme's smallest body size: one layout pass at that size, with
    room to spare so that it never searches, and the pages it took counted."""
    from ..errors import CheatdeckError
    from ..pdf.theme import load_theme

    floor = load_theme(templates / "pdf" / "theme.yaml").body.floor
    roomy = dataclasses.replace(printing, pages=printing.pages * PROBE_ROOM, png=False)
    try:
        return _render(sheet, roomy, templates, floor, True)[1].pages <= printing.pages
    except CheatdeckError:  # it takes more than the spare room: far over the budget
        return False

"""What `focus` and `stats --collection` print: where the history came from, and the per-domain table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..study import Focus, FocusSheet


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def backup_warning(result: Focus) -> str | None:
    """Printed even with -q: the history is as old as the backup."""
    if result.backup is None:
        return None
    return click.style(f"Anki has {result.collection} open: read its newest backup instead, "
                       f"{result.backup.name} of {result.backup_taken:%Y-%m-%d %H:%M}; reviews since then are not "
                       "counted (close Anki for the latest)", fg="yellow")


def table_lines(result: Focus) -> list[str]:
    scheduler = "FSRS" if result.fsrs else "SM-2"
    lines = [click.style(result.sheet_id, bold=True) + f"  {result.reviews} reviews ({scheduler}) in "
             f"{result.backup or result.collection}"]
    rows = [("domain", "cards studied", "retention 30 d", "weak notes")]
    for d in result.domains:
        weight = "" if d.weight is None else f" {d.weight}%"
        never = f" ({d.never_studied} never studied)" if d.never_studied else ""
        rows.append((f"{d.label} {d.name}{weight}", f"{d.cards_studied} / {d.cards}",
                     _percent(d.retention) + (f" of {d.reviews}" if d.reviews else ""), f"{d.weak}{never}"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3] for row in rows]
    return lines


def focus_lines(result: Focus, sheet: FocusSheet, verbosity: int = 1) -> list[str]:
    """`verbosity` 2 (-v) also lists the printed notes, weakest first, with their scores."""
    lines = table_lines(result)
    if sheet.path is None:
        return lines + [f"  {_nothing_weak(result)} (no focus sheet written)"]
    d = sheet.details
    lines.append(f"  {sheet.path}  {len(sheet.printed)} weak notes, body {d['body_size']:g} pt, "
                 f"{d['pages']} page(s) on {d['paper']}")
    if verbosity > 1:
        lines += [f"      {n.score:5.2f}  {n.ident}  ({n.kind}, {n.domain}, {n.reviews} reviews"
                  f"{'' if n.studied else ', never studied'})" for n in sheet.printed]
    if sheet.left_out:
        lines.append(click.style(f"  {len(sheet.left_out)} more weak notes did not fit; raise --pages to print "
                                 "them", fg="yellow"))
    return lines


def _nothing_weak(result: Focus) -> str:
    """Why no note was weak enough to print: the table still counts the weak notes --min-reviews left out."""
    left_out = sum(d.weak for d in result.domains)
    if not left_out:
        return "nothing weak to print: every note is known well"
    return (f"nothing to print: none of the {left_out} weak notes was answered {result.min_reviews} times or more "
            f"(--min-reviews {result.min_reviews})")

"""What a build says: one short summary per sheet (click strips the colour when piped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..errors import CheatdeckError, Problem
from ..deck.details import DeckDetails
from ..pdf.details import PdfDetails
from ..pipeline import BuildResult, Output, anki_search
from ..state.lock import lock_path

if TYPE_CHECKING:  # annotations only: an up-to-date build must not import the model, nor a build the watch
    from ..pipeline import CheckResult, Cleaned, Removed
    from .watch import Held, Landed
    from ..summary import Stats
    from ..collection.driver import SyncResult

MAX_LISTED = 12


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MB"


def _plural(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def show_error(error: CheatdeckError, file=None) -> None:
    click.echo(click.style("Error: ", fg="red", bold=True) + error.render(), err=True, file=file)


def show_warnings(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        click.echo(click.style("warning: ", fg="yellow", bold=True) + str(warning), err=True)


class Printer:
    """Receives each sheet's outcome as it is built: prints a summary, and keeps the failures for the exit code.

    In watch mode (`keep_going`) a failure is printed at once and the watch goes on.
    """

    def __init__(self, verbosity: int, keep_going: bool = False):
        self.verbosity = verbosity
        self.keep_going = keep_going
        self.failures: list[CheatdeckError] = []

    def __call__(self, outcome: BuildResult | CheatdeckError | Held) -> None:
        if not isinstance(outcome, (BuildResult, CheatdeckError)):  # a Held save, which only `watch` reports
            click.echo(held_warning(outcome), err=True)
            return
        if isinstance(outcome, CheatdeckError):
            if self.keep_going:
                show_error(outcome)
            else:
                self.failures.append(outcome)
            return
        for line in summary(outcome, self.verbosity):
            click.echo(line)
        warning = reshaped_warning(outcome)
        if warning:
            click.echo(warning, err=True)

    def landed(self, landed: Landed) -> None:
        """An output of a save that `watch` rebuilt, as it is written, before the sheet's summary."""
        if self.verbosity:
            state = "written" if landed.output.written else "unchanged"
            click.echo(f"{landed.output.path} {state}, {landed.after_save:.2f} s after the save")

    def raise_failures(self) -> None:
        if self.failures:
            raise CheatdeckError.combined(self.failures)


def held_warning(held: Held) -> str:
    """Printed even with -q: a save the watch did not build, and why."""
    listed = ", ".join(held.removed[:MAX_LISTED]) + (", …" if len(held.removed) > MAX_LISTED else "")
    return click.style(
        f"WARNING: {held.sheet_id}: this save of {held.source} would remove {len(held.removed)} of "
        f"{held.notes} notes ({listed}). Nothing was built or recorded. If the file was saved while still "
        "being written, save it again once it is complete. If you meant to remove them, save it again "
        "unchanged, or run `cheatdeck build`.", fg="yellow", bold=True)


def summary(result: BuildResult, verbosity: int, syncing: bool = False) -> list[str]:
    """`syncing`: the summary of the build a sync makes, which handles removed notes itself."""
    name = click.style(result.sheet_id or result.source.stem, bold=True)
    where = result.source
    if result.up_to_date:
        paths = ", ".join(str(o.path) for o in result.outputs)
        return [f"{name}  up to date ({paths})"] if verbosity else []
    lines = [f"{name}  {where}  built in {result.seconds:.2f} s"]
    for out in result.outputs:
        status = "" if out.written else click.style("  (unchanged)", dim=True)
        lines += _deck_lines(out, status, verbosity) if out.kind == "anki" else _pdf_lines(out, status)
    lines += _changes(result, verbosity, syncing)
    return lines if verbosity else []


def _deck_lines(out: Output, status: str, verbosity: int) -> list[str]:
    d: DeckDetails = out.details
    warned = _plural(d.warnings, "card warning")
    if d.warnings:
        warned = click.style(f"{warned} (`check` lists them)", fg="yellow")
    lines = [f"  {out.path}  {_size(out.size)}  {d.notes} notes, {d.cards} cards, {warned}{status}"]
    if verbosity > 1:
        lines += [f"      {deck}: {count} notes" for deck, count in d.decks.items()]
    return lines


def _pdf_lines(out: Output, status: str) -> list[str]:
    d: PdfDetails = out.details
    lines = [f"  {out.path}  {_size(out.size)}  body {d.body_size:g} pt, {_pages(d)}, "
             f"emptiest column {d.fill:.0f} % full, {d.orphans} orphan words, {d.paper}{status}",
             f"      column fill, page by page: {_fills(d)}"]
    if d.facts_left_out:
        lines.append(click.style(f"  the header band of the {d.paper} page had no room for the sheet's "
                                 "facts; shorten the title or the facts to print them", fg="yellow"))
    return lines + broken_table_lines(d)


def broken_table_lines(d: PdfDetails) -> list[str]:
    """A warning for each table whose words break inside them: legible only as a reader puts the pieces back."""
    fewer = "give the sheet fewer columns (`print: {columns: 3}`) or " if d.columns > 3 else ""
    return [click.style(f"  the table of “{title}” (line {line}) is too wide for one of {d.columns} columns: words "
                        f"break inside it; {fewer}split the table", fg="yellow")
            for title, line in d.broken_tables]


def _changes(result: BuildResult, verbosity: int, syncing: bool = False) -> list[str]:
    c = result.changes
    if c is None:
        return []
    if c.first_build:
        return [f"  changes: first build, {len(c.new)} notes (no lock file yet: commit "
                f"{lock_path(result.source)} with the sheet)"]
    returned = f"{len(c.returned)} returned, " if c.returned else ""
    counts = (f"{len(c.new)} new, {len(c.changed)} changed, {len(c.moved)} moved, {returned}{len(c.removed)} removed "
              f"({c.unchanged} unchanged)")
    lines = [f"  changes: {click.style(counts, fg='green' if (c.new or c.changed or c.moved or c.returned) else None)}"]
    if verbosity > 1:
        lines += [f"      + {i}" for i in c.new] + [f"      + {i} (returned)" for i in c.returned]
        lines += [f"      ~ {i}" for i in c.changed]
        lines += [f"      > {i} (from {section})" for i, section in c.moved] + [f"      - {i}" for i in c.removed]
    lines += _renamed_lines(c.renamed, syncing) + _rehomed_lines(c.rehomed, syncing)
    if c.returned and not syncing:
        lines.append(click.style("  Returned notes keep their history, but cards that `sync` suspended stay suspended "
                                 "after an import: run `sync`, or unsuspend them in the Browser:", fg="yellow"))
        lines.append("    " + anki_search(result.sheet_id, c.returned[:MAX_LISTED]))
    if c.removed and not syncing:
        listed = c.removed[:MAX_LISTED]
        lines.append(click.style("  Removed notes stay in Anki after an import. Find and delete them in the "
                                 "Browser with this search:", fg="yellow"))
        lines.append("    " + anki_search(result.sheet_id, listed))
        if len(c.removed) > MAX_LISTED:
            lines.append(f"    (and {len(c.removed) - MAX_LISTED} more: run with -v to list them)")
        lines.append("  `cheatdeck removed` lists them until you confirm with `cheatdeck removed --forget`.")
    if c.notetypes_changed:
        lines.append(f"  note types updated: {', '.join(c.notetypes_changed)} (Anki updates them on import)")
    return lines


_RENAMED = {"section": "renamed section {} \u2192 {}",
            "title": "renamed section title \u201c{}\u201d \u2192 \u201c{}\u201d",
            "domain": "renamed domain {} \u2192 {}",
            "deck": "renamed deck \u201c{}\u201d \u2192 \u201c{}\u201d"}


def _rehomed_lines(rehomed: tuple[tuple[str, str, str], ...], syncing: bool) -> list[str]:
    """Each section moved to another domain's deck, and what an import does with it: it never moves cards."""
    lines = [f"  section {section} moved to deck \u201c{new}\u201d (from \u201c{old}\u201d)"
             for section, old, new in rehomed]
    if rehomed and not syncing:
        lines.append(click.style("  An import leaves the moved sections' cards in their old deck: select them in "
                                 "Anki's Browser and use Change Deck, or run `sync`.", fg="yellow"))
    return lines


def _renamed_lines(renamed: tuple[tuple[str, str, str], ...], syncing: bool) -> list[str]:
    """Each rename, and what an import does with it: a title is presentation, not an edit of the notes (so an
    import shows it once a note changes), and an import never moves cards between decks."""
    lines = [f"  {_RENAMED[what].format(old, new)}" for what, old, new in renamed]
    if syncing:
        return lines
    if any(what == "title" for what, _, _ in renamed):
        lines.append(click.style("  An import shows a new section title on a card once its note changes; "
                                 "`sync` shows it now.", fg="yellow"))
    if any(what == "deck" for what, _, _ in renamed):
        lines.append(click.style("  An import leaves existing cards in their old deck: rename the deck in Anki "
                                 "first, or run `sync`.", fg="yellow"))
    return lines


def reshaped_warning(result: BuildResult) -> str | None:
    """Printed even with -q: importing this package would leave every note in the collection behind."""
    reshaped = result.changes.notetypes_reshaped if result.changes else ()
    if not reshaped:
        return None
    return click.style(
        f"WARNING: the fields or template names of {', '.join(reshaped)} changed. Anki will import a copy of the "
        "note type and skip every note already in your collection. Give the note type a new id in "
        "templates/anki/notetypes.yaml or restore the old names.", fg="red", bold=True)


def check_line(result: CheckResult) -> str:
    sheet, c, p = result.sheet, result.counts, result.layout
    counts = ", ".join(_plural(c[key], noun) for key, noun in (
        ("domains", "domain"), ("sections", "section"), ("bullets", "bullet"), ("tables", "table")))
    return (f"ok  {result.source}  {sheet.id}: {counts} ({_plural(c['rows'], 'row')}), {_plural(c['traps'], 'trap')}, "
            f"{_plural(c['quickref'], 'quick-reference row')}; "
            f"the PDF fits {_plural(p.pages, p.paper + ' page')} at {p.body_size:g} pt; "
            f"{_plural(len(result.warnings), 'card warning')}")


def removed_lines(result: Removed) -> list[str]:
    name = click.style(result.sheet_id or result.source.stem, bold=True)
    if not result.notes:
        return [f"{name}  no removed notes to delete in Anki"]
    if result.forgotten:
        return [f"{name}  forgot {len(result.notes)} removed note(s)"]
    lines = [f"{name}  {len(result.notes)} note(s) left the sheet and may still be in Anki:"]
    lines += [f"  - {n.ident}  (left {n.left}" + (f"; sync handled it in {_plural(n.synced, 'collection')})"
                                                   if n.synced else ")") for n in result.notes]
    lines.append("  Find and delete them in the Browser with this search, then run `cheatdeck removed --forget`:")
    lines.append("    " + result.search)
    return lines


def _pages(d: PdfDetails) -> str:
    """The pages printed, and the budget when they are fewer (the sheet fills what it takes)."""
    return _plural(d.pages, "page") + (f" of {d.budget} allowed" if d.pages < d.budget else "")


def _fills(d: PdfDetails) -> str:
    """Every column's fill before its leftover is spread, the last page's included: "97 95 | 92 90 %"."""
    per_page = d.columns
    fills = [f"{f:.0f}" for f in d.fills]
    return " | ".join(" ".join(fills[i:i + per_page]) for i in range(0, len(fills), per_page)) + " %"


def clean_lines(result: Cleaned, out) -> list[str]:
    lines = [f"removed {len(result.removed)} file(s) from {out}"]
    lines += [f"  kept {path}: it changed since cheatdeck wrote it" for path in result.kept]
    return lines


def stats_lines(s: Stats) -> list[str]:
    lines = [click.style(s.sheet_id, bold=True) + f"  {s.notes} notes, {s.cards} cards", "  decks:"]
    lines += [f"    {deck}: {notes} notes, {cards} cards" for deck, (notes, cards) in s.by_deck.items()]
    lines.append("  tags:")
    lines += [f"    {tag}: {notes} notes, {cards} cards" for tag, (notes, cards) in s.by_tag.items()]
    p = s.pdf
    lines.append(f"  pdf: body {p.body_size:g} pt, {_pages(p)} on {p.paper}, "
                 f"emptiest column {p.fill:.0f} % full, found in {_plural(p.passes, 'layout pass', 'layout passes')}")
    lines.append(f"    column fill, page by page: {_fills(p)}")
    return lines


def sync_lines(result: SyncResult) -> list[str]:
    """The counts, then each conflict with both versions (the collection kept its own unless --prefer sheet)."""
    r = result.report
    removed = {"suspend": "suspended", "delete": "deleted", "keep": "kept"}[r.removed_action]
    # "moved" alone would read as the build's moved notes, printed just above: these are cards changing deck.
    counts = (f"{r.new} new, {r.updated} updated, {_plural(r.moved, 'card')} moved to another deck, "
              f"{_plural(len(r.conflicts), 'conflict')}, "
              f"{r.returned} returned, {r.removed} {removed} (removed), {r.notetypes_changed} note types changed")
    if result.plan:
        lines = [f"  sync plan for {result.collection} (nothing written): {counts}"]
    else:
        lines = [f"  sync: {counts}" + (f"; backup in {r.backup}" if r.backup else "")]
    if r.notetypes_reset:
        lines.append(f"  note types reset to the sheet's: {', '.join(r.notetypes_reset)}")
    if r.decks_removed:
        lines.append(f"  empty decks removed: {', '.join(r.decks_removed)}")
    if r.kept_edits:
        lines.append(f"  {_plural(r.kept_edits, 'note')} keep edits made in Anki")
    for c in r.conflicts:
        lines.append(click.style(f"  conflict: {c.ident} {c.field} changed in Anki and in the sheet", fg="yellow"))
        lines += [f"      Anki:  {c.anki}", f"      sheet: {c.sheet}"]
    if r.conflicts:
        kept = "the sheet's version went in (--prefer sheet)" if r.prefer_sheet else \
            "the collection kept its version; `sync --prefer sheet` takes the sheet's"
        lines.append(f"  {kept}")
    return lines

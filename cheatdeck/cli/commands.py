"""The commands: each reads its settings, calls one library function, and prints what comes back.

Heavy imports (genanki, reportlab) happen inside the library calls that need them, so `--help` and an
up-to-date build stay fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CheatdeckError
from .remote import ankiweb_sync, login, logout, remote_options
from .settings import display, settings, shared_options, sheet_arguments


def _command(name: str | None = None, sheets: bool = True):
    """A command that takes the shared options, and sheet files as arguments where it works on sheets."""
    def decorate(function):
        function = shared_options(function)
        if sheets:
            function = sheet_arguments(function)
        return click.command(name)(function)
    return decorate


def _run(kinds: tuple[str, ...]) -> None:
    from ..pipeline import build_all
    from .report import Printer

    s = settings()
    printer = Printer(s.verbosity)
    build_all(s.sheet_paths(), s.options(), printer, kinds)
    printer.raise_failures()


@_command("build")
def build_cmd() -> None:
    """Build the Anki package and the PDF of every sheet (the default command).

    \b
    Example:
      cheatdeck build
      cheatdeck build source/mla-c01.yaml --force
    """
    _run(("anki", "pdf"))


@_command()
def pdf() -> None:
    """Build only the printable cheat sheets (dist/<sheet>.pdf).

    \b
    Example:
      cheatdeck pdf --paper a4 --grayscale
    """
    _run(("pdf",))


@_command()
def anki() -> None:
    """Build only the Anki packages (dist/<sheet>.apkg).

    \b
    Example:
      cheatdeck anki -v
    """
    _run(("anki",))


@_command()
@click.option("--strict", is_flag=True,
              help="Treat card warnings as errors (exit code 1). Example: cheatdeck check --strict")
def check(strict: bool) -> None:
    """Validate every sheet and print its counts, or all of its errors; warn about weak cards; writes nothing.

    \b
    Example:
      cheatdeck check
      cheatdeck check a.yaml b.yaml --strict
    """
    from ..pipeline import check as check_sheet
    from .report import broken_table_lines, check_line, show_warnings

    s = settings()
    failed: list[CheatdeckError] = []
    for path in s.sheet_paths():
        try:
            result = check_sheet(path, s.options())
        except CheatdeckError as err:
            failed.append(err)
            continue
        if strict and result.warnings:
            failed.append(CheatdeckError(list(result.warnings)))
            continue
        if s.verbosity:
            show_warnings(result.warnings)
            click.echo(check_line(result))
            for line in broken_table_lines(result.layout) if result.layout else ():
                click.echo(line)
    if failed:
        raise CheatdeckError.combined(failed)


_COLLECTION_HELP = ("The Anki collection file, only read (while Anki has it open, its newest backup is read). "
                    'Example: --collection "~/.local/share/Anki2/User 1/collection.anki2"')


@_command()
@click.option("--collection", type=click.Path(path_type=Path, dir_okay=False), help=_COLLECTION_HELP)
def stats(collection: Path | None) -> None:
    """Show notes and cards per deck and tag, and the PDF's size, pages and fill; with --collection, also
    per domain: cards studied, retention over 30 days and weak notes.

    \b
    Example:
      cheatdeck stats --paper a4
      cheatdeck stats --collection collection.anki2
    """
    from ..summary import sheet_stats
    from .report import stats_lines

    s = settings()
    for path in s.sheet_paths():
        for line in stats_lines(sheet_stats(path, s.options())):
            click.echo(line)
        if collection is not None:
            _study_table(path, collection)


def _study_table(path: Path, collection: Path) -> None:
    from ..study import focus as read_focus
    from .study import backup_warning, table_lines

    result = read_focus(path, collection)
    warning = backup_warning(result)
    if warning:
        click.echo(warning, err=True)
    for line in table_lines(result):
        click.echo(line)


@_command()
@click.option("--collection", required=True, type=click.Path(path_type=Path, dir_okay=False), help=_COLLECTION_HELP)
@click.option("--min-reviews", type=click.IntRange(0), default=0, show_default=True,
              help="Leave out notes answered fewer times than this (never-studied ones too, from 1). "
                   "Example: --min-reviews 3")
def focus(collection: Path, min_reviews: int) -> None:
    """Print what you know least: a focus sheet of the notes your Anki reviews show weakest
    (dist/<sheet>.focus.pdf, one sheet by default), and per domain your progress.

    Reads the collection only, never writes it.

    \b
    Example:
      cheatdeck focus --collection "~/.local/share/Anki2/User 1/collection.anki2"
      cheatdeck focus --collection collection.anki2 --pages 4 --paper a4 --min-reviews 2
    """
    from ..study import FocusOptions, focus as read_focus, write_focus
    from .study import backup_warning, focus_lines

    s = settings()
    for path in s.sheet_paths():
        result = read_focus(path, collection, FocusOptions(min_reviews=min_reviews))
        warning = backup_warning(result)
        if warning:
            click.echo(warning, err=True)
        printed = write_focus(result, s.options())
        if s.verbosity:
            for line in focus_lines(result, printed, s.verbosity):
                click.echo(line)


@_command()
def watch() -> None:
    """Build, then rebuild a sheet each time you save it (or a template); Ctrl-C stops.

    \b
    Example:
      cheatdeck watch
    """
    from .watch import watch as watch_sheets
    from .report import Printer

    s = settings()
    sources, opts = s.sources(), s.options()
    printer = Printer(s.verbosity, keep_going=True)
    try:
        click.echo("watching " + ", ".join(map(str, (*sources, opts.templates))) + " (Ctrl-C stops)")
        watch_sheets(sources, opts, printer, s.sheet_ids, landed=printer.landed)
    except KeyboardInterrupt:
        # Ctrl-C in the middle of a build stops the watch as it does between builds: every file is written
        # atomically, so what was written is whole and what was not keeps its last good version.
        pass
    click.echo("stopped")


@_command(sheets=False)
def clean() -> None:
    """Remove the outputs cheatdeck wrote into the output folder.

    \b
    Example:
      cheatdeck clean --out /tmp/print
    """
    from ..pipeline import clean as clean_outputs

    from .report import clean_lines

    s = settings()
    opts = s.options()
    result = clean_outputs(opts)
    if s.verbosity:
        for line in clean_lines(result, opts.out):
            click.echo(line)


@_command()
@click.option("--forget", is_flag=True, help="Forget them: you deleted them in Anki. Example: --forget")
def removed(forget: bool) -> None:
    """List the notes that left each sheet, with the Anki search that finds them, until you forget them.

    \b
    Example:
      cheatdeck removed
      cheatdeck removed --forget
    """
    from ..pipeline import removed as removed_notes
    from .report import removed_lines

    for path in settings().sheet_paths():
        for line in removed_lines(removed_notes(path, forget)):
            click.echo(line)


@_command()
@click.option("--collection", type=click.Path(path_type=Path, dir_okay=False),
              help="The Anki collection file; close Anki first. "
                   'Example: --collection "~/.local/share/Anki2/User 1/collection.anki2"')
@click.option("--plan", is_flag=True, help="Print what would change and write nothing. Example: --plan")
@click.option("--removed", "removed_action", type=click.Choice(("suspend", "delete", "keep"), case_sensitive=False),
              default="suspend", show_default=True,
              help="What to do with notes that left the sheet. Example: --removed delete")
@click.option("--prefer", type=click.Choice(("anki", "sheet"), case_sensitive=False), default="anki",
              show_default=True,
              help="Which version wins a field edited in Anki and changed in the sheet. Example: --prefer sheet")
@click.option("--reset-notetypes", is_flag=True,
              help="Put back the sheet's fields and card types where they were changed in Anki. "
                   "Example: --reset-notetypes")
@remote_options
def sync(collection: Path | None, plan: bool, removed_action: str, prefer: str, reset_notetypes: bool,
         ankiweb: bool, endpoint: str | None, full_sync: str | None, status: bool) -> None:
    """Apply every sheet to an Anki collection: import, merge edits, move cards, handle removed notes.

    Anki must be closed. A backup goes into the collection's backups/ folder first; the sync is one
    transaction, so one that fails leaves the collection as it was. A field edited in Anki and changed in
    the sheet is a conflict: listed with both versions, the collection keeps its own unless --prefer sheet.
    With --ankiweb: pull from the server first, push after.

    \b
    Example:
      cheatdeck sync --collection "~/.local/share/Anki2/User 1/collection.anki2" --plan
      cheatdeck sync --collection collection.anki2 --removed delete --prefer sheet
      cheatdeck sync --ankiweb                 # straight to your phone, through AnkiWeb
    """
    if not ankiweb and (endpoint or full_sync or status):
        raise click.UsageError("--endpoint, --full-sync and --status go with --ankiweb")
    from ..collection.driver import Choices

    choices = Choices(removed_action.lower(), prefer.lower() == "sheet", reset_notetypes)
    if ankiweb:
        return ankiweb_sync(collection, plan, choices, endpoint, full_sync and full_sync.lower(), status)
    if collection is None:
        raise click.UsageError("Missing option '--collection' (or sync through the server: --ankiweb)")
    from ..collection.driver import sync as sync_sheet

    s = settings()
    for path in s.sheet_paths():
        show_sync(sync_sheet(path, collection, s.options(), choices, plan), s.verbosity, plan)


def show_sync(result, verbosity: int, plan: bool) -> None:
    """Print one sheet's sync: what its build changed, a reshaped-sheet warning, and the sync's counts (and its
    conflicts, always)."""
    from .report import reshaped_warning, summary, sync_lines

    for line in summary(result.build, verbosity, syncing=True) if result.build else ():
        click.echo(line)
    warning = reshaped_warning(result.build) if result.build else None
    if warning:
        click.echo(warning, err=True)
    if verbosity or plan or result.report.conflicts:
        for line in sync_lines(result):
            click.echo(line)


@click.command()
@click.argument("sheet_id", metavar="ID")
@shared_options
def new(sheet_id: str) -> None:
    """Start a sheet: write source/ID.yaml, a commented example that builds as it is.

    In an empty folder it also writes .gitignore, .pre-commit-config.yaml (runs `cheatdeck check --strict`
    before each commit) and .github/workflows/cheatdeck.yml (builds dist/ on each push). It never
    overwrites a file.

    \b
    Example:
      mkdir chem && cd chem && git init && cheatdeck new chem-101
    """
    from ..source.starter import new as start_sheet

    s = settings()
    started = start_sheet(sheet_id, Path("."), s.templates)
    if s.verbosity:
        for path in started.written:
            click.echo(f"wrote {display(path)}")
        for path in started.kept:
            click.echo(f"kept {display(path)}: it exists")
        click.echo(f"next: edit {display(started.sheet)}, then run `cheatdeck` to build dist/")


@click.command()
def schema() -> None:
    """Print the JSON Schema of the sheet format (for editor completion).

    \b
    Example:
      cheatdeck schema > source/cheatdeck.schema.json
    """
    from ..source.format import json_schema

    click.echo(json_schema(), nl=False)


@click.command("help")
@click.argument("command", required=False)
@click.pass_context
def help_cmd(ctx: click.Context, command: str | None) -> None:
    """Show the help of cheatdeck, or of one command.

    \b
    Example:
      cheatdeck help pdf
    """
    group = ctx.parent.command
    if command is None:
        click.echo(group.get_help(ctx.parent))
        return
    found = group.get_command(ctx, command)
    if found is None:
        raise click.UsageError(f"no such command {command!r}; the commands are: {', '.join(group.list_commands(ctx))}")
    with click.Context(found, info_name=command, parent=ctx.parent) as sub:
        click.echo(found.get_help(sub))


COMMANDS = [build_cmd, pdf, anki, check, stats, focus, watch, clean, removed, sync, login, logout, new, schema,
            help_cmd]

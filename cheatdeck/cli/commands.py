"""The commands: each reads its settings, calls one library function, and prints what comes back.

Heavy imports (genanki, reportlab) happen inside the library calls that need them, so `--help` and an
up-to-date build stay fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CheatdeckError
from .settings import settings, shared_options, sheet_arguments


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
    from .report import check_line, show_warnings

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
        show_warnings(result.warnings)
        if s.verbosity:
            click.echo(check_line(result))
    if failed:
        raise CheatdeckError.combined(failed)


@_command()
def stats() -> None:
    """Show notes and cards per deck and tag, and the PDF's size, pages and fill.

    \b
    Example:
      cheatdeck stats --paper a4
    """
    from ..stats import sheet_stats
    from .report import stats_lines

    s = settings()
    for path in s.sheet_paths():
        for line in stats_lines(sheet_stats(path, s.options())):
            click.echo(line)


@_command()
def watch() -> None:
    """Build, then rebuild a sheet each time you save it (or a template); Ctrl-C stops.

    \b
    Example:
      cheatdeck watch
    """
    from ..watch import watch as watch_sheets
    from .report import Printer

    s = settings()
    sources, opts = s.sources(), s.options()
    click.echo("watching " + ", ".join(map(str, (*sources, opts.templates))) + " (Ctrl-C stops)")
    watch_sheets(sources, opts, Printer(s.verbosity, keep_going=True), s.sheet_ids)
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
@click.option("--collection", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The Anki collection file; close Anki first. "
                   'Example: --collection "~/.local/share/Anki2/User 1/collection.anki2"')
@click.option("--plan", is_flag=True, help="Print what would change and write nothing. Example: --plan")
@click.option("--removed", "removed_action", type=click.Choice(("suspend", "delete", "keep"), case_sensitive=False),
              default="suspend", show_default=True,
              help="What to do with notes that left the sheet. Example: --removed delete")
def sync(collection: Path, plan: bool, removed_action: str) -> None:
    """Apply every sheet to an Anki collection: import, move cards to their decks, handle removed notes.

    Anki must be closed. A backup goes into the collection's backups/ folder first, and a sync that fails
    leaves the collection as it was.

    \b
    Example:
      cheatdeck sync --collection "~/.local/share/Anki2/User 1/collection.anki2" --plan
      cheatdeck sync --collection collection.anki2 --removed delete
    """
    from ..collection_sync import sync as sync_sheet
    from .report import reshaped_warning, summary, sync_line

    s = settings()
    for path in s.sheet_paths():
        result = sync_sheet(path, collection, s.options(), removed_action.lower(), plan)
        for line in summary(result.build, s.verbosity, syncing=True) if result.build else ():
            click.echo(line)
        warning = reshaped_warning(result.build) if result.build else None
        if warning:
            click.echo(warning, err=True)
        if s.verbosity or plan:
            click.echo(sync_line(result))


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


COMMANDS = [build_cmd, pdf, anki, check, stats, watch, clean, removed, sync, schema, help_cmd]

"""The command line: parse options, call the library, print what it returns.

Heavy imports (genanki, reportlab) happen inside the commands that need
them, so `--help` and an up-to-date build stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..errors import CheatdeckError
from ..options import PAPERS, TEMPLATES, Options, PrintOptions
from ..source.discover import find_sheets


class _Group(click.Group):
    """Turns unexpected exceptions into a one-line message unless --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            if ctx.obj and ctx.obj.debug and sys.exc_info()[0] is CheatdeckError:
                import traceback

                traceback.print_exc()
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except BrokenPipeError:
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.debug:
                raise
            err = click.ClickException(f"internal error: {exc!r}; run again with --debug for the traceback")
            err.exit_code = 3
            raise err from None


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--source", type=click.Path(path_type=Path, exists=True), default=Path("source"), show_default=True,
              help="A sheet file, or a folder whose *.yaml files are sheets. Example: --source source/mla-c01.yaml")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("dist"), show_default=True,
              help="Folder for the outputs. Example: --out /tmp/print")
@click.option("--sheet", "sheet_id", metavar="ID", help="Only the sheet with this id. Example: --sheet mla-c01")
@click.option("--force", is_flag=True, help="Rebuild even when the outputs are up to date. Example: --force")
@click.option("-q", "--quiet", "verbosity", flag_value=0, help="Print errors only. Example: -q")
@click.option("-v", "--verbose", "verbosity", flag_value=2, help="Print every note change. Example: -v")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=TEMPLATES,
              show_default="templates/", help="Card templates, PDF theme and fonts. Example: --templates my-theme/")
@click.option("--paper", type=click.Choice(PAPERS), default="letter", show_default=True,
              help="Paper size of the PDF, landscape. Example: --paper a4")
@click.option("--pages", type=click.IntRange(1, 50), default=2, show_default=True,
              help="Page budget of the PDF (2 = one sheet, both sides). Example: --pages 4")
@click.option("--grayscale", is_flag=True, help="PDF for a black-and-white printer. Example: --grayscale")
@click.option("--png", is_flag=True, help="Also write a PNG preview of each PDF page. Example: --png")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error. Example: --debug")
@click.version_option(__version__, prog_name="cheatdeck")
@click.pass_context
def cli(ctx: click.Context, source: Path, out: Path, sheet_id: str | None, force: bool,
        verbosity: int | None, templates: Path, paper: str, pages: int, grayscale: bool, png: bool,
        debug: bool) -> None:
    """Compile YAML study sheets into Anki decks and a printable cheat sheet.

    \b
    Example:
      cheatdeck                  # build every sheet in source/ into dist/
      cheatdeck check            # validate the sources only
    """
    ctx.obj = Options(source=source, out=out, sheet_id=sheet_id, force=force,
                      verbosity=1 if verbosity is None else verbosity, debug=debug, templates=templates,
                      print=PrintOptions(paper=paper, pages=pages, grayscale=grayscale, png=png))
    if ctx.invoked_subcommand is None:
        ctx.invoke(build_cmd)


def _printer(opts: Options, failed: list[CheatdeckError] | None = None):
    from .report import summary

    def report(outcome) -> None:
        if isinstance(outcome, CheatdeckError):
            if failed is not None:
                failed.append(outcome)
            else:
                outcome.show()
            return
        for line in summary(outcome, opts):
            click.echo(line)
    return report


def _run(opts: Options, kinds: tuple[str, ...]) -> None:
    from ..build import build_all

    failed: list[CheatdeckError] = []
    build_all(find_sheets(opts), opts, _printer(opts, failed), kinds)
    if failed:
        raise CheatdeckError([p for err in failed for p in err.problems])


@cli.command("build")
@click.pass_obj
def build_cmd(opts: Options) -> None:
    """Build the Anki package and the PDF of every sheet (the default command).

    \b
    Example:
      cheatdeck build
      cheatdeck --sheet mla-c01 --force build
    """
    _run(opts, ("anki", "pdf"))


@cli.command()
@click.pass_obj
def pdf(opts: Options) -> None:
    """Build only the printable cheat sheets (dist/<sheet>.pdf).

    \b
    Example:
      cheatdeck --paper a4 --grayscale pdf
    """
    _run(opts, ("pdf",))


@cli.command()
@click.pass_obj
def anki(opts: Options) -> None:
    """Build only the Anki packages (dist/<sheet>.apkg).

    \b
    Example:
      cheatdeck anki
    """
    _run(opts, ("anki",))


@cli.command()
@click.pass_obj
def check(opts: Options) -> None:
    """Validate every sheet and print its counts, or all of its errors.

    \b
    Example:
      cheatdeck check
      cheatdeck --source tests/fixtures/tiny.yaml check
    """
    from ..source.compile import load
    from .report import check_line

    failed: list[CheatdeckError] = []
    for path in find_sheets(opts):
        try:
            sheet = load(path, opts.display(path))
        except CheatdeckError as err:
            failed.append(err)
            continue
        if opts.verbosity:
            click.echo(check_line(sheet, opts.display(path)))
    if failed:
        raise CheatdeckError([p for err in failed for p in err.problems])


@cli.command()
@click.pass_obj
def stats(opts: Options) -> None:
    """Show notes and cards per deck and tag, and the PDF's size, pages and fill.

    \b
    Example:
      cheatdeck stats
      cheatdeck --paper a4 stats
    """
    from .report import stats_lines
    from ..stats import sheet_stats

    for path in find_sheets(opts):
        for line in stats_lines(sheet_stats(path, opts)):
            click.echo(line)


@cli.command()
@click.pass_obj
def watch(opts: Options) -> None:
    """Build, then rebuild a sheet each time you save it (or a template); Ctrl-C stops.

    \b
    Example:
      cheatdeck watch
    """
    from ..watch import watch as watch_sheets

    click.echo("watching " + ", ".join(opts.display(p) for p in (opts.source, opts.templates)) + " (Ctrl-C stops)")
    watch_sheets(opts, _printer(opts))
    click.echo("stopped")


@cli.command()
@click.pass_obj
def clean(opts: Options) -> None:
    """Remove the built outputs from the output folder.

    \b
    Example:
      cheatdeck clean
    """
    from ..build import clean as clean_outputs

    removed = clean_outputs(opts)
    if opts.verbosity:
        click.echo(f"removed {len(removed)} file(s) from {opts.display(opts.out)}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the sheet format (for editor completion).

    \b
    Example:
      cheatdeck schema > source/cheatdeck.schema.json
    """
    from ..source.format import json_schema

    click.echo(json_schema(), nl=False)


def main() -> None:
    try:
        cli(prog_name="cheatdeck")
    except BrokenPipeError:
        # The reader (`| head`) left; point stdout at devnull so the exit flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)

"""The `cheatdeck` command group: exit codes, error printing, and the entry point.

Exit codes: 0 done, 1 a problem in a sheet (every one is printed with its file and line), 2 a usage error,
3 an internal error (one line; --debug shows the traceback).
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..errors import CheatdeckError
from .commands import COMMANDS
from .report import show_error
from .runner import run
from .settings import Settings, settings, shared_options


class SheetProblems(click.ClickException):
    """A CheatdeckError on its way to the terminal: every problem, then exit 1."""

    exit_code = 1

    def __init__(self, error: CheatdeckError):
        super().__init__(error.render())
        self.error = error

    def show(self, file=None) -> None:
        show_error(self.error, file)


class _Group(click.Group):
    """Turns library errors into messages, and unexpected exceptions into one line unless --debug."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        # `cheatdeck chem.yaml` builds that sheet: a path where a command belongs means `build PATH`.
        if args and self.get_command(ctx, args[0]) is None and Path(args[0]).exists():
            args = ["build", *args]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CheatdeckError as err:
            if settings().debug:
                import traceback

                traceback.print_exc()
            raise SheetProblems(err) from None
        except (click.exceptions.Exit, click.Abort, click.ClickException, BrokenPipeError):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:
            if settings().debug:
                raise
            err = click.ClickException(f"internal error: {exc!r}; run again with --debug for the traceback")
            err.exit_code = 3
            raise err from None


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@shared_options
@click.version_option(__version__, prog_name="cheatdeck")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Compile YAML study sheets into Anki decks and a printable cheat sheet.

    Options work before or after the command. Sheets are found in the source/
    folder here or in a folder above, as git finds .git.

    \b
    Example:
      cheatdeck                          # build every sheet into dist/
      cheatdeck build source/chem.yaml   # build one sheet
      cheatdeck pdf --paper a4 --grayscale
      cheatdeck check                    # validate the sources only
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(COMMANDS[0])


for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    run(lambda: cli(prog_name="cheatdeck", obj=Settings()))

"""The `cheatdeck` command group: exit codes, error printing, and the entry point.

Exit codes: 0 done, 1 a problem in a sheet (every one is printed with its file and line) or one the environment
caused (a full disk, a read-only folder: the path, the cause and what to do), 2 a usage error, 3 an internal
error, a bug (one line; --debug shows the traceback).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import __version__
from ..environment import environment_error
from ..errors import CheatdeckError, UsageError
from ..source.discover import SOURCE_FOLDER, find_project
from .commands import COMMANDS
from .report import show_error
from .runner import run
from .settings import Settings, display, settings, shared_options


class SheetProblems(click.ClickException):
    """A CheatdeckError on its way to the terminal: every problem, then exit 1 (2 for a usage error)."""

    def __init__(self, error: CheatdeckError):
        super().__init__(error.render())
        self.error = error
        self.exit_code = 2 if isinstance(error, UsageError) else 1

    def show(self, file=None) -> None:
        show_error(self.error, file)


class _Group(click.Group):
    """Turns library errors into messages, and unexpected exceptions into one line unless --debug."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        # `cheatdeck chem.yaml` builds that sheet: a path where a command belongs means `build PATH` (and a
        # sheet file that is not there is then reported as such, not as an unknown command).
        if args and self.get_command(ctx, args[0]) is None:
            if _names_a_path(args[0]):
                args = ["build", *args]
            elif (sheet := _project_sheet(args[0])) is not None:
                ctx.fail(f"No such command {args[0]!r}; to build the sheet {args[0]}, name its file: "
                         f"cheatdeck {sheet}")
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
            # What the library did not place (a full disk while reading a template, say) is still no bug.
            environment = environment_error(exc) if isinstance(exc, OSError) else None
            if environment is not None:
                raise SheetProblems(environment) from None
            if settings().debug:
                raise
            err = click.ClickException(f"internal error: {exc!r}; run again with --debug for the traceback")
            err.exit_code = 3
            raise err from None


def _names_a_path(arg: str) -> bool:
    return Path(arg).exists() or arg.endswith((".yaml", ".yml")) or "/" in arg or os.sep in arg


def _project_sheet(name: str) -> Path | None:
    """The project's sheet file named `name` (`cheatdeck chem-101` for source/chem-101.yaml), if there is one."""
    project = find_project(Path.cwd())
    path = project / SOURCE_FOLDER / f"{name}.yaml" if project is not None else None
    return display(path) if path is not None and path.is_file() else None


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

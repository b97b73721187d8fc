"""The options every command takes, before or after the command name, turned into what the library needs.

`cheatdeck --paper a4 pdf` and `cheatdeck pdf --paper a4` mean the same: each option is declared on the group
and on every command, and a value the user typed (never a default) lands in one `Settings` on the root context.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click
from click.core import ParameterSource

from ..errors import CheatdeckError, Location, Problem, UsageError
from ..options import COLUMNS, PAGES, PAPERS, TEMPLATES, Options, PrintOptions
from ..source.discover import SOURCE_FOLDER, find_project, find_sheets


class Settings:
    """What the command line says, from the group and the command alike: each value the user typed is set on the
    instance; the rest read these class defaults (all immutable; a plain class, as a dataclass's generated methods
    cost every start and nothing here compares or prints one)."""

    source: Path | None = None
    out: Path | None = None
    sheet_ids: tuple[str, ...] = ()
    force: bool = False
    verbosity: int = 1
    templates: Path = TEMPLATES
    # None unless typed: the sheet's own `print:` setting applies.
    paper: str | None = None
    pages: int | None = None
    columns: int | None = None
    grayscale: bool | None = None
    png: bool = False
    debug: bool = False
    sheets: tuple[Path, ...] = ()

    def options(self) -> Options:
        return Options(out=self.out or self._project_out(), force=self.force, templates=self.templates,
                       print=PrintOptions(paper=self.paper, pages=self.pages, columns=self.columns,
                                          grayscale=self.grayscale, png=self.png))

    def sources(self) -> list[Path]:
        """What the user named (sheet arguments, then --source), as typed; else the source/ folder found upwards."""
        if self.sheets or self.source:
            return [*self.sheets, *((self.source,) if self.source else ())]
        project = find_project(Path.cwd())
        if project is None:
            raise UsageError(Problem(Location(""), f"no {SOURCE_FOLDER}/ folder of *.yaml sheets here or in any "
                                                       "folder above; name a sheet file, or use --source FOLDER"))
        return [display(project / SOURCE_FOLDER)]

    def sheet_paths(self) -> list[Path]:
        return find_sheets(self.sources(), self.sheet_ids)

    def _project_out(self) -> Path:
        """dist/ beside the project's source/ folder, so a build from inside source/ still writes to the project's dist/."""
        if self.sheets or self.source:
            return Path("dist")
        project = find_project(Path.cwd())
        return display(project / "dist") if project else Path("dist")


def display(path: Path) -> Path:
    """A path cheatdeck found, as the user would type it: relative to the working folder, unless the absolute
    form is shorter. Paths the user typed are shown as typed."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if path.is_absolute() and len(str(path)) < len(relative) else Path(relative)


def settings() -> Settings:
    return click.get_current_context().find_root().ensure_object(Settings)


def _store(name: str) -> Callable:
    def callback(ctx: click.Context, param: click.Parameter, value):
        if ctx.get_parameter_source(param.name) is not ParameterSource.DEFAULT:
            root = ctx.find_root().ensure_object(Settings)
            setattr(root, name, root.sheet_ids + tuple(value) if name == "sheet_ids" else value)
    return callback


def _option(*decls: str, name: str, **kw) -> click.Option:
    return click.Option([*decls, name], callback=_store(name), expose_value=False, **kw)


def _attach(param: click.Parameter, command: Callable) -> Callable:
    """`param` on `command`, as click's own decorators put it there (on the function until it becomes a command)."""
    if isinstance(command, click.Command):
        command.params.append(param)
    else:
        command.__click_params__ = [*getattr(command, "__click_params__", []), param]
    return command


_SHARED = [
    _option("--source", name="source", type=click.Path(path_type=Path, exists=True),
            help="A sheet file, or a folder of *.yaml sheets [default: source/ here or above]. "
                 "Example: --source ~/notes/chem.yaml"),
    _option("--out", name="out", type=click.Path(path_type=Path, file_okay=False),
            help="Folder for the outputs [default: dist/ beside source/]. Example: --out /tmp/print"),
    _option("--sheet", name="sheet_ids", metavar="ID", multiple=True,
            help="Only the sheet with this id (repeatable). Example: --sheet mla-c01"),
    _option("--force", name="force", is_flag=True, help="Rebuild even when the outputs are up to date. Example: cheatdeck build --force"),
    _option("-q", "--quiet", name="verbosity", flag_value=0, help="Print errors only (and the warning that an import would skip notes). Example: cheatdeck -q"),
    _option("-v", "--verbose", name="verbosity", flag_value=2, help="Print every note change. Example: cheatdeck anki -v"),
    _option("--templates", name="templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
            help="Card templates, PDF theme and fonts [default: the installed templates/]. "
                 "Example: --templates my-theme/"),
    _option("--paper", name="paper", type=click.Choice(PAPERS, case_sensitive=False),
            help="Paper size of the PDF, landscape [default: the sheet's print: paper, else letter]. "
                 "Example: --paper a4"),
    _option("--pages", name="pages", type=click.IntRange(*PAGES),
            help="Page budget of the PDF; 2 = one sheet, both sides [default: the sheet's print: pages, else 2]. "
                 "Example: --pages 4"),
    _option("--columns", name="columns", type=click.IntRange(*COLUMNS),
            help="Columns per PDF page [default: the sheet's print: columns, else the theme's 4]. Example: --columns 5"),
    _option("--grayscale/--color", name="grayscale", default=None,
            help="PDF for a black-and-white printer, or in colour [default: the sheet's print: grayscale, else "
                 "colour]. Example: cheatdeck pdf --grayscale"),
    _option("--png", name="png", is_flag=True, help="Also write a PNG preview of each PDF page. Example: cheatdeck pdf --png"),
    _option("--debug", name="debug", is_flag=True, help="Show the Python traceback of an error. Example: cheatdeck --debug"),
]


def shared_options(command: Callable) -> Callable:
    """The shared options on `command`: the same Option objects on the group and every command, made once (click
    keeps nothing of a run in them; making a set for each of 14 commands took a fiftieth of a cold build)."""
    for option in reversed(_SHARED):
        command = _attach(option, command)
    return command


_SHEETS = click.Argument(["sheets"], nargs=-1, type=click.Path(path_type=Path, exists=True, dir_okay=True),
                         callback=_store("sheets"), expose_value=False)


def sheet_arguments(command: Callable) -> Callable:
    return _attach(_SHEETS, command)

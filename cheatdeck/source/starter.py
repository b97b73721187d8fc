"""`new`: a first sheet to edit, and in an empty folder the files a student's own repository needs.

The files are templates in templates/new/; nothing that exists is ever overwritten.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import Location, Problem, UsageError
from ..options import TEMPLATES
from .discover import SOURCE_FOLDER, find_project
from .format import SLUG_PATTERN, json_schema

SCHEMA = "cheatdeck.schema.json"
# template in templates/new/ → where it goes in a new project (names without dots, so the package ships them)
PROJECT_FILES = (("gitignore", ".gitignore"), ("pre-commit-config.yaml", ".pre-commit-config.yaml"),
                 ("workflow.yml", ".github/workflows/cheatdeck.yml"))
# What a folder may hold and still be new: a `git init` made there.
_NEW_FOLDER_HOLDS = {".git"}


@dataclass(frozen=True)
class Started:
    sheet: Path
    written: tuple[Path, ...]
    """Every file written, the sheet first."""
    kept: tuple[Path, ...]
    """Files that were there already, left as they were."""


def new(sheet_id: str, folder: Path | str = ".", templates: Path = TEMPLATES) -> Started:
    """Write source/<sheet_id>.yaml, a starter sheet, into the project around `folder` (else into `folder`),
    with the editor's schema beside it; into a `folder` that is empty, also .gitignore, a pre-commit hook
    running `cheatdeck check --strict` and a CI workflow that builds dist/. Raises UsageError for an id that
    cannot name a sheet, or a sheet that exists."""
    folder = Path(folder)
    if not (re.match(SLUG_PATTERN, sheet_id) and len(sheet_id) <= 64):
        raise UsageError(Problem(Location(""), f"{sheet_id!r} cannot be a sheet's id: use lowercase letters, digits "
                                               "and single hyphens, e.g. 'chem-101'"))
    project = find_project(folder)
    # Paths as the caller would write them: from `folder`, even to a project found above it.
    root = folder / os.path.relpath(project, folder.resolve()) if project else folder
    sheet = root / SOURCE_FOLDER / f"{sheet_id}.yaml"
    if sheet.exists():
        raise UsageError(Problem(Location(str(sheet)), "this sheet exists already, and `new` never overwrites a "
                                                       "file: choose another id"))
    values = {"id": sheet_id, "title": sheet_id.replace("-", " ").capitalize(), "version": __version__}
    files = [(sheet, _render(templates / "new" / "sheet.yaml", values)), (sheet.parent / SCHEMA, json_schema())]
    if project is None and _is_new(folder):
        files += [(folder / target, _render(templates / "new" / name, values)) for name, target in PROJECT_FILES]
    written, kept = [], []
    for path, text in files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as file:
                file.write(text)
        except FileExistsError:
            kept.append(path)
            continue
        written.append(path)
    return Started(sheet, tuple(written), tuple(kept))


def _is_new(folder: Path) -> bool:
    return not folder.exists() or all(entry.name in _NEW_FOLDER_HOLDS for entry in folder.iterdir())


def _render(template: Path, values: dict[str, str]) -> str:
    # safe_substitute: `$schema` in the sheet's first line, and GitHub's `${{ }}`, are not ours to fill.
    return string.Template(template.read_text(encoding="utf-8")).safe_substitute(values)

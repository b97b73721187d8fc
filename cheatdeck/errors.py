"""Errors are values with a source location until the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

DocPath = tuple[str | int, ...]


def format_path(path: DocPath) -> str:
    """Render ("domains", 1, "sections") as domains[1].sections."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class Location(NamedTuple):
    """Where a node starts: one per piece of text, so it is a cheap tuple."""

    file: str
    line: int = 0
    column: int = 0
    parts: DocPath = ()

    @property
    def path(self) -> str:
        """The path in the document, formatted only when shown (most locations never are)."""
        return format_path(self.parts)

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        return where


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a sheet (or weak in it), and where: printed by the command line as `file:line:column:
    message`."""

    loc: Location
    message: str

    def __str__(self) -> str:
        if not self.loc.file:
            return self.message
        at = f" (at {self.loc.path})" if self.loc.path else ""
        return f"{self.loc}: {self.message}{at}"


class CheatdeckError(Exception):
    """One or more problems in what the user gave (a sheet, an option); `problems` holds them all, in file order."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(Location(""), problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems, key=lambda p: (p.loc.file, p.loc.line, p.loc.column))
        super().__init__(self.render())

    @classmethod
    def combined(cls, errors) -> CheatdeckError:
        """One error holding every problem of several (a run over many sheets or outputs)."""
        return cls([p for err in errors for p in err.problems])

    def render(self) -> str:
        lines = [str(p) for p in self.problems]
        if len(lines) > 1:
            lines.append(f"{len(lines)} errors")
        return "\n".join(lines)


class UsageError(CheatdeckError):
    """A problem with what was asked rather than in a sheet: a sheet, folder, id or collection that is not there,
    or a tool that is not installed. The command line exits with 2 for it, as for a mistyped option."""

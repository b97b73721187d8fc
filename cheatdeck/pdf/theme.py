"""The PDF theme: templates/pdf/theme.yaml, validated, with the fonts it names registered."""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import msgspec
import yaml

from .. import colors
from ..colors import Color
from ..errors import CheatdeckError, Location, Problem

ABSOLUTE_FLOOR = 6.5


class Fonts(msgspec.Struct, forbid_unknown_fields=True):
    regular: str
    bold: str
    italic: str
    bold_italic: str
    mono: str
    mono_bold: str
    # Tried in order for a character the faces above lack: a file in templates/fonts/, or a path.
    fallback: list[str] = []


class Body(msgspec.Struct, forbid_unknown_fields=True):
    ceiling: float
    floor: Annotated[float, msgspec.Meta(ge=ABSOLUTE_FLOOR)]
    step: Annotated[float, msgspec.Meta(gt=0)]
    leading: Annotated[float, msgspec.Meta(ge=1.0)]
    # How large a sheet that fits at the ceiling with room to spare may grow, on the pages it takes there.
    grow: float | None = None


class Scale(msgspec.Struct, forbid_unknown_fields=True):
    title: float
    section: float
    small: float


class Spacing(msgspec.Struct, forbid_unknown_fields=True):
    section: float
    block: float
    item: float
    bar: float


class Scripts(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Sub- and superscripts: their size, and how far they are lowered or raised, as shares of the text's size."""

    size: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.7
    sub: Annotated[float, msgspec.Meta(ge=0, le=0.5)] = 0.18
    sup: Annotated[float, msgspec.Meta(ge=0, le=0.5)] = 0.33

    def tags(self) -> tuple[str, str]:
        """The tags that open a subscript and a superscript, in ReportLab's markup (shares as percentages)."""
        size = f'size="{self.size * 100:g}%"'
        return f'<sub rise="{self.sub * 100:g}%" {size}>', f'<super rise="{self.sup * 100:g}%" {size}>'


class Palette(msgspec.Struct, forbid_unknown_fields=True):
    text: Color
    muted: Color
    rule: Color
    table_header: Color
    zebra: Color
    trap: Color
    trap_gray: Color
    trap_fill: Color
    quickref: Color
    domains: list[Color] = []  # read by the loader (source/compile.py) for domains without a colour


class Words(msgspec.Struct, forbid_unknown_fields=True):
    """The words the printed sheet says itself, in one language: a trap's tab, a continued section's title, an
    item's why, and the footer's version and page ({version}, {number} and {total} filled in)."""

    trap: str = "TRAP"
    continued: str = "(cont.)"
    why: str = "Why"
    version: str = "version {version}"
    page: str = "page {number} / {total}"


# What each of Words' templates is filled in with.
_PLACEHOLDERS = {"version": {"version": "1"}, "page": {"number": 1, "total": 2}}


class Theme(msgspec.Struct, forbid_unknown_fields=True):
    fonts: Fonts
    body: Body
    columns: Annotated[int, msgspec.Meta(ge=1, le=8)]
    margin_in: Annotated[float, msgspec.Meta(ge=0.3)]
    gutter: float
    scale: Scale
    spacing: Spacing
    tracking: list[Annotated[float, msgspec.Meta(ge=-0.02, lt=0)]]
    palette: Palette
    scripts: Scripts = Scripts()
    # By the sheet's language (BCP 47); a sheet in none of them, or that says none, prints the English defaults.
    words: dict[str, Words] = {}

    def words_for(self, language: str | None) -> Words:
        """The words for `language`: its own, else those of the tag with its last part cut off, in turn
        (zh-Hant-TW: zh-Hant, then zh), else English."""
        by_tag = {tag.lower(): words for tag, words in self.words.items()}
        parts = (language or "en").lower().split("-")
        return next((by_tag[tag] for n in range(len(parts), 0, -1) if (tag := "-".join(parts[:n])) in by_tag),
                    Words())


def candidate_sizes(theme: Theme) -> list[float]:
    """The sizes text may be set at, largest first: from the ceiling down to the floor in the theme's steps."""
    body = theme.body
    steps = int(round((body.ceiling - body.floor) / body.step))
    return [round(body.ceiling - i * body.step, 4) for i in range(steps + 1)]


def grown_sizes(theme: Theme, fitted: float) -> list[float]:
    """The sizes above the ceiling a short sheet may grow to, largest first, then `fitted` (the ceiling)."""
    body = theme.body
    steps = int(round(((body.grow or body.ceiling) - body.ceiling) / body.step))
    return [round(body.ceiling + i * body.step, 4) for i in range(steps, 0, -1)] + [fitted]


def index_at_or_below(sizes: list[float], size: float) -> int:
    """The index of the largest of `sizes` (largest first) not above `size`: the floor's if all are."""
    return next((i for i, s in enumerate(sizes) if s <= size + 1e-9), len(sizes) - 1)


def load_theme(path: Path) -> Theme:
    """The theme at `path`; raises CheatdeckError with every problem it has."""
    where = Location(str(path))
    try:
        # libyaml's loader where there is one: a tenth of the pure-Python loader's time, the same data.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as exc:
        raise CheatdeckError(Problem(where, f"invalid PDF theme: {exc}")) from None
    problems = _problems(data, Theme, "")
    theme = None if problems else msgspec.convert(data, Theme)
    problems += _placeholder_problems(theme) if theme else []
    if problems:
        raise CheatdeckError([Problem(where, f"invalid PDF theme: {problem}") for problem in problems])
    return theme


def _placeholder_problems(theme: Theme) -> list[str]:
    """Each of the theme's words whose template names a placeholder it is not given ({numbr}, {0}) or opens a
    brace it does not close."""
    problems = []
    for language, words in theme.words.items():
        for name, fields in _PLACEHOLDERS.items():
            text = getattr(words, name)
            if not _fills_in(text, fields):
                expected = " and ".join(f"{{{field}}}" for field in fields)
                problems.append(f"words.{language}.{name}: {text!r} may name only {expected} in braces")
    return problems


def _fills_in(text: str, fields: dict[str, object]) -> bool:
    """Whether `text` names no placeholder but `fields`, each bare ({number}; not {number.real} nor {0}), and
    formats."""
    try:
        named = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        text.format(**fields)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        return False
    return named <= set(fields)


def _problems(data: object, kind: object, path: str) -> list[str]:
    """Every field of `data` that is unknown, missing or not valid as `kind` says, each with its path."""
    if not (isinstance(kind, type) and issubclass(kind, msgspec.Struct) and isinstance(data, dict)):
        try:
            msgspec.convert(data, kind)
        except msgspec.ValidationError as exc:
            message, _, at = str(exc).partition(" - at `$")
            return [f"{(path.rstrip('.') + at.rstrip('`')) or 'the theme'}: {message}"]
        return []
    fields = {f.encode_name: f for f in msgspec.structs.fields(kind)}
    problems = [f"{path}{name}: unknown field (expected one of: {', '.join(fields)})"
                for name in data if name not in fields]
    for name, spec in fields.items():
        if name in data:
            problems += _problems(data[name], spec.type, f"{path}{name}.")
        elif spec.required:
            problems.append(f"{path}{name}: missing")
    return problems


@functools.lru_cache(maxsize=256)
def as_reportlab(hex_color: str):
    """A colour as ReportLab's: given as text, ReportLab converts it again wherever it is used (`toColor`,
    `ast.literal_eval` included)."""
    from reportlab.lib.colors import toColor

    return toColor(hex_color)


@dataclass(frozen=True)
class Ink:
    """Colours as printed: the theme's, or their grays for a black-and-white printer."""

    grayscale: bool

    def __call__(self, hex_color: str) -> str:
        return colors.gray(hex_color) if self.grayscale else hex_color

    def accent(self, colour: str, gray: str) -> str:
        """An accent that prints as `gray` in grayscale rather than as the gray of its colour."""
        return gray if self.grayscale else colour

    def on(self, fill: str) -> str:
        return colors.text_on(self(fill))

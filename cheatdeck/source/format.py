"""The source format: what a sheet YAML may say, as typed declarations.

These Structs are the single definition of the format: `load` validates
against them and `cheatdeck schema` generates the editor's JSON Schema from
them. Rules that span several nodes (unique ids, weights adding to 100, row
widths) live in `load`, which has the positions to point at both places.
"""

# Annotations are evaluated here, as the classes are made (no `from __future__ import annotations`): msgspec
# would otherwise evaluate each one from its string on first use, which cost more.
import datetime
import json
from typing import Annotated, Literal, get_args

import msgspec

from ..colors import COLOR_PATTERN, Color  # noqa: F401 (validate.py reads COLOR_PATTERN here)
from ..options import COLUMNS, PAGES, PAPERS

MAX_TEXT = 2000
KEY_SEPARATOR = ": "
# Chinese and Japanese end a key with the fullwidth colon and no space: a bullet without ': ' may, beside a
# character of theirs.
WIDE_KEY_SEPARATOR = "\uff1a"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
WIDTH_PATTERN = r"^(100|[1-9][0-9]?)%$"
LABEL_PATTERN = r"^\S+$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"

Text = Annotated[str, msgspec.Meta(
    min_length=1, max_length=MAX_TEXT, pattern=r"\S",
    description="Inline text: **bold**, *italic*, `code`, $math$, $$display math$$, H~2~O, x^2^, "
                "![alt](image.png), {{c1::cloze::hint}} (bullets); several lines (|) or ``` fences make a "
                "code block; \\$ is a literal $; < & > are literal.")]
Slug = Annotated[str, msgspec.Meta(
    pattern=SLUG_PATTERN, max_length=64,
    description="Stable id: lowercase letters, digits and single hyphens. Keep it when you reword.")]
# Letters and digits of any script; the pattern (read alike by Python and ECMA-262) refuses ASCII
# punctuation, capitals and spaces, and `load` checks the rest (case folded, no symbols).
IDENT_PATTERN = r"^[^\s!-/:-@A-Z\[-`{-~]+(-[^\s!-/:-@A-Z\[-`{-~]+)*$"
Ident = Annotated[str, msgspec.Meta(
    pattern=IDENT_PATTERN, max_length=64,
    description="Stable id: lowercase letters and digits of any script, joined by single hyphens "
                "(ΔG → δg, 今日 → 今日). Keep it when you reword.")]
MAX_DOMAINS = 12
# A conjugation table (a verb and six persons) needs 7; the page's width search sets 10 in a column, word-whole.
MAX_TABLE_COLUMNS = 10
Cards = Annotated[Literal["both", "forward", "none"], msgspec.Meta(
    description="Anki cards: both (forward and reverse, as `reverse: true`), forward only, or none.")]
LintRule = Literal["enumeration", "vague-stem", "yes-no", "long-answer", "asked-twice", "give-away",
                   "header-question", "bare-label", "contains-answer", "long-back", "twins"]
LINT_RULES = get_args(LintRule)
"""The card lint's rules by name, as `lint:` silences them (cheatdeck.deck.lint has a module per rule)."""
Lint = Annotated[dict[LintRule, Text], msgspec.Meta(
    min_length=1, description="Card lint rules this item is exempt from, each with the reason, e.g. "
                              "{enumeration: the four statuses are one sequence}.")]
Why = Annotated[Text, msgspec.Meta(
    description="Why it matters: printed on the card's back under the answer; on the page only with "
                "`print: {why: true}`.")]
ListCards = Annotated[Literal["both", "forward", "none", "cloze"], msgspec.Meta(
    description="Anki cards: both (forward and reverse, as `reverse: true`), forward only, none, or cloze "
                "(a list answer becomes one cloze note with a card per item, the others shown).")]
Reverse = Annotated[bool | None, msgspec.Meta(
    description="Also ask the other way round (answer → key). Off unless a sheet, section or item turns it on; "
                "even then an item whose answer is not unique, or contains its key, gets no reverse card.")]


class _Spec(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    pass


class BulletSpec(_Spec):
    """A bullet that needs more than its text: a pinned id, an explicit question, or no cards."""

    text: Text
    id: Ident | None = None
    q: Annotated[Text | None, msgspec.Meta(description="Card question; default: the text before ': '.")] = None
    a: Annotated[Text | None, msgspec.Meta(
        description="Card answer; default: the text after ': ', or all of it when the bullet has its own `q`.")] = None
    cards: ListCards | None = None
    reverse: Reverse = None
    why: Why | None = None
    lint: Lint | None = None


class RowSpec(_Spec):
    """A table row that pins its id or changes its cards."""

    cells: list[Text]
    id: Ident | None = None
    cards: ListCards | None = None
    reverse: Reverse = None
    why: Why | None = None
    lint: Lint | None = None


class TableSpec(_Spec):
    """A table; the first column is the key, and each row gives one card per asked column."""

    columns: Annotated[list[Text], msgspec.Meta(min_length=2, max_length=MAX_TABLE_COLUMNS, description=(
        f"Column headers, 2 to {MAX_TABLE_COLUMNS}; the first column is the key."))]
    rows: Annotated[list[list[Text] | RowSpec], msgspec.Meta(min_length=1)]
    ask: Annotated[Annotated[list[Text], msgspec.Meta(min_length=1)] | Annotated[
        dict[str, Text], msgspec.Meta(min_length=1)] | None, msgspec.Meta(
        description="The columns the cards ask for, one card each; default: every column whose cells all differ "
                    "from row to row. A mapping gives each its question, with {Column} for a cell of the row: "
                    "{Parameter: \"Which setting encrypts {Resource} with a KMS key?\"}.")] = None
    cards: ListCards | None = None
    reverse: Reverse = None


class TrapSpec(_Spec):
    """An exam trap: the rule, and the scenario the card asks about."""

    text: Text
    id: Ident | None = None
    q: Annotated[Text | None, msgspec.Meta(description="The scenario or decision the card asks about.")] = None
    a: Annotated[Text | None, msgspec.Meta(
        description="The short answer the card's back leads with, in bold; default: the whole text.")] = None
    cards: Literal["forward", "none"] = "forward"
    why: Why | None = None
    lint: Lint | None = None


class ImageSpec(_Spec):
    """An image drawn in the section on the printed sheet."""

    file: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S",
                                      description="PNG, JPEG or SVG file, relative to the sheet; at most 10 MB.")]
    caption: Text | None = None
    width: Annotated[str, msgspec.Meta(pattern=WIDTH_PATTERN,
                                       description="Share of the column width, from 1% to 100%.")] = "100%"


class SectionSpec(_Spec):
    id: Ident
    title: Text
    bullets: list[Text | BulletSpec] = []
    table: TableSpec | None = None
    traps: list[Text | TrapSpec] = []
    reverse: Reverse = None
    image: ImageSpec | None = None


class DomainSpec(_Spec):
    id: Ident
    name: Text
    sections: Annotated[list[SectionSpec], msgspec.Meta(min_length=1)]
    short: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S",
                                       description="Short name for the header chips; default: the name.")] | None = None
    color: Annotated[Color | None, msgspec.Meta(
        description="Colour of the domain's bars and chips; default: the theme's next domain colour.")] = None
    label: Annotated[str, msgspec.Meta(
        min_length=1, max_length=8, pattern=LABEL_PATTERN,
        description="Tag on the section bars, chips and decks; default: D1, D2, … by position.")] | None = None
    weight: Annotated[int, msgspec.Meta(
        ge=0, le=100, description="Exam weight in percent, shown in the header chips and deck descriptions. "
                                  "Give every domain one (adding to 100) or none.")] | None = None


class QuickRowSpec(_Spec):
    domain: Ident
    cells: list[Text]
    id: Ident | None = None
    q: Annotated[Text | None, msgspec.Meta(
        description="The situation the decision card asks about; default: the first cell.")] = None
    a: Annotated[Text | None, msgspec.Meta(
        description="The short answer the card's back leads with, in bold; default: the last cell.")] = None
    cards: Literal["forward", "none"] | None = None
    why: Why | None = None
    lint: Lint | None = None


class QuickReferenceSpec(_Spec):
    columns: Annotated[list[Text], msgspec.Meta(min_length=2, max_length=6)]
    rows: Annotated[list[QuickRowSpec], msgspec.Meta(min_length=1)]
    title: Text = "Master Quick Reference"


class PrintSpec(_Spec):
    """How the PDF is printed unless the command line says otherwise."""

    paper: Annotated[Literal[PAPERS], msgspec.Meta(
        description="Paper size, landscape; default: letter.")] | None = None
    pages: Annotated[int, msgspec.Meta(
        ge=PAGES[0], description="Page budget; 2 = one sheet, both sides (the default). No top: the PDF never "
        "takes more pages than the sheet fills at the largest text size.")] | None = None
    columns: Annotated[int, msgspec.Meta(
        ge=COLUMNS[0], le=COLUMNS[1], description="Columns per page; default: the theme's (4).")] | None = None
    grayscale: Annotated[bool, msgspec.Meta(
        description="Print for a black-and-white printer; default: false.")] | None = None
    why: Annotated[bool, msgspec.Meta(
        description="Print each item's `why:` on the page too; default: false (cards only).")] | None = None
    quick_reference: Annotated[Literal["full", "compact", "none"], msgspec.Meta(
        description="The quick reference as printed: every row (full), without what the sections already say "
                    "(compact: a row's facts the sheet states, and rows whose rule a trap prints), or not at all; "
                    "default: compact. The cards come from every row.")] | None = None


class SheetSpec(_Spec):
    """A study sheet: compiled to dist/<id>.apkg and dist/<id>.pdf."""

    id: Slug
    title: Text
    version: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z.+-]{1,32}$", description="Printed in the footer.")]
    domains: Annotated[list[DomainSpec], msgspec.Meta(min_length=1, max_length=MAX_DOMAINS)]
    deck: Annotated[Text | None, msgspec.Meta(description="Root Anki deck name; default: the title.")] = None
    subtitle: Text | None = None
    author: Text | None = None
    date: Annotated[datetime.date | None, msgspec.Meta(
        description="Date printed in the PDF's metadata (YYYY-MM-DD).")] = None
    quick_reference: QuickReferenceSpec | None = None
    reverse: Annotated[bool, msgspec.Meta(
        description="Reverse cards for the whole sheet (answer → key); sections and items may override.")] = False
    facts: Annotated[list[Text], msgspec.Meta(max_length=6, description=(
        "Exam facts printed in the PDF's header band, e.g. [65 questions, 130 min, pass 720/1000]."))] = []
    print: PrintSpec | None = None
    media_root: Annotated[str, msgspec.Meta(
        min_length=1, max_length=500, pattern=r"\S",
        description="A folder, relative to the sheet's, that images may also come from, e.g. '..' for the "
                    "project; by default only the sheet's folder and the folders inside it.")] | None = None
    language: Annotated[str, msgspec.Meta(
        pattern=LANGUAGE_PATTERN,
        description="The sheet's language, a BCP 47 tag such as de or pt-BR: the PDF says it to screen readers, "
                    "and in a language other than English (en, the default) a table's card asks its column "
                    "header as written (\"Membranen?\") instead of \"Which membranen?\".")] | None = None
    glossary: Annotated[dict[str, Text], msgspec.Meta(description=(
        "Shorthand the page may use and the cards spell out, whole words only: {Tx: transform, ms: milliseconds}."
    ))] = {}


def json_schema() -> str:
    schema = msgspec.json.schema(SheetSpec)
    shorthand = {"type": "object", "minProperties": 1, "maxProperties": 1,
                 "additionalProperties": {"type": "string"},
                 "description": "Shorthand for the bullet 'Key: value'."}
    schema["$defs"]["SectionSpec"]["properties"]["bullets"]["items"]["anyOf"].append(shorthand)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cheatdeck sheet"
    return json.dumps(_author_names(schema), indent=2, sort_keys=True) + "\n"


def _author_names(node):
    """The schema with each definition named as the author writes it (Section), not as our Spec type."""
    if isinstance(node, list):
        return [_author_names(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref":
            value = value.removesuffix("Spec")
        elif key == "title" and isinstance(value, str):
            value = value.removesuffix("Spec")
        elif key == "$defs":
            value = {name.removesuffix("Spec"): definition for name, definition in value.items()}
        out[key] = _author_names(value)
    return out

"""Three-way merge of one note, field by field: the collection's text, the sheet's, and what cheatdeck last wrote.

- changed in the sheet only: the sheet's text goes in;
- changed in Anki only: the user's text stays;
- changed on both sides: a conflict. The user's text stays (the sheet's with `prefer_sheet`), both are
  reported, and the sheet's text is recorded as seen, so the next sync reports it once, not forever;
- no record yet (the note came in by a file import before its first sync): a field that differs cannot be
  told apart from an edit, so it is a conflict too.

Tags in the sheet's namespace (`<sheet>::…`, the removed tag among them) are the sheet's; any other tag is
the user's and stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import digest


@dataclass(frozen=True)
class Conflict:
    ident: str
    """The note's Id field (`<sheet>/<identity>`), which the Browser finds."""
    field: str
    anki: str
    sheet: str


@dataclass(frozen=True)
class Merged:
    fields: list[str]
    record: list[str]
    conflicts: list[Conflict]
    from_sheet: bool
    """A field took the sheet's text."""
    kept_edit: bool
    """A field kept an edit made in Anki (with or without a conflict)."""


def merge_fields(names: tuple[str, ...], anki: list[str], sheet: tuple[str, ...], recorded: list[str] | None,
                 prefer_sheet: bool = False) -> Merged:
    fields, record, conflicts = list(anki), [], []
    from_sheet = kept_edit = False
    ident = sheet[-1] if sheet else ""
    for i, (name, theirs) in enumerate(zip(names, sheet)):
        ours = anki[i] if i < len(anki) else ""
        seen = digest(theirs)
        if ours == theirs:
            record.append(seen)
            continue
        last = recorded[i] if recorded and i < len(recorded) else None
        edited = last is None or digest(ours) != last
        changed = last is None or seen != last
        if not edited:
            fields[i], from_sheet = theirs, True
        elif changed:
            conflicts.append(Conflict(ident, name, ours, theirs))
            if prefer_sheet:
                fields[i], from_sheet = theirs, True
            else:
                kept_edit = True
        else:
            kept_edit = True
            seen = last
        record.append(seen)
    while len(fields) < len(sheet):
        fields.append(sheet[len(fields)])
    return Merged(fields, record, conflicts, from_sheet, kept_edit)


def merge_tags(anki: list[str], sheet: tuple[str, ...], namespace: str) -> list[str] | None:
    """The user's own tags, then the sheet's: a tag of the sheet's namespace that the sheet dropped goes.
    None when the note already has exactly these (Anki compares tags without case, in any order)."""
    mine = [t for t in anki if not t.lower().startswith(namespace.lower())]
    merged = mine + [t for t in sheet if t.lower() not in {m.lower() for m in mine}]
    return None if {t.lower() for t in merged} == {t.lower() for t in anki} else merged

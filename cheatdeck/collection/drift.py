"""Note-type drift: the sheet's note types changed in Anki (a field or card type renamed, added or removed).

Anki's importer then imports a copy of the note type ("… Fact+"), puts new notes on it and skips every
existing note. `sync` finds the drift first: it refuses, naming what differs, or with the user's consent
(`--reset-notetypes`) puts the sheet's fields and card types back. When the collection's copy is still what
sync last left there, the change came from the sheet's templates, and sync applies it. A field or card type matched by name keeps
its content and cards; an unmatched one takes the place of the one at the same position.
"""

from __future__ import annotations

from .incoming import Incoming, IncomingNotetype


def schema(fields, templates) -> str:
    return "|".join(fields) + "||" + "|".join(templates)


def drifted(col, incoming: Incoming) -> list[tuple[IncomingNotetype, str, str]]:
    """Each of the package's note types whose collection copy has other field or card type names: the note
    type, what differs, and the collection copy's schema (see `schema`)."""
    found = []
    for nt in incoming.notetypes.values():
        existing = col.models.get(nt.id)
        if not existing:
            continue
        fields = tuple(f["name"] for f in existing["flds"])
        templates = tuple(t["name"] for t in existing["tmpls"])
        what = []
        if fields != nt.fields:
            what.append(f"fields {', '.join(fields)} (the sheet's: {', '.join(nt.fields)})")
        if templates != nt.templates:
            what.append(f"card types {', '.join(templates)} (the sheet's: {', '.join(nt.templates)})")
        if what:
            found.append((nt, f"{existing['name']}: " + "; ".join(what), schema(fields, templates)))
    return found


def reset(col, nt: IncomingNotetype) -> None:
    """Give the collection's copy of `nt` the sheet's fields and card types, as one Anki note-type edit."""
    existing = col.models.get(nt.id)
    existing["flds"] = _matched(existing["flds"], nt.raw["flds"])
    existing["tmpls"] = _matched(existing["tmpls"], nt.raw["tmpls"])
    existing["css"] = nt.raw.get("css", existing["css"])
    col.models.update_dict(existing)


def _matched(current: list[dict], wanted: list[dict]) -> list[dict]:
    """`wanted`, each entry carrying the `ord` of the current entry it replaces (None: a new one)."""
    by_name = {c["name"]: c["ord"] for c in current}
    taken = {by_name[w["name"]] for w in wanted if w["name"] in by_name}
    out = []
    for position, w in enumerate(wanted):
        ord_ = by_name.get(w["name"])
        if ord_ is None and position < len(current) and current[position]["ord"] not in taken:
            ord_ = current[position]["ord"]
            taken.add(ord_)
        out.append({**w, "ord": ord_})
    return out

"""What `sync` does inside an open collection, in one transaction (see collection.py): what a file import
cannot do.

1. Note-type drift is refused, or repaired with consent (drift.py).
2. Anki's importer adds the new notes and updates the note types; it leaves every existing note alone, and is
   not run when the package has no new note, no newer note type and no media.
3. Existing notes merge field by field against the record of what cheatdeck last wrote (merge.py).
4. A note that came back gets the cards cheatdeck suspended unsuspended, and loses the removed tag.
5. Notes that left the sheet are suspended and tagged, deleted, or kept, once per collection.
6. Cards move to the deck the package gives them, only from the sheet's own decks; a sheet deck left empty
   goes.

No SQL statement here carries a list of values: the engine's own calls take the lists, in batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..errors import CheatdeckError, Location, Problem
from . import drift, record
from .incoming import Incoming
from .merge import Conflict, merge_fields, merge_tags

REMOVED_ACTIONS = ("suspend", "delete", "keep")
BATCH = 5000
"""Notes or cards per engine call: bounds each call's work and statement size (SQLite allows 32,766 variables)."""


@dataclass
class SyncReport:
    new: int = 0
    updated: int = 0
    moved: int = 0
    returned: int = 0
    removed: int = 0
    removed_action: str = "suspend"
    prefer_sheet: bool = False
    conflicts: list[Conflict] = field(default_factory=list)
    kept_edits: int = 0
    """Notes that keep an edit made in Anki (conflicting or not)."""
    notetypes_changed: int = 0
    notetypes_reset: list[str] = field(default_factory=list)
    decks_removed: list[str] = field(default_factory=list)
    backup: object = None
    """The backup's path; None for a plan."""


@dataclass(frozen=True)
class Request:
    sheet_id: str
    removed: tuple[str, ...] = ()
    """GUIDs of the notes that left the sheet (the lock's tombstones)."""
    removed_action: str = "suspend"
    prefer_sheet: bool = False
    reset_notetypes: bool = False

    @property
    def namespace(self) -> str:
        return f"{self.sheet_id}::"

    @property
    def removed_tag(self) -> str:
        return f"{self.sheet_id}::removed"


def batches(items: Sequence, size: int | None = None) -> Iterator[Sequence]:
    size = size or BATCH
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply(col, incoming: Incoming, package_path: str, request: Request, collection: str) -> SyncReport:
    report = SyncReport(removed_action=request.removed_action, prefer_sheet=request.prefer_sheet)
    rec = record.load(col, request.sheet_id)
    report.notetypes_reset = _notetypes(col, incoming, rec, request.reset_notetypes, collection)
    rows = col.db.all(_NOTE_ROWS)
    notes = {guid: (nid, mid) for nid, guid, mid, _, _ in rows}
    cards_before = None  # no card is made by this sync unless the importer runs
    types_before = {nt.id: m["mod"] for nt in incoming.notetypes.values() if (m := col.models.get(nt.id))}
    if _importer_has_work(col, incoming, notes):
        cards_before = set(col.db.list("SELECT id FROM cards"))
        report.new = len(_import(col, package_path).new)
    report.notetypes_changed = sum(1 for i, mod in types_before.items() if col.models.get(i)["mod"] != mod)
    if report.notetypes_changed:
        rows = col.db.all(_NOTE_ROWS)  # a note type the importer changed may have reshaped its notes' fields
    # One search serves both: neither the merge nor a return changes the tags of a note that left the sheet.
    tagged = set(col.find_notes(f'"tag:{request.removed_tag}"'))
    report.returned = _returned(col, incoming, notes, rec, request, tagged)
    _merge(col, incoming, notes, rows, rec, request, report)
    new = list(incoming.notes.keys() - notes.keys())
    rec.notes.update(zip(new, record.digests_of([incoming.notes[guid].flds for guid in new])))
    rec.notes = {guid: digests for guid, digests in rec.notes.items() if guid in incoming.notes}
    report.removed = _act_on_removed(col, incoming, notes, rec, request, tagged)
    own = set(incoming.deck_names) | set(rec.decks or _former_decks(col, incoming))
    report.moved = _move_cards(col, incoming, own, cards_before)
    report.decks_removed = _remove_empty_decks(col, own - set(incoming.deck_names))
    names = {d.name for d in col.decks.all_names_and_ids()}
    rec.decks = sorted(d for d in own if d in names)
    record.save(col, request.sheet_id, rec)
    return report


def _notetypes(col, incoming: Incoming, rec: record.Record, reset: bool, collection: str) -> list[str]:
    """Refuse note types changed in Anki, unless `reset`; apply a change of the sheet's own templates."""
    found = drift.drifted(col, incoming)
    changed_in_anki = [(nt, how) for nt, how, now in found if rec.notetypes.get(str(nt.id)) != now]
    if changed_in_anki and not reset:
        raise CheatdeckError([Problem(Location(collection), f"the note type {how} differs from the sheet's, so "
                                      "sync would skip its notes. If you changed it in Anki, undo that (Tools → "
                                      "Manage Note Types); or run sync with --reset-notetypes to put the sheet's "
                                      "back (a field or card type the sheet does not have loses its content and "
                                      "cards)") for _, how in changed_in_anki])
    for nt, _, _ in found:
        drift.reset(col, nt)
    rec.notetypes = {str(nt.id): drift.schema(nt.fields, nt.templates) for nt in incoming.notetypes.values()}
    return [nt.name for nt, _, _ in found]


def _importer_has_work(col, incoming: Incoming, notes: dict) -> bool:
    """Whether Anki's importer would change anything: a note the collection lacks, a note type it lacks or holds
    older, or a media file. Otherwise (an edit of existing notes, a removal) it would read the whole package to
    leave every note alone, which at 10,000 facts is most of a sync."""
    if incoming.media or incoming.notes.keys() - notes.keys():
        return True
    return any((m := col.models.get(nt.id)) is None or m["mod"] < nt.raw["mod"] for nt in incoming.notetypes.values())


def _import(col, package_path: str):
    """Anki's own import, adding new notes only: an existing note is the merge's (update NEVER)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    options = ImportAnkiPackageOptions(update_notes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER,
                                       update_notetypes=Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER)
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=package_path, options=options)).log


_NOTE_ROWS = "SELECT id, guid, mid, flds, tags FROM notes"
"""Read once: the importer, which runs only for new notes and note types, leaves existing notes as they are
(update NEVER), unless it changed their note type."""


def _merge(col, incoming: Incoming, notes: dict, rows: list, rec: record.Record, request: Request,
           report: SyncReport) -> None:
    """`rows`: the collection's notes (_NOTE_ROWS) as the importer left them."""
    names = {nt.id: nt.fields for nt in incoming.notetypes.values()}
    tag_sets = _TagSets()
    changed, same, same_flds = [], [], []
    for nid, guid, mid, flds, tags in rows:
        sheet = incoming.notes.get(guid)
        if sheet is None or guid not in notes:  # not the sheet's, or new: added by the importer just now
            continue
        if flds == sheet.flds and mid == sheet.notetype_id and (
                tags == sheet.tags_text or tag_sets[tags] == tag_sets[sheet.tags_text]):
            # Most notes: the same on both sides, so nothing to merge; the record learns the sheet's text.
            same.append(guid)
            same_flds.append(flds)
            continue
        if mid != sheet.notetype_id:
            report.conflicts.append(Conflict(sheet.fields[-1], "note type", col.models.get(mid)["name"],
                                             incoming.notetypes[sheet.notetype_id].name))
            continue
        recorded = rec.notes.get(guid)
        merged = merge_fields(names[mid], flds.split("\x1f"), sheet.fields, recorded.split() if recorded else None,
                              request.prefer_sheet)
        rec.notes[guid] = " ".join(merged.record)
        report.conflicts += merged.conflicts
        report.kept_edits += merged.kept_edit
        new_tags = merge_tags(tags.split(), sheet.tags, request.namespace)
        if merged.from_sheet or new_tags is not None:
            changed.append((nid, merged.fields, tags.split() if new_tags is None else new_tags))
            report.updated += merged.from_sheet
    rec.notes.update(zip(same, record.digests_of(same_flds)))
    for chunk in batches(changed):
        updated = []
        for nid, fields, tags in chunk:
            note = col.get_note(nid)
            note.fields[:] = fields[:len(note.fields)]
            note.tags = tags
            updated.append(note)
        col.update_notes(updated)


class _TagSets(dict):
    """Each tags text's set of tags, made once: Anki keeps a note's tags sorted, the package in the sheet's order,
    so most notes compare as sets, and the notes of a section share their texts (24,865 notes, 4,164 texts)."""

    def __missing__(self, text: str) -> frozenset[str]:
        self[text] = tags = frozenset(text.split())
        return tags


def _returned(col, incoming: Incoming, notes: dict, rec: record.Record, request: Request, tagged: set[int]) -> int:
    """Unsuspend the cards cheatdeck suspended when a note that left the sheet is back in it (its removed tag
    goes with the merge's tags). A note an older cheatdeck suspended left no record: its tag says so, and
    those versions suspended all of a note's cards."""
    back = [guid for guid in incoming.notes if guid in rec.removed]
    legacy = [guid for guid in incoming.notes if guid in notes and notes[guid][0] in tagged and guid not in rec.removed]
    suspended = {cid: nid for cid, nid in col.db.all("SELECT id, nid FROM cards WHERE queue = -1")}
    cards = [cid for guid in back for cid in rec.removed[guid].get("cards", []) if cid in suspended]
    legacy_nids = {notes[guid][0] for guid in legacy}
    cards += [cid for cid, nid in suspended.items() if nid in legacy_nids]
    for chunk in batches(cards):
        col.sched.unsuspend_cards(list(chunk))
    for guid in back:
        del rec.removed[guid]
    return len([g for g in back if g in notes]) + len(legacy)


def _act_on_removed(col, incoming: Incoming, notes: dict, rec: record.Record, request: Request,
                    tagged: set[int]) -> int:
    """Suspend and tag, delete, or keep the notes the sheet no longer has, once; returns how many it acted on.

    A note that already has the removed tag was suspended by an older cheatdeck (which kept that fact in the
    lock): it is recorded as done, and what the user did with it since stays."""
    if request.removed_action == "keep":
        return 0
    todo = [g for g in request.removed if g in notes and g not in rec.removed and g not in incoming.notes]
    if not todo:
        return 0
    nids = {notes[g][0]: g for g in todo}
    cards: dict[int, list[int]] = {}
    for cid, nid, queue in col.db.all("SELECT id, nid, queue FROM cards"):
        # Ours to unsuspend if the note comes back: the cards suspended now, or already (an older cheatdeck).
        if nid in nids and (queue != -1) != (nid in tagged):
            cards.setdefault(nid, []).append(cid)
    if request.removed_action == "delete":
        for chunk in batches(list(nids)):
            col.remove_notes(list(chunk))
    else:
        fresh = [nid for nid in nids if nid not in tagged]
        for chunk in batches([cid for nid in fresh for cid in cards.get(nid, [])]):
            col.sched.suspend_cards(list(chunk))
        for chunk in batches(fresh):
            col.tags.bulk_add(list(chunk), request.removed_tag)
    for nid, guid in nids.items():
        rec.removed[guid] = {"action": request.removed_action, "cards": sorted(cards.get(nid, []))}
    return len(nids)


def _former_decks(col, incoming: Incoming) -> set[str]:
    """Before the first sync there is no record of the sheet's decks: a deck that an earlier build of the sheet
    made is one named as the sheet names a domain's deck, `<deck>::<label> · <name>`, for one of its labels,
    with another name (the domain renamed since, or an older build's `… (28%)`). A deck of any other name, or
    inside such a deck, is the user's."""
    prefixes = {f"{parent}::{leaf.split(' · ', 1)[0]} · " for parent, _, leaf in
                (name.rpartition("::") for name in incoming.deck_names) if parent and " · " in leaf}
    return {d.name for d in col.decks.all_names_and_ids()
            for prefix in prefixes if d.name.startswith(prefix) and "::" not in d.name[len(prefix):]}


def _move_cards(col, incoming: Incoming, own: set[str], cards_before: set[int] | None) -> int:
    """Put each card of the sheet in the deck the package names, when it sits in one of the sheet's own decks
    (or was made by this sync: not in `cards_before`, None when the importer did not run). A card in a filtered
    deck or in a deck of the user's stays."""
    names = {d.id: d.name for d in col.decks.all_names_and_ids()}
    by_deck: dict[str, list[int]] = {}
    rows = col.db.all("SELECT c.id, n.guid, c.ord, c.did FROM cards c JOIN notes n ON n.id = c.nid WHERE c.odid = 0")
    for cid, guid, ord_, did in rows:
        target = incoming.decks.get((guid, ord_))
        current = names.get(did, "")
        if target and current != target and (current in own or (cards_before is not None and cid not in cards_before)):
            by_deck.setdefault(target, []).append(cid)
    for name, cids in sorted(by_deck.items()):
        did = col.decks.id(name, create=True)
        for chunk in batches(cids):
            col.set_deck(list(chunk), did)
    return sum(len(c) for c in by_deck.values())


def _remove_empty_decks(col, old: set[str]) -> list[str]:
    """Remove the sheet's former decks (a domain renamed) that hold no card and no deck of their own."""
    removed = []
    for name in sorted(old, key=lambda n: (-n.count("::"), n)):
        did = col.decks.id_for_name(name)
        if did is None or list(col.decks.children(did)):
            continue
        if col.db.scalar("SELECT count() FROM cards WHERE did = ? OR odid = ?", did, did):
            continue
        col.decks.remove([did])
        removed.append(name)
    return removed

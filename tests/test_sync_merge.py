"""The field-by-field merge of a note, the record's digests and the batching of lists, without the engine."""

from __future__ import annotations

from cheatdeck.collection.apply import batches
from cheatdeck.collection.merge import merge_fields, merge_tags
from cheatdeck.collection.record import digest, digests_of

NAMES = ("Front", "Back", "Id")


def _record(*fields: str) -> list[str]:
    return [digest(f) for f in fields]


def test_a_field_changed_only_in_the_sheet_is_updated():
    merged = merge_fields(NAMES, ["q", "a", "s/x"], ("q", "a2", "s/x"), _record("q", "a", "s/x"))
    assert merged.fields == ["q", "a2", "s/x"] and merged.from_sheet and not merged.conflicts
    assert merged.record == _record("q", "a2", "s/x")


def test_a_field_edited_only_in_anki_stays_and_its_record_does_not_move():
    merged = merge_fields(NAMES, ["q", "mine", "s/x"], ("q", "a", "s/x"), _record("q", "a", "s/x"))
    assert merged.fields == ["q", "mine", "s/x"] and merged.kept_edit and not merged.from_sheet
    assert merged.record == _record("q", "a", "s/x")


def test_a_field_changed_on_both_sides_is_a_conflict_reported_once():
    merged = merge_fields(NAMES, ["q", "mine", "s/x"], ("q", "a2", "s/x"), _record("q", "a", "s/x"))
    assert [(c.ident, c.field, c.anki, c.sheet) for c in merged.conflicts] == [("s/x", "Back", "mine", "a2")]
    assert merged.fields[1] == "mine" and merged.record[1] == digest("a2")
    again = merge_fields(NAMES, merged.fields, ("q", "a2", "s/x"), merged.record)
    assert not again.conflicts and again.fields[1] == "mine"


def test_prefer_sheet_takes_the_sheets_text_of_a_conflict():
    merged = merge_fields(NAMES, ["q", "mine", "s/x"], ("q", "a2", "s/x"), _record("q", "a", "s/x"), True)
    assert merged.fields[1] == "a2" and len(merged.conflicts) == 1 and merged.from_sheet


def test_without_a_record_a_difference_is_a_conflict_and_equal_fields_are_recorded():
    merged = merge_fields(NAMES, ["q", "old", "s/x"], ("q", "new", "s/x"), None)
    assert [c.field for c in merged.conflicts] == ["Back"] and merged.fields[1] == "old"
    assert merged.record == _record("q", "new", "s/x")


def test_tags_of_the_sheets_namespace_follow_the_sheet_and_the_users_stay():
    assert merge_tags(["s::d1", "mine", "s::removed"], ("s::d2",), "s::") == ["mine", "s::d2"]
    assert merge_tags(["S::D1", "mine"], ("s::d1",), "s::") is None, "same tags, other case: unchanged"
    assert merge_tags(["S::Old", "mine"], ("s::d1",), "s::") == ["mine", "s::d1"], "the namespace in any case"


def test_batches_cover_every_item_in_order():
    assert [list(b) for b in batches(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batches([], 3)) == []


def test_a_notes_record_is_each_fields_digest_whatever_the_notes_around_it():
    notes = ["q\x1fa\x1fs/x", "", "Größe\x1f\x1f€ 5", "only", "\x1f"]
    assert digests_of(notes) == [" ".join(digest(f) for f in n.split("\x1f")) for n in notes]
    assert digests_of(notes[2:3]) == digests_of(notes)[2:3] and digests_of([]) == []

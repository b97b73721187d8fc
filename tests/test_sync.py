"""Applying a sheet to an Anki collection file with the real engine: import, moves, removals, safety."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import import_package, review_all
from cli_helpers import run, snapshot

import cheatdeck.anki.collection as collection_module
from cheatdeck.anki.collection import apply_package
from cheatdeck.errors import CheatdeckError

PACKAGE = Path("dist/mla-c01.apkg")


def _state(path: Path) -> dict:
    """Everything a sync may change, read with the engine: notes, cards with their decks, note types, history."""
    col = Collection(str(path))
    try:
        decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
        return {
            "notes": sorted(col.db.all("SELECT guid, mid, flds, tags FROM notes")),
            "cards": sorted((guid, ord_, decks[did], queue) for guid, ord_, did, queue in col.db.all(
                "SELECT n.guid, c.ord, c.did, c.queue FROM cards c JOIN notes n ON n.id = c.nid")),
            # By name: a new collection's stock note types get ids from the time it was made.
            "notetypes": sorted((m["name"], m["css"], [t["qfmt"] for t in m["tmpls"]]) for m in col.models.all()),
            "revlog": sorted(col.db.all("SELECT id, cid, ease, ivl FROM revlog")),
            "scheduling": sorted(col.db.all("SELECT n.guid, c.ord, c.type, c.ivl, c.due FROM cards c "
                                            "JOIN notes n ON n.id = c.nid")),
        }
    finally:
        col.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def reviewed(shipped, tmp_path) -> Path:
    """A collection that imported the shipped deck and reviewed every card, closed as Anki leaves it."""
    run("anki")
    path = tmp_path / "profile" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    import_package(col, PACKAGE)
    review_all(col)
    col.close()
    return path


def _rename_domain(shipped: Path) -> None:
    """The D1 deck's name changes, so each of its cards must move to the new deck."""
    text = shipped.read_text(encoding="utf-8")
    assert "name: Data Preparation for ML\n" in text
    shipped.write_text(text.replace("name: Data Preparation for ML\n", "name: Data Engineering for ML\n"),
                       encoding="utf-8")


def test_sync_into_a_new_collection_is_a_file_import(shipped, tmp_path):
    run("anki")
    imported, synced = tmp_path / "a" / "collection.anki2", tmp_path / "b" / "collection.anki2"
    for path in (imported, synced):
        path.parent.mkdir()
        Collection(str(path)).close()
    col = Collection(str(imported))
    import_package(col, PACKAGE)
    col.close()
    report = apply_package(PACKAGE, synced, "MLA-C01", {}, "mla-c01::removed")
    assert (report.new, report.updated, report.moved, report.removed) == (122, 0, 0, 0)
    assert _state(synced) == _state(imported)
    assert list((synced.parent / "backups").glob("*.colpkg"))


def test_sync_moves_cards_to_their_new_deck_and_keeps_history(reviewed):
    before = _state(reviewed)
    _rename_domain(Path("source/mla-c01.yaml"))
    run("anki")
    report = apply_package(PACKAGE, reviewed, "MLA-C01", {}, "mla-c01::removed")
    after = _state(reviewed)
    assert after["revlog"] == before["revlog"] and after["scheduling"] == before["scheduling"]
    assert len(after["cards"]) == len(before["cards"])
    # Every card sits in the deck a fresh import of the new package would give it.
    fresh = reviewed.with_name("fresh.anki2")
    col = Collection(str(fresh))
    import_package(col, PACKAGE)
    col.close()
    fresh_cards = _state(fresh)["cards"]
    assert [c[:3] for c in after["cards"]] == [c[:3] for c in fresh_cards]
    assert report.moved == sum(1 for _, _, deck, _ in fresh_cards if deck.startswith("MLA-C01::D1 ")) > 0


def test_plan_writes_nothing(reviewed):
    _rename_domain(Path("source/mla-c01.yaml"))
    run("anki")
    digest = _digest(reviewed)
    files = sorted(p.name for p in reviewed.parent.rglob("*"))
    report = apply_package(PACKAGE, reviewed, "MLA-C01", {}, "mla-c01::removed", plan=True)
    assert report.moved > 0 and report.backup is None
    assert _digest(reviewed) == digest and sorted(p.name for p in reviewed.parent.rglob("*")) == files


def test_an_open_collection_is_refused(reviewed):
    col = Collection(str(reviewed))
    try:
        col.set_config("cheatdeck-test", 1)
        with pytest.raises(CheatdeckError, match="open in Anki"):
            apply_package(PACKAGE, reviewed, "MLA-C01", {}, "mla-c01::removed")
    finally:
        col.close()


@pytest.mark.parametrize("content, message", [(None, "no such collection file"),
                                               (b"not a database at all, just text" * 100, "not an Anki collection")])
def test_a_missing_or_foreign_file_is_refused(shipped, tmp_path, content, message):
    run("anki")
    path = tmp_path / "collection.anki2"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CheatdeckError, match=message):
        apply_package(PACKAGE, path, "MLA-C01", {}, "mla-c01::removed")


def test_a_failure_midway_leaves_the_collection_as_it_was(reviewed, monkeypatch):
    _rename_domain(Path("source/mla-c01.yaml"))
    run("anki")
    before, digest = _state(reviewed), _digest(reviewed)

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(collection_module, "_act_on_removed", fail)
    with pytest.raises(RuntimeError):
        apply_package(PACKAGE, reviewed, "MLA-C01", {}, "mla-c01::removed")
    assert _digest(reviewed) == digest and _state(reviewed) == before


def _edit_move_and_remove(shipped: Path) -> None:
    """Reword one fact, move D1's cards to a renamed deck, and remove one fact."""
    _rename_domain(shipped)
    text = shipped.read_text(encoding="utf-8")
    text = text.replace("a: The offline store\n", "a: The offline store, in S3\n")
    text = text.replace('          - text: "Connectors: S3, Athena, Redshift, Snowflake, Salesforce"\n'
                        "            q: Which five data sources can Data Wrangler connect to?\n"
                        "            a: S3, Athena, Redshift, Snowflake, Salesforce\n"
                        "            cards: cloze\n", "")
    shipped.write_text(text, encoding="utf-8")


def _note(path: Path, field_text: str) -> tuple:
    col = Collection(str(path))
    try:
        (nid,) = col.find_notes(f'"{field_text}"')
        note = col.get_note(nid)
        cards = note.cards()
        return (note.guid, note.tags, [col.decks.name(c.did) for c in cards], [c.queue for c in cards],
                [c.ivl for c in cards])
    finally:
        col.close()


@pytest.mark.parametrize("action", ["suspend", "delete"])
def test_sync_through_the_cli_updates_moves_and_handles_removed_notes(reviewed, action):
    shipped = Path("source/mla-c01.yaml")
    before = _state(reviewed)
    offline = _note(reviewed, "The offline store")
    connectors = _note(reviewed, "Id:mla-c01/wrangler-vs-processing/connectors/items")
    _edit_move_and_remove(shipped)

    result = run("sync", "--collection", reviewed, "--removed", action)
    wording = "suspended" if action == "suspend" else "deleted"
    assert f"sync: 0 new, 1 updated, 27 moved, 1 {wording} (removed), 0 note types changed" in result.output

    after = _state(reviewed)
    assert after["revlog"] == before["revlog"]
    guid, tags, decks, _, intervals = _note(reviewed, "The offline store, in S3")
    assert guid == offline[0] and intervals == offline[4]
    assert decks == ["MLA-C01::D1 · Data Engineering for ML"]
    col = Collection(str(reviewed))
    try:
        removed = col.find_notes('"tag:mla-c01::removed"')
        in_collection = col.db.scalar("SELECT count() FROM notes WHERE guid = ?", connectors[0])
    finally:
        col.close()
    if action == "suspend":
        assert len(removed) == 1 and in_collection == 1
        assert _note(reviewed, "Id:mla-c01/wrangler-vs-processing/connectors/items")[3] == [-1] * 5  # suspended
    else:
        assert not removed and in_collection == 0
    lock_text = Path("source/mla-c01.lock.json").read_text(encoding="utf-8")
    assert '"applied": ["crt-' in lock_text
    assert "Removed notes stay in Anki after an import" not in result.output, "sync handled them"
    assert "(left " in run("removed").output and "sync handled it in 1 collection)" in run("removed").output

    again = run("sync", "--collection", reviewed, "--removed", action)
    assert f"sync: 0 new, 0 updated, 0 moved, 0 {wording} (removed), 0 note types changed" in again.output


def test_plan_through_the_cli_writes_nothing(reviewed):
    _edit_move_and_remove(Path("source/mla-c01.yaml"))
    before = snapshot(Path(".")), snapshot(reviewed.parent)
    result = run("sync", "--collection", reviewed, "--plan")
    assert "(nothing written): 0 new, 1 updated, 27 moved, 1 suspended (removed)" in result.output
    assert (snapshot(Path(".")), snapshot(reviewed.parent)) == before  # the lock, dist/, the collection's folder


def test_a_sheet_without_cards_syncs(workdir, tmp_path):
    path = tmp_path / "profile" / "collection.anki2"
    path.parent.mkdir()
    Collection(str(path)).close()
    Path("source/empty.yaml").write_text(
        "id: empty\ntitle: Nothing to study\nversion: '1'\ndomains:\n  - id: d\n    name: Only\n"
        "    short: Only\n    weight: 100\n    color: '#16365c'\n    sections:\n      - id: s\n        title: Printed only\n"
        "        bullets:\n          - {text: printed only, id: p, cards: none}\n", encoding="utf-8")
    result = run("sync", "source/empty.yaml", "--collection", path)
    assert "sync: 0 new, 0 updated, 0 moved, 0 suspended (removed), 0 note types changed" in result.output


def test_cards_under_a_nested_root_deck_move_only_within_it(shipped, tmp_path):
    """With `deck: Exams::MLA-C01`, a card the user keeps in another Exams:: deck is theirs, and stays."""
    text = shipped.read_text(encoding="utf-8")
    assert "\ndeck: MLA-C01\n" in text
    shipped.write_text(text.replace("\ndeck: MLA-C01\n", "\ndeck: Exams::MLA-C01\n"), encoding="utf-8")
    run("anki")
    path = tmp_path / "profile" / "collection.anki2"
    path.parent.mkdir()
    col = Collection(str(path))
    import_package(col, PACKAGE)
    mine = col.decks.id("Exams::My favourites", create=True)
    (nid,) = col.find_notes('"The offline store"')
    col.set_deck([c.id for c in col.get_note(nid).cards()], mine)
    col.close()
    _rename_domain(shipped)
    assert " moved, " in run("sync", "--collection", path).output
    col = Collection(str(path))
    try:
        assert {col.decks.name(c.did) for c in col.get_note(nid).cards()} == {"Exams::My favourites"}
        others = [c for n in col.find_notes('"deck:Exams::MLA-C01::D1 · Data Engineering for ML"')
                  for c in col.get_note(n).cards()]
        assert others, "the other D1 cards moved to the renamed deck"
    finally:
        col.close()


def test_the_cli_refuses_an_open_collection(reviewed):
    col = Collection(str(reviewed))
    try:
        col.set_config("cheatdeck-test", 1)
        result = run("sync", "--collection", reviewed, code=1)
    finally:
        col.close()
    assert "the collection is open in Anki" in result.output and "Traceback" not in result.output

"""Applying a sheet to an Anki collection file with the real engine, on a reviewed collection: import, merge,
moves, removals and returns, note-type drift, and what the file keeps (path, symlink, permissions, schema)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import import_package, review_all
from cli_helpers import run, snapshot

import cheatdeck
import cheatdeck.collection.apply as apply_module
from cheatdeck.collection.apply import Request
from cheatdeck.collection.driver import apply_package
from cheatdeck.errors import CheatdeckError

REPO = Path(__file__).resolve().parent.parent
# The shipped sheet as it was when these tests were written: its card side is edited for the learner, and the
# tests name its facts, so they keep a copy of their own.
SHIPPED = Path(__file__).resolve().parent / "fixtures" / "sync" / "mla-c01.yaml"

PACKAGE = Path("dist/mla-c01.apkg")
SHEET = Path("source/mla-c01.yaml")
REQUEST = Request("mla-c01")
OFFLINE = "Offline: S3 Parquet — training + batch inference"
FIND_OFFLINE = '"S3 Parquet — training + batch inference"'  # "Offline:" alone would search a field
CONNECTORS = '          - text: "Connectors: S3, Athena, Redshift, Snowflake, Salesforce"\n' \
             "            q: Which five data sources can Data Wrangler connect to?\n"


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
            "decks": sorted(decks.values()),
        }
    finally:
        col.close()


def _history(state: dict) -> tuple:
    return state["revlog"], state["scheduling"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _edit(replacements: list[tuple[str, str]]) -> None:
    text = SHEET.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    SHEET.write_text(text, encoding="utf-8")


def _rename_domain() -> None:
    """The D1 deck's name changes, so each of its cards must move to the new deck."""
    _edit([("name: Data Preparation for ML\n", "name: Data Engineering for ML\n")])


def _note(path: Path, search: str):
    """(guid, fields, tags, [(deck, queue, ivl)]) of the one note the search finds."""
    col = Collection(str(path))
    try:
        (nid,) = col.find_notes(search)
        note = col.get_note(nid)
        return (note.guid, list(note.fields), note.tags,
                [(col.decks.name(c.did), c.queue, c.ivl) for c in note.cards()])
    finally:
        col.close()


def _with(path: Path, work):
    col = Collection(str(path))
    try:
        return work(col)
    finally:
        col.close()


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """Built once for the module: the shipped deck, a collection that imported it and reviewed every card
    (closed as Anki leaves it), and that collection after its first sync (which records what cheatdeck wrote)."""
    folder = tmp_path_factory.mktemp("sync-templates")
    (folder / "source").mkdir()
    for name in ("mla-c01.yaml", "mla-c01.lock.json"):
        shutil.copy(SHIPPED.parent / name, folder / "source" / name)
    here = Path.cwd()
    os.chdir(folder)
    try:
        run("anki")
        reviewed = folder / "reviewed.anki2"
        col = Collection(str(reviewed))
        import_package(col, PACKAGE)
        review_all(col)
        col.close()
        synced = folder / "synced" / "collection.anki2"
        synced.parent.mkdir()
        shutil.copy(reviewed, synced)
        apply_package(PACKAGE, synced, REQUEST)
    finally:
        os.chdir(here)
    return {"package": folder / PACKAGE, "reviewed": reviewed, "synced": synced}


def _profile(templates: dict, tmp_path: Path, which: str) -> Path:
    PACKAGE.parent.mkdir(exist_ok=True)
    shutil.copy(templates["package"], PACKAGE)
    path = tmp_path / "profile" / "collection.anki2"
    path.parent.mkdir()
    shutil.copy(templates[which], path)
    # What the engine makes beside a collection the first time it imports, as in any Anki profile (the synced
    # one's sync had nothing to import: no new note).
    shutil.copy(templates["reviewed"].with_suffix(".media.db2"), path.with_suffix(".media.db2"))
    path.with_suffix(".media").mkdir()
    return path


@pytest.fixture
def shipped(workdir: Path) -> Path:
    for name in ("mla-c01.yaml", "mla-c01.lock.json"):
        shutil.copy(SHIPPED.parent / name, workdir / "source" / name)
    return workdir / "source" / "mla-c01.yaml"


@pytest.fixture
def reviewed(shipped, tmp_path, templates) -> Path:
    """A collection that imported the shipped deck by file import and reviewed every card."""
    return _profile(templates, tmp_path, "reviewed")


@pytest.fixture
def synced(shipped, tmp_path, templates) -> Path:
    """The reviewed collection after its first sync."""
    return _profile(templates, tmp_path, "synced")


def test_sync_into_a_new_collection_is_a_file_import(shipped, tmp_path):
    run("anki")
    imported, synced = tmp_path / "a" / "collection.anki2", tmp_path / "b" / "collection.anki2"
    for path in (imported, synced):
        path.parent.mkdir()
        Collection(str(path)).close()
    _with(imported, lambda col: import_package(col, PACKAGE))
    report = apply_package(PACKAGE, synced, REQUEST)
    assert (report.new, report.updated, report.moved, report.removed, report.conflicts) == (132, 0, 0, 0, [])
    assert _state(synced) == _state(imported)
    assert report.backup.parent == synced.parent / "backups" and report.backup.is_file()
    assert [p.name for p in report.backup.parent.iterdir()] == [report.backup.name], "no work files left"


def test_a_domain_rename_moves_cards_keeps_history_and_removes_the_empty_deck(synced):
    before = _state(synced)
    _rename_domain()
    run("anki")
    report = apply_package(PACKAGE, synced, REQUEST)
    after = _state(synced)
    assert _history(after) == _history(before) and len(after["cards"]) == len(before["cards"])
    fresh = synced.with_name("fresh.anki2")
    _with(fresh, lambda col: import_package(col, PACKAGE))
    fresh_cards = _state(fresh)["cards"]
    assert [c[:3] for c in after["cards"]] == [c[:3] for c in fresh_cards]
    assert report.moved == sum(1 for _, _, deck, _ in fresh_cards if deck.startswith("MLA-C01::D1 ")) > 0
    assert report.decks_removed == ["MLA-C01::D1 · Data Preparation for ML"]
    assert "MLA-C01::D1 · Data Preparation for ML" not in after["decks"]


def test_a_first_sync_after_file_imports_moves_cards_out_of_the_sheets_former_decks(reviewed):
    """No record yet: the decks an earlier build made are told by their names (a renamed domain's, an older
    build's `… (28%)`); a deck of the user's, even inside the sheet's tree, keeps its cards."""
    old, legacy = "MLA-C01::D1 · Data Preparation for ML", "MLA-C01::D2 · ML Model Development (26%)"
    mine, inside = "MLA-C01::My Hard Cards", f"{old}::Mine"

    def arrange(col):
        col.decks.rename(col.decks.id_for_name("MLA-C01::D2 · ML Model Development"), legacy)
        (offline,) = col.find_notes(FIND_OFFLINE)
        (connectors,) = col.find_notes('"Id:mla-c01/wrangler-vs-processing/connectors"')
        col.set_deck(col.card_ids_of_note(offline), col.decks.id(mine, create=True))
        col.set_deck(col.card_ids_of_note(connectors), col.decks.id(inside, create=True))
    _with(reviewed, arrange)
    before = _state(reviewed)
    _rename_domain()
    run("anki")
    report = apply_package(PACKAGE, reviewed, REQUEST)
    after = _state(reviewed)
    assert _history(after) == _history(before)
    decks = {deck for _, _, deck, _ in after["cards"]}
    assert legacy not in decks and "MLA-C01::D2 · ML Model Development" in decks
    assert {deck for deck, _, _ in _note(reviewed, FIND_OFFLINE)[3]} == {mine}
    assert {deck for deck, _, _ in _note(reviewed, '"Id:mla-c01/wrangler-vs-processing/connectors"')[3]} == {inside}
    assert report.decks_removed == [legacy], "the renamed domain's old deck still holds the user's subdeck"
    assert {d for d in after["decks"] if d.startswith(old)} == {old, inside}


def test_cards_in_a_subdeck_the_user_made_stay_there(synced):
    sub = "MLA-C01::D1 · Data Preparation for ML::My Hard Cards"

    def file_away(col):
        (nid,) = col.find_notes(FIND_OFFLINE)
        col.set_deck([c.id for c in col.get_note(nid).cards()], col.decks.id(sub, create=True))
    _with(synced, file_away)
    assert apply_package(PACKAGE, synced, REQUEST).moved == 0, "the YAML did not change"
    assert {deck for deck, _, _ in _note(synced, FIND_OFFLINE)[3]} == {sub}
    _rename_domain()
    run("anki")
    report = apply_package(PACKAGE, synced, REQUEST)
    assert report.moved > 0 and {deck for deck, _, _ in _note(synced, FIND_OFFLINE)[3]} == {sub}
    assert report.decks_removed == [], "the old deck still holds the user's subdeck"


def test_plan_writes_nothing(synced):
    _rename_domain()
    run("anki")
    digest = _digest(synced)
    files = snapshot(synced.parent)
    report = apply_package(PACKAGE, synced, REQUEST, plan=True)
    assert report.moved > 0 and report.backup is None
    assert _digest(synced) == digest and snapshot(synced.parent) == files


def _hold(path: Path, how: str) -> subprocess.Popen:
    """Another program with the collection open, in a process of its own, until its stdin closes."""
    script = {"anki": "from anki.collection import Collection; c = Collection(sys.argv[1])",
              "shared": "import sqlite3; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                        "c.execute('begin'); c.execute('select count() from notes').fetchall()",
              "writer": "import sqlite3; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                        "c.execute('begin exclusive'); c.execute('update col set mod = mod + 1')"}[how]
    process = subprocess.Popen([sys.executable, "-c", f"import sys\n{script}\nprint('ready', flush=True)\n"
                                                      "sys.stdin.read()", str(path)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def _release(process: subprocess.Popen) -> None:
    process.stdin.close()
    process.wait(timeout=30)


def _downgraded(path: Path) -> None:
    """The collection as Anki's "Downgrade" leaves it: schema 11, rollback journal."""
    col = Collection(str(path))
    col.close(downgrade=True)


@pytest.mark.parametrize("how, schema11", [("anki", False), ("shared", True), ("writer", True)])
def test_a_collection_another_program_holds_is_refused_after_a_bounded_wait(synced, how, schema11):
    if schema11:
        _downgraded(synced)
    before = _state(synced) if how != "writer" else None
    holder = _hold(synced, how)
    try:
        with pytest.raises(CheatdeckError, match="open in Anki, or another sync|a write that did not finish"):
            apply_package(PACKAGE, synced, REQUEST, wait=0.3)
    finally:
        _release(holder)
    assert not list((synced.parent / "backups").glob(".cheatdeck-*"))
    if before:
        assert _state(synced) == before


def test_a_killed_syncs_work_folder_goes_with_the_next_sync_of_that_collection_only(synced):
    """Two collections in one folder share backups/: a sync clears only its own collection's leftovers (the
    other's may belong to a sync running now, under that collection's lock)."""
    backups = synced.parent / "backups"
    backups.mkdir(exist_ok=True)
    mine, other = backups / ".cheatdeck-backup-collection.anki2-x1", backups / ".cheatdeck-backup-other.anki2-x2"
    for work in (mine, other):
        work.mkdir()
        (work / "collection.anki2").write_bytes(b"half a copy")
    apply_package(PACKAGE, synced, REQUEST)
    assert not mine.exists() and (other / "collection.anki2").read_bytes() == b"half a copy"


def test_a_new_collection_anki_holds_open_is_refused_as_open_not_as_foreign(synced):
    """A profile Anki has just made keeps its tables in the -wal until Anki closes it: the main file alone looks
    like no collection at all, and the message must say what to do about the -wal, not call the file foreign."""
    path = synced.with_name("new.anki2")
    holder = _hold(path, "anki")
    try:
        with pytest.raises(CheatdeckError, match="the collection is open in Anki, or Anki did not close cleanly"):
            apply_package(PACKAGE, path, REQUEST, wait=0.3)
    finally:
        _release(holder)


def test_a_hot_journal_is_refused(synced):
    _downgraded(synced)
    journal = synced.with_name(synced.name + "-journal")
    journal.write_bytes(bytes.fromhex("d9d505f920a163d7") + bytes(504))
    digest = _digest(synced)
    with pytest.raises(CheatdeckError, match="a write that did not finish"):
        apply_package(PACKAGE, synced, REQUEST)
    assert _digest(synced) == digest


def test_the_file_keeps_its_symlink_permissions_and_schema(synced, tmp_path):
    _downgraded(synced)
    os.chmod(synced, 0o600)
    link = tmp_path / "link.anki2"
    link.symlink_to(synced)
    _rename_domain()
    run("anki")
    report = apply_package(PACKAGE, link, REQUEST)
    assert report.moved > 0 and link.is_symlink() and os.readlink(link) == str(synced)
    assert oct(synced.stat().st_mode & 0o777) == "0o600"
    assert synced.read_bytes()[18:20] == b"\x01\x01", "rollback journal, as Downgrade left it"
    conn = sqlite3.connect(f"file:{synced}?mode=ro", uri=True)
    try:
        assert conn.execute("SELECT ver FROM col").fetchone()[0] == 11
    finally:
        conn.close()
    assert {deck for deck, _, _ in _note(synced, FIND_OFFLINE)[3]} == {"MLA-C01::D1 · Data Engineering for ML"}


@pytest.mark.parametrize("content, message", [(None, "no such collection file"),
                                               (b"not a database at all, just text" * 100, "not an Anki collection")])
def test_a_missing_or_foreign_file_is_refused(shipped, tmp_path, content, message):
    run("anki")
    path = tmp_path / "collection.anki2"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CheatdeckError, match=message):
        apply_package(PACKAGE, path, REQUEST)


def test_a_failure_midway_rolls_everything_back(synced, monkeypatch):
    _rename_domain()
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference")])
    run("anki")
    before = _state(synced)

    def fail(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(apply_module, "_move_cards", fail)
    with pytest.raises(RuntimeError):
        apply_package(PACKAGE, synced, REQUEST)
    assert _state(synced) == before


def _first_field(path: Path, search: str, value: str, index: int = 0) -> None:
    def edit(col):
        (nid,) = col.find_notes(search)
        note = col.get_note(nid)
        note.fields[index] = value
        col.update_note(note)
    _with(path, edit)


def test_an_edit_made_in_anki_is_kept_and_a_conflict_is_reported_with_both_versions(synced):
    """Offline: edited in Anki (its answer) and changed in the sheet (its question), other fields: both kept.
    Online: edited in Anki and changed in the sheet, same field: a conflict. Same pipeline: edited in Anki only."""
    _first_field(synced, FIND_OFFLINE, "My own answer", 1)
    _first_field(synced, '"single-digit ms — real-time inference lookups"', "My own question")
    _first_field(synced, '"Same pipeline feeds both*"', "Mine entirely")
    before = _state(synced)
    _edit([("Which Feature Store tier keeps features as Parquet in S3 for training and batch inference?",
            "Which tier keeps features in S3?"),
           ("Which Feature Store tier serves single-digit-millisecond lookups for real-time inference?",
            "Which tier answers in milliseconds?")])
    run("anki")
    report = apply_package(PACKAGE, synced, REQUEST)
    assert report.updated == 1 and report.kept_edits == 3
    assert [(c.field, c.anki, c.sheet) for c in report.conflicts] == [
        ("Front", "My own question", "Which tier answers in milliseconds?")]
    assert report.conflicts[0].ident.startswith("mla-c01/")
    offline = _note(synced, '"My own answer"')[1]
    assert offline[:2] == ["Which tier keeps features in S3?", "My own answer"]
    assert _note(synced, '"My own question"')[1][0] == "My own question"
    assert _note(synced, '"Mine entirely"')
    assert _history(_state(synced)) == _history(before)
    assert apply_package(PACKAGE, synced, REQUEST).conflicts == [], "a conflict is reported once"
    assert _note(synced, '"My own question"'), "and the user's version still stands"


def test_prefer_sheet_takes_the_sheets_version_of_a_conflict(synced):
    _first_field(synced, FIND_OFFLINE, "Mine", 1)
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference")])
    run("anki")
    report = apply_package(PACKAGE, synced, Request("mla-c01", prefer_sheet=True))
    assert [(c.anki, c.sheet) for c in report.conflicts] == [
        ("Mine", "<b>Offline:</b> S3 Parquet — training and batch inference")]
    assert _note(synced, '"S3 Parquet — training and batch inference"')


def test_the_library_sync_takes_the_users_choices_whole(synced):
    """`cheatdeck.sync` takes one `Choices`, as the command line and the server round carry it."""
    _first_field(synced, FIND_OFFLINE, "Mine", 1)
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference")])
    result = cheatdeck.sync(SHEET, synced, choices=cheatdeck.Choices(prefer_sheet=True))
    assert [c.anki for c in result.report.conflicts] == ["Mine"] and not result.plan
    assert _note(synced, '"S3 Parquet — training and batch inference"')
    with pytest.raises(ValueError, match="removed must be one of"):
        cheatdeck.sync(SHEET, synced, choices=cheatdeck.Choices(removed="archive"))


def test_a_first_sync_after_file_imports_reports_every_difference_as_a_conflict(reviewed):
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference")])
    run("anki")
    report = apply_package(PACKAGE, reviewed, REQUEST)
    assert [(c.anki, c.sheet) for c in report.conflicts] == [
        ("<b>Offline:</b> S3 Parquet — training + batch inference",
         "<b>Offline:</b> S3 Parquet — training and batch inference")]
    assert report.updated == 0 and _note(reviewed, FIND_OFFLINE)


def test_a_presentation_change_updates_context_but_keeps_edits(synced):
    """A domain's short name shows in the notes' Context field: it updates there and nowhere else."""
    _first_field(synced, FIND_OFFLINE, "My own answer", 1)
    _edit([("    short: Data Prep\n", "    short: Data Eng\n")])
    run("anki")
    report = apply_package(PACKAGE, synced, REQUEST)
    assert report.conflicts == []
    before = _note(synced, '"My own answer"')[1]
    fields = _note(synced, '"My own answer"')[1]
    assert fields[1] == "My own answer" and "Data Eng" in fields[2] and "Data Prep" not in fields[2]


def test_a_removed_fact_that_returns_is_unsuspended_except_what_the_user_suspended(synced):
    text = SHEET.read_text(encoding="utf-8")
    before = _state(synced)

    def suspend_offline(col):
        (nid,) = col.find_notes(FIND_OFFLINE)
        col.sched.suspend_cards([c.id for c in col.get_note(nid).cards()])
    _with(synced, suspend_offline)
    offline_block = f'          - text: "{OFFLINE}"\n' \
                    "            q: Which Feature Store tier keeps features as Parquet in S3 for training and batch " \
                    "inference?\n"
    _edit([(CONNECTORS, ""), (offline_block, "")])
    run("anki")
    request = Request("mla-c01", tuple(t["guid"] for t in _tombstones()))
    report = apply_package(PACKAGE, synced, request)
    assert report.removed == 2
    guid, _, tags, cards = _note(synced, '"Snowflake, Salesforce"')
    assert "mla-c01::removed" in tags and {q for _, q, _ in cards} == {-1}
    assert apply_package(PACKAGE, synced, request).removed == 0, "acted on once"

    SHEET.write_text(text, encoding="utf-8")
    run("anki")
    report = apply_package(PACKAGE, synced, REQUEST)
    assert report.returned == 2 and report.new == 0
    guid_back, _, tags, cards = _note(synced, '"Snowflake, Salesforce"')
    assert guid_back == guid and "mla-c01::removed" not in tags and -1 not in {q for _, q, _ in cards}
    assert {q for _, q, _ in _note(synced, FIND_OFFLINE)[3]} == {-1}, "the user's own suspension stays"
    after = _state(synced)
    assert after["revlog"] == before["revlog"]


def _tombstones() -> list[dict]:
    import json

    return list(json.loads(Path("source/mla-c01.lock.json").read_text(encoding="utf-8")).get("removed", {}).values())


def test_where_removals_were_applied_is_kept_per_collection(shipped, tmp_path):
    """Two profiles made the same day: each gets the removal, and the lock records nothing about them."""
    run("anki")
    paths = []
    for name in ("one", "two"):
        path = tmp_path / name / "collection.anki2"
        path.parent.mkdir()
        _with(path, lambda col: import_package(col, PACKAGE))
        paths.append(path)
    _edit([(CONNECTORS, "")])
    for path in paths:
        result = run("sync", "--collection", path, "-v")
        assert "1 suspended (removed)" in result.output
    assert '"applied"' not in Path("source/mla-c01.lock.json").read_text(encoding="utf-8")
    for path in paths:
        assert "0 suspended (removed)" in run("sync", "--collection", path, "-v").output


def _rename_field(path: Path) -> None:
    def rename(col):
        model = col.models.by_name("cheatdeck · Fact")
        col.models.rename_field(model, model["flds"][1], "Answer")
        col.models.update_dict(model)
    _with(path, rename)


def test_note_type_drift_is_refused_then_reset_with_consent(synced):
    _rename_field(synced)
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference")])
    run("anki")
    before = _state(synced)
    result = run("sync", "--collection", synced, code=1)
    assert "cheatdeck · Fact: fields Front, Answer, Context, Reverse, Id (the sheet's: Front, Back" in result.output
    assert "--reset-notetypes" in result.output and "Traceback" not in result.output
    assert _state(synced) == before
    result = run("sync", "--collection", synced, "--reset-notetypes", "-v")
    assert "1 updated" in result.output and "note types reset to the sheet's: cheatdeck · Fact" in result.output
    after = _state(synced)
    names = _with(synced, lambda col: [m["name"] for m in col.models.all()])
    assert "cheatdeck · Fact+" not in names and not [n for n in names if n.endswith("+")]
    fields = _with(synced, lambda col: [f["name"] for f in col.models.by_name("cheatdeck · Fact")["flds"]])
    assert fields == ["Front", "Back", "Context", "Reverse", "Id"]
    assert _history(after) == _history(before)
    assert [n[2] for n in after["notes"]] != [n[2] for n in before["notes"]]


def test_a_card_type_renamed_in_the_sheets_templates_is_applied_without_asking(synced):
    """The collection's copy is what the last sync left: the change is the sheet's, and no "Fact+" copy."""
    shutil.copytree(REPO / "templates", "tpl")
    spec = Path("tpl/anki/notetypes.yaml")
    text = spec.read_text(encoding="utf-8")
    assert "      - {name: Forward, front: fact-front.html" in text
    spec.write_text(text.replace("      - {name: Forward, front: fact-front.html",
                                 "      - {name: Recall, front: fact-front.html"), encoding="utf-8")
    before = _state(synced)
    result = run("sync", "--collection", synced, "--templates", "tpl", "-v")
    assert "note types reset to the sheet's: cheatdeck · Fact" in result.output
    templates = _with(synced, lambda col: [t["name"] for t in col.models.by_name("cheatdeck · Fact")["tmpls"]])
    assert templates == ["Recall", "Reverse"]
    assert not [n for n in _with(synced, lambda col: [m["name"] for m in col.models.all()]) if n.endswith("+")]
    assert _history(_state(synced)) == _history(before)


def test_every_sql_list_is_batched(synced, monkeypatch):
    """No statement binds a list of values, and the engine gets lists in batches of BATCH (lowered here)."""
    from anki.dbproxy import DBProxy

    bound = []
    original = DBProxy._query

    def spy(self, sql, *args, **kwargs):
        bound.append(len(args))
        return original(self, sql, *args, **kwargs)

    monkeypatch.setattr(DBProxy, "_query", spy)
    monkeypatch.setattr(apply_module, "BATCH", 7)
    calls = []
    original_set_deck = Collection.set_deck
    monkeypatch.setattr(Collection, "set_deck", lambda self, cids, did: (calls.append(len(cids)),
                                                                         original_set_deck(self, cids, did))[1])
    _rename_domain()
    run("anki")
    report = apply_package(PACKAGE, synced, REQUEST)
    assert report.moved > 7 and max(calls) == 7 and sum(calls) == report.moved
    assert max(bound) <= 2


def test_sync_through_the_cli_updates_moves_and_suspends(synced):
    before = _state(synced)
    offline = _note(synced, FIND_OFFLINE)
    _rename_domain()
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference"), (CONNECTORS, "")])
    result = run("sync", "--collection", synced, "-v")
    assert ("sync: 0 new, 1 updated, 25 cards moved to another deck, 0 conflicts, 0 returned, 1 suspended (removed), "
            "0 note types changed") in result.output
    assert "empty decks removed" not in result.output, "the old deck keeps the removed, suspended note"
    assert "Removed notes stay in Anki after an import" not in result.output, "sync handled them"
    guid, _, _, cards = _note(synced, '"S3 Parquet — training and batch inference"')
    assert guid == offline[0] and [c[2] for c in cards] == [c[2] for c in offline[3]]
    assert _state(synced)["revlog"] == before["revlog"]
    again = run("sync", "--collection", synced, "-v")
    assert "sync: 0 new, 0 updated, 0 cards moved to another deck, 0 conflicts, 0 returned, 0 suspended (removed)" in again.output


def test_conflicts_are_printed_without_asking_for_verbosity(synced):
    _first_field(synced, FIND_OFFLINE, "Mine", 1)
    _edit([(OFFLINE, "Offline: S3 Parquet — training and batch inference")])
    result = run("sync", "--collection", synced)
    assert "conflict: mla-c01/" in result.output and "Back changed in Anki and in the sheet" in result.output
    assert "      Anki:  Mine\n      sheet: <b>Offline:</b> S3 Parquet — training and batch inference" in result.output
    assert "`sync --prefer sheet` takes the sheet's" in result.output


def test_plan_through_the_cli_writes_nothing(synced):
    _rename_domain()
    _edit([(CONNECTORS, "")])
    before = snapshot(Path(".")), snapshot(synced.parent)
    result = run("sync", "--collection", synced, "--plan")
    assert "(nothing written): 0 new, 0 updated, 25 cards moved to another deck, 0 conflicts, 0 returned, 1 suspended (removed)" \
        in result.output
    assert (snapshot(Path(".")), snapshot(synced.parent)) == before


def test_a_sheet_without_cards_syncs(workdir, tmp_path):
    path = tmp_path / "profile" / "collection.anki2"
    path.parent.mkdir()
    Collection(str(path)).close()
    Path("source/empty.yaml").write_text(
        "id: empty\ntitle: Nothing to study\nversion: '1'\ndomains:\n  - id: d\n    name: Only\n"
        "    short: Only\n    weight: 100\n    color: '#16365c'\n    sections:\n      - id: s\n        title: Printed only\n"
        "        bullets:\n          - {text: printed only, id: p, cards: none}\n", encoding="utf-8")
    result = run("sync", "source/empty.yaml", "--collection", path, "-v")
    assert "sync: 0 new, 0 updated, 0 cards moved to another deck, 0 conflicts" in result.output


def test_the_cli_refuses_an_open_collection(synced, monkeypatch):
    monkeypatch.setattr("cheatdeck.collection.file.WAIT_SECONDS", 0.2)
    holder = _hold(synced, "anki")
    try:
        result = run("sync", "--collection", synced, code=1)
    finally:
        _release(holder)
    assert "the collection is open in Anki" in result.output and "Traceback" not in result.output

"""Notes keep their identity through the real Anki engine: weights and colours change no note, moves keep
GUIDs and review history, removed notes are remembered until the user forgets them."""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from pathlib import Path

import genanki
import pytest
import yaml
from anki.collection import Collection
from anki_helpers import import_package, review_all, scheduling
from cli_helpers import build_anki as build, run, snapshot
from conftest import FIXTURES, REPO

from cheatdeck.deck.plan import plan_notes
from cheatdeck.source.compile import load

FROZEN = FIXTURES / "sync" / "mla-c01.yaml"


DOMAIN_DECKS = {"MLA-C01::D1 · Data Preparation for ML", "MLA-C01::D2 · ML Model Development",
                "MLA-C01::D3 · Deployment & Orchestration", "MLA-C01::D4 · Monitor & Security"}




def guids(col: Collection) -> dict[str, str]:
    """Id field → GUID of every note in the collection."""
    return {col.get_note(nid)["Id"]: col.get_note(nid).guid for nid in col.find_notes("")}


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_weights_and_colours_change_no_note_and_no_deck(shipped, col, monkeypatch):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    decks = {d.name: d.id for d in col.decks.all_names_and_ids()}
    assert DOMAIN_DECKS <= set(decks)
    d1 = [n for n in plan_notes(load(shipped)).notes if n.place and n.place.domain == "d1"]
    edited = col.get_note(col.find_notes(f'"Id:mla-c01/{next(n.ident for n in d1 if n.kind == "fact")}"')[0])
    edited["Back"] = "my own words, written in Anki"
    col.update_note(edited)
    apkg = Path("dist/mla-c01.apkg").read_bytes()

    for old, new in (("weight: 28", "weight: 25"), ("weight: 26", "weight: 29"), ('"#16365c"', '"#123456"'),
                     ('"#4caf50"', '"#00ff00"'), ('"#f0a030"', '"#aa5500"'), ('"#6a3d9a"', '"#eeeeee"')):
        replace(shipped, old, new)
    # Any note stamped now would be newer than the edit above and overwrite it on import.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 3600))
    result = build()
    notes = len(json.loads(Path("source/mla-c01.lock.json").read_text(encoding="utf-8"))["notes"])
    assert f"0 new, 0 changed, 0 moved, 0 removed ({notes} unchanged)" in result.output
    assert "note types updated: fact, row, trap, quickref" in result.output
    assert Path("dist/mla-c01.apkg").read_bytes() != apkg

    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert (len(log.new), len(log.updated)) == (0, 0)
    assert {d.name: d.id for d in col.decks.all_names_and_ids()} == decks
    assert col.get_note(edited.id)["Back"] == "my own words, written in Anki"
    assert col.decks.get(decks["MLA-C01::D1 · Data Preparation for ML"])["desc"] == "Weight: 25%"
    col.close()
    col.reopen()  # the Python side caches note types across an import
    css = col.models.by_name("cheatdeck · Fact")["css"]
    assert ".cd-domain.cd-mla-c01--d1 { background: #123456; color: #ffffff; }" in css
    assert "#16365c" not in css
    # Every kind of card of the domain shows its chip in the new colour.
    for kind in sorted({n.kind for n in d1}):
        card = col.get_card(col.find_cards(f'"Id:mla-c01/{next(n.ident for n in d1 if n.kind == kind)}"')[0])
        assert 'class="cd-domain cd-mla-c01--d1"' in card.question() and "#123456" in card.question(), kind


def test_moves_keep_guids_and_review_history(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    review_all(col)
    history, before = scheduling(col), guids(col)

    pinned = ("          - id: same-pipeline\n            text: Same pipeline feeds both = no training-serving skew\n"
              "            q: Why feed the online and offline stores from the same pipeline?\n"
              "            a: To avoid training-serving skew\n"
              "            why: A model served features computed differently from its training data quietly loses "
              "accuracy.\n")
    replace(shipped, pinned, "")
    output = ("            q: In which format does a Ground Truth labeling job write its labels?\n"
              "            a: Augmented manifest (JSON Lines)\n")
    replace(shipped, output, output + pinned)
    wrangler = ('          - text: "Wrangler: GUI, 300+ transforms, Studio, medium data"\n'
                "            q: What does SageMaker Data Wrangler offer to prepare data without writing code?\n"
                "            a: A visual interface with 300+ built-in transforms\n")
    replace(shipped, wrangler, "")
    time_travel = '          - text: "Time-travel: event_time filter prevents data leakage"\n'
    replace(shipped, time_travel, wrangler + time_travel)
    result = build("-v")
    assert f"0 new, 0 changed, 2 moved, 0 removed ({len(before) - 2} unchanged)" in result.output
    assert "> feature-store/wrangler (from wrangler-vs-processing)" in result.output
    assert "> same-pipeline (from feature-store)" in result.output

    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert (len(log.new), len(log.updated)) == (0, 2)
    assert col.note_count() == len(before)
    assert scheduling(col) == history
    after = guids(col)
    assert after["mla-c01/feature-store/wrangler"] == before["mla-c01/wrangler-vs-processing/wrangler"]
    assert after["mla-c01/same-pipeline"] == before["mla-c01/same-pipeline"]
    moved = col.get_note(col.find_notes('"Id:mla-c01/feature-store/wrangler"')[0])
    assert "SageMaker Feature Store" in moved["Context"]
    assert moved.has_tag("mla-c01::topic::feature-store")


def test_a_pinned_id_is_unique_in_the_whole_sheet(tiny):
    replace(tiny, "- [Rebase, Replays commits onto a new base]",
            "- {id: push, cells: [Rebase, Replays commits onto a new base]}")
    result = build(code=1)
    assert "source/tiny.yaml:35:15: the bullet at line 17 and the row at line 35 both have the id 'push': an `id:` " \
           "is unique in the whole sheet" in result.output


def test_removed_notes_are_tombstoned_until_forgotten(tiny, col, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    build()
    import_package(col, Path("dist/tiny.apkg"))
    guid = guids(col)["tiny/commands/commit"]
    replace(tiny, "          - Commit: record the staged snapshot\n", "")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    result = build()
    assert "0 new, 0 changed, 0 moved, 1 removed (6 unchanged)" in result.output
    lock = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert lock["removed"]["commands/commit"]["guid"] == guid
    assert lock["removed"]["commands/commit"]["left"] == "2025-11-25"
    # A later build, quiet or not, keeps the tombstone.
    replace(tiny, "stage changes", "stage the changes")
    assert build("-q").output == ""
    lock = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert list(lock["removed"]) == ["commands/commit"]
    listed = run("removed").output
    assert "tiny  1 note(s) left the sheet and may still be in Anki:" in listed
    assert "  - commands/commit  (left 2025-11-25)" in listed and '    "Id:tiny/commands/commit"' in listed
    assert len(col.find_notes("Id:tiny/commands/commit")) == 1

    # Back in the sheet, the note is the same one again.
    replace(tiny, "          - Add: stage the changes for the next commit\n",
            "          - Add: stage the changes for the next commit\n          - Commit: record the staged snapshot\n")
    back = build("-v").output
    assert "0 new, 0 changed, 0 moved, 1 returned, 0 removed (6 unchanged)" in back
    assert "      + commands/commit (returned)" in back
    assert "cards that `sync` suspended stay suspended after an import" in back and '"Id:tiny/commands/commit"' in back
    assert "tiny  no removed notes to delete in Anki" in run("removed").output
    lock = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert lock["removed"] == {} and lock["notes"]["commands/commit"]["guid"] == guid
    log = import_package(col, Path("dist/tiny.apkg"))
    assert len(log.new) == 0 and col.note_count() == 7


def test_removed_forget_clears_the_tombstones_and_nothing_else(tiny):
    build()
    replace(tiny, "          - Commit: record the staged snapshot\n", "")
    replace(tiny, "            - [Rebase, Replays commits onto a new base]\n", "")
    build()
    before, lock = snapshot(Path("dist")), json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert list(lock["removed"]) == ["commands/commit", "merging/rows/rebase"]
    assert '"Id:tiny/commands/commit" OR "Id:tiny/merging/rows/rebase"' in run("removed").output
    assert "tiny  forgot 2 removed note(s)" in run("removed", "--forget").output
    after = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert after == {**lock, "removed": {}}
    assert "tiny  no removed notes to delete in Anki" in run("removed").output
    assert "up to date" in build().output and snapshot(Path("dist")) == before


def test_a_format_1_lock_keeps_every_guid(tiny, col):
    """Locks written before GUIDs were recorded: each note's GUID was guid_for(sheet id, identity)."""
    build()
    lock = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    old_names = {"push": "commands/push"}
    Path("source/tiny.lock.json").write_text(json.dumps({"format": 1, "notes": {
        old_names.get(ident, ident): {"hash": "0" * 16, "mod": entry["mod"]} for ident, entry in lock["notes"].items()
    }}), encoding="utf-8")
    assert "0 new, 7 changed, 0 moved, 0 removed" in build().output
    upgraded = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert upgraded["format"] == 3 and upgraded["removed"] == {}
    assert {ident: entry["guid"] for ident, entry in upgraded["notes"].items()} == \
           {ident: genanki.guid_for("tiny", old_names.get(ident, ident)) for ident in lock["notes"]}
    assert upgraded["notes"] == {ident: {**entry, "mod": upgraded["notes"][ident]["mod"]}
                                 for ident, entry in lock["notes"].items()}


def test_a_new_note_never_takes_a_guid_in_use(tiny):
    """A note that moved keeps its first GUID; a new note at its old place must get another."""
    build()
    replace(tiny, "          - Commit: record the staged snapshot\n", "")
    replace(tiny, "            - [Rebase, Replays commits onto a new base]\n",
            "            - [Rebase, Replays commits onto a new base]\n            - [Commit, record the staged snapshot]\n")
    build()
    replace(tiny, "          - Add: stage changes for the next commit\n",
            "          - Add: stage changes for the next commit\n          - Commit: make a snapshot\n")
    result = build("-v")
    assert "+ commands/commit" in result.output
    lock = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert len({entry["guid"] for entry in lock["notes"].values()}) == len(lock["notes"]) == 8


def test_the_lock_is_deterministic_and_one_entry_per_line(shipped, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    lock = Path("source/mla-c01.lock.json")
    locks = []
    for _ in range(2):
        lock.unlink()
        build("--force")
        locks.append(lock.read_bytes())
    build("--force")
    assert locks[0] == locks[1] == lock.read_bytes()
    lines = locks[0].decode().splitlines()
    assert all(re.fullmatch(r'  "[^"]+": \{.*\},?', line) for line in lines if line.startswith('  "'))
    assert sum(1 for line in lines if '"guid"' in line) == len(plan_notes(load(shipped)).notes)


def test_the_shipped_notes_keep_the_guids_users_imported():
    """Every shipped note was imported with guid_for(sheet id, identity as it was then): the lock keeps those."""
    lock = json.loads((REPO / "source" / "mla-c01.lock.json").read_text(encoding="utf-8"))
    notes = plan_notes(load(REPO / "source" / "mla-c01.yaml")).notes
    assert {n.ident: lock["notes"][n.ident]["guid"] for n in notes} == \
           {n.ident: genanki.guid_for("mla-c01", n.origin) for n in notes}
    pinned = {n.ident: n.origin for n in notes if n.origin != n.ident}
    # Pinned ids, whose GUIDs (checked above) are seeded with their section, as when ids were unique per section.
    assert pinned and all("/" not in ident.removesuffix("/items") for ident in pinned)
    assert all(n.fields[-1] == n.own_fields[-1] == f"mla-c01/{n.ident}" for n in notes)


def test_stamps_tell_reworded_moved_and_returned_notes():
    """Stamping against a lock says which notes were reworded, which moved and which came back from a
    tombstone."""
    from dataclasses import replace as changed

    from cheatdeck.deck.stamps import stamp

    notes = list(plan_notes(load(REPO / "source" / "mla-c01.yaml")).notes)
    types = {"fact": ("f1", "s1"), "row": ("r1", "s2"), "trap": ("t1", "s3"), "quickref": ("q1", "s4")}
    first = stamp({}, "mla-c01", notes, types, 1_700_000_000).sections
    removed = stamp(first, "mla-c01", notes[5:], types, 1_700_000_100).sections
    edited = [changed(notes[0], fields=("Reworded?", *notes[0].fields[1:]), own=("Reworded?", *notes[0].own_fields[1:])),
              changed(notes[1], section="elsewhere"), *notes[2:]]
    said = stamp(first, "mla-c01", edited, types, 1_700_000_200).changes
    assert said.changed and said.moved and len(stamp(removed, "mla-c01", notes, types, 1_700_000_200).changes.returned) == 5


def replace_all(path: Path, old: str, new: str, count: int) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def frozen(workdir: Path) -> Path:
    """The shipped sheet and its lock as they were when the test below was written (the shipped sheet's card side
    is edited for learners, and the test edits the exact text of its facts)."""
    for name in ("mla-c01.yaml", "mla-c01.lock.json"):
        shutil.copy(FROZEN.parent / name, workdir / "source" / name)
    return workdir / "source" / "mla-c01.yaml"


def test_a_reorganised_sheet_keeps_every_card_and_its_history_in_anki(frozen, col):
    """A fact that names its section moved, a section's id and title renamed, a domain renamed: the next import
    adds no note and no card, leaves none behind, and keeps every review."""
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    review_all(col)
    history, before, cards = scheduling(col), guids(col), col.card_count()

    step = ('          - text: "Step caching: skip unchanged steps on re-run"\n            q: Which SageMaker Pipelines '
            'feature skips the steps whose inputs did not change when a pipeline runs again?\n')
    replace(frozen, step, "")
    online = "            q: Which Feature Store tier serves single-digit-millisecond lookups for real-time inference?\n"
    replace(frozen, online, online + step)
    replace(frozen, "      - id: pipelines\n        title: SageMaker Pipelines\n",
            "      - id: workflows\n        title: Workflows\n")
    replace(frozen, "  - id: d1\n    name: Data Preparation for ML\n    short: Data Prep\n",
            "  - id: data\n    name: Data Work\n    short: Data\n")
    replace_all(frozen, "domain: d1\n", "domain: data\n", 5)
    result = build("-v")
    out = result.output
    assert "renamed section pipelines \u2192 workflows" in out
    assert "renamed section title \u201cSageMaker Pipelines\u201d \u2192 \u201cWorkflows\u201d" in out
    assert "renamed domain d1 \u2192 data" in out
    assert "renamed deck \u201cMLA-C01::D1 \u00b7 Data Preparation for ML\u201d \u2192 \u201cMLA-C01::D1 \u00b7 Data Work\u201d" in out
    assert "An import leaves existing cards in their old deck" in out
    assert "> feature-store/step-caching (from pipelines)" in out and "> workflows/conditionstep (from pipelines)" in out
    assert re.search(r"changes: 0 new, \d+ changed, 5 moved, 0 removed \(\d+ unchanged\)", out), out

    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert len(log.new) == 0 and len(log.updated) > 0
    assert (col.note_count(), col.card_count()) == (len(before), cards)
    assert scheduling(col) == history
    after = guids(col)
    assert after["mla-c01/feature-store/step-caching"] == before["mla-c01/pipelines/step-caching"]
    assert after["mla-c01/workflows/conditionstep"] == before["mla-c01/pipelines/conditionstep"]
    # No orphans: every note in the collection is a note of the sheet, under the identity the lock gives it.
    lock = json.loads(Path("source/mla-c01.lock.json").read_text(encoding="utf-8"))
    assert after == {f"mla-c01/{ident}": entry["guid"] for ident, entry in lock["notes"].items()}
    assert sorted(after.values()) == sorted(before.values())


def retitle(path: Path, indent: int, old: str, new: str) -> None:
    """The one `title:` at `indent` whose value is `old` now says `new`, the rest of the file as it was."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if line.startswith(" " * indent + "title:")
          and yaml.safe_load(line) == {"title": old}]
    assert len(at) == 1, old
    lines[at[0]] = " " * indent + "title: " + json.dumps(new) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_presentation_rewrites_no_note_and_keeps_anki_edits(shipped, col, monkeypatch):
    """A domain's short name and label, a section's title and the quick reference's title are presentation: no
    note changes, so an import keeps an edit made in Anki (to a fact with its `why` and a `cards: cloze` list);
    the build says what an import shows."""
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    notes = plan_notes(load(shipped)).notes
    # In one domain: a fact with its `why` (in its Back) and a list, each edited in Anki.
    fact = next(n for n in notes if n.kind == "fact" and "cd-why" in n.fields[1]
                and any(m.kind == "list" and m.place.domain == n.place.domain for m in notes))
    listed = next(n for n in notes if n.kind == "list" and n.place.domain == fact.place.domain)
    label, domain = next((f"D{i}", d) for i, d in enumerate(document["domains"], 1) if d["id"] == fact.place.domain)
    edits = {fact.ident: "Back", listed.ident: "Text"}
    for ident, field in edits.items():
        edited = col.get_note(col.find_notes(f'"Id:mla-c01/{ident}"')[0])
        edited[field] = "my own words, written in Anki"
        col.update_note(edited)
    lock = json.loads(Path("source/mla-c01.lock.json").read_text(encoding="utf-8"))
    title = fact.place.title

    assert "label" not in domain
    replace(shipped, f"    short: {domain['short']}\n", "    short: Elsewhere\n    label: PREP\n")
    retitle(shipped, 8, title, "Renamed, the section")
    retitle(shipped, 2, document["quick_reference"]["title"], "Quick Reference")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 3600))
    out = build().output
    assert f"0 new, 0 changed, 0 moved, 0 removed ({len(lock['notes'])} unchanged)" in out
    assert f"renamed section title \u201c{title}\u201d \u2192 \u201cRenamed, the section\u201d" in out
    assert f"renamed deck \u201cMLA-C01::{label} \u00b7 {domain['name']}\u201d \u2192 " \
           f"\u201cMLA-C01::PREP \u00b7 {domain['name']}\u201d" in out
    assert "An import shows a new section title on a card once its note changes" in out
    after = json.loads(Path("source/mla-c01.lock.json").read_text(encoding="utf-8"))
    assert {i: e["mod"] for i, e in after["notes"].items()} == {i: e["mod"] for i, e in lock["notes"].items()}
    assert after["places"][fact.section]["title"] == "Renamed, the section"

    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert (len(log.new), len(log.updated)) == (0, 0)
    for ident, field in edits.items():
        note = col.get_note(col.find_notes(f'"Id:mla-c01/{ident}"')[0])
        assert note[field] == "my own words, written in Anki" and html.escape(domain["short"]) in note["Context"]
    assert title in col.get_note(col.find_notes(f'"Id:mla-c01/{fact.ident}"')[0])["Context"]


def test_a_lock_from_before_presentation_was_set_apart_keeps_every_guid_and_mod(shipped):
    """A format-2 lock whose `hash` digests the fields as written, with no places: a build reads it as unchanged,
    keeps every GUID and mod, and writes what the committed lock holds."""
    committed = Path("source/mla-c01.lock.json").read_text(encoding="utf-8")
    lock = json.loads(committed)
    notes = plan_notes(load(shipped)).notes
    old = {**lock, "notes": {n.ident: {**lock["notes"][n.ident], "hash": n.written, "content": "0" * 16}
                             for n in notes}}
    del old["places"]
    Path("source/mla-c01.lock.json").write_text(json.dumps(old), encoding="utf-8")
    assert {n.kind for n in notes} >= {"fact", "list", "row", "trap", "quickref"}
    assert f"0 new, 0 changed, 0 moved, 0 removed ({len(notes)} unchanged)" in build().output
    assert Path("source/mla-c01.lock.json").read_text(encoding="utf-8") == committed

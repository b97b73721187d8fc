"""Identity survives reorganising the shipped sheet: every fact moved to another section, every section renamed,
every domain renamed keep each note's GUID, found by its own words against the committed lock; presentation
(short names, labels, colours, weights, titles) changes no note's mod."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from cheatdeck.deck.plan import plan_notes
from cheatdeck.deck.stamps import Stamps, stamp
from cheatdeck.source.compile import load
from conftest import REPO

SHEET = REPO / "source" / "mla-c01.yaml"
LOCK = json.loads((REPO / "source" / "mla-c01.lock.json").read_text(encoding="utf-8"))
# The committed note types: no note type changes here, so every count below is the notes'.
TYPES = {kind: (entry["hash"], entry["schema"]) for kind, entry in LOCK["notetypes"].items()}
LATER = 1_900_000_000
# Facts whose own words name their section: the content match once left the title out of them.
NAMING_THEIR_SECTION = 7


@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(SHEET.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def guid_by_words() -> dict[str, str]:
    """Each shipped note's content (its own words) → the GUID the committed lock holds for it."""
    notes = plan_notes(load(SHEET)).notes
    assert len({n.content for n in notes}) == len(notes)
    return {n.content: LOCK["notes"][n.ident]["guid"] for n in notes}


def restamp(document: dict) -> tuple[list, Stamps]:
    """The notes of the sheet as `document` says, stamped against the committed lock."""
    raw = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000).encode()
    notes = list(plan_notes(load(SHEET, raw)).notes)
    return notes, stamp(LOCK, "mla-c01", notes, TYPES, LATER)


def sections(document: dict) -> list[dict]:
    return [s for d in document["domains"] for s in d["sections"]]


def assert_same_guids(notes, stamps: Stamps, guid_by_words: dict[str, str]) -> None:
    assert len(notes) == len(guid_by_words)
    assert {n.ident: stamps.guids[n.ident] for n in notes} == {n.ident: guid_by_words[n.content] for n in notes}
    assert not stamps.changes.new and not stamps.changes.removed and not stamps.changes.returned


def test_the_shipped_sheet_has_facts_that_name_their_section():
    """The case that broke: the section title inside a fact's own words."""
    sheet = load(SHEET)
    naming = [f for d in sheet.domains for s in d.sections for f in s.facts
              if s.title.html in f.text.html + f.question.html]
    assert len(naming) == NAMING_THEIR_SECTION


def test_every_fact_moved_alone_to_another_section_keeps_its_guid(document, guid_by_words):
    every = sections(document)
    moved = 0
    for i, section in enumerate(every):
        target_index = (i + 1) % len(every)
        for j in range(len(section.get("bullets", []))):
            edited = copy.deepcopy(document)
            here, there = sections(edited)[i], sections(edited)[target_index]
            bullet = here["bullets"].pop(j)
            there.setdefault("bullets", []).append(bullet)
            notes, stamps = restamp(edited)
            assert_same_guids(notes, stamps, guid_by_words)
            c = stamps.changes
            assert (len(c.moved), len(c.changed), c.unchanged) == (1, 0, len(notes) - 1), bullet
            ident, came_from = c.moved[0]
            assert came_from == section["id"] and ident in {bullet.get("id"), f"{there['id']}/{ident.split('/')[-1]}"}
            assert c.renamed == ()
            moved += 1
    assert moved == 63


def test_every_fact_and_trap_moved_at_once_keeps_its_guid(document, guid_by_words):
    """Each section's bullets and traps go to the next section that has some, all in one build."""
    edited = copy.deepcopy(document)
    every = [s for s in sections(edited) if "bullets" in s or "traps" in s]
    items = [(s.pop("bullets", []), s.pop("traps", [])) for s in every]
    for i, (bullets, traps) in enumerate(items):
        target = every[(i + 1) % len(every)]
        target["bullets"], target["traps"] = bullets, traps
    notes, stamps = restamp(edited)
    assert_same_guids(notes, stamps, guid_by_words)
    kinds = {n.ident: n.kind for n in notes}
    moved = stamps.changes.moved
    assert sum(1 for ident, _ in moved if kinds[ident] in ("fact", "cloze")) == 63
    assert sum(1 for ident, _ in moved if kinds[ident] == "trap") == 10
    assert stamps.changes.renamed == ()


def test_every_section_renamed_keeps_every_guid_and_is_reported(document, guid_by_words):
    edited = copy.deepcopy(document)
    for section in sections(edited):
        section["id"] = "renamed-" + section["id"]
        section["title"] = "The " + section["title"]
    notes, stamps = restamp(edited)
    assert_same_guids(notes, stamps, guid_by_words)
    c = stamps.changes
    assert len(c.moved) == sum(1 for n in notes if n.kind != "quickref") and c.changed == ()
    every = sections(document)
    assert sorted(c.renamed) == sorted([*(("section", s["id"], "renamed-" + s["id"]) for s in every),
                                        *(("title", s["title"], "The " + s["title"]) for s in every)])


def test_every_domain_renamed_keeps_every_guid_and_is_reported(document, guid_by_words):
    edited = copy.deepcopy(document)
    for domain in edited["domains"]:
        domain["id"], domain["name"] = f"area-{domain['id']}", "Area: " + domain["name"]
    for row in edited["quick_reference"]["rows"]:
        row["domain"] = f"area-{row['domain']}"
    notes, stamps = restamp(edited)
    assert_same_guids(notes, stamps, guid_by_words)
    c = stamps.changes
    # The domain's id is in every note's tags: its notes change, and keep their mods' history in Anki.
    assert (len(c.changed), c.moved) == (len(notes), ())
    old = {f"MLA-C01::{label} · {d['name']}": f"MLA-C01::{label} · Area: {d['name']}"
           for label, d in zip(("D1", "D2", "D3", "D4"), document["domains"])}
    assert sorted(r for r in c.renamed if r[0] == "deck") == sorted(("deck", a, b) for a, b in old.items())
    assert sorted(r for r in c.renamed if r[0] == "domain") == [("domain", f"d{i}", f"area-d{i}") for i in range(1, 5)]


def test_presentation_changes_no_note(document):
    """Short names, labels, colours, weights, section and quick-reference titles: no note changes, no mod rises."""
    edited = copy.deepcopy(document)
    for i, domain in enumerate(edited["domains"]):
        domain.update(short=domain["short"] + " area", label=f"A{i}", color="#123456", weight=25)
        for section in domain["sections"]:
            section["title"] += " (renamed)"
    edited["quick_reference"]["title"] = "Decisions"
    notes, stamps = restamp(edited)
    c = stamps.changes
    assert (c.new, c.changed, c.moved, c.removed, c.unchanged) == ((), (), (), (), len(notes))
    assert stamps.note_mods == {n.ident: LOCK["notes"][n.ident]["mod"] for n in notes}
    assert {r[0] for r in c.renamed} == {"title", "deck"}
    # What the cards show did change: the next note change (or `sync`) brings it.
    before = {n.ident: n for n in plan_notes(load(SHEET)).notes}
    assert all(n.fields != before[n.ident].fields and n.own == before[n.ident].own for n in notes)


def test_a_removed_fact_that_comes_back_elsewhere_is_found_from_its_tombstone(document):
    edited = copy.deepcopy(document)
    pipelines = next(s for s in sections(edited) if s["id"] == "pipelines")
    step = next(b for b in pipelines["bullets"] if b["text"].startswith("Step caching"))
    pipelines["bullets"].remove(step)
    _, gone = restamp(edited)
    assert gone.changes.removed == ("pipelines/step-caching",)
    sections(edited)[0]["bullets"].append(step)
    raw = yaml.safe_dump(edited, allow_unicode=True, sort_keys=False, width=1000).encode()
    notes = list(plan_notes(load(SHEET, raw)).notes)
    back = stamp(gone.sections, "mla-c01", notes, TYPES, LATER + 86400)
    assert back.changes.returned == ("wrangler-vs-processing/step-caching",)
    assert (back.changes.new, back.changes.moved, back.changes.removed) == ((), (), ())
    assert back.guids["wrangler-vs-processing/step-caching"] == LOCK["notes"]["pipelines/step-caching"]["guid"]
    assert back.note_mods["wrangler-vs-processing/step-caching"] == LATER + 86400
    assert "pipelines/step-caching" not in back.sections["removed"] and gone.sections["removed"].keys() - {"pipelines/step-caching"} == back.sections["removed"].keys()

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
from cheatdeck.model import Fact
from cheatdeck.source.compile import load
from conftest import REPO

SHEET = REPO / "source" / "mla-c01.yaml"
LOCK = json.loads((REPO / "source" / "mla-c01.lock.json").read_text(encoding="utf-8"))
# The committed note types: no note type changes here, so every count below is the notes'.
TYPES = {kind: (entry["hash"], entry["schema"]) for kind, entry in LOCK["notetypes"].items()}
LATER = 1_900_000_000


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
    notes = list(plan_notes(load(SHEET, dump(document))).notes)
    return notes, stamp(LOCK, "mla-c01", notes, TYPES, LATER)


def dump(document: dict) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000).encode()


def sections(document: dict) -> list[dict]:
    return [s for d in document["domains"] for s in d["sections"]]


def assert_same_guids(notes, stamps: Stamps, guid_by_words: dict[str, str]) -> None:
    assert len(notes) == len(guid_by_words)
    assert {n.ident: stamps.guids[n.ident] for n in notes} == {n.ident: guid_by_words[n.content] for n in notes}
    assert not stamps.changes.new and not stamps.changes.removed and not stamps.changes.returned


def carded_facts(document: dict) -> list[tuple[int, int, Fact]]:
    """(section index, bullet index, fact) of each bullet of the sheet that makes a note, in order."""
    facts = [f for d in load(SHEET, dump(document)).domains for s in d.sections for f in s.facts]
    places = [(i, j) for i, s in enumerate(sections(document)) for j in range(len(s.get("bullets", [])))]
    assert len(places) == len(facts)
    return [(i, j, fact) for (i, j), fact in zip(places, facts) if fact.cards != "none"]


def naming_their_section(sheet) -> set[str]:
    """The identities of the carded facts whose own words (text, question or answer) name their section."""
    return {f.ident for d in sheet.domains for s in d.sections for f in s.facts if f.cards != "none"
            and any(s.title.plain.casefold() in t.plain.casefold() for t in (f.text, f.question, f.answer) if t)}


def test_the_shipped_sheet_has_facts_that_name_their_section():
    """The case that broke: the section title inside a fact's own words. The moves below prove it on these."""
    assert naming_their_section(load(SHEET))


def test_every_fact_moved_alone_to_another_section_keeps_its_guid(document, guid_by_words):
    """Each carded bullet (a fact, a cloze bullet, a `cards: cloze` list) moved alone to the next section: its note
    keeps its GUID, is reported moved from its section, and no other note changes."""
    before = {n.content: n for n in plan_notes(load(SHEET)).notes}
    every, moved = sections(document), []
    for i, j, fact in carded_facts(document):
        edited = copy.deepcopy(document)
        here, there = sections(edited)[i], sections(edited)[(i + 1) % len(every)]
        bullet = here["bullets"].pop(j)
        there.setdefault("bullets", []).append(bullet)
        notes, stamps = restamp(edited)
        assert_same_guids(notes, stamps, guid_by_words)
        c = stamps.changes
        assert (len(c.moved), len(c.changed), c.unchanged, c.renamed) == (1, 0, len(notes) - 1, ()), bullet
        ident, came_from = c.moved[0]
        note = next(n for n in notes if n.ident == ident)
        was = before[note.content]
        # A pinned id stays; an id derived from the key follows the bullet into its new section.
        assert (came_from, was.section, note.section) == (here["id"], here["id"], there["id"]), bullet
        assert ident == (there["id"] + was.ident[len(here["id"]):] if was.ident.startswith(here["id"] + "/")
                         else was.ident)
        moved.append(fact.ident)
    # Every note a bullet makes was moved: each fact and cloze note, and each list of a bullet (not of a row).
    assert len(moved) == len(set(moved)) == sum(1 for n in before.values() if n.kind in ("fact", "cloze")) \
        + sum(1 for n in before.values() if n.kind == "list" and n.ident[:-len("/items")] in moved)
    assert naming_their_section(load(SHEET)) <= set(moved)


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
    sheet = load(SHEET)
    before = {n.content: n for n in plan_notes(sheet).notes}
    facts = {f.ident for d in sheet.domains for s in d.sections for f in s.facts if f.cards != "none"}
    traps = {t.ident for d in sheet.domains for s in d.sections for t in s.traps if t.cards != "none"}
    was = {n.ident: before[n.content] for n in notes}
    moved = stamps.changes.moved
    # Each note reported moved is one whose section changed, from the section it was in ...
    assert sorted(moved) == sorted((n.ident, was[n.ident].section) for n in notes
                                   if n.section != was[n.ident].section)
    # ... and they are the notes of every carded bullet and trap: the tables and quick reference stayed.
    assert sorted(was[ident].ident.removesuffix("/items") for ident, _ in moved) == sorted(facts | traps)
    assert stamps.changes.renamed == () and stamps.changes.unchanged == len(notes) - len(moved)


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
    assert all(n.fields != before[n.ident].fields and n.own_fields == before[n.ident].own_fields for n in notes)


def with_why(item):
    """The bullet, row or trap with a `why:` of its own (a bullet with cloze deletions takes none)."""
    item = {"cells": item} if isinstance(item, list) else {"text": item} if isinstance(item, str) else item
    return item if "{{c" in item.get("text", "") else {**item, "why": "It is asked on the exam."}


def test_presentation_changes_no_digest_of_a_note_with_a_why(document):
    """Every item given a `why:` (facts, `cards: cloze` lists, table rows and their lists, traps): presentation
    still changes what the cards show and not one note's digest."""
    edited = copy.deepcopy(document)
    for section in sections(edited):
        section["bullets"] = [with_why(b) for b in section.get("bullets", [])]
        section["traps"] = [with_why(t) for t in section.get("traps", [])]
        if "table" in section:
            section["table"]["rows"] = [with_why(r) for r in section["table"]["rows"]]
    before = plan_notes(load(SHEET, dump(edited))).notes
    assert {n.kind for n in before if "It is asked on the exam." in "".join(n.own_fields)} == {"fact", "list", "row", "trap"}
    for i, domain in enumerate(edited["domains"]):
        domain.update(short=domain["short"] + " area", label=f"A{i}", color="#123456", weight=25)
        for section in domain["sections"]:
            section["title"] += " (renamed)"
    edited["quick_reference"]["title"] = "Decisions"
    after = plan_notes(load(SHEET, dump(edited))).notes
    assert [n.ident for n in after] == [n.ident for n in before]
    assert all(a.fields != b.fields and (a.digest, a.content) == (b.digest, b.content) for a, b in zip(after, before))


def test_a_removed_fact_that_comes_back_elsewhere_is_found_from_its_tombstone(document):
    """Facts that name their section (a plain fact and a `cards: cloze` list where the sheet has them), removed,
    then back in another section: their tombstones give their GUIDs."""
    naming = naming_their_section(load(SHEET))
    picked = {f.cards == "cloze": (i, j, f) for i, j, f in reversed(carded_facts(document))
              if f.ident in naming and "/" in f.ident}
    for i, j, fact in picked.values():
        ident = fact.ident + ("/items" if fact.cards == "cloze" else "")
        edited = copy.deepcopy(document)
        here, there = sections(edited)[i], sections(edited)[i - 1]
        bullet = here["bullets"].pop(j)
        _, gone = restamp(edited)
        assert gone.changes.removed == (ident,)
        there.setdefault("bullets", []).append(bullet)
        notes = list(plan_notes(load(SHEET, dump(edited))).notes)
        back = stamp(gone.sections, "mla-c01", notes, TYPES, LATER + 86400)
        arrived = there["id"] + ident[len(here["id"]):]
        assert back.changes.returned == (arrived,)
        assert (back.changes.new, back.changes.moved, back.changes.removed) == ((), (), ())
        assert back.guids[arrived] == LOCK["notes"][ident]["guid"]
        assert back.note_mods[arrived] == LATER + 86400
        assert ident not in back.sections["removed"]
        assert gone.sections["removed"].keys() - {ident} == back.sections["removed"].keys()
    assert picked

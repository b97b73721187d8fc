"""The .apkg through the real Anki engine: counts, decks, tags, rendering, and updates in place."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from anki_helpers import import_package, review_all, scheduling, visible_text
from cli_helpers import build_anki as build
from click.testing import CliRunner
from conftest import REDES, REPO

from cheatdeck.cli import cli
from cheatdeck.pipeline import render_package

# 63 bullets, 10 of them without cards (an open set, or another card asks them), 2 of them lists of one note
# each with a card per item (cards: cloze); 37 table rows less 21 without cards, one note per asked column (one
# per table), with 6 reverse cards (the algorithm table, less IP Insights, Large reg and BlazingText); 10 traps; 22
# quick-reference rows, 8 of them linked to the fact or trap that says the same and 7 left to the cards that
# ask them. The 2 lists have 5 items.
SHIPPED_NOTES = 63 - 10 + 37 - 21 + 10 + 22 - 8 - 7
SHIPPED_CARDS = SHIPPED_NOTES - 2 + 5 + 6




def test_counts_decks_and_tags(shipped, col):
    build()
    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert (len(log.new), len(log.updated)) == (SHIPPED_NOTES, 0)
    assert col.note_count() == SHIPPED_NOTES
    assert col.card_count() == SHIPPED_CARDS
    decks = {d.name for d in col.decks.all_names_and_ids()}
    assert {"MLA-C01", "MLA-C01::D1 · Data Preparation for ML", "MLA-C01::D2 · ML Model Development",
            "MLA-C01::D3 · Deployment & Orchestration", "MLA-C01::D4 · Monitor & Security",
            "MLA-C01::Traps"} <= decks
    assert len(col.find_cards('"deck:MLA-C01::Traps"')) == 10
    assert len(col.find_notes('"deck:MLA-C01::D1 · Data Preparation for ML"')) == 15 - 3 + 8 - 5 + 5 - 2 - 2
    tags = set(col.tags.all())
    assert {"mla-c01::d1", "mla-c01::d2", "mla-c01::d3", "mla-c01::d4", "mla-c01::kind::fact",
            "mla-c01::kind::table", "mla-c01::kind::trap", "mla-c01::kind::quickref", "mla-c01::kind::list",
            "mla-c01::topic::feature-store", "mla-c01::topic::quick-reference"} <= tags
    assert all(" " not in tag for tag in tags)
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        kinds = [t for t in note.tags if "::kind::" in t]
        domains = [t for t in note.tags if t.count("::") == 1]
        topics = [t for t in note.tags if "::topic::" in t]
        if kinds != ["mla-c01::kind::quickref"]:
            # A fact or trap that stands in for a quick-reference row is also found with the quick reference.
            topics = [t for t in topics if t != "mla-c01::topic::quick-reference"]
        assert len(kinds) == len(domains) == len(topics) == 1, note.tags
        assert len({c.did for c in note.cards()}) == 1


def test_every_card_renders(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    fronts = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        question, answer = card.question(), card.answer()
        assert "{{" not in question and "{{" not in answer
        front = visible_text(question)
        assert len(front) > 10, front
        assert visible_text(answer) != front
        fronts.append(front)
    assert len(fronts) == len(set(fronts)), "two cards share a front"


def test_literal_text_on_cards(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    answers = [visible_text(col.get_card(cid).answer()) for cid in col.find_cards("")]
    assert any("Which Disparate Impact (DI) value signals potential discrimination? Below 0.8" in a for a in answers)
    assert any("specific S3 prefixes not s3:*" in a for a in answers)
    trap = col.get_card(col.find_cards('"deck:MLA-C01::Traps"')[0])
    assert 'class="cd cd-trap"' in trap.question() and "TRAP" in visible_text(trap.question())


def test_reword_updates_in_place_and_keeps_history(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    review_all(col)
    before = scheduling(col)
    assert all(reviews == 1 for *_, reviews in before.values())
    text = shipped.read_text(encoding="utf-8")
    shipped.write_text(text.replace("a: A visual interface with 300+", "a: A visual interface with over 300"),
                       encoding="utf-8")
    result = build()
    assert "0 new, 1 changed, 0 moved, 0 removed" in result.output
    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert (len(log.new), len(log.updated)) == (0, 1)
    assert col.note_count() == SHIPPED_NOTES
    assert scheduling(col) == before
    note = col.get_note(col.find_notes('"Id:mla-c01/wrangler-vs-processing/wrangler"')[0])
    assert note["Back"] == "A visual interface with over 300 built-in transforms"


def test_unchanged_rebuild_is_byte_identical_and_imports_nothing(shipped, col):
    build()
    first = Path("dist/mla-c01.apkg").read_bytes()
    import_package(col, Path("dist/mla-c01.apkg"))
    build("--force")
    assert Path("dist/mla-c01.apkg").read_bytes() == first
    log = import_package(col, Path("dist/mla-c01.apkg"))
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, SHIPPED_NOTES)


def test_css_change_updates_note_type_in_place(shipped, col, tmp_path):
    theme = Path(shutil.copytree(REPO / "templates", tmp_path / "theme"))
    build("--templates", str(theme))
    import_package(col, Path("dist/mla-c01.apkg"))
    css = theme / "anki" / "cards.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.cd-prompt { color: #123456; }\n", encoding="utf-8")
    result = build("--templates", str(theme))
    assert "note types updated" in result.output
    import_package(col, Path("dist/mla-c01.apkg"))
    names = sorted(m["name"] for m in col.models.all() if m["name"].startswith("cheatdeck"))
    assert names == ["cheatdeck · Fact", "cheatdeck · List", "cheatdeck · Quick reference", "cheatdeck · Table row",
                     "cheatdeck · Trap"]
    assert all("#123456" in col.models.get(m["id"])["css"] for m in col.models.all() if m["name"].startswith("cheatdeck"))
    assert col.note_count() == SHIPPED_NOTES


def test_field_rename_is_loud(shipped, tmp_path):
    theme = Path(shutil.copytree(REPO / "templates", tmp_path / "theme"))
    build("--templates", str(theme))
    notetypes = theme / "anki" / "notetypes.yaml"
    notetypes.write_text(notetypes.read_text(encoding="utf-8").replace("[Scenario, Rule, Context, Id]",
                                                                       "[Situation, Rule, Context, Id]"), encoding="utf-8")
    trap_front = theme / "anki" / "trap-front.html"
    trap_front.write_text(trap_front.read_text(encoding="utf-8").replace("{{Scenario}}", "{{Situation}}"), encoding="utf-8")
    result = build("--templates", str(theme), "-q")
    assert result.output.startswith("WARNING: the fields or template names of trap changed"), "even with -q"


def test_removed_note_is_reported_with_a_search(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    text = shipped.read_text(encoding="utf-8")
    shipped.write_text(text.replace('          - text: "Status: PendingManualApproval → Approved → Rejected"\n'
                                    "            q: Which three approval statuses can a model version have in the "
                                    "Model Registry?\n"
                                    "            a: PendingManualApproval, Approved, Rejected\n"
                                    "            cards: cloze\n", ""), encoding="utf-8")
    result = build()
    assert "0 new, 0 changed, 0 moved, 1 removed" in result.output
    search = '"Id:mla-c01/model-registry/status/items"'
    assert search in result.output
    assert len(col.find_notes(search)) == 1


def test_source_date_epoch_gives_identical_bytes_without_a_lock(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    outputs = []
    for name in ("a", "b"):
        result = CliRunner().invoke(cli, ["--source", str(tiny), "--out", name, "anki"])
        assert result.exit_code == 0, result.output
        outputs.append(Path(name, "tiny.apkg").read_bytes())
        Path("source/tiny.lock.json").unlink()
    assert outputs[0] == outputs[1]


class _Nesting(HTMLParser):
    """Records, for each <table>, whether it sits inside an element of class `cd`."""

    VOID = {"br", "hr", "img", "meta", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []
        self.tables: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(any(self.stack))
        if tag not in self.VOID:
            self.stack.append("cd" in (dict(attrs).get("class") or "").split())

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def test_card_css_reaches_every_part_of_the_card(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    tables = 0
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        for side in (card.question(), card.answer()):
            parser = _Nesting()
            parser.feed(re.sub(r"<style>.*?</style>", "", side, flags=re.S))
            assert all(parser.tables), "a table outside .cd misses the card's table styles"
            tables += len(parser.tables)
    assert tables > 20


def _without_context(side: str) -> str:
    return visible_text(re.sub(r'<div class="cd-context">.*?</div>', "", side, flags=re.S))


def test_every_shipped_card_asks_one_question_with_one_answer(shipped, col):
    build()
    import_package(col, Path("dist/mla-c01.apkg"))
    answers: dict[int, str] = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        field = {"cheatdeck · Fact": "Back", "cheatdeck · Table row": "Others"}.get(note.note_type()["name"])
        if field:
            answers[nid] = visible_text(note[field]).casefold()
    fronts, reverse, table = [], 0, 0
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        question = card.question()
        prompt = _without_context(question).removeprefix("⚠ TRAP ")
        kind = note.note_type()["name"]
        # A question, never a bare label such as "Status" or "Pipeline"; a list's card asks, then shows the list.
        asked = prompt if kind != "cheatdeck · List" else prompt[:prompt.index("?") + 1]
        assert asked.endswith("?") and len(asked.split()) > 2, prompt
        fronts.append(visible_text(question))
        if card.ord == 1 and kind in ("cheatdeck · Fact", "cheatdeck · Table row"):
            reverse += 1
            shown = answers[note.id]
            assert [n for n, a in answers.items() if a == shown] == [note.id], f"{shown!r} answers another item"
            key = visible_text(note["Key" if kind == "cheatdeck · Table row" else "Front"])
            assert key.casefold() not in shown
        if kind == "cheatdeck · Table row":
            table += 1
            (asked,) = re.findall(r'<div class="cd-ask">(.*?)</div>', question)
            question_asked = visible_text(note["Prompt"]) if card.ord == 0 else f"Which {note['KeyHeader']}?"
            assert visible_text(asked) == question_asked
            (lead,) = re.findall(r'<div class="cd-lead"><b>(.*?)</b></div>', card.answer())
            assert visible_text(lead) == visible_text(note["Others"] if card.ord == 0 else note["Key"])
    assert len(fronts) == len(set(fronts)), "two cards share a front"
    assert (reverse, table) == (6, 16 + 6)



def test_the_collection_waits_in_a_temp_file_of_the_package_removed_once_open(tmp_path, monkeypatch):
    """The package's database is a temp file of the .apkg (write.py's kind: what a kill leaves, the next write
    removes), removed as soon as SQLite has opened it, so its pages wait in a file, not in memory, and are read
    back from it a piece at a time; its header in the package is the one a database kept in memory has (no
    write count, no SQLite version), so the bytes are those of every earlier build. A sheet of 2,000 facts: its
    database outgrows SQLite's cache, which is when the file's header is written."""
    import io
    import os
    import sqlite3
    import sys
    import zipfile

    import yaml

    from cheatdeck import Options, build
    from cheatdeck.deck import package
    from cheatdeck.write import is_own_temp

    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth

    sheet = tmp_path / "big.yaml"
    sheet.write_text(yaml.safe_dump(synth.sheet(2000), sort_keys=False, allow_unicode=True), encoding="utf-8")
    opened, present = [], []
    connect, write_notes = sqlite3.connect, package._write_notes

    def watched(name, *args, **kwargs):
        opened.append(name)
        return connect(name, *args, **kwargs)

    def writing(*args):
        present.append(os.path.exists(opened[-1]))  # while the notes are written, the file is already gone
        return write_notes(*args)

    monkeypatch.setattr("cheatdeck.deck.package.sqlite3.connect", watched)
    monkeypatch.setattr("cheatdeck.deck.package._write_notes", writing)
    apkg = tmp_path / "dist" / "synthetic-2000.apkg"
    build(sheet, Options(out=apkg.parent), ("anki",))
    collection = zipfile.ZipFile(io.BytesIO(apkg.read_bytes())).read("collection.anki2")
    assert len(opened) == 1 and is_own_temp(Path(opened[0]), apkg) and present and not any(present)
    assert sorted(p.name for p in apkg.parent.iterdir()) == [".cheatdeck-state.json", apkg.name]
    assert len(collection) > 2 << 20
    assert collection[24:28] == bytes(4) and collection[92:100] == bytes(8)
    conn = connect(":memory:")
    conn.deserialize(collection)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_package_holds_the_rows_genanki_writes():
    """The package writes its notes and cards without a genanki Note per note, all notes of a deck by one statement
    and then their cards by another: each row, and each id, is the one genanki's own Package writes for the same
    notes (a note's id, then its cards'): the shipped sheet's notes of one card and of two."""
    import itertools
    import sqlite3

    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    from cheatdeck.deck.cloze import without_unused_cloze
    from cheatdeck.deck.notetypes import load_notetypes, palette_css
    from cheatdeck.deck.package import _write_notes, deck_id
    from cheatdeck.deck.plan import plan_notes
    from cheatdeck.deck.stamps import stamp
    from cheatdeck.options import TEMPLATES
    from cheatdeck.source.compile import load

    sheet = load(REPO / "source" / "mla-c01.yaml")
    plan = plan_notes(sheet)
    notetypes = without_unused_cloze(load_notetypes(TEMPLATES / "anki", palette_css(sheet)),
                                     {n.kind for n in plan.notes})
    stamps = stamp({}, sheet.id, plan.notes, {k: (nt.digest, nt.schema) for k, nt in notetypes.items()}, 1_700_000_000)
    models = {kind: nt.to_genanki() for kind, nt in notetypes.items()}
    entries = stamps.sections["notes"]
    assert {len(n.cards) for n in plan.notes} >= {1, 2}

    def rows(write) -> tuple[list, list]:
        conn = sqlite3.connect(":memory:")
        cursor = conn.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        write(cursor, itertools.count(stamps.timestamp * 1000))
        return (cursor.execute("SELECT * FROM notes ORDER BY id").fetchall(),
                cursor.execute("SELECT * FROM cards ORDER BY id").fetchall())

    def ours(cursor, ids) -> None:
        for name in plan.decks:
            notes = [n for n in plan.notes if n.deck == name]
            genanki.Deck(deck_id(sheet.id, name), name).write_to_db(cursor, stamps.timestamp, ids)
            _write_notes(cursor, notes, models, entries, deck_id(sheet.id, name), stamps.timestamp, ids, [])

    def theirs(cursor, ids) -> None:
        for name in plan.decks:
            deck = genanki.Deck(deck_id(sheet.id, name), name)
            for note in (n for n in plan.notes if n.deck == name):
                deck.add_note(genanki.Note(models[note.kind], list(note.fields), guid=entries[note.ident]["guid"],
                                           tags=list(note.tags)))
            deck.write_to_db(cursor, stamps.timestamp, ids)

    assert rows(ours) == rows(theirs)


def test_the_package_has_the_tables_and_indexes_genanki_makes(shipped):
    """The rows go in before the indexes are made: the package's schema is still genanki's, every index too."""
    import io
    import sqlite3
    import zipfile

    from genanki.apkg_schema import APKG_SCHEMA

    def schema(conn) -> set:
        return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())

    theirs = sqlite3.connect(":memory:")
    theirs.executescript(APKG_SCHEMA)
    with zipfile.ZipFile(io.BytesIO(render_package(shipped).data)) as archive:
        ours = sqlite3.connect(":memory:")
        ours.deserialize(archive.read("collection.anki2"))
    assert schema(ours) == schema(theirs) and {"ix_notes_csum", "ix_cards_nid"} <= {row[1] for row in schema(ours)}
    assert ours.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    notes = ours.execute("SELECT count() FROM notes").fetchone()[0]
    assert notes > 50
    assert ours.execute("SELECT count() FROM notes INDEXED BY ix_notes_usn WHERE usn = -1").fetchone()[0] == notes


PUERTOS = REDES.read_text(encoding="utf-8")


def test_a_spanish_deck_asks_in_spanish_on_every_side(col, tmp_path):
    """A sheet in Spanish asks its table's column as written with Spanish's opening mark ("¿Puerto?"), its
    reverse cards the key column's header ("¿Protocolo?") and its quick reference's card the last column's
    ("¿Regla?"): the reverse question is the note's own field, and the note types hold no English ("Which",
    "Decision"). An English sheet's reverse card still asks "Which Protocol?"."""
    from anki.collection import Collection

    from cheatdeck import Options
    from cheatdeck import build as build_sheet

    sheet = tmp_path / "redes.yaml"
    sheet.write_text(PUERTOS, encoding="utf-8")
    build_sheet(sheet, Options(out=tmp_path / "dist"), ("anki",))
    import_package(col, tmp_path / "dist" / "redes.apkg")
    sides = {(col.get_card(cid).ord, visible_text(col.get_card(cid).question())) for cid in col.find_cards("")}
    assert (0, "D1 · Transporte Puertos bien conocidos Protocolo: HTTP ¿Puerto?") in sides
    assert (1, "D1 · Transporte Puertos bien conocidos 80 ¿Protocolo?") in sides
    assert any(text.endswith(" Puerto efímero ¿Regla?") for _, text in sides), sides
    assert not any(word in text for _, text in sides for word in ("Which", "which", "Decision"))

    english = tmp_path / "en" / "ports.yaml"
    english.parent.mkdir()
    english.write_text(PUERTOS.replace("language: es\n", "").replace("Protocolo", "Protocol"), encoding="utf-8")
    build_sheet(english, Options(out=tmp_path / "en" / "dist"), ("anki",))
    other = Collection(str(tmp_path / "en.anki2"))
    try:
        import_package(other, tmp_path / "en" / "dist" / "redes.apkg")
        asked = {visible_text(other.get_card(cid).question()) for cid in other.find_cards("card:Reverse")}
    finally:
        other.close()
    assert asked == {"D1 · Transporte Puertos bien conocidos 80 Which Protocol?",
                     "D1 · Transporte Puertos bien conocidos 443 Which Protocol?",
                     "D1 · Transporte Puertos bien conocidos 22 Which Protocol?"}

"""The deck's own path: Anki's file does not wait for the card lint, and a rebuild after an edit (what `watch`
does on a save) writes byte for byte what a cold build of the same sheet and lock writes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from cheatdeck.options import Options
from cheatdeck.pipeline import build
from cheatdeck.source.compile import load
from cheatdeck.state import lock


def test_the_deck_and_its_lock_are_written_before_the_card_lint_runs(tiny, monkeypatch):
    from cheatdeck.deck import render
    from cheatdeck.deck.lint import lint as linted

    seen = []
    counted = render.count_warnings

    def count(plan):
        seen.append((Path("dist/tiny.apkg").exists(), Path("source/tiny.lock.json").exists(), time.time()))
        return counted(plan)

    monkeypatch.setattr(render, "count_warnings", count)
    result = build(tiny, Options(out=Path("dist")), ("anki",))
    (deck,) = result.outputs
    # Reported as landed when its file was written (what `watch` tells), not once the lint is done.
    assert seen == [(True, True, seen[0][2])] and deck.landed <= seen[0][2]
    assert deck.details.notes > 0 and deck.details.warnings == len(linted(render.plan_notes(load(tiny))))


def test_the_card_lint_runs_without_the_decks_bytes_and_the_locks_sections_alive(tiny, monkeypatch):
    """What only the write needed is let go before the lint: a big sheet's peak holds the lint's transients or
    the package and the lock's entries, not both."""
    import gc

    from cheatdeck import pipeline
    from cheatdeck.deck import render

    alive = []
    counted = render.count_warnings

    def count(plan):
        gc.collect()
        alive.extend(o for o in gc.get_objects() if isinstance(o, (render.Deck, pipeline._Rendered))
                     and (o.data or (o.sections if isinstance(o, render.Deck) else o.lock_sections)))
        return counted(plan)

    monkeypatch.setattr(render, "count_warnings", count)
    build(tiny, Options(out=Path("dist")), ("anki",))
    assert alive == []


def _sheet() -> dict:
    """Three domains of three sections, each with facts, a trap and (every other one) a table."""
    domains = []
    for d in range(3):
        sections = []
        for s in range(3):
            n = d * 3 + s
            section = {"id": f"s{n}", "title": f"Section {n}",
                       "bullets": [f"Term {n}-{k}: explanation of fact {n}.{k}" for k in range(4)],
                       "traps": [{"q": f"Which rule applies in case {n}?", "text": f"Rule {n}: never mix A and B."}]}
            if n % 2 == 0:
                section["table"] = {"columns": ["Key", "Value"], "rows": [[f"Row {n}-{r}", f"value {r}"] for r in range(3)]}
            sections.append(section)
        domains.append({"id": f"d{d}", "name": f"Domain {d}", "short": f"D{d}", "weight": [30, 30, 40][d],
                        "color": ["#16365c", "#2e7d32", "#d9822b"][d], "sections": sections})
    return {"id": "rebuilt", "title": "Rebuilt sheet", "version": "1", "domains": domains}


def _reword(sheet: dict) -> None:
    sheet["domains"][0]["sections"][1]["bullets"][2] = "Term 1-2: explanation reworded"


def _insert(sheet: dict) -> None:
    sheet["domains"][1]["sections"][0]["bullets"].insert(1, "Inserted: a new fact between two others")


def _remove(sheet: dict) -> None:
    del sheet["domains"][2]["sections"][1]["bullets"][0]


def _move(sheet: dict) -> None:
    sheet["domains"][2]["sections"].append(sheet["domains"][0]["sections"].pop(0))


def _save(path: Path, sheet: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(sheet, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit", [_reword, _insert, _remove, _move], ids=lambda edit: edit.__name__[1:])
def test_a_rebuild_in_the_process_that_built_the_sheet_writes_what_a_cold_build_writes(edit, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sheet = _sheet()
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", sheet)
    build(watched, Options(out=watched.parent / "dist"), ("anki",))
    lock_before = lock.lock_path(watched).read_bytes()
    edit(sheet)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")  # a day later: the edited notes' mods rise
    _save(watched, sheet)
    rebuilt = build(watched, Options(out=watched.parent / "dist"), ("anki",))
    cold = _save(tmp_path / "cold" / "rebuilt.yaml", sheet)
    lock.lock_path(cold).write_bytes(lock_before)
    built = build(cold, Options(out=cold.parent / "dist"), ("anki",))
    assert rebuilt.changes == built.changes and (rebuilt.changes.changed or rebuilt.changes.new
                                                 or rebuilt.changes.removed or rebuilt.changes.moved)
    assert (watched.parent / "dist" / "rebuilt.apkg").read_bytes() == (cold.parent / "dist" / "rebuilt.apkg").read_bytes()
    assert lock.lock_path(watched).read_bytes() == lock.lock_path(cold).read_bytes()


def test_a_section_moved_to_another_domain_says_an_import_leaves_its_cards_in_the_old_deck(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cheatdeck.cli.app import cli

    monkeypatch.chdir(tmp_path)
    sheet = _sheet()
    path = _save(tmp_path / "source" / "rebuilt.yaml", sheet)
    assert CliRunner().invoke(cli, ["--out", "dist", "anki"]).exit_code == 0
    _move(sheet)
    _save(path, sheet)
    result = CliRunner().invoke(cli, ["--out", "dist", "anki"])
    assert result.exit_code == 0, result.output
    assert "section s0 moved to deck \u201cRebuilt sheet::D0 \u00b7 Domain 0\u201d" not in result.output
    assert ("section s0 moved to deck \u201cRebuilt sheet::D3 \u00b7 Domain 2\u201d (from \u201cRebuilt sheet::D1 "
            "\u00b7 Domain 0\u201d)") in result.output, result.output
    assert "An import leaves the moved sections' cards in their old deck" in result.output
    # A domain renamed moves no section: its deck is renamed, and said so once.
    sheet["domains"][1]["name"] = "Domain One"
    _save(path, sheet)
    result = CliRunner().invoke(cli, ["--out", "dist", "anki"])
    assert "renamed deck" in result.output and "moved to deck" not in result.output, result.output


def test_the_lock_written_a_few_thousand_lines_at_a_time_is_the_locks_text():
    """`dump_bytes` (what a build writes) encodes the lock's lines exactly, over several of its batches,
    with text that is not ASCII and sections of every shape."""
    notes = {f"s{i % 7}/k\u00e9y-{i}": {"content": "c" * 16, "guid": f"g\"{i}\\", "hash": "h", "mod": i,
                                       "section": f"s{i % 7}"} for i in range(3 * lock._BATCH + 5)}
    document = {"format": lock.FORMAT, "notes": notes, "notetypes": {"basic": {"mod": 1, "digest": "d"}},
                "removed": {}, "sheet": "t\u00ebst"}
    written = lock.dump_bytes(document)
    assert written == "".join(line for line, _ in lock._lines(document)).encode()
    assert lock.parse(bytes(written), Path("t.lock.json")) == document


@pytest.mark.parametrize("document", [
    {"format": lock.FORMAT, "notes": {f"s/{i}": {"mod": i} for i in range(lock._BATCH + 3)}, "removed": {},
     "sheet": "t"},
    {"format": lock.FORMAT, "layout": {"a": 1}, "notes": {"s/a": {"mod": 1}},
     "removed": {f"s/{i}": {"guid": "g", "left": "2026-12-01"} for i in range(lock._BATCH + 3)}, "sheet": "t"},
    {"removed": {"s/a": {"guid": "g"}}},
    {"format": lock.FORMAT, "removed": {"s/a": {"guid": "g"}}},
    {"layout": [1, 2], "removed": {"s/a": {"guid": "g"}}, "zz": "last"},
    {},
])
def test_the_lock_written_in_pieces_is_its_text_and_its_digest_what_a_build_reads_of_it(tmp_path, document):
    """`write` (what a build does) writes `dump_bytes`' text without holding it, and works out as it goes the
    digest the next build takes of the file (`anki_digest`): the deck is up to date after its own build, its
    tombstones and format-2 layout hints left out wherever they sit."""
    path = tmp_path / "t.lock.json"
    path.write_bytes(b"an older lock")
    digest, kept = lock.write(path, document)
    assert path.read_bytes() == lock.dump_bytes(document) and kept is None
    assert digest == lock.anki_digest(path.read_bytes())
    assert lock.write(path, document, keep=True) == (digest, path.read_bytes())
    without = {name: value for name, value in document.items() if name not in lock.NOT_ANKI}
    if sorted(document)[-1:] != ["removed"]:  # last, its span leaves the comma before it
        assert digest == lock.anki_digest(bytes(lock.dump_bytes(without)))

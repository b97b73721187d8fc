"""What `watch` keeps between saves besides the sections (source/sections.py), and the order of a save's work.

Each note's stamp and the lock (deck/stamps.Kept, Sections.stamps and .locks): a save stamps again only the notes
that are not the very ones the last save stamped with the entries the lock still holds, and what it writes is
what a cold build of the same sheet and lock writes, byte for byte. The deck's card lint runs once the PDF is
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from cheatdeck.deck import stamps
from cheatdeck.options import Options
from cheatdeck.pipeline import build, prime
from cheatdeck.source.sections import Sections
from cheatdeck.state import lock
from test_deck_rebuild import _insert, _move, _remove, _reword, _save, _sheet

DAY = 86400


@pytest.fixture
def taken(monkeypatch) -> list[int]:
    """How many notes each stamp of the watched sheet took as kept (a cold build keeps nothing)."""
    counts = []
    same = stamps._same

    def counted(notes, entries, kept):
        out = same(notes, entries, kept)
        if kept is not None:
            counts.append(len(out))
        return out

    monkeypatch.setattr(stamps, "_same", counted)
    return counts


def _cold(tmp_path: Path, watched: Path, lock_before: bytes, name: str):
    """A cold build, in a folder of its own, of the watched sheet's text with the lock it had before the save."""
    cold = tmp_path / name / watched.name
    cold.parent.mkdir()
    cold.write_bytes(watched.read_bytes())
    lock.lock_path(cold).write_bytes(lock_before)
    return cold, build(cold, Options(out=cold.parent / "dist"), ("anki",))


def _same_outputs(watched: Path, cold: Path) -> bool:
    return ((watched.parent / "dist" / f"{watched.stem}.apkg").read_bytes()
            == (cold.parent / "dist" / f"{cold.stem}.apkg").read_bytes()
            and lock.lock_path(watched).read_bytes() == lock.lock_path(cold).read_bytes())


@pytest.mark.parametrize("edit", [_reword, _insert, _remove, _move], ids=lambda edit: edit.__name__[1:])
def test_saves_that_keep_stamps_write_what_cold_builds_write(edit, taken, tmp_path, monkeypatch):
    epoch = 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    original = _sheet()
    edited = _sheet()
    edit(edited)
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", original)
    sections = Sections()
    build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    # The edit, back, and the edit again: every save's stamps rise a day later.
    for step, sheet in enumerate([edited, original, edited]):
        lock_before = lock.lock_path(watched).read_bytes()
        epoch += DAY
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        _save(watched, sheet)
        rebuilt = build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
        cold, built = _cold(tmp_path, watched, lock_before, f"cold{step}")
        assert rebuilt.changes == built.changes and built.changes.unchanged > 0
        assert _same_outputs(watched, cold), step
    # The first build had nothing kept; each save took most notes as they were.
    assert taken[0] == 0 and min(taken[1:]) >= 30, taken


def test_a_sheet_with_a_glossary_keeps_its_stamps_and_a_changed_glossary_spells_every_note_anew(taken, tmp_path,
                                                                                                monkeypatch):
    """The glossary makes new notes of the planned ones; the watch keeps what it made of a kept section's notes
    while the glossary is the same, so their stamps are kept too."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sheet = {**_sheet(), "glossary": {"Term": "Terminus"}}
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", sheet)
    sections = Sections()
    build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    for step, edit in enumerate([_reword, lambda s: s["glossary"].update(Term="Terminal")]):
        lock_before = lock.lock_path(watched).read_bytes()
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + (step + 1) * DAY))
        edit(sheet)
        _save(watched, sheet)
        rebuilt = build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
        cold, built = _cold(tmp_path, watched, lock_before, f"cold{step}")
        assert rebuilt.changes == built.changes and built.changes.changed
        assert _same_outputs(watched, cold), step
    # The reword kept most notes' stamps; the new glossary spelled out every note that says "Term" anew.
    assert taken[1] >= 30 and len(built.changes.changed) >= 30, taken


def test_a_lock_put_back_between_saves_is_stamped_against_as_a_cold_build_would(taken, tmp_path, monkeypatch):
    """The kept stamps are of the lock the watch wrote; a lock the user put back (an older commit) holds other
    entries for notes the watch kept: those are stamped against the lock as it is."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sheet = _sheet()
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", sheet)
    sections = Sections()
    build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    first_lock = lock.lock_path(watched).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + DAY))
    _reword(sheet)
    _save(watched, sheet)
    build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    lock.lock_path(watched).write_bytes(first_lock)  # the reworded note's entry goes back to before the save
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + 2 * DAY))
    sheet["domains"][2]["sections"][0]["bullets"][0] = "Term 6-0: another fact reworded"
    _save(watched, sheet)
    rebuilt = build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    cold, built = _cold(tmp_path, watched, first_lock, "cold")
    assert rebuilt.changes == built.changes and set(built.changes.changed) == {"s1/term-1-2", "s6/term-6-0"}
    assert _same_outputs(watched, cold)
    assert taken[-1] >= 30


def test_a_primed_watch_stamps_its_first_save_from_what_it_kept(taken, tmp_path, monkeypatch):
    """A sheet the watch's first build found up to date is stamped as the watch starts (pipeline.prime): its
    first save keeps the stamps of the notes it left alone."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    sheet = _sheet()
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", sheet)
    build(watched, Options(out=watched.parent / "dist"), ("anki",))
    sections = Sections()
    assert build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections).up_to_date
    prime(watched, sections, ("anki",))
    lock_before = lock.lock_path(watched).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + DAY))
    _remove(sheet)
    _save(watched, sheet)
    rebuilt = build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    cold, built = _cold(tmp_path, watched, lock_before, "cold")
    assert rebuilt.changes == built.changes and built.changes.removed
    assert _same_outputs(watched, cold)
    assert taken[-1] >= 30, taken


def test_priming_a_sheet_whose_lock_cannot_be_read_leaves_it_to_the_saves_build(tmp_path):
    """prime writes and reports nothing: a lock it cannot read (here a folder in its place) is the build's to
    report, with its path, as a sheet that does not load is."""
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", _sheet())
    lock.lock_path(watched).mkdir()
    sections = Sections()
    prime(watched, sections, ("anki",))
    assert str(watched) not in sections.locks


def test_the_watch_parses_the_lock_it_wrote_once(tmp_path, monkeypatch):
    """A save after a save reads the lock the last one wrote from memory; a lock changed on disk is read."""
    calls = []
    parse = lock.parse
    monkeypatch.setattr(lock, "parse", lambda data, path: calls.append(path) or parse(data, path))
    sheet = _sheet()
    watched = _save(tmp_path / "rebuilt.yaml", sheet)
    sections = Sections()
    build(watched, Options(out=tmp_path / "dist"), ("anki",), sections=sections)
    _reword(sheet)
    _save(watched, sheet)
    build(watched, Options(out=tmp_path / "dist"), ("anki",), sections=sections)
    assert len(calls) == 1
    lock.lock_path(watched).write_text(lock.lock_path(watched).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _insert(sheet)
    _save(watched, sheet)
    build(watched, Options(out=tmp_path / "dist"), ("anki",), sections=sections)
    assert len(calls) == 2


def test_in_watch_the_pdf_does_not_wait_for_the_decks_card_lint(tiny, monkeypatch):
    """The deck lands first, then the PDF, then the lint works out the deck's details and the state records it;
    a build outside `watch` lints before the PDF's layout, which then holds no notes."""
    import json

    from cheatdeck.deck import render

    events = []
    counted = render.count_warnings

    def count(plan):
        events.append(("lint", Path("dist/tiny.pdf").exists()))
        return counted(plan)

    monkeypatch.setattr(render, "count_warnings", count)
    result = build(tiny, Options(out=Path("dist")), on_written=lambda output: events.append(output.kind),
                   sections=Sections())
    assert events == ["anki", "pdf", ("lint", True)]
    deck = result.outputs[0]
    assert deck.kind == "anki" and deck.details.notes > 0
    state = json.loads(Path("dist/.cheatdeck-state.json").read_text(encoding="utf-8"))
    assert sorted(key.rpartition("::")[2] for key in state["outputs"]) == ["anki", "pdf"]
    assert build(tiny, Options(out=Path("dist")), sections=Sections()).up_to_date
    events.clear()
    Path("dist/tiny.pdf").unlink()
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes"), encoding="utf-8")
    build(tiny, Options(out=Path("dist")), on_written=lambda output: events.append(output.kind))
    assert events == [("lint", False), "anki", "pdf"]

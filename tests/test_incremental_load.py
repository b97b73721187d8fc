"""`watch` loads and plans only the sections a save changed (source/sections.py): what it makes equals a cold
load and plan of the same text, positions included, and the deck it writes is a cold build's, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from cheatdeck.deck.plan import plan_notes
from cheatdeck.errors import CheatdeckError
from cheatdeck.options import Options
from cheatdeck.pipeline import build
from cheatdeck.source.compile import load
from cheatdeck.source.sections import Sections
from cheatdeck.state import lock
from test_deck_rebuild import _insert, _move, _remove, _reword, _save, _sheet


def _lines_above(path: Path) -> None:
    path.write_text("# a comment\n# and another\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _edited(path: Path, edit) -> None:
    if edit is _lines_above:
        edit(path)
        return
    import yaml

    sheet = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(sheet)
    _save(path, sheet)


def _where(sheet, plan) -> list:
    """Every text's and note's Location, and every section's."""
    sections = [s for d in sheet.domains for s in d.sections]
    return ([t.loc for t in sheet.texts()] + [n.loc for n in plan.notes] + [s.loc for s in sections]
            + [s.table.loc for s in sections if s.table])


EDITS = [_reword, _insert, _remove, _move, _lines_above]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__[1:])
def test_a_load_and_plan_that_keep_sections_equal_cold_ones(edit, tmp_path):
    path = _save(tmp_path / "rebuilt.yaml", _sheet())
    sections = Sections()
    first = load(path, sections=sections)
    planned = {id(note) for note in plan_notes(first, sections).notes}
    _edited(path, edit)
    kept = load(path, sections=sections)
    plan = plan_notes(kept, sections)
    assert sum(id(note) in planned for note in plan.notes) >= 30  # the kept sections' notes, planned once
    cold = load(path)
    cold_plan = plan_notes(cold)
    # Most sections were kept: the same records, moved to where their text now starts.
    firsts = {s.id: s for d in first.domains for s in d.sections}
    reused = [s for d in kept.domains for s in d.sections if s is firsts.get(s.id)]
    assert len(reused) >= 6
    assert kept == cold and plan.notes == cold_plan.notes
    assert _where(kept, plan) == _where(cold, cold_plan)
    # Kept again, and kept right once more after the text goes back.
    _save(path, _sheet())
    again = load(path, sections=sections)
    assert again == load(path) and _where(again, plan_notes(again, sections)) == _where(load(path), plan_notes(load(path)))


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__[1:])
def test_a_watched_rebuild_that_keeps_sections_writes_a_cold_builds_deck(edit, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    watched = _save(tmp_path / "watched" / "rebuilt.yaml", _sheet())
    sections = Sections()
    build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    lock_before = lock.lock_path(watched).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    _edited(watched, edit)
    rebuilt = build(watched, Options(out=watched.parent / "dist"), ("anki",), sections=sections)
    cold = tmp_path / "cold" / "rebuilt.yaml"
    cold.parent.mkdir()
    cold.write_bytes(watched.read_bytes())
    lock.lock_path(cold).write_bytes(lock_before)
    built = build(cold, Options(out=cold.parent / "dist"), ("anki",))
    assert rebuilt.changes == built.changes
    assert (watched.parent / "dist" / "rebuilt.apkg").read_bytes() == (cold.parent / "dist" / "rebuilt.apkg").read_bytes()
    assert lock.lock_path(watched).read_bytes() == lock.lock_path(cold).read_bytes()


def test_watch_loads_a_sheet_its_first_build_found_up_to_date_so_its_first_save_keeps_sections(tmp_path,
                                                                                              monkeypatch):
    from cli_helpers import watching

    from cheatdeck.source import sections as kept_sections

    monkeypatch.chdir(tmp_path)
    path = _save(tmp_path / "rebuilt.yaml", _sheet())
    build(path, Options(out=Path("dist")), ("anki",))
    took = []
    take = kept_sections.Loading.take
    monkeypatch.setattr(kept_sections.Loading, "take", lambda self, key: took.append(take(self, key)) or took[-1])
    with watching(path) as (outcomes, wait_for):
        assert outcomes[0].up_to_date
        _edited(path, _reword)
        wait_for(2)
    assert not outcomes[1].up_to_date and outcomes[1].changes.changed
    # The save's load took the sections the edit left alone from what the watch loaded at its start.
    assert sum(entry is not None for entry in took) >= 6


FLOW = """id: x
title: X
version: '1'
domains:
  - id: d0
    name: D
    sections:
      - {id: s0, title: S0,
         bullets: ['K1: v1', 'K2: v2']}
      - id: s1
        title: S1
        bullets:
          - 'K3: v3'
"""


@pytest.mark.parametrize("case", ["no final newline", "a flow section over two lines"])
def test_a_section_that_ends_on_a_line_holding_more_is_never_kept_stale(case, tmp_path):
    """A section's text is whole lines; one whose last line also holds its end (a file without a final newline,
    a flow mapping's `}`) must not be kept on the strength of its other lines."""
    import yaml

    if case == "no final newline":
        text = yaml.safe_dump(_sheet(), sort_keys=False).rstrip("\n")
        edited = text[:-1] + "Z"
    else:
        text, edited = FLOW, FLOW.replace("K2: v2", "K2: v9")
    path = tmp_path / "sheet.yaml"
    path.write_text(text, encoding="utf-8")
    sections = Sections()
    load(path, sections=sections)
    path.write_text(edited, encoding="utf-8")
    kept, cold = load(path, sections=sections), load(path)
    assert kept == cold and [t.loc for t in kept.texts()] == [t.loc for t in cold.texts()]


def test_sections_stay_kept_save_after_save_once_lines_moved_them(tmp_path, monkeypatch):
    """A kept section is kept again at the line it now starts on, so that every later save finds it too."""
    import yaml

    from cheatdeck.source import compile as compiled

    skipped = []
    read = compiled.read_yaml

    def counted(raw, file, kept=None):
        out = read(raw, file, kept)
        if kept is not None:  # a load that keeps sections (a cold one passes none)
            skipped.append(len(out[1].skipped))
        return out

    monkeypatch.setattr(compiled, "read_yaml", counted)
    text = yaml.safe_dump(_sheet(), sort_keys=False)
    path = tmp_path / "sheet.yaml"
    sections = Sections()
    for saved in (text, "# a\n# b\n" + text, "# a\n# b\n" + text.replace("Term 3-1", "Term 3-1 Q"),
                  "# a\n# b\n" + text.replace("Term 3-1", "Term 3-1 R")):
        path.write_text(saved, encoding="utf-8")
        assert load(path, sections=sections) == load(path)
    assert skipped[0] == 0 and min(skipped[1:]) >= 6, skipped


def _problems(path: Path, sections: Sections | None = None) -> list:
    with pytest.raises(CheatdeckError) as caught:
        load(path, sections=sections)
    return [(p.loc, p.message) for p in caught.value.problems]


def test_errors_in_changed_sections_and_against_kept_ones_are_a_cold_loads(tmp_path):
    sheet = _sheet()
    sheet["domains"][1]["sections"][0]["bullets"][1] = {"text": "Term 3-1: pinned", "id": "shared"}
    path = _save(tmp_path / "rebuilt.yaml", sheet)
    sections = Sections()
    load(path, sections=sections)
    # Lines inserted above every section; a changed section takes the id of a kept one's bullet, and another
    # changed section has an unclosed cloze deletion.
    sheet["domains"][0]["sections"][0]["bullets"].insert(0, "Added: a fact at the top")
    sheet["domains"][2]["sections"][2]["bullets"].append({"text": "Other: again", "id": "shared"})
    sheet["domains"][1]["sections"][1]["bullets"][0] = "Broken: a {{c1::cloze never closed"
    _save(path, sheet)
    problems = _problems(path, sections)
    assert problems == _problems(path) and len(problems) >= 2
    assert any("line" in message and "both have the id" in message for _, message in problems)
    # The sheet mended: the kept sections still stand where they are.
    del sheet["domains"][1]["sections"][1]["bullets"][0]
    sheet["domains"][2]["sections"][2]["bullets"].pop()
    _save(path, sheet)
    kept = load(path, sections=sections)
    assert kept == load(path) and _where(kept, plan_notes(kept)) == _where(load(path), plan_notes(load(path)))


def test_a_section_shown_twice_by_an_alias_is_not_kept(tmp_path):
    text = _save(tmp_path / "rebuilt.yaml", _sheet()).read_text(encoding="utf-8")
    path = tmp_path / "rebuilt.yaml"
    path.write_text(text.replace("title: Section 0\n", "title: &t Section 0\n", 1), encoding="utf-8")
    sections = Sections()
    load(path, sections=sections)
    assert sections.loaded[str(path)] == {}


def test_a_syntax_error_beside_kept_sections_reads_as_in_a_cold_load(tmp_path):
    path = _save(tmp_path / "rebuilt.yaml", _sheet())
    sections = Sections()
    load(path, sections=sections)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- 'Term 4-1: explanation of fact 4.1'", "- 'Term 4-1: explanation of fact 4.1", 1),
                    encoding="utf-8")
    problems = _problems(path, sections)
    assert problems == _problems(path) and problems
    # A slip in the first section, before any kept one is put in place: the slips after it are a cold read's.
    load(_save(path, _sheet()), sections=sections)
    path.write_text(text.replace("- 'Term 0-1: explanation of fact 0.1'", "- 'Term 0-1: explanation of fact 0.1", 1)
                    .replace("- 'Term 8-1: explanation of fact 8.1'", "- Term 8-1: {{explanation", 1), encoding="utf-8")
    problems = _problems(path, sections)
    assert problems == _problems(path) and problems


def test_a_domain_that_changes_its_sections_reverse_builds_them_again(tmp_path):
    sheet = _sheet()
    path = _save(tmp_path / "rebuilt.yaml", sheet)
    sections = Sections()
    load(path, sections=sections)
    sheet["reverse"] = True
    _save(path, sheet)
    kept = load(path, sections=sections)
    assert kept == load(path) and any(f.cards == "both" for d in kept.domains for s in d.sections for f in s.facts)


def test_a_kept_section_is_planned_again_when_the_sheets_language_changes(tmp_path):
    """A table's card asks "Which <header>?" in English and the header as written elsewhere: a section kept from
    the last save keeps its notes only under the same language."""
    path = _save(tmp_path / "rebuilt.yaml", _sheet())
    sections = Sections()
    english = plan_notes(load(path, sections=sections), sections)
    sheet = _sheet()
    sheet["language"] = "de"
    _save(path, sheet)
    german = plan_notes(load(path, sections=sections), sections)
    assert german.notes == plan_notes(load(path)).notes != english.notes
    # Spanish asks as German does, but opens its questions with "¿".
    sheet["language"] = "es"
    _save(path, sheet)
    spanish = plan_notes(load(path, sections=sections), sections)
    assert spanish.notes == plan_notes(load(path)).notes != german.notes

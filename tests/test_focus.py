"""`focus` and `stats --collection`: a review history made with Anki's own scheduler, read back read-only."""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner

import cheatdeck
from cheatdeck.cli import cli
from cheatdeck.study import score
from cheatdeck.study.choose import fill
from cheatdeck.study.history import Card

from anki_helpers import import_package
from study_helpers import built_sheet, copy_reviewed, make_reviewed, token


@pytest.fixture(scope="module")
def sm2(tmp_path_factory):
    return make_reviewed(tmp_path_factory.mktemp("sm2"))


@pytest.fixture(scope="module")
def fsrs(tmp_path_factory):
    return make_reviewed(tmp_path_factory.mktemp("fsrs"), fsrs=True)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pdf_text(path: Path) -> tuple[str, int]:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages), len(pdf.pages)


def _tokens(reviewed, idents) -> set[str]:
    return {token(i) for i in idents}


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("which", ["sm2", "fsrs"])
def test_failed_and_unstudied_notes_rank_first_on_either_scheduler(which, request, tmp_path):
    reviewed = copy_reviewed(request.getfixturevalue(which), tmp_path)
    before, files = _digest(reviewed.collection), sorted(reviewed.collection.parent.iterdir())
    result = cheatdeck.focus(reviewed.source, reviewed.collection)
    assert result.fsrs is (which == "fsrs")
    ranked = [n.ident for n in result.notes]
    weakest = reviewed.dozen | reviewed.never
    assert set(ranked[:len(weakest)]) == weakest
    # Never studied ranks weakest of all, before the weight of its domain.
    assert {n.ident for n in result.notes if n.weakness == 1.0} == reviewed.never
    assert {n.ident for n in result.weak} == weakest
    assert all(n.weakness < score.WEAK for n in result.notes if n.ident in reviewed.good)
    assert _digest(reviewed.collection) == before
    assert sorted(reviewed.collection.parent.iterdir()) == files


def test_exam_weight_lifts_a_heavier_domain(sm2, tmp_path):
    reviewed = copy_reviewed(sm2, tmp_path)
    result = cheatdeck.focus(reviewed.source, reviewed.collection)
    never = [n for n in result.notes if n.ident in reviewed.never]
    # Equally unknown, the notes of the 50 % domain come before the 30 % one's, and those before the 20 % one's.
    assert [n.domain for n in never] == ["d1", "d1", "d2", "d2", "d3", "d3"]
    assert never[0].score == pytest.approx((50 / (100 / 3)) ** 0.5)


def test_focus_pdf_holds_the_weak_notes_in_the_sheets_look(sm2, tmp_path):
    reviewed = copy_reviewed(sm2, tmp_path)
    before = _digest(reviewed.collection)
    out = tmp_path / "print"
    run = _run("focus", str(reviewed.source), "--collection", str(reviewed.collection), "--out", str(out))
    assert run.exit_code == 0, run.output
    text, pages = _pdf_text(out / "study.focus.pdf")
    printed = {t for t in _tokens(reviewed, reviewed.guids) if t in text}
    assert printed >= _tokens(reviewed, reviewed.dozen | reviewed.never)
    assert len(printed & _tokens(reviewed, reviewed.good)) <= 2
    assert pages <= 2
    today = datetime.date.today().isoformat()
    result = cheatdeck.focus(reviewed.source, reviewed.collection)
    assert f"Focus · {today} · from {result.reviews} reviews" in text
    # The weak trap (qx10) comes with its section's title; sections with nothing weak are left out.
    assert "Rule QX10" in text and "Storage Topic 0" in text
    assert "18 weak notes" in run.output and _digest(reviewed.collection) == before
    listed = _run("focus", str(reviewed.source), "--collection", str(reviewed.collection), "--out", str(out), "-v")
    assert "never studied)" in listed.output and "  qx10  (trap, d1, 4 reviews)" in listed.output


def test_the_budget_is_filled_from_the_top_of_the_ranking(tmp_path, col):
    # Nothing studied yet: every note of a sheet longer than a page is weak.
    source = built_sheet(tmp_path, filler=30)
    import_package(col, tmp_path / "dist" / "study.apkg")
    col.close()
    result = cheatdeck.focus(source, col.path)
    sheet = cheatdeck.write_focus(result, cheatdeck.Options(out=tmp_path / "out", print=cheatdeck.PrintOptions(pages=1)))
    assert len(result.weak) == 60 and sheet.left_out
    assert sheet.printed == result.weak[:len(sheet.printed)]
    text, pages = _pdf_text(sheet.path)
    assert pages == 1
    printed = {token(n.ident) for n in sheet.printed}
    assert {t for t in (token(n.ident) for n in result.notes) if t in text} == printed
    # The heaviest domain's notes come first.
    assert {n.domain for n in sheet.printed} == {"d1"} or all(token(n.ident) in text for n in result.notes
                                                              if n.domain == "d1")
    col.reopen()


def test_fill_bisects_with_the_quick_test_and_renders_once_more():
    rendered, probed = [], []

    def render(count: int) -> int:
        rendered.append(count)
        if count > 23:
            raise cheatdeck.CheatdeckError("overflow")
        return count * 10

    def fits(count: int) -> bool:
        probed.append(count)
        return count <= 23

    assert fill(100, render, fits) == (23, 230)
    assert rendered == [100, 23] and len(probed) <= 7
    # Where the quick test is too hopeful, one note fewer is rendered until it fits.
    rendered.clear()
    assert fill(100, render, lambda count: count <= 25) == (23, 230)
    assert rendered == [100, 25, 24, 23]

    def overflow(count: int):
        raise cheatdeck.CheatdeckError("overflow")

    with pytest.raises(cheatdeck.CheatdeckError, match="overflow"):
        fill(5, overflow, lambda count: False)


def test_min_reviews_keeps_out_notes_with_too_little_history(sm2, tmp_path):
    reviewed = copy_reviewed(sm2, tmp_path)
    result = cheatdeck.focus(reviewed.source, reviewed.collection, cheatdeck.FocusOptions(min_reviews=1))
    assert not {n.ident for n in result.notes} & reviewed.never
    result = cheatdeck.focus(reviewed.source, reviewed.collection, cheatdeck.FocusOptions(min_reviews=3))
    # Left: the notes answered again as due reviews, and the lapsed ones (Good, Good, Again, Again).
    assert {n.ident for n in result.weak} == reviewed.lapsed
    assert all(n.reviews >= 3 for n in result.notes)
    run = _run("focus", str(reviewed.source), "--collection", str(reviewed.collection), "--min-reviews", "100",
               "--out", str(tmp_path / "out"))
    weak = sum(d.weak for d in result.domains)
    assert run.exit_code == 0 and weak
    assert f"nothing to print: none of the {weak} weak notes was answered 100 times or more" in run.output
    assert not (tmp_path / "out" / "study.focus.pdf").exists()


def test_forty_days_later_known_cards_are_overdue_and_old_agains_forgotten(sm2, tmp_path):
    reviewed = copy_reviewed(sm2, tmp_path)
    now = cheatdeck.focus(reviewed.source, reviewed.collection)
    later = cheatdeck.focus(reviewed.source, reviewed.collection, cheatdeck.FocusOptions(now=time.time() + 40 * 86400))
    weakness = {n.ident: n.weakness for n in now.notes}
    weakness_later = {n.ident: n.weakness for n in later.notes}
    # A graduated card (an interval of a few days) is over 35 days overdue: 0.15 × 35/(35 + 5) or more added.
    assert all(weakness_later[i] - weakness[i] >= 0.13 for i in reviewed.good)
    # The Agains fell out of the 30 days' window: the failed cards of the learning steps are no longer weak.
    assert all(weakness_later[i] < weakness[i] for i in reviewed.dozen - reviewed.lapsed)
    assert later.date == now.date + datetime.timedelta(days=40)
    assert all(d.reviews == 0 and d.retention is None for d in later.domains)


def _engine_counts(collection: Path, domain: str) -> tuple[int, int, int, int]:
    """Cards and studied cards of a domain's notes, and their reviews (and passes) in the last 30 days,
    counted straight from the collection's tables with the engine."""
    from anki.collection import Collection

    col = Collection(str(collection))
    try:
        tag = f"% study::{domain} %"
        cards, studied = col.db.first("SELECT count(), sum(c.type != 0) FROM cards c JOIN notes n ON n.id = c.nid "
                                      "WHERE n.tags LIKE ?", tag)
        reviews, passed = col.db.first(
            "SELECT count(), coalesce(sum(r.ease > 1), 0) FROM revlog r JOIN cards c ON c.id = r.cid "
            "JOIN notes n ON n.id = c.nid WHERE n.tags LIKE ? AND r.type = 1 AND r.ease > 0 AND r.id > ?",
            tag, int((time.time() - 30 * 86400) * 1000))
    finally:
        col.close()
    return cards, studied, reviews, passed


def test_the_domain_table_matches_the_engines_own_counts(sm2, tmp_path):
    reviewed = copy_reviewed(sm2, tmp_path)
    result = cheatdeck.focus(reviewed.source, reviewed.collection)
    engine = tmp_path / "engine.anki2"
    engine.write_bytes(reviewed.collection.read_bytes())
    for report in result.domains:
        cards, studied, reviews, passed = _engine_counts(engine, report.domain)
        assert (report.cards, report.cards_studied, report.reviews, report.passed) == (cards, studied, reviews, passed)
        assert report.notes == 20 and report.never_studied == 2
        assert report.weak == len({i for i in reviewed.dozen | reviewed.never
                                   if next(n for n in result.notes if n.ident == i).domain == report.domain})
    assert [r.retention for r in result.domains][0] < 1.0  # the lapses were D1's
    run = _run("stats", str(reviewed.source), "--collection", str(reviewed.collection))
    assert run.exit_code == 0, run.output
    d1 = result.domains[0]
    line = next(line for line in run.output.splitlines() if line.strip().startswith("D1 Storage 50%"))
    assert f"{d1.cards_studied} / {d1.cards}" in line and f"{100 * d1.retention:.0f} % of {d1.reviews}" in line
    assert line.rstrip().endswith(f"{d1.weak} ({d1.never_studied} never studied)")
    assert not (tmp_path / "dist" / "study.focus.pdf").exists()


def test_a_collection_open_in_anki_is_read_from_its_newest_backup(sm2, tmp_path):
    reviewed = copy_reviewed(sm2, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from anki.collection import Collection; c = Collection(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read(); c.close()", str(reviewed.collection)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = cheatdeck.focus(reviewed.source, reviewed.collection)
        (backup,) = (reviewed.collection.parent / "backups").iterdir()
        assert result.backup == backup and result.backup_taken.date() == datetime.date.today()
        assert {n.ident for n in result.weak} == reviewed.dozen | reviewed.never
        run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(reviewed.collection),
                                       "--out", str(tmp_path / "out")])
        assert run.exit_code == 0, run.output
        assert f"read its newest backup instead, {backup.name} of {result.backup_taken:%Y-%m-%d %H:%M}" in run.output
        backup.unlink()
        run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(reviewed.collection)])
        assert run.exit_code == 1
        assert "the collection is open in Anki" in run.output and "has no backup to read instead" in run.output
    finally:
        holder.communicate("")


def test_a_log_beside_the_real_file_of_a_link_or_a_hot_journal_means_open(sm2, tmp_path):
    """SQLite keeps the -wal and -journal beside the file a symbolic link points to; a rollback-journal
    collection in the middle of a write has a hot journal instead of a -wal. Either way the main file is not a
    consistent picture: the backup is read (or, with none beside the link, focus refuses)."""
    reviewed = copy_reviewed(sm2, tmp_path / "project")
    link = tmp_path / "elsewhere" / "collection.anki2"
    link.parent.mkdir()
    link.symlink_to(reviewed.collection)
    wal = reviewed.collection.with_name("collection.anki2-wal")
    wal.write_bytes(b"")
    with pytest.raises(cheatdeck.CheatdeckError, match="has no backup to read instead"):
        cheatdeck.focus(reviewed.source, link)
    wal.unlink()
    assert cheatdeck.focus(reviewed.source, link).backup is None
    journal = reviewed.collection.with_name("collection.anki2-journal")
    journal.write_bytes(bytes.fromhex("d9d505f920a163d7") + bytes(504))
    result = cheatdeck.focus(reviewed.source, reviewed.collection)
    assert result.backup == next((reviewed.collection.parent / "backups").iterdir())


def test_a_collection_without_the_sheets_notes_is_refused(sm2, tmp_path, col):
    reviewed = copy_reviewed(sm2, tmp_path / "project")
    path = Path(col.path)
    col.close()
    run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(path)])
    assert run.exit_code == 1
    assert "none of the 60 notes of study are in this collection" in run.output
    run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(tmp_path / "missing.anki2")])
    assert run.exit_code == 2 and "no such collection file" in run.output
    (tmp_path / "notes.txt").write_text("not a database", encoding="utf-8")
    run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(tmp_path / "notes.txt")])
    assert run.exit_code == 1 and "this is not an Anki collection (not an SQLite database)" in run.output
    conn = sqlite3.connect(tmp_path / "other.db")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(tmp_path / "other.db")])
    assert run.exit_code == 1 and "it has no notes, cards and revlog tables" in run.output
    reviewed.source.with_name("study.lock.json").unlink()
    run = CliRunner().invoke(cli, ["focus", str(reviewed.source), "--collection", str(path)])
    assert run.exit_code == 1 and "no notes in the lock file yet: build study" in run.output
    col.reopen()


def test_the_library_prints_nothing(sm2, tmp_path, capsys):
    reviewed = copy_reviewed(sm2, tmp_path)
    result = cheatdeck.focus(reviewed.source, reviewed.collection)
    cheatdeck.write_focus(result, cheatdeck.Options(out=tmp_path / "out"))
    assert capsys.readouterr() == ("", "")
    assert {"focus", "write_focus", "Focus", "FocusOptions", "FocusSheet", "RankedNote",
            "DomainReport"} <= set(cheatdeck.__all__)


def _card(**kw) -> Card:
    values = dict(id=1, guid="g", kind=2, interval=30, ease=2.5, lapses=0, overdue_days=0, answers=5, recent=5)
    return Card(**{**values, **kw})


def test_each_signal_of_the_score_raises_the_weakness():
    base = score.card_weakness(_card(), fsrs=False)
    assert score.card_weakness(_card(lapses=2), fsrs=False) > base
    assert score.card_weakness(_card(recent_again=3), fsrs=False) > base
    assert score.card_weakness(_card(ease=1.3), fsrs=False) > base
    assert score.card_weakness(_card(interval=3), fsrs=False) > base
    assert score.card_weakness(_card(overdue_days=30), fsrs=False) > base
    known = _card(difficulty=2.0, retrievability=0.97)
    assert score.card_weakness(_card(difficulty=9.0, retrievability=0.97), fsrs=True) > \
        score.card_weakness(known, fsrs=True)
    assert score.card_weakness(_card(difficulty=2.0, retrievability=0.6), fsrs=True) > \
        score.card_weakness(known, fsrs=True)
    assert score.card_weakness(_card(kind=0), fsrs=True) == score.NEVER_STUDIED == 1.0
    assert score.note_weakness([], fsrs=False) == 1.0

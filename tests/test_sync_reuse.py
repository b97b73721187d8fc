"""`sync` applies the package a build wrote when it and the lock are up to date, without loading, planning or
linting the sheet again; a package older than its sheet is built anew first."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection
from anki_helpers import note_fields
from cli_helpers import run

from cheatdeck.collection.driver import sync
from cheatdeck.options import Options

SPIED = ["cheatdeck.source.compile.load", "cheatdeck.deck.render.plan_notes", "cheatdeck.deck.render.count_warnings",
         "cheatdeck.deck.render.render_deck"]


@pytest.fixture
def collection(tmp_path) -> Path:
    path = tmp_path / "profile" / "collection.anki2"
    path.parent.mkdir()
    Collection(str(path)).close()
    return path


def _forbid(monkeypatch) -> None:
    for target in SPIED:
        monkeypatch.setattr(target, lambda *args, **kwargs: pytest.fail("the sheet was built again"))



def test_a_sync_after_a_fresh_build_applies_the_built_package_as_it_is(tiny, collection, monkeypatch):
    run("anki")
    package = Path("dist/tiny.apkg").read_bytes()
    with monkeypatch.context() as spied:
        _forbid(spied)
        planned = sync(tiny, collection, Options(out=Path("dist")), plan=True)
        result = sync(tiny, collection, Options(out=Path("dist")))
    assert result.build.up_to_date and planned.report.new == result.report.new > 0
    assert Path("dist/tiny.apkg").read_bytes() == package
    notes = note_fields(collection)
    assert any("stage changes" in flds for flds in notes)


def test_a_stale_build_is_built_again_before_the_sync(tiny, collection, monkeypatch):
    run("anki")
    sync(tiny, collection, Options(out=Path("dist")))
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes"), encoding="utf-8")
    with monkeypatch.context() as spied:
        _forbid(spied)  # a stale package is not applied as it is: the sync must build
        with pytest.raises(pytest.fail.Exception, match="built again"):
            sync(tiny, collection, Options(out=Path("dist")), plan=True)
    planned = sync(tiny, collection, Options(out=Path("dist")), plan=True)
    assert planned.report.updated == 1
    result = sync(tiny, collection, Options(out=Path("dist")))
    assert not result.build.up_to_date and result.build.changes.changed == ("commands/add",)
    assert result.report.updated == 1
    assert any("stage the changes" in flds for flds in note_fields(collection))


def test_anki_s_importer_runs_only_when_the_package_brings_a_new_note(tiny, collection, monkeypatch):
    import cheatdeck.collection.apply as apply_module

    run("anki")
    assert sync(tiny, collection, Options(out=Path("dist"))).report.new > 0
    text = tiny.read_text(encoding="utf-8")
    tiny.write_text(text.replace("stage changes", "stage the changes"), encoding="utf-8")
    run("anki")
    with monkeypatch.context() as spied:
        spied.setattr(apply_module, "_import", lambda *args: pytest.fail("imported"))
        assert sync(tiny, collection, Options(out=Path("dist"))).report.updated == 1
    tiny.write_text(text.replace("        bullets:\n", "        bullets:\n          - Stash: set changes aside\n", 1),
                    encoding="utf-8")
    run("anki")
    result = sync(tiny, collection, Options(out=Path("dist")))
    assert result.report.new == 1 and any("set changes aside" in flds for flds in note_fields(collection))

"""Pages reused from an earlier build's drawing (pdf/reuse.py): after an edit only the pages it changed are
drawn, and the PDF is byte for byte what a cold build of the edited sheet prints."""

from __future__ import annotations

import base64
import copy
import json
import zlib

import pytest
from click.testing import CliRunner
from conftest import SHIPPED
from test_layout_memo import EDITS, _cold, _remove, _sheet, _write

from cheatdeck.cli import cli
from cheatdeck.options import Options
from cheatdeck.pdf.memo import LayoutMemo
from cheatdeck.pipeline import build
from cheatdeck.source.sections import Sections
from cheatdeck.state import measures


def _long_sheet(copies: int = 3, pages: int = 4) -> dict:
    """The memo test's sheet with `copies` more of each section, on a budget of `pages` pages."""
    sheet = _sheet()
    for domain in sheet["domains"]:
        more = []
        for copy_number in range(copies):
            for section in copy.deepcopy(domain["sections"]):
                section["id"] += f"x{copy_number}"
                section["title"] += f" {copy_number}"
                more.append(section)
        domain["sections"] += more
    sheet["print"] = {"pages": pages}
    return sheet


def _renamed_domain(sheet: dict) -> None:
    """Its sections' text is the same (a watch keeps their records); their chips, and so their pages, change."""
    sheet["domains"][1]["name"] += " renamed"


def _new_character(sheet: dict) -> None:
    """A character the sheet did not print before, on its first page: every later page's font codes move."""
    sheet["domains"][0]["sections"][0]["bullets"][0] += " Ωmega"


def _built(source, out, memo, force=False, sections=None):
    result = build(source, Options(out=out, force=force), ("pdf",), memo=memo, sections=sections)
    return result.outputs[0].details, (out / "memo-sheet.pdf").read_bytes()


@pytest.mark.parametrize("kept", ["watch", "folder", "watch keeping sections"])
def test_an_edit_redraws_only_its_pages_and_prints_what_a_cold_build_prints(tmp_path, kept):
    """In `watch`, the sections an edit left alone are the records the last load made (source/sections.py),
    whose pages' digests are taken from the last sheet's (reuse._digested)."""
    sheet = _long_sheet()
    source = _write(tmp_path / "warm" / "memo-sheet.yaml", sheet)
    out = source.parent / "dist"
    memo = LayoutMemo() if kept.startswith("watch") else None
    sections = Sections() if kept == "watch keeping sections" else None
    first, _ = _built(source, out, memo, sections=sections)
    assert first.pages == 4 and first.reused == 0
    for edit in [*EDITS, _new_character, _renamed_domain]:
        edit(sheet)
        _write(source, sheet)
        details, warm = _built(source, out, memo, sections=sections)
        assert warm == _cold(tmp_path, copy.deepcopy(sheet), edit.__name__), edit.__name__
        # The size above the chosen one was measured well over the budget by the last build: not laid out again.
        assert details.passes == 1, edit.__name__
        if edit in (_new_character, EDITS[-1], _renamed_domain):
            # New codes on page one, a section moved from page one to the last, or a domain's name in the header
            # of every page: no later page stands as it was.
            assert details.reused == 0, edit.__name__
        else:
            assert details.reused == details.pages - 1, edit.__name__
    details, again = _built(source, out, memo, force=True)
    assert details.reused == details.pages == 4 and again == warm, "an unchanged sheet draws no page"


def test_kept_pages_are_trusted_only_when_this_code_wrote_them(tmp_path):
    """A pages file of other code, another format, damaged or of the wrong shape is ignored: every page is drawn
    anew, and the PDF is the cold build's."""
    sheet = _long_sheet()
    source = _write(tmp_path / "s" / "memo-sheet.yaml", sheet)
    out = source.parent / "dist"
    _built(source, out, None)
    _remove(sheet)
    _write(source, sheet)
    cold = _cold(tmp_path, copy.deepcopy(sheet), "cold")
    kept = measures.pages_path(out).read_text(encoding="utf-8")

    def tampered(change) -> bytes:
        data = json.loads(kept)
        change(data)
        measures.pages_path(out).write_text(json.dumps(data), encoding="utf-8")
        details, pdf = _built(source, out, None)
        assert details.reused == 0
        return pdf

    def garbled(data: dict) -> None:
        for page in data["pages"].values():
            page[1] = base64.b64encode(zlib.compress(b"0 0 m 1 1 l S")).decode()  # a page of other content

    assert tampered(lambda d: (garbled(d), d.update(code="other code"))) == cold
    assert tampered(lambda d: (garbled(d), d.update(format=0))) == cold
    assert tampered(lambda d: d.update(pages={k: [1, 2] for k in d["pages"]})) == cold
    assert tampered(lambda d: d.update(pages={k: [*v[:1], "not base64!", *v[2:]] for k, v in d["pages"].items()}))\
        == cold
    assert tampered(lambda d: d.update(pages={k: [v[0], "bm90IHpsaWI=", *v[2:]] for k, v in d["pages"].items()}))\
        == cold  # base64, but not of a compressed stream
    measures.pages_path(out).write_bytes(b"\xff not json")
    assert _built(source, out, None)[1] == cold
    # The same garbled pages in a file this code wrote are trusted: the unedited sheet reuses every one.
    data = json.loads(kept)
    garbled(data)
    measures.pages_path(out).write_text(json.dumps(data), encoding="utf-8")
    _write(source, _long_sheet())
    details, pdf = _built(source, out, None)
    assert details.reused == 4 and pdf != _cold(tmp_path, _long_sheet(), "original")


def test_a_long_layout_is_let_go_of_while_the_next_size_is_tried_and_laid_out_again(tmp_path, monkeypatch):
    """With one layout alive at a time (render.LONG), the search takes one pass more and prints the same PDF."""
    from cheatdeck.options import TEMPLATES, PrintOptions
    from cheatdeck.pdf import render
    from cheatdeck.source.compile import load

    loaded = load(_write(tmp_path / "long" / "memo-sheet.yaml", _long_sheet()))
    opts = PrintOptions().over(loaded.print)
    pdf, details, _ = render.render_pdf(loaded, opts, TEMPLATES)
    monkeypatch.setattr(render, "LONG", 0)
    again, alone, _ = render.render_pdf(loaded, opts, TEMPLATES)
    assert again == pdf and alone.passes == details.passes + 1


def test_a_long_layout_laid_out_again_keeps_its_pass_for_the_next_build(tmp_path, monkeypatch):
    """The best size, laid out again after a long pass was let go (a larger size tried and failed), keeps its
    relay: the next build after an edit splices from it, and draws the pages it cannot reuse (none kept here) from
    a cold pass."""
    from cheatdeck.pdf import render
    from cheatdeck.state import measures

    monkeypatch.setattr(render, "LONG", 0)
    kept, keep = [], render._Search.keep

    def keeping(search, page, best):
        kept.append(best.size in search.relays)
        keep(search, page, best)

    monkeypatch.setattr(render._Search, "keep", keeping)
    source = tmp_path / "long" / "mla-c01.yaml"
    source.parent.mkdir()
    text = SHIPPED.read_text(encoding="utf-8")
    built = []
    for number in range(3):
        source.write_text(text.replace("real-time", "real-time" + " extra words here" * number, 1), encoding="utf-8")
        measures.pages_path(tmp_path / "dist").unlink(missing_ok=True)
        for out in ("dist", f"cold-{number}"):
            result = CliRunner().invoke(cli, ["--out", str(tmp_path / out), "pdf", "--columns", "3", "--pages", "3",
                                              str(source)])
            assert result.exit_code == 0, result.output
        built.append([(tmp_path / out / "mla-c01.pdf").read_bytes() for out in ("dist", f"cold-{number}")])
    assert all(warm == cold for warm, cold in built) and kept == [True] * 6

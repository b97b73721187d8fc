"""A layout pass that lays out again only what an edit changed (pdf/relay.py): after a reword, an insert, a
removal and a move, with the last pass kept in memory (`watch`) or in the output folder, the PDF and what the
build says of it are a cold build's, and the units far from the edit are not laid out."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from test_layout_memo import EDITS, _write
from test_page_reuse import _long_sheet

from cheatdeck.options import TEMPLATES, Options, PrintOptions
from cheatdeck.pdf import memo as memo_module, relay, render, story
from cheatdeck.pdf.memo import LayoutMemo
from cheatdeck.pipeline import build
from cheatdeck.source.compile import load
from cheatdeck.state import measures

NAME = "memo-sheet"


def _sheet() -> dict:
    """Eight pages of sections, so that each edit has kept pages before and after it."""
    return _long_sheet(copies=7, pages=8)


def _cold(tmp_path, sheet: dict, name: str):
    """The PDF and its details laid out from nothing, with no memo."""
    loaded = load(_write(tmp_path / f"cold-{name}" / f"{NAME}.yaml", sheet))
    pdf, details, _ = render.render_pdf(loaded, PrintOptions().over(loaded.print), TEMPLATES)
    return pdf, details


@pytest.fixture
def laid(monkeypatch) -> list[tuple[int, int]]:
    """Each pass's units laid out and the sheet's units, as the passes end."""
    passes: list[tuple[int, int]] = []
    units_from = relay.Relay.units_from

    def counted(self, layout, flow):
        yield from units_from(self, layout, flow)
        passes.append((self.laid, len(self.keys)))

    monkeypatch.setattr(relay.Relay, "units_from", counted)
    return passes


def _built(source, out, memo, force=False):
    result = build(source, Options(out=out, force=force), ("pdf",), memo=memo)
    return (out / f"{NAME}.pdf").read_bytes(), result.outputs[0].details


@pytest.mark.parametrize("kept", ["watch", "folder"])
def test_an_edit_lays_out_only_what_it_changed_and_prints_what_a_cold_build_prints(tmp_path, laid, kept):
    sheet = _sheet()
    source = _write(tmp_path / "warm" / f"{NAME}.yaml", sheet)
    out = source.parent / "dist"
    memo = LayoutMemo() if kept == "watch" else None
    _, first = _built(source, out, memo)
    assert first.pages == 8 and laid and all(count == total for count, total in laid)
    for edit in EDITS:
        edit(sheet)
        _write(source, sheet)
        laid.clear()
        pdf, details = _built(source, out, memo)
        cold_pdf, cold = _cold(tmp_path, copy.deepcopy(sheet), edit.__name__)
        assert pdf == cold_pdf, edit.__name__
        assert details == dataclasses.replace(cold, passes=details.passes, reused=details.reused), edit.__name__
        assert len(laid) == 1, edit.__name__
        count, total = laid[0]
        if edit is not EDITS[-1]:  # the move takes the first section to the last domain's end: all of it moves
            assert count <= total / 2, f"{edit.__name__}: {count} of {total} units laid out again"
    laid.clear()
    pdf, details = _built(source, out, memo, force=True)
    assert laid == [(0, laid[0][1])] and details.reused == 8, "an unchanged sheet lays out and draws nothing"


def test_a_kept_page_that_cannot_be_reused_is_drawn_from_a_cold_pass(tmp_path, laid):
    """A new character on the first page moves every later page's font codes: the kept pages after the edit are
    drawn anew, from a cold pass at the same size, and the PDF is a cold build's."""
    sheet = _sheet()
    source = _write(tmp_path / "warm" / f"{NAME}.yaml", sheet)
    out = source.parent / "dist"
    memo = LayoutMemo()
    _built(source, out, memo)
    sheet["domains"][0]["sections"][0]["bullets"][0] += " Ωmega"
    _write(source, sheet)
    laid.clear()
    pdf, details = _built(source, out, memo)
    assert pdf == _cold(tmp_path, copy.deepcopy(sheet), "omega")[0]
    assert details.reused == 0 and len(laid) == 1 and laid[0][0] < laid[0][1]


def test_kept_layouts_are_trusted_only_when_this_code_wrote_them_and_are_bounded(tmp_path, monkeypatch):
    sheet = _sheet()
    source = _write(tmp_path / "s" / f"{NAME}.yaml", sheet)
    out = source.parent / "dist"
    _built(source, out, None)
    EDITS[0](sheet)
    _write(source, sheet)
    cold = _cold(tmp_path, copy.deepcopy(sheet), "cold")[0]
    kept = measures.layouts_path(out).read_text(encoding="utf-8")
    assert len(json.loads(kept)["layouts"]) == 1

    def tampered(change) -> None:
        data = json.loads(kept)
        change(data)
        measures.layouts_path(out).write_text(json.dumps(data), encoding="utf-8")
        measures.pages_path(out).unlink(missing_ok=True)  # drawn anew: what the kept layout says shows in the PDF
        assert _built(source, out, None, force=True)[0] == cold

    def moved(data: dict) -> None:
        for layout in data["layouts"].values():
            for page in layout[1]:
                for column in page:
                    column[2] = [[h * 1.5, *rest] for h, *rest in column[2]]

    for change in (lambda d: (moved(d), d.update(code="other code")), lambda d: (moved(d), d.update(format=0)),
                   lambda d: d.update(layouts={k: [1, 2] for k in d["layouts"]}),
                   lambda d: d.update(layouts={k: [v[0][:3], *v[1:]] for k, v in d["layouts"].items()}),
                   lambda d: d.update(layouts={k: [*v[:3], [[0, [None, 1, 0], [None, 0, 0]]] * len(v[0])]
                                               for k, v in d["layouts"].items()}),
                   lambda d: d.update(layouts="x")):
        tampered(change)
    measures.layouts_path(out).write_bytes(b"\xff not json")
    assert _built(source, out, None, force=True)[0] == cold

    monkeypatch.setattr(memo_module, "LAYOUT_LIMIT", 2)
    for number in range(3):
        other = _write(tmp_path / "s" / f"other-{number}.yaml", {**_long_sheet(), "id": f"other-{number}"})
        build(other, Options(out=out), ("pdf",))
    assert len(json.loads(measures.layouts_path(out).read_text(encoding="utf-8"))["layouts"]) == 2


def test_one_word_last_lines_are_counted_as_a_cold_pass_counts_them(tmp_path, monkeypatch, laid):
    """Every section bar taken as ending on one word, a continued one as two: whether the flow asks for a
    section's continued bar depends, while the section is poured, on the page before it. After each edit the
    spliced pass counts what a cold pass counts."""
    title_bar = story.Layout.title_bar

    def counted(self, label, title, fill, continued=False):
        self.orphans += 1 + continued
        return title_bar(self, label, title, fill, continued)

    monkeypatch.setattr(story.Layout, "title_bar", counted)
    sheet = _sheet()
    source = _write(tmp_path / "warm" / f"{NAME}.yaml", sheet)
    out = source.parent / "dist"
    _built(source, out, None)
    laid.clear()
    for edit in EDITS:
        edit(sheet)
        _write(source, sheet)
        _, details = _built(source, out, None)
        cold = _cold(tmp_path, copy.deepcopy(sheet), edit.__name__)[1]
        assert details.orphans == cold.orphans > 48, edit.__name__
    assert sum(count < total for count, total in laid) == 3, "the move alone lays out the whole sheet"

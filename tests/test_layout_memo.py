"""The layout memo (pdf/memo.py, state/measures.py): an edited sheet, laid out with what earlier builds measured,
prints exactly what a cold build prints; the memo kept in the output folder is a cache that is ignored when it
cannot be trusted, and bounded."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
import yaml

from cheatdeck.options import Options
from cheatdeck.pdf import memo as memo_module, page
from cheatdeck.pdf.memo import LayoutMemo
from cheatdeck.pipeline import build
from cheatdeck.state import measures

COLORS = ["#16365c", "#2e7d32", "#d9822b", "#7b3fa0"]


def _sheet() -> dict:
    """A small sheet of four domains whose facts run to one, two and three lines, with tables, traps and a quick
    reference: enough for a few columns."""
    domains = []
    for d in range(4):
        sections = []
        for s in range(3):
            n = d * 3 + s
            bullets = [f"Term {n}-{k}: explanation of fact {n}.{k}" + " with a few more words" * (k % 3)
                       for k in range(5)]
            section = {"id": f"s{n}", "title": f"Section {n}", "bullets": bullets,
                       "traps": [{"q": f"Which rule applies in case {n}?", "text": f"Rule {n}: never mix A < B & C."}]}
            if n % 3 == 0:
                section["table"] = {"columns": ["Key", "Value"],
                                    "rows": [[f"Row {n}-{r}", f"value {r} and its note"] for r in range(4)]}
            sections.append(section)
        domains.append({"id": f"d{d + 1}", "name": f"Domain {d + 1}", "short": f"D{d + 1}", "weight": 25,
                        "color": COLORS[d], "sections": sections})
    rows = [{"domain": f"d{i % 4 + 1}", "cells": [f"Concept {i}", f"facts {i}", f"rule {i}"]} for i in range(8)]
    return {"id": "memo-sheet", "title": "Memo sheet", "version": "1", "domains": domains,
            "quick_reference": {"columns": ["Concept", "Key Facts", "Rule"], "rows": rows}}


def _reword(sheet: dict) -> None:
    sheet["domains"][0]["sections"][1]["bullets"][2] = (
        "Term 1-2: explanation reworded at length, so that it takes more lines than it did before the edit")


def _insert(sheet: dict) -> None:
    sheet["domains"][1]["sections"][0]["bullets"].insert(1, "Inserted: a new fact between two others")


def _remove(sheet: dict) -> None:
    del sheet["domains"][2]["sections"][1]


def _move(sheet: dict) -> None:
    sheet["domains"][3]["sections"].append(sheet["domains"][0]["sections"].pop(0))


EDITS = [_reword, _insert, _remove, _move]


def _write(path: Path, sheet: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(sheet, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _cold(tmp: Path, sheet: dict, name: str) -> bytes:
    """The PDF of `sheet` laid out from nothing, with no memo at all: every paragraph set and measured anew."""
    from cheatdeck.options import TEMPLATES, PrintOptions
    from cheatdeck.pdf import render
    from cheatdeck.source.compile import load

    loaded = load(_write(tmp / f"cold-{name}" / "memo-sheet.yaml", sheet))
    return render.render_pdf(loaded, PrintOptions().over(loaded.print), TEMPLATES)[0]


@pytest.mark.parametrize("held", [2, 0], ids=["held", "shed"])
@pytest.mark.parametrize("kept", ["watch", "folder"])
def test_an_edited_sheet_prints_what_a_cold_build_prints(tmp_path, monkeypatch, kept, held):
    """After a reword, an insert, a removal and a move, each built with what the builds before it measured (kept
    in memory as `watch` keeps it, or in the output folder), the PDF is byte for byte a cold build's."""
    monkeypatch.setattr(page, "HELD_PAGES", held)
    sheet = _sheet()
    source = _write(tmp_path / "warm" / "memo-sheet.yaml", sheet)
    out = source.parent / "dist"
    memo = LayoutMemo() if kept == "watch" else None
    build(source, Options(out=out), ("pdf",), memo=memo)
    for edit in EDITS:
        edit(sheet)
        _write(source, sheet)
        if kept == "folder":
            # What the last build measured is all this one starts with: the file, not this process's memory.
            assert measures.path(out).is_file()
        reused = LayoutMemo() if kept == "folder" else memo
        build(source, Options(out=out), ("pdf",), memo=reused)
        assert reused.hits > reused.misses, f"{edit.__name__}: the edit re-measured most of the sheet"
        warm = (out / "memo-sheet.pdf").read_bytes()
        assert warm == _cold(tmp_path, copy.deepcopy(sheet), edit.__name__), edit.__name__


def _built(tmp_path: Path, name: str = "sheet") -> tuple[Path, Path]:
    source = _write(tmp_path / name / "memo-sheet.yaml", _sheet())
    out = source.parent / "dist"
    build(source, Options(out=out), ("pdf",))
    return source, out


def _tampered(out: Path, change) -> None:
    data = json.loads(measures.path(out).read_text(encoding="utf-8"))
    change(data)
    measures.path(out).write_text(json.dumps(data), encoding="utf-8")


def _rebuilt(source: Path, out: Path) -> bytes:
    """A forced build, with no remembered size in the user's cache (state/layouts.py): the search runs."""
    for remembered in Path(os.environ["XDG_CACHE_HOME"]).rglob("layouts.json"):
        remembered.unlink()
    build(source, Options(out=out, force=True), ("pdf",))
    return (out / "memo-sheet.pdf").read_bytes()


def test_the_kept_memo_is_read_and_trusted_only_when_this_code_wrote_it(tmp_path):
    """Heights the file holds are used as they are (doubled, they move the layout); the same file marked as
    written by other code, or damaged, or of the wrong shape, is ignored: the PDF is the cold build's."""
    source, out = _built(tmp_path)
    cold = (out / "memo-sheet.pdf").read_bytes()

    def doubled(data: dict) -> None:
        data["settled"] = {k: [*v[:5], v[5] * 2] if isinstance(v, list) else v * 2 for k, v in data["settled"].items()}
        data["heights"] = {k: v * 2 for k, v in data["heights"].items()}

    _tampered(out, doubled)
    assert _rebuilt(source, out) != cold, "the kept heights were not used"

    for damage in (lambda d: (doubled(d), d.update(code="other code")),
                   lambda d: (doubled(d), d.update(format=0)),
                   lambda d: d.update(settled={k: "tall" for k in d["settled"]}, heights={k: [1] for k in d["heights"]},
                                      sizes={k: -1 for k in d["sizes"]}),
                   lambda d: d.update(settled=[1, 2], heights="x", sizes=None)):
        measures.path(out).unlink()
        _rebuilt(source, out)  # a good file again
        _tampered(out, damage)
        assert _rebuilt(source, out) == cold
    for junk in (b"", b"{", b"[]", b"\xff\xfe not json", b'{"format": 1, "code": null}'):
        measures.path(out).write_bytes(junk)
        assert _rebuilt(source, out) == cold
        assert json.loads(measures.path(out).read_text(encoding="utf-8"))["settled"], "the file is written anew"


def test_the_memo_files_are_written_in_chunks_as_one_json_text_would_be(tmp_path, monkeypatch):
    """The files are written a chunk of entries at a time: the same bytes as the document's one JSON text, for
    any chunk size; the paragraphs' keys (bytes in the memo) are written as hex and read back as the same bytes,
    and a key that is not one is dropped."""
    memo = LayoutMemo()
    for i in range(7):
        memo.put_settled(LayoutMemo.digest("s", str(i)), (0.5, -0.25, 2, 1.5, True, 9.0 + i) if i % 2 else i / 3)
        memo.put_height(LayoutMemo.digest("h", str(i)), i * 1.25)
    memo.remember_size("sheet:{}", 9.25)
    whole = None
    for chunk in (1, 3, 7, 2_000):
        monkeypatch.setattr(measures, "CHUNK", chunk)
        measures.save(tmp_path, "code", **memo.bounded())
        text = measures.path(tmp_path).read_bytes()
        whole = whole or json.dumps({"format": measures.FORMAT, "code": "code",
                                     "settled": {k.hex(): v for k, v in memo.settled.items()},
                                     "heights": {k.hex(): v for k, v in memo.heights.items()},
                                     "sizes": memo.sizes, "over": {}}, separators=(",", ":")).encode()
        assert text == whole, chunk
    loaded = measures.load(tmp_path, "code")
    assert loaded["settled"] == memo.settled and loaded["heights"] == memo.heights
    data = json.loads(whole)
    data["heights"] |= {"not hex": 1.0, "abcd": 2.0}
    measures.path(tmp_path).write_text(json.dumps(data), encoding="utf-8")
    assert measures.load(tmp_path, "code")["heights"] == memo.heights


def test_the_memo_is_bounded(tmp_path, monkeypatch):
    memo = LayoutMemo(limit=10)
    for i in range(100):
        memo.put_height(f"h{i}", float(i))
        memo.put_settled(f"s{i}", (0.0, -0.3, None, None, False, float(i)) if i % 2 else float(i))
    assert len(memo.heights) <= 12 and len(memo.settled) <= 12
    assert memo.get_height("h99") == 99.0 and memo.get_height("h0") is None, "the newest are kept"
    kept = memo.bounded()
    assert len(kept["heights"]) == len(kept["settled"]) == 10

    monkeypatch.setattr(memo_module, "LIMIT", 25)
    _, out = _built(tmp_path)
    data = json.loads(measures.path(out).read_text(encoding="utf-8"))
    assert 0 < len(data["settled"]) <= 25 and 0 < len(data["heights"]) <= 25


def test_a_warm_layout_breaks_each_paragraph_once_to_draw_it(tmp_path, monkeypatch):
    """With the memo warm, the layout pass parses and breaks no paragraph: each is broken once, when drawn."""
    from cheatdeck.pdf.tracking import Tracked

    source, out = _built(tmp_path)
    memo = LayoutMemo()
    build(source, Options(out=out, force=True), ("pdf",), memo=memo)
    memo.pages.clear()  # the pages drawn, else reused as they were drawn (pdf/reuse.py) and broken not at all
    broken: dict[int, int] = {}
    monkeypatch.setattr(Tracked, "_break", lambda self, *a, brk=Tracked._break: (
        broken.__setitem__(id(self), broken.get(id(self), 0) + 1), brk(self, *a))[1])
    build(source, Options(out=out, force=True), ("pdf",), memo=memo)
    assert broken and max(broken.values()) == 1
    assert memo.misses == 0


def test_the_lock_and_the_clean_folder_know_nothing_of_the_memo(tmp_path):
    from cheatdeck.pipeline import clean

    source = _write(tmp_path / "s" / "memo-sheet.yaml", _sheet())
    out = source.parent / "dist"
    build(source, Options(out=out))
    lock = source.with_name("memo-sheet.lock.json").read_bytes()
    assert measures.path(out).is_file() and b"settled" not in lock
    build(source, Options(out=out, force=True))
    assert source.with_name("memo-sheet.lock.json").read_bytes() == lock
    clean(Options(out=out))
    assert not out.exists()


def test_a_paragraphs_key_is_its_parts_digest_worked_out_once_per_style_and_width():
    """A paragraph's key is the digest of its kind, markup, style signature and setting, as written; what follows
    the markup is kept per style and setting (a layout sets most of its paragraphs in a few), at most
    memo.TAILS of them a style (a tracked paragraph's gain is its own)."""
    from reportlab.lib.styles import ParagraphStyle

    memo = LayoutMemo()
    style = ParagraphStyle("body", fontName="Helvetica", fontSize=8, leading=9.6)
    steps = [-0.01, -0.02]
    for i in range(memo_module.TAILS + 40):
        for kind, how in (("s", (100.0 + i, steps)), ("h", (100.0 + i, 0.25 * i, (1, 2.0)))):
            expected = LayoutMemo.digest(kind, f"markup {i}", memo.signature(style), *map(repr, how))
            assert memo.key(kind, f"markup {i}", style, *how) == expected
            assert memo.key(kind, f"markup {i}", style, *how) == expected  # from the kept tail
    assert len(memo._signatures[style][1]) == memo_module.TAILS

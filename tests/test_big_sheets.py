"""Big sheets: the deck is written before the PDF's layout starts, the page budget has no cap, and a sheet that
cannot fit is refused from an estimate, before any layout."""

from __future__ import annotations

import dataclasses
import gc
import json
import re
import threading
import time
from pathlib import Path

import pdfplumber
import pytest
from cli_helpers import run

from cheatdeck.cli.watch import watch
from cheatdeck.errors import CheatdeckError
from cheatdeck.options import Options, PrintOptions
from cheatdeck.pipeline import build


def _long(tiny: Path, facts: int = 600) -> str:
    """The tiny sheet with `facts` more bullets: about six pages at the floor."""
    bullets = "".join(f"          - Fact {i}: a long enough explanation of fact number {i} to take a line or two\n"
                      for i in range(facts))
    return tiny.read_text(encoding="utf-8").replace("        bullets:\n", "        bullets:\n" + bullets)


def test_the_deck_is_written_and_recorded_before_the_pdf_is_laid_out(tiny, monkeypatch):
    from cheatdeck.pdf import render

    seen = []
    laid_out = render.render_pdf

    def render_pdf(*args, **kwargs):
        state = json.loads(Path("dist/.cheatdeck-state.json").read_text(encoding="utf-8"))
        seen.append(("pdf starts", Path("dist/tiny.apkg").exists(), sorted(k.rpartition("::")[2] for k in state["outputs"])))
        return laid_out(*args, **kwargs)

    monkeypatch.setattr(render, "render_pdf", render_pdf)
    result = build(tiny, Options(out=Path("dist")), on_written=lambda output: seen.append((output.kind, output.path.exists())))
    assert seen == [("anki", True), ("pdf starts", True, ["anki"]), ("pdf", True)]
    assert [o.kind for o in result.outputs] == ["anki", "pdf"] and result.changes.first_build


def test_a_pdf_that_fails_after_the_deck_leaves_a_state_that_claims_only_the_deck(tiny):
    run()
    pdf = Path("dist/tiny.pdf").read_bytes()
    tiny.write_text(_long(tiny), encoding="utf-8")
    landed = []
    result = build(tiny, Options(out=Path("dist")), on_written=landed.append)
    assert [o.kind for o in landed] == ["anki"] and landed[0].written
    assert list(result.failed) == ["pdf"] and "does not fit on 2 page(s)" in str(result.failed["pdf"])
    assert Path("dist/tiny.pdf").read_bytes() == pdf  # the last good PDF stays
    # The state knows the new deck is up to date and does not take the old PDF for the new sheet's.
    again = build(tiny, Options(out=Path("dist")), ("anki",))
    assert again.up_to_date
    with pytest.raises(CheatdeckError, match="does not fit on 2 page"):
        build(tiny, Options(out=Path("dist")), ("pdf",))


def test_watch_reports_each_output_as_it_lands_with_its_time_since_the_save(tiny):
    outcomes, landed, stop = [], [], threading.Event()
    thread = threading.Thread(target=watch, args=([tiny], Options(out=Path("dist")), outcomes.append),
                              kwargs={"stop": stop, "landed": landed.append}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not outcomes and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the watcher listens once the first build is done
        assert landed == []  # the first build answers no save
        tiny.write_text(tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes"), encoding="utf-8")
        saved = time.time()
        while len(outcomes) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=20)
    assert [item.output.kind for item in landed] == ["anki", "pdf"]
    deck, pdf = landed
    assert 0 <= deck.after_save <= pdf.after_save <= time.time() - saved + 1
    assert outcomes[1].outputs[0].path == deck.output.path


def test_the_command_line_watch_says_each_output_as_it_lands(capsys):
    from cheatdeck.cli.report import Printer
    from cheatdeck.cli.watch import Landed
    from cheatdeck.deck.details import DeckDetails
    from cheatdeck.pipeline import Output

    output = Output("anki", Path("dist/chem.apkg"), 10, True, DeckDetails(notes=1, cards=1, decks={}, deck="Chem", warnings=0))
    Printer(1, keep_going=True).landed(Landed(output, 0.4321))
    Printer(0, keep_going=True).landed(Landed(output, 0.4321))
    assert capsys.readouterr().out == "dist/chem.apkg written, 0.43 s after the save\n"


def test_a_sheet_that_cannot_fit_is_refused_from_an_estimate_before_any_layout(tiny, monkeypatch):
    from cheatdeck.pdf import page

    tiny.write_text(_long(tiny), encoding="utf-8")

    def no_layout(*args, **kwargs):
        raise AssertionError("laid out")

    monkeypatch.setattr(page.Page, "plan", no_layout)
    output = run("pdf", code=1).output
    assert ("source/tiny.yaml: the sheet does not fit on 2 page(s) even at the 7 pt floor: its text alone takes "
            "about 6 pages at that size (estimated before layout). Give it --pages 6 or more") in output
    assert not Path("dist/tiny.pdf").exists()
    assert "laid out" not in run("check", code=1).output  # `check` refuses it the same way
    # The budget it asks for passes the estimate, so only a layout can refuse it (and it fits: test_pdf.py).
    monkeypatch.setattr(page.Page, "plan", lambda self, attempt, relay=None: (_ for _ in ()).throw(RuntimeError("layout")))
    with pytest.raises(RuntimeError, match="layout"):
        build(tiny, Options(out=Path("dist"), print=PrintOptions(pages=6)), ("pdf",))


def _no_layout(monkeypatch) -> None:
    from cheatdeck.pdf import page

    monkeypatch.setattr(page.Page, "plan", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError("laid out")))


def test_the_budget_a_refusal_from_the_estimate_names_prints(tiny, monkeypatch):
    tiny.write_text(_long(tiny, 300), encoding="utf-8")
    with monkeypatch.context() as patched:
        _no_layout(patched)
        output = run("pdf", "--pages", "1", code=1).output
    named = re.search(r"estimated before layout\)\. Give it --pages (\d+) or more", output)
    assert named, output
    needs = int(named.group(1))
    run("pdf", "--pages", named.group(1))  # exit code 0
    with pdfplumber.open("dist/tiny.pdf") as pdf:
        assert 1 < len(pdf.pages) <= needs


def test_a_sheet_too_long_with_a_character_no_font_has_is_told_both_before_any_layout(tiny, monkeypatch):
    tiny.write_text(_long(tiny).replace("Keeps both histories", "Keeps both 𓀀 histories"), encoding="utf-8")
    _no_layout(monkeypatch)
    for command in ("pdf", "check"):
        output = run(command, code=1).output
        assert "source/tiny.yaml: the sheet does not fit on 2 page(s) even at the 7 pt floor" in output, output
        assert "Give it --pages 6 or more" in output and "no font has a glyph for '𓀀'" in output
        assert "laid out" not in output
    assert not Path("dist/tiny.pdf").exists()


def test_a_first_guess_from_a_sample_of_the_sheet_prints_the_same_bytes_in_fewer_passes(tmp_path, monkeypatch):
    """A long sheet's fit search starts from a layout of a sample of its sections (fit.first_guess); the sheet
    here is short, so the sampling is asked for by setting its threshold to one page."""
    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf import fit
    from cheatdeck.pdf.render import render_pdf

    sheet = _long_sheet(tmp_path)
    opts = PrintOptions(pages=12).over(sheet.print)  # 8.25 pt, found in five passes from the estimate
    data, details, _ = render_pdf(sheet, opts, TEMPLATES)
    monkeypatch.setattr(fit, "SAMPLE_FROM", 1)
    monkeypatch.setattr(fit, "SAMPLE_PAGES", 4)
    guess, above_first = fit.first_guess(*_floor_and_ink(sheet, opts))
    assert above_first and abs(guess - details.body_size) <= 0.5  # a sample of a few pages: near, not exact
    sampled_data, sampled_details, _ = render_pdf(sheet, opts, TEMPLATES)
    assert sampled_data == data and sampled_details.body_size == details.body_size < 10
    assert sampled_details.passes < details.passes


def test_the_size_above_a_sampled_guess_is_laid_out_only_to_show_it_is_over(tmp_path, monkeypatch):
    """The search lays out the size above a sampled guess first, to show that it is over the budget: that pass
    lets go of each page it pours (the 50,000-fact print peaked in it, holding 1,415 pages that were never
    drawn), and the guess is laid out to be drawn. The same bytes are printed."""
    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf import fit, page
    from cheatdeck.pdf.columns import Flow
    from cheatdeck.pdf.page import Attempt
    from cheatdeck.pdf.render import render_pdf
    from cheatdeck.pdf.theme import candidate_sizes

    sheet = _long_sheet(tmp_path)
    opts = PrintOptions(pages=12).over(sheet.print)
    data, details, _ = render_pdf(sheet, opts, TEMPLATES)
    monkeypatch.setattr(fit, "SAMPLE_FROM", 1)
    monkeypatch.setattr(fit, "SAMPLE_PAGES", 4)
    guess, above_first = fit.first_guess(*_floor_and_ink(sheet, opts))
    assert above_first and guess == details.body_size
    passes, held, poured, flows = [], [], [], {}
    plan, add = page.Page.plan, Flow.add

    def planned(self, attempt, relay=None, drawn=True):
        plan(self, attempt, relay, drawn)
        if self.sheet is sheet:
            passes.append((self.size, drawn))
            flows[id(attempt.flow)] = drawn
            held.append(sum(piece.flowable is not None for columns in attempt.flow.pages for column in columns
                            for piece in column.pieces))

    def adding(self, unit):
        # Before each unit is poured: the pages poured so far that still hold a flowable.
        poured.append((self, sum(any(piece.flowable is not None for column in columns for piece in column.pieces)
                                 for columns in self.pages)))
        add(self, unit)

    monkeypatch.setattr(page.Page, "plan", planned)
    monkeypatch.setattr(Flow, "add", adding)
    sampled, sampled_details, _ = render_pdf(sheet, opts, TEMPLATES)
    floor = _floor_and_ink(sheet, opts)[0]
    sizes = candidate_sizes(floor.theme)
    above = sizes[sizes.index(guess) - 1]
    assert passes == [(above, False), (guess, True)] and held[0] == 0 < held[1]
    # Each page as it is poured, not only once the pass is over.
    most = {drawn: max(count for flow, count in poured if flows.get(id(flow)) is drawn) for drawn in (False, True)}
    assert most[False] == 0 < 2 < most[True]
    assert sampled == data and sampled_details.body_size == guess
    # It measures what a pass to be drawn measures at that size.
    measured = []
    for drawn in (False, True):
        attempt = Attempt(size=above, pages=0, budget=opts.pages, columns=floor.theme.columns)
        plan(dataclasses.replace(floor, size=above), attempt, drawn=drawn)
        measured.append((attempt.pages, attempt.markers, attempt.fills, attempt.demand, attempt.orphans))
    assert measured[0] == measured[1] and measured[0][0] > opts.pages



def test_the_size_above_a_sampled_guess_keeps_nothing_in_the_memo(tmp_path, monkeypatch):
    """That pass reads the build's layout memo but keeps what it measures apart, and lets it go with itself: the
    next build knows the size is over from the memo's `over`, and a 50,000-fact print held 25 MiB of its entries
    past it. The pass that is drawn keeps its own, and the same bytes are printed."""
    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf import fit, memo, page
    from cheatdeck.pdf.render import render_pdf

    sheet = _long_sheet(tmp_path)
    opts = PrintOptions(pages=12).over(sheet.print)
    data, _, _ = render_pdf(sheet, opts, TEMPLATES)
    monkeypatch.setattr(fit, "SAMPLE_FROM", 1)
    monkeypatch.setattr(fit, "SAMPLE_PAGES", 4)
    kept = memo.LayoutMemo()
    puts: dict[tuple[bool, bool], int] = {}
    passes, drawing = [], [None]
    plan, put = page.Page.plan, memo.LayoutMemo._put

    def planned(self, attempt, relay=None, drawn=True):
        drawing[0] = drawn if self.sheet is sheet else None
        plan(self, attempt, relay, drawn)
        drawing[0] = None
        if self.sheet is sheet:
            passes.append(drawn)

    def putting(self, entries, key, value, *args, **kwargs):
        if drawing[0] is not None:
            where = (drawing[0], self is kept)
            puts[where] = puts.get(where, 0) + 1
        put(self, entries, key, value, *args, **kwargs)

    monkeypatch.setattr(page.Page, "plan", planned)
    monkeypatch.setattr(memo.LayoutMemo, "_put", putting)
    printed, _, _ = render_pdf(sheet, opts, TEMPLATES, memo=kept)
    assert passes == [False, True]
    assert puts.get((False, True), 0) == 0 and puts[False, False] > 100 and puts[True, True] > 100
    assert printed == data

def test_a_scratch_memo_reads_the_kept_one_and_keeps_its_own_apart_until_told():
    from cheatdeck.pdf.memo import LayoutMemo

    kept = LayoutMemo()
    kept.put_settled(b"known", 12.0)
    kept.put_height(b"row", 30.0)
    scratch = kept.scratch()
    assert scratch.get_settled(b"known") == 12.0 and scratch.get_height(b"row") == 30.0
    scratch.put_settled(b"new", 7.0)
    scratch.put_height(b"new row", 9.0)
    assert scratch.get_settled(b"new") == 7.0 and scratch.get_height(b"new row") == 9.0
    assert kept.get_settled(b"new") is None and kept.get_height(b"new row") is None and len(kept) == 2
    scratch.keep()
    assert kept.get_settled(b"new") == 7.0 and kept.get_height(b"new row") == 9.0 and len(kept) == 4

def test_a_sample_pass_keeps_nothing_of_what_it_measured(tmp_path, monkeypatch):
    """A sample's passes are never drawn: each paragraph they measure keeps only its markup from the first unit on
    (what a pass lets go of waits for the collector, which the command line runs rarely: held whole, the samples
    raised the 50,000-fact print's peak by 115 MiB)."""
    from cheatdeck.pdf import fit, story

    sheet = _long_sheet(tmp_path)
    opts = PrintOptions(pages=12).over(sheet.print)
    monkeypatch.setattr(fit, "SAMPLE_FROM", 1)
    monkeypatch.setattr(fit, "SAMPLE_PAGES", 4)
    held = []
    monkeypatch.setattr(story.Layout, "hold", lambda self, keep, hold=story.Layout.hold: (
        held.append(keep), hold(self, keep))[1])
    fit.first_guess(*_floor_and_ink(sheet, opts))
    assert held and set(held) == {None}


def test_a_sample_that_overstates_its_demand_still_prints_the_largest_size_that_fits(tmp_path, monkeypatch):
    """Tall figures take room the sample's ink does not count, so a sample of this sheet says 10 pt is over its 16
    pages when it fits: the search still lays out the size above the sample's pick, and prints at 10 pt as a search
    from the text's length does."""
    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf import fit
    from cheatdeck.pdf.memo import LayoutMemo
    from cheatdeck.pdf.render import render_pdf
    from cheatdeck.pdf.theme import candidate_sizes

    sheet = _long_sheet(tmp_path, figures=3)
    opts = PrintOptions(pages=16).over(sheet.print)
    data, details, _ = render_pdf(sheet, opts, TEMPLATES)
    monkeypatch.setattr(fit, "SAMPLE_FROM", 1)
    monkeypatch.setattr(fit, "SAMPLE_PAGES", 4)
    guess, _ = fit.first_guess(*_floor_and_ink(sheet, opts))
    sizes = candidate_sizes(_floor_and_ink(sheet, opts)[0].theme)
    assert guess < details.body_size == 10.0 == sizes[sizes.index(guess) - 1]
    # The size above the sample's pick, laid out not to be drawn, fits after all: it is laid out again and drawn.
    sampled_data, sampled, _ = render_pdf(sheet, opts, TEMPLATES)
    assert sampled.body_size == details.body_size and sampled_data == data
    # With a memo, it is laid out again from what that pass measured (memo.scratch keeps it after all).
    kept = LayoutMemo()
    assert render_pdf(sheet, opts, TEMPLATES, memo=kept)[0] == data
    assert kept.hits > kept.misses  # without it: 2,454 hits, 5,484 misses


def _long_sheet(tmp_path: Path, figures: int = 0, facts: int = 600):
    """The benchmarks' synthetic sheet of `facts` facts, loaded: 600, long enough to sample, short enough to lay out
    whole; with `figures`, a domain of that many sections, each a figure twice as tall as it is wide and a bullet."""
    import sys

    import yaml
    from PIL import Image

    from cheatdeck.source.compile import load

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    data = synth.sheet(facts)
    if figures:
        (tmp_path / "img").mkdir()
        Image.new("RGB", (400, 1000), "gray").save(tmp_path / "img" / "tall.png")
        data["domains"].append({"id": "pics", "name": "Figures", "short": "Figs", "color": "#444444", "sections": [
            {"id": f"fig-{i}", "title": f"Figure {i}", "image": {"file": "img/tall.png", "width": "100%"},
             "bullets": [f"Figure fact {i}: a short note"]} for i in range(figures)]})
        for domain in data["domains"]:
            domain.pop("weight", None)
    source = tmp_path / "long.yaml"
    source.write_text(yaml.safe_dump(data, sort_keys=False, width=200), encoding="utf-8")
    return load(source)


def _floor_and_ink(sheet, opts) -> tuple:
    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf.fonts import fonts_for, printed_ink
    from cheatdeck.pdf.page import Page
    from cheatdeck.pdf.theme import Ink, candidate_sizes, load_theme

    theme = load_theme(TEMPLATES / "pdf" / "theme.yaml")
    fonts, _ = fonts_for(theme, TEMPLATES / "fonts", sheet)
    sizes = candidate_sizes(theme)
    return (Page(theme, fonts, Ink(opts.grayscale), sheet, opts, sizes[-1]), sizes,
            *printed_ink(sheet, fonts.regular))


def test_a_budget_past_the_old_cap_is_taken_and_prints_only_what_the_sheet_fills(tiny):
    from cheatdeck.source.format import json_schema

    assert PrintOptions(pages=100_000).pages == 100_000
    assert "maximum" not in json.loads(json_schema())["$defs"]["Print"]["properties"]["pages"]["anyOf"][0]
    text = tiny.read_text(encoding="utf-8")
    tiny.write_text(text + "print:\n  pages: 5000\n", encoding="utf-8")
    result = run("pdf")
    with pdfplumber.open("dist/tiny.pdf") as pdf:
        assert len(pdf.pages) == 1
    assert "1 page of 5000 allowed" in result.output
    assert "1 page of 20000 allowed" in run("pdf", "--pages", "20000").output


def test_a_drawn_paragraph_leaves_nothing_for_the_collector(tiny):
    """ReportLab's text object for each paragraph it draws keeps a method bound to itself, so it outlives the drawing,
    holding the paragraph's drawn code and first line, until the collector runs; run rarely (cli/runner.py), it let a
    50,000-fact sheet's draw hold some 50 MiB of them. A paragraph lets go of it once drawn."""
    from reportlab.pdfgen.textobject import PDFTextObject

    gc.collect()
    gc.disable()
    try:
        build(tiny, Options(out=Path("dist")), ("pdf",))
        left = sum(isinstance(o, PDFTextObject) for o in gc.get_objects())
    finally:
        gc.enable()
    assert left == 0


def test_a_drawing_with_a_memo_lets_go_of_each_page_it_has_drawn(tmp_path, monkeypatch):
    """A pass with a layout memo shares paragraphs set alike (`Layout._twins`); once it is poured they are let go
    of, so that the drawing frees each page's paragraphs as it goes, as it does without a memo: held to the last
    page, a 10,000-fact draw rose 19 MiB against 5 without."""
    import weakref

    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf import page, tracking
    from cheatdeck.pdf.memo import LayoutMemo
    from cheatdeck.pdf.render import render_pdf

    sheet = _long_sheet(tmp_path, facts=300)
    monkeypatch.setattr(page, "WHOLE_PAGES", 1)
    monkeypatch.setattr(page, "WHOLE_SHEET_PAGES", 1)
    drawn: dict[int, list] = {}
    alive_at_end: list[int] = []
    number = [0]
    paint, draw = page.Page._paint, tracking.Tracked.draw

    def painting(self, canvas, flow, columns, at, total):
        number[0] = at
        if at == total - 1:
            gc.collect()
            alive_at_end.append(sum(ref() is not None for ref in drawn[0]))
        return paint(self, canvas, flow, columns, at, total)

    def drawing(self):
        drawn.setdefault(number[0], []).append(weakref.ref(self))
        return draw(self)

    monkeypatch.setattr(page.Page, "_paint", painting)
    monkeypatch.setattr(tracking.Tracked, "draw", drawing)
    details = render_pdf(sheet, PrintOptions(pages=100).over(sheet.print), TEMPLATES, hint=10.0, exact=True,
                         memo=LayoutMemo(), sheet_key="k")[1]
    assert details.pages > 3 and len(drawn[0]) > 20
    assert alive_at_end == [0]


def test_a_sheet_of_a_few_dozen_pages_is_drawn_from_paragraphs_held_whole(tmp_path, monkeypatch):
    """Issue 28: a sheet of tens of pages (the 3,000-fact sheet takes 86) keeps every measured paragraph parsed and
    broken until it is drawn: compacting each one's lines, and expanding them again to draw it, was 7 % of its
    cold `pdf`. A sheet that its first pages say runs longer compacts past them, as its memory asks."""
    from cheatdeck.options import TEMPLATES
    from cheatdeck.pdf import page, tracking
    from cheatdeck.pdf.render import render_pdf

    sheet = _long_sheet(tmp_path, facts=900)
    opts = PrintOptions(pages=100, columns=3).over(sheet.print)
    compacted = []
    monkeypatch.setattr(tracking, "_compact", lambda lines, styles, compact=tracking._compact: (
        compacted.append(lines), compact(lines, styles))[1])
    held, details = render_pdf(sheet, opts, TEMPLATES, hint=10.0, exact=True)[:2]
    assert details.pages > 25
    assert not compacted
    monkeypatch.setattr(page, "WHOLE_SHEET_PAGES", details.pages - 3)
    assert render_pdf(sheet, opts, TEMPLATES, hint=10.0, exact=True)[0] == held
    assert compacted

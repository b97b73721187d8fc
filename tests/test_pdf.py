"""The printed sheet, read back from the PDF: fit, margins, columns, fonts, text, determinism."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from conftest import SHIPPED, TINY
from pdf_helpers import column_ranges, column_text, columns_text, geometry, squash
from pypdf import PdfReader

from cheatdeck import colors
from cheatdeck.cli import cli
from cheatdeck.source.compile import load
from cheatdeck.pdf.theme import load_theme
from cheatdeck.options import TEMPLATES

PAPER_POINTS = {"letter": (792, 612), "a4": (841.89, 595.28)}
FLOOR = 7.0


def build_pdf(out: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--out", out, *args, "pdf"])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """The shipped sheet built once per paper, shared by the read-only tests below."""
    root = tmp_path_factory.mktemp("pdf")
    built = {}
    for paper in ("letter", "a4"):
        out = root / paper
        result = CliRunner().invoke(cli, ["--source", str(SHIPPED), "--out", str(out), "--paper", paper, "pdf"])
        assert result.exit_code == 0, result.output
        size = float(result.output.split("body ")[1].split(" pt")[0])
        built[paper] = (out / ("mla-c01.pdf" if paper == "letter" else f"mla-c01.{paper}.pdf"), size, result.output)
    return built


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_pages_size_and_body_size(sheets, paper):
    path, size, output = sheets[paper]
    assert size >= 8.0, "the shipped sheet must print at 8 pt or larger"
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert (round(page.width, 1), round(page.height, 1)) == tuple(round(v, 1) for v in PAPER_POINTS[paper])
    assert "2 pages" in output and "% full" in output


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_everything_inside_the_margins(sheets, paper):
    path, _, _ = sheets[paper]
    margin = load_theme(TEMPLATES / "pdf" / "theme.yaml").margin_in * 72
    assert margin >= 0.3 * 72
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for obj in page.chars + page.rects:
                assert obj["x0"] >= margin - 0.01 and obj["x1"] <= page.width - margin + 0.01, obj.get("text")
                assert obj["top"] >= margin - 0.01 and obj["bottom"] <= page.height - margin + 0.01, obj.get("text")


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_no_word_straddles_a_gutter_and_none_overlap(sheets, paper):
    path, size, _ = sheets[paper]
    page_geometry = geometry(paper, size, TEMPLATES)
    columns = column_ranges(page_geometry)
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            body_top = page.height - page_geometry.frame_top
            body_bottom = page.height - page_geometry.frame_bottom
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            body = [w for w in words if w["top"] >= body_top - 0.5 and w["bottom"] <= body_bottom + 0.5]
            assert len(body) > 300
            for w in body:
                assert any(x0 - 0.5 <= w["x0"] and w["x1"] <= x1 + 0.5 for x0, x1 in columns), w
            words.sort(key=lambda w: w["top"])
            for i, a in enumerate(words):
                for b in words[i + 1:]:
                    if b["top"] >= a["bottom"] - 0.01:
                        break
                    overlap_x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                    overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                    assert overlap_x <= 0.3 or overlap_y <= 0.3, (a["text"], b["text"])


def test_smallest_body_character_is_at_least_the_floor(sheets):
    """Body text prints at the body size; only labels (table headers, TRAP tabs, "(cont.)") use the small size."""
    path, size, _ = sheets["letter"]
    page_geometry = geometry("letter", size, TEMPLATES)
    small = load_theme(TEMPLATES / "pdf" / "theme.yaml").scale.small
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            top = page.height - page_geometry.frame_top
            bottom = page.height - page_geometry.frame_bottom
            body = [c for c in page.chars if c["top"] >= top and c["bottom"] <= bottom and c["text"].strip()]
            assert body
            assert min(c["size"] for c in body) >= max(FLOOR, size) * small - 0.01
            labels = [c for c in body if c["size"] < size - 0.01]
            assert len(labels) < 0.1 * len(body)
            assert all("Bold" in c["fontname"] or c["text"] in "(cont.)" for c in labels)


def test_every_font_is_embedded_and_no_standard_14(sheets):
    path, _, _ = sheets["letter"]
    reader = PdfReader(path)
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            seen.add(font["/BaseFont"])
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    assert seen and not any("Helvetica" in name or "Times" in name or "Courier" in name for name in seen)


def test_metadata_and_print_preferences(sheets):
    reader = PdfReader(sheets["letter"][0])
    meta = reader.metadata
    assert meta.title == "AWS Certified Machine Learning Engineer – Associate"
    assert meta.author == "cheatdeck" and "MLA-C01" in meta.subject and "mla-c01" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20261124")
    prefs = reader.trailer["/Root"]["/ViewerPreferences"]
    assert prefs["/Duplex"] == "/DuplexFlipShortEdge" and prefs["/PrintScaling"] == "/None"


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_bullet_cell_and_trap_is_printed(sheets, paper):
    path, size, _ = sheets[paper]
    text = column_text(path, geometry(paper, size, TEMPLATES))
    flat = squash(text)
    sheet = load(SHIPPED)
    paragraphs, cells = [], []
    for section in (s for d in sheet.domains for s in d.sections):
        paragraphs += [section.title.plain, *(f.text.plain for f in section.facts), *(t.text.plain for t in section.traps)]
        if section.table:
            cells += [c.plain for c in section.table.columns]
            cells += [c.plain for row in section.table.rows for c in row.cells]
    quick = sheet.quick_reference
    paragraphs.append(quick.title.plain)
    cells += [*(c.plain for c in quick.columns), *(c.plain for r in quick.rows for c in r.cells)]
    assert len(paragraphs) + len(cells) > 270
    missing = [t for t in paragraphs if squash(t) not in flat]
    # A wrapped cell shares its lines with its neighbours, and a long identifier may break after / . _ - :
    # or between camelCase humps: its pieces must appear in order, close together.
    def pieces(text: str) -> list[str]:
        return [p for word in text.split() for p in re.split(r"(?<=[/._:-])|(?<=[a-z])(?=[A-Z])", word) if p]
    missing += [t for t in cells if not re.search(".{0,160}?".join(re.escape(p) for p in pieces(t)), flat)]
    assert not missing
    assert "DI < 0.8 = potential discrimination (4/5 rule)" in text
    assert "→" in text and "IDENTICAL_DATA_AND_ALGORITHM" in flat and "s3:*" in text
    with pdfplumber.open(path) as pdf:
        footer = pdf.pages[0].extract_text().splitlines()[-1]
    assert all(f"{d.label} {d.name.plain}" in footer for d in sheet.domains), footer


def test_quick_reference_is_on_the_back_page(sheets):
    path, size, _ = sheets["letter"]
    with pdfplumber.open(path) as pdf:
        assert "Master Quick Reference" not in (pdf.pages[0].extract_text() or "")
        assert "Master Quick Reference" in (pdf.pages[1].extract_text() or "")


def test_two_builds_are_byte_identical(workdir):
    shutil.copy(SHIPPED, "source/mla-c01.yaml")
    build_pdf("a")
    build_pdf("b")
    assert Path("a/mla-c01.pdf").read_bytes() == Path("b/mla-c01.pdf").read_bytes()


def test_grayscale_has_only_grays(workdir):
    shutil.copy(SHIPPED, "source/mla-c01.yaml")
    build_pdf("g", "--grayscale")
    with pdfplumber.open("g/mla-c01.gray.pdf") as pdf:
        for page in pdf.pages:
            for obj in page.rects + page.chars:
                for key in ("non_stroking_color", "stroking_color"):
                    color = obj.get(key)
                    if color and len(color) == 3:
                        assert max(color) - min(color) < 0.01, (key, color)


def test_png_preview(workdir):
    shutil.copy(TINY, "source/tiny.yaml")
    build_pdf("p", "--png")
    assert Path("p/tiny-page1.png").read_bytes().startswith(b"\x89PNG")


def test_oversized_sheet_fails_and_writes_no_pdf(workdir):
    text = TINY.read_text(encoding="utf-8")
    bullets = "".join(f"          - Fact {i}: a long enough explanation of fact number {i} to take a line or two\n"
                      for i in range(600))
    Path("source/tiny.yaml").write_text(text.replace("        bullets:\n", "        bullets:\n" + bullets), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--out", "o", "pdf"])
    assert result.exit_code == 1
    assert "does not fit on 2 page(s) even at the 7 pt floor: from section 'Everyday Commands'" in result.output
    assert "columns) of content runs over" in result.output
    assert not Path("o/tiny.pdf").exists()


def test_missing_glyph_is_an_error_at_its_source(workdir):
    text = TINY.read_text(encoding="utf-8").replace("Keeps both histories", "Keeps both 漢字 histories")
    Path("source/tiny.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--out", "o", "pdf"])
    assert result.exit_code == 1
    line = text[: text.index("漢")].count("\n") + 1
    assert f"source/tiny.yaml:{line}:" in result.output and "no glyph for '漢' (U+6F22)" in result.output
    assert not Path("o/tiny.pdf").exists()


def test_palette_contrast_and_grayscale_separation():
    sheet = load(SHIPPED)
    palette = load_theme(TEMPLATES / "pdf" / "theme.yaml").palette
    fills = [d.color for d in sheet.domains] + [palette.quickref, palette.table_header, palette.zebra, palette.trap,
                                                palette.trap_gray]
    for fill in fills:
        assert colors.contrast(fill, colors.text_on(fill)) >= 4.5, fill
        assert colors.contrast(colors.gray(fill), colors.text_on(colors.gray(fill))) >= 4.5, fill
    assert colors.text_on(palette.trap) == colors.text_on(palette.trap_gray) == "#ffffff"  # the tab is reversed out
    assert colors.contrast(palette.text, palette.trap_fill) >= 4.5
    # A luminance ladder: the four domains stay apart in gray, and apart from the table header.
    levels = sorted(int(colors.gray(d.color)[1:3], 16) for d in sheet.domains)
    assert min(b - a for a, b in zip(levels, levels[1:])) >= 35
    assert all(abs(level - int(colors.gray(palette.table_header)[1:3], 16)) >= 20 for level in levels)


@pytest.mark.parametrize("answer", range(11))
@pytest.mark.parametrize("hint", [None, 0, 3, 5, 9, 10])
def test_fit_search_finds_the_largest_fitting_size(answer, hint):
    """`fit` against a fake layout where sizes[answer:] fit: any hint, right or wrong, gives the same answer."""
    from cheatdeck.pdf.fit import fit
    from cheatdeck.pdf.page import Attempt

    sizes = [10.0 - 0.25 * i for i in range(11)]
    calls = []

    def build_at(size: float) -> Attempt:
        calls.append(size)
        return Attempt(size=size, pages=2 if sizes.index(size) >= answer else 3, budget=2)

    best, tried = fit(build_at, sizes, None if hint is None else sizes[hint])
    assert best.size == sizes[answer] and best.fits
    assert len(calls) == len(set(calls)) == len(tried) <= 6
    if hint is not None and answer in (hint, hint + 1):
        assert len(tried) <= 2


def test_no_section_title_ends_a_column_alone(sheets):
    path, size, _ = sheets["letter"]
    page_geometry = geometry("letter", size, TEMPLATES)
    sheet = load(SHIPPED)
    bar_fills = {tuple(round(c / 255, 3) for c in colors.rgb(d.color)) for d in sheet.domains}
    checked = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for bar in page.rects:
                fill = bar.get("non_stroking_color")
                if not fill or tuple(round(c, 3) for c in fill) not in bar_fills or bar["width"] < page_geometry.col_w - 1:
                    continue
                below = [c for c in page.chars if bar["x0"] <= c["x0"] <= bar["x1"]
                         and bar["bottom"] <= c["top"] <= bar["bottom"] + 2.5 * size]
                assert below, f"a section bar at y={bar['top']:.0f} on page {page.page_number} has nothing under it"
                checked += 1
    # Every section has its bar; one split across columns has a "(cont.)" bar too.
    assert checked >= sum(len(d.sections) for d in sheet.domains)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_split_table_repeats_its_header_and_every_trap_is_boxed(sheets, paper):
    """The quick reference reads as one table: its title once, its header and "(cont.)" atop each later column."""
    path, size, _ = sheets[paper]
    page_geometry = geometry(paper, size, TEMPLATES)
    with pdfplumber.open(path) as pdf:
        everything = "\n".join(p.extract_text() for p in pdf.pages)
    assert everything.count("Master Quick Reference") == 1
    quick = [squash(text) for text in columns_text(path, page_geometry) if "Service/" in squash(text)]
    assert len(quick) >= 3
    # The header row's first cell says "(cont.)" in every column the table continues into.
    assert "(cont.)" not in quick[0][:80] and all("(cont.)" in column[:40] for column in quick[1:])
    assert everything.count("TRAP ") == sum(len(s.traps) for d in load(SHIPPED).domains for s in d.sections)


def test_page_budget_option(workdir):
    shutil.copy(SHIPPED, "source/mla-c01.yaml")
    two = build_pdf("two").output
    three = build_pdf("three", "--pages", "3").output
    size = lambda out: float(out.split("body ")[1].split(" pt")[0])  # noqa: E731
    assert size(three) > size(two)
    with pdfplumber.open("three/mla-c01.pdf") as pdf:
        assert len(pdf.pages) == 3


def test_a_long_title_never_runs_under_the_domain_chips(workdir):
    text = TINY.read_text(encoding="utf-8").replace(
        "title: Tiny Example Sheet", "title: " + "A Remarkably Long Certification Title " * 3)
    Path("source/tiny.yaml").write_text(text, encoding="utf-8")
    build_pdf("o")
    with pdfplumber.open("o/tiny.pdf") as pdf:
        words = pdf.pages[0].extract_words()
    header = [w for w in words if w["top"] < 40]
    chips = [w for w in header if w["text"].startswith("BASICS")]
    title = [w for w in header if w["text"] in ("Remarkably", "Certification")]
    assert chips and title
    assert max(w["x1"] for w in title) < min(w["x0"] for w in chips)


def test_quick_reference_domain_labels_are_never_broken(workdir):
    shutil.copy(TINY, "source/tiny.yaml")
    build_pdf("o")
    with pdfplumber.open("o/tiny.pdf") as pdf:
        words = {w["text"] for w in pdf.pages[0].extract_words()}
    assert "BASICS" in words and "BA" not in words

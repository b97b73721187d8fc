"""Rich content through the command line: images, cloze deletions, formulas, sub/superscript and code blocks,
read back from the real Anki engine and from the printed page."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from anki.collection import Collection
from anki_helpers import import_package, review_all, scheduling, visible_text
from cli_helpers import run, watching
from click.testing import CliRunner
from conftest import FIXTURES, REPO, TINY
from pdf_helpers import column_ranges, geometry

from cheatdeck import inline
from cheatdeck.cli import cli
from cheatdeck.options import TEMPLATES

RICH = FIXTURES / "rich"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rich")
    shutil.copytree(RICH, root / "source")
    result = CliRunner().invoke(cli, ["build", "--source", str(root / "source"), "--out", str(root / "dist")])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def collection(built, tmp_path_factory):
    col = Collection(str(tmp_path_factory.mktemp("col") / "collection.anki2"))
    import_package(col, built / "dist" / "rich.apkg")
    yield col
    col.close()


def _note(col: Collection, ident: str):
    (nid,) = col.find_notes(f'"Id:rich/{ident}"')
    return col.get_note(nid)


def test_images_land_in_the_media_folder_named_by_content_and_stored_once(built, collection):
    media = Path(collection.media.dir())
    stored = {p.name: p.read_bytes() for p in media.iterdir() if p.is_file()}
    photo, arrow = (RICH / "photo.jpg").read_bytes(), (RICH / "arrow.svg").read_bytes()
    # photo.jpg and photo-copy.jpg hold the same bytes: one file; the section's diagram prints only.
    assert sorted(stored.values()) == sorted([photo, arrow])
    for name, data in stored.items():
        assert hashlib.sha256(data).hexdigest()[:20] in name
    picture = _note(collection, "picture").cards()[0].answer()
    assert f'src="{next(n for n, d in stored.items() if d == photo)}"' in picture


def test_cloze_cards_hide_each_deletion_on_the_front_and_show_it_on_the_back(collection):
    note = _note(collection, "capital")
    assert note.note_type()["type"] == 1  # Anki's cloze kind
    first, second = sorted(note.cards(), key=lambda c: c.ord)
    assert "Paris" not in visible_text(first.question()) and "France" in visible_text(first.question())
    assert "Paris" in visible_text(first.answer())
    assert "[country]" in visible_text(second.question()) and "France" not in visible_text(second.question())
    assert "France" in visible_text(second.answer())
    assert "[input mode]" in visible_text(_note(collection, "pipe").cards()[0].question())


def test_cards_carry_mathjax_sub_sup_and_pre(collection):
    area = _note(collection, "chemistry/area-of-a-circle").cards()[0].answer()
    assert r"\(A = \pi r^2\)" in area and r"\(r\)" in area
    assert r"\[\sigma^2 = \frac{1}{n}\sum_{i=1}^{n} (x_i - \mu)^2\]" in _note(
        collection, "chemistry/variance").cards()[0].answer()
    assert "H<sub>2</sub>O" in _note(collection, "chemistry/water").cards()[0].answer()
    powers = _note(collection, "chemistry/powers").cards()[0].answer()
    assert "2<sup>10</sup>" in powers and "$5 or $10" in powers
    code = _note(collection, "estimator").cards()[0].answer()
    assert "<pre><code>est = Estimator(\n    image_uri=uri,\n    role=role,\n)</code></pre>" in code
    fenced = _note(collection, "fenced").cards()[0].answer()
    assert 'Deploy with:<pre><code>predictor = est.deploy(\n    instance_type="ml.m5.large",\n)' in fenced


def _page(built: Path):
    state = json.loads((built / "dist" / ".cheatdeck-state.json").read_text())
    size = next(e["details"]["body_size"] for e in state["outputs"].values() if "body_size" in e["details"])
    return geometry("letter", size, TEMPLATES, built / "source" / "rich.yaml")


def test_page_draws_images_at_column_width_keeping_their_aspect(built):
    page_geometry = _page(built)
    with pdfplumber.open(built / "dist" / "rich.pdf") as pdf:
        images = [i for p in pdf.pages for i in p.images]
    # The section's diagram (400 × 200), the bullet's photo (300 × 300) and the table's copy of it.
    assert len(images) == 3
    full = [i for i in images if abs(i["width"] - page_geometry.col_w) < 1]
    assert len(full) == 2
    for image in full:
        src_w, src_h = image["srcsize"]
        assert image["height"] == pytest.approx(image["width"] * src_h / src_w, rel=0.01)
    # The SVG in the trap is drawn as vector shapes: its green-stroked frame is a rectangle, not an image.
    with pdfplumber.open(built / "dist" / "rich.pdf") as pdf:
        frames = [r for p in pdf.pages for r in p.rects
                  if r["stroking_color"] == pytest.approx((0, 128 / 255, 0), abs=0.01)]
    assert len(frames) == 1 and frames[0]["width"] > 0.8 * page_geometry.col_w
    assert frames[0]["height"] == pytest.approx(frames[0]["width"] * 90 / 190, rel=0.02)


def test_page_draws_formulas_code_and_scripts(built):
    page_geometry = _page(built)
    with pdfplumber.open(built / "dist" / "rich.pdf") as pdf:
        page = pdf.pages[0]
        words = page.extract_words(extra_attrs=["fontname", "size"])
        text = page.extract_text()
        curves = page.curves
    assert "$5 or $10 stays literal" in text and "$" not in text.replace("$5 or $10", "")
    assert "{{" not in text and "~" not in text and "^" not in text
    # Formulas are outlines, drawn beside their words: the curves at the line of "Area of a circle".
    area = next(w for w in words if w["text"] == "Area")
    assert [c for c in curves if abs(c["top"] - area["top"]) < area["size"] and c["x0"] > area["x1"]]
    # Code keeps its lines and indentation, in the monospace face.
    code = {w["text"]: w for w in words if "Mono" in w["fontname"]}
    assert {"est", "image_uri=uri,", "role=role,", ")"} <= set(code)
    indent = code["image_uri=uri,"]["x0"] - code["est"]["x0"]
    assert indent == pytest.approx(4 * (code["est"]["x1"] - code["est"]["x0"]) / 3, rel=0.05)
    assert code["role=role,"]["x0"] == pytest.approx(code["image_uri=uri,"]["x0"])
    assert code["image_uri=uri,"]["top"] < code["role=role,"]["top"]
    # Cloze parts print bold, without their markers; sub and superscripts sit below and above the line.
    paris = next(w for w in words if w["text"] == "Paris")
    assert "Bold" in paris["fontname"]
    two = next(w for w in words if w["text"] == "2" and w["size"] < area["size"])
    assert two["x0"] < column_ranges(page_geometry)[0][1]


def test_page_one_png_shows_it_all(built, tmp_path):
    result = CliRunner().invoke(cli, ["pdf", "--source", str(built / "source"), "--out", str(tmp_path), "--png"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rich-page1.png").read_bytes().startswith(b"\x89PNG")


def test_outputs_are_byte_identical_from_another_process(built, tmp_path):
    """Formula placeholders live in a temporary folder per process: nothing of it may reach the outputs."""
    subprocess.run([sys.executable, str(REPO / "build.py"), "-q", "--force", "--source", str(built / "source"),
                    "--out", str(tmp_path)], check=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    for name in ("rich.apkg", "rich.pdf"):
        assert (tmp_path / name).read_bytes() == (built / "dist" / name).read_bytes(), name


def test_a_reworded_cloze_keeps_its_note_and_review_history(workdir):
    shutil.copytree(RICH, workdir / "source", dirs_exist_ok=True)
    run("anki")
    col = Collection(str(workdir / "collection.anki2"))
    try:
        import_package(col, Path("dist/rich.apkg"))
        before = _note(col, "capital")
        review_all(col)
        history = scheduling(col)
        sheet = Path("source/rich.yaml")
        sheet.write_text(sheet.read_text().replace("is the capital of", "is the capital city of"))
        assert "1 changed" in run("anki").output
        import_package(col, Path("dist/rich.apkg"))
        after = _note(col, "capital")
        assert after.id == before.id and "capital city of" in after["Text"]
        assert {cid: history[cid] for cid in after.card_ids()} == {cid: scheduling(col)[cid]
                                                                    for cid in after.card_ids()}
    finally:
        col.close()


def test_an_edited_image_rebuilds_under_a_new_name(workdir):
    shutil.copytree(RICH, workdir / "source", dirs_exist_ok=True)
    run("anki")
    first = Path("dist/rich.apkg").read_bytes()
    assert "up to date" in run("anki").output
    from PIL import Image

    Image.new("RGB", (30, 20), "red").save("source/photo.jpg")
    result = run("anki")
    assert "1 changed" in result.output, result.output
    with zipfile.ZipFile("dist/rich.apkg") as package:
        names = set(json.loads(package.read("media")).values())
    assert f"cheatdeck-{hashlib.sha256(Path('source/photo.jpg').read_bytes()).hexdigest()[:20]}.jpg" in names
    assert Path("dist/rich.apkg").read_bytes() != first


def test_watch_rebuilds_when_an_image_is_saved(workdir):
    shutil.copytree(RICH, workdir / "source", dirs_exist_ok=True)
    with watching(Path("source")) as (outcomes, wait_for):
        shutil.copy(RICH / "diagram.png", "source/photo.jpg")
        wait_for(2)
        assert outcomes[1].changes.changed == ("picture",), outcomes


def test_a_sheet_without_rich_content_imports_no_typesetting_library(tmp_path):
    shutil.copytree(TINY.parent, tmp_path / "source", ignore=shutil.ignore_patterns("rich", "*.txt"))
    script = ("import sys\nfrom cheatdeck import Options, build\nfrom pathlib import Path\n"
              f"build({str(tmp_path / 'source' / 'tiny.yaml')!r}, Options(out=Path({str(tmp_path / 'dist')!r})))\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'ziamath', 'ziafont', 'latex2mathml', 'svglib', 'lxml', 'tinycss2'}))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("source, kinds", [
    ("H~2~O and x^2^", ["text", "text", "text", "text"]),
    ("$E = mc^2$ costs $5", ["math", "text"]),
    ("costs $5 and $10, or \\$x$", ["text"]),
    ("$5 per GB-month ($0.023 off)", ["text"]),
    ("${2}^{10}$ = 1024", ["math", "text"]),
    ("~70% savings, ~5 minutes", ["text"]),
    ("[$]y[/$] is Anki's own tag", ["text"]),
    ("{{c1::Pipe::mode}} streams", ["text", "text"]),
    ("see ![a diagram](d.png)", ["text", "image"]),
    ("one\n  two", ["block"]),
])
def test_the_parser_reads_rich_markup(source, kinds):
    assert [s.kind for s in inline.parse(source)] == kinds


def test_escape_keeps_every_new_markup_literal():
    text = "$x$ H~2~O x^2^ {{c1::z}} ![a](b.png)"
    assert inline.plain(inline.parse(inline.escape(text))) == text


@pytest.mark.parametrize("data, message", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cannot read image 'figure.png'"),
    (b"just some notes", "image 'figure.png' is not a PNG, JPEG or SVG file"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "cannot read image 'figure.png': not a well-formed SVG"),
])
def test_an_unreadable_image_is_an_error_at_its_line(tiny, data, message):
    (tiny.parent / "figure.png").write_bytes(data)
    tiny.write_text(tiny.read_text().replace("          - Commit: record the staged snapshot\n",
                                             "          - 'Commit: ![a figure](figure.png)'\n"))
    result = run("check", code=1)
    assert f"source/tiny.yaml:16:13: {message}" in result.output


@pytest.mark.parametrize("old, new, message", [
    ("title: Everyday Commands", "title: 'Commands ![a](x.png)'",
     "images and code blocks (text of several lines) go in bullets, table rows and traps"),
    ("          - Commit: record the staged snapshot\n", "          - '{{c1::Commit}} records the snapshot'\n",
     "a bullet with cloze deletions needs an `id`"),
    ("            q: Which command sends local commits to a remote?",
     "            q: Which command sends {{c1::local}} commits to a remote?",
     "cloze deletions work only in a bullet's text"),
    ("            - [Merge, Keeps both histories]", "            - [Merge, 'Keeps {{c1::both}} histories']",
     "cloze deletions work only in a bullet's text"),
])
def test_rich_content_only_where_it_can_show(tiny, old, new, message):
    assert old in tiny.read_text()
    tiny.write_text(tiny.read_text().replace(old, new))
    assert message in run("check", code=1).output

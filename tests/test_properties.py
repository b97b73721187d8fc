"""Property tests: any printable text the font covers, placed in a bullet, reaches both outputs literally."""

from __future__ import annotations

import html.parser
import shutil
import unicodedata
from pathlib import Path

import pdfplumber
import yaml
from anki.collection import Collection
from anki_helpers import import_package, visible_text
from click.testing import CliRunner
from conftest import TINY
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pdf_helpers import squash
from reportlab.pdfbase.ttfonts import TTFont

from cheatdeck import inline
from cheatdeck.cli import cli
from cheatdeck.options import TEMPLATES


def _covered() -> list[str]:
    """Characters every text face covers, printable, left-to-right and not combining (PDF text extraction
    reorders right-to-left runs and attaches combining marks elsewhere, which is extraction, not us)."""
    faces = [TTFont(f"prop-{name}", str(TEMPLATES / "fonts" / name)).face.charToGlyph for name in (
        "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
        "DejaVuSansCondensed-Oblique.ttf", "DejaVuSansCondensed-BoldOblique.ttf")]
    chars = []
    for code in sorted(set.intersection(*(set(f) for f in faces))):
        c = chr(code)
        if (c.isprintable() and not c.isspace() and code < 0x10000
                and unicodedata.category(c)[0] in "LNPS"
                and unicodedata.bidirectional(c) not in ("R", "AL", "AN")):
            chars.append(c)
    return chars


ALPHABET = _covered()
SPECIAL = list("<>&*_`'\"\\[]{}|#:;!?/=%~^$@")
# Whole sequences that mean something to one of the renderers: entities and tags (ReportLab, HTML),
# Markdown emphasis, Anki's media and LaTeX tags and template braces.
TOKENS = ["&amp;", "&lt;", "&#91;", "<b>", "</i>", "<br/>", "<font>", "**", "__", "`", "\\*", "[sound:a.mp3]",
          "[$]x[/$]", "[latex]y[/latex]", "{{Front}}", "{{c1::z}}", "DI < 0.8", "s3:*", "A_B_C"]
words = st.sampled_from(TOKENS) | st.text(st.sampled_from(SPECIAL) | st.sampled_from(ALPHABET), min_size=1, max_size=12)
texts = st.lists(words, min_size=1, max_size=4).map(" ".join)


def _sheet_with(text: str) -> str:
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data["domains"][0]["sections"][0]["bullets"].append(
        {"id": "property", "q": "What does the property bullet say?", "text": inline.escape(text)})
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=texts)
@example(text="&amp; &lt; <b>bold</b> [sound:a.mp3] [$]x[/$] {{Front}}")
@example(text="**not bold** _not italic_ `not code` \\* DI < 0.8 s3:*")
def test_any_covered_text_reaches_card_and_page_literally(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("prop")
    (root / "source").mkdir()
    (root / "source" / "tiny.yaml").write_text(_sheet_with(text), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--source", str(root / "source"), "--out", str(root / "dist")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output

    col = Collection(str(root / "collection.anki2"))
    try:
        import_package(col, root / "dist" / "tiny.apkg")
        note = col.get_note(col.find_notes('"Id:tiny/property"')[0])
        answer = visible_text(note.cards()[0].answer())
    finally:
        col.close()
    assert text in answer

    with pdfplumber.open(root / "dist" / "tiny.pdf") as pdf:
        printed = squash("".join(page.extract_text() or "" for page in pdf.pages))
    assert squash(text) in printed
    shutil.rmtree(root)


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_script_in_the_source_is_text_on_the_card(workdir):
    payload = '<script>document.title="pwned"</script><img src=x onerror="alert(1)">'
    Path("source/tiny.yaml").write_text(_sheet_with(payload), encoding="utf-8")
    result = CliRunner().invoke(cli, ["anki"])
    assert result.exit_code == 0, result.output
    col = Collection(str(workdir / "c.anki2"))
    try:
        import_package(col, Path("dist/tiny.apkg"))
        card = col.get_note(col.find_notes('"Id:tiny/property"')[0]).cards()[0]
        rendered = card.answer()
    finally:
        col.close()
    parser = _Tags()
    parser.feed(rendered)
    assert not [t for t, _ in parser.tags if t in ("script", "img", "iframe", "object")]
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on")]
    assert payload in visible_text(rendered)


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(text=st.text(st.sampled_from(list("ab1Ωé_\\*`$~^{}![]( ).:-")) | st.sampled_from(ALPHABET), max_size=14))
@example(text="IDENTICAL_DATA_AND_ALGORITHM")
@example(text="s3:GetObject/Put, ecr:\\*")
@example(text="a\\*_b")
@example(text="x\\*_y_\\*z")  # as written, neither underscore is intraword: y is emphasised
@example(text="a\\\\_b_")
@example(text="auto-labels (~70% savings), $5 a month, x^2, {braces}!")
@example(text="H~2~O")
@example(text="x^2^ and $x$")
def test_text_read_without_the_parser_reads_as_the_parser_reads_it(text):
    """Intraword underscores and backslash escapes are taken without markdown-it: always what it would say."""
    if not inline.is_plain(text) and inline._literal(text) is not None:
        assert inline.parse(text) == inline._parse_markup(text)

"""The library's spine: plain code (no process tricks), short functions, a lock that holds identity only, fonts
known by their content, and options checked at the door."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

import cheatdeck
from cheatdeck import CheatdeckError, Options, PrintOptions
from conftest import REPO, TINY

LIBRARY = REPO / "cheatdeck"
# What changes a process for whoever else runs in it, or leans on an interpreter's or a library's internals.
BANNED_MODULES = {"gc", "pickle", "multiprocessing", "concurrent", "concurrent.futures", "marshal"}
BANNED_CALLS = {("os", "fork"), ("os", "forkpty"), ("sys", "_getframe"), ("os", "register_at_fork")}
LONGEST = 60


def library_modules(outside_cli: bool = True):
    for path in sorted(LIBRARY.rglob("*.py")):
        if not (outside_cli and "cli" in path.relative_to(LIBRARY).parts):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def tricks(tree: ast.Module) -> list[str]:
    """Imports of BANNED_MODULES, BANNED_CALLS, and assignments to an imported module's attributes (a patched
    `re.compile` or ReportLab function)."""
    modules = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.add(alias.asname or alias.name.split(".")[0])
                if alias.name in BANNED_MODULES or alias.name.split(".")[0] in BANNED_MODULES:
                    found.append(f"{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            modules.update(alias.asname or alias.name for alias in node.names)
            if node.module and node.module.split(".")[0] in BANNED_MODULES:
                found.append(f"{node.lineno}: from {node.module} import …")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in BANNED_CALLS:
                found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
            if isinstance(node.ctx, ast.Store) and node.value.id in modules:
                found.append(f"{node.lineno}: assigns {node.value.id}.{node.attr}")
    return found


def test_the_library_holds_no_process_tricks():
    """No collector switches, forks, process pools, pickles, frame peeking or patched modules outside cli/."""
    found = {str(path.relative_to(REPO)): hits for path, tree in library_modules() if (hits := tricks(tree))}
    assert not found, found


@pytest.mark.parametrize("trick", [
    "import gc\ngc.freeze()\n", "import os\npid = os.fork()\n", "import re\nre.compile = lambda p: p\n",
    "import sys\nsys._getframe(1)\n", "import pickle\n", "from concurrent.futures import ProcessPoolExecutor\n",
    "from reportlab.pdfbase import ttfonts\nttfonts.makeToUnicodeCMap = len\n",
])
def test_each_trick_is_found(trick):
    assert tricks(ast.parse(trick))


def long_functions(tree: ast.Module) -> list[str]:
    return [f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
            for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > LONGEST]


def test_no_function_is_longer_than_60_lines():
    found = {str(path.relative_to(REPO)): hits for path, tree in library_modules(outside_cli=False)
             if (hits := long_functions(tree))}
    assert not found, found
    assert long_functions(ast.parse("def f():\n" + "    x = 1\n" * LONGEST))


def test_the_lock_stays_as_committed_after_a_code_change_another_theme_and_another_paper(tmp_path):
    """A clone of the repository builds the shipped sheet, then again after a comment is appended to a module,
    with another theme and on A4: the committed lock never changes."""
    clone = tmp_path / "clone"
    for name in ("cheatdeck", "templates", "source"):
        shutil.copytree(REPO / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("build.py", "pyproject.toml"):
        shutil.copy(REPO / name, clone)
    committed = (clone / "source" / "mla-c01.lock.json").read_bytes()
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "templates", theme)
    yaml_file = theme / "pdf" / "theme.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace("gutter: 1.3", "gutter: 1.1").replace(
        '"#b3261e"', '"#8a1c16"'), encoding="utf-8")

    def build(*args: str) -> None:
        done = subprocess.run([sys.executable, "build.py", "-q", *args], cwd=clone, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert (clone / "source" / "mla-c01.lock.json").read_bytes() == committed, args

    build()
    with (clone / "cheatdeck" / "model.py").open("a", encoding="utf-8") as module:
        module.write("# a comment\n")
    build()
    build("--templates", str(theme), "--out", "themed")
    build("--paper", "a4", "--pages", "3")
    assert (clone / "themed" / "mla-c01.pdf").is_file() and (clone / "dist" / "mla-c01.a4.pdf").is_file()


def test_a_format_2_lock_is_read_and_written_back_as_format_3_without_its_layout(tiny):
    import json

    lock = tiny.with_name("tiny.lock.json")
    first = cheatdeck.build(tiny, Options(out=Path("dist")), ("anki",))
    assert first.changes.first_build
    document = json.loads(lock.read_text(encoding="utf-8"))
    assert document["format"] == 3 and "layout" not in document
    document["removed"] = {"gone": {"guid": "abc", "left": "2025-01-01", "applied": ["col-1"]}}
    old = {**document, "format": 2, "layout": {"letter-2": {"key": "0" * 64, "size": 8.0}}}
    lock.write_text(json.dumps(old), encoding="utf-8")
    again = cheatdeck.build(tiny, Options(out=Path("dist"), force=True), ("anki",))
    assert not (again.changes.new or again.changes.changed or again.changes.first_build)
    upgraded = json.loads(lock.read_text(encoding="utf-8"))
    assert upgraded == {**document, "format": 3}


def printed_fonts(pdf: Path) -> set[str]:
    fonts = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


def test_two_themes_with_different_fonts_in_one_process_each_print_their_own(tiny, tmp_path):
    """Fonts are known by their content: a theme whose regular face is another file of the same name prints in
    that file's font, in the same process as a build with the default theme, before and after it."""
    mono = tmp_path / "mono"
    shutil.copytree(REPO / "templates", mono)
    fonts = mono / "fonts"
    shutil.copy(fonts / "DejaVuSansMono.ttf", fonts / "DejaVuSansCondensed.ttf")
    shutil.copy(fonts / "DejaVuSansMono-Bold.ttf", fonts / "DejaVuSansCondensed-Bold.ttf")
    default = cheatdeck.build(tiny, Options(out=tmp_path / "default"), ("pdf",))
    themed = cheatdeck.build(tiny, Options(out=tmp_path / "themed", templates=mono), ("pdf",))
    again = cheatdeck.build(tiny, Options(out=tmp_path / "again"), ("pdf",))
    assert printed_fonts(default.outputs[0].path) == printed_fonts(again.outputs[0].path) == {
        "DejaVuSansCondensed", "DejaVuSansCondensed-Bold"}
    assert printed_fonts(themed.outputs[0].path) == {"DejaVuSansMono", "DejaVuSansMono-Bold"}


def widened(font: Path, char: str) -> bytes:
    """The font file with `char`'s advance width doubled: the same face name, other content."""
    import struct

    from reportlab.pdfbase.ttfonts import TTFont

    data = bytearray(font.read_bytes())
    glyph = TTFont("probe-" + font.stem, str(font)).face.charToGlyph[ord(char)]
    tables = struct.unpack(">H", data[4:6])[0]
    offsets = {bytes(data[12 + 16 * i:16 + 16 * i]): struct.unpack(">I", data[20 + 16 * i:24 + 16 * i])[0]
               for i in range(tables)}
    at = offsets[b"hmtx"] + 4 * glyph
    struct.pack_into(">H", data, at, 2 * struct.unpack(">H", data[at:at + 2])[0])
    return bytes(data)


def test_a_changed_font_file_prints_what_it_now_says_in_the_same_process(tiny, tmp_path):
    """The same face name, other content (a font updated in place, as `watch` sees it): the PDF follows the
    file, and a build of the old file afterwards prints the old widths again."""
    changed = tmp_path / "changed"
    shutil.copytree(REPO / "templates", changed)
    regular = changed / "fonts" / "DejaVuSansCondensed.ttf"
    regular.write_bytes(widened(regular, "e"))

    def widths(templates: Path | None, out: str) -> list:
        opts = Options(out=tmp_path / out, **({"templates": templates} if templates else {}))
        pdf = cheatdeck.build(tiny, opts, ("pdf",)).outputs[0].path
        page = PdfReader(pdf).pages[0]
        return sorted(list(font.get_object()["/Widths"]) for font in page["/Resources"]["/Font"].values())

    before, after, again = widths(None, "before"), widths(changed, "after"), widths(None, "again")
    assert before == again != after


def test_characters_beyond_the_basic_plane_copy_out_of_cheatdecks_fonts_only(tmp_path):
    """The ToUnicode fix (docs/reportlab-tounicode-bug.md) is cheatdeck's fonts' own: another font registered
    with ReportLab in the same process keeps ReportLab's map."""
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfgen import canvas

    from cheatdeck.errors import Location
    from cheatdeck.pdf import fonts

    symbola = REPO / "templates" / "fonts" / "Symbola.ttf"
    ours = fonts._load(symbola, Location("theme"), single=True)
    theirs = ttfonts.TTFont("someone-elses-symbola", str(symbola))
    pdfmetrics.registerFont(theirs)
    for font in (ours, theirs):
        drawn = canvas.Canvas(str(tmp_path / f"{font.fontName}.pdf"))
        drawn.setFont(font.fontName, 12)
        drawn.drawString(10, 10, "\U0001F525")
        drawn.save()
    assert type(theirs) is ttfonts.TTFont and ttfonts.makeToUnicodeCMap.__module__ == "reportlab.pdfbase.ttfonts"
    maps = {font.fontName: to_unicode(tmp_path / f"{font.fontName}.pdf") for font in (ours, theirs)}
    assert "> <D83DDD25>\n" in maps[ours.fontName] and "> <1F525>" not in maps[ours.fontName]
    assert "> <1F525>\n" in maps[theirs.fontName]
    assert PdfReader(tmp_path / f"{ours.fontName}.pdf").pages[0].extract_text().strip() == "\U0001F525"


def to_unicode(pdf: Path) -> str:
    fonts = [f.get_object() for f in PdfReader(pdf).pages[0]["/Resources"]["/Font"].values()]
    return "\n".join(f["/ToUnicode"].get_object().get_data().decode() for f in fonts if "/ToUnicode" in f)


@pytest.mark.parametrize("options, message", [
    ({"paper": "legal"}, "invalid option paper: expected one of letter, a4, but received 'legal'"),
    ({"pages": 0}, "invalid option pages: expected a whole number of at least 1, but received 0"),
    ({"pages": -3}, "invalid option pages: expected a whole number of at least 1, but received -3"),
    ({"columns": 2}, "invalid option columns: expected a whole number from 3 to 5, but received 2"),
    ({"pages": "2"}, "invalid option pages: expected int, but received '2'"),
    ({"grayscale": 1}, "invalid option grayscale: expected bool, but received 1"),
])
def test_print_options_are_checked_at_the_door(options, message):
    with pytest.raises(CheatdeckError) as raised:
        PrintOptions(**options)
    assert str(raised.value) == message


def test_every_problem_with_the_options_is_reported_at_once(tmp_path):
    with pytest.raises(CheatdeckError) as raised:
        PrintOptions(paper="legal", pages=0, columns=9)
    assert len(raised.value.problems) == 3 and str(raised.value).endswith("3 errors")
    with pytest.raises(CheatdeckError, match="invalid option templates: no such folder"):
        Options(templates=tmp_path / "missing")
    assert Options(out="dist").out == Path("dist")  # paths may come as text
    assert PrintOptions(paper="a4", pages=5000, columns=5).pages == 5000  # no cap: what the sheet needs


def test_the_papers_are_listed_once():
    """The sheet's format, the command line and the page size read the one list in options.py."""
    from reportlab.lib.pagesizes import A4, letter

    import msgspec

    from cheatdeck.options import PAPER_SIZES, PAPERS
    from cheatdeck.source.format import PrintSpec

    assert PAPER_SIZES == {"letter": letter, "a4": A4} and PAPERS == ("letter", "a4")
    assert msgspec.json.schema(PrintSpec)["$defs"]["PrintSpec"]["properties"]["paper"]["anyOf"][0]["enum"] == [
        "a4", "letter"]
    for path, _ in library_modules(outside_cli=False):
        text = path.read_text(encoding="utf-8")
        assert path.name == "options.py" or '"letter", "a4"' not in text, path


def test_the_theme_reports_every_problem_at_once(tmp_path):
    from cheatdeck.pdf.theme import load_theme

    theme = tmp_path / "theme.yaml"
    text = (REPO / "templates" / "pdf" / "theme.yaml").read_text(encoding="utf-8")
    theme.write_text(text.replace("columns: 4", "columns: 12").replace("leading:", "spacing_extra: 1\n  leading:"),
                     encoding="utf-8")
    with pytest.raises(CheatdeckError) as raised:
        load_theme(theme)
    messages = [p.message for p in raised.value.problems]
    assert "invalid PDF theme: columns: Expected `int` <= 8" in messages
    assert any(m.startswith("invalid PDF theme: body.spacing_extra: unknown field") for m in messages), messages
    assert len(messages) == 2


def test_the_version_is_read_without_importing_the_package_face():
    """state/freshness.py reads the version from _version.py: no import runs up to the package's face."""
    tree = ast.parse((LIBRARY / "state" / "freshness.py").read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert "_version" in imported and None not in imported
    import importlib

    assert cheatdeck.__version__ == importlib.import_module("cheatdeck._version").__version__

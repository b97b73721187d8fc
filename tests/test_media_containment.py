"""Images come from the sheet's folder (symbolic links followed), or from the folder `media_root:` names; the
refusal names the path as written and reads the same whether a file is there or not."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from cli_helpers import run
from conftest import FIXTURES

PNG = (FIXTURES / "rich" / "diagram.png").read_bytes()
BULLET = "          - Commit: record the staged snapshot\n"


def _show(sheet: Path, file: str, figure: bool = False) -> None:
    """The sheet shows `file` in a bullet (line 16, column 13), or as its first section's figure."""
    text = sheet.read_text(encoding="utf-8")
    if figure:
        text = text.replace("        title: Everyday Commands\n",
                            f"        title: Everyday Commands\n        image: {{file: '{file}'}}\n")
    else:
        text = text.replace(BULLET, f"          - 'Commit: ![a figure]({file})'\n")
    sheet.write_text(text, encoding="utf-8")


@pytest.fixture
def outside(tiny) -> Path:
    """A real image beside source/, outside the sheet's folder, and links to it from inside."""
    secret = tiny.parent.parent / "secret.png"
    secret.write_bytes(PNG)
    (tiny.parent.parent / "elsewhere").mkdir()
    shutil.copy(secret, tiny.parent.parent / "elsewhere" / "inside.png")
    os.symlink("../secret.png", tiny.parent / "link.png")
    os.symlink("../elsewhere", tiny.parent / "folder")
    return secret


def _written() -> list[Path]:
    return [p for p in Path("dist").glob("*") if p.suffix in (".apkg", ".pdf")] if Path("dist").exists() else []


@pytest.mark.parametrize("kind", ["anki", "pdf"])
@pytest.mark.parametrize("figure", [False, True], ids=["inline", "figure"])
@pytest.mark.parametrize("file", ["../secret.png", "../../secret.png", "ABSOLUTE", "link.png", "folder/inside.png",
                                  "sub/../../secret.png"])
def test_an_image_outside_the_sheets_folder_is_refused(tiny, outside, kind, figure, file):
    file = str(outside) if file == "ABSOLUTE" else file
    _show(tiny, file, figure)
    result = run(kind, code=1)
    assert f"image {file!r} is outside the sheet's folder: images must lie inside it" in result.output
    assert str(outside.resolve()) not in result.output.replace(repr(file), "")
    assert not _written(), "nothing is built from such a sheet"


@pytest.mark.parametrize("there, missing", [
    ("../secret.png", "../missing.png"),
    ("../../secret.png", "../../missing.png"),
    ("ABSOLUTE", "/nonexistent/folder/secret.png"),
    ("link.png", "dangling.png"),
])
def test_the_refusal_reads_the_same_whether_the_outside_file_exists(tiny, outside, there, missing):
    there = str(outside) if there == "ABSOLUTE" else there
    if missing == "dangling.png":
        os.symlink("../missing.png", tiny.parent / "dangling.png")
    original = tiny.read_text(encoding="utf-8")
    messages = []
    for file in (there, missing):
        tiny.write_text(original, encoding="utf-8")
        _show(tiny, file)
        messages.append(run("check", code=1).output.replace(repr(file), "FILE"))
    assert messages[0] == messages[1]
    assert "source/tiny.yaml:16:13: image FILE is outside the sheet's folder" in messages[0]


def test_a_link_that_stays_inside_the_folder_is_followed(tiny):
    (tiny.parent / "images").mkdir()
    (tiny.parent / "images" / "real.png").write_bytes(PNG)
    os.symlink("images/real.png", tiny.parent / "alias.png")
    _show(tiny, "alias.png")
    run("anki")
    with zipfile.ZipFile("dist/tiny.apkg") as package:
        assert PNG in [package.read(name) for name in package.namelist()]


def _media_root(sheet: Path, value: str) -> None:
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace('version: "1.0"\n', f'version: "1.0"\nmedia_root: {value}\n'), encoding="utf-8")


def test_media_root_widens_the_allowed_folder(tiny, outside):
    _media_root(tiny, "'..'")
    _show(tiny, "../secret.png")
    _show(tiny, "folder/inside.png", figure=True)
    run()
    with zipfile.ZipFile("dist/tiny.apkg") as package:
        assert PNG in [package.read(name) for name in package.namelist()]
    assert Path("dist/tiny.pdf").stat().st_size > 0


def test_media_root_adds_its_folder_and_nothing_above_it(tiny, outside):
    (tiny.parent / "own.png").write_bytes(PNG)
    _media_root(tiny, "../elsewhere")
    _show(tiny, "../elsewhere/inside.png")
    _show(tiny, "own.png", figure=True)
    run("anki")
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("'own.png'", "'../secret.png'"), encoding="utf-8")
    result = run("anki", code=1)
    assert "image '../secret.png' is outside the sheet's folder or media_root" in result.output


@pytest.mark.parametrize("value, message", [
    ("/tmp", "media_root '/tmp' is an absolute path: write it relative to the sheet's folder, such as '..'"),
    ("'C:\\Users'", "media_root 'C:\\\\Users' is an absolute path"),
    ("no-such-folder", "media_root 'no-such-folder' is not a folder (it is relative to the sheet's folder)"),
    ("tiny.yaml", "media_root 'tiny.yaml' is not a folder"),
    ("''", "text must not be empty"),
    ("[a, b]", "expected text, got a list"),
])
def test_a_wrong_media_root_is_an_error_at_its_line(tiny, value, message):
    _media_root(tiny, value)
    result = run("check", code=1)
    assert f"source/tiny.yaml:5:13: {message}" in result.output, result.output

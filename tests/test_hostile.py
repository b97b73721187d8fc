"""Every file in tests/hostile/ is refused with its message, and leaves the last good build untouched."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from cli_helpers import snapshot
from click.testing import CliRunner
from conftest import TINY

from cheatdeck.cli import cli

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(p.stem for p in HOSTILE.glob("*.yaml"))
# Sheets that only the PDF refuses: the .apkg is built from them (the outputs are independent).
PDF_ONLY = {"17-glyph-the-font-lacks", "18-overflows-the-page-budget"}
# Files a case needs beside the sheet, made by the test rather than committed. The size check reads the
# file's size, so a sparse file (a PNG signature, then a hole) is an honest 20 MB image on disk.
BESIDE = {"45-image-over-10-mb": {"huge.png": (b"\x89PNG\r\n\x1a\n", 20 * 1024 * 1024)}}


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert all((HOSTILE / f"{name}.expect").is_file() for name in CASES)


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """One good build of the tiny sheet: its outputs and lock, copied before each hostile case."""
    root = tmp_path_factory.mktemp("good")
    (root / "source").mkdir()
    shutil.copy(TINY, root / "source" / "tiny.yaml")
    result = CliRunner().invoke(cli, ["--source", str(root / "source"), "--out", str(root / "dist")])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("name", CASES)
def test_hostile_source_is_refused(good_build, workdir, name):
    shutil.copytree(good_build / "dist", workdir / "dist")
    shutil.copy(good_build / "source" / "tiny.lock.json", workdir / "source" / "tiny.lock.json")
    shutil.copy(HOSTILE / f"{name}.yaml", workdir / "source" / "tiny.yaml")
    for file, (head, size) in BESIDE.get(name, {}).items():
        with open(workdir / "source" / file, "wb") as out:
            out.write(head)
            out.truncate(size)
    line, _, message = (HOSTILE / f"{name}.expect").read_text(encoding="utf-8").strip().partition(": ")
    outputs, lock = snapshot(workdir / "dist"), (workdir / "source" / "tiny.lock.json").read_bytes()

    started = time.monotonic()
    result = CliRunner().invoke(cli, [])
    assert time.monotonic() - started < 20

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    where = f"source/tiny.yaml:{line}:" if line else "source/tiny.yaml: "  # no line: the sheet as a whole
    assert any(where in out and message in out for out in result.output.splitlines()), \
        result.output[:2000]
    if name in PDF_ONLY:
        assert snapshot(workdir / "dist")["tiny.pdf"] == outputs["tiny.pdf"]
    else:
        assert snapshot(workdir / "dist") == outputs
        assert (workdir / "source" / "tiny.lock.json").read_bytes() == lock
    assert sorted(p.name for p in (workdir / "source").iterdir()) == sorted(
        ["tiny.lock.json", "tiny.yaml", *BESIDE.get(name, {})])
    assert not list(workdir.parent.glob("outside*"))

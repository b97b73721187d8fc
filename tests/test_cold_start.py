"""A command-line run pays only for what its command needs: what each kind of run imports (issue 22, point 7:
the no-op against the import floor, the cold build against the hand-written script)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO))
try:
    import build as build_py
finally:
    sys.path.remove(str(REPO))


def imported(args: list[str], cwd: Path) -> set[str]:
    """The modules a run of `python build.py ARGS` imports (`-X importtime` lists each as it is first imported)."""
    done = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rpartition("|")[2].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def test_an_up_to_date_build_imports_neither_the_libraries_nor_the_loader_nor_the_watch(tiny):
    imported(["-q"], tiny.parent.parent)
    modules = imported(["-q"], tiny.parent.parent)
    assert "cheatdeck.pipeline" in modules  # the listing is read
    heavy = {"reportlab", "genanki", "yaml", "msgspec", "tomllib", "cheatdeck.model", "cheatdeck.source.compile",
             "cheatdeck.cli.watch"}
    assert not modules & heavy, modules & heavy


def test_a_build_imports_no_watch_and_no_toml_reader(tiny):
    modules = imported(["-q", "--force"], tiny.parent.parent)
    assert {"reportlab.platypus", "genanki"} <= modules
    assert not modules & {"tomllib", "cheatdeck.cli.watch"}


PYPROJECT = """[build-system]
requires = ["setuptools>=69"]

[project]
name = "x"
dependencies = [
    "genanki>=0.13.1,<0.14",
    "click>=8.1.7,!=8.4.0,<9",  # a comment
    # a line of its own
    "pillow>=10.3,<14"
]

[project.optional-dependencies]
test = ["pytest>=8"]
"""


@pytest.mark.parametrize("text", [
    (REPO / "pyproject.toml").read_text(encoding="utf-8"),
    PYPROJECT,
    PYPROJECT.replace('dependencies = [\n    "genanki>=0.13.1,<0.14",\n', 'dependencies = ["genanki>=0.13.1,<0.14",\n'),
    PYPROJECT.replace("[project]\n", "[tool.x]\ndependencies = [\n    \"no\",\n]\n\n[project]\n"),
    PYPROJECT.replace('"pillow>=10.3,<14"\n]', '"pillow>=10.3,<14"]'),
])
def test_build_py_reads_the_requirements_tomllib_reads(tmp_path, text):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text, encoding="utf-8")
    assert build_py.requirements(pyproject) == tomllib.loads(text)["project"]["dependencies"]


def test_a_build_reads_only_the_layout_code_and_each_module_once(tiny, monkeypatch):
    """The freshness fingerprint knows cheatdeck's modules by their stats; the layout key and the layout memo's
    code digest read the modules that break lines, each once."""
    import cheatdeck
    from cheatdeck.state import freshness

    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def spy(path: Path) -> bytes:
        reads.append(path)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", spy)
    cheatdeck.build(tiny, cheatdeck.Options(out=Path("dist"), force=True))
    code = [path.relative_to(freshness.PACKAGE) for path in reads if freshness.PACKAGE in path.parents]
    assert len(code) == len(set(code)) and code
    assert {path.parts[0] for path in code} <= set(freshness.LAYOUT_CODE)


def test_an_edited_module_makes_the_outputs_stale(tiny, monkeypatch):
    from cheatdeck.state import freshness

    package = Path("copy/cheatdeck")
    shutil.copytree(REPO / "cheatdeck", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(freshness, "PACKAGE", package.resolve())

    def fingerprints() -> tuple[str, str]:
        prints = freshness.Fingerprints(tiny, None, REPO / "templates")
        return prints.of("anki", {}), prints.of("pdf", {})

    before = fingerprints()
    assert fingerprints() == before
    with (package / "cli" / "app.py").open("a", encoding="utf-8") as module:
        module.write("# changed\n")
    after = fingerprints()
    assert after[0] != before[0] and after[1] != before[1]


COLLECTIONS = """
import gc, os, runpy, sys
import cheatdeck.cli.runner as runner

collect_rarely = runner.collect_rarely

def counted():
    collect_rarely()
    gc.callbacks.append(lambda phase, info: phase == "stop" and os.write(2, b"collected\\n"))

runner.collect_rarely = counted
sys.argv = [{build!r}, *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_the_command_line_builds_the_shipped_sheet_before_its_first_collection(shipped):
    """The command line's collector threshold (cli/runner.py): a young generation large enough that a short
    sheet's cold build (both outputs) ends before the collector's first walk over it."""
    done = subprocess.run([sys.executable, "-c", COLLECTIONS.format(build=str(REPO / "build.py")), "-q"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert Path("dist/mla-c01.pdf").is_file() and Path("dist/mla-c01.apkg").is_file()
    assert done.stderr.count("collected") == 0

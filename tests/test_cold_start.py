"""A command-line run pays only for what its command needs: what each kind of run imports (issue 22, point 7:
the no-op against the import floor, the cold build against the hand-written script)."""

from __future__ import annotations

import os
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

"""The library's face: what `import cheatdeck` offers, and that it returns results and never prints."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO, TINY

import cheatdeck


def test_the_api_is_what_all_says():
    assert {"load", "check", "build", "clean", "Options", "BuildResult", "CheatdeckError"} <= set(cheatdeck.__all__)
    for name in cheatdeck.__all__:
        assert getattr(cheatdeck, name) is not None, name


def test_the_functions_stay_functions_once_every_module_is_imported():
    """A submodule named like a function of the API would replace it on the package once imported."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(cheatdeck.__path__, "cheatdeck."):
        importlib.import_module(module.name)
    for name in ("load", "check", "build", "clean", "removed", "sync"):
        assert callable(getattr(cheatdeck, name)) and not isinstance(getattr(cheatdeck, name), type(cheatdeck)), name


def test_errors_do_not_depend_on_click():
    assert not any("click" in c.__module__ for c in cheatdeck.CheatdeckError.__mro__)


def test_build_returns_results_and_prints_nothing(tiny, tmp_path, capsys):
    result = cheatdeck.build(tiny, cheatdeck.Options(out=tmp_path / "out"))
    assert isinstance(result, cheatdeck.BuildResult)
    assert result.sheet_id == "tiny" and {o.kind for o in result.outputs} == {"anki", "pdf"}
    assert all(o.path.is_file() and o.written for o in result.outputs)
    assert result.changes.new and not result.changes.changed
    again = cheatdeck.build(tiny, cheatdeck.Options(out=tmp_path / "out"))
    assert again.up_to_date
    assert sorted(p.name for p in cheatdeck.clean(cheatdeck.Options(out=tmp_path / "out")).removed) == \
        [".cheatdeck-flow.json", ".cheatdeck-layout.json", ".cheatdeck-pages.json", ".cheatdeck-state.json",
         "tiny.apkg", "tiny.pdf"]
    assert capsys.readouterr() == ("", "")


def test_load_and_check(tiny, capsys):
    sheet = cheatdeck.load(tiny)
    assert sheet.id == "tiny" and [d.id for d in sheet.domains] == ["basics", "advanced"]
    assert cheatdeck.check(tiny).counts["bullets"] == 3
    assert capsys.readouterr() == ("", "")


def test_a_loaded_sheet_compares_and_hashes_by_value(tiny):
    """The model's parts are values (as frozen dataclasses are), so a caller may key a dict by a domain or a
    section, and two loads of the same file give equal parts."""
    first, second = cheatdeck.load(tiny), cheatdeck.load(tiny)
    assert first.domains == second.domains
    by_section = {section: domain.id for domain in first.domains for section in domain.sections}
    assert [by_section[section] for domain in second.domains for section in domain.sections] == \
        [domain.id for domain in first.domains for _ in domain.sections]


def test_problems_are_data(tiny):
    tiny.write_text(tiny.read_text(encoding="utf-8").replace("weight: 60", "weight: 61"), encoding="utf-8")
    with pytest.raises(cheatdeck.CheatdeckError) as info:
        cheatdeck.check(tiny)
    (problem,) = info.value.problems
    assert (problem.loc.file, problem.loc.line) == (str(tiny), 6)
    assert "add to 101, not 100" in problem.message


def test_a_missing_sheet_is_a_cheatdeck_error_not_a_file_not_found_error(tmp_path):
    for call in (cheatdeck.load, cheatdeck.build, cheatdeck.check):
        with pytest.raises(cheatdeck.CheatdeckError) as info:
            call(tmp_path / "nope.yaml")
        assert info.value.problems[0].loc.file == str(tmp_path / "nope.yaml")


def test_the_readme_example_runs(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Use it from Python.*?```python\n(.*?)```", readme, re.S)[1]
    shutil.copytree(REPO / "source", tmp_path / "source")
    shutil.copytree(REPO / "tests" / "hostile", tmp_path / "tests" / "hostile")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("AWS Certified Machine Learning Engineer") and "'D1', 'D2', 'D3', 'D4'" in lines[0]
    assert lines[1].startswith("anki /tmp/cheatdeck-out/mla-c01.apkg") and lines[2].startswith("pdf ")
    assert re.fullmatch(r"tests/hostile/14-weights-not-100\.yaml \d+ .*100.*", lines[3])


def test_a_wheel_carries_the_templates_and_builds_from_any_folder(tmp_path):
    """What `pip install .` gives: the package with its default theme, run away from the repository."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "wheel"), str(REPO)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "wheel").glob("cheatdeck-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert {"cheatdeck/templates/anki/cards.css", "cheatdeck/templates/pdf/theme.yaml",
            "cheatdeck/templates/fonts/DejaVuSansCondensed.ttf"} <= names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(TINY, tmp_path / "sheet.yaml")
    script = ("import cheatdeck, sys; from cheatdeck.cli import main; print(cheatdeck.__file__, file=sys.stderr); "
              "main()")
    result = subprocess.run([sys.executable, "-c", script, "--source", str(tmp_path / "sheet.yaml"),
                             "--out", str(tmp_path / "o")], cwd=elsewhere, capture_output=True, text=True,
                            env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(str(tmp_path / "site" / "cheatdeck"))
    assert (tmp_path / "o" / "tiny.apkg").is_file() and (tmp_path / "o" / "tiny.pdf").is_file()

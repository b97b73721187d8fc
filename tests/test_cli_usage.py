"""The command line takes what people type: options after the command, sheets as arguments, ids, any case."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cli_helpers import run, snapshot
from conftest import REPO, TINY


def _second_sheet(folder: Path, sheet_id: str = "chem-101", stem: str = "chemistry") -> Path:
    """A copy of the tiny sheet whose id differs from its file name."""
    text = TINY.read_text(encoding="utf-8").replace("id: tiny\n", f"id: {sheet_id}\n", 1)
    path = folder / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_options_work_after_the_command(tiny):
    result = run("pdf", "--paper", "a4", "--grayscale", "--png")
    assert "a4" in result.output
    assert Path("dist/tiny.a4.gray-page1.png").is_file()
    run("build")
    assert run("build", "--force").output.count("(unchanged)") == 2
    assert "    + " not in run("anki", "-q").output
    assert "notes" in run("anki", "-v", "--force").output.split("\n", 3)[2]


def test_options_before_and_after_the_command_mean_the_same(tiny):
    before = run("--paper", "a4", "--out", "one", "pdf").output
    after = run("pdf", "--paper", "a4", "--out", "two").output
    assert before.replace("one/", "X/").split("\n")[1:] == after.replace("two/", "X/").split("\n")[1:]
    assert Path("one/tiny.a4.pdf").read_bytes() == Path("two/tiny.a4.pdf").read_bytes()


def test_an_option_after_the_command_wins_over_the_same_option_before_it(tiny):
    run("--out", "before", "anki", "--out", "after")
    assert Path("after/tiny.apkg").is_file() and not Path("before").exists()


def test_sheets_as_arguments(tiny):
    other = _second_sheet(Path("source"))
    result = run("build", "source/tiny.yaml")
    assert "tiny" in result.output and "chem-101" not in result.output
    assert Path("dist/tiny.apkg").is_file() and not Path("dist/chem-101.apkg").exists()
    checked = run("check", "source/tiny.yaml", str(other)).output
    assert "ok  source/tiny.yaml  tiny:" in checked and "ok  source/chemistry.yaml  chem-101:" in checked


def test_paths_the_user_typed_are_shown_as_typed(tiny):
    assert f"ok  {tiny}  tiny:" in run("check", str(tiny)).output
    assert "ok  source/../source/tiny.yaml  tiny:" in run("check", "source/../source/tiny.yaml").output


def test_sheet_option_matches_the_sheets_id_not_its_file_name(tiny):
    _second_sheet(Path("source"))
    result = run("anki", "--sheet", "chem-101")
    assert Path("dist/chem-101.apkg").is_file() and not Path("dist/tiny.apkg").exists()
    assert "chem-101" in result.output
    unknown = run("check", "--sheet", "chemistry", code=2)
    assert "no sheet has the id 'chemistry'; the sheets are: chem-101, tiny" in unknown.output


def test_choices_ignore_case(tiny):
    assert "a4" in run("pdf", "--paper", "A4").output
    assert "letter" in run("pdf", "--paper", "Letter", "--force").output


def test_sheets_are_found_from_inside_the_source_folder_and_below(tiny):
    os.chdir("source")
    result = run("build")
    assert "tiny  tiny.yaml  built" in result.output
    assert Path("../dist/tiny.apkg").is_file() and not Path("dist").exists()
    Path("notes/deeper").mkdir(parents=True)
    os.chdir("notes/deeper")
    assert "ok  ../../tiny.yaml" in run("check").output


def test_no_source_folder_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", code=2)
    assert "no source/ folder of *.yaml sheets here or in any folder above" in result.output
    assert "Traceback" not in result.output


def test_help_command(tiny):
    assert run("help").output == run("--help").output
    assert run("help", "pdf").output == run("pdf", "--help").output
    assert "no such command 'frob'" in run("help", "frob", code=2).output


def test_build_py_without_the_dependencies_says_how_to_set_them_up(tmp_path):
    # -S leaves out site-packages: click, genanki and the rest are missing, as in a Python without `make`.
    result = subprocess.run([sys.executable, "-S", str(REPO / "build.py")], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 2
    assert "lacks genanki, reportlab, " in result.stderr and "run `make`" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_writes_nothing(tiny):
    before = snapshot(Path("."))
    run("check")
    assert snapshot(Path(".")) == before


def test_a_sheet_where_the_command_belongs_is_built(tiny):
    result = run("source/tiny.yaml", "--out", "elsewhere")
    assert "tiny  source/tiny.yaml  built" in result.output and Path("elsewhere/tiny.apkg").is_file()
    # A sheet that is not there is reported as such, not as an unknown command.
    assert "Path 'nope.yaml' does not exist" in run("nope.yaml", code=2).output
    assert "Path 'notes/nope' does not exist" in run("notes/nope", code=2).output
    # A sheet's name where the command belongs says how to build it; another unknown word stays unknown.
    assert ("No such command 'tiny'; to build the sheet tiny, name its file: cheatdeck source/tiny.yaml"
            in run("tiny", code=2).output)
    assert "No such command 'tinny'." in run("tinny", code=2).output


def test_two_sheets_with_one_id_are_refused_before_either_overwrites_the_other(tiny):
    _second_sheet(Path("source"), sheet_id="tiny", stem="copy")
    result = run("build", code=1)
    assert "source/tiny.yaml: this sheet has the id 'tiny', like source/copy.yaml; give one of them another id" \
        in result.output
    assert not Path("dist").exists()

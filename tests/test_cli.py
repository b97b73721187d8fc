"""The command line, through click's CliRunner: every command, its exit codes and its promises."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from cli_helpers import run, snapshot, watching
from click.testing import CliRunner
from conftest import REPO, TINY

import cheatdeck.pipeline as pipeline_module
from cheatdeck.cli import cli
from cheatdeck.options import TEMPLATES
from cheatdeck.write import temp_path


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name
        assert f"build.py {name}" in readme or f"cheatdeck {name}" in readme, name
        run(name, "--help")
    for option in cli.params:
        if option.name not in ("version", "help"):
            assert "Example:" in (option.help or ""), option.name


def test_default_command_builds_both_outputs(tiny):
    result = run()
    assert Path("dist/tiny.apkg").is_file() and Path("dist/tiny.pdf").is_file()
    assert "tiny" in result.output and "notes" in result.output and "body" in result.output
    assert Path("source/tiny.lock.json").is_file()


def test_version_and_usage_errors(tiny):
    assert "cheatdeck, version" in run("--version").output
    assert run("--paper", "a3", code=2).exit_code == 2
    assert run("--source", "nowhere.yaml", "check", code=2).exit_code == 2
    assert run("frobnicate", code=2).exit_code == 2
    assert "no sheet has the id 'nope'; the sheets are: tiny" in run("--sheet", "nope", "check", code=2).output


def test_check_ok_and_errors(tiny):
    assert "ok  source/tiny.yaml  tiny: 2 domains" in run("check").output
    Path("source/tiny.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    result = run("check", code=1)
    assert "source/tiny.yaml:1:5: YAML syntax error: the [ opened here is not closed" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("breakage", ["overflow", "glyph and front"])
def test_check_refuses_what_build_refuses_and_writes_nothing(tiny, breakage):
    assert "the PDF fits 1 letter page at 12 pt" in run("check").output  # a short sheet grows to fill its page
    text = tiny.read_text(encoding="utf-8")
    if breakage == "overflow":
        broken = text.replace("        bullets:\n", "        bullets:\n" + "".join(
            f"          - Item {i}: words number {i} to fill the page with many lines of text\n" for i in range(700)))
        messages = ["source/tiny.yaml: the sheet does not fit on 2 page(s)"]
    else:
        broken = text.replace("Keeps both histories", "Keeps both 𓀀 histories").replace(
            "            q: Which command sends local commits to a remote?\n",
            "            q: Which command sends local commits to a remote?\n          - id: push-again\n"
            "            text: Push again\n            q: Which command sends local commits to a remote?\n")
        messages = ["source/tiny.yaml:37:23: no font has a glyph for '𓀀'",
                    "source/tiny.yaml:20:13: two cards would show the same front as the card at line 17"]
    tiny.write_text(broken, encoding="utf-8")
    before = snapshot(Path("."))
    result = run("check", code=1)
    assert all(message in result.output for message in messages), result.output
    assert snapshot(Path(".")) == before and not Path("dist").exists()
    assert all(message in run("build", code=1).output for message in messages)


def test_noop_rebuild_touches_nothing(tiny):
    run()
    before = snapshot(Path("dist"))
    lock_before = Path("source/tiny.lock.json").stat().st_mtime_ns
    result = run()
    assert "up to date" in result.output
    assert snapshot(Path("dist")) == before
    assert Path("source/tiny.lock.json").stat().st_mtime_ns == lock_before
    forced = run("--force")
    assert "(unchanged)" in forced.output
    # Forced, a lone PDF with the same bytes was still rebuilt: it says so, not "up to date".
    forced_pdf = run("--force", "pdf").output
    assert "built in" in forced_pdf and "(unchanged)" in forced_pdf and "up to date" not in forced_pdf
    assert {k: v[0] for k, v in snapshot(Path("dist")).items() if k != ".cheatdeck-state.json"} == \
           {k: v[0] for k, v in before.items() if k != ".cheatdeck-state.json"}


def test_editing_the_source_rebuilds(tiny):
    run()
    text = Path("source/tiny.yaml").read_text(encoding="utf-8")
    Path("source/tiny.yaml").write_text(text.replace("record the staged snapshot", "record a snapshot"), encoding="utf-8")
    assert "0 new, 1 changed, 0 moved, 0 removed" in run().output


def test_failed_build_keeps_previous_outputs(tiny):
    run()
    before = snapshot(Path("dist"))
    lock = Path("source/tiny.lock.json").read_bytes()
    text = Path("source/tiny.yaml").read_text(encoding="utf-8")
    Path("source/tiny.yaml").write_text(text.replace("title: Tiny Example Sheet", "title: [Tiny"), encoding="utf-8")
    result = run(code=1)
    assert "Traceback" not in result.output
    assert snapshot(Path("dist")) == before
    assert Path("source/tiny.lock.json").read_bytes() == lock
    assert not list(Path("dist").glob(".*.tmp")) and not list(Path("source").glob(".*.tmp"))


@pytest.mark.parametrize("breakage", ["overflow", "glyph"])
def test_a_failed_pdf_does_not_stop_the_apkg(tiny, breakage):
    run("--png")
    before = snapshot(Path("dist"))
    lock = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    text = Path("source/tiny.yaml").read_text(encoding="utf-8")
    broken, message = {
        "overflow": (text.replace("        bullets:\n", "        bullets:\n" + "".join(
            f"          - Item {i}: words number {i} to fill the page with many lines of text\n" for i in range(700))),
            "source/tiny.yaml: the sheet does not fit on 2 page(s)"),
        "glyph": (text.replace("Keeps both histories", "Keeps both 𓀀 histories"),
                  "source/tiny.yaml:34:23: no font has a glyph for '𓀀' (U+13000 EGYPTIAN HIEROGLYPH A001)"),
    }[breakage]
    Path("source/tiny.yaml").write_text(broken, encoding="utf-8")
    result = run(code=1)
    assert message in result.output and "Traceback" not in result.output
    assert "dist/tiny.apkg" in result.output and ("700 new" if breakage == "overflow" else "1 changed") in result.output
    after = snapshot(Path("dist"))
    for name in ("tiny.pdf", "tiny-page1.png"):
        assert after[name] == before[name], name
    assert after["tiny.apkg"][0] != before["tiny.apkg"][0]
    stamped = json.loads(Path("source/tiny.lock.json").read_text(encoding="utf-8"))
    assert stamped["notes"] != lock["notes"] and "layout" not in stamped
    # The package and its stamps are recorded as built; the PDF is tried again, and fails again.
    assert "up to date" in run("anki").output
    assert message in run("pdf", code=1).output


def test_out_elsewhere_and_single_output_commands(tiny, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "nested"
    run("--out", str(elsewhere), "pdf")
    assert [p.name for p in elsewhere.iterdir() if not p.name.startswith(".")] == ["tiny.pdf"]
    run("--out", str(elsewhere), "anki")
    assert (elsewhere / "tiny.apkg").is_file()
    assert not Path("dist").exists()


def test_sheet_filter_quiet_and_stats(tiny):
    other = Path("source/other.yaml")
    other.write_text(TINY.read_text(encoding="utf-8").replace("id: tiny", "id: other"), encoding="utf-8")
    assert run("-q", "--sheet", "other").output == ""
    assert sorted(p.name for p in Path("dist").glob("*.apkg")) == ["other.apkg"]
    stats = run("--sheet", "tiny", "stats").output
    # 3 bullets, 2 rows, 1 trap, 1 quick-reference row; the sheet asks for no reverse cards.
    assert "tiny  7 notes, 7 cards" in stats and "Tiny Example Sheet::Traps: 1 notes, 1 cards" in stats
    assert "tiny::kind::fact: 3 notes, 3 cards" in stats and "pdf: body" in stats


def test_clean_removes_what_builds_wrote_and_nothing_else(tiny):
    Path("dist").mkdir()
    # The user's own files, some named as a build's temp files might be.
    foreign = {"other.pdf": b"%PDF-1.4 mine", "notes.apkg": b"PK mine", "x-page1.png": b"\x89PNG mine",
               ".notes.apkg.tmp": b"mine too", ".tiny.pdf.abc123.tmp": b"mine as well",
               ".tiny.pdf.cheatdeck-0123456789abcdef0123456789abcdef.tmp": b"a look-alike"}
    for name, data in foreign.items():
        Path("dist", name).write_bytes(data)
    run("--png", "--pages", "4")
    run("pdf", "--paper", "a4")
    # A preview from an earlier build that a later build no longer writes is still cheatdeck's.
    run("pdf")
    ours = {"tiny.apkg", "tiny.pdf", "tiny-page1.png", "tiny.a4.pdf", ".cheatdeck-state.json",
            ".cheatdeck-layout.json", ".cheatdeck-pages.json", ".cheatdeck-flow.json"}
    assert set(snapshot(Path("dist"))) == ours | set(foreign)
    before = snapshot(Path("dist"))
    temp_path(Path("dist/tiny.pdf")).write_bytes(b"left by a killed build")

    result = run("clean")
    assert "removed 9 file(s) from dist" in result.output
    assert snapshot(Path("dist")) == {name: before[name] for name in foreign}

    run()
    Path("dist/tiny.pdf").write_bytes(b"%PDF-1.4 the user's own file now")
    result = run("clean")
    assert "kept dist/tiny.pdf: it changed since cheatdeck wrote it" in result.output
    assert set(snapshot(Path("dist"))) == {"tiny.pdf"} | set(foreign)
    for name in foreign:
        Path("dist", name).unlink()
    run("clean")
    assert Path("dist/tiny.pdf").read_bytes() == b"%PDF-1.4 the user's own file now"
    Path("dist/tiny.pdf").unlink()
    run("clean")
    assert Path("dist").is_dir(), "the user made dist/: clean leaves it, empty"


def test_clean_never_follows_a_hand_edited_name_out_of_the_folder(tiny):
    run("anki")
    outside = Path("source/tiny.yaml")
    state_file = Path("dist/.cheatdeck-state.json")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["written"]["../source/tiny.yaml"] = [outside.stat().st_size, outside.stat().st_mtime_ns]
    state_file.write_text(json.dumps(state), encoding="utf-8")
    run("clean")
    assert outside.is_file() and not Path("dist").exists()


def test_pdf_variants_have_their_own_files(tiny):
    variants = {(): "tiny.pdf", ("--paper", "a4"): "tiny.a4.pdf", ("--grayscale",): "tiny.gray.pdf",
                ("--paper", "a4", "--grayscale"): "tiny.a4.gray.pdf"}
    for args, name in variants.items():
        assert f"dist/{name}" in run("pdf", *args).output
    files = snapshot(Path("dist"))
    assert len({files[name][0] for name in variants.values()}) == 4
    for args in variants:
        assert "up to date" in run("pdf", *args).output
    assert snapshot(Path("dist")) == files


def test_internal_error_is_one_line_unless_debug(tiny, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline_module, "build", explode)

    result = run(code=3)
    assert "internal error: RuntimeError('boom'); run again with --debug" in result.output
    debug = CliRunner().invoke(cli, ["--debug"])
    assert isinstance(debug.exception, RuntimeError)


def test_watch_rebuilds_after_a_save_and_survives_errors(tiny):
    with watching(Path("source")) as (outcomes, wait_for):
        source = Path("source/tiny.yaml")
        good = source.read_text(encoding="utf-8")
        source.write_text(good.replace("title: Tiny Example Sheet", "title: [broken"), encoding="utf-8")
        wait_for(2)
        assert outcomes[1].__class__.__name__ == "CheatdeckError"
        source.write_text(good.replace("stage changes", "stage the changes"), encoding="utf-8")
        wait_for(3)
        assert outcomes[2].changes.changed == ("commands/add",)


def test_watch_goes_on_when_its_sheet_is_deleted_and_builds_it_again_when_it_is_back(tiny):
    with watching(tiny) as (outcomes, wait_for):
        text = tiny.read_text(encoding="utf-8")
        tiny.unlink()
        wait_for(2)
        assert "no such file or folder" in str(outcomes[1])
        tiny.write_text(text.replace("stage changes", "stage the changes"), encoding="utf-8")
        wait_for(3)
        assert outcomes[2].changes.changed == ("commands/add",)


def _watch_as_from_a_terminal():
    """`build.py watch` with Ctrl-C at its default, as a terminal starts it. A suite started with `&` from a
    non-interactive shell has SIGINT ignored, a child inherits that, and Python then never turns it into
    KeyboardInterrupt: the watch would not stop, whatever it does. A handler, unlike an ignore, goes back to the
    default in the child when it starts the new program."""
    import signal
    import subprocess
    import sys

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, str(REPO / "build.py"), "watch"], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    finally:
        signal.signal(signal.SIGINT, before)


def test_watch_command_stops_cleanly_on_ctrl_c(tiny):
    import signal

    process = _watch_as_from_a_terminal()
    try:
        deadline = time.monotonic() + 30
        # The PDF is written last (the deck lands first): then the first build is done and the watch listens.
        while not Path("dist/tiny.pdf").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert Path("dist/tiny.pdf").exists()
        time.sleep(1.5)  # the build records the PDF, prints its summary, then the watcher starts: on a busy machine too
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert output.startswith("watching") and output.rstrip().endswith("stopped")
    assert "Traceback" not in output
    assert "KeyboardInterrupt" not in output  # watchfiles' own log line, in a programmer's words


def test_layout_hint_is_shared_by_colour_and_preview_variants(workdir, layout_cache):
    """The user's cache keeps the size the fit search chose for a layout key: another colour, previews or
    another output folder lay out once; another page budget searches."""
    import json

    shutil.copy(REPO / "source" / "mla-c01.yaml", "source/mla-c01.yaml")
    run("pdf")
    run("--grayscale", "--png", "pdf")
    run("--out", "again", "pdf")
    run("--out", "again", "--pages", "3", "pdf")

    def passes(out: str) -> dict[str, int]:
        state = json.loads(Path(out, ".cheatdeck-state.json").read_text(encoding="utf-8"))
        return {name.split("::")[1]: entry["details"]["passes"] for name, entry in state["outputs"].items()}

    # The first build searches (how many passes depends on the sheet); the grey variant reuses its size.
    first = passes("dist")
    assert set(first) == {"pdf", "pdf[grayscale=True]"} and first["pdf"] > 1 and first["pdf[grayscale=True]"] == 1
    again = passes("again")
    assert again["pdf"] == 1 and again["pdf[pages=3]"] > 1
    assert len(json.loads((layout_cache / "cheatdeck" / "layouts.json").read_text(encoding="utf-8"))) == 2


def test_a_damaged_lock_is_an_error_not_a_reset(tiny):
    run("anki")
    lock = Path("source/tiny.lock.json")
    good = lock.read_text(encoding="utf-8")
    lines = good.splitlines()
    lock.write_text("\n".join(lines[:3] + ["<<<<<<< HEAD", lines[3], "=======", lines[3], ">>>>>>> other"]
                              + lines[4:]) + "\n", encoding="utf-8")
    before = Path("dist/tiny.apkg").read_bytes()
    result = run("anki", code=1)
    assert "source/tiny.lock.json:4:" in result.output and "not valid JSON (a merge conflict?" in result.output
    assert Path("dist/tiny.apkg").read_bytes() == before
    lock.unlink()
    assert "first build" in run("anki").output


def test_check_warns_about_weak_cards_and_strict_makes_them_errors(tiny):
    result = run("check")
    assert "tiny: 2 domains" in result.output and "3 card warnings" in result.output
    assert ("warning: source/tiny.yaml:15:13: bare-label: the front \u201cAdd\u201d is a bare label: add `q:` with a specific "
            "question that has one answer") in result.stderr
    assert result.stderr.count("warning: ") == 3
    strict = run("check", "--strict", code=1)
    assert "source/tiny.yaml:39:7: bare-label: the front \u201cStaging\u201d is a bare label" in strict.stderr
    assert "3 errors" in strict.stderr and "ok  " not in strict.output
    assert "3 card warnings (`check` lists them)" in run("anki").output


def test_the_shipped_sheet_passes_check_strict(shipped):
    assert "mla-c01: 4 domains" in run("check", "--strict").output
    assert "0 card warnings" in run("anki").output


def test_building_the_shipped_sheet_leaves_its_committed_lock_as_it_is(shipped):
    """What a fresh clone's `make` does (Letter, then the A4 variant): the committed lock is current, the tree stays clean."""
    committed = Path("source/mla-c01.lock.json").read_bytes()
    run("-q")
    run("-q", "pdf", "--paper", "a4")
    assert Path("source/mla-c01.lock.json").read_bytes() == committed, \
        "source/mla-c01.lock.json is stale: rebuild the shipped sheet (letter and --paper a4) and commit the lock"


def test_code_outside_the_layout_leaves_the_layout_hint_alone(shipped, monkeypatch):
    """The layout hint's key (in the output folder's state) changes with the code that breaks lines, not with the
    CLI or deck code."""
    from cheatdeck.state import freshness

    def key(package: Path) -> str:
        monkeypatch.setattr(freshness, "PACKAGE", package)
        return freshness.Fingerprints(shipped, None, TEMPLATES).layout_key({"paper": "a4"})

    package = Path("copy/cheatdeck")
    shutil.copytree(REPO / "cheatdeck", package)
    original = key(package)
    (package / "cli" / "app.py").write_text("# changed\n", encoding="utf-8")
    (package / "deck" / "plan.py").write_text("# changed\n", encoding="utf-8")
    assert key(package) == original
    (package / "pdf" / "story.py").write_text("# changed\n", encoding="utf-8")
    assert key(package) != original


def test_the_layout_key_follows_each_font_by_its_table_checksums(shipped, tmp_path):
    """A font is known by its table directory (a checksum of every table), so the key needs no megabytes of
    glyphs read; an edited table, a replaced font or a changed licence file all change it."""
    from cheatdeck.state import freshness

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)

    def key() -> str:
        return freshness.Fingerprints(shipped, None, templates).layout_key({})

    keys = [key()]
    font = templates / "fonts" / "DejaVuSansCondensed.ttf"
    data = bytearray(font.read_bytes())
    data[12 + 4] ^= 1  # the first table record's checksum
    font.write_bytes(bytes(data))
    keys.append(key())
    shutil.copy(templates / "fonts" / "DejaVuSansCondensed-Bold.ttf", font)
    keys.append(key())
    (templates / "fonts" / "LICENSE").write_text("changed", encoding="utf-8")
    keys.append(key())
    assert len(set(keys)) == 4


def test_the_readme_module_map_names_every_module():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout of the project"):]
    for module in sorted((REPO / "cheatdeck").rglob("*.py")):
        if module.name != "__init__.py":
            assert f"`{module.name}`" in layout or f"`{module.relative_to(REPO / 'cheatdeck')}`" in layout, module


def test_a_changed_font_file_makes_the_pdf_stale(tiny, tmp_path):
    """A font is read by its name, size and date on an up-to-date build (not its bytes); a change still counts."""
    theme = Path(shutil.copytree(REPO / "templates", tmp_path / "theme"))

    def fingerprint() -> str:
        (entry,) = json.loads(Path("dist/.cheatdeck-state.json").read_text(encoding="utf-8"))["outputs"].values()
        return entry["fingerprint"]

    run("pdf", "--templates", theme)
    before = fingerprint()
    run("pdf", "--templates", theme)
    assert fingerprint() == before
    font = theme / "fonts" / "DejaVuSansCondensed.ttf"
    font.write_bytes(font.read_bytes() + b"\0")
    run("pdf", "--templates", theme)
    assert fingerprint() != before


def test_ctrl_c_during_the_first_build_stops_the_watch_cleanly(tiny):
    """Ctrl-C while the watch is still building: it stops as it does between builds, and leaves no half file."""
    import signal

    process = _watch_as_from_a_terminal()
    try:
        assert process.stdout.readline().startswith("watching")  # printed before the first build starts
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert output.rstrip().endswith("stopped") and "Traceback" not in output and "Aborted" not in output
    assert not list(Path(".").rglob("*.cheatdeck-*.tmp"))

"""The one-shot command line renders the deck in a forked child: same files, same errors as in one process.

These run `build.py` as a real process, since the CliRunner's in-process runs (like `watch` and library
callers) never fork.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run
from conftest import REPO

from cheatdeck import forked
from cheatdeck.errors import CheatdeckError, Location, Problem


def _cheatdeck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_forked_build_writes_the_same_bytes_as_one_in_process(tiny, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    run("build", "--out", "in-process")
    lock = Path("source/tiny.lock.json").read_bytes()
    done = _cheatdeck("build", "--out", "forked")
    assert done.returncode == 0, done.stderr
    for name in ("tiny.apkg", "tiny.pdf"):
        assert _digest(Path("forked") / name) == _digest(Path("in-process") / name), name
    assert Path("source/tiny.lock.json").read_bytes() == lock


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_without_a_lock_the_fit_search_lays_out_two_sizes_at_once_and_finds_the_same_one(shipped, paper,
                                                                                         monkeypatch):
    """No lock, no hint: the forked search lays out its likely size and the one above it side by side; the PDF
    is the one the in-process search (one size at a time) draws, byte for byte."""
    import json

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    lock = shipped.with_name("mla-c01.lock.json")
    lock.unlink()
    run("--paper", paper, "--out", "in-process", "pdf")
    lock.unlink()
    done = _cheatdeck("--paper", paper, "--out", "forked", "pdf")
    assert done.returncode == 0, done.stderr
    name = "mla-c01.pdf" if paper == "letter" else "mla-c01.a4.pdf"
    assert _digest(Path("forked") / name) == _digest(Path("in-process") / name)
    passes = {}
    for out in ("in-process", "forked"):
        state = json.loads(Path(out, ".cheatdeck-state.json").read_text(encoding="utf-8"))
        (entry,) = state["outputs"].values()
        passes[out] = entry["details"]["passes"]
    # Bisecting the theme's 13 sizes would take four passes in a row.
    assert passes["in-process"] <= 3 and passes["forked"] <= 4


def test_a_deck_built_alone_is_packaged_in_a_child_of_its_own(tiny, monkeypatch):
    """`anki` alone packages the deck in a child forked before the load (the parent lints and keeps the lock):
    the same deck, lock and card-warning count as in one process."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    in_process = run("--out", "in-process", "anki").output
    lock = Path("source/tiny.lock.json")
    written = lock.read_bytes()
    lock.unlink()
    done = _cheatdeck("--out", "forked", "anki")
    assert done.returncode == 0, done.stderr
    assert "3 card warnings (`check` lists them)" in in_process and "3 card warnings (`check` lists them)" in done.stdout
    assert _digest(Path("forked/tiny.apkg")) == _digest(Path("in-process/tiny.apkg"))
    assert lock.read_bytes() == written


@pytest.mark.skipif(not forked.available(True), reason="this machine does not fork (no os.fork, or one core)")
def test_after_an_edit_the_child_packages_against_the_lock_as_one_process_would(shipped, monkeypatch):
    """The child stamps without making the lock's entries: a moved, a reworded and a removed note get the GUIDs
    and mods that one process gives them, and the parent's lock is the one that process writes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    run("--out", "first", "anki")
    lock = shipped.with_name("mla-c01.lock.json")
    first = lock.read_bytes()
    wrangler = ('          - text: "Wrangler: GUI, 300+ transforms, Studio, medium data"\n'
                "            q: Which SageMaker Studio tool prepares medium-sized data through a GUI with 300+ built-in "
                "transforms?\n")
    time_travel = '          - text: "Time-travel: event_time filter prevents data leakage"\n'
    connectors = ('          - text: "Connectors: S3, Athena, Redshift, Snowflake, Salesforce"\n'
                  "            q: Which five data sources can Data Wrangler connect to?\n")
    edited = shipped.read_text(encoding="utf-8")
    for old, new in ((wrangler, ""), (time_travel, wrangler + time_travel), (connectors, ""),
                     ("Same pipeline feeds both = no", "One pipeline feeds both stores = no")):
        assert edited.count(old) == 1, old
        edited = edited.replace(old, new)
    shipped.write_text(edited, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764086400")
    said = run("--out", "in-process", "anki", "-v").output
    assert "1 changed, 1 moved, 1 removed" in said, said
    second = lock.read_bytes()
    lock.write_bytes(first)
    done = _cheatdeck("--out", "forked", "anki")
    assert done.returncode == 0, done.stderr
    assert _digest(Path("forked/mla-c01.apkg")) == _digest(Path("in-process/mla-c01.apkg"))
    assert lock.read_bytes() == second


def test_a_card_problem_found_in_the_forked_child_is_reported_with_its_line(shipped):
    text = shipped.read_text(encoding="utf-8")
    duplicated = text.replace("q: Which five data sources can Data Wrangler connect to?",
                              "q: Which SageMaker Studio tool prepares medium-sized data through a GUI with 300+ "
                              "built-in transforms?", 1)
    assert duplicated != text
    shipped.write_text(duplicated, encoding="utf-8")
    in_process = run("build", "--out", "in-process", code=1)
    done = _cheatdeck("build", "--out", "forked")
    assert done.returncode == 1
    message = "mla-c01.yaml:27:13: two cards would show the same front as the card at line 25"
    assert message in done.stderr
    assert done.stderr.splitlines()[-1] == in_process.output.splitlines()[-1]
    # The PDF is independent of the deck: it is written, and the deck is not.
    assert Path("forked/mla-c01.pdf").is_file() and not Path("forked/mla-c01.apkg").exists()


@pytest.mark.parametrize("missing", ["fork", "cores"])
def test_where_fork_is_missing_the_work_runs_in_this_process_when_asked_for(monkeypatch, missing):
    if missing == "fork":
        monkeypatch.delattr(os, "fork")
    else:  # one core: a child would only take turns with its parent
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    ran = []
    result = forked.start(lambda: ran.append(os.getpid()) or 42, fork=True)
    assert ran == []
    assert result() == 42 and ran == [os.getpid()]

    def fails():
        raise CheatdeckError(Problem(Location("sheet.yaml", 3, 5), "a problem"))

    with pytest.raises(CheatdeckError) as raised:
        forked.start(fails, fork=True)()
    assert [str(p) for p in raised.value.problems] == ["sheet.yaml:3:5: a problem"]


def test_a_cancelled_child_is_stopped_and_reaped():
    """A child whose result is no longer wanted (its build failed in the parent) is killed and waited for: no
    zombie, no pipe left open."""
    import time

    pending = forked.start(lambda: time.sleep(30), fork=True)
    if not isinstance(pending, forked._Forked):
        pytest.skip("this machine does not fork (no os.fork, or one core)")
    started = time.perf_counter()
    pending.cancel()
    assert time.perf_counter() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pending._pid, os.WNOHANG)
    pending.cancel()  # once is enough: a second call does nothing


def test_a_failed_layout_cancels_the_size_being_laid_out_beside_it():
    from cheatdeck.pdf.fit import fit

    cancelled = []

    class Beside(forked.Pending):
        def cancel(self):
            cancelled.append(True)

    def build_at(size):
        raise CheatdeckError(Problem(Location("sheet.yaml", 1, 1), "a problem"))

    with pytest.raises(CheatdeckError):
        fit(build_at, [10.0, 9.0, 8.0], guess=9.0, beside=lambda size: Beside(lambda: (True, 0.5)))
    assert cancelled == [True]


def test_with_one_core_nothing_is_done_twice(tiny, monkeypatch):
    """With one core to run on, `anki` alone makes its package in this process and the fit search lays out one
    size at a time: a child would only take turns with its parent, and here it would repeat its work."""
    from cheatdeck import pipeline
    from cheatdeck.options import Options
    from cheatdeck.pdf import fit as fit_module

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(pipeline, "_package_of", lambda *args: pytest.fail("packaged twice"))
    seen = []
    search = fit_module.fit
    monkeypatch.setattr("cheatdeck.pdf.render.fit", lambda *args: seen.append(args[5]) or search(*args))
    Path("source/tiny.lock.json").unlink(missing_ok=True)
    result = pipeline.build(Path("source/tiny.yaml"), Options(out=Path("one-core")), ("anki",), fork=True)
    assert Path("one-core/tiny.apkg").is_file() and not result.failed
    pipeline.build(Path("source/tiny.yaml"), Options(out=Path("one-core")), ("pdf",), fork=True)
    assert seen and all(beside is None for beside in seen)  # a short sheet searches again above the ceiling


@pytest.mark.parametrize("broken", [False, True])
@pytest.mark.parametrize("collecting", [True, False])
def test_a_deck_built_alone_leaves_the_collector_as_it_found_it(tiny, monkeypatch, broken, collecting):
    """`anki` alone pauses the garbage collector while the parent plans, lints and keeps the lock; it runs again
    once the build ends, whether the build succeeded or failed (`build_all` goes on to the next sheet), unless
    the caller had paused it."""
    import gc

    from cheatdeck import pipeline
    from cheatdeck.anki import lint as lint_module
    from cheatdeck.options import Options

    paused = []
    monkeypatch.setattr(forked, "available", lambda fork: fork)
    monkeypatch.setattr(forked, "start", lambda work, fork: forked.Pending(work))
    checked = lint_module.lint
    monkeypatch.setattr(lint_module, "lint", lambda plan: paused.append(not gc.isenabled()) or checked(plan))
    if broken:
        tiny.write_text(tiny.read_text(encoding="utf-8") + "\n  - [unclosed\n", encoding="utf-8")
    frozen = gc.get_freeze_count()
    if not collecting:
        gc.disable()
    try:
        if broken:
            with pytest.raises(CheatdeckError):
                pipeline.build(tiny, Options(out=Path("dist")), ("anki",), fork=True)
        else:
            pipeline.build(tiny, Options(out=Path("dist")), ("anki",), fork=True)
            assert paused == [True] and Path("dist/tiny.apkg").is_file()
        assert gc.isenabled() == collecting
    finally:
        gc.enable()
        if not frozen:
            gc.unfreeze()

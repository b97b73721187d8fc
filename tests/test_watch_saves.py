"""`watch` builds a save once the file has stopped changing, and holds a save that would remove many notes at
once (a truncated or half-written file looks just like that) until it is saved again."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from cli_helpers import build_anki, watching

from cheatdeck.errors import CheatdeckError
from cheatdeck.pipeline import BuildResult
from cheatdeck.cli.watch import HOLD_OVER, Held, Look


def _truncated(text: str, section: str) -> str:
    """The sheet as a save cut short just before `section` leaves it: it parses, and lacks the rest."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[:next(i for i, line in enumerate(lines) if line.startswith(f"      - id: {section}\n"))])


def test_a_look_says_whether_the_files_stood_still_since_the_build_began(tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text("a")
    started = time.monotonic()
    look = Look([path, tmp_path / "gone.yaml"], settle=0.15)
    assert look.still() and time.monotonic() - started >= 0.15, "it waits out the settle the build did not take"
    look = Look([path], settle=0.15)
    time.sleep(0.2)  # a build longer than the settle: no wait
    asked = time.monotonic()
    assert look.still() and time.monotonic() - asked < 0.05
    look = Look([path], settle=0.15)
    with path.open("a") as file:
        file.write("more")
    assert not look.still(), "a file that grew since the build began"
    look = Look([path, tmp_path / "gone.yaml"], settle=0.15)
    (tmp_path / "gone.yaml").write_text("here now")
    assert not look.still(), "a file that appeared since"


def test_a_save_written_in_two_steps_is_built_once_complete(tiny):
    text = tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes")
    with watching(tiny) as (outcomes, wait_for):
        with tiny.open("w", encoding="utf-8") as file:
            file.write(text[:len(text) // 2])
            file.flush()
            time.sleep(0.12)  # longer than watchfiles waits for quiet, shorter than the watch's look
            file.write(text[len(text) // 2:])
        wait_for(2)
        time.sleep(1.0)
    assert not [o for o in outcomes if not isinstance(o, BuildResult)], outcomes
    built = [o for o in outcomes[1:] if not o.up_to_date]
    assert len(built) == 1 and built[0].changes.changed == ("commands/add",)


def test_a_truncated_save_is_held_and_the_complete_save_restamps_nothing(shipped):
    lock = shipped.with_name("mla-c01.lock.json")
    full = shipped.read_text(encoding="utf-8")
    with watching(shipped) as (outcomes, wait_for):
        before = lock.read_bytes()
        shipped.write_text(_truncated(full, "clarify-bias"), encoding="utf-8")
        wait_for(2)
        held = outcomes[1]
        assert isinstance(held, Held) and held.sheet_id == "mla-c01", outcomes
        assert len(held.removed) > HOLD_OVER and "vpc-mode/traps/trap" in held.removed
        assert lock.read_bytes() == before, "a held save records nothing"
        # The complete save, with an edit that changes no card.
        shipped.write_text(full.replace('version: "2026.11"', 'version: "2026.12"'), encoding="utf-8")
        wait_for(3)
    result = outcomes[2]
    assert isinstance(result, BuildResult) and not result.up_to_date, outcomes
    assert (result.changes.new, result.changes.changed, result.changes.removed) == ((), (), ())
    after, earlier = json.loads(lock.read_text(encoding="utf-8")), json.loads(before)
    assert after["notes"] == earlier["notes"], "no note got a new modification time"
    assert after.get("removed", {}) == earlier.get("removed", {}), "nothing was recorded as removed"


def test_a_held_save_saved_again_unchanged_is_built(shipped):
    truncated = _truncated(shipped.read_text(encoding="utf-8"), "clarify-bias")
    lock = shipped.with_name("mla-c01.lock.json")
    tombstones = set(json.loads(lock.read_text(encoding="utf-8"))["removed"])
    with watching(shipped) as (outcomes, wait_for):
        shipped.write_text(truncated, encoding="utf-8")
        wait_for(2)
        assert isinstance(outcomes[1], Held), outcomes
        time.sleep(0.05)
        shipped.write_text(truncated, encoding="utf-8")
        wait_for(3)
    result = outcomes[2]
    assert isinstance(result, BuildResult) and not isinstance(result, CheatdeckError), outcomes
    assert result.changes.removed == outcomes[1].removed
    assert set(json.loads(lock.read_text(encoding="utf-8"))["removed"]) == tombstones | set(outcomes[1].removed)


def test_the_command_line_says_what_was_held_and_how_to_confirm(capsys):
    from cheatdeck.cli.report import Printer

    removed = tuple(f"section/note-{i}" for i in range(20))
    Printer(0, keep_going=True)(Held(Path("source/chem.yaml"), "chem", removed, 40))
    err = capsys.readouterr().err
    assert err.startswith("WARNING: chem: this save of source/chem.yaml would remove 20 of 40 notes (section/note-0,")
    assert "section/note-11, …). Nothing was built or recorded." in err
    assert "save it again once it is complete" in err and "save it again unchanged, or run `cheatdeck build`" in err


@pytest.mark.parametrize("up_to_date", [False, True])
def test_a_save_made_while_the_first_build_runs_is_built_once_the_watch_listens(tiny, monkeypatch, up_to_date):
    """The watcher starts once the first build has returned: a save made before is found by its size and time,
    also for a sheet the first build found up to date (which `prime` then loads, with the save: a review found
    such a save never built)."""
    from cheatdeck.cli import watch as watching_module

    if up_to_date:
        build_anki(tiny)
    first_build = watching_module.build_all
    edited = tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes")

    def build_all(*args, **kwargs):
        first_build(*args, **kwargs)
        tiny.write_text(edited, encoding="utf-8")  # saved after the build read the sheet, before it listens

    monkeypatch.setattr(watching_module, "build_all", build_all)
    with watching(tiny) as (outcomes, wait_for):
        monkeypatch.setattr(watching_module, "build_all", first_build)
        wait_for(2)
    assert isinstance(outcomes[1], BuildResult) and outcomes[1].changes.changed == ("commands/add",), outcomes


def test_a_sheet_saved_with_another_that_is_still_being_written_is_built(tiny, monkeypatch):
    """"Save all" writes two sheets in one batch; the other is written again while this one builds. This one's
    save stands still and is built (its own files only decide: a review found it dropped for good)."""
    from cheatdeck.cli import watch as watching_module

    other = tiny.with_name("other.yaml")
    other.write_text(tiny.read_text(encoding="utf-8").replace("id: tiny", "id: other", 1), encoding="utf-8")
    real = watching_module.build_all
    with watching(tiny, other) as (outcomes, wait_for):
        first = len(outcomes)

        def build_all(paths, *args, **kwargs):
            if paths and paths[0].name == "tiny.yaml":
                other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            return real(paths, *args, **kwargs)

        monkeypatch.setattr(watching_module, "build_all", build_all)
        tiny.write_text(tiny.read_text(encoding="utf-8").replace("stage changes", "stage the changes"),
                        encoding="utf-8")
        other.write_text(other.read_text(encoding="utf-8").replace("stage changes", "stage all changes"),
                         encoding="utf-8")
        deadline = time.monotonic() + 20
        while not any(getattr(o, "sheet_id", None) == "tiny" for o in outcomes[first:]) and \
                time.monotonic() < deadline:
            time.sleep(0.05)
    built = [o for o in outcomes[first:] if isinstance(o, BuildResult) and o.sheet_id == "tiny"]
    assert built and built[0].changes.changed == ("commands/add",), outcomes[first:]

"""One way to run the command line in tests, and to see what a run touched."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from click.testing import CliRunner, Result

from cheatdeck.cli import cli
from cheatdeck.options import Options
from cheatdeck.cli.watch import watch


def run(*args: str, code: int = 0) -> Result:
    """`cheatdeck ARGS` in the working folder; asserts the exit code (0 unless told)."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def build_anki(*args: str, code: int = 0) -> Result:
    """`cheatdeck anki --out dist ARGS`: the deck alone, as the Anki tests need it."""
    return run("anki", "--out", "dist", *args, code=code)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Each file in a folder (recursively) → (content hash, mtime), to show what a run did and did not touch."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def watching(*sources: Path) -> Iterator[tuple[list, Callable[[int], None]]]:
    """`watch` (decks only) in a thread, once its first build is done; yields its outcomes and a way to wait for
    the next ones, and stops it cleanly afterwards."""
    outcomes: list = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(list(sources), Options(out=Path("dist")), outcomes.append, (),
                                                  stop, ("anki",)), daemon=True)

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 20
        while len(outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(outcomes) >= count, outcomes

    thread.start()
    try:
        wait_for(1)
        time.sleep(0.3)  # the watcher starts listening just after the first build
        yield outcomes, wait_for
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()

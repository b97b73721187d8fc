"""One way to run the command line in tests, and to see what a run touched."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner, Result

from cheatdeck.cli import cli


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

"""Is an output up to date? A fingerprint of everything that shapes it, kept in the output folder.

This module imports nothing heavy: a build with nothing to do must cost
little more than Python's start-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

from .._version import __version__
from .lock import anki_digest

STATE_FILE = ".cheatdeck-state.json"
PACKAGE = Path(__file__).resolve().parent.parent
# The code that decides where lines, columns and pages break: the layout key (state/layouts.py) is a digest of it
# alone, so a change to the command line or the deck code leaves the remembered sizes standing.
LAYOUT_CODE = ("pdf", "source", "inline.py", "model.py", "colors.py")


def _tree_digest(folder: Path, pattern: str = "*", content: Callable[[Path], bytes] = Path.read_bytes) -> str:
    """Every file's name and `content` (its bytes, unless told otherwise), in name order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(content(path))
    return digest.hexdigest()


def table_directory(path: Path) -> bytes | None:
    """A TrueType or OpenType file's table directory, which holds a checksum of every table (None for a file
    of another kind): what the file holds, without reading megabytes of glyphs."""
    with path.open("rb") as file:
        head = file.read(12)
        if len(head) == 12 and head[:4] in (b"\0\1\0\0", b"OTTO", b"true"):
            return head + file.read(16 * struct.unpack(">H", head[4:6])[0])
    return None


def _font_content(path: Path) -> bytes:
    """What a font file holds: its table directory and size; any other file (a licence) whole."""
    directory = table_directory(path)
    return path.read_bytes() if directory is None else directory + str(path.stat().st_size).encode()


def _tree_stats(folder: Path) -> str:
    """Names, sizes and modification times: enough to see that a font file changed, without reading megabytes
    of font on every up-to-date build (what is recorded here never leaves this machine's output folder)."""
    entries = sorted((str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
                     for p in folder.rglob("*") if p.is_file())
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


class Fingerprints:
    """Digests of everything that shapes one sheet's outputs.

    A build asks several times (is each output fresh, the PDF's layout key, what to record after
    writing); the code, template and font trees, the source and the lock are read once.
    """

    def __init__(self, source: Path, lock: bytes | None, templates: Path):
        self.source = source.read_bytes()
        self.lock = lock
        self.templates = templates
        self._trees: dict[tuple[Path, str], str] = {}

    def _tree(self, folder: Path, pattern: str = "*") -> str:
        if (folder, pattern) not in self._trees:
            self._trees[folder, pattern] = _tree_digest(folder, pattern)
        return self._trees[folder, pattern]

    def layout_code(self) -> str:
        """What the layout memo's measures depend on besides their keys (state/measures.py): the code that breaks
        lines and the ReportLab it runs on."""
        from reportlab import Version

        digest = hashlib.sha256(Version.encode())
        for name in LAYOUT_CODE:
            path = PACKAGE / name
            code = self._tree(path, "*.py") if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
            digest.update(code.encode())
        return digest.hexdigest()

    def layout_key(self, options: dict) -> str:
        """What the PDF's fit search saw: its code, the options that move lines, templates, fonts and the source."""
        digest = hashlib.sha256()
        for part in (*(self._tree(PACKAGE / name, "*.py") if (PACKAGE / name).is_dir()
                       else hashlib.sha256((PACKAGE / name).read_bytes()).hexdigest() for name in LAYOUT_CODE),
                     json.dumps(options, sort_keys=True), self._tree(self.templates / "pdf"),
                     _tree_digest(self.templates / "fonts", content=_font_content)):
            digest.update(part.encode() + b"\0")
        digest.update(self.source)
        return digest.hexdigest()

    def of(self, kind: str, options: dict) -> str:
        digest = hashlib.sha256()
        # The code's own digest, not just its version: an editable install changes without a version bump.
        for part in (kind, __version__, self._tree(PACKAGE, "*.py"), json.dumps(options, sort_keys=True),
                     os.environ.get("SOURCE_DATE_EPOCH", ""),
                     self._tree(self.templates / ("anki" if kind == "anki" else "pdf")),
                     _tree_stats(self.templates / "fonts") if kind == "pdf" else ""):
            digest.update(part.encode() + b"\0")
        digest.update(self.source)
        if kind == "anki":
            digest.update(anki_digest(self.lock or b"").encode())
        return digest.hexdigest()


def file_stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


class State:
    """Per output folder: each output's fingerprint and files, every file cheatdeck ever wrote there
    (name → size and mtime as written), and whether cheatdeck made the folder, so that `clean` removes those
    and nothing else."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out / STATE_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        data = data if isinstance(data, dict) else None
        self.outputs: dict[str, dict] = (data or {}).get("outputs", {})
        self.written: dict[str, list[int]] = (data or {}).get("written", {})
        # Read before a build writes anything: a folder that was already there (without a state file) is the
        # user's, even once it is empty again.
        self.created: bool = data.get("created") is True if data is not None else not out.exists()

    def sources(self) -> list[Path]:
        """The sheets whose outputs are recorded here."""
        return sorted({Path(key.rpartition("::")[0]) for key in self.outputs})

    def _key(self, source: Path, output: str) -> str:
        return f"{source.resolve()}::{output}"

    def fresh(self, source: Path, output: str, print_: str) -> dict | None:
        """The recorded entry if the output is up to date, else None."""
        entry = self.outputs.get(self._key(source, output))
        if not entry or entry.get("fingerprint") != print_:
            return None
        if any(file_stat(self.out / name) != st for name, st in entry.get("files", {}).items()):
            return None
        if any(file_stat(Path(path)) != st for path, st in entry.get("inputs", {}).items()):
            return None
        return entry

    def record(self, source: Path, output: str, print_: str, files: list[Path], details: dict,
               inputs: list[Path] = ()) -> None:
        """`files`: what the build wrote; `inputs`: files it read besides the sheet (its images)."""
        stats = {path.name: file_stat(path) for path in files}
        entry = {"fingerprint": print_, "files": stats, "details": details}
        if inputs:
            entry["inputs"] = {str(path.resolve()): file_stat(path) for path in inputs}
        self.outputs[self._key(source, output)] = entry
        self.written.update(stats)

    def save(self) -> None:
        from ..write import write_atomic

        document = {"created": self.created, "outputs": self.outputs, "written": self.written}
        write_atomic(self.path, (json.dumps(document, indent=1, sort_keys=True) + "\n").encode())

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


def _files(folder: Path, suffix: str = "") -> list[tuple[tuple[str, ...], str]]:
    """The files under `folder` whose names end in `suffix`: each one's path parts relative to it and its whole
    path, in the order of their sorted Paths (one os.walk, plain strings: Path.rglob and a Path per file took
    most of an up-to-date build's look at the code)."""
    top = os.fspath(folder)
    found = []
    for root, dirs, names in os.walk(top):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        below = root[len(top):].strip(os.sep)
        base = tuple(below.split(os.sep)) if below else ()
        found += [((*base, name), os.path.join(root, name)) for name in names if name.endswith(suffix)]
    return sorted(found)


def _tree_digest(folder: Path, suffix: str = "", content: Callable[[Path], bytes] | None = None) -> str:
    """Every file's name and `content` (its bytes, unless told otherwise) under `folder`, in name order."""
    digest = hashlib.sha256()
    for parts, whole in _files(folder, suffix):
        digest.update("/".join(parts).encode() + b"\0")
        digest.update(Path(whole).read_bytes() if content is None else content(Path(whole)))
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


def _tree_stats(folder: Path, suffix: str = "") -> str:
    """Names, sizes and modification times: enough to see that a file changed, without reading it on every
    up-to-date build (what is recorded here never leaves this machine's output folder)."""
    entries = []
    for parts, whole in _files(folder, suffix):
        stat = os.stat(whole)
        entries.append(("/".join(parts), stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


class Fingerprints:
    """Digests of everything that shapes one sheet's outputs.

    A build asks several times (is each output fresh, the PDF's layout key, what to record after
    writing); the code, template and font trees, the source and the lock are read once.
    """

    def __init__(self, source: Path, lock: bytes | None, templates: Path):
        # The sheet's bytes, for its load (None once let go of); the fingerprints read their SHA-256 (`_source`).
        self.source: bytes | None = source.read_bytes()
        self._source = hashlib.sha256(self.source).digest()
        self._lock, self._anki = lock, None
        self.templates = templates
        self._trees: dict[tuple[Path, str], str] = {}

    @property
    def lock(self) -> bytes | None:
        """The lock's bytes as read, or as the build wrote them if it kept them (`wrote_lock`); None once let go
        of (`let_go_of_lock`)."""
        return self._lock

    def wrote_lock(self, anki: str, data: bytes | None) -> None:
        """The lock as the build wrote it: its `anki_digest`, and its bytes if kept (lock.write)."""
        self._lock, self._anki = data, anki

    def _anki_digest(self) -> str:
        if self._anki is None:
            self._anki = anki_digest(self._lock or b"")
        return self._anki

    def let_go_of_source(self) -> None:
        """Lets go of the sheet's bytes once it is loaded: a 50,000-fact sheet's are 9 MB, held until the build's
        end."""
        self.source = None

    def let_go_of_lock(self) -> None:
        """Keeps of the lock's bytes only what the deck's fingerprint reads of them: a 50,000-fact sheet's lock is
        20 MB, and the deck's card lint, which runs next, would hold them at its peak."""
        self._anki_digest()
        self._lock = None

    def _tree(self, folder: Path, suffix: str = "") -> str:
        if (folder, suffix) not in self._trees:
            self._trees[folder, suffix] = _tree_digest(folder, suffix)
        return self._trees[folder, suffix]

    def _code(self, name: str) -> str:
        """The content digest of a folder or module of LAYOUT_CODE, each file read once per build."""
        path = PACKAGE / name
        if (path, "") not in self._trees:
            self._trees[path, ""] = (_tree_digest(path, ".py") if path.is_dir()
                                     else hashlib.sha256(path.read_bytes()).hexdigest())
        return self._trees[path, ""]

    def layout_code(self) -> str:
        """What the layout memo's measures depend on besides their keys (state/measures.py): the code that breaks
        lines and the ReportLab it runs on."""
        from reportlab import Version

        digest = hashlib.sha256(Version.encode())
        for name in LAYOUT_CODE:
            digest.update(self._code(name).encode())
        return digest.hexdigest()

    def layout_key(self, options: dict) -> str:
        """What the PDF's fit search saw: its code, the options that move lines, templates, fonts and the source."""
        digest = hashlib.sha256()
        for part in (*(self._code(name) for name in LAYOUT_CODE),
                     json.dumps(options, sort_keys=True), self._tree(self.templates / "pdf"),
                     _tree_digest(self.templates / "fonts", content=_font_content)):
            digest.update(part.encode() + b"\0")
        digest.update(self._source)
        return digest.hexdigest()

    def of(self, kind: str, options: dict) -> str:
        if (PACKAGE, ".py") not in self._trees:
            self._trees[PACKAGE, ".py"] = _tree_stats(PACKAGE, ".py")
        digest = hashlib.sha256()
        # The code's own stats, not just its version: an editable install changes without a version bump. Its
        # files' sizes and times, as for the fonts: an up-to-date build reads none of them.
        for part in (kind, __version__, self._trees[PACKAGE, ".py"], json.dumps(options, sort_keys=True),
                     os.environ.get("SOURCE_DATE_EPOCH", ""),
                     self._tree(self.templates / ("anki" if kind == "anki" else "pdf")),
                     _tree_stats(self.templates / "fonts") if kind == "pdf" else ""):
            digest.update(part.encode() + b"\0")
        digest.update(self._source)
        if kind == "anki":
            digest.update(self._anki_digest().encode())
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
        # Read as no state when damaged (`__init__`): a full build, never a stale output taken as fresh.
        write_atomic(self.path, (json.dumps(document, indent=1, sort_keys=True) + "\n").encode(), durable=False)

"""TrueType faces, parsed once per machine: a cold build would otherwise spend a tenth of its time reading
glyph tables that have not changed since the last one.

ReportLab parses every table of a face in Python; what it keeps (character map, widths, metrics, table
directory) is stored under the user's cache folder (`$XDG_CACHE_HOME/cheatdeck`, else `~/.cache/cheatdeck`),
keyed by the file's path, size, modification time and table directory (a checksum of every table) and by the
ReportLab and Python versions, and a later process takes it from there. The font file's own bytes are read
again, not stored: subsetting copies glyphs from them. Entries are pickles, so the folder must be the user's
own (as `CHEATDECK_CACHE=DIR` should be too), and only ever holds what this module wrote; an entry that
cannot be read is parsed again and replaced, one that cannot be written is skipped. `CHEATDECK_CACHE=off`
turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from reportlab import Version as REPORTLAB_VERSION
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from ..state.freshness import table_directory

FORMAT = 1
# What the face holds that is not plain data: the file's bytes (read again) and its unit scaling (a lambda).
_NOT_STORED = ("_ttf_data", "_pdfScale")


def parse(name: str, path: Path) -> TTFont:
    """The face at `path` as a font named `name`, from the cache when it has it."""
    entry = _entry(path)
    if entry is not None:
        try:
            with entry.open("rb") as file:
                return _font(name, _face(path, pickle.load(file)))
        except Exception:  # not there yet, or damaged: parsed below, and stored
            pass
    font = TTFont(name, str(path))
    if entry is not None:
        _store(entry, {k: v for k, v in vars(font.face).items() if k not in _NOT_STORED})
    return font


def _entry(path: Path) -> Path | None:
    setting = os.environ.get("CHEATDECK_CACHE", "")
    if setting.lower() == "off":
        return None
    try:
        root = Path(setting) if setting else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cheatdeck"
    except RuntimeError:  # no home folder to find (a service account): no cache
        return None
    stat = path.stat()
    # The table directory too: a font copied over another with its size and date kept is another entry.
    directory = table_directory(path) or b""
    key = "\0".join(map(str, (FORMAT, REPORTLAB_VERSION, sys.version, path.resolve(), stat.st_size,
                              stat.st_mtime_ns, directory.hex())))
    return root / "faces" / (hashlib.sha256(key.encode()).hexdigest() + ".pickle")


def _store(entry: Path, state: dict) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=entry.parent, prefix=".face-")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(state, file, pickle.HIGHEST_PROTOCOL)
            os.replace(scratch, entry)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only home: every build parses, as without a cache


def _face(path: Path, state: dict) -> TTFontFace:
    face = TTFontFace.__new__(TTFontFace)
    pdfmetrics.TypeFace.__init__(face, None)
    face.__dict__.update(state)
    face.filename = str(path)
    face._ttf_data = path.read_bytes()
    # As TTFontFile.extractInfo scales: the same arithmetic, so widths come out bit for bit the same.
    if face.unitsPerEm == 1000:
        face._pdfScale = lambda x: x
    else:
        per_unit = 1000 / face.unitsPerEm
        face._pdfScale = lambda x: x * per_unit
    return face


def _font(name: str, face: TTFontFace) -> TTFont:
    """A TTFont around an already parsed face, made by TTFont's own constructor: it looks its face class up
    in its module, and is handed this face instead of parsing the file (should a later ReportLab stop doing
    so, the file is simply parsed)."""
    try:
        ttfonts.TTFontFace = lambda *_args, **_kwargs: face
        return TTFont(name, face.filename)
    finally:
        ttfonts.TTFontFace = TTFontFace

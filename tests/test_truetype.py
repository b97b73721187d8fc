"""pdf/truetype.py reads a face's character map, widths and glyph places in bulk: every attribute, and the order
of every map, as ReportLab's own reading gives them."""

from __future__ import annotations

import io
import struct

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from cheatdeck.pdf import truetype
from cheatdeck.pdf.fonts import _Font
from cheatdeck.pdf.truetype import Face
from conftest import REPO

FONTS = sorted((REPO / "templates" / "fonts").glob("*.ttf"))


def _ordered(value):
    """A value with its dicts' orders made part of it (two dicts with the same items compare equal in any order)."""
    if isinstance(value, dict):
        return [(key, _ordered(item)) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return type(value)(_ordered(item) for item in value)
    if callable(value):  # the scale from font units to 1/1000 em
        return ("function of", value(2048))
    if hasattr(value, "__dict__"):  # the font's encoding
        return (type(value), _ordered(vars(value)))
    return value


def _attributes(thing) -> dict:
    return {name: _ordered(value) for name, value in vars(thing).items() if name not in ("face", "state")}


def _format4(data: bytes) -> bytes:
    """The font with its last character map subtable (each font here ends with a format 12 one) left out of the
    cmap's directory: ReportLab then reads the format 4 subtable before it."""
    cmap = TTFont("probe", io.BytesIO(data)).face.table["cmap"]["offset"]
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    return data[:cmap + 2] + struct.pack(">H", count - 1) + data[cmap + 4:]


@pytest.mark.parametrize("path", FONTS, ids=[p.name for p in FONTS])
@pytest.mark.parametrize("subtable", ["as shipped", "format 4"])
def test_a_face_read_in_bulk_is_the_face_reportlab_reads(path, subtable):
    data = path.read_bytes() if subtable == "as shipped" else _format4(path.read_bytes())
    theirs, ours = TTFont("theirs", io.BytesIO(data)), _Font("ours", io.BytesIO(data))
    assert type(ours.face) is Face and truetype._char_info(ours.face) is not None  # read in bulk
    assert _attributes(ours.face) == _attributes(theirs.face)
    assert {**_attributes(ours), "fontName": "theirs"} == _attributes(theirs)
    subset = sorted(set(theirs.face.charToGlyph) & set(range(0x20, 0x3000)))[:200]
    assert ours.face.makeSubset(subset) == theirs.face.makeSubset(subset)


def test_a_character_map_of_another_format_is_read_by_reportlab(monkeypatch):
    """A face whose chosen cmap subtable is not of format 4 or 12 goes through ReportLab's own reading."""
    data = (REPO / "templates" / "fonts" / "DejaVuSansMono.ttf").read_bytes()
    monkeypatch.setattr(truetype, "_cmap", lambda face, data: None)
    assert _attributes(Face(io.BytesIO(data))) == _attributes(TTFont("x", io.BytesIO(data)).face)

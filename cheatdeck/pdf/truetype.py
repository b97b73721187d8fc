"""A TrueType face whose character map, widths and glyph places are read in bulk.

ReportLab reads a face's `cmap`, `hmtx` and `loca` tables two bytes per call in Python: about 25 ms for each
DejaVu face, and most of a build's font time. This face reads them with one `struct` call per table (or per cmap
segment) and builds the same attributes, in the same order; a face whose character map is not of format 4 or 12
(or that is broken) is read by ReportLab's own code. `tests/test_truetype.py` compares every attribute with
ReportLab's for each font in templates/fonts.
"""

from __future__ import annotations

import struct

from reportlab.pdfbase import ttfonts


class Face(ttfonts.TTFontFace):
    """A TTFontFace whose character information is read in bulk."""

    def extractInfo(self, charInfo=1) -> None:
        super().extractInfo(0)  # the names, head, OS/2, post, hhea and maxp tables, as ReportLab reads them
        if not charInfo:
            return
        try:
            read = _char_info(self)
        except (struct.error, ttfonts.TTFError, KeyError, ValueError):
            read = None
        if read is None:
            super().extractInfo(charInfo)
        else:
            vars(self).update(read)


def _char_info(face: Face) -> dict | None:
    """What ReportLab's `extractInfo` reads after maxp, as the face's attributes: the character map, the widths
    and the glyph places; None for a character map of another format."""
    data, glyphs = face._ttf_data, face.numGlyphs
    loca_format, glyph_format = struct.unpack_from(">HH", data, face.table["head"]["offset"] + 50)
    metrics = struct.unpack_from(">H", data, face.table["hhea"]["offset"] + 34)[0]
    pairs = _cmap(face, data)
    if glyph_format != 0 or loca_format not in (0, 1) or "loca" not in face.table or pairs is None:
        return None  # ReportLab's own code reads it, and says what is wrong
    to_glyph = dict(pairs)
    to_char: dict[int, list[int]] = {}
    for char, glyph in pairs:
        to_char.setdefault(glyph, []).append(char)
    hmtx = face.table["hmtx"]["offset"]
    values = struct.unpack_from(f">{2 * metrics}H", data, hmtx)
    bearings = struct.unpack_from(f">{glyphs - metrics}H", data, hmtx + 4 * metrics)
    # As ReportLab's scale: x * (1000 / unitsPerEm), or x itself at 1000 units per em.
    factor = 1000 / face.unitsPerEm
    advances = values[0::2] if face.unitsPerEm == 1000 else [advance * factor for advance in values[0::2]]
    hmetrics = list(zip(values[0::2], values[1::2]))
    # ReportLab keeps the last width, scaled, for the glyphs that list only a bearing.
    hmetrics += [(advances[-1], bearing) for bearing in bearings]
    per_glyph = [*advances, *[advances[-1]] * len(bearings)]
    widths = {char: per_glyph[glyph] for glyph in sorted(to_char) if glyph < glyphs for char in to_char[glyph]}
    loca = face.table["loca"]["offset"]
    if loca_format:
        places = list(struct.unpack_from(f">{glyphs + 1}L", data, loca))
    else:
        places = [place << 1 for place in struct.unpack_from(f">{glyphs + 1}H", data, loca)]
    for space, other in ((0x20, 0xa0), (0xa0, 0x20)):
        if space in to_glyph:
            to_glyph[other], widths[other] = to_glyph[space], widths[space]
            break
    return {"charToGlyph": to_glyph, "glyphToChar": to_char, "charWidths": widths, "defaultWidth": advances[0],
            "hmetrics": hmetrics, "glyphPos": places, "_pos": loca + (glyphs + 1) * (4 if loca_format else 2)}


def _cmap(face: Face, data: bytes) -> list[tuple[int, int]] | None:
    """(character, glyph) in the order ReportLab maps them, from the subtable it picks; None for a format other
    than 4 and 12."""
    start = face.table["cmap"]["offset"]
    version, count = struct.unpack_from(">HH", data, start)
    if count == 0 and version != 0:
        count = version
    chosen, kind = None, 0
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">HHL", data, start + 4 + 8 * n)
        if platform == 3 or (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
            chosen, kind = offset, 1
        elif platform == 1 and encoding == 0 and kind != 1:
            chosen, kind = offset, 2
    if chosen is None:
        return None
    at = start + chosen
    form = struct.unpack_from(">H", data, at)[0]
    if form == 4:
        return _format4(data, at)
    if form == 12:
        return _format12(data, at)
    return None


def _format4(data: bytes, at: int) -> list[tuple[int, int]]:
    length, _, doubled = struct.unpack_from(">HHH", data, at + 2)
    segments = doubled // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    ranges_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
    limit = at + length
    pairs: list[tuple[int, int]] = []
    for n, (first, last, delta, offset) in enumerate(zip(starts, ends, deltas, ranges)):
        chars = range(first, last + 1)
        if offset == 0:
            pairs += [(char, (char + delta) & 0xFFFF) for char in chars]
            continue
        base = ranges_at + 2 * n + offset
        inside = max(0, min(len(chars), (limit - base + 1) // 2))
        read = struct.unpack_from(f">{inside}H", data, base)
        pairs += [(char, (glyph + delta) & 0xFFFF if glyph else 0) for char, glyph in zip(chars, read)]
        pairs += [(char, 0) for char in chars[inside:]]
    return pairs


def _format12(data: bytes, at: int) -> list[tuple[int, int]]:
    groups = struct.unpack_from(">L", data, at + 12)[0]
    pairs: list[tuple[int, int]] = []
    for n in range(groups):
        first, last, glyph = struct.unpack_from(">LLL", data, at + 16 + 12 * n)
        pairs += [(char, char + glyph - first) for char in range(first, last + 1)]
    return pairs

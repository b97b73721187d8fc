"""Where a line of Chinese or Japanese may break: between any two of its characters, as their typesetting does,
but not before a mark that may not start a line (、。」) nor after one that may not end one (「（), and never
inside a run of Latin letters set among them. ReportLab's own CJK wrap breaks at any character, so that a
bracket ends a line and "（subject" breaks after its bracket or inside its word.

Text without such characters keeps ReportLab's breaking between words (Korean among them: it is set with
spaces)."""

from __future__ import annotations

import re
from unicodedata import category

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

from ..scripts import SOLID, solid

_ONE_SOLID = re.compile(f"[{SOLID}]")
# Chinese and Japanese write a phrase without spaces: a run of at most this many pieces (units) is taken for a
# term, which a table's width search keeps on one line if it can (a longer run is a phrase, broken anywhere).
WORD_UNITS = 4
# ReportLab's marks that may not start a line, or end one, with those it lacks: the fullwidth ones of Chinese
# (，：；！？ and the closing brackets), closing quotes (”’), the ellipses and wave dashes, the arrows (as between
# Latin words), and the halfwidth opening brackets.
_CANNOT_START = ALL_CANNOT_START + "\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\uff09\uff3d\uff5d\u3009\u300b\u3017\u3019" \
    "\u301b\u30fc\u30fb\u2026\u2025\u301c\uff5e\u201d\u2019" "\u2192\u2190\u2194\u21d2\u21d0\u21d4"
_CANNOT_END = ALL_CANNOT_END + "\u3016\u3018\u301a({["
# Spaces a line may break after; the no-break ones bind (a bullet to its text, a word to its arrow).
_BINDING = "\u00a0\u2007\u202f"


def _space(glyph: str) -> bool:
    return len(glyph) == 1 and category(glyph) == "Zs" and glyph not in _BINDING


def _may_break(before: str, after: str) -> bool:
    """Whether a line may break between glyphs `before` and `after` ('' for an image or a line break)."""
    if _space(after) or (before and before in _BINDING) or (after and after in _BINDING):
        return False
    if _space(before):
        return True
    if (after and after in _CANNOT_START) or (before and before in _CANNOT_END):
        return False
    return not before or not after or _ONE_SOLID.match(before) is not None or _ONE_SOLID.match(after) is not None


def split(frags, widths: list[float], bounds: bool) -> ParaLines:
    """The paragraph of `frags` broken into lines of `widths` (the first line's, then the others'): each as full
    as the breaks allowed leave it, a glyph too wide for any break point on a line of its own. `bounds`: the
    line's height follows its images' (ReportLab's autoLeading)."""
    glyphs = [glyph for frag in frags for glyph in _glyphs(frag)]
    allowed = [False] + [_may_break(a, b) for a, b in zip(glyphs, glyphs[1:])]
    lines, start = [], 0
    while start < len(glyphs):
        width = widths[min(len(lines), len(widths) - 1)]
        end, forced = _line_end(glyphs, allowed, start, width)
        used = _width(glyphs[start:end])
        lines.append(makeCJKParaLine(glyphs[start:end], width, used, width - used, forced, bounds))
        start = end
    return ParaLines(kind=1, lines=lines)


def _width(line: list[cjkU]) -> float:
    """A line's width but the spaces at its end, which print nothing."""
    end = len(line)
    while end and _space(line[end - 1]):
        end -= 1
    return sum(glyph.width for glyph in line[:end])


def _glyphs(frag) -> list[cjkU]:
    text = frag.text
    return [cjkU(t, frag, "utf8") for t in text] if text else [cjkU(text, frag, "utf8")]


def _line_end(glyphs: list[cjkU], allowed: list[bool], start: int, width: float) -> tuple[int, bool]:
    """Where the line that starts at glyph `start` ends (the glyph after it), and whether a line break ends it.
    Spaces at its end hang past the margin, as between words."""
    used = 0.0
    for i in range(start, len(glyphs)):
        glyph = glyphs[i]
        if hasattr(glyph.frag, "lineBreak"):
            return i + 1, True
        used += glyph.width
        if used > width + _FUZZ and i > start and not _space(glyph):
            return next((j for j in range(i, start, -1) if allowed[j]), i), False
    return len(glyphs), False


def units(word: str) -> list[str]:
    """`word` cut where a line may break inside it: one piece for a word without Chinese or Japanese."""
    if not solid(word):
        return [word]
    out, start = [], 0
    for i in range(1, len(word)):
        if _may_break(word[i - 1], word[i]):
            out.append(word[start:i])
            start = i
    return [*out, word[start:]]

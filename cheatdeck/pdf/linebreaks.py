"""Where a printed line may break: between words, never before an arrow or a closing mark, and inside an
identifier only when it cannot fit a line of its own, at a natural joint with enough of it on each side to
read. Code breaks after a separator, never inside a flag's name or a path's segment unless that alone is
wider than the line. A broken word's next line starts with a continuation mark (↪), so that no piece reads
as a word of its own."""

from __future__ import annotations

import re
from dataclasses import replace

from .. import inline

NO_BREAK_SPACE = "\u00a0"
# A line never starts with one of these (arrows, closing marks, a spaced slash): the space before it
# does not break.
_BINDS_LEFT = "→←↔⇒⇐⇔)]}»”’,;:.!?%/"
_SPACE_BEFORE_BINDING = re.compile(f" (?=[{re.escape(_BINDS_LEFT)}])")
# An identifier too wide for its column may break after / . _ - or between camelCase humps, but not at a dot
# between digits: an address, a version or a decimal (255.255.255.128, 3.11.7) reads as one number ...
_JOINT = re.compile(r"(?<=[/_-])(?=.)|(?<=\.)(?!\d)(?=.)|(?<=[^\d]\.)(?=\d)|(?<=[a-z])(?=[A-Z])")
# ... with at least this many characters on each side of the break.
MIN_PIECE = 4
# What starts the line after a break inside a word or a code line. In a text, CONTINUES stands for it until
# the paragraph's markup is made (Layout.markup prints it muted): escaping leaves a private-use character be.
MARK = "↪"
CONTINUES = "\ue000"
# Code breaks first after one of these (a space before all) ...
_CODE_JOINT = re.compile(r"(?<=[/=,])(?=.)")
# ... and only when a piece between them is wider than the line, after - or . as well.
_CODE_INNER = re.compile(r"(?<=[/=,.-])(?=.)")


def bind(spans: inline.Spans) -> inline.Spans:
    """Spaces before arrows and closing marks become no-break spaces, also across span boundaries."""
    # A formula's source is LaTeX, not words: it is typeset as written. Code is not bound either: its "/" and
    # "." start paths and names, which may start a line.
    out = [replace(s, text=_SPACE_BEFORE_BINDING.sub(NO_BREAK_SPACE, s.text))
           if s.kind == inline.TEXT and not s.code and _SPACE_BEFORE_BINDING.search(s.text) else s for s in spans]
    for i in range(len(out) - 1):
        if out[i].kind == inline.TEXT and out[i].text.endswith(" ") and out[i + 1].text[:1] in _BINDS_LEFT \
                and out[i + 1].text and not out[i + 1].code:
            out[i] = replace(out[i], text=out[i].text[:-1] + NO_BREAK_SPACE)
    return tuple(out)


def bind_plain(text: str) -> str:
    return _SPACE_BEFORE_BINDING.sub(NO_BREAK_SPACE, text)


def joints(word: str) -> list[int]:
    """The offsets where `word` may break, each leaving at least MIN_PIECE characters on both sides."""
    if len(word) < 2 * MIN_PIECE:
        return []  # too short for two pieces: most words
    return [m.start() for m in _JOINT.finditer(word) if MIN_PIECE <= m.start() <= len(word) - MIN_PIECE]


def pieces(word: str, fits, code: bool = False) -> list[str]:
    """`word` cut into as few pieces as `fits(piece)` allows, each after the first measured behind the MARK: at
    its joints (a code word's, `code`), else, where a piece between joints is too wide, where it must."""
    cut_sets = [_cuts(word, _CODE_JOINT), _cuts(word, _CODE_INNER)] if code else [joints(word)]
    return _greedy(word, fits, cut_sets, 1 if code else MIN_PIECE, MARK)


def code_line(line: str, fits) -> list[str]:
    """A code line as printed: whole if it fits, else broken at a space, then after a separator (`/ = ,`,
    then `- .`), and only then anywhere; every later line keeps its indentation and starts with the mark."""
    indent = line[:len(line) - len(line.lstrip(" "))]
    spaces = [m.end() for m in re.finditer(" +", line) if m.start() >= len(indent)]
    cut_sets = [spaces, *([c for c in _cuts(line, p) if c > len(indent)] for p in (_CODE_JOINT, _CODE_INNER))]
    lead = f"{indent}{CONTINUES} "
    parts = _greedy(line, lambda text: fits(text.replace(CONTINUES, MARK)), cut_sets, 1, lead)
    return [parts[0].rstrip(), *(lead + part.rstrip() for part in parts[1:])]


def _greedy(text: str, fits, cut_sets: list[list[int]], least: int, lead: str) -> list[str]:
    """`text` cut greedily, each piece as long as fits (after the first, behind `lead`): at the last cut of
    the first of `cut_sets` that has one, else after the last character that fits."""
    out, start = [], 0

    def fits_here(end: int) -> bool:
        return fits((lead if out else "") + text[start:end])

    # A last character that fits nowhere (a column narrower than the mark) ends the text as it is.
    while start < len(text) - 1 and not fits_here(len(text)):
        cut = 0
        for cuts in cut_sets:
            cut = max((j for j in cuts if j - start >= least and fits_here(j)), default=0)
            if cut:
                break
        if not cut:
            cut = start + 1
            while cut + 1 < len(text) and fits_here(cut + 1):
                cut += 1
        out.append(text[start:cut])
        start = cut
    return [*out, text[start:]]


def marked(markup: str, color: str) -> str:
    """Paragraph markup with each continuation placeholder printed as the mark, in `color`."""
    return markup.replace(CONTINUES, f"<font color='{color}'>{MARK}</font>") if CONTINUES in markup else markup


def _cuts(word: str, pattern: re.Pattern) -> list[int]:
    return [m.start() for m in pattern.finditer(word)]


def broken(word: str, fits, code: bool = False) -> str:
    """`word` as a text prints it: whole if it fits a line, else its pieces, each after the first on a line
    of its own behind the continuation mark (a space between pieces lets the line break there)."""
    return word if fits(word) else f" {CONTINUES}".join(pieces(word, fits, code))


def narrowest(word: str, width) -> float:
    """The widest piece left when `word` is cut at every joint it allows (what its column must hold if its
    pieces are to be whole)."""
    cuts, start, widest = joints(word), 0, 0.0
    for j in cuts:
        if j - start >= MIN_PIECE:
            widest, start = max(widest, width(word[start:j])), j
    return max(widest, width(word[start:]))

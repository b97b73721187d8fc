"""Where a printed line may break: between words, never before an arrow or a closing mark, and inside an
identifier only at a natural joint with enough of it on each side to read."""

from __future__ import annotations

import re
from dataclasses import replace

from .. import inline

NO_BREAK_SPACE = "\u00a0"
# A line never starts with one of these (arrows, closing marks, a spaced slash): the space before it
# does not break.
_BINDS_LEFT = "→←↔⇒⇐⇔)]}»”’,;:.!?%/"
_SPACE_BEFORE_BINDING = re.compile(f" (?=[{re.escape(_BINDS_LEFT)}])")
# An identifier too wide for its column may break after / . _ - or between camelCase humps ...
_JOINT = re.compile(r"(?<=[/._-])(?=.)|(?<=[a-z])(?=[A-Z])")
# ... with at least this many characters on each side of the break.
MIN_PIECE = 4


def bind(spans: inline.Spans) -> inline.Spans:
    """Spaces before arrows and closing marks become no-break spaces, also across span boundaries."""
    # A formula's source is LaTeX, not words: it is typeset as written.
    out = [replace(s, text=_SPACE_BEFORE_BINDING.sub(NO_BREAK_SPACE, s.text)) if s.kind == inline.TEXT else s
           for s in spans]
    for i in range(len(out) - 1):
        if out[i].kind == inline.TEXT and out[i].text.endswith(" ") and out[i + 1].text[:1] in _BINDS_LEFT \
                and out[i + 1].text:
            out[i] = replace(out[i], text=out[i].text[:-1] + NO_BREAK_SPACE)
    return tuple(out)


def bind_plain(text: str) -> str:
    return _SPACE_BEFORE_BINDING.sub(NO_BREAK_SPACE, text)


def joints(word: str) -> list[int]:
    """The offsets where `word` may break, each leaving at least MIN_PIECE characters on both sides."""
    return [m.start() for m in _JOINT.finditer(word) if MIN_PIECE <= m.start() <= len(word) - MIN_PIECE]


def pieces(word: str, fits) -> list[str]:
    """`word` cut at its joints into as few pieces as `fits(piece)` allows (greedy, each piece as long as fits)."""
    out, start = [], 0
    while not fits(word[start:]):
        cuts = [j for j in joints(word) if j - start >= MIN_PIECE and fits(word[start:j])]
        if not cuts:
            break
        out.append(word[start:cuts[-1]])
        start = cuts[-1]
    return [*out, word[start:]]


def narrowest(word: str, width) -> float:
    """The widest piece left when `word` is cut at every joint it allows (what its column must hold)."""
    cuts, start, widest = joints(word), 0, 0.0
    for j in cuts:
        if j - start >= MIN_PIECE:
            widest, start = max(widest, width(word[start:j])), j
    return max(widest, width(word[start:]))

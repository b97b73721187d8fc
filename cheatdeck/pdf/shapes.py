"""Paragraph markup parsed once per shape: a sheet's paragraphs differ in their words far more than in their tags.

ReportLab parses a paragraph's markup (`Paragraph._setup`) into fragments, one per run of text between tags, each a
copy of the style the tags around it set; the run's text changes nothing else of it. So two paragraphs of one style
whose markup differs only in those runs ("• <b>Term 1:</b> …", "• <b>Term 2:</b> …") parse into the same fragments
but for their texts. `Shapes` parses the first paragraph of each shape and gives every later one a copy of its
fragments with the texts put in: what parsing costs (an HTML parser's pass, a fragment copied per run) becomes a
split and a copy. Only the tags cheatdeck's markup is made of are taken (others may number, nest or hold text of
their own); a paragraph with any other is parsed as it comes.
"""

from __future__ import annotations

import re

from reportlab.platypus.paraparser import ParaParser

# The tags whose fragments do not depend on the text they hold (inline.to_reportlab, fonts.Fallback.markup).
_TAGS = frozenset({"b", "i", "font", "strike", "super", "sub"})
# A tag, or an entity (which ReportLab gives a fragment of its own): kept as they are in a shape's key.
_TOKEN = re.compile(r"(<[^>]*>|&#?[A-Za-z0-9]+;)")
_NAME = re.compile(r"</?([A-Za-z]+)[\s/>]")
# Stand-ins for a shape's runs of text while its first paragraph is parsed: characters no sheet's markup holds.
_MARK = "\U000f0000"
_LIMIT = 4096


class Shapes:
    """Fragments by style and shape (the markup with its runs of text left out), for one layout's paragraphs.
    Bounded: a sheet whose every paragraph has a shape of its own keeps the first LIMIT and parses the rest."""

    def __init__(self):
        self._known: dict[tuple, tuple[list, list[int | None]] | None] = {}

    def frags(self, text: str, style) -> list | None:
        """The fragments ReportLab's parser makes of `text` (markup already cleaned) in `style`, or None when its
        shape cannot be reused (then the caller parses it)."""
        parts = _TOKEN.split(text)
        runs = parts[0::2]
        if any("&" in run or ">" in run or _MARK in run for run in runs) or getattr(style, "textTransform", None):
            return None
        key = (style, *(part if i % 2 else bool(part) for i, part in enumerate(parts)))
        known = self._known.get(key, False)
        if known is False:
            if len(self._known) >= _LIMIT:
                return None
            known = self._known[key] = self._learn(parts, style)
        if known is None:
            return None
        template, where = known
        frags = []
        for frag, run in zip(template, where):
            copied = frag.__class__.__new__(frag.__class__)
            copied.__dict__.update(frag.__dict__)
            if run is not None:
                copied.text = runs[run]
            frags.append(copied)
        return frags

    @staticmethod
    def _learn(parts: list[str], style) -> tuple[list, list[int | None]] | None:
        """Parse the shape of `parts` with a mark for each run, and find which fragment holds which run; None when
        a tag is not one of _TAGS or a run does not land in a fragment of its own, whole."""
        if any(not (m := _NAME.match(tag + " ")) or m.group(1).lower() not in _TAGS
               for tag in parts[1::2] if tag.startswith("<")):
            return None
        marked = [part if i % 2 else (f"{_MARK}{i // 2}{_MARK}" if part else "") for i, part in enumerate(parts)]
        parser = ParaParser()
        parser.caseSensitive = 1
        _, frags, bullet = parser.parse("".join(marked), style)
        if frags is None or bullet:
            return None
        where, seen = [], set()
        for frag in frags:
            text = getattr(frag, "text", None)
            run = None
            if text and _MARK in text:
                if not (text.startswith(_MARK) and text.endswith(_MARK) and text.count(_MARK) == 2):
                    return None
                run = int(text[1:-1])
                seen.add(run)
            where.append(run)
        if seen != {i for i, part in enumerate(parts[0::2]) if part}:
            return None
        return frags, where

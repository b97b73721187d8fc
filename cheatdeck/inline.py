"""Inline markup: parsed once into spans, rendered as HTML (Anki) or ReportLab markup (PDF).

The grammar is a CommonMark subset: **bold**, *italic*, `code` and backslash
escapes. Raw HTML, entities and links are switched off, so `<`, `&` and `>`
are always literal text and the renderers escape them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

_md = MarkdownIt("zero").enable(["emphasis", "backticks", "escape"])


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


Spans = tuple[Span, ...]


_MARKUP = frozenset("*_`\\")


@lru_cache(maxsize=65536)
def parse(source: str) -> Spans:
    if _MARKUP.isdisjoint(source):
        # Without these characters no enabled rule can fire: markdown-it would return the text as is.
        return (Span(source),)
    spans: list[Span] = []
    bold = italic = 0
    for block in _md.parseInline(source):
        for tok in block.children or ():
            if tok.type == "strong_open":
                bold += 1
            elif tok.type == "strong_close":
                bold -= 1
            elif tok.type == "em_open":
                italic += 1
            elif tok.type == "em_close":
                italic -= 1
            elif tok.type == "code_inline":
                spans.append(Span(tok.content, bold > 0, italic > 0, True))
            elif tok.type in ("softbreak", "hardbreak"):
                spans.append(Span(" ", bold > 0, italic > 0))
            elif tok.content:
                spans.append(Span(tok.content, bold > 0, italic > 0))
    return _merge(spans)


def _merge(spans: list[Span]) -> Spans:
    merged: list[Span] = []
    for span in spans:
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].code) == (span.bold, span.italic, span.code):
            merged[-1] = Span(merged[-1].text + span.text, span.bold, span.italic, span.code)
        else:
            merged.append(span)
    return tuple(merged)


def plain(spans: Spans) -> str:
    return "".join(s.text for s in spans)


def escape(text: str) -> str:
    """Markdown-escape text so that it is shown exactly as written."""
    return "".join("\\" + c if c in "\\`*_" else c for c in text)


# Where a long identifier may wrap on a phone: after . _ / and between the words of camelCase.
_BREAK_AFTER = re.compile(r"(?<=[._/])(?=[^\W_])|(?<=[a-z0-9])(?=[A-Z][a-z])")
LONG_WORD = 14


_LONG = re.compile(r"\S{%d,}" % LONG_WORD)


def _escape_html(part: str) -> str:
    # `[` as an entity: Anki would otherwise turn [sound:…], [latex]…[/latex] or [$]…[/$] into media.
    return html.escape(part, quote=False).replace("[", "&#91;")


def _html_text(text: str) -> str:
    out, done = [], 0
    for long_word in _LONG.finditer(text):
        out.append(_escape_html(text[done:long_word.start()]))
        out.append("<wbr>".join(_escape_html(part) for part in _BREAK_AFTER.split(long_word[0])))
        done = long_word.end()
    out.append(_escape_html(text[done:]))
    return "".join(out)


def to_html(spans: Spans) -> str:
    out = []
    for s in spans:
        piece = _html_text(s.text)
        if s.code:
            piece = f"<code>{piece}</code>"
        if s.italic:
            piece = f"<i>{piece}</i>"
        if s.bold:
            piece = f"<b>{piece}</b>"
        out.append(piece)
    return "".join(out)


# Layout marks where an over-wide token may break; sources cannot contain it (load rejects it).
LINE_BREAK = "\u2028"


def to_reportlab(spans: Spans, mono_font: str) -> str:
    out = []
    for s in spans:
        piece = s.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(LINE_BREAK, "<br/>")
        if s.code:
            piece = f'<font face="{mono_font}">{piece}</font>'
        if s.italic:
            piece = f"<i>{piece}</i>"
        if s.bold:
            piece = f"<b>{piece}</b>"
        out.append(piece)
    return "".join(out)

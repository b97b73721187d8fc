"""Inline markup: parsed once into spans, rendered as HTML (Anki) or ReportLab markup (PDF).

The grammar is a CommonMark subset: **bold**, *italic*, ~~struck~~ (GFM's
strikethrough), `code`, backslash escapes and images `![alt](file)`, with markdown-it plugins for `$math$` and
`$$display math$$`, `H~2~O` and `x^2^`, and a rule of ours for Anki's cloze
deletions `{{c1::text::hint}}`. A text of several lines (YAML's `|`) is a
code block, unless it holds ``` fences: then only the fenced lines are.
Raw HTML, entities and links are switched off, so `<`, `&` and `>` are
always literal text and the renderers escape them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

# What a span is: running text, a formula, an image, a code block, or an opening cloze marker left unclosed.
TEXT, MATH, DISPLAY, IMAGE, BLOCK, UNCLOSED = "text", "math", "display", "image", "block", "unclosed"


@dataclass(frozen=True)
class Span:
    """A run of text and the marks it is set in: what the one inline parser gives both renderers."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    sub: bool = False
    sup: bool = False
    cloze: int = 0
    hint: str = ""
    kind: str = TEXT
    target: str = ""  # an image's file, as written

    @property
    def printed(self) -> bool:
        """Whether `text` is set in the page's fonts (a formula is typeset, an image drawn)."""
        return self.kind in (TEXT, BLOCK, UNCLOSED)


Spans = tuple[Span, ...]

_CLOZE_OPEN = re.compile(r"\{\{c([1-9][0-9]{0,2})::")


def _cloze(state: StateInline, silent: bool) -> bool:
    """`{{cN::text}}` or `{{cN::text::hint}}`; the text may hold inline markup, the hint is plain."""
    opening = _CLOZE_OPEN.match(state.src, state.pos)
    if opening is None:
        return False
    start = opening.end()
    end = state.src.find("}}", start)
    if end < 0:
        if not silent:
            state.push("cloze_unclosed", "", 0).content = opening.group(0)
        state.pos = start
        return True
    body = state.src[start:end]
    text_end = start + body.find("::") if "::" in body else end
    if text_end == start:
        return False
    if not silent:
        token = state.push("cloze_open", "", 1)
        token.meta = {"number": int(opening.group(1)), "hint": state.src[text_end + 2:end] if text_end < end else ""}
        limit = state.posMax
        state.pos, state.posMax = start, text_end
        state.md.inline.tokenize(state)
        state.posMax = limit
        state.push("cloze_close", "", -1)
    state.pos = end + 2
    return True


def _dollar_rule(rule):
    """dollarmath's rule, with three changes. A `$` before a digit is a price, never the start of a formula, so
    prose such as `$5 per GB ($0.02 off)` stays text. `[$]…[/$]`, Anki's own LaTeX tag, stays text. And the rule
    reads `src[pos - 1]` as the character before a `$`: at 0 that is the text's last character, so `$x$ costs 5`
    would not be math (a NUL appended while it looks makes it no digit)."""

    def dollar(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos + 1:state.pos + 2].isdigit() or state.src[state.pos - 1:state.pos + 2] == "[$]":
            return False
        if state.pos:
            return rule(state, silent)
        src = state.src
        state.src = src + "\0"
        try:
            return rule(state, silent)
        finally:
            state.src = src

    return dollar


@cache
def _parser() -> MarkdownIt:
    """markdown-it with our rules, made on first use: a sheet without markup never imports it."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.subscript import sub_plugin
    from mdit_py_plugins.superscript import superscript_plugin

    md = (MarkdownIt("zero").enable(["emphasis", "strikethrough", "backticks", "escape", "image", "fence"])
          .use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
          .use(sub_plugin).use(superscript_plugin))
    md.inline.ruler.before("emphasis", "cloze", _cloze)
    rules = md.inline.ruler
    rules.at("math_inline", _dollar_rule(rules.__rules__[rules.__find__("math_inline")].fn))
    return md

# A class of the characters, searched: a set's isdisjoint takes each of a text's characters in turn, and a big
# sheet asks this of every text it loads.
_MARKUP = re.compile(r"[*_`\\$~^{!\n]")
_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.M)
# An underscore between two letters or digits can neither open nor close emphasis (CommonMark's intraword
# rule), and a backslash before ASCII punctuation makes that character literal: `event_time`, `s3:\*`.
_INTRAWORD = re.compile(r"(?<=[^\W_])_(?=[^\W_])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# Markup that takes effect wherever it stands (alone, the others in _MARKUP need a partner).
_EFFECTIVE = frozenset("*_`\\\n")


def is_plain(source: str) -> bool:
    """Without these characters no enabled rule can fire: markdown-it would return the text as is, one span."""
    return _MARKUP.search(source) is None


def _literal(source: str) -> str | None:
    """The text as markdown-it would read it when none of its markup can take effect (None otherwise):
    intraword underscores, backslash escapes, a lone `~`, `^` or `$` (each needs a closing one), `{` and `!`
    that start no cloze or image. Identifiers and prices need no parser, and a sheet of them never imports it."""
    # Underscores first, as written: an escape taken out first would make neighbours of characters that are not.
    rest = _ESCAPED.sub("", _INTRAWORD.sub("", source))
    if (_EFFECTIVE.isdisjoint(rest) and "{{" not in rest and "![" not in rest
            and all(rest.count(mark) < 2 for mark in "~^$")):
        return _ESCAPED.sub(r"\1", source)
    return None


@lru_cache(maxsize=65536)
def parse(source: str) -> Spans:
    if is_plain(source):
        return (Span(source),)
    literal = _literal(source)
    if literal is not None:
        return (Span(literal),)
    return _parse_markup(source)


def _parse_markup(source: str) -> Spans:
    source = source.rstrip("\n")
    if "\n" not in source:
        return _merge(_inline(source))
    if not _FENCE.search(source):
        return (Span(source, code=True, kind=BLOCK),)
    spans: list[Span] = []
    for token in _parser().parse(source):
        if token.type == "inline":
            if spans:
                spans.append(Span(" "))
            spans += _inline_tokens(token.children or ())
        elif token.type == "fence":
            spans.append(Span(token.content.rstrip("\n"), code=True, kind=BLOCK))
        elif token.type == "math_block":
            spans.append(Span(token.content.strip(), kind=DISPLAY))
    return _merge(spans)


def _inline(source: str) -> list[Span]:
    return [span for block in _parser().parseInline(source) for span in _inline_tokens(block.children or ())]


_NESTING = {"strong": "bold", "em": "italic", "s": "strike", "sub": "sub", "sup": "sup"}


def _inline_tokens(tokens) -> list[Span]:
    spans: list[Span] = []
    state = {"bold": 0, "italic": 0, "strike": 0, "sub": 0, "sup": 0}
    cloze, hint = 0, ""
    for tok in tokens:
        style = dict(bold=state["bold"] > 0, italic=state["italic"] > 0, strike=state["strike"] > 0,
                     sub=state["sub"] > 0, sup=state["sup"] > 0, cloze=cloze, hint=hint)
        name, _, edge = tok.type.rpartition("_")
        if name in _NESTING and edge in ("open", "close"):
            state[_NESTING[name]] += 1 if edge == "open" else -1
        elif tok.type == "cloze_open":
            cloze, hint = tok.meta["number"], tok.meta["hint"]
        elif tok.type == "cloze_close":
            cloze, hint = 0, ""
        elif tok.type == "cloze_unclosed":
            spans.append(Span(tok.content, kind=UNCLOSED, **style))
        elif tok.type == "code_inline":
            spans.append(Span(tok.content, code=True, **style))
        elif tok.type == "math_inline":
            spans.append(Span(tok.content, kind=MATH, **style))
        elif tok.type == "math_inline_double":
            spans.append(Span(tok.content.strip(), kind=DISPLAY, **style))
        elif tok.type == "image":
            spans.append(Span("".join(c.content for c in tok.children or ()), kind=IMAGE,
                              target=_parser().normalizeLinkText(tok.attrGet("src") or ""), **style))
        elif tok.type in ("softbreak", "hardbreak"):
            spans.append(Span(" ", **style))
        elif tok.content:
            spans.append(Span(tok.content, **style))
    return spans


def _merge(spans: list[Span]) -> Spans:
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last and last.kind == span.kind == TEXT and replace(last, text="") == replace(span, text=""):
            merged[-1] = replace(last, text=last.text + span.text)
        else:
            merged.append(span)
    return tuple(merged)


def plain(spans: Spans) -> str:
    return "".join(s.text for s in spans)


def escape(text: str) -> str:
    """Markdown-escape text so that it is shown exactly as written."""
    return "".join("\\" + c if c in "\\`*_$~^{![" else c for c in text)


def images(spans: Spans) -> list[str]:
    return [s.target for s in spans if s.kind == IMAGE]


def has_cloze(spans: Spans) -> bool:
    return any(s.cloze for s in spans)


def _escape_html(part: str) -> str:
    # `[` as an entity: Anki would otherwise turn [sound:…], [latex]…[/latex] or [$]…[/$] into media;
    # `{{` as entities: in a cloze note, Anki would read a literal `{{c1::…}}` as a deletion.
    return html.escape(part, quote=False).replace("[", "&#91;").replace("{{", "&#123;&#123;")


def plain_html(text: str) -> str:
    """The HTML of a text that `is_plain` (`to_html(parse(text))`), and of a plain span's text."""
    # Nothing but escapes goes into a field: a line-break hint inside a word would hide it from Anki's Browser
    # search (the card's CSS wraps long identifiers instead).
    if not ("&" in text or "<" in text or ">" in text or "[" in text or "{{" in text):
        return text
    return _escape_html(text)


def to_html(spans: Spans, media: Mapping[str, str] | None = None) -> str:
    """`media` maps an image's file as written to its name in Anki's media folder."""
    out = []
    cloze = 0
    for i, s in enumerate(spans):
        if s.cloze != cloze and cloze:
            out.append("}}")
        if s.cloze and s.cloze != cloze:
            out.append(f"{{{{c{s.cloze}::")
        if s.kind == MATH:
            piece = rf"\({html.escape(s.text, quote=False)}\)"
        elif s.kind == DISPLAY:
            piece = rf"\[{html.escape(s.text, quote=False)}\]"
        elif s.kind == IMAGE:
            name = html.escape((media or {}).get(s.target, s.target))
            piece = f'<img src="{name}" alt="{html.escape(s.text)}">'
        elif s.kind == BLOCK:
            piece = f"<pre><code>{_escape_html(s.text)}</code></pre>"
        else:
            piece = plain_html(s.text)
        if s.code and s.kind != BLOCK:
            piece = f"<code>{piece}</code>"
        if s.sub:
            piece = f"<sub>{piece}</sub>"
        if s.sup:
            piece = f"<sup>{piece}</sup>"
        if s.strike:
            piece = f"<s>{piece}</s>"
        if s.italic:
            piece = f"<i>{piece}</i>"
        if s.bold:
            piece = f"<b>{piece}</b>"
        out.append(piece)
        if s.cloze and s.hint and (i + 1 == len(spans) or spans[i + 1].cloze != s.cloze):
            out.append(f"::{_escape_html(s.hint)}")
        cloze = s.cloze
    if cloze:
        out.append("}}")
    return "".join(out)


# Layout marks where an over-wide token may break; sources cannot contain it (load rejects it).
LINE_BREAK = "\u2028"


def to_reportlab(spans: Spans, mono_font: str, formula: Callable[[Span], str] | None = None,
                 scripts: tuple[str, str] = ("<sub>", "<super>")) -> str:
    """Paragraph markup for running text: cloze parts print bold; `formula` gives a formula's markup; `scripts`:
    the tags that open a subscript and a superscript.

    Images and code blocks are not running text: the page sets them apart (see pdf/blocks.py).
    """
    sub, sup = scripts
    out = []
    for s in spans:
        if s.kind in (MATH, DISPLAY):
            piece = formula(s) if formula else _escape_rl(s.text)
        elif s.kind in (IMAGE, BLOCK):
            continue
        else:
            piece = _escape_rl(s.text)
        if s.code:
            piece = f'<font face="{mono_font}">{piece}</font>'
        if s.sub:
            piece = f"{sub}{piece}</sub>"
        if s.sup:
            piece = f"{sup}{piece}</super>"
        if s.strike:
            piece = f"<strike>{piece}</strike>"
        if s.italic:
            piece = f"<i>{piece}</i>"
        if s.bold or s.cloze:
            piece = f"<b>{piece}</b>"
        out.append(piece)
    return "".join(out)


def _escape_rl(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(LINE_BREAK, "<br/>")

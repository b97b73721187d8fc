"""A paragraph whose last line would hold a single word is set again: first with a slightly tighter
tracking, then with its second-last line broken one word earlier (that word joins the last line).

Tracking is PDF character spacing (Tc): every glyph advances `tracking` points less. ReportLab breaks
lines without it, so a tracked paragraph breaks with the room the tracking gains and then checks that
every line, tracked, fits the real width. A shorter second-last line costs nothing in ragged-right
text as long as the paragraph keeps its line count.
"""

from __future__ import annotations

import copy
import re

from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.paragraph import FragLine, ParaLines, cleanBlockQuotedText

from . import cjk
from .fitted import Fitted, Lines, trial_widths
from .memo import LayoutMemo
from .shapes import Shapes

_NEVER = 1e6
# What a shed paragraph keeps: what it was made from (Paragraph.__init__), how it is set, and where it may find
# its height without being parsed again.
_KEPT = frozenset({"text", "style", "bulletText", "caseSensitive", "encoding", "tracking", "gain", "shorten",
                   "markup", "memo", "shapes", "by_reportlab", "cleaned"})
_TAG = re.compile(r"<[^>]*>")


class Tracked(Paragraph):
    """A paragraph set with character spacing `tracking` (points, negative is tighter), its lines broken
    `gain` points wider than the room it is given, and line `shorten[0]` `shorten[1]` points narrower.

    It is parsed when its lines are first broken, not when it is made: with a `memo` (memo.LayoutMemo) that knows
    its height at a width, measuring it there costs a look-up, and it is parsed and broken only to be drawn."""

    tracking = 0.0
    gain = 0.0
    shorten: tuple[int, float] | None = None
    memo: LayoutMemo | None = None
    # The words `breakLines` may set from (fitted.py): while `settle` breaks the paragraph.
    fitted: Fitted | None = None
    # Set by ReportLab's breaking at every width (`settle` found its words' widths do not say its lines).
    by_reportlab = False
    # The layout's parsed shapes (shapes.py), which parse this paragraph's markup by copying another's fragments.
    shapes: Shapes | None = None
    # What `width` and `height` were found for, and what the lines in `blPara` were broken for: a paragraph is
    # measured, and drawn, several times at one width.
    _wrapped_for: tuple | None = None
    _broken_for: tuple | None = None

    def __init__(self, text, style, bulletText=None, frags=None):
        self.caseSensitive, self.encoding = 1, "utf8"
        # The markup as written: what the memo knows it by (`text` becomes the markup as cleaned once parsed).
        self.markup = text
        bulletText = bulletText or getattr(style, "bulletText", None)
        if frags is None:
            self.text, self.style, self.bulletText = text, style, bulletText
        else:
            self._setup(text, style, bulletText, frags, cleanBlockQuotedText)

    def _setup(self, text, style, bulletText, frags, cleaner):
        parse = frags is None
        if parse and self.shapes is not None:
            text = cleaner(text)  # cleaning cleaned markup changes nothing, so ReportLab's own parse may clean it again
            frags = self.shapes.frags(text, style)
        super()._setup(text, style, bulletText, frags, cleaner)
        if parse:
            self.cleaned = True  # `text` is now the markup as cleaned

    def wrap(self, availWidth, availHeight):
        key = (availWidth, self.gain, self.shorten)
        if key == self._wrapped_for:
            return self.width, self.height
        memo = self.memo
        if memo is not None:
            memo_key = memo.key("h", self.markup, self.style, *key)
            height = memo.get_height(memo_key)
            if height is not None:
                self.width, self.height, self._wrapped_for = availWidth, height, key
                return availWidth, height
        size = self._break(availWidth, availHeight)
        if memo is not None and self._broken_for == key:
            memo.put_height(memo_key, self.height)
        return size

    def parsed(self) -> Tracked:
        """This paragraph, its markup parsed (once)."""
        if self.__dict__.get("frags") is None:
            # `text` is the markup as first cleaned once parsed: cleaning it again changes nothing, and a shed
            # paragraph parsed again to be drawn is not.
            self._setup(self.text, self.style, self.bulletText, None,
                        _as_cleaned if self.__dict__.get("cleaned") else cleanBlockQuotedText)
        return self

    def _break(self, availWidth, availHeight):
        self.__dict__.pop("_lines", None)
        self.parsed()
        before = self.__dict__.get("blPara")
        if self.fitted is None and not self.by_reportlab:
            size = self._fit_again(availWidth, availHeight)
        else:
            size = super().wrap(availWidth, availHeight)
        # No new lines when the width is too narrow for any.
        broken = self.__dict__.get("blPara") is not before
        self._broken_for = self._wrapped_for = (availWidth, self.gain, self.shorten) if broken else None
        return size

    def _fit_again(self, availWidth, availHeight):
        """Break it again (to be drawn once shed past the held pages, or in a table at another width) as `settle`
        broke it: from its words' widths where they say the same lines as its breaking, else by ReportLab (parsed
        anew), whose breaking compares the styles of every word."""
        fitted = Fitted.of(self, availWidth)
        if fitted is None or fitted.single:
            return super().wrap(availWidth, availHeight)
        self.fitted = fitted
        try:
            size = super().wrap(availWidth, availHeight)
        finally:
            del self.fitted
        said = fitted.lines(self.gain, self.shorten)
        if said is None or _same(line_texts(self), said):
            return size  # None: a word too wide for its line, which ReportLab broke
        del self.frags
        self.parsed()
        return super().wrap(availWidth, availHeight)

    def draw(self):
        lines = self.__dict__.pop("_lines", None)
        if self._wrapped_for is not None and self._broken_for != self._wrapped_for:
            # Measured from the memo, at a width its lines (none, or those kept) were not broken for: broken now.
            lines = None
            self._break(self.width, _NEVER)
        elif lines is not None:
            self.blPara = _expanded(*lines)
        super().draw()
        if lines is not None:
            # Compact again: a copy that shares its lines (`settled`) or a relay kept for the next edit may hold the
            # paragraph past its page, and its lines expanded would stay with it (a 50,000-fact print's draw rose
            # 130 MiB).
            del self.blPara
            self._lines = lines
        # ReportLab's text object keeps a method bound to itself, so it would outlive the drawing until the collector
        # next ran, holding the paragraph's drawn code and first line (the 50,000-fact print's draw rose 49 MiB).
        text = self.__dict__.pop("_text", None)
        if text is not None:
            text.__dict__.clear()

    def shed(self, styles: dict | None = None) -> None:
        """Keep the markup and how it is set, let go of the rest (the parsed markup, the broken lines): the next
        wrap sets it again. With `styles` (see `_compact`), keep the lines as broken for the width it was last
        measured at, compact, so that drawing it there neither parses nor breaks it again."""
        lines = self.__dict__.get("blPara")
        if styles is not None and "_lines" in self.__dict__:
            return  # kept already (a table's head is measured with each run of its rows)
        if styles is not None and lines is not None and self._broken_for is not None and \
                self._broken_for == self._wrapped_for:
            held = self.__dict__
            del held["blPara"]
            held.pop("frags", None)
            held.pop("_width_max", None)  # set by each breaking, read by none of its drawing
            # A long sheet holds every page's lines (page.HELD_PAGES): what each paragraph keeps beside them is
            # shared where it can be. Its widths are kept only so that a right-to-left style's drawing finds them,
            # and are those of the paragraphs set alike; its markup as cleaned is most often the markup as written;
            # what its lines were broken for is what it was measured for (this branch's condition): one tuple.
            widths = held.get("_wrapWidths")
            if widths is not None:
                held["_wrapWidths"] = styles.setdefault(("widths", *widths), widths)
            if held.get("text") == self.markup:
                held["text"] = self.markup
            self._broken_for = self._wrapped_for
            self._lines = _compact(lines, styles)
        else:
            self.__dict__ = {key: value for key, value in self.__dict__.items() if key in _KEPT}

    def breakLines(self, width):
        widths = trial_widths(width, self.gain, self.shorten)
        fitted = self.fitted
        lines = fitted.broken(self, widths) if fitted is not None and not fitted.single else None
        return super().breakLines(widths) if lines is None else lines

    def breakLinesCJK(self, maxWidths):
        if self.bulletText:
            return super().breakLinesCJK(maxWidths)
        auto = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        return cjk.split(self.frags, trial_widths(maxWidths, self.gain, self.shorten), auto not in ("", "off"))

    def beginText(self, x, y):
        text = super().beginText(x, y)
        if self.tracking:
            text.setCharSpace(self.tracking)
        self._text = text
        return text


def _as_cleaned(text: str) -> str:
    return text


def _compact(lines: ParaLines, styles: dict) -> tuple:
    """Broken lines as little as drawing needs: a line of several styles (kind 1) as its attributes' names and
    values, and each of its style runs as its text and its style (a run's attributes but its text), one object for
    every run alike in `styles`, which a layout shares. A paragraph of one style (kind 0) as its style, likewise,
    and each line's spare width and words, joined by spaces (a word holds none)."""
    if lines.kind == 0:
        style = dict(lines.__dict__)
        broken, text = style.pop("lines"), style.pop("text", None)
        if any(" " in word for _, words in broken for word in words):
            return (lines, None)
        return (_interned(styles, ParaLines, style), (text, *((extra, " ".join(words)) for extra, words in broken)))
    compact = []
    for line in lines.lines:
        attributes = dict(line.__dict__)
        runs = []
        for word in attributes.pop("words"):
            style = dict(word.__dict__)
            text = style.pop("text", None)
            runs += (_interned(styles, type(word), style), text)
        names = tuple(attributes)
        compact.append((styles.setdefault(names, names), tuple(attributes.values()), tuple(runs)))
    return (None, compact)


def _interned(styles: dict, kind: type, style: dict) -> tuple[type, dict, tuple[str, ...]]:
    """The run style `styles` holds alike `style` (else `style`, now held), with the names of its lists: each drawing
    copies those (`_expanded`). Built in one pass over the values: a long sheet interns every run of its lines."""
    values = [tuple(v) if type(v) is list else v for v in style.values()]
    lists = tuple(name for name, v in style.items() if type(v) is list) if list in map(type, style.values()) else ()
    try:
        return styles.setdefault((kind, tuple(style), tuple(values)), (kind, style, lists))
    except TypeError:  # a value that cannot be a key: kept as it is
        return kind, style, lists


def _expanded(lines, compact: list | tuple | None) -> ParaLines:
    """The lines `_compact` kept, as ReportLab draws them (each run a frag of its own, its lists its own)."""
    if compact is None:
        return lines
    if type(compact) is tuple:
        kind, style, _ = lines
        return kind(**style, text=compact[0], lines=[(extra, words.split(" ")) for extra, words in compact[1:]])
    out = []
    for names, values, runs in compact:
        words = []
        for i in range(0, len(runs), 2):
            (kind, style, lists), text = runs[i], runs[i + 1]
            word = kind.__new__(kind)
            held = word.__dict__
            held.update(style)
            for name in lists:
                held[name] = list(style[name])
            if text is not None:
                word.text = text
            words.append(word)
        line = FragLine.__new__(FragLine)  # what FragLine(**attributes) makes, without the keywords' dict
        line.__dict__.update(zip(names, values))
        line.words = words
        out.append(line)
    return ParaLines(kind=1, lines=out)


def line_texts(paragraph: Paragraph) -> list[tuple[float, str]]:
    """Each laid-out line's spare width and text (call after wrap)."""
    bl = paragraph.blPara
    if bl.kind == 0:
        return [(extra, " ".join(words)) for extra, words in bl.lines]
    return [(line.extraSpace, "".join(getattr(w, "text", "") for w in line.words)) for line in bl.lines]


def _glyphs(text: str) -> int:
    # str.split() cuts at exactly the characters str.isspace() names.
    return len("".join(text.split()))


def ends_on_one_word(lines: Lines, text: str) -> bool:
    """An orphan word: the last of `lines` (a paragraph of cleaned markup `text`) holds one whole word (not the
    tail of an identifier broken at a joint) under a line of several. A label set one word per line ("Processing
    / Jobs") has no orphan."""
    if len(lines) < 2:
        return False
    last = [w for w in lines[-1][1].split(" ") if w]
    before = [w for w in lines[-2][1].split(" ") if w]
    return len(last) == 1 and len(before) > 1 and _TAG.sub("", text).split(" ")[-1] == last[0]


def _words(lines: Lines) -> list[str]:
    return " ".join(text for _, text in lines).split()


class _Broken:
    """`Fitted.lines` for a paragraph that has none: each setting broken by ReportLab, on a paragraph of its own
    that shares the first's parsed markup (parsing is most of what making one costs)."""

    def __init__(self, plain: Tracked, width: float):
        self.plain, self.width = plain, width
        plain.by_reportlab = True
        self.by_setting: dict[tuple, Tracked] = {}

    def lines(self, gain: float = 0.0, shorten: tuple[int, float] | None = None) -> Lines:
        paragraph = self.plain if (gain, shorten) == (0.0, None) else self.by_setting.get((gain, shorten))
        if paragraph is None:
            plain = self.plain
            paragraph = type(plain)(plain.text, plain.style, plain.bulletText, frags=plain.frags)
            paragraph.shapes = plain.shapes  # drawing parses a shed paragraph again through them
            paragraph.by_reportlab = True
            paragraph.gain, paragraph.shorten = gain, shorten
            self.by_setting[gain, shorten] = paragraph
        paragraph.wrap(self.width, _NEVER)
        return line_texts(paragraph)


def _setting(trials, text: str, steps: list[float],
             size: float) -> tuple[float, float, tuple | None, bool, Lines] | None:
    """The tracking, gain and shortened line a paragraph of cleaned markup `text` is set with (see `settle`), whether
    it still ends on one word and the lines it is set in; None when `trials` (Fitted or _Broken) cannot tell."""
    lines = trials.lines()
    if lines is None or not ends_on_one_word(lines, text):
        return None if lines is None else (0.0, 0.0, None, False, lines)
    words = _words(lines)

    def better(now: Lines | None) -> bool:
        # Same words (none split anew), no more lines, a last line of more than one word, and no short
        # word ("and") stranded alone on a middle line that held several.
        return now is not None and _words(now) == words and len(now) <= len(lines) and \
            not ends_on_one_word(now, text) and all(len(t.split()) > 1 or len(t.strip()) > 3 or len(old.split()) == 1
                                                     for (_, t), (_, old) in zip(now[1:], lines[1:]))

    most = max(_glyphs(line) for _, line in lines)
    for step in steps:
        tracking = step * size
        gain = -tracking * most
        for _ in range(4):
            now = trials.lines(gain)
            if now is None:
                return None
            # Tracked, a line is `glyphs * tracking` shorter; it fits when that covers the extra room it was given.
            if all(extra - tracking * _glyphs(line) >= gain - 1e-6 for extra, line in now):
                if better(now):
                    return tracking, gain, None, False, now
                break
            gain *= 0.7
    shorten = (len(lines) - 2, lines[-2][0] + 0.01)
    now = trials.lines(0.0, shorten)
    return (0.0, 0.0, shorten, False, now) if better(now) else (0.0, 0.0, None, True, lines)


def settle(make, width: float, steps: list[float], size: float) -> tuple[Paragraph, bool]:
    """The paragraph `make()` builds, set so that its last line holds more than one word if tracking by
    one of `steps` (ems) or a narrower measure can do it; returns it and whether it still ends on one word.
    The settings are tried on its words' widths (fitted.py) and only the one chosen is broken; a paragraph those
    cannot follow, or whose lines come out otherwise than they said, is broken at each setting tried."""
    plain = make().parsed()
    fitted = Fitted.of(plain, width)
    chosen = _setting(fitted, plain.text, steps, size) if fitted is not None else None
    if chosen is not None:
        tracking, gain, shorten, orphan, lines = chosen
        if (tracking, gain, shorten) != (0.0, 0.0, None):
            plain.tracking, plain.gain, plain.shorten = tracking, gain, shorten
        plain.fitted = fitted  # for this breaking only: a table breaks its cells again at other widths, rarely
        plain.wrap(width, _NEVER)
        del plain.fitted
        if _same(line_texts(plain), lines):
            return plain, orphan
        # Made anew: the one above holds its fitted words as fragments, and its wrap keeps the suspect lines.
        plain = make().parsed()
    broken = _Broken(plain, width)
    tracking, gain, shorten, orphan, _ = _setting(broken, plain.text, steps, size)
    paragraph = broken.by_setting.get((gain, shorten), plain)
    if tracking:
        paragraph.tracking = tracking
    return paragraph, orphan


def _same(lines: Lines, fitted: Lines) -> bool:
    """Whether `fitted` says the same lines as `lines`, broken: their spare widths and words (fitted.py may join two
    words with one space where ReportLab puts two)."""
    return [(e, t.split()) for e, t in lines] == [(e, t.split()) for e, t in fitted]


def made(markup: str, style, shapes: Shapes | None) -> Tracked:
    """A paragraph of `markup` in `style`, parsed through `shapes` (shapes.py) when it is."""
    paragraph = Tracked(markup, style)
    paragraph.shapes = shapes
    return paragraph


def settled(markup: str, style, width: float, steps: list[float], memo: LayoutMemo,
            twins: dict[bytes, Tracked] | None = None, shapes: Shapes | None = None) -> tuple[Paragraph, bool]:
    """`settle` for a paragraph of `markup` in `style`, from the memo when it has set the same paragraph at the
    same width before (then nothing is parsed until the paragraph is drawn); what it sets is kept there.
    `twins`: the paragraphs this layout pass has set, by key; one set again (a table's head, a repeated cell)
    shares their parsed markup and broken lines, so that it is not parsed and broken again to be drawn. `shapes`:
    the layout's (`made`)."""
    key = memo.key("s", markup, style, width, steps)
    known = memo.get_settled(key)
    twin = twins.get(key) if twins is not None and known is not None else None
    if twin is not None and _drawable(twin):
        # ReportLab draws a paragraph's lines without changing them, and compact lines are expanded anew for each
        # drawing: the copies can share them.
        return copy.copy(twin), known[4] if isinstance(known, tuple) else False
    if known is not None:
        tracking, gain, line, points, orphan, height = (0.0, 0.0, None, None, False, known) \
            if isinstance(known, float) else known
        paragraph = made(markup, style, shapes)
        paragraph.tracking, paragraph.gain = tracking, gain
        if line is not None:
            paragraph.shorten = (line, points)
        paragraph.memo = memo
        paragraph.width, paragraph.height = width, height
        paragraph._wrapped_for = (width, gain, paragraph.shorten)
        return paragraph, orphan
    paragraph, orphan = settle(lambda: made(markup, style, shapes), width, steps, style.fontSize)
    paragraph.markup, paragraph.memo = markup, memo
    if paragraph.tracking == paragraph.gain == 0.0 and paragraph.shorten is None and not orphan:
        memo.put_settled(key, float(paragraph.height))  # set as it came, as most paragraphs are: its height
    else:
        line, points = paragraph.shorten or (None, None)
        memo.put_settled(key, (paragraph.tracking, paragraph.gain, line, points, orphan, paragraph.height))
    if twins is not None:
        twins[key] = paragraph
    return paragraph, orphan


def _drawable(paragraph: Tracked) -> bool:
    """Whether `paragraph` holds its lines as broken for the width it was last measured at, whole or compact."""
    held = paragraph.__dict__
    return "_lines" in held or ("blPara" in held and paragraph._broken_for is not None and
                                paragraph._broken_for == paragraph._wrapped_for)


def shed(flowable: Flowable, styles: dict | None = None) -> None:
    """A measured flowable lets go of what drawing it sets again (its paragraphs' parsed markup and broken lines;
    with `styles`, a layout's table of style runs, it keeps the lines, compact): a long sheet is held whole until
    its pages are counted, and this is most of what it would hold."""
    if isinstance(flowable, Table):
        for row in flowable._cellvalues:
            for cell in row:
                for part in cell if isinstance(cell, (list, tuple)) else (cell,):
                    shed(part, styles)
    elif hasattr(flowable, "shed"):
        flowable.shed(styles)

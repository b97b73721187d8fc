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

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.paragraph import FragLine, ParaLines, cleanBlockQuotedText

from .memo import LayoutMemo
from .shapes import Shapes

_NEVER = 1e6
# What a shed paragraph keeps: what it was made from (Paragraph.__init__), how it is set, and where it may find
# its height without being parsed again.
_KEPT = frozenset({"text", "style", "bulletText", "caseSensitive", "encoding", "tracking", "gain", "shorten",
                   "markup", "memo", "shapes"})
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
        if frags is None and self.shapes is not None:
            text = cleaner(text)  # cleaning cleaned markup changes nothing, so ReportLab's own parse may clean it again
            frags = self.shapes.frags(text, style)
        super()._setup(text, style, bulletText, frags, cleaner)

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

    def _break(self, availWidth, availHeight):
        self.__dict__.pop("_lines", None)
        if self.__dict__.get("frags") is None:
            # `text` is the markup as first cleaned; cleaning it again changes nothing.
            self._setup(self.text, self.style, self.bulletText, None, cleanBlockQuotedText)
        before = self.__dict__.get("blPara")
        size = super().wrap(availWidth, availHeight)
        # No new lines when the width is too narrow for any.
        broken = self.__dict__.get("blPara") is not before
        self._broken_for = self._wrapped_for = (availWidth, self.gain, self.shorten) if broken else None
        return size

    def draw(self):
        lines = self.__dict__.pop("_lines", None)
        if lines is not None:
            self.blPara = _expanded(*lines)
        elif self._wrapped_for is not None and self._broken_for != self._wrapped_for:
            self._break(self.width, _NEVER)  # measured from the memo: its lines are broken only now
        super().draw()

    def shed(self, styles: dict | None = None) -> None:
        """Keep the markup and how it is set, let go of the rest (the parsed markup, the broken lines): the next
        wrap sets it again. With `styles` (see `_compact`), keep the lines as broken for the width it was last
        measured at, compact, so that drawing it there neither parses nor breaks it again."""
        lines = self.__dict__.get("blPara")
        if styles is not None and "_lines" in self.__dict__:
            return  # kept already (a table's head is measured with each run of its rows)
        if styles is not None and lines is not None and self._broken_for is not None and \
                self._broken_for == self._wrapped_for:
            del self.blPara
            self.__dict__.pop("frags", None)
            self._lines = _compact(lines, styles)
        else:
            self.__dict__ = {key: value for key, value in self.__dict__.items() if key in _KEPT}

    def breakLines(self, width):
        widths = [w + self.gain for w in width]
        if self.shorten:
            line, points = self.shorten
            widths += [widths[-1]] * (line + 2 - len(widths))
            widths[line] -= points
        return super().breakLines(widths)

    def beginText(self, x, y):
        text = super().beginText(x, y)
        if self.tracking:
            text.setCharSpace(self.tracking)
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
        line = FragLine(**dict(zip(names, values)))
        line.words = words
        out.append(line)
    return ParaLines(kind=1, lines=out)


def line_texts(paragraph: Paragraph) -> list[tuple[float, str]]:
    """Each laid-out line's spare width and text (call after wrap)."""
    bl = paragraph.blPara
    if bl.kind == 0:
        return [(extra, " ".join(words)) for extra, words in bl.lines]
    return [(line.extraSpace, "".join(getattr(w, "text", "") for w in line.words)) for line in bl.lines]


def ends_on_one_word(paragraph: Paragraph) -> bool:
    """An orphan word: the last line holds one whole word (not the tail of an identifier broken at a joint)
    under a line of several. A label set one word per line ("Processing / Jobs") has no orphan."""
    lines = line_texts(paragraph)
    if len(lines) < 2:
        return False
    last = [w for w in lines[-1][1].split(" ") if w]
    before = [w for w in lines[-2][1].split(" ") if w]
    return len(last) == 1 and len(before) > 1 and _TAG.sub("", paragraph.text).split(" ")[-1] == last[0]


def _glyphs(text: str) -> int:
    # str.split() cuts at exactly the characters str.isspace() names.
    return len("".join(text.split()))


def _fits_tracked(paragraph: Tracked) -> bool:
    # Tracked, a line is `glyphs * tracking` shorter; it fits when that covers the extra room it was given.
    return all(extra - paragraph.tracking * _glyphs(text) >= paragraph.gain - 1e-6
               for extra, text in line_texts(paragraph))


def _tracked(make, width: float, tracking: float, lines: list[tuple[float, str]]) -> Tracked | None:
    paragraph = make()
    paragraph.tracking = tracking
    paragraph.gain = -tracking * max(_glyphs(text) for _, text in lines)
    for _ in range(4):
        paragraph.wrap(width, _NEVER)
        if _fits_tracked(paragraph):
            return paragraph
        paragraph.gain *= 0.7
    return None


def _edge_word(paragraph: Paragraph, line: int, last: bool) -> float:
    """At most the width of line `line`'s first word (its last, `last`): the part of it set in one font (a word
    may run on in another, and an image adds none)."""
    bl = paragraph.blPara
    if bl.kind == 0:
        words = bl.lines[line][1]
        return stringWidth(words[-1 if last else 0], bl.fontName, bl.fontSize) if words else 0.0
    frags = [f for f in bl.lines[line].words if getattr(f, "text", "").strip()]
    if not frags:
        return 0.0
    frag = frags[-1 if last else 0]
    return stringWidth(frag.text.split()[-1 if last else 0], frag.fontName, frag.fontSize)


def _may_track(paragraph: Paragraph, lines: list[tuple[float, str]], gain: float) -> bool:
    """Whether breaking lines `gain` points wider can end `paragraph` (set plain, its last line one word) on more
    than one word. Wider lines only pull words up, so that needs either the orphan pulled up (every word on one
    line fewer) or the second-last line's first word pulled up (then, the orphan still alone, that line may hold
    a single word: not an orphan either). Widths are lower bounds and rooms upper bounds, so a `False` is sure."""
    n = len(lines)
    rooms = _rooms(paragraph, lines, gain)
    first = [_edge_word(paragraph, i, last=False) for i in range(n)]
    if first[n - 1] + rooms[n - 2][1] <= rooms[n - 2][0] + 1e-6:
        return True
    return n > 2 and first[n - 2] + rooms[n - 3][1] <= rooms[n - 3][0] + 1e-6


def _rooms(paragraph: Paragraph, lines: list[tuple[float, str]], gain: float) -> list[tuple[float, float]]:
    """For each line but the last, at most the room it has left once broken `gain` points wider, and the space
    that joins the next line's first word to it (0 where not known). A line has its own slack and gain, plus what
    it lost to the line above when that line may take its first word (else it starts where it did). Each line
    ends at a space of its last word's font unless ReportLab split or hyphenated a word, a line ends at a forced
    break or an image is set inline: then every line may take all the slack above it."""
    bl = paragraph.blPara
    if bl.kind == 0:
        spaces = [stringWidth(" ", bl.fontName, bl.fontSize)] * len(lines)
        forced = False
    else:
        spaces = [stringWidth(" ", line.words[-1].fontName, line.words[-1].fontSize) if line.words else 0.0
                  for line in bl.lines]
        # A forced break, or an image or formula, which a word may follow with no space between.
        forced = any(getattr(line, "lineBreak", False) for line in bl.lines) or \
            any(hasattr(frag, "cbDefn") for frag in paragraph.frags)
    if forced or getattr(paragraph, "_splitLongWordCount", 1) or paragraph._hyphenations or "\xad" in paragraph.text:
        slack = sum(extra + gain for extra, _ in lines[:-1])
        return [(slack, 0.0)] * (len(lines) - 1)
    widest = max(spaces)
    rooms, carried = [], 0.0
    for i, (extra, _) in enumerate(lines[:-1]):
        room = extra + gain + carried
        rooms.append((room, spaces[i]))
        takes = _edge_word(paragraph, i + 1, last=False) + spaces[i] <= room + 1e-6
        carried = room + widest if takes else 0.0
    return rooms


def _may_shorten(paragraph: Paragraph) -> bool:
    """Whether the second-last line's last word and the orphan fit on one line together (the narrower measure's
    only hope); lower bounds, so a `False` is sure."""
    n = len(paragraph.blPara.lines)
    together = _edge_word(paragraph, n - 2, last=True) + _edge_word(paragraph, n - 1, last=False)
    return together <= paragraph._wrapWidths[1] + 1e-6


def _words(paragraph: Paragraph) -> list[str]:
    return " ".join(text for _, text in line_texts(paragraph)).split()


def settle(make, width: float, steps: list[float], size: float) -> tuple[Paragraph, bool]:
    """The paragraph `make()` builds, set so that its last line holds more than one word if tracking by
    one of `steps` (ems) or a narrower measure can do it; returns it and whether it still ends on one word."""
    plain = make()
    plain.wrap(width, _NEVER)
    if not ends_on_one_word(plain):
        return plain, False
    lines, words = line_texts(plain), _words(plain)

    def make_again() -> Paragraph:
        # The same paragraph on the markup already parsed: parsing is most of what making one costs.
        again = type(plain)(plain.text, plain.style, plain.bulletText, frags=plain.frags)
        again.shapes = plain.shapes  # should it be parsed again to be drawn
        return again

    def better(candidate: Tracked | None) -> bool:
        # Same words (none split anew), no more lines, a last line of more than one word, and no short
        # word ("and") stranded alone on a middle line that held several.
        if candidate is None or _words(candidate) != words:
            return False
        now = line_texts(candidate)
        return (len(now) <= len(lines) and not ends_on_one_word(candidate)
                and all(len(t.split()) > 1 or len(t.strip()) > 3 or len(old.split()) == 1
                        for (_, t), (_, old) in zip(now[1:], lines[1:])))

    most = max(_glyphs(text) for _, text in lines)
    for step in steps:
        if not _may_track(plain, lines, -step * size * most):
            continue
        tracked = _tracked(make_again, width, step * size, lines)
        if better(tracked):
            return tracked, False
    if not _may_shorten(plain):
        return plain, True
    narrower = make_again()
    narrower.shorten = (len(lines) - 2, lines[-2][0] + 0.01)
    narrower.wrap(width, _NEVER)
    if better(narrower):
        return narrower, False
    return plain, True


def made(markup: str, style, shapes: Shapes | None) -> Tracked:
    """A paragraph of `markup` in `style`, parsed through `shapes` (shapes.py) when it is."""
    paragraph = Tracked(markup, style)
    paragraph.shapes = shapes
    return paragraph


def settled(markup: str, style, width: float, steps: list[float], memo: LayoutMemo,
            twins: dict[str, Tracked] | None = None, shapes: Shapes | None = None) -> tuple[Paragraph, bool]:
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

"""A paragraph's lines at trial widths, worked out without breaking them.

Settling a paragraph (tracking.settle) asks where its lines would end at several widths: plain, tracked a little
tighter, its second-last line a little narrower. ReportLab's line breaking answers each by building every line's
styled fragments again (a multi-style paragraph's, with a slow comparison per word), which is most of what
settling costs; yet it only adds each word's width, measured once, to the line's until the next does not fit.
`Fitted` adds them the same way, in the same order, from the words as ReportLab measures them, so that only the
setting chosen is broken, once. It follows ReportLab's greedy breaking where nothing else is in play; a paragraph
with more (an inline image, a forced break, soft hyphens, hyphenation, bidirectional or shaped text, a bullet)
has no `Fitted` and is broken at each width instead.
"""

from __future__ import annotations

import reportlab
from reportlab.pdfbase.pdfmetrics import getAscentDescent, getFont, stringWidth
from reportlab.platypus import paragraph as rl
from reportlab.platypus.paragraph import FragLine, ParaLines
from reportlab.rl_config import _FUZZ

FOLLOWED = reportlab.Version.startswith("5.1.")
"""The line breaking followed here is ReportLab 5.1's (its private `_getFragWords`, `_HSFrag`, `_processed_frags`,
`_FK_TEXT` included): under another version no paragraph is fitted, and each setting is broken by ReportLab."""

Lines = list[tuple[float, str]]
"""Each line's spare width and text, as tracking.line_texts gives them."""

# What ReportLab compares to tell whether a word continues the style run before it (rl_accel.sameFrag, in C, where
# comparing costs about as much as the rest of breaking a word: it looks up attributes the fragments lack).
_RUN = ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor", "nobr")
_MISSING = object()


def _same_run(run, frag) -> bool:
    """sameFrag(run, frag) for fragments with no image and no forced break: a missing attribute equals only a
    missing one, and an object itself."""
    held, other = run.__dict__, frag.__dict__
    for name in _RUN:
        a, b = held.get(name, _MISSING), other.get(name, _MISSING)
        if a is not b and (a is _MISSING or b is _MISSING or a != b):
            return False
    return True


def _measured(words: list) -> tuple[list, list] | None:
    """A multi-style paragraph's fragment words (`_getFragWords`) as `Fitted` words and the spaces after them; None
    when one holds more than text.

    The space after a word that stays on its line is in its last piece's font at its first piece's size; after one
    that starts a line, at its last piece's size (Paragraph.breakLines): they differ only in a word whose pieces differ
    in size. A paragraph's words come in a few fonts and sizes, so each pair is measured once."""
    out, spaces, known = [], [], {}
    hanging, text_kind = rl._HSFrag, rl._FK_TEXT
    for word in words:
        kind = type(word)
        if kind is not list and kind is not hanging:
            return None
        if len(word) == 2:
            first = last = word[1][0]
            if first._fkind != text_kind:
                return None
            out.append((word[0], word[1][1]))
        else:
            if any(frag._fkind != text_kind for frag, _ in word[1:]):
                return None
            first, last = word[1][0], word[-1][0]
            out.append((word[0], "".join([piece for _, piece in word[1:]])))
        if kind is not hanging:
            spaces.append((0, 0))
            continue
        key = (last.fontName, first.fontSize, last.fontSize)
        space = known.get(key)
        if space is None:
            space = known[key] = (stringWidth(" ", key[0], key[1]), stringWidth(" ", key[0], key[2]))
        spaces.append(space)
    return out, spaces


def trial_widths(widths: list[float], gain: float, shorten: tuple[int, float] | None) -> list[float]:
    """The widths lines are broken at (a paragraph's first and later lines' widths), `gain` points wider and line
    `shorten[0]` `shorten[1]` points narrower (tracking.Tracked)."""
    widths = [w + gain for w in widths]
    if shorten:
        line, points = shorten
        widths += [widths[-1]] * (line + 2 - len(widths))
        widths[line] -= points
    return widths


class Fitted:
    """A parsed paragraph's words with their widths, to fit into lines at any trial widths (`lines`)."""

    def __init__(self, widths: list[float], words: list, spaces: list[float], single: bool, split_long: bool):
        self.widths = widths  # the first and later lines' widths, as Paragraph.wrap works them out
        self.words = words  # (width, text) each
        self.spaces = spaces  # the space after each word in its font; a multi-style one's: see `of`, 0 where none
        self.single = single  # one style: ReportLab's first case (kind 0), else its second (kind 1)
        self.split_long = split_long
        self.pieces: list = []  # a multi-style paragraph's words as ReportLab's fragment words

    @classmethod
    def of(cls, paragraph, width: float) -> Fitted | None:
        """The words of `paragraph` (parsed) set `width` wide, or None when its breaking takes more than adding
        widths (see the module's docstring). A multi-style paragraph's fragments become its words, measured, as
        its first breaking would leave them: it is not measured again when broken."""
        style, frags = paragraph.style, paragraph.frags
        if (not FOLLOWED or width < _FUZZ or paragraph.bulletText or style.wordWrap or style.shaping
                or style.spaceShrinkage or getattr(style, "hyphenationLang", "") or style.uriWasteReduce
                or style.embeddedHyphenation
                or not frags or rl._processed_frags(frags) or "\xad" in paragraph.text):
            return None
        indent = style.leftIndent
        widths = [width - (indent + style.firstLineIndent) - style.rightIndent, width - indent - style.rightIndent]
        if len(frags) == 1 and not (style.endDots or hasattr(frags[0], "cbDefn") or hasattr(frags[0], "backColor")):
            frag = frags[0]
            text = rl.strip(frag.text) if hasattr(frag, "text") else ""
            if not text:
                return None
            size, encoding = frag.fontSize, paragraph.encoding
            measure = getFont(frag.fontName).stringWidth  # what pdfmetrics.stringWidth looks up for every word
            words = [(measure(word, size, encoding), word) for word in rl.split(text)]
            space = measure(" ", size, encoding)
            return cls(widths, words, [space] * len(words), True, style.splitLongWords)
        words = rl._getFragWords(frags, widths[0])
        measured = _measured(words)
        if measured is None:
            return None
        paragraph.frags = words
        fitted = cls(widths, measured[0], measured[1], False, style.splitLongWords)
        fitted.pieces = words
        return fitted

    def lines(self, gain: float = 0.0, shorten: tuple[int, float] | None = None) -> Lines | None:
        """The lines ReportLab would break the words into at the widths `trial_widths` makes; None when a word is
        wider than its line (ReportLab would split it)."""
        widths = trial_widths(self.widths, gain, shorten)
        return (self._single if self.single else self._multi)(widths)

    def _single(self, widths: list[float]) -> Lines | None:
        # Paragraph.breakLines's first case: the line's width starts a space short, each word adds a space and
        # itself, and a line takes its first word whatever its width.
        out, line, last, words = [], 0, len(widths) - 1, []
        room, space = widths[0], self.spaces[0] if self.spaces else 0.0
        current = -space
        for width, word in self.words:
            new = current + space + width
            if new > room and self.split_long and width > room:
                return None
            if new <= room or not words:
                words.append(word)
                current = new
            else:
                out.append((room - current, " ".join(words)))
                words, current, line = [word], width, line + 1
                room = widths[min(last, line)]
        if words:
            out.append((room - current, " ".join(words)))
        return out

    def _multi(self, widths: list[float]) -> Lines | None:
        # Its second case: a word adds the space after the word before it (in that word's font) and itself; a line
        # ends when a word does not fit on it and it holds a word with text. A line's text joins its words, a space
        # between two where ReportLab puts one.
        out, line, last = [], 0, len(widths) - 1
        room, current, space, counted, text = widths[0], 0, 0, 0, None
        for (width, pieces), after in zip(self.words, self.spaces):
            new = current + space + width if width > 0 else current
            if new > room and self.split_long and width > room:
                return None
            if new > room and counted > 0:
                out.append((room - current, text))
                line += 1
                room = widths[min(last, line)]
                text, current, counted, space = pieces, width, 1, after[1]
            else:
                text = pieces if text is None else text + (" " if space and not text.endswith(" ") else "") + pieces
                counted += 1 if pieces else 0
                current, space = new, after[0]
        if text is not None:
            out.append((room - current, text))
        return out

    def broken(self, paragraph, widths: list[float]) -> ParaLines | None:
        """A multi-style paragraph's lines at `widths` as Paragraph.breakLines makes them, without its comparison
        per word (`_same_run`); None where a word is wider than its line. `paragraph` is left as breaking leaves it."""
        lines, placed, first, widest, line, last, room = [], [], 0, 0, 0, len(widths) - 1, widths[0]
        held = None
        for word, after in zip(self.pieces, self.spaces):
            placed.append(word)
            if held is None:
                counted = space = current = 0
                held = _Line(word[-1][0])
            width, frag, text = word[0], word[1][0], word[1][1]
            new = current + space + width if width > 0 else current
            if new > room and self.split_long and width > room:
                return None
            if new > room and counted > 0:
                if current > widest:
                    widest = current
                lines.append(held.line(room - current, counted, room, first))
                first, line = len(placed) - 1, line + 1
                room = widths[min(last, line)]
                space, current, counted = after[1], width, 1
                held = _Line(frag)
                held.run(frag, text)
                if len(word) > 2:
                    held.rest(word)
                continue
            counted += 1 if text else 0
            if frag is not held.taken:
                held.take(frag)
            runs = held.runs
            if runs and (frag is held.source or _same_run(held.source, frag)):
                runs[-1].text += (" " + text) if space and not runs[-1].text.endswith(" ") else text
            else:
                if space and runs and not runs[-1].text.endswith(" "):
                    runs[-1].text += " "
                held.run(frag, text)
            space = after[0]
            if len(word) > 2 and held.rest(word) and not text:
                counted += 1
            current = new
        if held is not None:
            if current > widest:
                widest = current
            lines.append(held.line(room - current, counted, room, first))
        paragraph.frags, paragraph._width_max = placed, widest
        paragraph._splitLongWordCount = paragraph._hyphenations = 0
        return ParaLines(kind=1, lines=lines)


class _Line:
    """A line as breaking gathers it: its style runs (each a copy of a fragment holding the run's text), its largest
    font size, highest ascent and lowest descent."""

    def __init__(self, frag):
        self.runs: list = []
        self.source = None  # the fragment the last run copies
        self.taken = frag  # the fragment whose font was taken last: taking it again changes nothing
        self.size = frag.fontSize
        self.ascent, self.descent = getAscentDescent(frag.fontName, frag.fontSize)

    def take(self, frag) -> None:
        if frag is self.taken:
            return
        self.taken = frag
        ascent, descent = getAscentDescent(frag.fontName, frag.fontSize)
        self.size = max(self.size, frag.fontSize)
        self.ascent = max(self.ascent, ascent)
        self.descent = min(self.descent, descent)

    def run(self, frag, text: str) -> None:
        run = frag.clone()
        run.text = text
        self.runs.append(run)
        self.source = frag

    def rest(self, word: list) -> bool:
        """Put the pieces of `word` after its first on the line, each a run of its own; whether one holds text."""
        held = False
        for frag, text in word[2:]:
            self.run(frag, text)
            held = held or bool(text)
            self.take(frag)
        return held

    def line(self, extra: float, counted: int, room: float, first: int) -> FragLine:
        return FragLine(extraSpace=extra, wordCount=counted, lineBreak=False, words=self.runs, fontSize=self.size,
                        ascent=self.ascent, descent=self.descent, maxWidth=room, sFW=first)

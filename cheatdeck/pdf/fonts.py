"""The theme's TrueType faces, registered with ReportLab, and the fallback fonts for what they lack.

Each run of characters is set in the first font that has all its glyphs: the theme's own faces (which carry
bold and italic), else the fallback fonts in the theme's order (a CJK font, a symbol font; one face each, so
bold and italic runs in them print upright and regular). ReportLab embeds only what a page uses of each font.
A character no font has is one error, at every line that uses it.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from ..errors import CheatdeckError, Location, Problem
from ..inline import is_plain
from ..model import Sheet
from .theme import Theme
from .truetype import Face

# Variation selectors ask for a text or emoji presentation; a font has one presentation, so they are dropped.
_SELECTORS = re.compile("[\ufe00-\ufe0f]")
# ReportLab paragraph markup: a tag, an entity, or text.
_MARKUP = re.compile(r"(<[^>]*>|&[#\w]+;)")
_FONT_TAG = re.compile(r"""<font\b[^>]*?\b(?:name|face)\s*=\s*["']([^"']+)["']""")


class _Font(TTFont):
    """A TrueType font whose ToUnicode map writes characters beyond U+FFFF as UTF-16: ReportLab writes their
    bare hex, so a reader copying 🔥 out of the PDF gets U+1F52 (docs/reportlab-tounicode-bug.md). Only
    cheatdeck's own fonts are of this class; ReportLab's other users in the process are left as they are.
    Its face reads the character map and the widths in bulk (truetype.py)."""

    def __init__(self, name: str, file) -> None:
        # TTFont.__init__ with its defaults, but for the face's class (tests/test_truetype.py compares the two).
        self.fontName = name
        self.face = Face(file)
        self.encoding = ttfonts.TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)

    def addObjects(self, doc) -> None:
        state = self.state.get(doc)
        names = [(ttfonts.SUBSETN(n) + b"+" + self.face.name + self.face.subfontNameX).decode("pdfdoc")
                 for n in range(len(state.subsets))] if state else []
        super().addObjects(doc)
        for name in names:
            stream = doc.idToObject["toUnicodeCMap:" + name]
            stream.content = _ASTRAL.sub(_utf16, stream.content)


# A ToUnicode entry whose code point ReportLab wrote as more than four hex digits.
_ASTRAL = re.compile(r"^(<[0-9A-F]{2}>) <([0-9A-F]{5,6})>$", re.MULTILINE)


def _utf16(match: re.Match) -> str:
    return f"{match.group(1)} <{chr(int(match.group(2), 16)).encode('utf-16-be').hex().upper()}>"


def _load(path: Path, where: Location, single: bool = False) -> TTFont:
    """Register a TrueType font under a name drawn from its bytes, so that a changed file, or another theme's
    file of the same name, is a font of its own; `single`: it is its own bold and italic (a fallback font)."""
    try:
        data = path.read_bytes()
    except OSError:
        raise CheatdeckError(Problem(where, f"no font file {str(path)!r}")) from None
    name = f"cd-{path.stem}-{hashlib.sha256(data).hexdigest()[:16]}"
    if name not in pdfmetrics.getRegisteredFontNames():
        file = io.BytesIO(data)
        file.name = str(path)  # ReportLab names the font's embedded file after it
        try:
            font = _Font(name, file)
        except Exception as exc:
            raise CheatdeckError(Problem(where, f"cannot load the font {str(path)!r}: {exc}")) from None
        # ReportLab keeps one font per face name in a process, and a changed file keeps its face name: the
        # font registers under its content name, then prints under its own.
        face_name, font.face.name = font.face.name, name.encode()
        pdfmetrics.registerFont(font)
        font.face.name = face_name
        if single:
            pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    return pdfmetrics.getFont(name)


def _label(font: TTFont) -> str:
    name = font.face.name
    return name.decode("latin-1") if isinstance(name, bytes) else str(name)


def _covers(faces: list[TTFont], char: str) -> bool:
    return all(ord(char) in f.face.charToGlyph for f in faces)


class Fallback:
    """Which font sets each character, for paragraph markup and for strings drawn on the canvas."""

    def __init__(self, text_faces: list[TTFont], code_faces: list[TTFont], fallbacks: list[TTFont]):
        self.text_faces, self.code_faces, self.fallbacks = text_faces, code_faces, fallbacks
        self.mono_names = {f.fontName for f in code_faces}
        self._cache: dict[tuple[str, bool], str | None] = {}
        # Characters (spaces too) seen set in the style's own face, for text and for code: a text made only of
        # them is one run, found without a look-up per character.
        self._own: dict[bool, set[str]] = {False: set(), True: set()}

    @property
    def tried(self) -> list[str]:
        return [_label(f) for f in (self.text_faces[0], *self.fallbacks)]

    def font_for(self, char: str, code: bool = False) -> str | None:
        """None when the style's own face sets `char` (or nothing can); else the fallback font's name."""
        key = (char, code)
        if key not in self._cache:
            own = self.code_faces if code and self.code_faces else self.text_faces
            found = None
            if not (char.isspace() or _covers(own, char)):
                found = next((f.fontName for f in self.fallbacks if _covers([f], char)), None)
            self._cache[key] = found
        return self._cache[key]

    def runs(self, text: str, code: bool = False) -> Iterator[tuple[str | None, str]]:
        """`text` cut into runs by font (None: the style's own); spaces stay in the run they are in."""
        own = self._own[code]
        if own.issuperset(text):
            if text:
                yield None, text
            return
        current, run, alone = None, "", True
        for char in _SELECTORS.sub("", text):
            font = current if char.isspace() else self.font_for(char, code)
            if font != current and run:
                yield current, run
                run, alone = "", False
            current, run = font, run + char
        if run:
            yield current, run
        if alone and current is None:
            own.update(run)

    def prints(self, text: str) -> bool:
        """Whether a face, the style's own or a fallback, sets each character of `text`."""
        return all(char.isspace() or _covers(self.text_faces, char) or self.font_for(char) is not None
                   for char in _SELECTORS.sub("", text))

    def markup(self, markup: str) -> str:
        """Paragraph markup with each run its own faces lack wrapped in a `<font>` of the first fallback."""
        out, stack = [], []
        for token in _MARKUP.split(markup):
            if token.startswith("<"):
                if token.startswith("<font"):
                    # A <font> without a face (a colour) keeps the face it is in.
                    m = _FONT_TAG.match(token)
                    stack.append(m.group(1) in self.mono_names if m else bool(stack and stack[-1]))
                elif token.startswith("</font") and stack:
                    stack.pop()
                out.append(token)
            elif token.startswith("&") or not token:
                out.append(token)
            else:
                code = bool(stack and stack[-1])
                out.extend(run if font is None else f'<font name="{font}">{run}</font>'
                           for font, run in self.runs(token, code))
        return "".join(out)

    def width(self, text: str, font: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(run, face or font, size) for face, run in self.runs(text))

    def draw(self, canvas, x: float, y: float, text: str, font: str, size: float) -> float:
        """Draw `text` from (x, y) in `font`, runs it lacks in their fallback; returns the width drawn."""
        start = x
        for face, run in self.runs(text):
            canvas.setFont(face or font, size)
            canvas.drawString(x, y, run)
            x += pdfmetrics.stringWidth(run, face or font, size)
        return x - start


@dataclass(frozen=True)
class FontNames:
    """The names the theme's faces are registered under for one build (fonts.py derives them from the files'
    contents)."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    mono: str
    fallback: Fallback


def _printed(sheet: Sheet, chars: set[str]) -> Iterator[tuple[str, bool, object]]:
    """Every string the page prints that holds one of `chars`, with whether it is code and what it comes from (a
    text, a domain or the sheet: its `.loc`, made only for the message that needs it). Only a text whose plain
    string holds one of them is parsed."""
    for text in sheet.texts():
        if not chars.isdisjoint(text.plain):
            for span in text.spans:
                if span.printed:
                    yield span.text, span.code, text
    for string, owner in _beside_texts(sheet):
        yield string, False, owner


def _beside_texts(sheet: Sheet) -> Iterator[tuple[str, object]]:
    """The strings the page prints that are no text of the sheet (the domains' labels, author and version),
    with what each comes from."""
    for domain in sheet.domains:
        yield domain.label, domain
    for extra in (sheet.author, sheet.version):
        if extra:
            yield extra, sheet


def _plain_strings(sheet: Sheet) -> Iterator[str]:
    """What `_printed` draws from, unparsed: each text's plain string (its spans' texts joined; formulas and
    images' alt texts too, which the page does not set in its fonts), the domains' labels, author and version."""
    yield from (text.plain for text in sheet.texts())
    yield from (string for string, _ in _beside_texts(sheet))


def printed_ink(sheet: Sheet, font: str) -> tuple[float, int]:
    """The length at 1 pt of everything the page prints, set in `font`, and the number of pieces it is in.
    A card's own question, answer and `why:` are left out: the page does not print them, and counting them
    would move the fit search's first guess whenever a card is reworded. A text without markup is one piece,
    its source: only the others are parsed."""
    skip = _card_only(sheet)
    pieces = []
    for text in sheet.texts():
        if id(text) in skip:
            continue
        if is_plain(text.source):
            pieces.append(text.source)
        else:
            pieces += [span.text for span in text.spans if span.printed]
    pieces += [string for string, _ in _beside_texts(sheet)]
    # One call over the whole: a width is the sum of its characters' (no kerning in ReportLab's TrueType widths).
    return pdfmetrics.stringWidth("".join(pieces), font, 1.0), len(pieces)


def _card_only(sheet: Sheet) -> set[int]:
    """The ids of the texts only the cards show: questions, answers, and `why:` unless the page prints it."""
    why = not sheet.print.why
    items = [item for domain in sheet.domains for section in domain.sections
             for item in (*section.facts, *section.traps)]
    texts = [t for item in items for t in (item.question, item.answer, item.why if why else None)]
    for domain in sheet.domains:
        for section in domain.sections:
            texts += [row.why for row in section.table.rows] if section.table and why else []
    for qrow in sheet.quick_reference.rows if sheet.quick_reference else ():
        texts += [qrow.question, qrow.answer, qrow.why if why else None]
    return {id(t) for t in texts if t is not None}


def fonts_for(theme: Theme, folder: Path, sheet: Sheet) -> tuple[FontNames, list[Problem]]:
    """Register the theme's faces (the italic pair only when some text is italic, the mono pair only when
    some is `code`: parsing a TTF costs) and the fallback fonts the sheet needs, in order; with one problem
    per character that no font has."""
    theme_file = Location(str(folder.parent / "pdf" / "theme.yaml"))
    mono, italic = _styles(sheet)
    styles = ("regular", "bold") + (("italic", "bold_italic") if italic else ()) + (
        ("mono", "mono_bold") if mono else ())
    faces = {style: _load(folder / getattr(theme.fonts, style), theme_file) for style in styles}
    names = {style: font.fontName for style, font in faces.items()}
    names.setdefault("italic", names["regular"])
    names.setdefault("bold_italic", names["bold"])
    pdfmetrics.registerFontFamily(names["regular"], normal=names["regular"], bold=names["bold"],
                                  italic=names["italic"], boldItalic=names["bold_italic"])
    if mono:
        pdfmetrics.registerFontFamily(names["mono"], normal=names["mono"], bold=names["mono_bold"],
                                      italic=names["mono"], boldItalic=names["mono_bold"])
    text_faces = [faces[s] for s in ("regular", "bold", "italic", "bold_italic") if s in faces]
    code_faces = [faces[s] for s in ("mono", "mono_bold") if s in faces]

    uses = _uncovered(sheet, text_faces, code_faces)
    fallbacks: list[TTFont] = []
    # A fallback font is parsed only when some character needs it: CJK fonts are large.
    for entry in theme.fonts.fallback:
        if all(any(_covers([f], char) for f in fallbacks) for char, _ in uses):
            break
        path = Path(entry).expanduser()
        fallbacks.append(_load(path if path.is_absolute() else folder / path, theme_file, single=True))
    fallback = Fallback(text_faces, code_faces, fallbacks)

    missing: dict[str, list[Location]] = {}
    for (char, code), locs in uses.items():
        if fallback.font_for(char, code) is None:
            missing.setdefault(char, []).extend(locs)
    problems = [_missing(char, locs, fallback.tried) for char, locs in missing.items()]
    return FontNames(names["regular"], names["bold"], names["italic"], names["bold_italic"],
                     names.get("mono", names["regular"]), fallback), problems


def _styles(sheet: Sheet) -> tuple[bool, bool]:
    """Whether some text is code, and whether some is italic. Code takes a backtick or a line break and italics
    a `*` or `_`: only a text that holds one is parsed."""
    mono = italic = False
    for text in sheet.texts():
        source = text.source
        if not mono and ("`" in source or "\n" in source):
            mono = any(span.code for span in text.spans)
        if not italic and ("*" in source or "_" in source):
            italic = any(span.italic for span in text.spans)
        if mono and italic:
            break
    # Captions are set in italics.
    return mono, italic or any(section.image and section.image.caption
                               for domain in sheet.domains for section in domain.sections)


def _uncovered(sheet: Sheet, text_faces: list[TTFont],
               code_faces: list[TTFont]) -> dict[tuple[str, bool], list[Location]]:
    """Each (character, is code) the theme's faces lack → where the sheet prints it. The characters of every
    plain string (a text's spans' texts, joined) are gathered as one set first, so a long sheet pays a look-up
    per distinct character and parses nothing; the texts that hold one that some face lacks are parsed to tell
    code from text, printed from not, and where."""
    found: set[str] = set()
    for string in _plain_strings(sheet):
        found.update(string)
    lacking = {char for char in found if not (char.isspace() or _SELECTORS.match(char) or (
        _covers(text_faces, char) and _covers(code_faces, char)))}
    uses: dict[tuple[str, bool], list[Location]] = {}
    if not lacking:
        return uses
    for string, code, owner in _printed(sheet, lacking):
        for char in dict.fromkeys(_SELECTORS.sub("", string)):
            if char in lacking and not _covers(code_faces if code else text_faces, char):
                uses.setdefault((char, code), []).append(owner.loc)
    return uses


def _missing(char: str, locs: list[Location], tried: list[str]) -> Problem:
    lines = sorted({loc.line for loc in locs if loc.line})
    where = "" if len(lines) < 2 else f", on lines {', '.join(map(str, lines))}"
    name = unicodedata.name(char, "")
    return Problem(locs[0], f"no font has a glyph for {char!r} (U+{ord(char):04X}{' ' + name if name else ''}"
                            f"{where}): tried {', '.join(tried)}; replace it, or add a font that has it "
                            "to `fonts: fallback:` in the PDF theme")

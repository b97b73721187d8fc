"""Pages an earlier build drew, reused when what a page shows and the fonts' state before it are the same.

A page's content stream depends on what the page shows and on two things ReportLab settles in document order:
the codes of each TrueType subset (given to characters as they are first used: pdfbase/ttfonts.py `splitString`)
and the fonts' resource names (`F1`, `F2`, … in order of first use). So a drawn page is kept with a digest of
that state as it stood before the page, and with the characters and fonts the page used first. It is reused only
when the state before it is the same again; its first uses are then replayed through the same calls, so that
every later page, and the subsets embedded at the end, come out as a cold build makes them. A page that drew
anything else the document holds (an image, a form, a link, a shading, a transparency) is not kept.

A page's key says what it shows: the sheet-wide look (`Look`: size, theme, fonts, paper, header band, footer),
the page's number and count, and for each column its glue and each piece's place and size, from a digest of
what its section holds (its text, not where in the file it is written).
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import weakref
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import (PDF_SUPPORT_VERSION, PDFArray, PDFBase85Encode, PDFDictionary, PDFName, PDFPage,
                                      PDFStream, PDFZCompress)

from ..errors import Location
from ..model import Domain, QuickReference, Section, Sheet, Text
from .outlines import FormulaCanvas


class Drawn(NamedTuple):
    """A page as drawn: the fonts' state before it (`before`), its content stream (zlib), and what it used
    first: per font, the characters given codes, in order; then the fonts given names, in order; and the PDF
    version the document needed after it (a transparency, even an opaque one, asks for 1.4)."""

    before: str
    code: bytes
    chars: tuple[tuple[str, str], ...]
    names: tuple[str, ...]
    version: tuple[int, ...]

    def text(self) -> str | None:
        """The page's content stream, or None when what was kept is damaged."""
        try:
            return zlib.decompress(self.code).decode("utf-8", "surrogatepass")
        except (zlib.error, UnicodeDecodeError):
            return None


def digest(*parts: str) -> str:
    text = "\x1f".join(parts)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# Each dataclass's fields, got by a function made once per class, without those saying where a record was written:
# a line inserted above a section must not change what its pages show.
_GETTERS: dict[type, Callable] = {}
_PLACES = frozenset({"loc", "where", "marks"})
_PLAIN = (str, int, float, bool, type(None))


def _walk(value, out) -> None:
    """What `value` holds, as strings, leaving out where it was written (its Locations). A domain met inside
    another value (a quick reference row's) counts by its id: its own look and sections are digested apart."""
    kind = type(value)
    fields = _GETTERS.get(kind)
    if fields is not None:  # a dataclass met before; its texts and plain values here, without a call each
        out(kind.__name__)
        for item in fields(value):
            field_kind = type(item)
            if field_kind is Text:
                out(item.source)
            elif field_kind in _PLAIN:
                out(repr(item))
            elif field_kind is not Location:
                _walk(item, out)
    elif kind in _PLAIN:
        out(repr(value))
    elif kind is Text:
        out(value.source)
    elif kind is Location:
        return
    elif kind is Domain:
        out(value.id)
    elif kind is tuple or kind is list:
        out(f"[{len(value)}")
        for item in value:
            _walk(item, out)
    elif kind is bytes:
        out(hashlib.blake2b(value, digest_size=16).hexdigest())
    elif dataclasses.is_dataclass(value):
        names = tuple(item.name for item in dataclasses.fields(value) if item.name not in _PLACES)
        _GETTERS[kind] = (lambda v, get=operator.attrgetter(*names): get(v)) if len(names) > 1 else \
            (lambda v, name=names[0] if names else None: (getattr(v, name),) if name else ())
        _walk(value, out)
    else:
        out(repr(value))


def content(*values) -> str:
    parts: list[str] = []
    for value in values:
        _walk(value, parts.append)
    return digest(*parts)


def _domain(domain: Domain) -> str:
    return content(domain.id, domain.label, domain.name, domain.short, domain.weight, domain.color)


# The last sheet's units (`units_in_order`): a build asks for them in the layout pass and again when it draws.
# One tuple, replaced whole, so that builds in two threads never read one sheet's reference with another's units.
_last: tuple = (lambda: None, [])
# The last sheet's sections' digests, by each record's id: the record (weakly), what else went into its digest, and
# the digest. A section `watch` kept between saves is the same record (source/sections.py): its text is not
# digested again. Replaced whole by each sheet, so it holds one sheet's few strings.
_digested: dict[int, tuple[weakref.ref, tuple, str]] = {}


def units_in_order(sheet: Sheet) -> list[tuple[str, str, Location]]:
    """The flow's units in order (`Layout.document`: the sections, then the quick reference if it prints rows),
    each as its content digest, its title and where it starts. The quick reference's digest is of its rows as
    printed (in compact mode, what the sections state is left out)."""
    from .quickref import printed_rows

    global _last
    last, units = _last
    if last() is sheet:
        return units
    units = [(key, section.title.plain, section.loc) for section, key in _section_keys(sheet)]
    quick: QuickReference | None = sheet.quick_reference
    rows = printed_rows(sheet, sheet.print.quick_reference) if quick is not None else []
    if rows:
        units.append((content(quick.title, quick.columns, rows, [_domain(row.domain) for row, _ in rows],
                              sheet.print.why), quick.title.plain, quick.loc))
    _last = (weakref.ref(sheet), units)
    return units


def _section_keys(sheet: Sheet) -> list[tuple[Section, str]]:
    """Each section and its content digest (of its domain's look, the section, and whether the print shows
    `why`), taken from `_digested` for the very record digested with the same rest."""
    global _digested
    before, now, keys = _digested, {}, []
    for domain in sheet.domains:
        rest = (_domain(domain), sheet.print.why)
        for section in domain.sections:
            was = before.get(id(section))
            if was is None or was[0]() is not section or was[1] != rest:
                was = (weakref.ref(section), rest, content(rest[0], section, rest[1]))
            now[id(section)] = was
            keys.append((section, was[2]))
    _digested = now
    return keys


def unit_keys(sheet: Sheet) -> dict[Location, str]:
    """Each unit's content digest (`units_in_order`), by where it starts (the flow's units carry it)."""
    return {loc: key for key, _, loc in units_in_order(sheet)}


class PageCanvas(FormulaCanvas):
    """A canvas that can tell what a page drew and which fonts' codes and names it gave first, and can draw a
    page kept from an earlier build."""

    # The fonts whose state counts besides those the document has named (a font given codes but no name yet
    # would otherwise go unseen): the sheet's own (`use_fonts`).
    own_fonts: frozenset[str] = frozenset()
    _last_mark: tuple | None = None
    _last_digest = ""

    def use_fonts(self, names: Iterable[str]) -> None:
        self.own_fonts = frozenset(names)

    def showPage(self):
        """End the page, its content compressed now rather than when the document is saved: a long sheet's pages
        are held compressed, not as text, until then (a 50,000-fact sheet's 1,141 pages: about 100 MiB)."""
        super().showPage()
        _compressed(self._doc.Pages.pages[-1])

    def fonts_state(self) -> tuple[tuple, list]:
        """A cheap mark of the fonts' state (it changes whenever the state does: codes and names are only ever
        added), and the state itself: each font's name, resource name and characters in the order given."""
        doc = self._doc
        fonts = [pdfmetrics.getFont(name) for name in sorted(set(doc.fontMapping) | self.own_fonts)]
        states = [(font.fontName, font.state.get(doc)) for font in fonts if getattr(font, "state", None) is not None]
        mark = (len(doc.fontMapping), self.version(), *((name, len(s.assignments), s.nextCode, s.internalName)
                                        for name, s in states if s is not None))
        return mark, states

    def before(self) -> tuple[str, tuple, dict[str, int], int]:
        """The digest of the fonts' state before a page, its mark, each font's count of characters, and the
        count of named fonts: what `first_uses` compares with after the page."""
        mark, states = self.fonts_state()
        if self._last_mark != mark:
            self._last_mark = mark
            self._last_digest = digest(repr(self.version()), repr(list(self._doc.fontMapping.items())), *(
                f"{name}\x1e{s.internalName}\x1e{s.nextCode}\x1e{list(s.assignments.items())}"
                for name, s in states if s is not None))
        counts = {name: len(s.assignments) for name, s in states if s is not None}
        return self._last_digest, mark, counts, len(self._doc.fontMapping)

    def first_uses(self, counts: dict[str, int], named: int) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        """The characters each font gave codes to and the fonts named since `before` said `counts`, `named`."""
        _, states = self.fonts_state()
        chars = tuple((name, "".join(map(chr, list(s.assignments)[counts.get(name, 0):])))
                      for name, s in states if s is not None and len(s.assignments) > counts.get(name, 0))
        return chars, tuple(list(self._doc.fontMapping)[named:])

    def version(self) -> tuple[int, ...]:
        """The PDF version the document needs so far."""
        return tuple(self._doc._pdfVersion)

    def mark(self) -> int:
        return len(self._code)

    def drawn_since(self, start: int) -> str:
        return "\n".join(self._code[start:])

    def only_text(self) -> bool:
        """Whether the page drew nothing the document keeps besides fonts: no image or form, link, colour
        space, shading or transparency."""
        return not (self._formsinuse or self._annotationrefs or self._colorsUsed or self._shadingUsed
                    or self._psCommandsBeforePage or self._psCommandsAfterPage or self._extgstate.getState())

    def replay(self, page: Drawn, text: str) -> None:
        """Draw a kept page: its content (`text`) as it was, and its first uses made again in the order they were
        made."""
        self._code.append(text)
        doc = self._doc
        for feature, version in PDF_SUPPORT_VERSION.items():
            if self.version() < tuple(version) <= page.version:
                doc.ensureMinPdfVersion(feature)
        for name, chars in page.chars:
            pdfmetrics.getFont(name).splitString(chars, doc)
        for name in page.names:
            font = pdfmetrics.getFont(name)
            if font._dynamicFont:
                font.getSubsetInternalName(0, doc)
            else:
                doc.getInternalFontName(name)


def _compressed(page: PDFPage) -> None:
    """Give `page` its content stream encoded as `PDFPage.check_format` and `PDFStream.format` encode it when the
    document is saved (the same filters in the same order, named in the stream's dictionary, which tells `format`
    they are applied), so the saved bytes are the same."""
    if not page.compression or page.Contents or not page.stream:
        return
    filters = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
    content = page.stream
    for encoding in reversed(filters):
        content = encoding.encode(content)
    stream = PDFStream(PDFDictionary({"Filter": PDFArray([PDFName(f.pdfname) for f in filters])}), content)
    stream.__Comment__ = "page stream"
    page.Contents, page.stream = stream, None

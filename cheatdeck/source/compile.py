"""Stage 1, load: a YAML file becomes a validated `model.Sheet`, or every problem in it."""

from __future__ import annotations

import dataclasses

import functools
import re
import unicodedata
from pathlib import Path, PureWindowsPath

import yaml

from .. import inline, model, scripts
from ..environment import environment_error
from ..errors import CheatdeckError, Location, Problem
from ..options import TEMPLATES
from . import format as spec
from . import idents, listing, syntax
from .images import Media, MediaError, load_media
from .reader import invisible_characters, kept_nodes, read_yaml
from .sections import Kept, Loading, Sections
from .validate import validate

MAX_KEY_LENGTH = 60
_WORD = re.compile(r"[^\W_](?:[\w.+-]*[^\W_])?")
_FIELD = re.compile(r"\{([^{}]+)\}")


def load(path: Path | str, raw: bytes | None = None, sections: Sections | None = None) -> model.Sheet:
    """Load and validate one sheet; raise CheatdeckError listing every problem (located as `path` is written).
    `raw`: the file's bytes, when they have been read already; `sections`: what earlier loads of the sheet made
    of each section (`watch` keeps it), so that only the sections whose text changed are built again."""
    path, name = Path(path), str(path)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise (environment_error(exc, name)
                   or CheatdeckError(Problem(Location(name), f"cannot read the file: {exc.strerror}"))) from None
    if sections is None:
        return _load(path, name, raw, None)
    try:
        return _load(path, name, raw, sections.loading(name))
    except _Reread:
        return _load(path, name, raw, sections.loading(name), skip=False)


class _Reread(Exception):
    """A section read as a kept one must be built after all (its inherited `reverse` changed, or a problem
    points into it): the sheet is read again in full."""


def _load(path: Path, name: str, raw: bytes, loading: Loading | None, skip: bool = True) -> model.Sheet:
    data, positions, read = read_yaml(raw, name, loading.stand_ins(raw) if loading is not None and skip else None)
    if positions.unplaced or (read and positions.skipped):
        raise _Reread  # a stand-in did not stand for a section, or a message may point into one
    if data is None:
        raise CheatdeckError(read)
    sheet_spec, problems, translate = validate(data, positions)
    if problems and positions.skipped:
        raise _Reread
    if sheet_spec is None:
        raise CheatdeckError(read + problems)
    # A document pruned while validating has its list items renumbered: nothing is kept or reused then.
    loading = loading if not problems and not read else None
    builder = _Builder(positions, translate, path, pruned=bool(problems), loading=loading)
    sheet = builder.sheet(sheet_spec)
    if loading is not None:
        loading.done(raw)
    problems += [p for p in builder.problems if not _echoes(p, problems)]
    if problems or read:
        raise CheatdeckError(read + problems)
    return sheet


@functools.cache
def _domain_colors() -> tuple[str, ...]:
    """The default theme's colours for domains that name none (its `palette: domains:`)."""
    theme = yaml.safe_load((TEMPLATES / "pdf" / "theme.yaml").read_text(encoding="utf-8"))
    return tuple(theme["palette"]["domains"])


def _default_color(position: int) -> str:
    colors = _domain_colors()
    return colors[position % len(colors)]


def _echoes(problem: Problem, schema_problems: list[Problem]) -> bool:
    """A rule broken only because a bad value was replaced while validating."""
    return any(s.loc.path.startswith(problem.loc.path) for s in schema_problems if problem.loc.path)


class _Builder:
    """Turns validated specs into the model, checking the rules that span nodes."""

    def __init__(self, positions, translate, source: Path, pruned: bool, loading: Loading | None = None):
        self.positions = positions
        self.nodes, self.values = positions.nodes, positions.values
        self.translate = translate
        self.pruned = pruned
        """Whether the validation removed what it found wrong: a path's list indexes are translated, and the
        totals that span nodes (the weights) are not checked."""
        self.source = source
        self.problems: list[Problem] = []
        self.anchor = model.Anchor(self.nodes, 0)
        """The part being built: a section's own while its records are made, else the sheet's."""
        self.idents: dict[str, tuple[int | Location, str, model.Anchor]] = {}
        self.section_ids: dict[str, tuple] = {}
        """Each section id → the path of its first `id:`."""
        self.media: dict[str, Media] = {}
        self.missing_media: set[str] = set()
        self.media_root: Path | None = None
        self.loading = loading
        self.claims: list[tuple] = []
        self.errors = self.images = 0
        """How many problems and images were met: a section that met none may be kept for the next load."""

    def node(self, path: tuple) -> int | Location:
        """Where a path's node starts, as the model keeps it (model.Placed): most paths are a node's own, and
        its number from the part's anchor is enough; the others get the Location of their nearest node."""
        if self.pruned:
            path = self.translate(path)
        number = self.values.get(path)
        if number is not None:
            return number - self.anchor.base
        if self.positions.skipped and path[:4] in self.positions.skipped:
            raise _Reread
        return self.positions.at(path)

    def located(self, where: int | Location, anchor: model.Anchor | None = None) -> Location:
        return (anchor or self.anchor).location(where) if type(where) is int else where

    def marks(self, where: int | Location) -> model.Anchor | None:
        """The `marks` of a model record that starts at `where`."""
        return self.anchor if type(where) is int else None

    def loc(self, path: tuple) -> Location:
        return self.located(self.node(path))

    def error(self, where: int | Location, message: str) -> None:
        self.errors += 1
        loc = self.located(where)
        # A "Key: value" bullet is read three times (whole, key, value): say each problem once.
        if Problem(loc, message) not in self.problems:
            self.problems.append(Problem(loc, message))

    def text(self, source: str, path, cloze: bool = False, blocks: bool = False) -> model.Text:
        """`cloze`: whether this text may hold cloze deletions (only a bullet's own text may);
        `blocks`: whether it may hold images and code blocks (bullets, table rows and traps may, titles not)."""
        return self.text_at(source, self.node(path), cloze, blocks)

    def text_at(self, source: str, where: int | Location, cloze: bool = False, blocks: bool = False) -> model.Text:
        """`text` where its place (`node`) is known already."""
        if _plain(source):
            return self.plain_text(source, where)
        loc = self.located(where)
        bad = invisible_characters(source)
        if bad:
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in dict.fromkeys(bad))
            # "\f" or "\b" inside double quotes is YAML's escape for a control character, not a backslash.
            escaped = any(c in "\a\b\f\v" for c in bad)
            self.error(loc, f"invisible character in text: {names}" + (
                "; inside \"double quotes\" YAML reads a backslash as an escape (\\f is a form feed): "
                "put the text in 'single quotes', or write \\\\" if escaped else ""))
        spans = inline.parse(source)
        self.rich(spans, loc, cloze)
        if not blocks and any(s.kind in (inline.IMAGE, inline.BLOCK) for s in spans):
            self.error(loc, "images and code blocks (text of several lines) go in bullets, table rows and traps, "
                            "not in titles, names, headers or the quick reference")
        names = {file: self.media[file].name for file in inline.images(spans) if file in self.media}
        text = model.Text.parse(source, where, names, spans, self.marks(where))
        if not text.plain.strip():
            self.error(loc, "text is empty once its markup is removed")
        return text

    def plain_text(self, source: str, where: int | Location) -> model.Text:
        """A text that is `_plain`: none of `text_at`'s checks can fail, and it needs no parse."""
        return model.Text(source, where, source, inline.plain_html(source), self.marks(where))

    def rich(self, spans: inline.Spans, loc: Location, cloze: bool) -> None:
        """Images exist and can be read, formulas typeset, cloze markers close and stand where cards use them."""
        for span in spans:
            if span.kind == inline.UNCLOSED:
                self.error(loc, f"unclosed cloze deletion: {span.text!r} has no closing '}}}}' "
                                "(write \\{{ for literal braces)")
            elif span.kind == inline.IMAGE:
                self.image(span.target, loc)
            elif span.kind in (inline.MATH, inline.DISPLAY):
                from .formulas import FormulaError, typeset

                try:
                    typeset(span.text, span.kind == inline.DISPLAY)
                except FormulaError as exc:
                    self.error(loc, f"{exc} (write \\$ for a literal $)")
        if not cloze and inline.has_cloze(spans):
            self.error(loc, "cloze deletions work only in a bullet's text (write \\{{ for literal braces)")

    def image(self, file: str, loc: Location) -> Media | None:
        self.images += 1
        if file not in self.media and file not in self.missing_media:
            try:
                self.media[file] = load_media(file, self.source.parent, self.media_root)
            except MediaError as exc:
                self.missing_media.add(file)
                self.error(loc, str(exc))
                return None
        return self.media.get(file)

    def claim(self, pinned: str | None, place: str, slug: str, where: int | Location, what: str) -> str:
        """A card item's identity: its pinned `id:` alone, so it may move anywhere in the sheet and keep its
        history; otherwise its place and slug (an item moved word for word keeps its GUID through the lock)."""
        ident = pinned or f"{place}/{slug}"
        if self.loading is not None:  # kept with the section, to be claimed again (source/sections.py)
            self.claims.append((pinned, place, slug, where, what))
        if ident in self.idents:
            first, first_what, anchor = self.idents[ident]
            first, loc = self.located(first, anchor), self.located(where)
            both = (f"the {what}s at lines {first.line} and {loc.line}" if what == first_what else
                    f"the {first_what} at line {first.line} and the {what} at line {loc.line}")
            self.error(loc, f"{both} both have the id {pinned or slug!r}: " + (
                "an `id:` is unique in the whole sheet" if pinned else
                "their keys read alike once case and punctuation are set aside; give one of them its own `id:`"))
        else:
            self.idents[ident] = (where, what, self.anchor)
        return ident

    def pinned(self, ident: str | None, path) -> None:
        """An `id:` the author wrote (at `path` + id), checked for what the schema's pattern cannot say (non-ASCII
        case, symbols)."""
        if ident is not None and (fault := idents.fault(ident)):
            self.error(self.loc(path + ("id",)), f"{ident!r} is not a valid id: {fault}")

    def widened(self, media_root: str | None) -> Path | None:
        """The folder `media_root:` names (relative to the sheet's), where images may also lie."""
        if media_root is None:
            return None
        loc = self.loc(("media_root",))
        if Path(media_root).is_absolute() or PureWindowsPath(media_root).anchor:
            self.error(loc, f"media_root {media_root!r} is an absolute path: write it relative to the sheet's "
                            "folder, such as '..', so the sheet builds in any copy of the project")
            return None
        folder = self.source.parent / media_root
        if not folder.is_dir():
            self.error(loc, f"media_root {media_root!r} is not a folder (it is relative to the sheet's folder)")
            return None
        return folder

    def sheet(self, s: spec.SheetSpec) -> model.Sheet:
        self.media_root = self.widened(s.media_root)
        domains = []
        seen_domains: dict[str, Location] = {}
        labels: dict[str, Location] = {}
        for i, d in enumerate(s.domains):
            loc = self.loc(("domains", i, "id"))
            self.pinned(d.id, ("domains", i))
            if d.id in seen_domains:
                self.error(loc, f"duplicate domain id {d.id!r}: the first is at line {seen_domains[d.id].line}")
            seen_domains.setdefault(d.id, loc)
            domain = self.domain(d, ("domains", i), s.reverse, f"D{i + 1}", d.color or _default_color(i))
            if domain.label in labels:
                self.error(self.loc(("domains", i)), f"two domains are labelled {domain.label!r} (the first at line "
                                                     f"{labels[domain.label].line}): give each its own `label:`")
            labels.setdefault(domain.label, domain.loc)
            domains.append(domain)
        self.weights(s.domains)
        by_id = {d.id: d for d in domains}
        quick = self.quick_reference(s.quick_reference, by_id) if s.quick_reference else None
        return model.Sheet(
            id=s.id, title=self.text(s.title, ("title",)), deck=s.deck or inline.plain(inline.parse(s.title)),
            subtitle=self.text(s.subtitle, ("subtitle",)) if s.subtitle else None,
            author=s.author, version=s.version, date=s.date, domains=tuple(domains),
            quick_reference=quick, print=self.print_settings(s.print), source=self.source, loc=self.loc(()),
            facts=self.texts(s.facts, ("facts",)),
            media=dict(sorted(self.media.items())), glossary=self.glossary(s.glossary), language=s.language)

    def glossary(self, glossary: dict[str, str]) -> dict[str, str]:
        """Shorthand → its words on the cards; a shorthand is one word, so that it is replaced only whole."""
        for short, meaning in glossary.items():
            if not _WORD.fullmatch(short):
                self.error(self.loc(("glossary", short)), f"{short!r} is not one word: the glossary spells out "
                                                           "whole words only (e.g. Tx: transform)")
            elif not inline.is_plain(meaning):
                self.error(self.loc(("glossary", short)), "a glossary entry is plain text, without markup")
        return dict(glossary)

    def weights(self, domains: list[spec.DomainSpec]) -> None:
        """No weights at all, or one per domain adding to 100: a partial set would print a misleading header."""
        weighed = [d for d in domains if d.weight is not None]
        if not weighed or self.pruned:
            return
        if len(weighed) < len(domains):
            missing = [d.id for d in domains if d.weight is None]
            self.error(self.loc(("domains",)), f"{len(weighed)} of {len(domains)} domains have a `weight:` but "
                       f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} none: give every domain "
                       "a weight (adding to 100), or remove them all")
            return
        total = sum(d.weight for d in weighed)
        if total != 100:
            parts = " + ".join(f"{d.id} {d.weight}" for d in domains)
            self.error(self.loc(("domains",)), f"domain weights add to {total}, not 100 ({parts})")

    @staticmethod
    def print_settings(p: spec.PrintSpec | None) -> model.Print:
        p = p or spec.PrintSpec()
        default = model.Print()
        return model.Print(paper=p.paper or default.paper, pages=p.pages or default.pages, columns=p.columns,
                           grayscale=default.grayscale if p.grayscale is None else p.grayscale, why=bool(p.why),
                           quick_reference=p.quick_reference or default.quick_reference)

    def domain(self, d: spec.DomainSpec, path, reverse: bool, label: str, color: str) -> model.Domain:
        sections = []
        for i, sec in enumerate(d.sections):
            spath = path + ("sections", i)
            self.pinned(sec.id, spath)
            if sec.id in self.section_ids:
                self.error(self.loc(spath + ("id",)), f"duplicate section id {sec.id!r}: the first is at line "
                                                      f"{self.loc(self.section_ids[sec.id]).line}")
            self.section_ids.setdefault(sec.id, spath + ("id",))
            sections.append(self.section(sec, spath, reverse))
        name = self.text(d.name, path + ("name",))
        return model.Domain(
            id=d.id, label=d.label or label, name=name,
            short=self.text(d.short, path + ("short",)) if d.short else name, weight=d.weight, color=color.lower(),
            sections=tuple(sections), loc=self.loc(path))

    def section(self, s: spec.SectionSpec, path, reverse: bool) -> model.Section:
        """A section's records, their nodes counted from the section's own anchor; those the last load made, when
        the section's text is the same (`sections`)."""
        outside, base = self.anchor, self.positions.values[self.translate(path)]
        text, end, line = self.positions.sections.get(path, (None, 0, 0)) if self.loading is not None else (None, 0, 0)
        kept = self.loading.take((text, reverse)) if text is not None else None
        if kept is None and path in self.positions.skipped:
            raise _Reread
        if kept is not None:
            self.anchor = kept.section.marks
            self.anchor.nodes, self.anchor.base = self.nodes, base
            for claim in kept.claims:
                self.claim(*claim)
            self.anchor = outside
            # Kept again at the line it starts on now: the next load's stand-ins are found by it.
            self.loading.keep((text, reverse), dataclasses.replace(kept, line=line))
            return kept.section
        self.anchor = model.Anchor(self.nodes, base)
        errors, images, claims = self.errors, self.images, len(self.claims)
        try:
            section = self.section_records(s, path, reverse)
        finally:
            self.anchor = outside
        if text is not None and self.errors == errors and self.images == images:
            self.loading.keep((text, reverse), Kept(section, tuple(self.claims[claims:]), s,
                                                    kept_nodes(self.nodes, base, end), line))
        return section

    def section_records(self, s: spec.SectionSpec, path, reverse: bool) -> model.Section:
        if not (s.bullets or s.table or s.traps):
            self.error(self.loc(path), f"section {s.id!r} is empty: give it bullets, a table or traps")
        reverse = reverse if s.reverse is None else s.reverse
        facts = tuple(self.fact(s.id, b, path + ("bullets", i), reverse) for i, b in enumerate(s.bullets))
        table = self.table(s.id, s.table, path + ("table",), reverse) if s.table else None
        several = len(s.traps) > 1
        traps = tuple(self.trap(s.id, t, path + ("traps", i), several) for i, t in enumerate(s.traps))
        where = self.node(path)
        return model.Section(id=s.id, title=self.text(s.title, path + ("title",)), facts=facts,
                             table=table, traps=traps, where=where, marks=self.marks(where),
                             image=self.figure(s.image, path + ("image",)) if s.image else None)

    def figure(self, f: spec.ImageSpec, path) -> model.Figure | None:
        loc = self.loc(path)
        media = self.image(f.file, self.loc(path + ("file",)))
        caption = self.text(f.caption, path + ("caption",)) if f.caption else None
        return model.Figure(media, caption, int(f.width.rstrip("%")) / 100, loc) if media else None

    def fact(self, section_id: str, b: str | spec.BulletSpec, path, reverse: bool) -> model.Fact:
        # A bullet written as plain text reads as a BulletSpec of defaults, one for all of them.
        entry, source = (b, b.text) if isinstance(b, spec.BulletSpec) else (_PLAIN_BULLET, b)
        loc = self.node(path)
        tloc = self.node(path + ("text",)) if entry is b else loc
        plain = _plain(source)
        text = self.plain_text(source, tloc) if plain else self.text_at(source, tloc, cloze=True, blocks=True)
        why, quiet = self.extra(entry, path)
        if text.cloze:
            return self.cloze(section_id, entry, text, loc, why, quiet)
        key = value = None
        head, sep, tail = source.partition(spec.KEY_SEPARATOR)
        if not sep:
            head, sep, tail = _wide_key(source)
        if sep and tail.strip() and head.strip() and len(head) <= MAX_KEY_LENGTH and "\n" not in source:
            head, tail = head.strip(), tail.strip()
            # The halves of a plain text are plain.
            key, value = ((self.plain_text(head, tloc), self.plain_text(tail, tloc)) if plain else
                          (self.text_at(head, tloc, blocks=True), self.text_at(tail, tloc, blocks=True)))
            if _typographic_quotes(source):
                self.error(tloc, _typographic_quotes_said(source, head, tail))
        question = self.text(entry.q, path + ("q",), blocks=True) if entry.q else key
        answer = self.text(entry.a, path + ("a",), blocks=True) if entry.a else (value if question is key else text)
        cards = _cards(entry.cards, entry.reverse, reverse)
        if cards == "cloze" and len(listing.items(answer.source)) < 2:
            self.error(self.loc(path + ("cards",)), "`cards: cloze` makes a card of each item of a list answer, "
                       f"but \u201c{answer.plain}\u201d lists one item: separate the items with commas, or ask "
                       "another way")
        ident = None
        self.pinned(entry.id, path)
        if cards != "none":
            if question is None:
                self.error(loc, "this bullet is not in 'Key: value' form, so its card has no question: "
                                "write it as a mapping with `text`, `id` and `q`, or add `cards: none`")
            # The key names the bullet whatever its question, so adding a `q` keeps the review history.
            slug = entry.id or (idents.derive(key.plain) if key else None)
            if question is not None and not slug:
                self.error(loc, "this bullet has its own `q` but its text has no 'Key: ' before the value, and a "
                                "key is what names its card (and keeps its review history when you reword): start "
                                "the text with its key ('Key: value'), or give the bullet an `id`")
            if slug:
                ident = self.claim(entry.id, section_id, slug, loc, "bullet")
        return model.Fact(ident=ident, text=text, key=key, value=value, question=question,
                          answer=answer, cards=cards, where=loc, why=why, quiet=quiet, marks=self.marks(loc),
                          separator=sep if key is not None else spec.KEY_SEPARATOR)

    def extra(self, entry, path) -> tuple[model.Text | None, tuple[str, ...]]:
        """An item's `why` and the lint rules it is exempt from (`lint`), as the model's fields."""
        return (self.text(entry.why, path + ("why",)) if entry.why else None,
                tuple(sorted(entry.lint)) if entry.lint else ())

    def cloze(self, section_id: str, entry: spec.BulletSpec, text: model.Text, loc: int | Location,
              why: model.Text | None, quiet: tuple[str, ...]) -> model.Fact:
        """A bullet with cloze deletions: its text is the card, so it has no question or answer of its own."""
        if entry.q or entry.a or entry.why:
            self.error(loc, "a bullet with cloze deletions asks about its deletions: remove `q`, `a` and `why` "
                            "(or write it as a list answer with `cards: cloze`, which takes a `why`)")
        cards = "none" if entry.cards == "none" else "forward"
        ident = None
        if cards != "none":
            if entry.id:
                ident = self.claim(entry.id, section_id, entry.id, loc, "bullet")
            else:
                self.error(loc, "a bullet with cloze deletions needs an `id` so that its review history "
                                "survives rewording")
        return model.Fact(ident=ident, text=text, key=None, value=None, question=None, answer=None,
                          cards=cards, where=loc, why=why, quiet=quiet, marks=self.marks(loc))

    def table(self, section_id: str, t: spec.TableSpec, path, reverse: bool) -> model.Table:
        columns = self.texts(t.columns, path + ("columns",))
        reverse = _cards(t.cards, t.reverse, reverse) == "both"
        rows = []
        prefix = f"{section_id}/rows"
        for i, r in enumerate(t.rows):
            # A row written as a plain list reads as a RowSpec of defaults, one for all of them.
            entry, cells = (r, r.cells) if isinstance(r, spec.RowSpec) else (_PLAIN_ROW, r)
            rpath = path + ("rows", i)
            cpath = rpath + ("cells",) if entry is r else rpath
            inherited = t.cards if t.cards in ("none", "cloze") and entry.cards is None else entry.cards
            cards = _cards(inherited, entry.reverse, reverse)
            loc, cells, ident = self.row(prefix, entry, cells, rpath, cpath, len(columns), cards)
            why, quiet = self.extra(entry, rpath)
            rows.append(model.Row(ident=ident, cells=cells, cards=cards, where=loc, why=why, quiet=quiet,
                                  marks=self.marks(loc)))
        ask = self.ask(t, columns, rows, path)
        for i, (r, row) in enumerate(zip(t.rows, rows)):
            if isinstance(r, spec.RowSpec) and r.cards == "cloze" and not any(
                    len(listing.items(row.cells[c].source)) > 1 for c in ask if c < len(row.cells)):
                self.error(self.loc(path + ("rows", i, "cards")), "`cards: cloze` makes a card of each item of a "
                           "list cell, but no asked cell of this row lists two or more items (separated by commas)")
        where = self.node(path)
        return model.Table(columns=columns, rows=tuple(rows), ask=ask, where=where, marks=self.marks(where),
                           questions=self.questions(t, columns, path))

    def questions(self, t: spec.TableSpec, columns: tuple[model.Text, ...], path) -> tuple[str | None, ...]:
        """Each column's question template (`ask` as a mapping), its {Column} fields checked against the table."""
        if not isinstance(t.ask, dict):
            return ()
        names = {_norm(c.plain): i for i, c in enumerate(columns)}
        out: list[str | None] = [None] * len(columns)
        for name, template in t.ask.items():
            if _norm(name) in names:
                out[names[_norm(name)]] = template
            for field in _FIELD.findall(template):
                if _norm(field) not in names:
                    self.error(self.loc(path + ("ask", name)), f"{{{field}}} is not a column of this table; "
                               f"a question may use: {', '.join('{' + c.plain + '}' for c in columns)}")
        return tuple(out)

    def ask(self, t: spec.TableSpec, columns: tuple[model.Text, ...], rows: list[model.Row], path) -> tuple[int, ...]:
        if t.ask is None:
            # A column where two rows say the same thing cannot tell the rows apart.
            varied = tuple(i for i in range(1, len(columns))
                           if len({_norm(r.cells[i].plain) for r in rows if len(r.cells) > i}) == len(rows))
            return varied or tuple(range(1, len(columns)))
        names = [_norm(c.plain) for c in columns]
        asked = []
        for i, name in enumerate(t.ask):
            index = names.index(_norm(name)) if _norm(name) in names else None
            if index is None or index == 0:
                choices = ", ".join(c.plain for c in columns[1:])
                why = "is the key column, which the cards show" if index == 0 else "is not a column of this table"
                where = path + ("ask", name if isinstance(t.ask, dict) else i)
                self.error(self.loc(where), f"{name!r} {why}; ask for one of: {choices}")
            elif index not in asked:
                asked.append(index)
        return tuple(asked)

    def row(self, prefix: str, r: spec.RowSpec | spec.QuickRowSpec, cells: list[str], path, cpath, width: int,
            cards, blocks: bool = True) -> tuple[int | Location, tuple[model.Text, ...], str | None]:
        """A table's or the quick reference's row: its place (`node`), cells and identity."""
        loc = self.node(path)
        texts = self.texts(cells, cpath, blocks, loc if cpath is path else None)
        if len(texts) != width:
            self.error(self.loc(cpath), f"this row has {len(texts)} cell(s) but the table has {width} columns")
        ident = None
        self.pinned(r.id, path)
        if cards != "none" and texts:
            ident = self.claim(r.id, prefix, r.id or idents.derive(texts[0].plain), loc, "row")
        return loc, texts, ident

    def texts(self, sources: list[str], path, blocks: bool = False, where: int | Location | None = None
              ) -> tuple[model.Text, ...]:
        """A list of texts at `path` (a row's cells, a table's columns); `where`: the list's place, when known. Its
        items are the nodes right after the list's own, one each (each is a text), so that, unless the validation
        removed items, their places need no look-up each."""
        if not self.pruned and type(where := self.node(path) if where is None else where) is int:
            return tuple(self.text_at(source, where + i, blocks=blocks) for i, source in enumerate(sources, 1))
        return tuple(self.text(source, path + (i,), blocks=blocks) for i, source in enumerate(sources))

    def trap(self, section_id: str, t: str | spec.TrapSpec, path, several: bool) -> model.Trap:
        entry, source = (t, t.text) if isinstance(t, spec.TrapSpec) else (_PLAIN_TRAP, t)
        loc = self.node(path)
        text = self.text(source, path + ("text",) if entry is t else path, blocks=True)
        question = self.text(entry.q, path + ("q",), blocks=True) if entry.q else None
        answer = self.text(entry.a, path + ("a",), blocks=True) if entry.a else None
        ident = None
        self.pinned(entry.id, path)
        if entry.cards != "none":
            if several and not entry.id:
                self.error(loc, "this section has several traps: give each an `id` so that "
                                "reordering them keeps their review history")
            else:
                ident = self.claim(entry.id, f"{section_id}/traps", "trap", loc, "trap")
        why, quiet = self.extra(entry, path)
        return model.Trap(ident=ident, text=text, question=question, answer=answer, cards=entry.cards, where=loc,
                          why=why, quiet=quiet, marks=self.marks(loc))

    def quick_reference(self, q: spec.QuickReferenceSpec, domains: dict[str, model.Domain]) -> model.QuickReference:
        path = ("quick_reference",)
        columns = self.texts(q.columns, path + ("columns",))
        rows = []
        for i, r in enumerate(q.rows):
            rpath = path + ("rows", i)
            domain = domains.get(r.domain)
            if domain is None:
                # A domain whose id was wrong holds a stand-in now: the row's domain is checked once it is fixed.
                if not self.pruned:
                    self.error(self.loc(rpath + ("domain",)),
                               f"unknown domain {r.domain!r}; expected one of: {', '.join(domains)}")
                continue
            cards = r.cards or "forward"
            loc, cells, ident = self.row("quickref", r, r.cells, rpath, rpath + ("cells",), len(columns), cards,
                                         blocks=False)
            why, quiet = self.extra(r, rpath)
            question = self.text(r.q, rpath + ("q",), blocks=True) if r.q else None
            answer = self.text(r.a, rpath + ("a",), blocks=True) if r.a else None
            rows.append(model.QuickRow(ident=ident, domain=domain, cells=cells, question=question, cards=cards,
                                       explicit=r.cards is not None, where=loc, why=why, quiet=quiet,
                                       answer=answer, marks=self.marks(loc)))
        return model.QuickReference(title=self.text(q.title, path + ("title",)), columns=columns,
                                    rows=tuple(rows), loc=self.loc(path))


_PLAIN_BULLET = spec.BulletSpec(text="")
_PLAIN_ROW = spec.RowSpec(cells=[])
_PLAIN_TRAP = spec.TrapSpec(text="")


def _cards(cards: str | None, reverse: bool | None, inherited: bool) -> model.CardChoice:
    """An item's own `reverse`, then its `cards`, then what its table, section or sheet says."""
    if cards in ("none", "cloze"):
        return cards
    if reverse is None:
        reverse = inherited if cards is None else cards == "both"
    return "both" if reverse else "forward"


def _wide_key(source: str) -> tuple[str, str, str]:
    """`source` cut at a fullwidth colon that ends a key in Chinese or Japanese text ("过拟合：…", "GPU：图形…"); not at
    one with Latin text on both sides, where it is a character of the text ("16：9")."""
    head, sep, tail = source.partition(spec.WIDE_KEY_SEPARATOR)
    return (head, sep, tail) if sep and scripts.solid(head[-1:] + tail[:1]) else (source, "", "")


# Each opening typographic quote and the quotes that close it (English, German, Swedish, French, Swiss, CJK).
_CLOSING = {"\u201c": "\u201d", "\u201e": "\u201c\u201d", "\u2018": "\u2019", "\u201a": "\u2018\u2019",
            "\u201d": "\u201d", "\u00ab": "\u00bb", "\u00bb": "\u00ab", "\u300c": "\u300d", "\u300e": "\u300f"}


def _typographic_quotes(source: str) -> bool:
    """Whether a text is wrapped in typographic quotes: an editor's smart quotes, which YAML reads as characters
    of the text, not as quotes, so a "Key: value" inside them is cut with a quote left on each half."""
    return len(source) > 2 and source[-1] in _CLOSING.get(source[0], "")


def _typographic_quotes_said(source: str, head: str, tail: str) -> str:
    fix = f": {quoted}" if (quoted := syntax.quoted(source[1:-1])) else ""
    return (f"this bullet is wrapped in typographic quotes ({source[0]}\u2026{source[-1]}), which YAML keeps as "
            f"text, not as quotes: its card would ask '{head}' and answer '{tail}'; quote it with straight quotes"
            f"{fix}")


def _plain(source: str) -> bool:
    """Without markup or anything invisible, and not blank: most texts of a sheet."""
    return source.isprintable() and inline.is_plain(source) and bool(source.strip())


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())

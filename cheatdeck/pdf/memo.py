"""What layout passes measured, kept as plain data so that the next pass (the fit search's next size, the next
build in `watch`, the next run through the output folder's state) sets again only what changed.

Each entry is keyed by a digest of everything its value depends on: a paragraph's markup, every attribute of its
style (the font names carry their files' digests), the width it was set in and how it was set. A changed
paragraph has a new key, so it is measured again; every other paragraph keeps its height, and the column flow
re-pours blocks of known height. Nothing here is a ReportLab object: ReportLab's paragraphs are parsed and their
lines broken again when they are drawn.

Two kinds of entry:
- a paragraph's settling (tracking.settle): the tracking, gain and shortened line it was set with, whether it
  still ends on one word, and its height;
- a height: a paragraph's at a width, as set (a table measures its cells at a width of its own), or a table
  row's, by its paragraphs, column widths and paddings.

Beside them, the pages the last builds drew (reuse.Drawn, by what the page shows: reuse.py), so that drawing too
redoes only the pages an edit changed.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Iterator

from reportlab.lib.styles import ParagraphStyle

# Entries kept, the newest used first: enough for every paragraph of a 20,000-fact sheet at three sizes.
LIMIT = 400_000
# Drawn pages kept, the newest used first: a 50,000-fact sheet's and more (about 10 kB each, compressed).
PAGE_LIMIT = 2_000
# The keys' tails kept per style (`LayoutMemo.key`): its widths in a layout, a few.
TAILS = 64
# Layout passes kept (pdf/relay.py), the newest used first: a few sheets' at their chosen sizes (about 3 kB a page).
LAYOUT_LIMIT = 4

# A settling: tracking (points), gain (points), the shortened line and by how much (or None, None), whether the
# last line still holds one word, and the height at the width it was settled for; or, for a paragraph set as it
# came (no tracking, no shortened line, no one-word last line), its height alone.
Settled = tuple[float, float, int | None, float | None, bool, float] | float


class LayoutMemo:
    """Measured paragraphs, by key, least recently used first; at most `limit` of them are kept."""

    def __init__(self, settled: dict[bytes, Settled] | None = None, heights: dict[bytes, float] | None = None,
                 sizes: dict[str, float] | None = None, limit: int | None = None, pages: dict | None = None,
                 over: dict[str, tuple[float, float, float]] | None = None, layouts: dict | None = None):
        self.settled: dict[bytes, Settled] = dict(settled or {})
        self.heights: dict[bytes, float] = dict(heights or {})
        # The body size the last build of a sheet chose, by sheet and layout options: where the next build's fit
        # search starts after an edit (the entries above make that size's pass cheap).
        self.sizes: dict[str, float] = dict(sizes or {})
        # By the same keys as `sizes`: the size above the chosen one that did not fit, its demand and the
        # printed text's length then (render.py), so that an edit need not lay it out again to know.
        self.over: dict[str, tuple[float, float, float]] = dict(over or {})
        # Drawn pages (reuse.Drawn) by the digest of what each shows.
        self.pages: dict = dict(pages or {})
        # Layout passes (relay.Kept) by what else than their units they depend on (relay.look).
        self.layouts: dict = dict(layouts or {})
        self.limit = limit or LIMIT
        self.hits = 0
        self.misses = 0
        self._puts = 0
        # Whether what the output folder kept was merged in (the first build that lays out reads it).
        self.read = False
        # A style's signature, worked out once per style object, and the keys' tails after the markup (`key`) by
        # setting (weak: a style that is let go of takes its entry with it, so that another style at the same
        # address is never taken for it).
        self._signatures: weakref.WeakKeyDictionary[ParagraphStyle, tuple[str, dict]] = weakref.WeakKeyDictionary()

    def merge(self, settled: dict[bytes, Settled] | None = None, heights: dict[bytes, float] | None = None,
              sizes: dict[str, float] | None = None, pages: dict | None = None,
              over: dict[str, tuple[float, float, float]] | None = None, layouts: dict | None = None) -> None:
        """Take in what an earlier run kept (state/measures.py), as older than what this memo holds."""
        self.settled = {**(settled or {}), **self.settled}
        self.heights = {**(heights or {}), **self.heights}
        self.sizes = {**(sizes or {}), **self.sizes}
        self.pages = {**(pages or {}), **self.pages}
        self.over = {**(over or {}), **self.over}
        self.layouts = {**(layouts or {}), **self.layouts}
        self.read = True

    def signature(self, style: ParagraphStyle) -> str:
        """Every attribute of `style` that sets a line (all but its name and parent, whose values it copied)."""
        held = self._signatures.get(style)
        if held is None:
            held = self._signatures[style] = (repr(sorted((k, v) for k, v in style.__dict__.items()
                                                          if k not in ("name", "parent"))), {})
        return held[0]

    def key(self, kind: str, markup: str, style: ParagraphStyle, *how: object) -> bytes:
        """A paragraph's key: its markup and style, and how it is set (`how`: width, gain, …). What follows the
        markup is worked out once per style and setting: a layout sets most of its paragraphs in a few of each."""
        tails = self._signatures.get(style)
        if tails is None:
            self.signature(style)
            tails = self._signatures[style]
        held = tuple(tuple(part) if type(part) is list else part for part in how)
        tail = tails[1].get(held)
        if tail is None:
            tail = "\0".join((tails[0], *map(repr, how)))
            if len(tails[1]) < TAILS:  # a tracked paragraph's gain is its own: those are not kept
                tails[1][held] = tail
        return self.digest(kind, markup, tail)

    @staticmethod
    def digest(*parts: str) -> bytes:
        """The 12 bytes a key is (as bytes, not hex: 48 bytes held a key rather than 80; a 50,000-fact sheet's
        search holds some 350,000; state/measures.py writes them as hex)."""
        text = "\0".join(parts)
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()

    def get_settled(self, key: bytes) -> Settled | None:
        return self._get(self.settled, key)

    def put_settled(self, key: bytes, value: Settled) -> None:
        self._put(self.settled, key, value)

    def get_height(self, key: bytes) -> float | None:
        return self._get(self.heights, key)

    def put_height(self, key: bytes, height: float) -> None:
        self._put(self.heights, key, height)

    def get_page(self, key: str):
        """The page drawn for `key` (reuse.Drawn), or None."""
        return self._get(self.pages, key, counted=False)

    def put_page(self, key: str, page) -> None:
        self._put(self.pages, key, page, PAGE_LIMIT)

    def get_layout(self, key: str):
        """The layout pass kept for `key` (relay.Kept), or None."""
        return self._get(self.layouts, key, counted=False)

    def put_layout(self, key: str, layout) -> None:
        if self.layouts.get(key) == layout:
            self.get_layout(key)
            return
        self._put(self.layouts, key, layout, LAYOUT_LIMIT, slack=False)

    def scratch(self) -> _Scratch:
        """A memo for a pass whose measures are not worth keeping: it reads this memo's entries and keeps its own
        apart, so that they go with the pass (render.py: the size above a sampled guess, laid out only to show
        that it does not fit, which the next build knows from `over`; a 50,000-fact sheet's held 25 MiB of
        entries past it)."""
        return _Scratch(self)

    def _get(self, entries: dict, key: str | bytes, counted: bool = True):
        """The entry for `key`, now the newest, or None; `counted`: a paragraph's, which the hit rate counts."""
        value = entries.pop(key, None)
        if value is None:
            self.misses += counted
            return None
        entries[key] = value  # now the newest
        self.hits += counted
        return value

    def _put(self, entries: dict, key: str | bytes, value, limit: int | None = None, slack: bool = True) -> None:
        """`value` as the newest entry; past `limit` (a quarter more with `slack`) the oldest go down to it."""
        limit = limit or self.limit
        self._puts += 1
        entries.pop(key, None)
        entries[key] = value
        if len(entries) > (limit * 5 // 4 if slack else limit):
            # Dropped in bulk, the oldest first: a dict drops its first keys cheaply only a batch at a time.
            for old in list(_first(entries, len(entries) - limit)):
                del entries[old]

    def __len__(self) -> int:
        return len(self.settled) + len(self.heights)

    def changed(self) -> bool:
        """Whether this memo measured anything since it was made or last kept (`kept`)."""
        return self._puts > 0

    def kept(self) -> None:
        self._puts = 0

    def remember_size(self, key: str, size: float) -> None:
        if self.sizes.get(key) != size:
            self._put(self.sizes, key, size)

    def remember_over(self, key: str, over: tuple[float, float, float] | None) -> None:
        if self.over.get(key) != over:
            self.over.pop(key, None)
            if over is not None:
                self._put(self.over, key, over)
            self._puts += 1

    def bounded(self) -> dict[str, dict]:
        """The newest `limit` entries of each kind and the newest PAGE_LIMIT pages, as kept across runs
        (state/measures.py)."""
        kept = {name: _newest(entries, self.limit)
                for name, entries in (("settled", self.settled), ("heights", self.heights), ("sizes", self.sizes),
                                      ("over", self.over))}
        return {**kept, "pages": _newest(self.pages, PAGE_LIMIT), "layouts": dict(self.layouts)}


class _Scratch(LayoutMemo):
    """`LayoutMemo.scratch`: its own entries first, then the kept memo's (not counted in its hits)."""

    def __init__(self, kept: LayoutMemo):
        super().__init__(limit=kept.limit)
        self._kept = kept

    def get_settled(self, key: bytes) -> Settled | None:
        found = super().get_settled(key)
        return self._kept._get(self._kept.settled, key, counted=False) if found is None else found

    def get_height(self, key: bytes) -> float | None:
        found = super().get_height(key)
        return self._kept._get(self._kept.heights, key, counted=False) if found is None else found

    def keep(self) -> None:
        """Keep what the pass measured after all (its size fits, and is laid out again to be drawn)."""
        for key, value in self.settled.items():
            self._kept.put_settled(key, value)
        for key, value in self.heights.items():
            self._kept.put_height(key, value)


def _newest(entries: dict, count: int) -> dict:
    """The newest `count` entries (the dict itself when it holds no more)."""
    return entries if len(entries) <= count else dict(list(entries.items())[-count:])


def _first(entries: dict, count: int) -> Iterator[str | bytes]:
    for index, key in enumerate(entries):
        if index >= count:
            return
        yield key

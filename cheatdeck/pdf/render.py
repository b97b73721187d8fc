"""Render: the sheet becomes a landscape, four-column PDF that fits its page budget."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import msgspec

from ..errors import CheatdeckError, Problem
from ..model import Sheet
from ..options import PrintOptions
from .details import PdfDetails
from .fit import first_guess, fit, overflow_error, too_long
from .fonts import fonts_for, printed_ink
from .memo import LayoutMemo
from .columns import Flow
from .page import Attempt, Page
from .preview import render_png
from .relay import Kept, Relay, look, orphans
from .reuse import units_in_order
from .theme import Ink, candidate_sizes, grown_sizes, load_theme


# A size the last build of a sheet measured over its budget is taken as still over after an edit (no layout
# pass to show it again) when that measure, scaled by how the printed text's length changed, is at least this
# far over: an edit moves a sheet's demand by about its share of the text, and the neighbouring size's demand
# differs from the chosen one's by 10–40 % (GROWTH in fit.py).
OVER_MARGIN = 1.1
# A layout of more pages than this is let go of while the fit search lays out the next size, and laid out again
# if it is the answer: two layouts of a 50,000-fact sheet alive at once take 130 MiB more than one, and a
# sheet this long pays one more pass for it rather than its memory.
LONG = 600


def render_pdf(sheet: Sheet, opts: PrintOptions, templates: Path, hint: float | None = None,
               exact: bool = False, memo: LayoutMemo | None = None,
               sheet_key: str | None = None) -> tuple[bytes, PdfDetails, list[bytes]]:
    """The PDF at the largest body size that fits the page budget, its details and its page previews. The fit
    search starts from `hint` (an earlier build's size); `exact`: the hint was found for these same inputs.
    `memo`: what earlier builds measured (memo.py), which this one reads and adds to; without one, every
    paragraph is measured as it comes and nothing is kept. `sheet_key`: the sheet and its layout options, under
    which the memo keeps the size above the chosen one that did not fit, so that the next build after an edit
    need not lay it out again to know."""
    theme = load_theme(templates / "pdf" / "theme.yaml")
    if opts.columns:
        theme = msgspec.structs.replace(theme, columns=opts.columns)
    fonts, problems = fonts_for(theme, templates / "fonts", sheet)
    search = _Search(Page(theme, fonts, Ink(opts.grayscale), sheet, opts, candidate_sizes(theme)[-1], memo))
    # A character no font has and a budget the sheet cannot fit are both said, in one error, before any layout.
    problems += search.refusal(exact)
    if problems:
        raise CheatdeckError(problems)
    known = memo.over.get(sheet_key) if memo is not None and sheet_key else None
    best, passes = search.run(hint, exact, known)
    if memo is not None and sheet_key and search.length is not None:
        memo.remember_over(sheet_key, search.over(best, known))
    page = dataclasses.replace(search.page, size=best.size)
    if not best.fits:
        raise overflow_error(best, page)
    page.settle(best)
    search.keep(page, best)
    data = page.draw(best)
    details = dataclasses.replace(_details(sheet, opts, theme.columns, best, passes, page.facts_left_out),
                                  reused=page.reused, broken_tables=page.broken_tables())
    return data, details, (render_png(data) if opts.png else [])


class _Search:
    """The fit search's layout passes (fit.py), at the sizes `floor` (a Page at the floor size) can take."""

    def __init__(self, floor: Page):
        self.page = floor
        self.drawable: list[Attempt] = []  # the largest size found to fit so far
        self.budget = floor.opts.pages  # the pages to fill: fewer for a sheet that grows past the ceiling
        self.measured: dict[float, Attempt] = {}
        self.length: float | None = None  # the printed text's length at 1 pt, when the search needed it
        self.paragraphs = 0  # the pieces it is in (fonts.printed_ink)
        self.units: list | None = None  # the sheet's units' keys, titles and places (reuse.units_in_order)
        # By size: the pass that laid it out, its pages before settling and its tallies, as kept (relay.py).
        self.relays: dict[float, tuple[Relay, tuple | None, tuple]] = {}
        # The size above a sampled guess, laid out to show that it does not fit (fit.first_guess): not to be
        # drawn, it lets go of its pages as it pours them; if it fits after all, it is laid out again (`run`).
        self.likely_over: float | None = None

    def at(self, size: float) -> Page:
        return dataclasses.replace(self.page, size=size)

    def build_at(self, size: float) -> Attempt:
        drawable = self.drawable
        if drawable and drawable[0].size == size and drawable[0].pages <= self.budget and drawable[0].flow:
            # The ceiling, asked again when the search for a larger size starts: laid out already, and it fits.
            drawable[:] = [dataclasses.replace(drawable[0], budget=self.budget)]
            return drawable[0]
        if drawable and drawable[0].pages > LONG:
            self._let_go(drawable[0])  # one long layout alive at a time: `run` lays the best out again if need be
        attempt = self._planned(self.at(size))
        self.measured[size] = attempt
        # Only the largest size that fits is drawn: every other attempt's flow is let go as soon as that shows.
        if not attempt.fits or (drawable and drawable[0].size > size):
            self._let_go(attempt)
        else:
            if drawable and drawable[0].size == size:
                drawable[0].flow = None  # the same size laid out again: the relay kept is this pass's
            elif drawable:
                self._let_go(drawable[0])
            drawable[:] = [attempt]
        return attempt

    def _let_go(self, attempt: Attempt) -> None:
        """Let go of a pass that will not be drawn, and of what its relay kept for `keep` (a 50,000-fact pass's
        pages as records: about 15 MiB); laid out again, it is kept again."""
        attempt.flow = None
        self.relays.pop(attempt.size, None)

    def _planned(self, page: Page) -> Attempt:
        """A layout pass at `page.size`: with a memo, only what changed since the pass it kept at that size is laid
        out (relay.py), and what this one laid out is noted for `keep`."""
        attempt = Attempt(size=page.size, pages=0, budget=self.budget, columns=page.theme.columns)
        memo, drawn = page.memo, page.size != self.likely_over
        if not drawn:
            # Laid out whole, without a relay: a layout kept at that size (a build that chose it) is not spliced in;
            # and what it measures goes with it (memo.scratch).
            self.likely_over = None
            scratch = None if memo is None else memo.scratch()
            dataclasses.replace(page, memo=scratch).plan(attempt, drawn=False)
            if attempt.fits:
                attempt.flow = None  # laid out again to be drawn, from what this pass measured
                if scratch is not None:
                    scratch.keep()
            return attempt
        if memo is None:
            page.plan(attempt)
            return attempt
        if self.units is None:
            self.units = units_in_order(page.sheet)
        relay = Relay(page.sheet, self.units, memo.get_layout(look(page)))
        page.plan(attempt, relay)
        if relay.synced is not None and not attempt.fits:
            # Where a sheet that does not fit runs over is told by a whole pass.
            attempt = Attempt(size=page.size, pages=0, budget=self.budget, columns=page.theme.columns)
            page.plan(attempt)
            return attempt
        # As the pass left them: settling asks for bars too, which a cold pass does not count.
        tallies = relay.tallied()
        attempt.orphans = orphans(tallies)
        self.relays[page.size] = (relay, relay.records(attempt.flow.pages), tallies)
        return attempt

    def keep(self, page: Page, best: Attempt) -> None:
        """Keep the chosen pass (settled) for the next build's; a pass that kept pages draws any of them it cannot
        reuse from a cold pass (relay.Spliced)."""
        relay, records, tallies = self.relays.get(best.size, (None, None, None))
        if relay is None:
            return
        tail = relay.records(best.flow.pages[-2:])
        if records is not None and tail is not None:
            page.memo.put_layout(look(page), Kept(relay.keys, records, tail, tallies))
        best.flow.redo = lambda: _cold(page, best)

    def refusal(self, exact: bool) -> list[Problem]:
        """The refusal of a sheet whose text alone cannot fit its budget (fit.too_long), from its length, which
        the search's first guess needs too; nothing to say when `exact` (these same inputs fitted before)."""
        if exact:
            return []
        page = self.page
        self.length, self.paragraphs = printed_ink(page.sheet, page.fonts.regular)
        refused = too_long(page, self.length, self.paragraphs, page.opts.pages)
        return [] if refused is None else refused.problems

    def run(self, hint: float | None, exact: bool, known: tuple[float, float, float] | None) -> tuple[Attempt, int]:
        """The largest size that fits and the passes it took (after `refusal`); `known`: the size above the one the
        sheet's last build chose, its demand and the printed text's length then (`over`)."""
        page, sizes, guess, over, above_first = self.page, candidate_sizes(self.page.theme), None, None, False
        if self.length is not None:  # measured unless an exact hint fitted these same inputs before
            if hint is None:
                guess, above_first = first_guess(page, sizes, self.length, self.paragraphs)
                self.likely_over = sizes[sizes.index(guess) - 1] if above_first else None
            elif known is not None and known[1] * self.length / known[2] >= OVER_MARGIN:
                over = {known[0]: known[1] * self.length / known[2]}
        best, passes = fit(self.build_at, sizes, hint, exact, guess, over, above_first)
        if best.fits and best.size == sizes[0] and page.theme.body.grow:
            # Room to spare at the ceiling: the body grows as far as the pages it took there hold.
            self.budget = best.pages
            best, more = fit(self.build_at, grown_sizes(page.theme, best.size), hint, exact, None, over)
            passes += more
        if best.fits and best.flow is None:  # let go of while a larger size was tried
            best = self.build_at(best.size)
            passes += 1
        return best, passes

    def over(self, best: Attempt, known: tuple[float, float, float] | None) -> tuple[float, float, float] | None:
        """The smallest size above `best` known to be over its budget, as (size, demand, the text's length when
        measured): measured by this search, else as `known` (the last build's) said."""
        above = [(size, a.demand, self.length) for size, a in self.measured.items() if size > best.size and not a.fits]
        above += [known] if known is not None and known[0] > best.size else []
        return min(above, default=None)


def _cold(page: Page, best: Attempt) -> Flow:
    """A whole pass at the chosen size, settled: what draws a kept page that cannot be reused."""
    again = Attempt(size=best.size, pages=0, budget=best.budget, columns=page.theme.columns)
    page.plan(again)
    page.settle(again)
    return again.flow


def _details(sheet: Sheet, opts: PrintOptions, columns: int, best: Attempt, passes: int,
             facts_left_out: bool) -> PdfDetails:
    # Every column's fill, the last page's included: where its last ink ends once spread.
    fills = [round(100.0 * f, 1) for f in best.fills]
    quick_page = next((p for title, _, p in best.markers
                       if sheet.quick_reference and title == sheet.quick_reference.title.plain), None)
    return PdfDetails(body_size=best.size, pages=best.pages, fill=min(fills), fills=tuple(fills),
                      orphans=best.orphans, paper=opts.paper, columns=columns, budget=opts.pages,
                      passes=passes, grayscale=opts.grayscale, quick_reference_page=quick_page,
                      facts_left_out=facts_left_out)

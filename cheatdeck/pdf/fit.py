"""The fit search: the largest body size, in theme steps, at which the sheet fits its page budget.

It never shrinks text below the floor and never drops any: if the floor does not fit, the build fails
and names the section that ran over.

A layout pass is most of a build's time, so the search predicts rather than bisects. Each pass tells how
much of the budget the content takes at its size (its demand), and the demand grows as a power of the
size; the next size tried is where that curve crosses the budget. The answer is the size that fits while
the one above it does not, so a right guess ends the search in two passes.

A long sheet's first guess comes from laying out a sample of it (every so many sections, `first_guess`): a
sheet's line ends, boxes and wrapped table cells make its demand 0.6 to 1.6 times what its text's length
says, and it can jump by a third between neighbouring sizes (a column of a table that starts to wrap).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from ..errors import CheatdeckError, Location, Problem
from ..model import Sheet
from .fonts import printed_ink
from .page import Attempt, Page
from .quickref import printed_rows
from .theme import index_at_or_below

# How fast the demand grows with the body size when only one pass has measured it: text takes size² of
# area, and the header and footer bands grow with the size too (the shipped sheet measures 2.5–3.8
# between neighbouring sizes).
GROWTH = 2.8
# The demand a layout measures, over the estimate from the text's length alone (`estimated_demand`): the
# shipped sheet measures 0.64–0.86, line ends and boxes make up the rest. A first guess only.
INK_SHARE = 0.7

# The least a layout measured of the demand that `estimated_demand` predicts without INK_SHARE: 0.99 to 3.9 on
# the shipped sheet, the rich fixture and synthetic sheets of 1,000 and 3,000 facts, at the floor and the ceiling
# (images, boxes and line ends only add). With a margin below that, a sheet whose estimate at the floor still
# passes its budget cannot fit: it is refused before any layout, which for a long sheet takes minutes.
SURE_SHARE = 0.8
# The most of that prediction the same layouts measured (1.29): the budget a refused sheet is told to ask for.
LAYOUT_SHARE = 1.3

# A sheet whose text's length says it takes at least this many pages at the size that estimate picks is sampled
# for its first guess: a pass over it takes a minute or more, the sample's few passes a few seconds.
SAMPLE_FROM = 200
# About how many pages the sample takes at that size: enough sections that its demand is the sheet's within a
# few per cent, few enough that its passes cost a fraction of one over the sheet.
SAMPLE_PAGES = 30
# Sections (and quick reference rows) taken one after the other into the sample.
SAMPLE_RUN = 4

Measured = tuple[bool, float]
"""Whether a size fits, and its demand."""


def estimated_demand(page: Page, ink: float, paragraphs: int, budget: int) -> float:
    """The share of the page budget the sheet would take at `page.size`, from the printed text's length at
    1 pt (`ink`) and its number of paragraphs (each ends in a part line), before any layout."""
    lines = ink * page.size / page.col_w + paragraphs / 2
    return INK_SHARE * lines * page.size * page.theme.body.leading / (page.frame_h * page.theme.columns * budget)


def too_long(floor: Page, ink: float, paragraphs: int, budget: int) -> CheatdeckError | None:
    """The refusal of a sheet that cannot fit its budget even at the floor (`floor.size`), from its text's length
    alone, with the budget it would take; None when only a layout can tell."""
    demand = estimated_demand(floor, ink, paragraphs, budget) / INK_SHARE
    if demand * SURE_SHARE <= 1:
        return None
    needs = math.ceil(demand * LAYOUT_SHARE * budget)
    return CheatdeckError(Problem(Location(str(floor.sheet.source)), (
        f"the sheet does not fit on {budget} page(s) even at the {floor.size:g} pt floor: its text alone takes "
        f"about {needs} pages at that size (estimated before layout). Give it --pages {needs} or more (or "
        f"`pages: {needs}` under `print:` in the sheet; a larger budget prints larger text), or shorten it")))


def first_guess(floor: Page, sizes: list[float], ink: float, paragraphs: int) -> tuple[float, bool]:
    """The size the fit search tries first, and whether it tries the size above it before it: the largest size
    at which the text's length fits the budget (`estimated_demand`), or for a long sheet the largest at which a
    sample of it does. A sampled guess is likely right, so the size above it (likely over) is laid out first and
    the guess last: the layout the search ends on is the one drawn, and no two are alive at once."""
    budget = floor.opts.pages
    demands = [estimated_demand(dataclasses.replace(floor, size=size), ink, paragraphs, budget) for size in sizes]
    estimate = next((i for i, demand in enumerate(demands) if demand <= 1), len(sizes) - 1)
    pages = demands[estimate] * budget
    if pages < SAMPLE_FROM:
        return sizes[estimate], False
    sheet = _as_printed(floor.sheet)
    sample = sampled(sheet, math.ceil(pages / SAMPLE_PAGES))
    # Of the sheet's printed text: its quick reference's rows as printed on both sides.
    share = printed_ink(sample, floor.fonts.regular)[0] / printed_ink(sheet, floor.fonts.regular)[0]

    def fits(index: int) -> bool:
        page = dataclasses.replace(floor, sheet=sample, size=sizes[index], memo=None)
        attempt = Attempt(size=page.size, pages=0, budget=budget, columns=page.theme.columns)
        page.plan(attempt, drawn=False)
        return not attempt.too_tall and attempt.demand <= share

    # Bisect for the largest size whose sample fits, first trying the estimate's.
    lo, hi, index = 0, len(sizes), estimate
    while lo < hi:
        lo, hi = (lo, index) if fits(index) else (index + 1, hi)
        index = (lo + hi) // 2
    return (sizes[lo], lo > 0) if lo < len(sizes) else (sizes[-1], False)


def _as_printed(sheet: Sheet) -> Sheet:
    """The sheet with only the quick reference rows its page prints: a compact quick reference leaves out a row
    that a trap says (quickref.printed_rows), and a sample of the sheet holds too few traps to leave out as many."""
    quick = sheet.quick_reference
    if quick is None:
        return sheet
    rows = tuple(row for row, _ in printed_rows(sheet, sheet.print.quick_reference))
    return dataclasses.replace(sheet, quick_reference=dataclasses.replace(quick, rows=rows))


def sampled(sheet: Sheet, every: int) -> Sheet:
    """The sheet with one run of SAMPLE_RUN sections of each domain and rows of the quick reference in every
    `every` (at least one run of each): the same kinds of content in about 1/every of its length. Runs, not
    every `every`-th section: a stride would pick one kind of section out of a sheet whose sections alternate
    (every other one with a table)."""
    def pick(items: tuple) -> tuple:
        return tuple(item for i, item in enumerate(items) if (i // SAMPLE_RUN) % every == every // 2) or \
            items[:SAMPLE_RUN]

    quick = sheet.quick_reference
    return dataclasses.replace(
        sheet, domains=tuple(dataclasses.replace(d, sections=pick(d.sections)) for d in sheet.domains),
        quick_reference=quick and dataclasses.replace(quick, rows=pick(quick.rows)))


def fit(build_at: Callable[[float], Attempt], sizes: list[float], hint: float | None = None,
        exact: bool = False, guess: float | None = None,
        over: dict[float, float] | None = None, above_first: bool = False) -> tuple[Attempt, int]:
    """The largest size that fits (sizes run large to small) and how many layout passes finding it took.

    `hint` is the size an earlier build chose: when `exact` (same inputs) and it fits, that is the answer
    in one pass. Otherwise the first size tried is the hint, else `guess` (after the size above it when
    `above_first`), else the ceiling. `over`: sizes known not to fit without a pass, with their demands.
    """
    tried: dict[int, Attempt] = {}
    known: dict[int, Measured] = {sizes.index(size): (False, demand) for size, demand in (over or {}).items()
                                  if size in sizes}
    passes = 0

    def here(index: int) -> bool:
        nonlocal passes
        if index not in tried:
            passes += 1
            tried[index] = build_at(sizes[index])
            known[index] = (tried[index].fits, tried[index].demand)
        return tried[index].fits

    last = len(sizes) - 1
    if hint in sizes:
        likely = sizes.index(hint)
        if exact and here(likely):
            return tried[likely], passes
    elif guess is not None:
        likely = index_at_or_below(sizes, guess)
    else:
        likely = 0
    queued = [likely - 1, likely] if above_first and likely > 0 and hint not in sizes else []
    rounds = 0
    while True:
        lo, hi = _bounds(known, last)
        if lo >= hi or known.get(last, (True,))[0] is False:  # settled, or not even the floor fits
            break
        if queued:
            likely = queued.pop(0)
        elif rounds:
            # Predictions that keep missing are misled by the packing; halving always ends.
            predicted = _predict(sizes, known, lo, hi) if rounds < 4 else None
            likely = (lo + hi) // 2 if predicted is None else predicted
        likely = min(max(likely, lo), hi)
        if likely in tried:  # it fits: what is left to learn is whether the size above does
            likely -= 1
        here(likely)
        rounds += 1
    here(hi)
    return tried[hi], passes


def _bounds(known: dict[int, Measured], last: int) -> tuple[int, int]:
    """[lo, hi]: the answer is no larger a size than lo and hi is the largest known to fit (else the floor)."""
    hi = min((i for i, (fits, _) in known.items() if fits), default=last)
    lo = max((i + 1 for i, (fits, _) in known.items() if not fits and i < hi), default=0)
    return min(lo, hi), hi


def _predict(sizes: list[float], known: dict[int, Measured], lo: int, hi: int) -> int | None:
    """The index of the size where the demand curve through the nearest measures crosses the budget; None
    when a measure says nothing of it (a block taller than a column fails at any demand)."""
    points = []
    if lo > 0:  # lo - 1 is the smallest size known not to fit
        demand = known[lo - 1][1]
        if demand <= 1:
            return None
        points.append((sizes[lo - 1], demand))
    if hi in known and known[hi][0]:
        demand = known[hi][1]
        if not 0 < demand <= 1:
            return None
        points.append((sizes[hi], demand))
    if not points:
        return None
    growth = GROWTH
    if len(points) == 2:
        (s1, d1), (s2, d2) = points
        growth = min(max(math.log(d1 / d2) / math.log(s1 / s2), 1.0), 5.0)
    size, demand = points[-1]
    return index_at_or_below(sizes, size * demand ** (-1 / growth))


def overflow_error(attempt: Attempt, page: Page) -> CheatdeckError:
    """Why the floor did not fit, and what would: the budget it took, or (for an item taller than a column,
    which no budget holds) a shorter item."""
    extra_pages, frame, used = attempt.pages - attempt.budget, attempt.last[1], attempt.last[2]
    columns = (extra_pages - 1) * page.theme.columns + frame + used
    title, loc = attempt.overflow_section or ("(the last section)", Location(""))
    start = f"the sheet does not fit on {attempt.budget} page(s) even at the {attempt.size:g} pt floor: "
    if attempt.too_tall:
        message = (f"{start}section {title!r} has an item taller than a whole column at that size, which no page "
                   "budget holds. Shorten that item or split it in two (a long table row or cell, a long bullet)")
    else:
        message = (f"{start}from section {title!r} on, about {columns * page.frame_h:.0f} pt ({columns:.1f} "
                   f"columns) of content runs over: it takes {attempt.pages} pages at that size. Give it --pages "
                   f"{attempt.pages} (or `pages: {attempt.pages}` under `print:` in the sheet), or shorten it")
    return CheatdeckError(Problem(loc if loc.file else Location(str(page.sheet.source)), message))

"""The fit search: the largest body size, in theme steps, at which the sheet fits its page budget.

It never shrinks text below the floor and never drops any: if the floor does not fit, the build fails
and names the section that ran over.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import CheatdeckError, Location, Problem
from .page import Attempt, Page
from .theme import Theme


def candidate_sizes(theme: Theme) -> list[float]:
    body = theme.body
    steps = int(round((body.ceiling - body.floor) / body.step))
    return [round(body.ceiling - i * body.step, 4) for i in range(steps + 1)]


def fit(build_at: Callable[[float], Attempt], sizes: list[float], hint: float | None = None,
        exact: bool = False) -> tuple[Attempt, list[Attempt]]:
    """The largest size that fits (sizes run large to small); returns it and every attempt made.

    `hint` is the size an earlier build chose. When `exact` (same inputs) and it fits, that is
    the answer in one pass. Otherwise it is the first guess: after an edit the answer is usually
    the same size or a step smaller (two passes, not a full search); a wrong guess costs at
    most two passes more than no guess.
    """
    tried: dict[int, Attempt] = {}

    def fits(index: int) -> bool:
        if index not in tried:
            tried[index] = build_at(sizes[index])
        return tried[index].fits

    lo, hi = 0, len(sizes) - 1  # the answer lies in [lo, hi]; hi is the floor, taken if nothing fits
    if hint in sizes:
        guess = sizes.index(hint)
        if fits(guess):
            if exact or guess == 0 or not fits(guess - 1):
                return tried[guess], list(tried.values())
            hi = guess - 1
        else:
            lo = guess + 1
            if lo <= hi and fits(lo):
                return tried[lo], list(tried.values())
            lo += 1
    lo = min(lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    fits(lo)
    return tried[lo], list(tried.values())


def overflow_error(attempt: Attempt, page: Page) -> CheatdeckError:
    extra_pages, frame, used = attempt.pages - attempt.budget, attempt.last[1], attempt.last[2]
    columns = (extra_pages - 1) * page.theme.columns + frame + used
    title, loc = attempt.overflow_section or ("(the last section)", Location(""))
    return CheatdeckError(Problem(
        loc if loc.file else Location(str(page.sheet.source)),
        f"the sheet does not fit on {attempt.budget} page(s) even at the {attempt.size:g} pt floor: from section "
        f"{title!r} on, about {columns * page.frame_h:.0f} pt ({columns:.1f} columns) of content runs over. "
        f"Shorten the sheet or raise --pages"))

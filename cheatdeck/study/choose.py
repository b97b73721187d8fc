"""Filling the page budget from the top of the ranking: the most weak notes that still fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import CheatdeckError

T = TypeVar("T")


def fill(count: int, render: Callable[[int], T], fits: Callable[[int], bool]) -> tuple[int, T]:
    """The largest n ≤ `count` whose first n notes fit, with their rendering.

    `render(n)` lays out the first n notes, searching their body size, and raises CheatdeckError when they
    overflow the budget; `fits(n)` only says whether they fit at the smallest size, in one layout pass. All
    of them usually fit, which one rendering shows; otherwise the count is bisected with `fits`, and rendered
    once. The overflow of a single note is raised as it is.
    """
    try:
        return count, render(count)
    except CheatdeckError as overflow:
        first = overflow
    fitting, failing = 0, count
    while failing - fitting > 1:
        middle = (fitting + failing) // 2
        if fits(middle):
            fitting = middle
        else:
            failing = middle
    # `fits` and the size search agree; should they not, one note fewer is tried until they do.
    while fitting > 0:
        try:
            return fitting, render(fitting)
        except CheatdeckError:
            fitting -= 1
    raise first

"""Filling the page budget from the top of the ranking: the most weak notes that still fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import CheatdeckError

T = TypeVar("T")
Render = Callable[[int], T]
"""Lays out the first n notes of the ranking; raises CheatdeckError when they overflow the budget."""


def fill(count: int, render: Render) -> tuple[int, T]:
    """The largest n ≤ `count` whose first n notes fit, with their rendering.

    All of them usually fit, which one layout shows; otherwise the answer is bisected between the largest
    count known to fit and the smallest known not to. The overflow of a single note is raised as it is.
    """
    try:
        return count, render(count)
    except CheatdeckError as overflow:
        first = overflow
    fits, fails, best = 0, count, None
    while fails - fits > 1:
        middle = (fits + fails) // 2
        try:
            best, fits = render(middle), middle
        except CheatdeckError:
            fails = middle
    if best is None:
        raise first
    return fits, best


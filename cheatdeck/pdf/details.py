"""What a build reports of a PDF (kept in the output folder's state, so it imports nothing heavy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfDetails:
    """What a build reports of a PDF: the body's size, the pages it took of its budget and how full its columns are."""

    body_size: float
    pages: int
    fill: float
    """The emptiest column, the last page's included, in per cent full: where its last ink ends once spread."""
    fills: tuple[float, ...]
    """Every column's fill, page by page."""
    orphans: int
    paper: str
    columns: int
    budget: int
    """The pages the sheet may take; a sheet that fits on fewer says so."""
    passes: int
    """Layout passes the fit search took."""
    grayscale: bool
    quick_reference_page: int | None
    facts_left_out: bool
    """The header band had no room for the sheet's facts."""
    reused: int = 0
    """Pages an earlier build drew that this one reused as they were (pdf/reuse.py)."""
    broken_tables: tuple[tuple[str, int], ...] = ()
    """The sections (title, line) whose table is too wide for its column: words break inside it even at the floor
    size."""

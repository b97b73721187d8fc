"""The focus sheet's model: a copy of the sheet that holds only the chosen notes' items, each where it was.

Items stay in the sheet's order, inside their domain and section, so the PDF renderer prints them in the
sheet's own look: a section keeps its title bar (a weak trap never prints alone), a table keeps its columns
and only its weak rows. What no chosen note came from (a section's image, the header's facts) is left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from ..errors import Location
from ..model import Domain, QuickReference, Section, Sheet, Text


def filtered_sheet(sheet: Sheet, chosen: Collection[Location], header: str) -> Sheet:
    """Only the items at the `chosen` locations (their notes' `loc`); `header` replaces the subtitle."""
    domains = tuple(d for d in (_domain(domain, chosen) for domain in sheet.domains) if d is not None)
    return dataclasses.replace(sheet, subtitle=Text.parse(header, sheet.loc), facts=(), domains=domains,
                               quick_reference=_quick_reference(sheet.quick_reference, chosen))


def _domain(domain: Domain, chosen: Collection[Location]) -> Domain | None:
    sections = tuple(s for s in (_section(section, chosen) for section in domain.sections) if s is not None)
    return dataclasses.replace(domain, sections=sections) if sections else None


def _section(section: Section, chosen: Collection[Location]) -> Section | None:
    facts = tuple(f for f in section.facts if f.loc in chosen)
    traps = tuple(t for t in section.traps if t.loc in chosen)
    table = section.table
    if table is not None:
        rows = tuple(r for r in table.rows if r.loc in chosen)
        table = dataclasses.replace(table, rows=rows) if rows else None
    if not (facts or traps or table):
        return None
    return dataclasses.replace(section, facts=facts, traps=traps, table=table, image=None)


def _quick_reference(quick: QuickReference | None, chosen: Collection[Location]) -> QuickReference | None:
    if quick is None:
        return None
    rows = tuple(r for r in quick.rows if r.loc in chosen)
    return dataclasses.replace(quick, rows=rows) if rows else None

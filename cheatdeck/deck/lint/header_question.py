"""header-question: a table card asks its column's header ("which parameter?") of a row whose cell is not that
kind of thing ("KMS encryption on log group"), so the question has no right answer as asked."""

from __future__ import annotations

from .. import headers, language
from ..plan import Plan
from .finding import Finding

NAME = "header-question"


def check(plan: Plan, texts=None) -> list[Finding]:
    """`texts`, the cards as the other rules read them, are not needed: this rule reads the tables."""
    out, said_english = [], language.said_english(plan.sheet)
    for section in (s for d in plan.sheet.domains for s in d.sections if s.table):
        table = section.table
        for column in table.ask:
            if column < len(table.questions) and table.questions[column]:
                continue
            header, key = table.columns[column].plain, table.columns[0].plain
            asked = headers.question(header, said_english) or headers.as_written(table.columns[column],
                                                                                  plan.sheet.language)[1]
            for index in sorted(headers.misfits(table, column)):
                row = table.rows[index]
                if row.cards == "none":
                    continue
                out.append(Finding(NAME, row, str, f"\u201c{asked}\u201d does not fit "
                                   f"\u201c{row.cells[column].plain}\u201d, unlike the column's other cells: give the "
                                   f"table `ask: {{{header}: \"\u2026 {{{key}}} \u2026?\"}}`, a question that fits "
                                   "every row", row.quiet))
    return out

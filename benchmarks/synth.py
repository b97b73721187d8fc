"""Generate a valid synthetic sheet of N facts, with tables, traps and quick-reference rows in proportion.

The proportions follow the shipped MLA-C01 sheet: about one table row per two
facts, one trap per six facts and one quick-reference row per three facts.
"""

from __future__ import annotations

import sys

import yaml

DOMAINS = 4
FACTS_PER_SECTION = 6


def sheet(facts: int) -> dict:
    sections_total = max(DOMAINS, facts // FACTS_PER_SECTION)
    domains = []
    n = 0
    for d in range(DOMAINS):
        sections = []
        for s in range(sections_total // DOMAINS):
            index = d * (sections_total // DOMAINS) + s
            bullets = [f"Term {index}-{k}: explanation of synthetic fact {n + k} with a few more words"
                       for k in range(FACTS_PER_SECTION)]
            n += len(bullets)
            section = {"id": f"section-{index}", "title": f"Synthetic Section {index}", "bullets": bullets,
                       "traps": [{"q": f"Which rule applies in scenario {index}?",
                                  "text": f"Rule {index}: never confuse A < B with B & C."}]}
            if index % 2 == 0:
                section["table"] = {"columns": ["Key", "Value", "Note"],
                                    "rows": [[f"Row {index}-{r}", f"value {r}", f"note about row {r}"]
                                             for r in range(6)]}
            sections.append(section)
        domains.append({"id": f"d{d + 1}", "name": f"Domain {d + 1}", "short": f"Dom {d + 1}",
                        "weight": 25, "color": ["#16365c", "#2e7d32", "#d9822b", "#d8c3ef"][d],
                        "sections": sections})
    quick_rows = [{"domain": f"d{i % DOMAINS + 1}", "cells": [f"Concept {i}", f"facts {i}", f"rule {i}"]}
                  for i in range(max(1, facts // 3))]
    return {"id": f"synthetic-{facts}", "title": f"Synthetic sheet of {facts} facts", "version": "1",
            "domains": domains,
            "quick_reference": {"columns": ["Concept", "Key Facts", "Rule"], "rows": quick_rows}}


if __name__ == "__main__":
    sys.stdout.write(yaml.safe_dump(sheet(int(sys.argv[1])), sort_keys=False, allow_unicode=True, width=200))

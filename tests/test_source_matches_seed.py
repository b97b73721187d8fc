"""The shipped source holds every bullet, table row and TRAP of the printed seed sheet, verbatim."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES, SHIPPED

from cheatdeck.source.compile import load

# Where the printed sheet's page break put content after the section it belongs to
# (issue #2 lists these): the class-imbalance TRAP and the Autopilot section are D2's,
# and the IAM bullets printed after them continue D4's "IAM, Audit & Governance".
MOVED_TRAPS = {"Class imbalance: accuracy is misleading": "Evaluation Metrics"}
AUTOPILOT = "Autopilot + JumpStart + Experiments"
IAM = "IAM, Audit & Governance"
AUTOPILOT_BULLETS = 4


def _unescape(text: str) -> str:
    return text.replace("\\_", "_").replace("\\*", "*")


def parse_seed() -> dict:
    lines = (FIXTURES / "cheatsheet-seed.txt").read_text(encoding="utf-8").splitlines()
    header = re.compile(r"^D(\d) · (.+) (\d+)%$")
    domains: dict[str, dict] = {}
    sections: dict[str, dict] = {}
    quickref: list[list[str]] = []
    current = None
    domain = None
    in_quickref = False
    for line in lines:
        if not line.strip():
            continue
        if m := header.match(line):
            domains.setdefault(f"d{m.group(1)}", {"short": m.group(2), "weight": int(m.group(3))})
            continue
        if m := re.match(r"^\*\*TRAP:\*\* (.+)$", line):
            text = _unescape(m.group(1))
            target = next((sections[t] for prefix, t in MOVED_TRAPS.items() if text.startswith(prefix)), current)
            target["traps"].append(text)
            continue
        if m := re.match(r"^\*\*D(\d) · (.+)\*\*$", line):
            domain = f"d{m.group(1)}"
            domains[domain]["name"] = m.group(2)
            continue
        if m := re.match(r"^\*\*(.+)\*\*$", line):
            in_quickref = m.group(1).startswith("Master Quick Reference")
            if not in_quickref:
                title = _unescape(m.group(1))
                current = sections[title] = {"domain": "d2" if title == AUTOPILOT else domain,
                                             "bullets": [], "table": [], "traps": []}
            continue
        if line.startswith("- "):
            target = current
            if current is sections.get(AUTOPILOT) and len(current["bullets"]) >= AUTOPILOT_BULLETS:
                target = sections[IAM]
            target["bullets"].append(_unescape(line[2:]))
            continue
        cells = [_unescape(c) for c in line.split("\t")]
        if in_quickref or cells[0] == "Service / Concept":
            in_quickref = True
            if cells not in quickref:
                quickref.append(cells)
        else:
            current["table"].append(cells)
    return {"domains": domains, "sections": sections, "quickref": quickref}


SEED = parse_seed()


@pytest.fixture(scope="module")
def sheet():
    return load(SHIPPED)


def test_seed_parse_is_complete():
    # Guards the parser above: the numbers a reader counts on the printed sheet.
    sections = SEED["sections"].values()
    assert len(SEED["sections"]) == 23
    assert sum(len(s["bullets"]) for s in sections) == 63
    assert sum(max(len(s["table"]) - 1, 0) for s in sections) == 37
    assert sum(len(s["traps"]) for s in sections) == 10
    assert len(SEED["quickref"]) == 1 + 22


def test_domains(sheet):
    assert [(d.id, d.short.plain, d.weight, d.name.plain) for d in sheet.domains] == [
        (key, value["short"], value["weight"], value["name"]) for key, value in SEED["domains"].items()]


@pytest.mark.parametrize("title", list(SEED["sections"]))
def test_section_verbatim(sheet, title):
    expected = SEED["sections"][title]
    found = [(d, s) for d in sheet.domains for s in d.sections if s.title.plain == title]
    assert len(found) == 1, f"section {title!r} missing from the source"
    domain, section = found[0]
    assert domain.id == expected["domain"]
    assert [f.text.plain for f in section.facts] == expected["bullets"]
    assert [t.text.plain for t in section.traps] == expected["traps"]
    if expected["table"]:
        assert [c.plain for c in section.table.columns] == expected["table"][0]
        assert [[c.plain for c in row.cells] for row in section.table.rows] == expected["table"][1:]
    else:
        assert section.table is None


def test_no_extra_sections(sheet):
    titles = [s.title.plain for d in sheet.domains for s in d.sections]
    assert sorted(titles) == sorted(SEED["sections"])
    assert len(titles) == len(set(titles))


def test_quick_reference_verbatim_and_assigned(sheet):
    quick = sheet.quick_reference
    assert [c.plain for c in quick.columns] == SEED["quickref"][0]
    assert [[c.plain for c in row.cells] for row in quick.rows] == SEED["quickref"][1:]
    by_domain = {d.id: [r.cells[0].plain for r in quick.rows if r.domain is d] for d in sheet.domains}
    assert by_domain["d1"][0] == "Data Wrangler" and "Training Input Modes" in by_domain["d1"]
    assert "DeepAR" in by_domain["d2"] and "Multi-Model Endpoint" in by_domain["d3"]
    assert by_domain["d4"][-1] == "Macie + CloudTrail"


def test_literal_text_survives(sheet):
    plain = {t.plain for t in sheet.texts()}
    assert "DI < 0.8 = potential discrimination (4/5 rule)" in plain
    assert "Warm start: IDENTICAL_DATA_AND_ALGORITHM / TRANSFER_LEARNING" in plain
    assert any("s3:*" in t for t in plain)

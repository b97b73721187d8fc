"""Malformed sources: each gives file:line:column and a clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TINY

from cheatdeck.cli import cli
from cheatdeck.errors import CheatdeckError
from cheatdeck.source.compile import load

BASE = TINY.read_text(encoding="utf-8")


def mutate(old: str, new: str, count: int = 1) -> str:
    assert BASE.count(old) >= count, old
    return BASE.replace(old, new, count)


# (case id, source text, text on the line the error must point at, message fragment)
CASES = [
    ("syntax-colon-in-plain-text", mutate("title: Tiny Example Sheet", "title: Tiny: Example Sheet"), "title: Tiny:", 'quote the whole value: title: "Tiny: Example Sheet"'),
    ("syntax-unclosed-flow-list", mutate("columns: [Strategy, Effect]", "columns: [Strategy, Effect"), "columns: [Strategy, Effect\n", "the [ opened here is not closed"),
    ("tab-indent", mutate("    name: Git Basics", "\tname: Git Basics"), "\tname: Git Basics", "a tab is used for indentation"),
    ("unknown-top-key", mutate("title: Tiny", "titel: Tiny"), "titel: Tiny", "unknown key 'titel'; did you mean 'title'?"),
    ("unknown-domain-key", mutate('    color: "#16365c"', '    colour: "#16365c"'), "colour:", "did you mean 'color'?"),
    ("missing-title", mutate("title: Tiny Example Sheet\n", ""), "id: tiny", "missing required key 'title'"),
    ("weight-not-number", mutate("weight: 60", "weight: sixty"), "weight: sixty", "expected a whole number, got 'sixty'"),
    ("weight-out-of-range", mutate("weight: 60", "weight: 160"), "weight: 160", "up to 100"),
    ("weights-not-100", mutate("weight: 60", "weight: 50"), "  - id: basics", "domain weights add to 90, not 100 (basics 50 + advanced 40)"),
    ("duplicate-domain-id", mutate("  - id: advanced", "  - id: basics"), "  - id: basics\n    name: Branching", "duplicate domain id 'basics'"),
    ("duplicate-section-id", mutate("id: merging", "id: commands"), "      - id: commands\n        title: Merge", "duplicate section id 'commands'"),
    ("duplicate-fact-key", mutate("- Commit: record", "- Add: record"), "- Add: record", "duplicate bullet id 'commands/add'"),
    ("ragged-row", mutate("[Merge, Keeps both histories]", "[Merge, Keeps both, histories]"), "[Merge, Keeps", "3 cell(s) but the table has 2 columns"),
    ("empty-text", mutate("title: Everyday Commands", 'title: ""'), 'title: ""', "text must not be empty"),
    ("blank-text", mutate("title: Everyday Commands", 'title: "   "'), 'title: "   "', "text must not be blank"),
    ("bad-slug", mutate("id: merging", "id: Merging Stuff"), "id: Merging Stuff", "is not a valid id"),
    ("bad-color", mutate('color: "#d9822b"', "color: orange"), "color: orange", "expected a colour like"),
    ("python-tag", mutate("title: Tiny Example Sheet", "title: !!python/object:os.system echo"), "title: !!python", "is not allowed"),
    ("bullets-not-list", BASE[: BASE.index("        bullets:")] + "        bullets: just text\n" + BASE[BASE.index("        traps:"):], "bullets: just text", "expected a list, got 'just text'"),
    ("quickref-unknown-domain", mutate("    - domain: basics", "    - domain: nowhere"), "- domain: nowhere", "unknown domain 'nowhere'"),
    ("quickref-ragged", mutate("cells: [Staging, Add before you commit]", "cells: [Staging]"), "cells: [Staging]", "1 cell(s) but the table has 2 columns"),
    ("duplicate-yaml-key", mutate("version: \"1.0\"", "version: \"1.0\"\nversion: \"2.0\""), 'version: "2.0"', "duplicate key 'version'"),
    ("bullet-without-key", mutate("- Commit: record the staged snapshot", "- Commit records the staged snapshot"), "- Commit records", "not in 'Key: value' form"),
    ("question-without-id", mutate("          - id: push\n            text:", "          - text:"), "- text: Push", "needs an `id`"),
    ("several-traps-without-ids", mutate("        traps:\n", "        traps:\n          - Another trap without an id.\n"), "- Another trap", "give each an `id`"),
    ("unknown-cards-choice", mutate("            q: Which command", "            cards: sometimes\n            q: Which command"), "cards: sometimes", "expected one of: both, forward, none"),
    ("invisible-character", mutate("Keeps both histories", "Keeps both\u200bhistories"), "Keeps both", "invisible character in text: U+200B"),
    ("text-too-long", mutate("Keeps both histories", "x" * 3000), "[Merge, xxx", "3,000 characters; the limit is 2,000"),
    ("empty-section", mutate("        table:\n          columns: [Strategy, Effect]\n          rows:\n            - [Merge, Keeps both histories]\n            - [Rebase, Replays commits onto a new base]\n", ""), "      - id: merging", "section 'merging' is empty"),
    ("sheet-is-a-list", "- just\n- a list\n", "- just", "a sheet is a mapping"),
    ("too-few-columns", mutate("columns: [Strategy, Effect]", "columns: [Strategy]"), "columns: [Strategy]", "at least 2 items"),
    ("bad-date", mutate('version: "1.0"', 'version: "1.0"\ndate: 2026-02-30'), "date: 2026-02-30", "expected a date like 2026-11-24"),
]


def _line_of(text: str, snippet: str) -> int:
    index = text.index(snippet)
    return text.count("\n", 0, index) + 1 + snippet[: len(snippet) - len(snippet.lstrip("\n"))].count("\n")


@pytest.mark.parametrize("case,text,snippet,fragment", CASES, ids=[c[0] for c in CASES])
def test_malformed_source(tmp_path: Path, case, text, snippet, fragment):
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--source", str(path), "check"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    line = _line_of(text, snippet)
    matching = [l for l in result.output.splitlines() if f"{path}:{line}:" in l and fragment in l]
    assert matching, f"expected {path}:{line}: ... {fragment!r} in\n{result.output}"


def test_all_errors_of_a_file_in_one_run(tmp_path: Path):
    text = (mutate("weight: 60", "weight: sixty")
            .replace("title: Everyday Commands", 'title: ""')
            .replace('color: "#d9822b"', "color: orange")
            .replace("- Commit: record", "- Add: record"))
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CheatdeckError) as info:
        load(path)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 4, messages
    assert {p.loc.path for p in info.value.problems} == {
        "domains[0].weight", "domains[0].sections[0].title", "domains[1].color",
        "domains[0].sections[0].bullets[1]"}


def test_empty_and_binary_and_utf16(tmp_path: Path):
    cases = {"empty.yaml": b"", "binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00", "utf16.yaml": BASE.encode("utf-16")}
    expected = {"empty.yaml": "the file is empty", "binary.yaml": "this is a binary file",
                "utf16.yaml": "the file is UTF-16; save it as UTF-8"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        result = CliRunner().invoke(cli, ["--source", str(tmp_path / name), "check"])
        assert result.exit_code == 1
        assert f"{tmp_path / name}:1:1: {expected[name]}" in result.output


def test_utf8_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load(path).id == "tiny"


def test_yaml_1_1_guessing_does_not_apply(tmp_path: Path):
    path = tmp_path / "norway.yaml"
    path.write_text(mutate("[Merge, Keeps both histories]", "[NO, 1.10]"), encoding="utf-8")
    cells = [c.plain for c in load(path).domains[1].sections[0].table.rows[0].cells]
    assert cells == ["NO", "1.10"]


def test_key_value_shorthand_and_ids(tmp_path: Path):
    sheet = load(TINY)
    facts = sheet.domains[0].sections[0].facts
    assert [(f.ident, f.key.plain if f.key else None, f.cards) for f in facts] == [
        ("commands/add", "Add", "both"), ("commands/commit", "Commit", "both"), ("commands/push", None, "forward")]
    assert [r.ident for r in sheet.domains[1].sections[0].table.rows] == ["merging/rows/merge", "merging/rows/rebase"]
    assert sheet.domains[0].sections[0].traps[0].ident == "commands/traps/trap"


def test_yaml_reader_expands_anchors_and_refuses_bad_graphs():
    from cheatdeck.source.reader import read_yaml

    data, _, problems = read_yaml(b"cols: &c [Key, Value]\nrow: &r {cells: *c}\nboth: [*r, [*c, *c]]\n"
                                  b"n: [~, null, '', !!str null]\n", "x")
    assert not problems
    assert data["both"] == [{"cells": ["Key", "Value"]}, [["Key", "Value"], ["Key", "Value"]]]
    data["both"][1][0].append("changed")
    assert data["cols"] == ["Key", "Value"], "each alias is its own copy"
    assert data["n"] == [None, None, "", "null"]
    for source, message in [(b"a: &a [1, *a]\n", "refers to itself"), (b"a: *nope\n", "has no anchor"),
                            (b"a: 1\n---\nb: 2\n", "more than one YAML document"),
                            (b"? [a]\n: b\n", "a key must be plain text"),
                            (b"id: " + b"[" * 300_000 + b"]" * 300_000 + b"\n", "nests more than 32 levels")]:
        _, _, problems = read_yaml(source, "x")
        assert len(problems) == 1 and message in problems[0].message, (source[:20], problems)

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
    ("duplicate-fact-key", mutate("- Commit: record", "- Add: record"), "- Add: record", "the bullets at lines 15 and 16 both have the id 'add'"),
    ("ragged-row", mutate("[Merge, Keeps both histories]", "[Merge, Keeps both, histories]"), "[Merge, Keeps", "3 cell(s) but the table has 2 columns"),
    ("empty-text", mutate("title: Everyday Commands", 'title: ""'), 'title: ""', "text must not be empty"),
    ("blank-text", mutate("title: Everyday Commands", 'title: "   "'), 'title: "   "', "text must not be blank"),
    ("bad-slug", mutate("id: merging", "id: Merging Stuff"), "id: Merging Stuff", "is not a valid id"),
    ("bad-color", mutate('color: "#d9822b"', "color: orange"), "color: orange", "expected a colour like"),
    ("python-tag", mutate("title: Tiny Example Sheet", "title: !!python/object:os.system echo"), "title: !!python", "is not allowed"),
    ("bullets-not-list", BASE[: BASE.index("        bullets:")] + "        bullets: just text\n" + BASE[BASE.index("        traps:"):], "bullets: just text", "expected a list, got 'just text'"),
    ("quickref-unknown-domain", mutate("    - domain: basics", "    - domain: nowhere"), "- domain: nowhere", "unknown domain 'nowhere'"),
    ("quickref-misspelt-domain-key", mutate("    - domain: basics", "    - domian: basics"), "- domian: basics", "unknown key 'domian'; did you mean 'domain'?"),
    ("quickref-ragged", mutate("cells: [Staging, Add before you commit]", "cells: [Staging]"), "cells: [Staging]", "1 cell(s) but the table has 2 columns"),
    ("colon-in-flow-list-cell", mutate("[Merge, Keeps both histories]", "[Merge, Keeps: both histories]"), "[Merge, Keeps:", "expected text, got a mapping; ': ' inside a value starts another key; quote the whole value: \"Keeps: both histories\""),
    ("duplicate-yaml-key", mutate("version: \"1.0\"", "version: \"1.0\"\nversion: \"2.0\""), 'version: "2.0"', "duplicate key 'version'"),
    ("bullet-without-key", mutate("- Commit: record the staged snapshot", "- Commit records the staged snapshot"), "- Commit records", "not in 'Key: value' form"),
    ("question-without-id", mutate("          - id: push\n            text:", "          - text:"), "- text: Push", "has its own `q` but its text has no 'Key: ' before the value"),
    ("several-traps-without-ids", mutate("        traps:\n", "        traps:\n          - Another trap without an id.\n"), "- Another trap", "give each an `id`"),
    ("unknown-cards-choice", mutate("            q: Which command", "            cards: sometimes\n            q: Which command"), "cards: sometimes", "expected one of: both, cloze, forward, none"),
    ("invisible-character", mutate("Keeps both histories", "Keeps both\u200bhistories"), "Keeps both", "invisible character in text: U+200B"),
    ("text-too-long", mutate("Keeps both histories", "x" * 3000), "[Merge, xxx", "3,000 characters; the limit is 2,000"),
    ("empty-section", mutate("        table:\n          columns: [Strategy, Effect]\n          rows:\n            - [Merge, Keeps both histories]\n            - [Rebase, Replays commits onto a new base]\n", ""), "      - id: merging", "section 'merging' is empty"),
    ("sheet-is-a-list", "- just\n- a list\n", "- just", "a sheet is a mapping"),
    ("too-few-columns", mutate("columns: [Strategy, Effect]", "columns: [Strategy]"), "columns: [Strategy]", "a table has at least 2 columns; this one has 1"),
    ("too-many-columns", mutate("columns: [Strategy, Effect]", f"columns: [{', '.join(f'C{i}' for i in range(11))}]"), "columns: [C0", "a table has at most 10 columns; this one has 11"),
    ("bad-date", mutate('version: "1.0"', 'version: "1.0"\ndate: 2026-02-30'), "date: 2026-02-30", "expected a date like 2026-11-24"),
    # YAML slips: the line of the slip (not where libyaml gave up) and the fix.
    ("syntax-key-without-colon", mutate("title: Everyday Commands", "title Everyday Commands"), "title Everyday", "this line has no ':' after its key"),
    ("syntax-top-key-without-colon", mutate("title: Tiny Example Sheet", "title Tiny Example Sheet"), "title Tiny", "this line has no ':' after its key"),
    ("syntax-unclosed-quote", mutate('color: "#16365c"', 'color: "#16365c'), 'color: "#16365c', "the quote opened here is not closed on its line (it runs on to line 27)"),
    ("syntax-quote-never-closed", mutate("cells: [Staging, Add before", 'cells: [Staging, "Add before'), '"Add before', "the quote opened here is never closed"),
    ("syntax-list-never-closed", mutate("commit]\n", "commit\n"), "cells: [Staging", "the [ opened here is not closed; end it with ]"),
    ("syntax-text-after-quote", mutate('version: "1.0"', 'version: "1.0" beta'), 'version: "1.0" beta', "text follows the closing quote"),
    ("syntax-apostrophe-in-single-quotes", mutate("title: Merge Strategies", "title: 'Don't merge'"), "title: 'Don't", "write it twice ('don''t')"),
    ("syntax-colon-in-bullet-value", mutate("- Add: stage changes", '- Add: stage "all": changes'), '- Add: stage "all"', """quote the whole value: - Add: 'stage "all": changes for the next commit'"""),
    ("syntax-indented-deeper", mutate("        title: Everyday", "          title: Everyday"), "          title: Everyday", "indented deeper than line 12"),
    ("syntax-indentation-off", mutate("          - Commit: record", "         - Commit: record"), "         - Commit", "this line starts at column 10, which does not line up with the lines above it; line it up with line 15 (column 11) or line 14 (column 9)"),
    ("syntax-first-item-out-of-line", mutate("          - Add:", "           - Add:"), "           - Add:", "this line starts at column 12, the lines after it at column 11; line it up with them"),
    ("syntax-first-key-out-of-line", mutate("    name: Git Basics", "    name: Git Basics").replace("  - id: basics", "   - id: basics"), "   - id: basics", "its key starts at column 6, the lines after it at column 5"),
    ("syntax-item-out-of-line", mutate("  - id: advanced", "   - id: advanced"), "   - id: advanced", "line it up with line 11 (column 5) or line 6 (column 3)"),
    ("syntax-item-among-keys", mutate('version: "1.0"', 'version: "1.0"\n- stray item'), "- stray item", "a '- ' item and a 'key:' line cannot share one indentation level"),
    ("raw-control-character", mutate("Keeps both histories", "Keeps both\x01histories"), "[Merge, Keeps", "the character U+0001 is not allowed in YAML"),
    ("colour-read-as-comment", mutate('color: "#16365c"', "color: #16365c"), "color: #16365c", 'the value is empty because \'#\' starts a comment in YAML; quote the colour: "#16365c"'),
    ("bullet-key-without-value", mutate("- Add: stage changes for the next commit", "- Add:"), "- Add:", "a key with no value: write the value after the colon, or remove the key"),
    ("bullet-value-read-as-comment", mutate("- Add: stage changes for the next commit", "- Add: #stage"), "- Add: #stage", 'quote the value: "#stage"'),
    ("required-key-without-value", mutate("    name: Git Basics", "    name:"), "name:\n", "a key with no value: write the value after the colon"),
    ("weight-without-value", mutate("weight: 60", "weight:"), "  - id: basics", "1 of 2 domains have a `weight:` but basics has none"),
    ("partial-weights", mutate("    weight: 40\n", ""), "  - id: basics", "advanced has none: give every domain a weight (adding to 100), or remove them all"),
    ("greek-keys-that-fold-alike", mutate("- Add: stage", "- ΔG: stage").replace("- Commit: record", "- Δg: record"), "- Δg: record", "the bullets at lines 15 and 16 both have the id 'δg'"),
    ("duplicate-label", mutate("    short: Basics\n", "    short: Basics\n    label: D2\n"), "  - id: advanced", "two domains are labelled 'D2' (the first at line 6): give each its own `label:`"),
    ("label-with-a-space", mutate("    short: Basics\n", "    short: Basics\n    label: D 1\n"), "label: D 1", "'D 1' is not a valid label: one word without spaces"),
    ("print-columns-out-of-range", mutate('version: "1.0"', 'version: "1.0"\nprint: {columns: 7}'), "print: {columns: 7}", "up to 5"),
    ("explicit-id-with-capitals", mutate("id: push", "id: Δpush"), "id: Δpush", "write 'δpush'"),
    ("explicit-id-with-a-symbol", mutate("id: push", "id: push🧪"), "id: push🧪", "letters and digits only"),
    ("list-key-without-items", BASE[: BASE.index("          - q: You committed")] + BASE[BASE.index("  - id: advanced"):], "        traps:\n  - id: advanced", "a key with no value: write its items under it, or remove the key"),
    ("empty-list-item", mutate("          - Commit: record the staged snapshot", "          -"), "          -\n", "an empty list item: write the value after the '-', or remove the line"),
    ("bullet-without-its-dash", mutate("          - Commit: record", "            Commit: record"), "            Commit", "this line has no '- ' of its own, so it joins the bullet on line 15; start it with '- '"),
    ("text-bullet-without-its-dash", mutate("          - Commit: record", "          Commit records"), "          Commit", "this line has no '- ' of its own, though it lines up with the '- ' items on lines 15 and 17; start it with '- '"),
    ("key-bullet-without-its-dash", mutate("          - Commit: record", "          Commit: record"), "          Commit", "a '- ' item and a 'key:' line cannot share one indentation level; start this line with '- '"),
    ("unknown-key-in-bullet-mapping", mutate("            q: Which command", "            question: Which command"), "question:", "(expected one of: text, id, q, a, cards, reverse, why, lint)"),
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


def _problems(path: Path, text: str) -> list:
    """What loading `text` from `path` finds wrong (it must find something)."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CheatdeckError) as info:
        load(path)
    return info.value.problems


def test_all_errors_of_a_file_in_one_run(tmp_path: Path):
    text = (mutate("weight: 60", "weight: sixty")
            .replace("title: Everyday Commands", 'title: ""')
            .replace('color: "#d9822b"', "color: orange")
            .replace("- Commit: record", "- Add: record"))
    problems = _problems(tmp_path / "many.yaml", text)
    assert len(problems) == 4, [p.message for p in problems]
    assert {p.loc.path for p in problems} == {
        "domains[0].weight", "domains[0].sections[0].title", "domains[1].color",
        "domains[0].sections[0].bullets[1]"}


def test_a_key_written_twice_does_not_hide_the_other_errors(tmp_path: Path):
    """A duplicate key reads on (the second value stands): the file's other mistakes come in the same run."""
    text = (mutate("    short: Basics", "    short: Basics\n    short: B")
            .replace("weight: 60", "weight: sixty")
            .replace("title: Merge Strategies", "title: Merge Strategies\n        titel: typo")
            .replace("[Merge, Keeps both histories]", "[]"))
    found = {(p.loc.line, p.message.split(";")[0].split(" (")[0]) for p in _problems(tmp_path / "twice.yaml", text)}
    assert found == {(_line_of(text, "    short: B\n"), "duplicate key 'short'"),
                     (_line_of(text, "weight: sixty"), "expected a whole number, got 'sixty'"),
                     (_line_of(text, "titel: typo"), "unknown key 'titel'"),
                     (_line_of(text, "- []"), "this row has 0 cell(s) but the table has 2 columns")}, found


def test_a_missing_key_is_one_error_not_an_echo_of_its_stand_in(tmp_path: Path):
    """The value put in for a missing key (so that the rest is still checked) is never named in a message."""
    text = mutate("    - domain: basics", "    - domian: basics")
    problems = _problems(tmp_path / "misspelt.yaml", text)
    assert [p.message.split(";")[0] for p in problems] == ["unknown key 'domian'", "missing required key 'domain'"]
    assert not any("invalid-" in p.message for p in problems)
    # Nor does a domain's wrong id make its quick-reference rows' domain unknown.
    for wrong in ("  - idd: basics", "  - id: Basics"):
        problems = _problems(tmp_path / "domain.yaml", mutate("  - id: basics", wrong))
        assert len(problems) == 1 + (wrong == "  - idd: basics"), [p.message for p in problems]
        assert not any("invalid-" in p.message or "unknown domain" in p.message for p in problems)


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
        ("commands/add", "Add", "forward"), ("commands/commit", "Commit", "forward"), ("push", None, "forward")]
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


def test_every_yaml_syntax_error_of_a_file_in_one_run(tmp_path: Path):
    text = (mutate("        title: Everyday Commands", "        title Everyday Commands")
            .replace("    name: Branching", "\tname: Branching")
            .replace("  columns: [Concept, Rule]", "  columns: [Concept, Rule"))
    path = tmp_path / "slips.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--source", str(path), "check"])
    assert result.exit_code == 1, result.output
    reported = [l.removeprefix("Error: ") for l in result.output.splitlines() if f"{path}:" in l]
    assert [l.split(":")[1] for l in reported] == ["13", "24", "37"], result.output
    assert "this line has no ':' after its key" in reported[0]
    assert "a tab is used for indentation" in reported[1]
    assert "the [ opened here is not closed" in reported[2]
    assert result.output.rstrip().endswith("3 errors")


def test_a_control_character_after_a_syntax_error_is_located(tmp_path: Path):
    text = mutate("title: Tiny Example Sheet", "title: Tiny: Example Sheet").replace("commit]", "com\x01mit]")
    path = tmp_path / "control.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--source", str(path), "check"])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{path}:3:12: YAML syntax error: ': ' inside a value" in result.output
    assert f"{path}:40:42: the character U+0001 is not allowed in YAML" in result.output


@pytest.mark.parametrize("sheet", [TINY, Path(__file__).resolve().parent.parent / "source" / "mla-c01.yaml"],
                         ids=["tiny", "shipped"])
def test_reading_on_after_a_syntax_error_invents_no_error(sheet: Path):
    """Whichever line a slip is on, the blocks read after it in a correct sheet hold no error."""
    from cheatdeck.source import syntax
    from cheatdeck.source.reader import _Loader

    lines = sheet.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        for indent in (len(line) - len(line.lstrip(" ")), 0, 100):
            slip = syntax.Slip(number, 1, "a slip", number, indent)
            assert syntax.later_errors(lines, slip, _Loader) == [], (number, indent)


def test_a_second_slip_below_the_first_is_reported_once_the_first_is_fixed(tmp_path: Path):
    """After a syntax error the lines nested under it are not read: nothing is guessed about them."""
    first = mutate("        bullets:", "        bullets")
    both = first.replace("- Commit: record the staged snapshot", "- Commit: record: the staged snapshot")
    path = tmp_path / "nested.yaml"
    path.write_text(both, encoding="utf-8")
    with pytest.raises(CheatdeckError) as info:
        load(path)
    assert [p.loc.line for p in info.value.problems] == [14]
    path.write_text(both.replace("        bullets\n", "        bullets:\n"), encoding="utf-8")
    with pytest.raises(CheatdeckError) as info:
        load(path)
    assert [(p.loc.line, "quote the whole value" in p.message) for p in info.value.problems] == [(16, True)]


@pytest.mark.parametrize("text", [mutate("- Add: stage changes for the next commit", "- Add:"),
                                  mutate("          - Commit: record", "            Commit: record")],
                         ids=["key-without-value", "without-its-dash"])
def test_a_bullet_slip_is_one_error(tmp_path: Path, text: str):
    """Not also an unknown key and a missing `text` for the bullet mapping YAML made of it."""
    path = tmp_path / "bullet.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CheatdeckError) as info:
        load(path)
    assert len(info.value.problems) == 1, info.value.problems


def test_choices_fold_from_any_case_at_every_depth(tmp_path):
    """`cards: Both` in a bullet, a trap, a table row and a quick-reference row, `paper: A4` in the print: each is
    read as its lowercase choice, however deep it stands (validate folds only where the spec holds a choice)."""
    text = (mutate("          - id: push\n", "          - id: push\n            cards: Both\n")
            .replace("            text: Revert shared", "            cards: NONE\n            text: Revert shared")
            .replace("            - [Rebase, Replays commits onto a new base]",
                     "            - {cells: [Rebase, Replays commits onto a new base], cards: Forward}")
            .replace("      cells: [Staging, Add before you commit]",
                     "      cells: [Staging, Add before you commit]\n      cards: None")
            + "print: {paper: A4}\n")
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    sheet = load(path)
    (commands,), (merging,) = (d.sections for d in sheet.domains)
    assert commands.facts[2].cards == "both" and commands.traps[0].cards == "none"
    assert merging.table.rows[1].cards == "forward"
    assert sheet.quick_reference.rows[0].cards == "none" and sheet.print.paper == "a4"

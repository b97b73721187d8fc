"""The card lint finds the same warnings, in the same order and words, as it did when these fingerprints were
recorded: on random sheets where every rule fires, on a synthetic sheet of answers all alike, and on the weak
cards fixture. A change that means to change the findings records them again: `python tests/test_lint_findings.py`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

import lint_sheets
from cheatdeck.deck.lint import count, findings, lint
from cheatdeck.deck.plan import plan_notes
from cheatdeck.source.compile import load

RECORD = FIXTURES / "lint-fingerprints.json"
SHEETS = {**{f"random-{seed}": (lambda seed=seed: lint_sheets.sheet(seed)) for seed in (1, 2, 4, 5, 6)},
          "random-10": lambda: lint_sheets.sheet(10, sections=300),
          "synthetic-2000": lambda: _synthetic(2000)}


def _synthetic(facts: int) -> dict:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth
    return synth.sheet(facts)


def _plan(folder: Path, name: str):
    path = folder / f"{name}.yaml"
    path.write_text(lint_sheets.dump(SHEETS[name]()), encoding="utf-8")
    return plan_notes(load(path))


@pytest.mark.parametrize("name", SHEETS)
def test_the_lint_finds_what_it_found(tmp_path, name):
    plan = _plan(tmp_path, name)
    assert lint_sheets.fingerprint(lint(plan)) == json.loads(RECORD.read_text(encoding="utf-8"))[name]
    # A build counts the warnings without writing them: the same number.
    assert count(plan) == len(lint(plan))


def test_count_writes_only_the_messages_it_compares(tmp_path, monkeypatch):
    """The synthetic sheet's table rows are asked for two columns, and both of a row's cards give their answers
    away: two answers under one title, told apart unwritten (`give_away.apart`). A count writes no card rule's
    message there, and makes no Finding for a card that is its item's only one."""
    from cheatdeck.deck import lint as lint_module
    from cheatdeck.deck.lint import finding

    plan = _plan(tmp_path, "synthetic-2000")
    written, made = [], []
    for rule in lint_module.CARD_RULES:
        monkeypatch.setattr(rule, "say", lambda text, say=rule.say: written.append(rule.NAME) or say(text))
    monkeypatch.setattr(lint_module, "Finding", lambda *args, **kw: made.append(args) or finding.Finding(*args, **kw))
    counted = count(plan)
    monkeypatch.undo()
    warned = lint(plan)
    assert counted == len(warned)
    assert written == [] and made == []
    assert sum(w.message.startswith("give-away") for w in warned) > len(plan.notes) // 10


def _one_table(folder: Path, title: str, columns: str, *rows: str):
    """The plan of a sheet of one section holding one table, each of its columns but the first asked."""
    path = folder / "table.yaml"
    path.write_text(f"id: table\ntitle: One table\nversion: '1'\ndomains:\n- id: d1\n  name: Domain\n  short: D1\n"
                    f"  sections:\n  - id: s1\n    title: {title}\n    table:\n      columns: {columns}\n"
                    f"      rows:\n" + "".join(f"      - {row}\n" for row in rows), encoding="utf-8")
    return plan_notes(load(path))


def test_count_compares_the_messages_of_two_cards_with_one_answer(tmp_path):
    """Both asked cells of a row say what the section's title says: the two cards give one answer away by one
    word, one warning, which a count finds by writing both messages."""
    plan = _one_table(tmp_path, "Widgets in tables", "[Key, Value, Note]", "[Row one, widgets, widgets]",
                      "[Row two, value two, note two]")
    warned = [w.message for w in lint(plan)]
    assert warned.count("give-away: the section title\u2019s \u201cwidget\u201d gives away the answer \u201cwidgets\u201d: "
                        "ask what the title \u201cWidgets in tables\u201d does not already say, or move the item to a "
                        "section whose title does not name the answer") == 1
    assert count(plan) == len(warned)


def test_count_writes_no_message_of_the_one_card_a_rule_finds_in_an_item(tmp_path, monkeypatch):
    """A row asked for two columns, one of them too long to recall: long-answer finds one of the row's two
    cards, and a count writes its message for nothing to compare it with."""
    from cheatdeck.deck.lint import long_answer

    plan = _one_table(tmp_path, "Section", "[Service, Limit, Detail]",
                      '[Lambda, 15 minutes, "runs each invocation for at most fifteen minutes after which the '
                      'function is stopped and retried by its caller"]')
    written = []
    monkeypatch.setattr(long_answer, "say", lambda text, say=long_answer.say: written.append(text) or say(text))
    counted = count(plan)
    monkeypatch.undo()
    warned = lint(plan)
    assert [w.message.split(":")[0] for w in warned].count("long-answer") == 1
    assert counted == len(warned) and written == []


def test_count_makes_a_location_only_for_a_message_it_writes(tmp_path, monkeypatch):
    """Items are told apart by their node, not their Location: a count makes a Location only for a message that
    names another card's line (asked-twice's, on the items it compares), not one per note and per finding."""
    from cheatdeck.source.reader import Nodes

    plan = _plan(tmp_path, "synthetic-2000")
    made = []
    location = Nodes.location
    monkeypatch.setattr(Nodes, "location", lambda self, node: made.append(node) or location(self, node))
    counted = count(plan)
    monkeypatch.undo()
    assert counted == len(lint(plan))
    assert len(made) < len(plan.notes) // 10


def test_count_writes_no_message_two_findings_are_made_of_alike(tmp_path, monkeypatch):
    """Both cards of a synthetic table row ask what both cards of an earlier row ask: asked-twice's two findings
    on the row name the earlier row's line, whichever of its cards each matched, and say the same unwritten."""
    from cheatdeck.deck.lint import asked_twice

    plan = _plan(tmp_path, "synthetic-2000")
    written = []
    say = asked_twice._say
    monkeypatch.setattr(asked_twice, "_say", lambda first: written.append(first) or say(first))
    counted = count(plan)
    assert written == []
    assert counted == len(lint(plan)) and written


def test_the_weak_cards_fixture_keeps_its_findings():
    assert lint_sheets.fingerprint(lint(plan_notes(load(FIXTURES / "weak-cards.yaml")))) == \
        json.loads(RECORD.read_text(encoding="utf-8"))["weak-cards"]


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        record = {name: lint_sheets.fingerprint(lint(_plan(Path(folder), name))) for name in SHEETS}
    record["weak-cards"] = lint_sheets.fingerprint(lint(plan_notes(load(FIXTURES / "weak-cards.yaml"))))
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")

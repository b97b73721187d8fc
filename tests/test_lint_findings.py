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
from cheatdeck.deck.lint import lint
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


def _fingerprint(folder: Path, name: str) -> dict:
    path = folder / f"{name}.yaml"
    path.write_text(lint_sheets.dump(SHEETS[name]()), encoding="utf-8")
    return lint_sheets.fingerprint(lint(plan_notes(load(path))))


@pytest.mark.parametrize("name", SHEETS)
def test_the_lint_finds_what_it_found(tmp_path, name):
    assert _fingerprint(tmp_path, name) == json.loads(RECORD.read_text(encoding="utf-8"))[name]


def test_the_weak_cards_fixture_keeps_its_findings():
    assert lint_sheets.fingerprint(lint(plan_notes(load(FIXTURES / "weak-cards.yaml")))) == \
        json.loads(RECORD.read_text(encoding="utf-8"))["weak-cards"]


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        record = {name: _fingerprint(Path(folder), name) for name in SHEETS}
    record["weak-cards"] = lint_sheets.fingerprint(lint(plan_notes(load(FIXTURES / "weak-cards.yaml"))))
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")

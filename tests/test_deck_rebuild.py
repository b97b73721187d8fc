"""The deck's own path: Anki's file does not wait for the card lint."""

from __future__ import annotations

from pathlib import Path

from cheatdeck.options import Options
from cheatdeck.pipeline import build
from cheatdeck.source.compile import load


def test_the_deck_and_its_lock_are_written_before_the_card_lint_runs(tiny, monkeypatch):
    from cheatdeck.deck import render

    seen = []
    linted = render.lint

    def lint(plan):
        seen.append((Path("dist/tiny.apkg").exists(), Path("source/tiny.lock.json").exists()))
        return linted(plan)

    monkeypatch.setattr(render, "lint", lint)
    result = build(tiny, Options(out=Path("dist")), ("anki",))
    assert seen == [(True, True)]
    (deck,) = result.outputs
    assert deck.details.notes > 0 and deck.details.warnings == len(linted(render.plan_notes(load(tiny))))

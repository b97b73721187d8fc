"""The card lint's CPU, in-process: `python benchmarks/lint.py SHEET.yaml [--runs N] [--parts] [--words]`.

A build counts the deck's warnings (`lint.count`) once its `.apkg` is written; this times that count alone, on
a sheet loaded and planned once, with the collector set as the command line sets it (`cli/runner.py`). Each run
plans the notes again and clears the word caches, as a one-shot build starts with them empty. It prints the
count's CPU seconds (min and median of the runs); `--parts` adds each rule's own CPU, one rule at a time over
the cards as the count reads them (the card rules' checks first, as the count runs them, then the others);
`--words` the CPU of `overlap.words` over every card's front, answer and back and every note's title, uncached.
Compare two trees by running it under each, interleaved: the machine's load moves CPU time too.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from cheatdeck.cli.runner import collect_rarely
from cheatdeck.deck import lint
from cheatdeck.deck.lint.text import read, stem
from cheatdeck.deck.overlap import words
from cheatdeck.deck.plan import plan_notes
from cheatdeck.source.compile import load


def _fresh(sheet):
    words.cache_clear()
    stem.cache_clear()
    plan = plan_notes(sheet)
    # The plan's own objects are collected now, not during the count: otherwise whether a run pays a collection
    # of them (0.17 s at 10,000 facts) depends on where the planning left the collector's count, and a build
    # pays it at some other moment (before its lint at 10,000 facts).
    gc.collect()
    return plan


def count_seconds(sheet) -> tuple[float, int]:
    plan = _fresh(sheet)
    started = time.process_time()
    found = lint.count(plan)
    return time.process_time() - started, found


def parts_seconds(sheet) -> dict[str, float]:
    plan = _fresh(sheet)
    spent: dict[str, float] = {}
    started = time.process_time()
    texts = read(plan)
    spent["read"] = time.process_time() - started
    for rule in lint.CARD_RULES:
        started = time.process_time()
        if not hasattr(rule, "applies") or rule.applies(plan):
            for text in texts:
                rule.check(text)
        spent[rule.NAME] = time.process_time() - started
    for rule in lint.PLAN_RULES:
        started = time.process_time()
        for _ in rule.check(plan, texts):
            pass
        spent[rule.NAME] = time.process_time() - started
    return spent


def words_seconds(sheet) -> float:
    plan = plan_notes(sheet)
    texts = [note.heading for note in plan.notes]
    texts += [text for note in plan.notes for card in note.cards for text in (card.front, card.answer, card.back)]
    split = words.__wrapped__
    started = time.process_time()
    for text in texts:
        split(text)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sheet", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parts", action="store_true")
    parser.add_argument("--words", action="store_true")
    args = parser.parse_args()
    collect_rarely()
    sheet = load(args.sheet)
    runs = [count_seconds(sheet) for _ in range(args.runs)]
    seconds = [spent for spent, _ in runs]
    print(f"lint.count: {runs[0][1]} warnings, CPU min {min(seconds):.3f} s, median {statistics.median(seconds):.3f} s "
          f"({args.runs} runs)")
    if args.parts:
        parts = [parts_seconds(sheet) for _ in range(args.runs)]
        for name in parts[0]:
            print(f"  {name:16} min {min(p[name] for p in parts):.3f} s")
    if args.words:
        print(f"  words            min {min(words_seconds(sheet) for _ in range(args.runs)):.3f} s")


if __name__ == "__main__":
    main()

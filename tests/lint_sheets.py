"""Random English sheets on which every card-lint rule fires, and a fingerprint of a lint's findings.

The words come from a small vocabulary, so answers repeat across sections and tables (twins, asked-twice),
fronts name their answers (contains-answer, give-away), and questions start with auxiliaries or essay stems.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter

import yaml

WORDS = ("model endpoint variant shadow pipeline step caching training tuning transform processing job feature "
         "store online offline registry approval lambda bucket metric drift bias latency payload instance "
         "scaling cooldown encryption key volume artifact container traffic inference batch stream queue "
         "schedule trigger rule alarm log role policy network subnet gateway cluster notebook studio").split()
STEMS = ("Which", "What", "When", "Is", "Can", "Does", "Describe", "Explain", "How", "Should", "Outline")
SEPARATORS = (", ", "; ", " → ", " -> ", " > ")


def sheet(seed: int, sections: int = 24) -> dict:
    rng = _Random(seed)
    domains = [{"id": f"d{d}", "name": f"Domain {_words(rng, 2)}", "short": f"D{d}",
                "sections": []} for d in range(1, 4)]
    for s in range(sections):
        domains[s % 3]["sections"].append(_section(rng, s))
    quick = {"columns": ["Situation", "Key facts", "Choice"],
             "rows": [_quick_row(rng, r) for r in range(rng.randint(3, 12))]}
    return {"id": f"random-{seed}", "title": "Random sheet", "version": "1", "domains": domains,
            "quick_reference": quick, "reverse": rng.random() < 0.3,
            "glossary": {"Tx": "transform", "ep": "endpoint"}}


def fingerprint(problems) -> dict:
    """Each rule's count, and a digest of every finding (line, column, message) in order."""
    lines = [f"{p.loc.line}:{p.loc.column}: {p.message}" for p in problems]
    return {"count": len(lines), "rules": dict(sorted(Counter(p.message.split(":")[0] for p in problems).items())),
            "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}


def dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200)


def _words(rng: _Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _answer(rng: _Random, front: str = "") -> str:
    roll = rng.random()
    if roll < 0.15 and front:
        return " ".join(rng.sample(front.rstrip("?.").split()[1:] or ["model"], k=1)).capitalize()
    if roll < 0.35:
        sep = rng.choice(SEPARATORS)
        items = [_words(rng, rng.randint(1, 2)) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.3:
            items[0] += f" ({_words(rng, 1)}, {_words(rng, 1)})"
        return sep.join(items).capitalize()
    if roll < 0.45:
        return _words(rng, rng.randint(14, 20)).capitalize()
    if roll < 0.6:
        return rng.choice(("Yes", "No", "Shared answer", "Model registry"))
    return _words(rng, rng.randint(1, 4)).capitalize()


def _question(rng: _Random) -> str:
    return _unique(rng, _asking)


def _unique(rng: _Random, make) -> str:
    """A front no other card in the sheet shows (two cards may not show one)."""
    while (asked := make(rng)) in rng.asked:
        pass
    rng.asked.add(asked)
    return asked


class _Random(random.Random):
    """The sheet's random source, and the questions asked so far."""

    def __init__(self, seed: int):
        super().__init__(seed)
        self.asked: set[str] = set()


def _asking(rng: _Random) -> str:
    stem = rng.choice(STEMS)
    body = _words(rng, rng.randint(2, 8))
    if stem in ("Describe", "Explain", "Outline"):
        return f"{stem} the {body}."
    if rng.random() < 0.15:
        return f"{stem} {body} or {_words(rng, 1)}?"
    return f"{stem} {body}?"


def _bullet(rng: _Random, k: str):
    key = _unique(rng, lambda r: _words(r, r.randint(1, 3)).capitalize())
    if rng.random() < 0.3:
        return {"text": f"{key}: {_answer(rng, key)}", "id": f"b{k}"}
    q = _question(rng)
    item = {"text": f"{key}: {_words(rng, 4)}", "id": f"b{k}", "q": q, "a": _answer(rng, q)}
    if rng.random() < 0.1:
        item["cards"] = rng.choice(("both", "none", "forward"))
    if rng.random() < 0.05:
        item["why"] = _words(rng, 60).capitalize()
    if rng.random() < 0.1:
        item["lint"] = {rng.choice(("yes-no", "enumeration", "twins", "asked-twice")): "on purpose"}
    return item


def _section(rng: _Random, s: int) -> dict:
    section: dict = {"id": f"s{s}", "title": f"{_words(rng, rng.randint(1, 3)).title()}",
                     "bullets": [_bullet(rng, f"{s}-{k}") for k in range(rng.randint(2, 8))]}
    if rng.random() < 0.5:
        columns = ["Key", *(f"{_words(rng, 1).title()} {c}" for c in range(rng.randint(1, 2)))]
        section["table"] = {"columns": columns, "rows": [
            [f"{_words(rng, 2)} {s}-{r}", *(_answer(rng) for _ in columns[1:])] for r in range(rng.randint(2, 7))]}
    if rng.random() < 0.6:
        section["traps"] = [{"q": _question(rng), "text": f"{_words(rng, 6)}.", "a": _answer(rng), "id": f"t{s}-{t}"}
                            for t in range(rng.randint(1, 3))]
    return section


def _quick_row(rng: _Random, r: int) -> dict:
    row = {"domain": f"d{rng.randint(1, 3)}", "cells": [f"{_words(rng, 3)} {r}", _words(rng, 3), _answer(rng)]}
    if rng.random() < 0.4:
        row["q"] = _question(rng)
    return row

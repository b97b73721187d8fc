"""A study sheet with a review history made through Anki's own scheduler, for the focus tests.

Every card item carries a token (QX01, QX02, …) in its text and as its id, so a test finds each note's
item in the PDF's text. The history: a dozen notes answered Again twice (three of them Good twice before, and lapsed from
review),
a few never studied, and the rest answered Good (every third of them once more as a due review).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

import cheatdeck
from cheatdeck.state import lock

from anki_helpers import import_package

DOMAINS = (("d1", "Storage", 50, "#16365c"), ("d2", "Compute", 30, "#2e7d32"), ("d3", "Network", 20, "#d9822b"))


def _sheet(filler: int = 0) -> dict:
    """`filler`: words added to every bullet, to make a sheet longer than a page."""
    more = " and more" * filler
    counter = iter(range(1, 1000))

    def token() -> str:
        return f"QX{next(counter):02d}"

    domains = []
    for did, name, weight, colour in DOMAINS:
        sections = []
        for s in range(2):
            bullets = []
            for _ in range(6):
                t = token()
                bullets.append({"id": t.lower(), "text": f"{t} term: what {t} means in {name.lower()} {s}{more}"})
            rows = [{"id": (t := token()).lower(), "cells": [f"Row {t}", f"value of {t}"]} for _ in range(3)]
            t = token()
            traps = [{"id": t.lower(), "q": f"Which rule holds in scenario {t}?", "text": f"Rule {t}: check twice."}]
            sections.append({"id": f"{did}-s{s}", "title": f"{name} Topic {s}", "bullets": bullets,
                             "table": {"columns": ["Key", "Meaning"], "rows": rows}, "traps": traps})
        domains.append({"id": did, "name": name, "short": name, "weight": weight, "color": colour,
                        "sections": sections})
    return {"id": "study", "title": "Study Sheet", "version": "1", "domains": domains}


@dataclass(frozen=True)
class Reviewed:
    source: Path
    collection: Path
    guids: dict[str, str]
    """Identity → GUID, from the lock."""
    dozen: frozenset[str]
    never: frozenset[str]
    good: frozenset[str]
    lapsed: frozenset[str]


def token(ident: str) -> str:
    return ident.rsplit("/", 1)[-1].upper()


def built_sheet(folder: Path, filler: int = 0) -> Path:
    """The sheet written into `folder/source/` and built: its package in `folder/dist/`, its lock beside it."""
    source = folder / "source" / "study.yaml"
    source.parent.mkdir(parents=True)
    source.write_text(yaml.safe_dump(_sheet(filler), sort_keys=False), encoding="utf-8")
    cheatdeck.build(source, cheatdeck.Options(out=folder / "dist"), ("anki",))
    return source


def make_reviewed(folder: Path, fsrs: bool = False) -> Reviewed:
    """The sheet built into `folder`, imported into `folder/profile/collection.anki2` and studied."""
    from anki.collection import Collection

    source = built_sheet(folder)
    guids = {ident: entry["guid"] for ident, entry in lock.read(lock.lock_path(source))["notes"].items()}
    idents = sorted(guids)
    never = frozenset(idents[1::10])
    # Facts and table rows, and a trap.
    dozen = frozenset([*(i for n, i in enumerate(idents) if n % 5 == 3)][:11] + ["qx10"])
    lapsed = frozenset(sorted(dozen)[:3])
    (folder / "profile").mkdir()
    collection = folder / "profile" / "collection.anki2"
    col = Collection(str(collection))
    try:
        if fsrs:
            col.set_config("fsrs", True)
        import_package(col, folder / "dist" / "study.apkg")
        by_guid: dict[str, list[int]] = {}
        for cid, guid in col.db.all("SELECT c.id, n.guid FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.id"):
            by_guid.setdefault(guid, []).append(cid)
        good = frozenset(idents) - never - dozen
        for ident in sorted(good | lapsed):
            _answer(col, by_guid[guids[ident]], (3, 3))
        due = [cid for n, ident in enumerate(sorted(good)) if n % 3 == 0 for cid in by_guid[guids[ident]]]
        due += [cid for ident in lapsed for cid in by_guid[guids[ident]]]
        col.sched.set_due_date(due, "0")
        for n, ident in enumerate(sorted(good)):
            if n % 3 == 0:
                _answer(col, by_guid[guids[ident]], (3,))
        for ident in sorted(dozen):
            _answer(col, by_guid[guids[ident]], (1, 1))
        backups = folder / "profile" / "backups"
        backups.mkdir()
        col.create_backup(backup_folder=str(backups), force=True, wait_for_completion=True)
    finally:
        col.close()
    return Reviewed(source, collection, guids, dozen, never, good, lapsed)


def _answer(col, cids, buttons) -> None:
    for button in buttons:
        for cid in cids:
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, button)


def copy_reviewed(reviewed: Reviewed, folder: Path) -> Reviewed:
    """A copy of the project and its profile (collection and backups) in `folder`, for a test to change."""
    shutil.copytree(reviewed.source.parent.parent, folder, dirs_exist_ok=True)
    return Reviewed(folder / "source" / "study.yaml", folder / "profile" / "collection.anki2", reviewed.guids,
                    reviewed.dozen, reviewed.never, reviewed.good, reviewed.lapsed)

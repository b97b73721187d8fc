"""Write docs/focus-page1.png: page 1 of a focus sheet of the shipped sheet, from a synthetic review history.

The history is made with the official Anki engine in a temporary folder, through its scheduler: the sheet's
package imported into a new collection, then most cards answered Good (twice, so they graduate), one in
eight answered Again twice, one in seven never studied; half the learned ones then reviewed when due. `make focus-picture` runs it (it needs the test venv,
which has the engine).
"""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import click

import cheatdeck
from cheatdeck.cli.study import focus_lines

REPO = Path(__file__).resolve().parent.parent
SHEET = "mla-c01"


def _study(collection: Path, package: Path) -> None:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(collection))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                         options=ImportAnkiPackageOptions()))
        chance = random.Random(26)
        learned = []
        for nid in sorted(col.find_notes("")):
            roll = chance.random()
            buttons = () if roll < 1 / 7 else (1, 1) if roll < 1 / 7 + 1 / 8 else (3, 3)
            _answer(col, col.card_ids_of_note(nid), buttons)
            if buttons == (3, 3) and chance.random() < 0.5:
                learned.append(nid)
        # Half the learned notes come due today and are reviewed: nine in ten remembered.
        col.sched.set_due_date([cid for nid in learned for cid in col.card_ids_of_note(nid)], "0")
        for nid in learned:
            _answer(col, col.card_ids_of_note(nid), (1,) if chance.random() < 0.1 else (3,))
    finally:
        col.close()


def _answer(col, cids, buttons) -> None:
    for button in buttons:
        for cid in cids:
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, button)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cheatdeck-focus-picture-") as tmp:
        work = Path(tmp)
        (work / "source").mkdir()
        for name in (f"{SHEET}.yaml", f"{SHEET}.lock.json"):
            shutil.copy(REPO / "source" / name, work / "source" / name)
        source = work / "source" / f"{SHEET}.yaml"
        opts = cheatdeck.Options(out=work / "dist", print=cheatdeck.PrintOptions(png=True))
        cheatdeck.build(source, opts, ("anki",))
        (work / "profile").mkdir()
        collection = work / "profile" / "collection.anki2"
        _study(collection, work / "dist" / f"{SHEET}.apkg")
        result = cheatdeck.focus(source, collection)
        printed = cheatdeck.write_focus(result, opts)
        target = REPO / "docs" / "focus-page1.png"
        shutil.copy(work / "dist" / f"{SHEET}.focus-page1.png", target)
    # What `cheatdeck focus` prints about it (the README shows it).
    for line in focus_lines(result, printed):
        click.echo(line)


if __name__ == "__main__":
    main()

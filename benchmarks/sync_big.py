"""Sync a big synthetic sheet into a collection: `python benchmarks/sync_big.py [--facts 50000]`.

Prints the time of each sync with the real engine: the first one into an empty collection (every note new),
one with nothing changed, and one after a domain rename and a reworded fact (moves, an update, an empty deck
removed). Every list the sync hands to SQL is batched, so a sheet far above SQLite's 32,766 variables syncs;
the notes and cards counts say how far above. The build that makes the package is timed apart: it is the
build benchmark's (benchmarks/run.py), not the sync's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import synth  # noqa: E402

from cheatdeck.collection.apply import Request  # noqa: E402
from cheatdeck.collection.driver import apply_package  # noqa: E402
from cheatdeck.options import Options  # noqa: E402
from cheatdeck.pipeline import build  # noqa: E402


def timed(label: str, work):
    started = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def package(source: Path, out: Path) -> Path:
    result = build(source, Options(out=out), ("anki",))
    assert not result.failed, result.failed
    (output,) = result.outputs
    return output.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=50_000)
    facts = parser.parse_args().facts
    from anki.collection import Collection

    with tempfile.TemporaryDirectory(prefix="cheatdeck-sync-bench-") as tmp:
        folder = Path(tmp)
        document = synth.sheet(facts)
        source = folder / "source" / f"{document['id']}.yaml"
        source.parent.mkdir()
        source.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
        apkg = timed(f"build of {facts:,} facts (not the sync)", lambda: package(source, folder / "dist"))
        collection = folder / "profile" / "collection.anki2"
        collection.parent.mkdir()
        Collection(str(collection)).close()
        request = Request(document["id"])
        first = timed("sync into an empty collection", lambda: apply_package(apkg, collection, request))
        col = Collection(str(collection))
        notes, cards = col.note_count(), col.card_count()
        col.close()
        print(f"  {first.new:,} new notes; the collection holds {notes:,} notes and {cards:,} cards")
        timed("sync with nothing changed", lambda: apply_package(apkg, collection, request))
        document["domains"][0]["name"] = "Domain One Renamed"
        document["domains"][1]["sections"][0]["bullets"][0] += " (reworded)"
        source.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
        apkg = package(source, folder / "dist")
        report = timed("sync after a domain rename and a reworded fact",
                       lambda: apply_package(apkg, collection, request))
        print(f"  {report.updated} updated, {report.moved:,} moved, empty decks removed: {report.decks_removed}")


if __name__ == "__main__":
    main()

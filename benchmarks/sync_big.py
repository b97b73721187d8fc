"""Sync a big synthetic sheet into a collection: `python benchmarks/sync_big.py [--facts 50000]`.

`sync_vs_import` is run.py's "sync vs import" row: a sync after 100 edits and 100 removals against Anki's own
import of the same package into the same collection.

Prints the time of each sync with the real engine: the first one into an empty collection (every note new),
one with nothing changed, and one after a domain rename and a reworded fact (moves, an update, an empty deck
removed). Every list the sync hands to SQL is batched, so a sheet far above SQLite's 32,766 variables syncs;
the notes and cards counts say how far above. The build that makes the package is timed apart: it is the
build benchmark's (benchmarks/run.py), not the sync's.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
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


def edited(document: dict, edits: int, removals: int) -> dict:
    """The sheet with one bullet reworded in each of the first `edits` sections and the last bullet of each of
    the next `removals` sections removed."""
    sections = [section for domain in document["domains"] for section in domain["sections"]]
    for section in sections[:edits]:
        section["bullets"][0] += " (edited)"
    for section in sections[edits:edits + removals]:
        section["bullets"].pop()
    return document


def _write(document: dict, path: Path) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")


def prepared(folder: Path, facts: int, edits: int = 100, removals: int = 100) -> tuple[Path, Path, Options]:
    """A sheet of `facts` facts synced into a collection, then edited and built (the package fresh, as after
    `cheatdeck build`): the sheet, that collection, the build's options. Kept in `folder` for the next call."""
    from anki.collection import Collection

    from cheatdeck.collection.driver import sync

    document = synth.sheet(facts)
    source = folder / "source" / f"{document['id']}.yaml"
    base = folder / "base" / "collection.anki2"
    opts = Options(out=folder / "dist")
    build_cmd = [sys.executable, str(REPO / "build.py"), "anki", "-q", str(source), "--out", str(opts.out)]
    if not base.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        _write(document, source)
        subprocess.run(build_cmd, check=True)
        collection = folder / "first" / base.name
        collection.parent.mkdir()
        Collection(str(collection)).close()
        sync(source, collection, opts)
        _write(edited(document, edits, removals), source)
        collection.parent.rename(base.parent)
    subprocess.run(build_cmd, check=True)  # the build `sync` finds fresh (built again if cheatdeck changed)
    return source, base, opts


def sync_vs_import(folder: Path, facts: int, runs: int, edits: int = 100, removals: int = 100) -> dict[str, float]:
    """Median seconds of `sync` (its build fresh) and of Anki's own import of the same package
    (`import_anki_package`, the collection opened and closed), each into a copy of a collection that synced the
    sheet before the edits; the two take turns."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from cheatdeck.collection.driver import sync

    source, base, opts = prepared(folder, facts, edits, removals)
    package = str(opts.out / f"{source.stem}.apkg")
    samples: dict[str, list[float]] = {"sync": [], "import": []}

    def copy(name: str) -> Path:
        shutil.rmtree(folder / name, ignore_errors=True)
        return Path(shutil.copytree(base.parent, folder / name)) / base.name

    def synced(collection: Path) -> None:
        result = sync(source, collection, opts)
        assert result.build.up_to_date and result.report.updated == edits and result.report.removed == removals

    def imported(collection: Path) -> None:
        col = Collection(str(collection))
        col.import_anki_package(ImportAnkiPackageRequest(package_path=package, options=ImportAnkiPackageOptions()))
        col.close()

    for _ in range(runs):
        for name, work in (("sync", synced), ("import", imported)):
            collection = copy(name)
            started = time.perf_counter()
            work(collection)
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


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

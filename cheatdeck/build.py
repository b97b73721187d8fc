"""The build, as one straight line: load → plan → render → write.

Everything is rendered in memory before anything is written, so a failure
at any stage leaves the previous outputs and the lock file untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import lock
from .sheets import Options
from .uptodate import State, fingerprint

OUTPUTS = ("anki", "pdf")
SUFFIX = {"anki": ".apkg", "pdf": ".pdf"}


@dataclass
class Output:
    kind: str
    path: Path
    size: int
    written: bool
    details: dict = field(default_factory=dict)


@dataclass
class SheetResult:
    source: Path
    sheet_id: str | None
    outputs: list[Output]
    changes: lock.Changes | None = None
    seconds: float = 0.0

    @property
    def up_to_date(self) -> bool:
        return not any(o.written for o in self.outputs) and self.changes is None


def _print_options(opts: Options, kind: str) -> dict:
    p = opts.print
    return {"paper": p.paper, "pages": p.pages, "grayscale": p.grayscale, "png": p.png} if kind == "pdf" else {}


def build(source: Path, opts: Options, kinds: tuple[str, ...] = OUTPUTS) -> SheetResult:
    started = time.perf_counter()
    state = State(opts.out)
    lock_file = lock.lock_path(source)

    def fingerprint_of(kind: str) -> str:
        return fingerprint(source, lock_file, kind, _print_options(opts, kind), opts.templates)

    fresh = {k: state.fresh(source, k, fingerprint_of(k)) for k in kinds}
    todo = [k for k in kinds if opts.force or fresh[k] is None]
    if not todo:
        outputs = [Output(k, Path(fresh[k]["details"]["path"]), fresh[k]["details"]["size"], False,
                          fresh[k]["details"]) for k in kinds]
        return SheetResult(source, fresh[kinds[0]]["details"].get("sheet"), outputs,
                           seconds=time.perf_counter() - started)

    # Imported here, not at the top: an up-to-date build never pays for them.
    from .load import load

    sheet = load(source, opts.display(source))
    previous = lock.read(lock_file)
    document = dict(previous)
    rendered: dict[str, tuple[bytes, dict]] = {}
    extra_files: dict[str, list[tuple[Path, bytes]]] = {k: [] for k in todo}
    changes = None
    if "anki" in todo:
        from .apkg import load_notetypes, render_apkg
        from .notes import plan_notes

        plan = plan_notes(sheet)
        notetypes = load_notetypes(opts.templates / "anki")
        stamps = lock.stamp(previous, {n.ident: n.digest for n in plan.notes},
                            {k: (nt.digest, nt.schema) for k, nt in notetypes.items()}, lock.build_time())
        changes = stamps.changes
        document.update(stamps.sections)
        decks: dict[str, int] = {}
        for note in plan.notes:
            decks[note.deck] = decks.get(note.deck, 0) + 1
        cards = sum(len(n.fronts) for n in plan.notes)
        rendered["anki"] = (render_apkg(plan, notetypes, stamps),
                            {"notes": len(plan.notes), "cards": cards, "decks": decks})
    if "pdf" in todo:
        from .pdf import render_pdf

        slot = lock.layout_slot(opts.print.paper, opts.print.pages)
        key = fingerprint_of("pdf")
        data, details, pages = render_pdf(sheet, opts.print, opts.templates, *lock.layout_hint(previous, slot, key))
        document = lock.with_layout(document, slot, key, details["body_size"])
        rendered["pdf"] = (data, details)
        extra_files["pdf"] = [(opts.out / f"{sheet.id}-page{i}.png", png) for i, png in enumerate(pages, 1)]

    from .write import write_atomic

    outputs = []
    for kind in todo:
        data, details = rendered[kind]
        path = opts.out / f"{sheet.id}{SUFFIX[kind]}"
        written = write_atomic(path, data)
        for extra_path, extra in extra_files[kind]:
            write_atomic(extra_path, extra)
        details = {**details, "path": str(path), "size": len(data), "sheet": sheet.id}
        outputs.append(Output(kind, path, len(data), written, details))
    if document != previous:
        write_atomic(lock_file, lock.dump(document).encode())
    for output in outputs:
        files = [output.path, *(p for p, _ in extra_files[output.kind])]
        state.record(source, output.kind, fingerprint_of(output.kind), files, output.details)
    state.save()
    for kind in kinds:
        if kind not in todo:
            d = fresh[kind]["details"]
            outputs.append(Output(kind, Path(d["path"]), d["size"], False, d))
    return SheetResult(source, sheet.id, outputs, changes, time.perf_counter() - started)


def clean(opts: Options) -> list[Path]:
    """Remove what builds wrote into the output folder (and the folder, once empty)."""
    state = State(opts.out)
    paths = {Path(p) for entry in state.data.values() for p in entry.get("files", {})}
    paths |= {p for pattern in ("*.apkg", "*.pdf", "*-page*.png", ".*.tmp") for p in opts.out.glob(pattern)}
    removed = []
    for path in sorted(paths | {state.path}):
        if path.is_file():
            path.unlink()
            removed.append(path)
    if opts.out.is_dir() and not any(opts.out.iterdir()):
        opts.out.rmdir()
    return removed

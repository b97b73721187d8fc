"""The build, as one straight line: load → plan → render → write; and `check`, the same without writing.

Everything is rendered in memory before anything is written, so a failure
at any stage leaves the previous outputs and the lock file untouched. The
outputs are independent: one that fails (a PDF that overflows) keeps its
last good file and does not stop the others.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .clock import build_time
from .errors import CheatdeckError, Location, Problem
from .options import Options, PrintOptions, SheetPrint

from .state import lock
from .state.freshness import Fingerprints, State, file_stat

if TYPE_CHECKING:  # annotations only: an up-to-date build must not import the model or the stamps
    from .deck.stamps import Changes
    from .model import Sheet

OUTPUTS = ("anki", "pdf")
Report = Callable[["BuildResult | CheatdeckError"], None]
SUFFIX = {"anki": ".apkg", "pdf": ".pdf"}


@dataclass
class Output:
    kind: str
    path: Path
    size: int
    written: bool
    details: dict = field(default_factory=dict)
    built: bool = True
    """Rendered by this build (False: it was up to date and nothing was done); `written` says whether its bytes
    changed."""


@dataclass
class BuildResult:
    source: Path
    sheet_id: str | None
    outputs: list[Output]
    changes: Changes | None = None
    seconds: float = 0.0
    failed: dict[str, CheatdeckError] = field(default_factory=dict)

    @property
    def up_to_date(self) -> bool:
        return not any(o.built for o in self.outputs) and not self.failed


def variant(kind: str, p: PrintOptions, sheet: SheetPrint) -> str:
    """What sets a PDF apart from the sheet's own print (by default letter, in colour) in its file name:
    `.a4` or `.letter`, `.gray` or `.color`. `p` is resolved (`PrintOptions.over`)."""
    if kind != "pdf":
        return ""
    colour = "" if p.grayscale == sheet.grayscale else ".gray" if p.grayscale else ".color"
    return (f".{p.paper}" if p.paper != sheet.paper else "") + colour


def _request(kind: str, opts: Options) -> str:
    """An output as asked for, before the sheet is read: its file name depends on the sheet's own settings,
    which an up-to-date build does not load (the source is part of the fingerprint, so the same request of
    the same source names the same file)."""
    asked = opts.print.requested() if kind == "pdf" else {}
    return kind + "".join(f"[{key}={value}]" for key, value in sorted(asked.items()))


def _print_options(opts: Options, kind: str) -> dict:
    return {**opts.print.requested(), "png": opts.print.png} if kind == "pdf" else {}


def _layout_options(p: PrintOptions) -> dict:
    """What moves a line: not colour, not previews."""
    return {"paper": p.paper, "pages": p.pages, **({"columns": p.columns} if p.columns else {})}


@dataclass
class _Rendered:
    data: bytes
    details: dict
    extra: list[tuple[Path, bytes]] = field(default_factory=list)
    arriving: Callable[[], bytes] | None = None
    """Waits for `data` when another process makes it (then `data` is empty until written)."""


def build(source: Path | str, opts: Options | None = None, kinds: tuple[str, ...] = OUTPUTS, *,
          fork: bool = False) -> BuildResult:
    """Build the given outputs of one sheet, skipping those whose inputs did not change.

    Raises CheatdeckError, with every problem found, when the sheet or an output cannot be built.
    `fork`: use a second process where it shortens the build (see forked.py): the .apkg is rendered in a
    child while this process lays out the PDF (or, built alone, while it lints the cards and prepares the
    lock), and the PDF's fit search lays out a second size beside its first; only for a process that holds
    no threads and ends after its builds, as the one-shot command line does.
    """
    started = time.perf_counter()
    source, opts = Path(source), opts or Options()
    if not source.is_file():
        raise CheatdeckError(Problem(Location(str(source)), "no such sheet file"))
    state = State(opts.out)
    lock_file = lock.lock_path(source)

    prints = Fingerprints(source, lock_file, opts.templates)

    def fingerprint_of(kind: str) -> str:
        return prints.of(kind, _print_options(opts, kind))

    names = {k: _request(k, opts) for k in kinds}
    fresh = {k: state.fresh(source, names[k], fingerprint_of(k)) for k in kinds}
    todo = [k for k in kinds if opts.force or fresh[k] is None]
    if not todo:
        details = [fresh[k]["details"] for k in kinds]
        return BuildResult(source, details[0].get("sheet"), [_recorded(k, d) for k, d in zip(kinds, details)],
                           seconds=time.perf_counter() - started)

    # Imported here, not at the top: an up-to-date build never pays for them.
    from . import forked
    from .source.compile import load
    from .write import remove_leftovers, write_atomic

    # Children still running when this build stops early are stopped and reaped, not left behind.
    children: list[forked.Pending] = []
    paused = False
    try:
        now = build_time()
        package_beside = stored = None
        if forked.available(fork) and todo == ["anki"]:
            # Alone, the deck's package is made in a child forked before the load, which loads the same bytes and
            # plans and stamps the notes itself (against the same lock, at the same time `now`) while this process
            # lints them and keeps the lock: forked later, each would pay for copying the big heap's pages as the
            # other wrote to them. What both processes import is imported once, before the fork.
            from .deck import lint, notetypes, package, plan, stamps  # noqa: F401

            stored = lock.read(lock_file)
            package_beside = forked.start(lambda: _package_of(source, prints.source, stored, opts, now), True)
            children.append(package_beside)
            # What this process makes from here (the model, the notes, the lock) lives until the build ends, with
            # few cycles: a collection would walk all of it again and again to free nothing.
            paused = gc.isenabled()
            gc.disable()
        sheet = load(source, prints.source)
        printing = opts.print.over(sheet.print)
        layout_key = prints.layout_key(_layout_options(printing)) if "pdf" in todo else ""
        if stored is None:
            stored = lock.read(lock_file)
        previous = lock.upgrade(stored, sheet.id)
        document = dict(previous)
        rendered: dict[str, _Rendered] = {}
        failed: dict[str, CheatdeckError] = {}
        changes = None
        anki = None
        if "anki" in todo:
            both = "pdf" in todo
            # With both outputs the deck renders beside the PDF.
            anki = forked.start(lambda: _render_anki(sheet, opts, previous, now, package_beside), fork and both)
            children.append(anki)
        if "pdf" in todo:
            try:
                rendered["pdf"], document = _render_pdf(sheet, opts, printing, document, previous, layout_key, fork)
            except CheatdeckError as err:
                failed["pdf"] = err
        if anki is not None:
            try:
                rendered["anki"], changes, sections = anki()
                document.update(sections)
            except CheatdeckError as err:
                failed["anki"] = err
        # Reported in the order of OUTPUTS, whichever finished first.
        rendered = {kind: rendered[kind] for kind in OUTPUTS if kind in rendered}
        failed = {kind: failed[kind] for kind in OUTPUTS if kind in failed}
        if not rendered:
            raise CheatdeckError.combined(failed.values())

        # Made before waiting for a deck that another process packages (see _render_anki), written after the outputs.
        lock_text = lock.dump(document) if document != stored else None
        outputs = []
        for kind, result in rendered.items():
            if result.arriving:
                result.data = result.arriving()
            path = opts.out / f"{sheet.id}{variant(kind, printing, sheet.print)}{SUFFIX[kind]}"
            written = write_atomic(path, result.data)
            for extra_path, extra in result.extra:
                write_atomic(extra_path, extra)
            details = {**result.details, "path": str(path), "size": len(result.data), "sheet": sheet.id}
            outputs.append(Output(kind, path, len(result.data), written, details))
        if lock_text is not None:
            write_atomic(lock_file, lock_text.encode())
        else:
            remove_leftovers(lock_file)  # a killed build's temp file beside the sheet (write_atomic does it too)
        for output in outputs:
            files = [output.path, *(p for p, _ in rendered[output.kind].extra)]
            state.record(source, names[output.kind], fingerprint_of(output.kind), files, output.details,
                         [media.path for media in sheet.media.values()])
        state.save()
        outputs += [_recorded(k, fresh[k]["details"]) for k in kinds if k not in todo]
        return BuildResult(source, sheet.id, outputs, changes, time.perf_counter() - started, failed)
    finally:
        if paused:
            # Frozen first: the collection due as soon as the collector runs again would walk everything made
            # while it was paused (70 ms at 10,000 facts), in a process that is about to exit.
            gc.freeze()
            gc.enable()
        for child in children:
            child.cancel()


def _recorded(kind: str, details: dict) -> Output:
    return Output(kind, Path(details["path"]), details["size"], False, details, built=False)


def _deck(sheet, opts: Options, previous: dict, now: int, record: bool = True):
    """The deck's notes, note types, stamps (GUIDs and mod times against the lock; `record`: with the lock's
    entries) and media."""
    from .deck.cloze import without_unused_cloze
    from .deck.media import package_media
    from .deck.notetypes import load_notetypes, palette_css
    from .deck.plan import plan_notes
    from .deck.stamps import stamp

    plan = plan_notes(sheet)
    notetypes = without_unused_cloze(load_notetypes(opts.templates / "anki", palette_css(sheet)),
                                     {n.kind for n in plan.notes})
    stamps = stamp(previous, sheet.id, plan.notes, {k: (nt.digest, nt.schema) for k, nt in notetypes.items()},
                   now, record=record)
    return plan, notetypes, stamps, package_media(plan)


def _package_of(source: Path, raw: bytes, stored: dict, opts: Options, now: int) -> bytes:
    """The .apkg a build of these bytes and this lock makes (for a child process: see build)."""
    from .deck.package import render_apkg
    from .source.compile import load

    sheet = load(source, raw)
    # This process's parent keeps the lock: the child makes only what the package holds.
    return render_apkg(*_deck(sheet, opts, lock.upgrade(stored, sheet.id), now, record=False))


def _render_anki(sheet, opts: Options, previous: dict, now: int,
                 package_beside: Callable[[], bytes] | None = None) -> tuple[_Rendered, Changes, dict]:
    """`package_beside`: waits for the .apkg from another process that makes it from the same inputs; the
    result then carries it as `arriving`."""
    from .deck.lint import lint
    from .deck.package import render_apkg

    plan, notetypes, stamps, media = _deck(sheet, opts, previous, now)
    decks: dict[str, int] = {}
    for note in plan.notes:
        decks[note.deck] = decks.get(note.deck, 0) + 1
    details = {"notes": len(plan.notes), "cards": sum(len(n.fronts) for n in plan.notes), "decks": decks,
               "deck": sheet.deck, "warnings": len(lint(plan))}
    if media:
        details["media"] = len(media)
    if package_beside:
        return _Rendered(b"", details, arriving=package_beside), stamps.changes, stamps.sections
    return _Rendered(render_apkg(plan, notetypes, stamps, media), details), stamps.changes, stamps.sections


@dataclass(frozen=True)
class Package:
    """A sheet's .apkg rendered in memory, with the tombstones the lock would then hold; nothing is written."""

    sheet_id: str
    deck: str
    data: bytes
    tombstones: dict[str, dict]


def render_package(source: Path | str, opts: Options | None = None) -> Package:
    """What `build` would write for the deck, without writing it (for `sync --plan`)."""
    from .source.compile import load

    source, opts = Path(source), opts or Options()
    sheet = load(source)
    previous = lock.upgrade(lock.read(lock.lock_path(source)), sheet.id)
    rendered, _, sections = _render_anki(sheet, opts, previous, build_time())
    return Package(sheet.id, sheet.deck, rendered.data, sections["removed"])


def _render_pdf(sheet, opts: Options, printing: PrintOptions, document: dict, previous: dict,
                key: str, fork: bool = False) -> tuple[_Rendered, dict]:
    data, details, pages, slot = _lay_out(sheet, printing, opts.templates, previous, key, fork)
    stem = sheet.id + variant("pdf", printing, sheet.print)
    extra = [(opts.out / f"{stem}-page{i}.png", png) for i, png in enumerate(pages, 1)]
    return _Rendered(data, details, extra), lock.with_layout(document, slot, key, details["body_size"])


def _lay_out(sheet, printing: PrintOptions, templates: Path, previous: dict, key: str, fork: bool = False):
    """The PDF, its fit search starting from the size the lock recorded for this paper and budget (one pass
    when the inputs are those it was recorded for); also the lock's slot for that size."""
    from .pdf.render import render_pdf

    slot = lock.layout_slot(printing.paper, printing.pages, printing.columns)
    return (*render_pdf(sheet, printing, templates, *lock.layout_hint(previous, slot, key), fork=fork), slot)


def layout_in_memory(source: Path, sheet: Sheet, opts: Options) -> dict:
    """The PDF's layout details (body size, pages, fill, …) for `check` and `stats`; nothing is written."""
    printing = dataclasses.replace(opts.print.over(sheet.print), png=False)
    lock_file = lock.lock_path(source)
    key = Fingerprints(source, lock_file, opts.templates).layout_key(_layout_options(printing))
    return _lay_out(sheet, printing, opts.templates, lock.read(lock_file), key)[1]


@dataclass(frozen=True)
class CheckResult:
    source: Path
    sheet: Sheet
    layout: dict = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()
    """Cards that are weak to study (the card lint), in file order; `check --strict` treats them as errors."""

    @property
    def counts(self) -> dict[str, int]:
        return self.sheet.counts()


def check(source: Path | str, opts: Options | None = None) -> CheckResult:
    """Everything a build would refuse, found without writing anything; raises CheatdeckError with every problem.

    The card rules come from planning the notes, the glyph coverage and the page budget from the PDF's layout
    in memory (one pass when the lock's layout hint still holds); no file is written. The card lint's warnings
    come back in the result: they do not stop a build.
    """
    from .deck.lint import lint
    from .deck.plan import plan_notes
    from .source.compile import load

    source, opts = Path(source), opts or Options()
    sheet = load(source)
    problems = []
    warnings: list[Problem] = []
    try:
        warnings = lint(plan_notes(sheet))
    except CheatdeckError as err:
        problems += err.problems
    layout: dict = {}
    try:
        layout = layout_in_memory(source, sheet, opts)
    except CheatdeckError as err:
        problems += err.problems
    if problems:
        raise CheatdeckError(problems)
    return CheckResult(source, sheet, layout, tuple(warnings))


@dataclass(frozen=True)
class RemovedNote:
    """A note that left the sheet and may still be in Anki: its tombstone in the lock."""

    ident: str
    guid: str
    left: str
    search: str
    synced: int = 0
    """How many collections `sync` has already suspended or deleted it in."""


@dataclass(frozen=True)
class Removed:
    source: Path
    sheet_id: str | None
    notes: list[RemovedNote]
    forgotten: bool = False

    @property
    def search(self) -> str:
        """One Anki Browser search that finds every removed note."""
        return " OR ".join(n.search for n in self.notes)


def anki_search(sheet_id: str | None, idents: Sequence[str]) -> str:
    """The Anki Browser search that finds these notes by their hidden Id field."""
    return " OR ".join(f'"Id:{sheet_id}/{ident}"' for ident in idents)


def removed(source: Path | str, forget: bool = False) -> Removed:
    """The notes removed from a sheet that the user has not confirmed deleting; `forget` drops their tombstones."""
    source = Path(source)
    lock_file = lock.lock_path(source)
    sheet_id, tombstones = lock.tombstones(lock_file)
    notes = [RemovedNote(ident, t["guid"], t["left"], anki_search(sheet_id, [ident]), len(t.get("applied", ())))
             for ident, t in sorted(tombstones.items(), key=lambda item: (item[1]["left"], item[0]))]
    if forget:
        lock.forget(lock_file)
    return Removed(source, sheet_id, notes, forget)


def build_all(paths: list[Path], opts: Options, report: Report, kinds: tuple[str, ...] = OUTPUTS, *,
              fork: bool = False) -> None:
    for path in paths:
        try:
            result = build(path, opts, kinds, fork=fork)
        except CheatdeckError as err:
            report(err)
            continue
        report(result)
        if result.failed:
            report(CheatdeckError.combined(result.failed.values()))


@dataclass(frozen=True)
class Cleaned:
    removed: list[Path]
    kept: list[Path]


def clean(opts: Options) -> Cleaned:
    """Remove exactly what builds left in the output folder, as its state file names it: the files they wrote,
    the temp files a killed build left (of those files, and of the recorded sheets' locks), the state file, and
    the folder itself if a build made it and it is now empty.

    A file that changed since cheatdeck wrote it is no longer cheatdeck's: it is kept.
    """
    from .write import remove_leftovers

    state = State(opts.out)
    removed, kept = [], []
    for name, written in sorted(state.written.items()):
        if Path(name).name != name or name == state.path.name:
            continue  # cheatdeck writes only into the folder itself: a name with a path in it was edited by hand
        path = opts.out / name
        removed += remove_leftovers(path)
        if path.is_symlink() or not path.is_file():
            continue
        if file_stat(path) == written:
            _remove(path, path.unlink)
            removed.append(path)
        else:
            kept.append(path)
    for source in state.sources():
        removed += remove_leftovers(lock.lock_path(source))
    removed += remove_leftovers(state.path)
    if state.path.is_file():
        _remove(state.path, state.path.unlink)
        removed.append(state.path)
    if state.created and opts.out.is_dir() and not any(opts.out.iterdir()):
        _remove(opts.out, opts.out.rmdir)
    return Cleaned(removed, kept)


def _remove(path: Path, remove: Callable[[], None]) -> None:
    """`remove()`, with what the environment refused as an error at `path`."""
    from .environment import environment_error

    try:
        remove()
    except OSError as exc:
        raise environment_error(exc, path) or exc from None

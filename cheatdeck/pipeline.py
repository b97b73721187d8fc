"""The build, as one straight line: read the inputs → load → for each output, render then write; and `check`,
the same without writing.

Each output is rendered in memory, then written at once, the deck first, so Anki's file never waits for the
PDF's layout. A sheet that does not load writes nothing; an output that fails (a PDF that overflows) keeps
its last good file and does not stop the others. The state file is saved after each output, so it never
names one that was not written.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Union

from .deck.details import DeckDetails
from .clock import build_time
from .errors import CheatdeckError, Location, Problem
from .options import Options, PrintOptions, SheetPrint
from .pdf.details import PdfDetails
from .state import lock
from .state import layouts, measures
from .state.freshness import Fingerprints, State, file_stat

if TYPE_CHECKING:  # annotations only: an up-to-date build must not import the model or the stamps
    from .deck.stamps import Changes
    from .model import Sheet
    from .pdf.memo import LayoutMemo
    from .source.sections import Sections

OUTPUTS = ("anki", "pdf")
Report = Callable[["BuildResult | CheatdeckError"], None]
Written = Callable[["Output"], None]
"""Told of each output as it is written (the deck before the PDF's layout starts)."""
Guard = Callable[["Changes | None", int], bool]
"""Asked once, before the first output is written, with what the deck would change and how many notes the lock
held (None and 0 when the deck is not rendered): False stops the build, which then writes nothing (`watch` holds
a save that would remove many notes, and drops one whose files changed since it began)."""
SUFFIX = {"anki": ".apkg", "pdf": ".pdf"}
Details = Union[DeckDetails, PdfDetails]
DETAILS: dict[str, type] = {"anki": DeckDetails, "pdf": PdfDetails}


@dataclass
class Output:
    """One file a build made or found up to date, and what it holds."""

    kind: str
    path: Path
    size: int
    written: bool
    details: Details
    """DeckDetails for "anki", PdfDetails for "pdf". In `watch` the deck's are worked out once the PDF is written:
    `on_written` hears of the deck before, with None here."""
    built: bool = True
    """Rendered by this build (False: it was up to date and nothing was done); `written` says whether its bytes
    changed."""
    landed: float | None = None
    """When its file was written, on the wall clock (`time.time()`; None when it was up to date): the deck's is
    before its card lint runs."""


@dataclass
class BuildResult:
    """What building one sheet did: its outputs, its notes' changes, its time, and what failed and why."""

    source: Path
    sheet_id: str | None
    outputs: list[Output]
    changes: Changes | None = None
    seconds: float = 0.0
    failed: dict[str, CheatdeckError] = field(default_factory=dict)
    stopped: bool = False
    """The guard stopped the build before its first output was written: nothing was written; `changes` says what
    the deck would have changed (None when it was not rendered)."""

    @property
    def up_to_date(self) -> bool:
        return not any(o.built for o in self.outputs) and not self.failed and not self.stopped


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
class _Inputs:
    """What a build reads before it loads the sheet, each once: the source's and the lock's bytes, the
    fingerprints of everything else, and the output folder's state."""

    source: Path
    opts: Options
    kinds: tuple[str, ...]
    lock_file: Path
    prints: Fingerprints
    state: State
    names: dict[str, str]
    fresh: dict[str, dict | None]
    memo: LayoutMemo | None = None
    """What earlier layout passes measured: `watch`'s own, else read from the output folder when the PDF is built."""
    sections: Sections | None = None
    """What earlier loads and plans made of each section (`watch`'s): only changed sections are built again."""

    def fingerprint(self, kind: str) -> str:
        return self.prints.of(kind, _print_options(self.opts, kind))

    @functools.cached_property
    def stored(self) -> dict:
        """The lock as committed (parsed only by a build that renders the deck; `watch` keeps the last one)."""
        kept = self.sections.locks.get(str(self.source)) if self.sections is not None else None
        if kept is not None and kept[0] == self.prints.lock:
            return kept[1]
        return lock.parse(self.prints.lock, self.lock_file)

    def let_go_of_lock(self) -> None:
        """Lets go of the lock as read and as written once the deck wrote it: only its digest is read after
        (the state's fingerprint), and a big sheet's lock, its bytes and its parsed entries, is tens of
        megabytes beside the deck's card lint."""
        self.prints.let_go_of_lock()
        vars(self).pop("stored", None)

    @property
    def todo(self) -> list[str]:
        """The outputs to build, the deck first: it is ready long before the PDF."""
        return [k for k in sorted(self.kinds, key=OUTPUTS.index) if self.opts.force or self.fresh[k] is None]


@dataclass
class _Rendered:
    """One output rendered and not yet written: its bytes, and the files written beside it."""

    data: bytes
    details: Details | Callable[[], Details]
    """Or what works them out once the output's file is written (the deck's card lint: Anki's file does not
    wait for it)."""
    extra: list[tuple[Path, bytes]] = field(default_factory=list)
    changes: Changes | None = None
    lock_sections: dict = field(default_factory=dict)
    layout: tuple[str, float] | None = None
    """The PDF's layout key and the body size its fit search chose (state/layouts.py)."""

    def let_go(self) -> None:
        """Lets go of what only the write needed, the bytes and the lock's sections: the deck's card lint runs
        next, and a big sheet's peak would hold them beside its transients."""
        self.data, self.extra, self.lock_sections = b"", [], {}


def build(source: Path | str, opts: Options | None = None, kinds: tuple[str, ...] = OUTPUTS,
          on_written: Written | None = None, guard: Guard | None = None,
          memo: LayoutMemo | None = None, sections: Sections | None = None) -> BuildResult:
    """Build the given outputs of one sheet, skipping those whose inputs did not change.

    Each output is written as soon as it is rendered, the deck first: it does not wait for the PDF's layout.
    `on_written` hears of each output as it lands; `guard` may stop the build before anything is written;
    `memo`: a layout memo (pdf/memo.py) a caller keeps between builds (`watch`); without one, the output
    folder's is read and kept; `sections`: what earlier builds made of each section (source/sections.py), kept
    by a caller between builds (`watch`), so that a build loads and plans only the sections that changed.
    Raises CheatdeckError, with every problem found, when the sheet or every output asked for cannot be built;
    an output that fails alone is in the result's `failed`.
    """
    started = time.perf_counter()
    inputs = _read_inputs(Path(source), opts or Options(), kinds)
    inputs.memo, inputs.sections = memo, sections
    if not inputs.todo:
        outputs = [_recorded(k, inputs.fresh[k]["details"]) for k in kinds]
        return BuildResult(inputs.source, inputs.fresh[kinds[0]]["details"].get("sheet"), outputs,
                           seconds=time.perf_counter() - started)
    # Imported here, not at the top: an up-to-date build never pays for it.
    from .source.compile import load

    sheet = load(inputs.source, inputs.prints.source, sections)
    inputs.prints.let_go_of_source()
    outputs, failed, changes, later = [], {}, None, []
    for kind in inputs.todo:
        try:
            rendered = RENDER[kind](sheet, inputs)
        except CheatdeckError as err:
            failed[kind] = err
            continue
        if not outputs and guard and not guard(rendered.changes,
                                               len(inputs.stored.get("notes", {})) if kind == "anki" else 0):
            return BuildResult(inputs.source, sheet.id, [], rendered.changes, time.perf_counter() - started,
                               stopped=True)
        output, extra = _write(sheet, inputs, kind, rendered)
        finish = functools.partial(_finish, sheet, inputs, output, rendered, extra)
        # `watch`, which keeps the notes anyway, runs the deck's card lint once the PDF is written: the PDF does
        # not wait for it either (a build without `sections` lets the notes go before the PDF's layout).
        if sections is not None and kind != inputs.todo[-1]:
            later.append(finish)
        else:
            finish()
        outputs.append(output)
        changes = rendered.changes or changes
        if on_written:
            on_written(output)
    for finish in later:
        finish()
    if not outputs:
        raise CheatdeckError.combined(failed.values())
    outputs += [_recorded(k, inputs.fresh[k]["details"]) for k in kinds if k not in inputs.todo]
    return BuildResult(inputs.source, sheet.id, outputs, changes, time.perf_counter() - started, failed)


def _read_inputs(source: Path, opts: Options, kinds: tuple[str, ...]) -> _Inputs:
    if not source.is_file():
        raise CheatdeckError(Problem(Location(str(source)), "no such sheet file"))
    lock_file = lock.lock_path(source)
    prints = Fingerprints(source, lock.read_bytes(lock_file), opts.templates)
    state = State(opts.out)
    names = {k: _request(k, opts) for k in kinds}
    inputs = _Inputs(source, opts, kinds, lock_file, prints, state, names, {})
    inputs.fresh = {k: state.fresh(source, names[k], inputs.fingerprint(k)) for k in kinds}
    return inputs


def _recorded(kind: str, details: dict) -> Output:
    """An up-to-date output, as the state recorded it."""
    own = {name: value for name, value in details.items() if name not in ("path", "size", "sheet")}
    return Output(kind, Path(details["path"]), details["size"], False, DETAILS[kind](**own), built=False)


def _render_anki(sheet: Sheet, inputs: _Inputs) -> _Rendered:
    from .deck.render import render_deck

    previous = lock.upgrade(inputs.stored, sheet.id)
    deck = render_deck(sheet, inputs.opts.templates, previous, build_time(), inputs.sections,
                       _output_path(sheet, inputs, "anki"))
    return _Rendered(deck.data, deck.details, changes=deck.changes, lock_sections={**previous, **deck.sections})


def _render_pdf(sheet: Sheet, inputs: _Inputs) -> _Rendered:
    from .pdf.render import render_pdf

    opts = inputs.opts
    printing = opts.print.over(sheet.print)
    key = inputs.prints.layout_key(_layout_options(printing))
    memo = _memo(inputs)
    hint = layouts.size(key)
    last = f"{sheet.id}:{json.dumps(_layout_options(printing), sort_keys=True)}"
    # After an edit, the search starts from the size the sheet's last build chose (a guess, not `exact`).
    start = hint if hint is not None else memo.sizes.get(last)
    data, details, pages = render_pdf(sheet, printing, opts.templates, start, exact=hint is not None, memo=memo,
                                      sheet_key=last)
    memo.remember_size(last, details.body_size)
    stem = sheet.id + variant("pdf", printing, sheet.print)
    extra = [(opts.out / f"{stem}-page{i}.png", png) for i, png in enumerate(pages, 1)]
    return _Rendered(data, details, extra, layout=(key, details.body_size))


def _memo(inputs: _Inputs) -> LayoutMemo:
    """The caller's layout memo, else one of this build's; the first time, with what the output folder kept
    (state/measures.py)."""
    from .pdf.memo import LayoutMemo

    if inputs.memo is None:
        inputs.memo = LayoutMemo()
    if not inputs.memo.read:
        inputs.memo.merge(**measures.load(inputs.opts.out, inputs.prints.layout_code()))
    return inputs.memo


RENDER: dict[str, Callable[[Sheet, _Inputs], _Rendered]] = {"anki": _render_anki, "pdf": _render_pdf}


def _write(sheet: Sheet, inputs: _Inputs, kind: str, rendered: _Rendered) -> tuple[Output, list[Path]]:
    """One output, then the lock (when the deck changed it); the output's details wait for `_finish`. Returns
    the output and the other files written with it (PNG pages)."""
    from .write import remove_leftovers, write_atomic

    path = _output_path(sheet, inputs, kind)
    written = write_atomic(path, rendered.data)
    landed = time.time()
    size = len(rendered.data)
    rendered.data = b""  # written: the lock's text, made next, need not be held beside it
    for extra_path, extra in rendered.extra:
        write_atomic(extra_path, extra)
    extra = [extra_path for extra_path, _ in rendered.extra]
    if kind == "anki" and rendered.lock_sections != inputs.stored:
        # The deck's fingerprint is recorded against the lock as written.
        inputs.prints.wrote_lock(*lock.write(inputs.lock_file, rendered.lock_sections, inputs.sections is not None))
    elif kind == "anki":
        remove_leftovers(inputs.lock_file)  # a killed build's temp file beside the sheet (write_atomic does it too)
    if kind == "anki" and inputs.sections is not None:
        inputs.sections.locks[str(inputs.source)] = (inputs.prints.lock, rendered.lock_sections)
    if kind == "anki":
        inputs.let_go_of_lock()
    rendered.let_go()
    details = None if callable(rendered.details) else rendered.details
    return Output(kind, path, size, written, details, landed=landed), extra


def _finish(sheet: Sheet, inputs: _Inputs, output: Output, rendered: _Rendered, extra: list[Path]) -> None:
    """A written output's details (the deck's card lint runs only now), then the state that records it: a later
    output that fails leaves a state that names only what was written."""
    if output.details is None:
        output.details = rendered.details()
    _record(sheet, inputs, output, rendered, extra)


def _output_path(sheet: Sheet, inputs: _Inputs, kind: str) -> Path:
    printing = inputs.opts.print.over(sheet.print)
    return inputs.opts.out / f"{sheet.id}{variant(kind, printing, sheet.print)}{SUFFIX[kind]}"


def _record(sheet: Sheet, inputs: _Inputs, output: Output, rendered: _Rendered, extra: list[Path]) -> None:
    files = [output.path, *extra]
    details = {**dataclasses.asdict(output.details), "path": str(output.path), "size": output.size,
               "sheet": sheet.id}
    inputs.state.record(inputs.source, inputs.names[output.kind], inputs.fingerprint(output.kind), files, details,
                        [media.path for media in sheet.media.values()])
    inputs.state.save()
    if inputs.memo is not None and inputs.memo.changed():
        measures.save(inputs.opts.out, inputs.prints.layout_code(), **inputs.memo.bounded())
        inputs.memo.kept()
    if rendered.layout:
        layouts.remember(*rendered.layout)


@dataclass(frozen=True)
class Package:
    """A sheet's .apkg rendered in memory, with the tombstones the lock would then hold; nothing is written."""

    sheet_id: str
    deck: str
    data: bytes
    tombstones: dict[str, dict]


def built_package(source: Path | str, opts: Options | None = None) -> Package:
    """The deck `build` would write, without writing anything (for `sync --plan`): the .apkg a build wrote when it
    and the lock are up to date, read back as it is (nothing loaded, planned or linted), else rendered anew."""
    source, opts = Path(source), opts or Options()
    inputs = _read_inputs(source, opts, ("anki",))
    if inputs.fresh["anki"] is None or opts.force:
        return render_package(source, opts)
    sheet_id, tombstones = lock.tombstones(inputs.lock_file)
    details = inputs.fresh["anki"]["details"]
    return Package(sheet_id or details["sheet"], details["deck"], Path(details["path"]).read_bytes(), tombstones)


def render_package(source: Path | str, opts: Options | None = None) -> Package:
    """What `build` would write for the deck, rendered in memory, without writing it."""
    from .deck.render import render_deck
    from .source.compile import load

    source, opts = Path(source), opts or Options()
    sheet = load(source)
    previous = lock.upgrade(lock.read(lock.lock_path(source)), sheet.id)
    deck = render_deck(sheet, opts.templates, previous, build_time())
    return Package(sheet.id, sheet.deck, deck.data, deck.sections["removed"])


def layout_in_memory(source: Path, sheet: Sheet, opts: Options) -> PdfDetails:
    """The PDF's layout details (body size, pages, fill, …) for `check` and `stats`; nothing is written (one
    layout pass when a build of the same inputs remembered its size)."""
    from .pdf.render import render_pdf

    printing = dataclasses.replace(opts.print.over(sheet.print), png=False)
    hint = layouts.size(Fingerprints(source, None, opts.templates).layout_key(_layout_options(printing)))
    return render_pdf(sheet, printing, opts.templates, hint, exact=hint is not None)[1]


@dataclass(frozen=True)
class CheckResult:
    """A sheet checked without writing anything: the sheet loaded, and the PDF's layout when asked for."""

    source: Path
    sheet: Sheet
    layout: PdfDetails | None = None
    warnings: tuple[Problem, ...] = ()
    """Cards that are weak to study (the card lint), in file order; `check --strict` treats them as errors."""

    @property
    def counts(self) -> dict[str, int]:
        return self.sheet.counts()


def check(source: Path | str, opts: Options | None = None) -> CheckResult:
    """Everything a build would refuse, found without writing anything; raises CheatdeckError with every problem.

    The card rules come from planning the notes, the glyph coverage and the page budget from the PDF's layout
    in memory (one pass when a build of the same inputs remembered its size); no file is written. The card
    lint's warnings come back in the result: they do not stop a build.
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
    layout = None
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
    """The notes removed from a sheet that the user has not confirmed deleting (the lock's tombstones): what
    `removed` lists."""

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


def build_all(paths: list[Path], opts: Options, report: Report, kinds: tuple[str, ...] = OUTPUTS,
              on_written: Written | None = None, guard: Guard | None = None,
              memo: LayoutMemo | None = None, sections: Sections | None = None) -> None:
    for path in paths:
        try:
            result = build(path, opts, kinds, on_written, guard, memo, sections)
        except CheatdeckError as err:
            report(err)
            continue
        report(result)
        if result.failed:
            report(CheatdeckError.combined(result.failed.values()))


def prime(path: Path, sections: Sections, kinds: tuple[str, ...] = OUTPUTS) -> None:
    """Load (and, for a deck, plan and stamp) a sheet into `sections`, writing nothing: what `watch` does for a
    sheet its first build found up to date, so that the first save after it starts builds only the sections that
    save changed. A sheet that does not load is left to its save's build to report."""
    from .source.compile import load

    try:
        sheet = load(path, sections=sections)
    except CheatdeckError:
        return
    if "anki" in kinds:
        _prime_deck(path, sheet, sections)


def _prime_deck(path: Path, sheet: Sheet, sections: Sections) -> None:
    """The sheet's notes planned, and stamped against its lock as it stands, into `sections`: a save's stamp
    takes of them only the notes whose entries the lock then still holds (stamps.Kept), so the note types and
    the time asked of this stamp do not matter."""
    from .deck.plan import plan_notes
    from .deck.stamps import Kept, stamp

    plan = plan_notes(sheet, sections)
    lock_file = lock.lock_path(path)
    try:
        raw = lock.read_bytes(lock_file)
        stored = lock.parse(raw, lock_file)
    except CheatdeckError:  # an unreadable or damaged lock: the save's build reports it
        return
    sections.locks[str(path)] = (raw, stored)
    stamp(lock.upgrade(stored, sheet.id), sheet.id, plan.notes, {}, build_time(),
          sections.stamps.setdefault(str(path), Kept()))


@dataclass(frozen=True)
class Cleaned:
    """What `clean` removed from the output folder, and what it kept because it changed since cheatdeck wrote it."""

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
    for memo_file in (measures.path(opts.out), measures.pages_path(opts.out), measures.layouts_path(opts.out)):
        removed += remove_leftovers(memo_file)
        if memo_file.is_file():
            _remove(memo_file, memo_file.unlink)
            removed.append(memo_file)
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

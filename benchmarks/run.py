"""Benchmarks: `python benchmarks/run.py [--runs N] [--skip-50k] [--markdown BENCHMARKS.md]`.

Every figure is a median of several runs, and every ratio divides two figures measured in the same run, with
the two sides interleaved: these machines are shared and noisy. The anchor is `benchmarks/baseline.py`, a
hand-written script that does a build's work with the same libraries and nothing more. Whole-process figures
time `python …` from the outside; the synthetic-sheet figures run in a fresh child process that reports its
own time and peak memory.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

PY = sys.executable
BUILD = str(REPO / "build.py")
BASELINE = str(REPO / "benchmarks" / "baseline.py")
IMPORT_FLOOR = "import genanki, reportlab.platypus, yaml, click"
# What the shipped sheet's watch row edits (one word of it).
SHIPPED_PHRASE = "real-time inference lookups"
# What only images and formulas need: a sheet without them must not load any of it.
RICH_LIBRARIES = {"ziamath", "ziafont", "latex2mathml", "svglib", "lxml", "tinycss2", "cssselect2"}


def wall(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def interleaved(commands: dict[str, callable], runs: int) -> dict[str, float]:
    """Median wall time of each command, the commands taking turns so that load on the machine hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(command())
    return {name: statistics.median(values) for name, values in samples.items()}


def fresh_clone(root: Path, with_lock: bool) -> Path:
    """The shipped sheet as a fresh clone has it: the YAML and (optionally) its committed lock."""
    shutil.rmtree(root, ignore_errors=True)
    source = root / "source"
    source.mkdir(parents=True)
    shutil.copy(REPO / "source" / "mla-c01.yaml", source)
    if with_lock:
        shutil.copy(REPO / "source" / "mla-c01.lock.json", source)
    return source / "mla-c01.yaml"


def cold(tmp: Path, kind: str = "build", with_lock: bool = True, cached: bool = True):
    """A build in a fresh clone. `cached`: the user's layout cache (state/layouts.py) holds this sheet's size,
    as on a machine that built it before; else it starts empty, as on a new machine."""
    def run() -> float:
        sheet = fresh_clone(tmp / f"cold-{kind}-{with_lock}-{cached}", with_lock)
        env = None
        if not cached:
            shutil.rmtree(tmp / "empty-cache", ignore_errors=True)
            env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "empty-cache")}
        return wall([PY, BUILD, kind, "-q", str(sheet), "--out", str(sheet.parent.parent / "dist")], env=env)
    return run


def baseline(sheet: Path, out: Path, part: str = "both", size: float = 8.0):
    def run() -> float:
        shutil.rmtree(out, ignore_errors=True)
        return wall([PY, BASELINE, str(sheet), str(out), "--part", part, "--size", str(size)])
    return run


def synthetic_sheet(tmp: Path, facts: int) -> Path:
    import yaml
    from synth import sheet

    folder = tmp / f"synthetic-{facts}"
    folder.mkdir(exist_ok=True)
    path = folder / f"synthetic-{facts}.yaml"
    if not path.exists():
        path.write_text(yaml.safe_dump(sheet(facts), sort_keys=False, allow_unicode=True, width=200),
                        encoding="utf-8")
    return path


def libraries_child(root: Path) -> None:
    """Runs in a fresh process: the shipped sheet built (both outputs); prints the rich-content libraries loaded."""
    from cheatdeck.options import Options
    from cheatdeck.pipeline import build

    build(fresh_clone(root, True), Options(out=root / "dist"))
    print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & RICH_LIBRARIES)))


def child(sheet: Path) -> None:
    """Runs in a fresh process: one PDF layout pass at the floor size, with the collector set as the command
    line sets it (cli/runner.py); reports its time and the peak memory."""
    from cheatdeck.cli.runner import collect_rarely
    from cheatdeck.options import TEMPLATES, PrintOptions
    from cheatdeck.pdf.render import render_pdf
    from cheatdeck.source.compile import load

    collect_rarely()

    loaded = load(sheet)
    started = time.perf_counter()
    opts = PrintOptions().over(loaded.print)
    # A budget beyond the format's 500 pages, which 50,000 facts at the floor need: set past the options' check.
    object.__setattr__(opts, "pages", 2000)
    render_pdf(loaded, opts, TEMPLATES, hint=7.0, exact=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def layout_pass(sheet: Path, runs: int) -> tuple[float, float]:
    results = []
    for _ in range(runs):
        done = subprocess.run([PY, __file__, "--child", str(sheet)], check=True, capture_output=True, text=True)
        results.append(json.loads(done.stdout))
    return statistics.median(r["seconds"] for r in results), max(r["peak_mib"] for r in results)


def prints_within_budget(sheet: Path, pages: int) -> tuple[float, str]:
    """The 10,000-fact sheet through the CLI with a page budget: its time, and what the build said."""
    started = time.perf_counter()
    done = subprocess.run([PY, BUILD, "pdf", str(sheet), "--pages", str(pages), "--out", str(sheet.parent / "print"),
                           "--force"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    said = (done.stdout + done.stderr).strip().splitlines()
    # The report's line without the output's path (a temporary folder).
    return seconds, (said[-1].split(None, 1)[-1] if done.returncode == 0
                     else f"FAILED: {said[-1] if said else done.returncode}")


def watch_latency(tmp: Path, edits: int = 10, sheet: Path | None = None, phrase: str = SHIPPED_PHRASE,
                  patience: float = 60) -> float:
    """`watch` on a fresh clone of the shipped sheet (or `sheet`): the median time from saving an edit (one word
    of `phrase` changed, so both outputs change) to the output folder's state being written, after both outputs."""
    sheet = fresh_clone(tmp / "watch", True) if sheet is None else sheet
    state = sheet.parent / "dist" / ".cheatdeck-state.json"
    watching = subprocess.Popen([PY, BUILD, "watch", "-q", str(sheet), "--out", str(state.parent)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = sheet.read_text(encoding="utf-8")
    samples = []
    try:
        _wait_for(lambda: state.exists(), patience * 10)
        time.sleep(1)  # the watcher is set up once the first build is recorded; let it settle
        for edit in range(edits):
            before = state.stat().st_mtime_ns
            saved = time.perf_counter()
            sheet.write_text(_one_word(text, phrase, edit), encoding="utf-8")
            _wait_for(lambda: state.stat().st_mtime_ns != before, patience)
            samples.append(time.perf_counter() - saved)
            time.sleep(0.3)
    finally:
        watching.terminate()
        watching.wait()
    return statistics.median(samples)


def _one_word(text: str, phrase: str, edit: int) -> str:
    """`text` with the last word of `phrase` changed, a different word on every other edit."""
    head, _, word = phrase.rpartition(" ")
    return text.replace(phrase, f"{head} {word}{'-x' if edit % 2 == 0 else ''}")


def printable(tmp: Path, facts: int, pages: int = 400) -> Path:
    """The synthetic sheet with a page budget that holds it (the default two pages do not), alone in a folder."""
    import yaml
    from synth import sheet

    data = sheet(facts)
    data["print"] = {"pages": pages}
    folder = tmp / f"printable-{facts}"
    folder.mkdir(exist_ok=True)
    path = folder / f"synthetic-{facts}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    return path


def clone(sheet: Path, root: Path) -> Path:
    """A fresh clone of `sheet` (and its lock, if it has one) in `root`: no output folder yet."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for path in (sheet, sheet.with_name(sheet.stem + ".lock.json")):
        if path.exists():
            shutil.copy(path, root)
    return root / sheet.name


def body_size(out: Path) -> float:
    """The body size the PDF recorded in the output folder's state was printed at."""
    state = json.loads((out / ".cheatdeck-state.json").read_text(encoding="utf-8"))
    return next(entry["details"]["body_size"] for key, entry in state["outputs"].items() if "::pdf" in key)


def measure_pdf(tmp: Path, runs: int, skip_50k: bool,
                edit_facts: int = 10_000) -> list[tuple[str, str, str, bool | None]]:
    """The PDF's rows: a layout pass as the sheet grows; at 10,000 facts, a cold `pdf` against plain ReportLab at
    the same size, and a one-word edit rebuilt one-shot and in `watch` with what the last build measured."""
    s1k, s10k = synthetic_sheet(tmp, 1_000), synthetic_sheet(tmp, 10_000)
    pass1k, _ = layout_pass(s1k, max(3, runs - 2))
    pass10k, mem10k = layout_pass(s10k, 1)
    rows = [
        ("one PDF layout pass, 1,000 facts", f"{pass1k:.2f} s", "", None),
        ("one PDF layout pass, 10,000 facts", f"{pass10k:.2f} s = {pass10k / pass1k:.1f} × 1k", "≤ 11 × 1k",
         pass10k / pass1k <= 11),
        ("peak memory, one PDF pass, 10,000 facts", f"{mem10k:.0f} MiB", "", None),
    ]
    if not skip_50k:
        s50k = synthetic_sheet(tmp, 50_000)
        pass50k, mem50k = layout_pass(s50k, 1)
        rows += [
            ("one PDF layout pass, 50,000 facts", f"{pass50k:.1f} s = {pass50k / pass10k:.1f} × 10k", "≤ 5.5 × 10k",
             pass50k / pass10k <= 5.5),
            ("peak memory, one PDF pass, 50,000 facts", f"{mem50k:.0f} MiB", "≤ 600 MiB", mem50k <= 600),
        ]
    return rows + edits_at(tmp, max(1, runs - 4), edit_facts)


def edits_at(tmp: Path, runs: int, facts: int) -> list[tuple[str, str, str, bool | None]]:
    sheet = printable(tmp, facts)
    phrase = f"explanation of synthetic fact {facts // 2} with a few more words"
    # A first build writes the lock and teaches the user's layout cache the sheet's size, as on a machine that
    # built it before; each timed cold `pdf` then lays it out once, in a fresh clone with no output folder.
    wall([PY, BUILD, "build", "-q", str(sheet), "--out", str(sheet.parent / "dist")])
    size = body_size(sheet.parent / "dist")

    def cold_pdf() -> float:
        fresh = clone(sheet, tmp / f"cold-pdf-{facts}")
        return wall([PY, BUILD, "pdf", "-q", str(fresh), "--out", str(fresh.parent / "dist")])

    edits, original = iter(range(1000)), sheet.read_text(encoding="utf-8")

    def one_shot() -> float:
        sheet.write_text(_one_word(original, phrase, next(edits)), encoding="utf-8")
        return wall([PY, BUILD, "build", "-q", str(sheet), "--out", str(sheet.parent / "dist")])

    times = interleaved({"cold_pdf": cold_pdf, "plain_pdf": baseline(sheet, tmp / f"plain-{facts}", "pdf", size),
                         "one_shot": one_shot, "script": baseline(sheet, tmp / f"script-{facts}", "both", size)}, runs)
    # `watch` started where the sheet was built before: its first build finds the output folder's memo.
    watching = clone(sheet, tmp / f"watch-{facts}")
    shutil.copytree(sheet.parent / "dist", watching.parent / "dist")
    (watching.parent / "dist" / ".cheatdeck-state.json").unlink()  # the watch's first build writes it anew
    watched = watch_latency(tmp, 3, watching, phrase, patience=600)
    return [
        (f"cold `pdf`, {facts:,} facts (fresh clone, no output folder) vs plain ReportLab at the same size ({size:g} pt)",
         f"{times['cold_pdf']:.1f} s = {times['cold_pdf'] / times['plain_pdf']:.2f} × {times['plain_pdf']:.1f} s",
         "≤ 1.3 × plain", times["cold_pdf"] / times["plain_pdf"] <= 1.3),
        (f"one-shot edit at {facts // 1000}k: one word changed, `build` with the lock and the output folder's layout memo",
         f"{times['one_shot']:.1f} s = {times['one_shot'] / times['script']:.2f} × script's full build "
         f"({times['script']:.1f} s)", "≤ 1.0 × script", times["one_shot"] / times["script"] <= 1.0),
        (f"watch edit at {facts // 1000}k: save → both outputs written (median of 3 edits)", f"{watched:.1f} s", "≤ 3 s",
         watched <= 3),
    ]


def _wait_for(condition, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("watch did not build in time")
        time.sleep(0.002)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def measure(tmp: Path, runs: int, skip_50k: bool) -> list[tuple[str, str, str, bool | None]]:
    shipped = REPO / "source" / "mla-c01.yaml"
    floor_cmd = lambda: wall([PY, "-c", IMPORT_FLOOR])  # noqa: E731
    cold(tmp)()  # the layout cache learns the shipped sheet, as a first build on this machine teaches it
    whole = interleaved({
        "floor": floor_cmd,
        "cold": cold(tmp),
        "cold_no_lock": cold(tmp, with_lock=False),
        "cold_uncached": cold(tmp, cached=False),
        "baseline": baseline(shipped, tmp / "baseline"),
        "anki": cold(tmp, "anki"),
        "baseline_anki": baseline(shipped, tmp / "baseline-anki", "anki"),
        "pdf": cold(tmp, "pdf"),
        "baseline_pdf": baseline(shipped, tmp / "baseline-pdf", "pdf"),
    }, runs)
    noop_sheet = fresh_clone(tmp / "noop", True)
    noop_cmd = [PY, BUILD, "build", "-q", str(noop_sheet), "--out", str(tmp / "noop" / "dist")]
    wall(noop_cmd)
    quick = interleaved({"noop": lambda: wall(noop_cmd), "floor": floor_cmd}, runs + 2)
    watched = watch_latency(tmp)

    s10k = synthetic_sheet(tmp, 10_000)
    def anki10k() -> float:
        s10k.with_name(s10k.stem + ".lock.json").unlink(missing_ok=True)
        shutil.rmtree(s10k.parent / "dist", ignore_errors=True)
        return wall([PY, BUILD, "anki", "-q", str(s10k), "--out", str(s10k.parent / "dist")])

    deck10k = interleaved({"anki": anki10k, "baseline": baseline(s10k, tmp / "baseline-10k", "anki")},
                          max(3, runs - 2))
    print10k, said10k = prints_within_budget(s10k, 400)

    loaded = json.loads(subprocess.run([PY, __file__, "--libraries-child", str(tmp / "libraries")], check=True,
                                       capture_output=True, text=True).stdout)

    f, w = quick["floor"], whole
    rows = [
        ("import floor (`python -c \"import genanki, reportlab.platypus, yaml, click\"`)", f"{f * 1000:.0f} ms", "", None),
        ("hand-written script, shipped sheet, both outputs (`benchmarks/baseline.py`)",
         f"{w['baseline'] * 1000:.0f} ms", "", None),
        ("cold build, shipped sheet, both outputs, committed lock (fresh clone; the user's layout cache knows the sheet)",
         f"{w['cold'] * 1000:.0f} ms = {w['cold'] / w['baseline']:.2f} × script", "≤ 1.25 × script",
         w["cold"] / w["baseline"] <= 1.25),
        ("cold build with no lock (every note stamped anew)",
         f"{w['cold_no_lock'] * 1000:.0f} ms = {w['cold_no_lock'] / w['cold']:.2f} × with lock", "≤ 1.30 × with lock",
         w["cold_no_lock"] / w["cold"] <= 1.30),
        ("cold build on a new machine (empty layout cache: the fit search lays out two sizes)",
         f"{w['cold_uncached'] * 1000:.0f} ms = {w['cold_uncached'] / w['baseline']:.2f} × script", "", None),
        ("`anki` only, shipped sheet", f"{w['anki'] * 1000:.0f} ms = {w['anki'] / w['baseline_anki']:.2f} × script's deck part",
         "", None),
        ("`pdf` only, shipped sheet", f"{w['pdf'] * 1000:.0f} ms = {w['pdf'] / w['baseline_pdf']:.2f} × script's PDF part",
         "", None),
        ("rich-content libraries a build of the shipped sheet loads (ziamath, svglib, lxml, …)",
         ", ".join(loaded) or "none", "none", not loaded),
        ("`watch`: save → both outputs written, shipped sheet (median of 10 edits)", f"{watched * 1000:.0f} ms",
         "", None),
        ("no-op rebuild (everything up to date)", f"{quick['noop'] * 1000:.0f} ms = {quick['noop'] / f:.2f} × floor",
         "≤ 0.5 × floor", quick["noop"] / f <= 0.5),
        ("Anki path, 10,000 facts, no lock (`cheatdeck anki` vs the script's deck part)",
         f"{deck10k['anki']:.2f} s = {deck10k['anki'] / deck10k['baseline']:.2f} × script", "≤ 1.5 × script",
         deck10k["anki"] / deck10k["baseline"] <= 1.5),
        ("10,000-fact sheet printed through the CLI, `--pages 400`", f"{print10k:.1f} s: {said10k}", "prints",
         "FAILED" not in said10k),
    ]
    return rows + measure_pdf(tmp, runs, skip_50k)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-50k", action="store_true", help="leave out the 50,000-fact pass (minutes)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this Markdown file")
    parser.add_argument("--only", choices=("pdf",),
                        help="only these rows (pdf: growth, cold vs ReportLab, edits at 10k)")
    parser.add_argument("--edit-facts", type=int, default=10_000, help="the sheet the edit rows time (10,000 facts)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--libraries-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    if args.libraries_child:
        libraries_child(args.libraries_child)
        return 0

    # What `pip install` does for a wheel and `make` for the editable install: without it, where
    # PYTHONDONTWRITEBYTECODE is set, every timed run would compile the whole package again.
    compileall.compile_dir(REPO / "cheatdeck", quiet=1)
    with tempfile.TemporaryDirectory(prefix="cheatdeck-bench-") as tmp_name:
        # The user's cache folder of the timed builds: the benchmark's own, not the home folder's.
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp_name) / "cache")
        rows = (measure_pdf(Path(tmp_name), args.runs, args.skip_50k, args.edit_facts) if args.only == "pdf"
                else measure(Path(tmp_name), args.runs, args.skip_50k))
    lines = [f"Machine: {machine()}", f"Median of {args.runs} interleaved runs per whole-process figure.", "",
             "| figure | measured | target | met |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {value} | {target} | {'' if ok is None else ('yes' if ok else 'NO')} |"
              for name, value, target, ok in rows]
    table = "\n".join(lines)
    print(table)
    if args.markdown:
        text = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        marker = "<!-- table -->"
        head, _, rest = text.partition(marker)
        _, _, tail = rest.partition(marker)
        args.markdown.write_text(f"{head}{marker}\n{table}\n{marker}{tail}" if rest else f"{marker}\n{table}\n{marker}\n",
                                 encoding="utf-8")
    return 0 if all(ok is not False for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

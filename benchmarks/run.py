"""Benchmarks: `python benchmarks/run.py [--runs N] [--markdown BENCHMARKS.md]`.

Every figure is the median of several runs, and every ratio divides two
figures measured in the same run: these machines are shared and noisy.
Whole-process figures time `python …` from the outside; the synthetic-sheet
figures run each build in a fresh child process that reports its own build
time and peak memory.
"""

from __future__ import annotations

import argparse
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
IMPORT_FLOOR = "import genanki, reportlab.platypus, yaml, click"
# What only images and formulas need: a sheet without them must not load any of it.
RICH_LIBRARIES = {"ziamath", "ziafont", "latex2mathml", "svglib", "lxml", "tinycss2", "cssselect2"}


def wall(cmd: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def fresh_clone_source(root: Path, with_lock: bool) -> Path:
    """The shipped sheet as a fresh clone has it: the YAML and (optionally) its committed lock."""
    source = root / "source"
    source.mkdir(parents=True)
    shutil.copy(REPO / "source" / "mla-c01.yaml", source)
    if with_lock:
        shutil.copy(REPO / "source" / "mla-c01.lock.json", source)
    return source / "mla-c01.yaml"


def cold_build(tmp: Path, runs: int, with_lock: bool) -> float:
    samples = []
    for i in range(runs):
        root = tmp / f"cold-{with_lock}-{i}"
        sheet = fresh_clone_source(root, with_lock)
        samples.append(wall([PY, str(REPO / "build.py"), "-q", "--source", str(sheet), "--out", str(root / "dist")]))
    return median(samples)


def noop_build(tmp: Path, runs: int) -> float:
    root = tmp / "noop"
    sheet = fresh_clone_source(root, True)
    cmd = [PY, str(REPO / "build.py"), "-q", "--source", str(sheet), "--out", str(root / "dist")]
    wall(cmd)
    return median([wall(cmd) for _ in range(runs)])


def child(sheet: Path, out: Path) -> None:
    """Runs in a fresh process: one Anki build from nothing, reporting time and peak memory."""
    from cheatdeck.pipeline import build
    from cheatdeck.options import Options

    shutil.rmtree(out, ignore_errors=True)
    sheet.with_name(sheet.stem + ".lock.json").unlink(missing_ok=True)
    started = time.perf_counter()
    build(sheet, Options(out=out), ("anki",))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def plain_child(root: Path) -> None:
    """Runs in a fresh process: the shipped sheet built (both outputs), and which rich-content libraries it loaded."""
    from cheatdeck.options import Options
    from cheatdeck.pipeline import build

    sheet = fresh_clone_source(root, True)
    started = time.perf_counter()
    build(sheet, Options(out=root / "dist"))
    seconds = time.perf_counter() - started
    loaded = sorted({name.split(".")[0] for name in sys.modules} & RICH_LIBRARIES)
    print(json.dumps({"seconds": seconds, "loaded": loaded}))


def plain_sheet(tmp: Path, runs: int) -> tuple[float, list[str]]:
    results = []
    for i in range(runs):
        done = subprocess.run([PY, __file__, "--plain-child", str(tmp / f"plain-{i}")], check=True,
                              capture_output=True, text=True)
        results.append(json.loads(done.stdout))
    return median([r["seconds"] for r in results]), sorted({m for r in results for m in r["loaded"]})


def synthetic(tmp: Path, facts: int, runs: int) -> tuple[float, float]:
    import yaml
    from synth import sheet

    folder = tmp / f"synthetic-{facts}"
    folder.mkdir()
    path = folder / f"synthetic-{facts}.yaml"
    path.write_text(yaml.safe_dump(sheet(facts), sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    results = []
    for _ in range(runs):
        done = subprocess.run([PY, __file__, "--child", str(path), str(folder / "dist")], check=True,
                              capture_output=True, text=True)
        results.append(json.loads(done.stdout))
    return median([r["seconds"] for r in results]), max(r["peak_mib"] for r in results)


def fit_passes() -> dict[str, int]:
    from cheatdeck.source.compile import load
    from cheatdeck.pdf.render import render_pdf
    from cheatdeck.options import PrintOptions
    from cheatdeck.options import TEMPLATES

    sheet = load(REPO / "source" / "mla-c01.yaml")
    return {paper: render_pdf(sheet, PrintOptions(paper=paper), TEMPLATES)[1]["passes"] for paper in ("letter", "a4")}


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the table to this Markdown file")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--plain-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if args.plain_child:
        plain_child(args.plain_child)
        return 0

    with tempfile.TemporaryDirectory(prefix="cheatdeck-bench-") as tmp_name:
        tmp = Path(tmp_name)
        floor = median([wall([PY, "-c", IMPORT_FLOOR]) for _ in range(args.runs + 2)])
        cold = cold_build(tmp, args.runs, with_lock=True)
        cold_no_lock = cold_build(tmp, args.runs, with_lock=False)
        noop = noop_build(tmp, args.runs + 2)
        floor_after = median([wall([PY, "-c", IMPORT_FLOOR]) for _ in range(args.runs + 2)])
        floor = median([floor, floor_after])
        t1k, m1k = synthetic(tmp, 1_000, max(3, args.runs - 2))
        t10k, m10k = synthetic(tmp, 10_000, max(3, args.runs - 2))
        passes = fit_passes()
        plain, loaded = plain_sheet(tmp, args.runs)

    rows = [
        ("import floor (`python -c \"import genanki, reportlab.platypus, yaml, click\"`)", f"{floor * 1000:.0f} ms", "", None),
        ("cold build, shipped sheet, both outputs (fresh clone, committed lock)", f"{cold * 1000:.0f} ms = {cold / floor:.2f} × floor", "≤ 1.6 × floor", cold / floor <= 1.6),
        ("cold build, no lock file (full fit search)", f"{cold_no_lock * 1000:.0f} ms = {cold_no_lock / floor:.2f} × floor", "(for reference)", None),
        ("no-op rebuild (everything up to date)", f"{noop * 1000:.0f} ms = {noop / floor:.2f} × floor", "≤ 1.15 × floor", noop / floor <= 1.15),
        ("Anki build, 1,000 facts", f"{t1k:.2f} s", "", None),
        ("Anki build, 10,000 facts", f"{t10k:.2f} s", "≤ 3 s", t10k <= 3.0),
        ("growth t(10k) / t(1k)", f"{t10k / t1k:.1f}", "≤ 11", t10k / t1k <= 11),
        ("peak memory, 1,000 facts", f"{m1k:.0f} MiB", "", None),
        ("peak memory, 10,000 facts", f"{m10k:.0f} MiB", "≤ 200 MiB", m10k <= 200),
        ("PDF fit passes, shipped sheet (Letter / A4)", f"{passes['letter']} / {passes['a4']}", "≤ 6", max(passes.values()) <= 6),
        ("shipped sheet (no images or formulas), both outputs, in-process build", f"{plain * 1000:.0f} ms", "", None),
        ("rich-content libraries that build loads (ziamath, svglib, lxml, …)", ", ".join(loaded) or "none",
         "none", not loaded),
    ]
    lines = [f"Machine: {machine()}", f"Median of {args.runs}+ runs per figure.", "",
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

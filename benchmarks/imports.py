"""What importing cheatdeck costs, and the dataclasses' share of it: `python benchmarks/imports.py [--runs N]`.

Each run is a fresh interpreter that imports genanki, ReportLab's platypus, yaml, click and msgspec first (the
floor a hand-written script pays too), then the modules a build of both outputs imports, timing
`dataclasses._process_class` around each class the library makes. It prints the imports' milliseconds and the
dataclasses' share, min and median of the runs. Compare two trees by running it under each, interleaved.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

CHILD = """
import time, dataclasses
import genanki, reportlab.platypus, yaml, click, msgspec
made, spent = dataclasses._process_class, [0.0]
def timed(cls, *args, **kwargs):
    start = time.perf_counter()
    try:
        return made(cls, *args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - start
dataclasses._process_class = timed
start = time.perf_counter()
import cheatdeck.cli.app, cheatdeck.pipeline, cheatdeck.pdf.render, cheatdeck.deck.render, cheatdeck.source.compile
print(time.perf_counter() - start, spent[0])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    samples = [tuple(map(float, subprocess.run([sys.executable, "-c", CHILD], check=True, capture_output=True,
                                               text=True).stdout.split())) for _ in range(runs)]
    for name, values in (("imports", [s[0] for s in samples]), ("dataclasses", [s[1] for s in samples])):
        print(f"{name}: min {1000 * min(values):.1f} ms, median {1000 * statistics.median(values):.1f} ms")


if __name__ == "__main__":
    main()

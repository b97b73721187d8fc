"""The layout memo (pdf/memo.py) kept in the output folder, beside its state file: what the last builds measured,
so that the next run sets again only the paragraphs that changed. Never in the committed lock.

It is a cache and nothing else. A file that is missing, damaged, of another format, or written by other code
(`code`: a digest of the code and library that measured it) is ignored and the layout is measured anew; an
entry of the wrong shape is dropped; one that cannot be written is not kept. Its size is bounded by the memo's
limit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

FILE = ".cheatdeck-layout.json"
FORMAT = 1


def path(out: Path) -> Path:
    return out / FILE


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _settling(value: object) -> bool:
    """[tracking, gain, line or null, points or null, orphan, height], or the height alone"""
    if _number(value):
        return value >= 0
    return (isinstance(value, list) and len(value) == 6 and _number(value[0]) and _number(value[1])
            and (value[2] is None and value[3] is None or isinstance(value[2], int) and _number(value[3]))
            and isinstance(value[4], bool) and _number(value[5]) and value[5] >= 0)


def load(out: Path, code: str) -> dict:
    """The memo's entries as `pdf.memo.LayoutMemo` takes them (`settled`, `heights`, `sizes`); empty when
    the file is not one this code wrote."""
    try:
        data = json.loads(path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != code:
        return {}
    settled, heights, sizes = (data.get(name) if isinstance(data.get(name), dict) else {}
                               for name in ("settled", "heights", "sizes"))
    return {"settled": {k: tuple(v) if isinstance(v, list) else float(v) for k, v in settled.items() if _settling(v)},
            "heights": {k: float(v) for k, v in heights.items() if _number(v) and v >= 0},
            "sizes": {k: float(v) for k, v in sizes.items() if _number(v) and v > 0}}


def save(out: Path, code: str, settled: dict, heights: dict, sizes: dict) -> None:
    """Keep the memo's entries (already bounded) for the next run; a folder that refuses them keeps none."""
    from ..errors import CheatdeckError
    from ..write import write_atomic

    document = {"format": FORMAT, "code": code, "settled": settled, "heights": heights, "sizes": sizes}
    try:
        write_atomic(path(out), json.dumps(document, separators=(",", ":")).encode())
    except (OSError, CheatdeckError):
        pass  # a read-only output folder: the next run measures anew, as without the file

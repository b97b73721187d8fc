"""The layout memo (pdf/memo.py) kept in the output folder, beside its state file: what the last builds measured,
so that the next run sets again only the paragraphs that changed. Never in the committed lock.

It is a cache and nothing else. A file that is missing, damaged, of another format, or written by other code
(`code`: a digest of the code and library that measured it) is ignored and the layout is measured anew; an
entry of the wrong shape is dropped; one that cannot be written is not kept. Its size is bounded by the memo's
limit. The pages the last builds drew (pdf/reuse.py) and the layout passes they were drawn from (pdf/relay.py)
are kept the same way, each in a file of its own beside it.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path

FILE = ".cheatdeck-layout.json"
PAGES_FILE = ".cheatdeck-pages.json"
LAYOUTS_FILE = ".cheatdeck-flow.json"
FORMAT = 1


def path(out: Path) -> Path:
    return out / FILE


def pages_path(out: Path) -> Path:
    return out / PAGES_FILE


def layouts_path(out: Path) -> Path:
    return out / LAYOUTS_FILE


# Numbers as JSON gives them, by exact type (a bool is not one); checked by comparison, not a call each: the file
# of a 10,000-fact sheet holds some 150,000 entries.
_NUMBERS = (int, float)


def _number(value: object) -> bool:
    return type(value) in _NUMBERS and -math.inf < value < math.inf


def _settling(value: object) -> bool:
    """[tracking, gain, line or null, points or null, orphan, height], or the height alone"""
    if type(value) is not list:
        return type(value) in _NUMBERS and 0 <= value < math.inf
    return (len(value) == 6 and _number(value[0]) and _number(value[1])
            and (value[2] is None and value[3] is None or isinstance(value[2], int) and _number(value[3]))
            and isinstance(value[4], bool) and _number(value[5]) and value[5] >= 0)


def _read(file: Path, code: str) -> dict:
    """The file's document, or empty when it is not one this code wrote."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("code") != code:
        return {}
    return data


def _page(value: object):
    """[before, content (base64 of zlib), [[font, characters], …], [font, …], version] as a reuse.Drawn, or
    None."""
    from ..pdf.reuse import Drawn

    if not (isinstance(value, list) and len(value) == 5 and all(isinstance(v, str) for v in value[:2])
            and isinstance(value[2], list) and isinstance(value[3], list)
            and all(isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in value[2])
            and all(isinstance(name, str) for name in value[3])
            and isinstance(value[4], list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value[4])):
        return None
    try:
        content = base64.b64decode(value[1], validate=True)
    except binascii.Error:
        return None
    return Drawn(value[0], content, tuple(tuple(p) for p in value[2]), tuple(value[3]), tuple(value[4]))


def load(out: Path, code: str) -> dict:
    """The memo's entries as `pdf.memo.LayoutMemo` takes them (`settled`, `heights`, `sizes`, `over`, `pages`,
    `layouts`); empty when the files are not ones this code wrote."""
    from ..pdf.relay import loaded

    data = _read(path(out), code)
    settled, heights, sizes, over = (data.get(name) if isinstance(data.get(name), dict) else {}
                                     for name in ("settled", "heights", "sizes", "over"))
    pages = _read(pages_path(out), code).get("pages")
    drawn = {k: page for k, v in pages.items() if (page := _page(v)) is not None} if isinstance(pages, dict) else {}
    return {"settled": {key: tuple(v) if isinstance(v, list) else float(v) for k, v in settled.items()
                        if _settling(v) and (key := _key(k)) is not None},
            "heights": {key: float(v) for k, v in heights.items()
                        if type(v) in _NUMBERS and 0 <= v < math.inf and (key := _key(k)) is not None},
            "sizes": {k: float(v) for k, v in sizes.items() if _number(v) and v > 0},
            "over": {k: tuple(map(float, v)) for k, v in over.items()
                     if isinstance(v, list) and len(v) == 3 and all(_number(n) and n > 0 for n in v)},
            "pages": drawn, "layouts": _layouts(_read(layouts_path(out), code).get("layouts"), loaded)}


def _key(text: str) -> bytes | None:
    """A paragraph's key (pdf/memo.py: 12 bytes) from its hex, or None when it is not one."""
    try:
        key = bytes.fromhex(text)
    except ValueError:
        return None
    return key if len(key) == 12 else None


def _layouts(value: object, loaded) -> dict:
    """The kept layout passes (pdf/relay.py) of a document, those of the right shape."""
    if not isinstance(value, dict):
        return {}
    return {key: kept for key, v in value.items() if isinstance(key, str) and (kept := loaded(v)) is not None}


def save(out: Path, code: str, settled: dict, heights: dict, sizes: dict, over: dict, pages: dict,
         layouts: dict) -> None:
    """Keep the memo's entries (already bounded) for the next run; a folder that refuses them keeps none. Each
    file is written a few thousand entries at a time (`_document`): a 50,000-fact sheet's text, its bytes and its
    pages' base64 are never held whole."""
    from ..pdf.relay import dumped

    head = {"format": FORMAT, "code": code}
    _write(path(out), _document(head, {"settled": _hex(settled), "heights": _hex(heights),
                                       "sizes": sizes.items(), "over": over.items()}))
    drawn = ((key, [page.before, base64.b64encode(page.code).decode("ascii"), [list(p) for p in page.chars],
                    list(page.names), list(page.version)]) for key, page in pages.items())
    _write(pages_path(out), _document(head, {"pages": drawn}, PAGES_CHUNK))
    _write(layouts_path(out), _document(head, {"layouts": ((key, dumped(kept)) for key, kept in layouts.items())}))


def _hex(entries: dict[bytes, object]) -> Iterator[tuple[str, object]]:
    return ((key.hex(), value) for key, value in entries.items())


# Entries encoded at a time: a few hundred kilobytes of text (a drawn page's entry is about 4 kB).
CHUNK = 2_000
PAGES_CHUNK = 50


def _document(head: dict, objects: dict[str, Iterable[tuple[str, object]]],
              chunk: int | None = None) -> Iterator[bytes]:
    """The bytes of `json.dumps({**head, **objects}, separators=(",", ":"))`, each of `objects` given as its
    entries and encoded `chunk` (else CHUNK) of them at a time, with json's C encoder."""
    yield _dumps(head)[:-1].encode()
    for name, entries in objects.items():
        yield f",{_dumps(name)}:{{".encode()
        for number, batch in enumerate(_batched(entries, chunk or CHUNK)):
            yield ("," * (number > 0) + _dumps(dict(batch))[1:-1]).encode()
        yield b"}"
    yield b"}"


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _batched(entries: Iterable[tuple[str, object]], size: int) -> Iterator[list[tuple[str, object]]]:
    entries = iter(entries)
    while batch := list(itertools.islice(entries, size)):
        yield batch


def _write(file: Path, pieces: Iterable[bytes]) -> None:
    from ..errors import CheatdeckError
    from ..write import write_pieces

    try:
        # Read as empty when damaged (`load`): no fsync to wait for.
        write_pieces(file, pieces, durable=False)
    except (OSError, CheatdeckError):
        pass  # a read-only output folder: the next run measures anew, as without the file

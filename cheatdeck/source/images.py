"""Images a sheet shows: found beside the sheet, checked, and named by their content.

The name, a hash of the bytes, is what the card refers to in Anki's media
folder: an edited image gets a new name (so Anki never keeps showing the old
one) and the same bytes used twice are stored once.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"png": "png", "jpeg": "jpg", "svg": "svg"}


class MediaError(Exception):
    """What is wrong with an image, in words for the author."""


@dataclass(frozen=True)
class Media:
    """An image a sheet shows, read and sized once for the deck and the page."""

    path: Path
    kind: str  # png, jpeg or svg
    data: bytes = b""
    width: float = 0.0  # the intrinsic size, for the aspect ratio
    height: float = 0.0

    @property
    def name(self) -> str:
        return f"cheatdeck-{hashlib.sha256(self.data).hexdigest()[:20]}.{EXTENSIONS[self.kind]}"


def _kind(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and b"<svg" in head:
        return "svg"
    return None


def inside(path: Path, folders: tuple[Path, ...]) -> bool:
    """Whether `path`, its symbolic links followed, lies in one of `folders` (resolved)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links (RuntimeError before Python 3.13)
        return False
    return any(real == folder or folder in real.parents for folder in folders)


def load_media(file: str, folder: Path, media_root: Path | None = None) -> Media:
    """The image `file`, as written in the sheet (relative to its folder `folder`); raises MediaError.

    It must lie in `folder`, or in `media_root` when the sheet widens that, once symbolic links are followed:
    a sheet from someone else cannot put a file from elsewhere on this computer into a deck. The refusal
    comes before the file is looked at, so it says the same whether such a file exists or not.
    """
    path = folder / file
    roots = tuple(dict.fromkeys(root.resolve() for root in (folder, media_root) if root is not None))
    if not inside(path, roots):
        where = "the sheet's folder" + (" or media_root" if media_root is not None else "")
        raise MediaError(f"image {file!r} is outside {where}: images must lie inside it (symbolic links "
                         "followed); move the image there, or widen the allowed folder with `media_root:` "
                         "(a folder relative to the sheet's, such as ..)")
    try:
        size = path.stat().st_size
    except OSError:
        raise MediaError(f"image {file!r} not found (looked for {path})") from None
    if not path.is_file():
        raise MediaError(f"image {file!r} is not a file")
    if size > MAX_BYTES:
        raise MediaError(f"image {file!r} is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MediaError(f"cannot read image {file!r}: {exc.strerror}") from None
    kind = _kind(data)
    if kind is None:
        raise MediaError(f"image {file!r} is not a PNG, JPEG or SVG file")
    width, height = (_svg_size if kind == "svg" else _raster_size)(data, file)
    if width <= 0 or height <= 0:
        raise MediaError(f"image {file!r} has no area ({width:g} × {height:g})")
    return Media(path, kind, data, width, height)


def _raster_size(data: bytes, file: str) -> tuple[float, float]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return float(image.width), float(image.height)
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError(f"cannot read image {file!r}: {exc}") from None


def _svg_size(data: bytes, file: str) -> tuple[float, float]:
    from lxml import etree

    # svglib reads on past broken XML; a file that is not well-formed is refused here, where it is named.
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise MediaError(f"cannot read image {file!r}: not a well-formed SVG file ({exc})") from None
    drawing = svg_drawing(data)
    if drawing is None:
        raise MediaError(f"cannot read image {file!r}: svglib cannot draw it")
    return float(drawing.width), float(drawing.height)


def svg_drawing(data: bytes):
    """The SVG as a ReportLab drawing (vector), or None when svglib cannot read it."""
    import logging

    from svglib.svglib import svg2rlg

    # svglib reports what it skips through logging; a refused file is reported by us instead. The level is
    # lowered only while svglib reads, so a program using this library keeps its own logging as it set it.
    logger = logging.getLogger("svglib")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return svg2rlg(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - svglib raises many kinds (lxml, ValueError, …) for a bad file
        return None
    finally:
        logger.setLevel(level)

"""Colour arithmetic shared by the card chips and the printed title bars (WCAG 2 formulas)."""

from __future__ import annotations

from typing import Annotated

import msgspec

COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
Color = Annotated[str, msgspec.Meta(pattern=COLOR_PATTERN, description="Colour as #rrggbb.")]
"""A colour as a sheet or a theme gives it."""
DARK_TEXT = "#111111"
LIGHT_TEXT = "#ffffff"


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def luminance(hex_color: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb(hex_color)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


def text_on(fill: str) -> str:
    """The text colour (near-black or white) that reads best on a fill."""
    return max((DARK_TEXT, LIGHT_TEXT), key=lambda text: contrast(fill, text))


def gray(hex_color: str) -> str:
    """What a black-and-white printer makes of a colour (Rec. 601 luma)."""
    r, g, b = rgb(hex_color)
    level = round(0.299 * r + 0.587 * g + 0.114 * b)
    return f"#{level:02x}{level:02x}{level:02x}"


def tint(hex_color: str, amount: float) -> str:
    """Mix a colour with white: amount 0 is the colour, 1 is white."""
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb(hex_color))


def shade(hex_color: str, amount: float) -> str:
    """Mix a colour with black: amount 0 is the colour, 1 is black."""
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in rgb(hex_color))


def readable_on(hex_color: str, background: str, ratio: float = 4.5) -> str:
    """The colour, darkened on a light background or lightened on a dark one until it has `ratio` against it."""
    mix = shade if luminance(background) > 0.5 else tint
    for step in range(21):
        candidate = mix(hex_color, step / 20)
        if contrast(candidate, background) >= ratio:
            return candidate
    return mix(hex_color, 1.0)

"""Formulas: LaTeX math typeset as vector outlines by ziamath (pure Python, its own math font).

Imported only for a sheet that has math: a sheet without any never pays for ziamath.
Load typesets each formula once to find its errors; the PDF draws the cached result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import latex2mathml.converter
import ziamath

# ziamath works in SVG pixels; typeset large, scale down to the body size when drawing.
SIZE = 100.0
# SVG 1.1 output: each glyph a plain path, which svglib draws (it does not scale SVG 2's <symbol> reuse).
ziamath.config.svg2 = False
_VIEWBOX = re.compile(r'viewBox="([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+) ([-0-9.e]+)"')
_UNKNOWN = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+)</m[io]>")


class FormulaError(Exception):
    """Why a formula cannot be typeset, in words for the author."""


@dataclass(frozen=True)
class Formula:
    svg: bytes
    width: float  # in ems of the text around it
    height: float
    descent: float  # how far below the baseline it reaches, in ems


@lru_cache(maxsize=4096)
def typeset(tex: str, display: bool) -> Formula:
    try:
        mathml = latex2mathml.converter.convert(tex, display="block" if display else "inline")
        unknown = _UNKNOWN.search(mathml)
        if unknown:
            raise FormulaError(f"unknown command {unknown.group(1)} in formula '{_shown(tex)}'")
        svg = ziamath.Math(mathml, size=SIZE).svg()
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError(f"invalid formula '{_shown(tex)}': nested too deeply") from None
    except AssertionError:
        raise FormulaError(f"invalid formula '{_shown(tex)}': an argument is missing (check the braces)") from None
    except Exception as exc:  # noqa: BLE001 - latex2mathml and ziamath raise many kinds for bad input
        reason = str(exc) or type(exc).__name__
        raise FormulaError(f"invalid formula '{_shown(tex)}': {_words(reason)}") from None
    match = _VIEWBOX.search(svg)
    if match is None:
        raise FormulaError(f"invalid formula '{_shown(tex)}': nothing to draw")
    _, top, width, height = (float(v) for v in match.groups())
    return Formula(svg.encode(), width / SIZE, height / SIZE, (height + top) / SIZE)


def _shown(tex: str) -> str:
    return tex if len(tex) <= 60 else tex[:57] + "…"


def _words(reason: str) -> str:
    """latex2mathml names its errors in CamelCase (MissingSuperScriptOrSubscriptError): say them in words."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", reason.removesuffix("Error")).lower()
    return spaced.strip() or "cannot be parsed"

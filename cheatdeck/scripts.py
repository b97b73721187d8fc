"""Scripts written without spaces between words (Chinese and Japanese): where a key may end with a fullwidth
colon (source/compile.py), and where a printed line may break between characters (pdf/cjk.py)."""

from __future__ import annotations

import re

# CJK punctuation, kana, Han and its extensions, fullwidth forms. Hangul is not among them: Korean is written
# with spaces between words.
SOLID = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
_ANY = re.compile(f"[{SOLID}]")


def solid(text: str) -> bool:
    """Whether `text` holds characters of a script written without spaces between its words."""
    return _ANY.search(text) is not None
